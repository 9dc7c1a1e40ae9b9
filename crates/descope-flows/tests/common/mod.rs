//! Shared test helpers: a throwaway RSA key, token minting, a recording fake server.
#![allow(dead_code)]

pub mod captures;

use descope_flows::Client;
use descope_transport::{CapturedRequest, CapturingTransport};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub const PROJECT_ID: &str = "P2oracleProject0001";
pub const TENANT_ID: &str = "T2oracleTenant0001";
pub const KID: &str = "test-key-1";
/// Fixed times keep the minted tokens (RS256 is deterministic) and the snapshots stable.
pub const IAT: i64 = 1_767_225_600; // 2026-01-01
pub const EXP: i64 = 4_102_444_800; // 2100-01-01

pub const PRIVATE_KEY_DER: &[u8] = include_bytes!("../fixtures/test-rsa-key.der");
pub const JWKS: &str = include_str!("../fixtures/test-jwks.json");

/// Signs claims with the test key.
pub fn sign(claims: &Value) -> String {
    let key = EncodingKey::from_rsa_der(PRIVATE_KEY_DER);
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// A token of this project, `drn` DS or DSR, for user `U1`.
pub fn token(drn: &str, extra: Value) -> String {
    let mut claims = json!({
        "sub": "U1", "iss": PROJECT_ID, "iat": IAT, "exp": EXP, "drn": drn,
        "amr": ["oauth"], "roles": ["admin"], "permissions": ["read"],
        "tenants": {TENANT_ID: {"roles": ["tenant-admin"], "permissions": ["tenant-read"]}},
    });
    if let (Some(base), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        base.extend(extra);
    }
    sign(&claims)
}

pub fn session_token() -> String {
    token("DS", json!({}))
}

pub fn refresh_token() -> String {
    token("DSR", json!({}))
}

/// A JWT answer as Descope sends it.
pub fn jwt_body(session: &str, refresh: Option<&str>) -> Value {
    let mut body = json!({
        "sessionJwt": session,
        "cookieDomain": "example.com", "cookiePath": "/", "cookieMaxAge": 2_592_000,
        "cookieExpiration": EXP, "firstSeen": false,
        "user": {"userId": "U1", "loginIds": ["ada@example.com"], "email": "ada@example.com"},
    });
    if let Some(refresh) = refresh {
        body["refreshJwt"] = json!(refresh);
    }
    body
}

/// A 1x1 PNG, base64.
pub const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// The canned answer of the fake server for a path.
pub fn canned(method: &http::Method, path: &str) -> (u16, Value) {
    let jwt = || jwt_body(&session_token(), Some(&refresh_token()));
    match (method.as_str(), path) {
        ("GET", p) if p.starts_with("/v2/keys/") => (200, serde_json::from_str(JWKS).unwrap()),
        (_, p) if p.contains("/authorize") => {
            (200, json!({"url": "https://idp.example/authorize?state=1"}))
        }
        (_, "/v1/auth/oauth/native/start") => (
            200,
            json!({"clientId": "cid", "stateId": "state-1", "nonce": "n0nce", "implicit": false}),
        ),
        (_, "/v1/auth/totp/signup" | "/v1/auth/totp/update") => (
            200,
            json!({
            "provisioningURL": "otpauth://totp/Descope:ada?secret=JBSWY3DPEHPK3PXP&issuer=Descope",
            "image": PNG_B64, "key": "JBSWY3DPEHPK3PXP"}),
        ),
        (_, "/v1/auth/refresh") => (200, jwt_body(&session_token(), None)),
        (_, "/v1/auth/logout" | "/v1/auth/logoutall") => (
            200,
            json!({"sessionJwt": "", "refreshJwt": "", "cookiePath": "/", "cookieMaxAge": 0}),
        ),
        (_, "/v1/auth/me") => (
            200,
            json!({"userId": "U1", "loginIds": ["ada@example.com"], "TOTP": true}),
        ),
        (_, "/v1/auth/me/tenants") => (
            200,
            json!({"tenants": [{"id": TENANT_ID, "name": "Oracle"}]}),
        ),
        (_, "/v1/auth/me/history") => (
            200,
            json!([{"userId": "U1", "loginTime": IAT, "city": "Paris", "country": "FR", "ip": "127.0.0.1"}]),
        ),
        (_, "/v1/auth/accesskey/exchange") => (
            200,
            json!({"keyId": "K1", "sessionJwt": session_token(), "expiration": EXP}),
        ),
        _ => (200, jwt()),
    }
}

/// A request as the fake server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub raw_query: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

/// What the snapshot tests look at, from a captured request.
pub fn seen(request: &CapturedRequest) -> Seen {
    let uri = &request.uri;
    let query = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    Seen {
        method: request.method.to_string(),
        path: uri.path().to_owned(),
        raw_query: uri.query().unwrap_or_default().to_owned(),
        query,
        headers,
        body: (!request.body.is_empty()).then(|| serde_json::from_slice(&request.body).unwrap()),
    }
}

/// A client whose transport records every request and answers with [`canned`].
pub fn recording_client() -> (Client, CapturingTransport) {
    let transport = CapturingTransport::new(|request| {
        let (status, body) = canned(&request.method, request.uri.path());
        Ok(CapturingTransport::response(
            status,
            serde_json::to_vec(&body).unwrap(),
        ))
    });
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport.clone())
        .build()
        .unwrap();
    (client, transport)
}
