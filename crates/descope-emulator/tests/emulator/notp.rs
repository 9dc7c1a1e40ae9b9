//! nOTP (WhatsApp): the Node SDK's captured requests replayed with live pending references,
//! the tap page, pending → session once, and the separation from enchanted links.

use std::path::PathBuf;

use descope_emulator::EmulatorConfig;
use serde_json::{Value, json};

use crate::common::*;

const PHONE: &str = "+15555550151";

fn node_capture() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/wire-captures/node-sdk-2.13.0-ext.jsonl");
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Opens a start's `redirectUrl` (the user sends the WhatsApp message); returns the status.
async fn tap(env: &Env, started: &Value) -> u16 {
    let url = str_of(started, "redirectUrl");
    env.http.get(url).send().await.unwrap().status().as_u16()
}

/// Replays the Node SDK's nOTP requests. The sign-up goes first (the capture's stand-in
/// answered every call; here a sign-in needs the user the sign-up creates once tapped); the
/// empty login id is refused (400), where the stand-in answered 200.
#[tokio::test]
async fn node_sdk_requests_are_accepted() {
    let env = start_with(EmulatorConfig {
        project_id: "P2oracleProject0001".to_owned(),
        ..EmulatorConfig::default()
    })
    .await;
    let mut lines: Vec<Value> = node_capture()
        .into_iter()
        .filter(|l| {
            l["type"] == "request"
                && l["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/v1/auth/notp/"))
        })
        .collect();
    lines.sort_by_key(|l| l["path"] != "/v1/auth/notp/whatsapp/signup");
    assert_eq!(lines.len(), 5);
    let mut last_start: Option<Value> = None;
    for line in lines {
        let path = line["path"].as_str().unwrap();
        let mut body = line["body"].clone();
        let mut expected = line["response_status"].as_u64().unwrap();
        if body["loginId"] == "" {
            expected = 400;
        }
        if path == "/v1/auth/notp/pending-session" {
            let started = last_start.take().expect("a start came first");
            assert_eq!(tap(&env, &started).await, 200);
            body["pendingRef"] = started["pendingRef"].clone();
        }
        let (status, answer) = env.post(path, None, body).await;
        assert_eq!(status.as_u16() as u64, expected, "{path}: {answer}");
        if expected != 200 {
            assert_error(&(status, answer), 400, "E011003");
            continue;
        }
        for key in line["response_body_keys"].as_array().unwrap() {
            let key = key.as_str().unwrap();
            assert!(answer.get(key).is_some(), "{path}: no {key} in {answer}");
        }
        if path == "/v1/auth/notp/whatsapp/signup" {
            assert_eq!(tap(&env, &answer).await, 200);
        } else if path.starts_with("/v1/auth/notp/whatsapp/") {
            last_start = Some(answer);
        } else {
            let claims = env.verify(str_of(&answer, "refreshJwt")).await;
            assert_eq!(claims["amr"], json!(["notp"]));
            assert_eq!(answer["user"]["phone"], PHONE);
        }
    }
}

#[tokio::test]
async fn pending_until_tapped_then_the_session_once() {
    let env = start().await;
    let (status, started) = env
        .post(
            "/v1/auth/notp/whatsapp/signup-in",
            None,
            json!({"loginId": PHONE, "loginOptions": {"customClaims": {"k": "v"}}}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    assert!(!str_of(&started, "image").is_empty());
    let message = env.outbox(Some(PHONE)).await.pop().unwrap();
    assert_eq!(message["channel"], "whatsapp");
    assert_eq!(message["link"], started["redirectUrl"]);
    let poll = json!({"pendingRef": started["pendingRef"]});
    let pending = env
        .post("/v1/auth/notp/pending-session", None, poll.clone())
        .await;
    assert_error(&pending, 401, "E062503");
    // An enchanted link's session endpoint knows nothing of it.
    let other = env
        .post("/v1/auth/enchantedlink/pending-session", None, poll.clone())
        .await;
    assert_error(&other, 400, "E062504");
    assert_eq!(tap(&env, &started).await, 200);
    assert_eq!(tap(&env, &started).await, 401, "the tap is single use");
    let (status, jwt) = env
        .post("/v1/auth/notp/pending-session", None, poll.clone())
        .await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["k"], "v");
    assert_eq!(jwt["firstSeen"], true);
    let again = env.post("/v1/auth/notp/pending-session", None, poll).await;
    assert_error(&again, 400, "E062504");
    // The tap page needs its token.
    let response = env
        .http
        .get(env.url("/emulator/notp/tap"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn sign_in_needs_the_user_and_sign_up_a_new_one() {
    let env = start().await;
    let missing = env
        .post(
            "/v1/auth/notp/whatsapp/signin",
            None,
            json!({"loginId": PHONE, "loginOptions": {}}),
        )
        .await;
    assert_error(&missing, 400, "E062108");
    let (status, started) = env
        .post(
            "/v1/auth/notp/whatsapp/signup",
            None,
            json!({"loginId": PHONE, "user": {"name": "N"}, "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(tap(&env, &started).await, 200);
    let taken = env
        .post(
            "/v1/auth/notp/whatsapp/signup",
            None,
            json!({"loginId": PHONE, "loginOptions": {}}),
        )
        .await;
    assert_error(&taken, 400, "E062107");
}
