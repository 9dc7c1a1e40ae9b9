//! OneTap: the client id, and ID tokens of the emulated provider verified for a code or
//! exchanged for the session (the Node SDK's captured requests replayed with a live token).

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::common::*;

fn node_lines() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/wire-captures/node-sdk-2.13.0-ext.jsonl");
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| {
            l["type"] == "request"
                && l["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/v1/auth/onetap/"))
        })
        .collect()
}

/// An ID token of the emulated provider for `login`, with `nonce`.
async fn id_token(env: &Env, provider: &str, nonce: &str, login: &str) -> String {
    let grant = env
        .control(
            "/emulator/native/authorize",
            json!({"provider": provider, "nonce": nonce, "loginId": login}),
        )
        .await;
    str_of(&grant, "idToken").to_owned()
}

#[tokio::test]
async fn node_sdk_requests_are_accepted() {
    let env = start().await;
    let lines = node_lines();
    assert_eq!(lines.len(), 3);
    for line in lines {
        let path = line["path"].as_str().unwrap();
        let (status, answer) = if line["method"] == "GET" {
            env.get(path, None).await
        } else {
            let mut body = line["body"].clone();
            let nonce = str_of(&body, "nonce").to_owned();
            body["idToken"] = json!(id_token(&env, "google", &nonce, "tap@example.com").await);
            env.post(path, None, body).await
        };
        assert_eq!(status, 200, "{path}: {answer}");
        for key in line["response_body_keys"].as_array().unwrap() {
            let key = key.as_str().unwrap();
            assert!(answer.get(key).is_some(), "{path}: no {key} in {answer}");
        }
    }
}

#[tokio::test]
async fn verify_gives_a_code_for_oauth_exchange() {
    let env = start().await;
    let (status, id) = env.get("/v1/auth/onetap/clientid/google", None).await;
    assert_eq!(status, 200);
    assert_eq!(id["clientId"], "emulator-google-client");
    let token = id_token(&env, "google", "n1", "tap@example.com").await;
    let body = json!({"provider": "google", "idToken": token, "nonce": "n1",
        "loginOptions": {"customClaims": {"k": "v"}}});
    let (status, answer) = env.post("/v1/auth/onetap/idtoken/verify", None, body).await;
    assert_eq!(status, 200, "{answer}");
    let (status, jwt) = env
        .post(
            "/v1/auth/oauth/exchange",
            None,
            json!({"code": answer["code"]}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["k"], "v");
    assert_eq!(claims["amr"], json!(["oauth"]));
    assert_eq!(jwt["user"]["OAuth"]["google"], true);
}

#[tokio::test]
async fn wrong_nonce_provider_or_token_is_refused() {
    let env = start().await;
    let token = id_token(&env, "google", "n1", "tap@example.com").await;
    let post = |provider: &str, token: &str, nonce: &str| json!({"provider": provider, "idToken": token, "nonce": nonce});
    for body in [
        post("google", &token, "n2"),
        post("apple", &token, "n1"),
        post("google", "a.b.c", "n1"),
    ] {
        let (status, answer) = env
            .post("/v1/auth/onetap/idtoken/exchange", None, body)
            .await;
        assert_eq!(status, 401, "{answer}");
    }
    let missing = env
        .post(
            "/v1/auth/onetap/idtoken/exchange",
            None,
            post("google", "", "n1"),
        )
        .await;
    assert_error(&missing, 400, "E011003");
    let (status, jwt) = env
        .post(
            "/v1/auth/onetap/idtoken/exchange",
            None,
            post("google", &token, "n1"),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["email"], "tap@example.com");
}
