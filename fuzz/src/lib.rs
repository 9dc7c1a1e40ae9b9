//! Shared pieces of the fuzz targets: the test key set and a session token it signs (the
//! fixtures of descope-flows' tests), a validator over it, and a runtime to drive it.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_flows::{SessionValidator, ValidationConfig};
use descope_types::JwkSet;
use serde_json::{Value, json};

pub const PROJECT_ID: &str = "P2oracleProject0001";
pub const KID: &str = "test-key-1";
/// The public half of the test key (`crates/descope-flows/tests/fixtures`).
pub const JWKS: &str = include_str!("../../crates/descope-flows/tests/fixtures/test-jwks.json");
const PRIVATE_KEY_DER: &[u8] =
    include_bytes!("../../crates/descope-flows/tests/fixtures/test-rsa-key.der");

/// One current-thread runtime per fuzzing process.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
        })
        .block_on(future)
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT over `header` and `payload` (JSON text), signed with the test key.
pub fn sign(header: &[u8], payload: &[u8]) -> String {
    let key = RsaKeyPair::from_der(PRIVATE_KEY_DER).expect("test key");
    let input = format!("{}.{}", b64(header), b64(payload));
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .expect("signing");
    format!("{input}.{}", b64(&signature))
}

pub fn header() -> Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": KID})
}

/// The claims of a valid session of user `U1` (valid until 2100).
pub fn claims() -> Value {
    json!({
        "sub": "U1", "iss": PROJECT_ID, "iat": 1_767_225_600_i64, "exp": 4_102_444_800_i64,
        "drn": "DS", "amr": ["oauth"], "roles": ["admin"], "permissions": ["read"],
        "tenants": {"T2oracleTenant0001": {"roles": ["tenant-admin"], "permissions": ["tenant-read"]}},
    })
}

/// A valid session token (RS256 is deterministic: always the same text).
pub fn valid_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        sign(
            header().to_string().as_bytes(),
            claims().to_string().as_bytes(),
        )
    })
}

pub fn test_keys() -> JwkSet {
    serde_json::from_str(JWKS).expect("test JWKS")
}

pub fn validator(keys: JwkSet) -> Option<SessionValidator> {
    SessionValidator::new(ValidationConfig::new(PROJECT_ID), Arc::new(keys)).ok()
}
