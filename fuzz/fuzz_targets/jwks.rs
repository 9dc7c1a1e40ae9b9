//! Any bytes as a key set (raw JSON, a list of keys, or the test key with one field
//! replaced), then used to validate the valid token and a token of no key. Never a panic;
//! a key set is refused with a typed error or used; and only the real key validates.
#![no_main]

use descope_flows::ErrorKind;
use descope_fuzz::*;
use descope_types::{JwkSet, SessionToken};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const FIELDS: [&str; 8] = ["kty", "kid", "alg", "use", "n", "e", "x", "crv"];

fn key_set(data: &[u8]) -> Option<JwkSet> {
    let (&mode, rest) = data.split_first()?;
    match mode % 3 {
        0 => serde_json::from_slice(rest).ok(),
        1 => {
            let mut text = b"{\"keys\":[".to_vec();
            text.extend_from_slice(rest);
            text.extend_from_slice(b"]}");
            serde_json::from_slice(&text).ok()
        }
        _ => {
            let (&field, value) = rest.split_first()?;
            let value = serde_json::from_slice(value)
                .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(value).into_owned()));
            let mut set: Value = serde_json::from_str(JWKS).ok()?;
            set["keys"][0][FIELDS[usize::from(field) % FIELDS.len()]] = value;
            serde_json::from_value(set).ok()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(keys) = key_set(data) else {
        return;
    };
    let real_key = keys == test_keys();
    let Some(validator) = validator(keys) else {
        return;
    };
    for token in [valid_token(), "e30.e30.e30"] {
        match block_on(validator.validate_session(&SessionToken::new(token))) {
            Ok(session) => {
                assert_eq!(token, valid_token());
                assert_eq!(session.user_id(), "U1");
            }
            Err(error) => {
                assert_eq!(error.kind(), ErrorKind::TokenValidation, "{error:?}");
                assert!(
                    !(real_key && token == valid_token()),
                    "the real key refused: {error:?}"
                );
            }
        }
    }
});
