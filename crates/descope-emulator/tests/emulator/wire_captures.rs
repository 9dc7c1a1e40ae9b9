//! Replays every request the official Python and Node SDKs sent (tests/fixtures/wire-captures)
//! with live codes and tokens substituted, and checks the answer has the keys the SDK reads.

use descope_emulator::{EmulatorConfig, Seed, SeedTenant};
use serde_json::{Value, json};

use crate::common::*;

fn oracle_config() -> EmulatorConfig {
    let mut seed = Seed::demo();
    seed.tenants.push(SeedTenant {
        id: TENANT.to_owned(),
        name: "Oracle".to_owned(),
        sso_domains: vec!["example.com".to_owned()],
        ..SeedTenant::default()
    });
    EmulatorConfig {
        project_id: PROJECT.to_owned(),
        seed,
        ..EmulatorConfig::default()
    }
}

/// Live values substituted into captured requests.
#[derive(Default)]
struct Live {
    /// Start URLs not yet used, by family ("oauth" or "sso").
    oauth_urls: Vec<String>,
    sso_urls: Vec<String>,
    /// Latest refresh token, and whether a logout revoked it.
    refresh: Option<String>,
    revoked: bool,
    /// Refresh token of an SSO user (a member of the oracle tenant).
    tenant_refresh: Option<String>,
    totp_key: Option<String>,
    totp_uses: i64,
    native: Option<Value>,
}

impl Live {
    async fn refresh_token(&mut self, env: &Env, path: &str) -> String {
        if path.starts_with("/v1/auth/tenant/") || path.starts_with("/v1/auth/me/tenants") {
            return self
                .tenant_refresh
                .clone()
                .expect("an SSO sign-in came first");
        }
        if self.revoked || self.refresh.is_none() {
            let jwt = env.oauth_sign_in("replay@example.com").await;
            self.refresh = Some(str_of(&jwt, "refreshJwt").to_owned());
            self.revoked = false;
        }
        self.refresh.clone().unwrap()
    }
}

async fn replay(name: &str) {
    let env = start_with(oracle_config()).await;
    let mut live = Live::default();
    let mut replayed = 0;
    for line in capture(name) {
        if line["type"] != "request" {
            continue;
        }
        let method = line["method"].as_str().unwrap();
        let path = line["path"].as_str().unwrap();
        let raw_query = line["raw_query"].as_str().unwrap();
        let mut body = line["body"].clone();

        // Live codes and tokens in the body.
        if path.ends_with("/exchange") && path != "/v1/auth/accesskey/exchange" {
            let urls = if path.starts_with("/v1/auth/oauth/") {
                &mut live.oauth_urls
            } else {
                &mut live.sso_urls
            };
            let url = urls.pop().expect("a start precedes each exchange");
            body["code"] = json!(code_of(&env.follow(&url).await));
        }
        if path == "/v1/auth/totp/verify" {
            let key = live.totp_key.clone().expect("sign-up precedes verify");
            // Each verify uses a later step (replay protection), within the ±1 window.
            body["code"] = json!(totp_code(&key, now() + 30 * live.totp_uses));
            live.totp_uses += 1;
        }
        if path == "/v1/auth/oauth/native/finish" {
            let started = live.native.clone().expect("native start precedes finish");
            let grant = env
                .control(
                    "/emulator/native/authorize",
                    json!({"provider": "google", "nonce": started["nonce"], "loginId": "native-user@example.com"}),
                )
                .await;
            body["stateId"] = started["stateId"].clone();
            body["code"] = grant["code"].clone();
            body["idToken"] = grant["idToken"].clone();
        }

        let mut request = env.http.request(
            method.parse().unwrap(),
            format!(
                "{}{path}{}{raw_query}",
                env.emu.base_url(),
                if raw_query.is_empty() { "" } else { "?" }
            ),
        );
        for (header, value) in line["headers"].as_object().unwrap() {
            let value = value.as_str().unwrap();
            match header.to_ascii_lowercase().as_str() {
                "host" | "content-length" | "connection" | "accept-encoding" => {}
                "authorization" => {
                    let value = match value.split_once(':') {
                        Some((project, _)) => {
                            format!("{project}:{}", live.refresh_token(&env, path).await)
                        }
                        None => value.to_owned(),
                    };
                    request = request.header("Authorization", value);
                }
                _ => request = request.header(header.as_str(), value),
            }
        }
        if !body.is_null() {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let answer: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"));
        assert_eq!(
            status.as_u16() as u64,
            line["response_status"].as_u64().unwrap(),
            "{name} seq {}: {method} {path}?{raw_query}: {answer}",
            line["seq"]
        );
        match &line["response_body_keys"] {
            Value::String(kind) if kind == "list" => {
                assert!(answer.is_array(), "{path}: {answer}")
            }
            Value::Array(keys) => {
                for key in keys {
                    let key = key.as_str().unwrap();
                    assert!(
                        answer.get(key).is_some(),
                        "{name} {path}: no {key} in {answer}"
                    );
                }
            }
            other => panic!("unexpected response_body_keys {other}"),
        }

        // Remember what later requests need.
        if let Some(url) = answer["url"].as_str() {
            if path.starts_with("/v1/auth/oauth/") {
                live.oauth_urls.push(url.to_owned());
            } else {
                live.sso_urls.push(url.to_owned());
            }
        }
        if let Some(key) = answer["key"].as_str() {
            live.totp_key = Some(key.to_owned());
            live.totp_uses = 0;
        }
        if path == "/v1/auth/oauth/native/start" {
            live.native = Some(answer.clone());
        }
        if let Some(refresh) = answer["refreshJwt"].as_str().filter(|r| !r.is_empty()) {
            for token in [answer["sessionJwt"].as_str().unwrap(), refresh] {
                env.verify(token).await;
            }
            if path.starts_with("/v1/auth/sso/") || path.starts_with("/v1/auth/saml/") {
                live.tenant_refresh = Some(refresh.to_owned());
            } else if !path.starts_with("/v1/auth/tenant/") {
                live.refresh = Some(refresh.to_owned());
            }
        }
        if path == "/v1/auth/logout" || path == "/v1/auth/logoutall" {
            live.revoked = true;
        }
        replayed += 1;
    }
    assert!(replayed >= 24, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_requests_are_accepted() {
    replay("python-sdk-2.16.1.jsonl").await;
}

#[tokio::test]
async fn node_sdk_requests_are_accepted() {
    replay("node-sdk-2.13.0.jsonl").await;
}
