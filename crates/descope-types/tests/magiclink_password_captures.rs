//! Every magic-link and password request the official Python and Node SDKs sent parses into
//! our request types, and re-serializing gives the same JSON up to explicit `null`s and
//! `false`s (we omit unset flags; Python sends them).

use descope_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const CAPTURES: [&str; 2] = [
    include_str!("../../../tests/fixtures/wire-captures/python-sdk-2.16.1-ext.jsonl"),
    include_str!("../../../tests/fixtures/wire-captures/node-sdk-2.13.0-ext.jsonl"),
];

/// Removes `null` and `false` members, recursively.
fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null() && **v != Value::Bool(false))
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn round_trip<T: Serialize + DeserializeOwned>(label: &str, body: &Value) {
    let parsed: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{label}: body does not parse: {e}\n{body}"));
    let again = serde_json::to_value(&parsed).unwrap();
    assert_eq!(
        normalized(&again),
        normalized(body),
        "{label}: re-serialized body differs"
    );
}

#[test]
fn every_captured_magic_link_and_password_request_round_trips() {
    let mut checked = 0;
    for capture in CAPTURES {
        let mut label = String::new();
        for line in capture.lines().filter(|l| !l.trim().is_empty()) {
            let rec: Value = serde_json::from_str(line).unwrap();
            if rec["type"] == "mark" {
                label = rec["label"].as_str().unwrap().to_owned();
                continue;
            }
            let path = rec["path"].as_str().unwrap();
            let body = &rec["body"];
            match path {
                p if p.starts_with("/v1/auth/magiclink/signup/") => {
                    round_trip::<MagicLinkSignUpRequest>(&label, body)
                }
                p if p.starts_with("/v1/auth/magiclink/signin/")
                    || p.starts_with("/v1/auth/magiclink/signup-in/") =>
                {
                    round_trip::<MagicLinkSignInRequest>(&label, body)
                }
                "/v1/auth/magiclink/verify" => round_trip::<MagicLinkVerifyRequest>(&label, body),
                "/v1/auth/magiclink/update/email" => {
                    round_trip::<MagicLinkUpdateEmailRequest>(&label, body)
                }
                p if p.starts_with("/v1/auth/magiclink/update/phone") => {
                    round_trip::<MagicLinkUpdatePhoneRequest>(&label, body)
                }
                "/v1/auth/password/signup" => round_trip::<PasswordSignUpRequest>(&label, body),
                "/v1/auth/password/signin" => round_trip::<PasswordSignInRequest>(&label, body),
                "/v1/auth/password/replace" => round_trip::<PasswordReplaceRequest>(&label, body),
                "/v1/auth/password/reset" => round_trip::<PasswordResetRequest>(&label, body),
                "/v1/auth/password/update" => round_trip::<PasswordUpdateRequest>(&label, body),
                "/v1/auth/password/policy" => assert!(body.is_null(), "{label}"),
                _ => continue,
            }
            checked += 1;
        }
    }
    // 19 Python and 20 Node requests in these areas (no keys fetch counted).
    assert_eq!(checked, 39);
}

#[test]
fn answers_parse_from_empty_and_full_objects() {
    let empty: PasswordPolicy = serde_json::from_str("{}").unwrap();
    assert_eq!(empty.min_length, 0);
    let reset: PasswordResetResponse = serde_json::from_str(
        r#"{"resetMethod":"enchantedlink","pendingRef":"p","linkId":"3","maskedEmail":"a***@x.io"}"#,
    )
    .unwrap();
    assert_eq!(reset.pending_ref.as_deref(), Some("p"));
    let masked: MaskedAddressResponse =
        serde_json::from_str(r#"{"maskedPhone":"+1***1"}"#).unwrap();
    assert_eq!(masked.address(DeliveryMethod::Sms), "+1***1");
}
