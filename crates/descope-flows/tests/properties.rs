//! Fuzz-style properties for everything that reads network or user input: tokens, key sets,
//! every response body (with any status and any `Set-Cookie`), never panic and always give a
//! typed error.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::*;
use descope_flows::{Client, ErrorKind, SessionValidator, ValidationConfig};
use descope_transport::from_fn;
use descope_types::{
    AccessKey, ExchangeCode, IdToken, JwkSet, RefreshToken, SessionToken, TotpCode,
};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn validator(keys: JwkSet) -> SessionValidator {
    SessionValidator::new(ValidationConfig::new(PROJECT_ID), Arc::new(keys)).unwrap()
}

fn test_keys() -> JwkSet {
    serde_json::from_str(JWKS).unwrap()
}

/// Structured mutations of a valid token: one byte changed, cut short, segments
/// rearranged, header or payload replaced by arbitrary JSON.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    SwapSegments,
    ExtraDots(usize),
    Header(Value),
    Payload(Value),
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("alg".to_owned()),
                    Just("kid".to_owned()),
                    Just("exp".to_owned()),
                    Just("iss".to_owned()),
                    Just("drn".to_owned()),
                    Just("sub".to_owned()),
                    Just("nbf".to_owned()),
                    Just("aud".to_owned()),
                    Just("tenants".to_owned()),
                    "[a-z]{1,5}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        Just(Mutation::SwapSegments),
        (0usize..4).prop_map(Mutation::ExtraDots),
        json_value().prop_map(Mutation::Header),
        json_value().prop_map(Mutation::Payload),
    ]
}

fn b64(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

fn mutate(token: &str, mutation: &Mutation) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    match mutation {
        Mutation::Flip(at, byte) => {
            let mut bytes = token.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = *byte;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::Truncate(len) => token.chars().take(len % token.len()).collect(),
        Mutation::SwapSegments => format!("{}.{}.{}", parts[1], parts[0], parts[2]),
        Mutation::ExtraDots(n) => format!("{token}{}", ".".repeat(*n + 1)),
        Mutation::Header(header) => format!("{}.{}.{}", b64(header), parts[1], parts[2]),
        Mutation::Payload(payload) => format!("{}.{}.{}", parts[0], b64(payload), parts[2]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_tokens_are_typed_token_errors(raw in ".{0,300}") {
        let outcome = runtime().block_on(validator(test_keys()).validate_session(&SessionToken::new(raw)));
        let error = outcome.expect_err("garbage validated");
        prop_assert_eq!(error.kind(), ErrorKind::TokenValidation);
    }

    #[test]
    fn mutated_tokens_never_validate_as_someone_else(m in mutation()) {
        let valid = session_token();
        let raw = mutate(&valid, &m);
        let outcome = runtime().block_on(validator(test_keys()).validate_session(&SessionToken::new(raw.clone())));
        match outcome {
            // Only a mutation that left the token as it was may pass.
            Ok(session) => {
                prop_assert_eq!(&raw, &valid);
                prop_assert_eq!(session.user_id(), "U1");
            }
            Err(error) => prop_assert_eq!(error.kind(), ErrorKind::TokenValidation),
        }
    }

    #[test]
    fn arbitrary_key_sets_never_panic(keys in vec(json_value(), 0..4), raw_kid in prop::bool::ANY) {
        // Arbitrary JWK objects (valid JSON that fails to be a key, or a key of the wrong
        // shape) next to nothing else: every token is refused with a typed reason.
        let set = json!({"keys": keys});
        let Ok(set) = serde_json::from_value::<JwkSet>(set) else { return Ok(()); };
        let token = if raw_kid { session_token() } else { "e30.e30.e30".to_owned() };
        let outcome = runtime().block_on(validator(set).validate_session(&SessionToken::new(token)));
        if let Err(error) = outcome {
            prop_assert_eq!(error.kind(), ErrorKind::TokenValidation);
        }
    }

    #[test]
    fn every_operation_survives_any_answer(
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(401), Just(429), Just(500), Just(502), 100u16..600],
        body in prop_oneof![
            vec(any::<u8>(), 0..200).prop_map(Bytes::from),
            json_value().prop_map(|v| Bytes::from(v.to_string())),
            Just(Bytes::from(jwt_body("not.a.jwt", Some("x")).to_string())),
            Just(Bytes::from_static(b"{\"url\":\"not a url\"}")),
            Just(Bytes::from_static(b"{\"image\":\"%%%\",\"key\":\"K\"}")),
        ],
        cookies in vec("[ -~]{0,40}", 0..3),
        retry_after in proptest::option::of("[ -~]{0,30}"),
    ) {
        let answer = move || {
            let mut response = http::Response::builder().status(status);
            for cookie in &cookies {
                response = response.header("set-cookie", cookie.as_str());
            }
            if let Some(value) = &retry_after {
                response = response.header("retry-after", value.as_str());
            }
            response.body(body.clone()).unwrap_or_else(|_| http::Response::new(Bytes::new()))
        };
        let transport = from_fn(move |_request: http::Request<Bytes>| {
            let response = answer();
            async move { Ok(response) }
        });
        let client = Client::builder(PROJECT_ID)
            .base_url("http://127.0.0.1:9")
            .policy(descope_transport::Policy::default().retry(descope_transport::RetryPolicy::never()))
            .transport(transport)
            .build()
            .unwrap();
        let r = RefreshToken::new(refresh_token());
        let code = ExchangeCode::new("c");
        let kinds = runtime().block_on(async {
            vec![
                client.oauth().start("google").await.err(),
                client.oauth().exchange(&code).await.err(),
                client.oauth().start_native("apple").await.err(),
                client.oauth().finish_native("apple", "s").id_token(&IdToken::new("t")).await.err(),
                client.sso().start("T").await.err(),
                client.saml().exchange(&code).await.err(),
                client.totp().sign_up("ada").await.err(),
                client.totp().verify("ada", &TotpCode::new("123456")).await.err(),
                client.totp().update_user("ada", &r).await.err(),
                client.refresh(&r).await.err(),
                client.logout(&r).await.err(),
                client.me(&r).await.err(),
                client.history(&r).await.err(),
                client.select_tenant("T", &r).await.err(),
                client.my_tenants(&r).await.err(),
                client.exchange_access_key(&AccessKey::new("k")).await.err(),
            ]
        });
        for error in kinds.into_iter().flatten() {
            // A typed failure, never a panic: nothing here may be a configuration or
            // argument problem.
            prop_assert!(
                matches!(
                    error.kind(),
                    ErrorKind::Api | ErrorKind::Decode | ErrorKind::TokenValidation | ErrorKind::Transport
                ),
                "{:?}", error
            );
            // Tokens in the body are never quoted back.
            let shown = format!("{error:?} {error}");
            prop_assert!(!shown.contains("not.a.jwt"), "{}", shown);
        }
    }
}
