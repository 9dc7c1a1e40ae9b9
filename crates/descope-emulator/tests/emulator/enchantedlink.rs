//! Enchanted link: the official SDKs' requests, pending → verified → session once, expiry,
//! the outbox message, address updates.

use descope_emulator::EmulatorConfig;
use serde_json::{Value, json};

use crate::common::*;

const LOGIN: &str = "el-user@example.com";
const URI: &str = "http://127.0.0.1:3000/verify";

/// The newest outbox message (for `login`, or anyone).
async fn last_message(env: &Env, login: Option<&str>) -> Value {
    env.outbox(login).await.pop().expect("a message was sent")
}

/// Clicks the newest link sent: verifies its token.
async fn click(env: &Env, login: Option<&str>) -> (reqwest::StatusCode, Value) {
    let message = last_message(env, login).await;
    env.post(
        "/v1/auth/enchantedlink/verify",
        None,
        json!({"token": str_of(&message, "token")}),
    )
    .await
}

async fn sign_up(env: &Env, login: &str) {
    let (status, started) = env
        .post(
            "/v1/auth/enchantedlink/signup/email",
            None,
            json!({"loginId": login, "URI": URI, "user": {"name": "El"}}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let (status, body) = click(env, Some(login)).await;
    assert_eq!(status, 200, "{body}");
}

async fn pending_session(env: &Env, pending_ref: &str) -> (reqwest::StatusCode, Value) {
    env.post(
        "/v1/auth/enchantedlink/pending-session",
        None,
        json!({"pendingRef": pending_ref}),
    )
    .await
}

/// Replays the SDK's enchanted-link requests with live tokens, pending references and
/// refresh tokens; each answer has the status and keys the SDK got.
async fn replay(name: &str) {
    let env = start_with(EmulatorConfig {
        project_id: "P2oracleProject0001".to_owned(),
        ..EmulatorConfig::default()
    })
    .await;
    let mut replayed = 0;
    let mut fresh_ref: Option<String> = None;
    for line in capture(name) {
        let path = line["path"].as_str().unwrap_or_default();
        if line["type"] != "request" || !path.starts_with("/v1/auth/enchantedlink/") {
            continue;
        }
        let mut body = line["body"].clone();
        let expected = line["response_status"].as_u64().unwrap();
        if path == "/v1/auth/enchantedlink/verify" {
            body["token"] = last_message(&env, None).await["token"].clone();
        }
        if path == "/v1/auth/enchantedlink/pending-session" {
            if expected == 401 {
                // A start nobody has clicked yet.
                let (status, started) = env
                    .post(
                        "/v1/auth/enchantedlink/signin/email",
                        None,
                        json!({"loginId": LOGIN, "URI": URI, "loginOptions": {}}),
                    )
                    .await;
                assert_eq!(status, 200, "{started}");
                fresh_ref = Some(str_of(&started, "pendingRef").to_owned());
            } else {
                let (status, body) = click(&env, None).await;
                assert_eq!(status, 200, "{body}");
            }
            body["pendingRef"] = json!(fresh_ref.clone().expect("a pending poll came first"));
        }
        let auth = line["headers"]["Authorization"].as_str().unwrap();
        let token = if auth.contains(':') {
            let jwt = env.oauth_sign_in(LOGIN).await;
            Some(str_of(&jwt, "refreshJwt").to_owned())
        } else {
            None
        };
        let (status, answer) = env.post(path, token.as_deref(), body).await;
        assert_eq!(
            status.as_u16() as u64,
            expected,
            "{name} seq {}: {path}: {answer}",
            line["seq"]
        );
        for key in line["response_body_keys"].as_array().unwrap() {
            let key = key.as_str().unwrap();
            // The stand-in's error body had an extra `message` no SDK reads.
            if key == "message" {
                continue;
            }
            assert!(
                answer.get(key).is_some(),
                "{name} {path}: no {key} in {answer}"
            );
        }
        if let Some(refresh) = answer["refreshJwt"].as_str() {
            let claims = env.verify(refresh).await;
            assert!(
                claims["amr"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("enchantedlink")),
                "{claims}"
            );
        }
        // A sign-up's user exists once its link is clicked: click it so the sign-ins that
        // follow in the capture find the user.
        if path.starts_with("/v1/auth/enchantedlink/signup/") {
            let (status, body) = click(&env, None).await;
            assert_eq!(status, 200, "{body}");
        }
        replayed += 1;
    }
    assert!(replayed >= 8, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn pending_then_verified_then_the_session_once() {
    let env = start().await;
    sign_up(&env, LOGIN).await;
    env.clear_outbox().await;
    let (status, started) = env
        .post(
            "/v1/auth/enchantedlink/signin/email",
            None,
            json!({"loginId": LOGIN, "URI": "http://app.example/verify?x=1", "loginOptions": {"customClaims": {"k": "v"}}}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let pending_ref = str_of(&started, "pendingRef").to_owned();
    let link_id = str_of(&started, "linkId");
    assert_eq!(link_id.len(), 2, "{link_id}");
    assert!(link_id.parse::<u8>().unwrap() >= 10);
    assert_eq!(str_of(&started, "maskedEmail"), "e***@example.com");

    // The outbox holds one link, with the number shown on screen.
    let messages = env.outbox(Some(LOGIN)).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    assert_eq!(message["kind"], "enchantedlink");
    assert_eq!(message["channel"], "email");
    assert_eq!(message["to"], LOGIN);
    assert_eq!(message["linkId"], link_id);
    let token = str_of(message, "token");
    let link = url::Url::parse(str_of(message, "link")).unwrap();
    assert_eq!(link.host_str(), Some("app.example"));
    let query: Vec<(String, String)> = link.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        vec![("x".into(), "1".into()), ("t".into(), token.to_owned())]
    );

    assert_error(&pending_session(&env, &pending_ref).await, 401, "E062503");
    assert_error(&pending_session(&env, &pending_ref).await, 401, "E062503");
    let verified = env
        .post(
            "/v1/auth/enchantedlink/verify",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(verified.0, 200, "{}", verified.1);
    // The token is single-use.
    let again = env
        .post(
            "/v1/auth/enchantedlink/verify",
            None,
            json!({"token": token}),
        )
        .await;
    assert_error(&again, 401, "E063010");

    let (status, jwt) = pending_session(&env, &pending_ref).await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["amr"], json!(["enchantedlink"]));
    assert_eq!(claims["k"], "v");
    assert_eq!(jwt["user"]["loginIds"], json!([LOGIN]));
    // Handed out once.
    assert_error(&pending_session(&env, &pending_ref).await, 400, "E062504");
    assert_error(&pending_session(&env, "pref_unknown").await, 400, "E062504");
}

#[tokio::test]
async fn links_and_references_expire() {
    let env = start().await;
    sign_up(&env, LOGIN).await;
    let (_, started) = env
        .post(
            "/v1/auth/enchantedlink/signup-in/email",
            None,
            json!({"loginId": LOGIN, "URI": URI, "loginOptions": {}}),
        )
        .await;
    let pending_ref = str_of(&started, "pendingRef").to_owned();
    let token = str_of(&last_message(&env, Some(LOGIN)).await, "token").to_owned();
    env.control("/emulator/clock", json!({"offsetSeconds": 301}))
        .await;
    let late = env
        .post(
            "/v1/auth/enchantedlink/verify",
            None,
            json!({"token": token}),
        )
        .await;
    assert_error(&late, 401, "E063010");
    assert_error(&pending_session(&env, &pending_ref).await, 400, "E062504");
}

#[tokio::test]
async fn sign_up_or_in_creates_the_user_on_click_and_sign_in_needs_one() {
    let env = start().await;
    let login = "new-el@example.com";
    let unknown = env
        .post(
            "/v1/auth/enchantedlink/signin/email",
            None,
            json!({"loginId": login, "URI": URI, "loginOptions": {}}),
        )
        .await;
    assert_eq!(unknown.0, 400, "{}", unknown.1);
    assert_eq!(unknown.1["errorCode"], "E062108");
    let (status, started) = env
        .post(
            "/v1/auth/enchantedlink/signup-in/sms",
            None,
            json!({"loginId": "+15555550199", "URI": URI, "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(str_of(&started, "maskedPhone"), "+*******0199");
    let message = last_message(&env, Some("+15555550199")).await;
    assert_eq!(message["channel"], "sms");
    assert_eq!(click(&env, Some("+15555550199")).await.0, 200);
    let (status, jwt) = pending_session(&env, str_of(&started, "pendingRef")).await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["firstSeen"], true);
    // Voice is not an enchanted-link channel; sign-up of an existing user is refused.
    let voice = env
        .post(
            "/v1/auth/enchantedlink/signin/voice",
            None,
            json!({"loginId": "+15555550199", "URI": URI}),
        )
        .await;
    assert_eq!(voice.0, 404, "{}", voice.1);
    let twice = env
        .post(
            "/v1/auth/enchantedlink/signup/sms",
            None,
            json!({"loginId": "+15555550199", "URI": URI}),
        )
        .await;
    assert_error(&twice, 400, "E062107");
}

#[tokio::test]
async fn update_email_sets_the_address_on_click() {
    let env = start().await;
    sign_up(&env, LOGIN).await;
    let jwt = env.oauth_sign_in(LOGIN).await;
    let refresh = str_of(&jwt, "refreshJwt");
    // Without the refresh token: refused.
    let anonymous = env
        .post(
            "/v1/auth/enchantedlink/update/email",
            None,
            json!({"loginId": LOGIN, "email": "moved@example.com"}),
        )
        .await;
    assert_eq!(anonymous.0, 401, "{}", anonymous.1);
    let (status, started) = env
        .post(
            "/v1/auth/enchantedlink/update/email",
            Some(refresh),
            json!({"loginId": LOGIN, "email": "moved@example.com", "addToLoginIDs": true}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(str_of(&started, "maskedEmail"), "m***@example.com");
    let message = last_message(&env, Some(LOGIN)).await;
    assert_eq!(message["to"], "moved@example.com");
    assert!(
        str_of(&message, "link").starts_with(&EmulatorConfig::default().default_redirect_url),
        "{message}"
    );
    assert_eq!(click(&env, Some(LOGIN)).await.0, 200);
    let (status, session) = pending_session(&env, str_of(&started, "pendingRef")).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["email"], "moved@example.com");
    assert_eq!(
        session["user"]["loginIds"],
        json!([LOGIN, "moved@example.com"])
    );
}
