//! `SessionValidator::validate_session` on any token: raw bytes, a valid token with bytes
//! overwritten, or a valid header/signature around a fuzzed payload (re-signed, so the
//! claim checks are reached) or a fuzzed header. Never a panic; a typed token error; and
//! only the untouched valid token (or a correctly signed one) validates.
#![no_main]

use std::sync::OnceLock;

use descope_flows::{ErrorKind, SessionValidator};
use descope_fuzz::*;
use descope_types::SessionToken;
use libfuzzer_sys::fuzz_target;

fn shared() -> &'static SessionValidator {
    static VALIDATOR: OnceLock<SessionValidator> = OnceLock::new();
    VALIDATOR.get_or_init(|| validator(test_keys()).expect("validator"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let valid = valid_token();
    let parts: Vec<&str> = valid.split('.').collect();
    let (token, signed) = match mode % 5 {
        0 => (String::from_utf8_lossy(rest).into_owned(), false),
        1 => {
            let mut bytes = valid.as_bytes().to_vec();
            for pair in rest.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % bytes.len();
                bytes[at] = pair[2];
            }
            (String::from_utf8_lossy(&bytes).into_owned(), false)
        }
        // Fuzzed claims, correctly signed: the claim checks themselves.
        2 => (sign(header().to_string().as_bytes(), rest), true),
        // Fuzzed header, correctly signed.
        3 => (sign(rest, claims().to_string().as_bytes()), true),
        _ => (format!("{}.{}.{}", b64(rest), parts[1], parts[2]), false),
    };
    let outcome = block_on(shared().validate_session(&SessionToken::new(token.clone())));
    match outcome {
        Ok(session) => {
            // A forged or altered token never validates.
            assert!(
                signed || token == valid,
                "altered token validated: {token:?}"
            );
            let _ = (
                session.user_id(),
                session.roles(),
                session.tenants().iter().count(),
            );
        }
        Err(error) => assert_eq!(error.kind(), ErrorKind::TokenValidation, "{error:?}"),
    }
});
