//! Helpers: a running emulator plus a plain reqwest client (redirects not followed).

use std::time::{SystemTime, UNIX_EPOCH};

use descope_emulator::{Emulator, EmulatorConfig, Seed, SeedTenant};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Env {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub pid: String,
}

pub async fn start() -> Env {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> Env {
    let emu = Emulator::start(config).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let pid = emu.project_id().to_owned();
    Env { emu, http, pid }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Parses a body as JSON, or `Value::String` of the raw text.
async fn body(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    pub fn bearer(&self, token: Option<&str>) -> String {
        match token {
            Some(t) => format!("Bearer {}:{t}", self.pid),
            None => format!("Bearer {}", self.pid),
        }
    }

    /// POST with a JSON body (`Value::Null`: no body at all, like the Go SDK).
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        json_body: Value,
    ) -> (StatusCode, Value) {
        self.post_as(path, &self.bearer(token), json_body).await
    }

    pub async fn post_as(
        &self,
        path: &str,
        authorization: &str,
        json_body: Value,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .header("Authorization", authorization)
            .header("Content-Type", "application/json");
        if !json_body.is_null() {
            request = request.body(json_body.to_string());
        }
        body(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.url(path))
            .header("Authorization", self.bearer(token))
            .send()
            .await
            .unwrap();
        body(response).await
    }

    /// Control API call on the default project.
    pub async fn control(&self, path: &str, json_body: Value) -> Value {
        let (status, value) = self.post(path, None, json_body).await;
        assert_eq!(status, 200, "{path}: {value}");
        value
    }

    /// The outbox's messages (only those for `login_id` when given), oldest first.
    pub async fn outbox(&self, login_id: Option<&str>) -> Vec<Value> {
        let path = match login_id {
            Some(l) => format!("/emulator/outbox?loginId={}", urlencoding(l)),
            None => "/emulator/outbox".to_owned(),
        };
        let (status, value) = self.get(&path, None).await;
        assert_eq!(status, 200, "{value}");
        assert_eq!(value["projectId"], self.pid);
        value["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Empties the outbox.
    pub async fn clear_outbox(&self) {
        let response = self
            .http
            .delete(self.url("/emulator/outbox"))
            .header("Authorization", self.bearer(None))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// GET a start URL; returns the `Location` of the 302.
    pub async fn follow(&self, url: &str) -> String {
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{url}");
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// start (`path?query`) → GET url → the code from the redirect.
    pub async fn code_via(&self, start_path: &str, token: Option<&str>, options: Value) -> String {
        let (status, started) = self.post(start_path, token, options).await;
        assert_eq!(status, 200, "{start_path}: {started}");
        let location = self.follow(started["url"].as_str().unwrap()).await;
        code_of(&location)
    }

    /// A full OAuth web sign-in of `login` (google); returns the JWTResponse.
    pub async fn oauth_sign_in(&self, login: &str) -> Value {
        let code = self
            .code_via(
                &format!("/v1/auth/oauth/authorize?provider=google&loginHint={login}"),
                None,
                json!({}),
            )
            .await;
        let (status, jwt) = self
            .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
            .await;
        assert_eq!(status, 200, "{jwt}");
        jwt
    }

    pub async fn jwks(&self) -> JwkSet {
        let (status, value) = self.get(&format!("/v2/keys/{}", self.pid), None).await;
        assert_eq!(status, 200);
        serde_json::from_value(value).unwrap()
    }

    /// Verifies a token independently (jsonwebtoken against the served JWKS) and returns
    /// its claims.
    pub async fn verify(&self, token: &str) -> Value {
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        let kid = header.kid.expect("kid in header");
        let jwks = self.jwks().await;
        let jwk = jwks.find(&kid).expect("kid served in the JWKS");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.emu.issuer()]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        let data =
            jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
                .unwrap_or_else(|e| panic!("token does not verify: {e}"));
        data.claims
    }
}

pub fn code_of(location: &str) -> String {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code in redirect")
}

/// Descope-shaped error with this status and code.
pub fn assert_error(result: &(StatusCode, Value), status: u16, code: &str) {
    let (actual, body) = result;
    assert_eq!(actual.as_u16(), status, "{body}");
    assert_eq!(body["errorCode"], code, "{body}");
    assert!(body["errorDescription"].is_string(), "{body}");
    assert!(body["errorMessage"].is_string(), "{body}");
}

pub fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {value}"))
}

/// A TOTP code for `key` at `time` from the independent totp-rs crate.
pub fn totp_code(key: &str, time: i64) -> String {
    let secret = totp_rs::Secret::Encoded(key.to_owned()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret)
        .unwrap()
        .generate(time as u64)
}

/// Percent-encodes a query value.
pub fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The project the official SDKs were captured against.
pub const PROJECT: &str = "P2oracleProject0001";
/// The tenant the captures name.
pub const TENANT: &str = "T2oracleTenant0001";
/// The management key the SDKs were captured with.
pub const ORACLE_KEY: &str = "K2oracleManagementKey0001";

/// The official SDKs' captured requests (`tests/fixtures/wire-captures/<name>`), a JSON
/// value per line.
pub fn capture(name: &str) -> Vec<Value> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/wire-captures")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An emulator playing the captures' project: the demo seed plus the captured tenant, with
/// the captured management key.
pub async fn start_oracle() -> Env {
    let mut seed = Seed::demo();
    seed.tenants.push(SeedTenant {
        id: TENANT.to_owned(),
        name: "Oracle Tenant".to_owned(),
        ..SeedTenant::default()
    });
    seed.management_keys[0].key = descope_types::ManagementKey::new(ORACLE_KEY);
    start_with(EmulatorConfig {
        project_id: PROJECT.to_owned(),
        seed,
        ..EmulatorConfig::default()
    })
    .await
}
