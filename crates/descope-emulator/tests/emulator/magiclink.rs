//! Magic link: the official SDKs' captured requests, single-use and expiring tokens, the
//! outbox, address updates. Also replays the captured password calls (they share the
//! session-on-demand helper).

use descope_emulator::EmulatorConfig;
use serde_json::{Value, json};

use crate::common::*;

/// Signs `login` up or in by magic link (email for addresses, SMS otherwise) and verifies
/// the link from the outbox; returns the JWT answer.
pub async fn link_session(env: &Env, login: &str) -> Value {
    let method = if login.contains('@') { "email" } else { "sms" };
    let (status, answer) = env
        .post(
            &format!("/v1/auth/magiclink/signup-in/{method}"),
            None,
            json!({"loginId": login}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let token = last_token(env, Some(login)).await;
    let (status, jwt) = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    jwt
}

/// The token of the newest outbox message (for `login` when given).
pub async fn last_token(env: &Env, login: Option<&str>) -> String {
    let messages = env.outbox(login).await;
    let message = messages.last().expect("a message in the outbox");
    str_of(message, "token").to_owned()
}

/// Replays the magic-link and password calls of one capture file, in order, with live
/// tokens; each must get the captured status and the keys the SDK reads.
async fn replay(name: &str) {
    let env = start_with(EmulatorConfig {
        project_id: PROJECT.to_owned(),
        ..EmulatorConfig::default()
    })
    .await;
    let mut label = String::new();
    let mut replayed = 0;
    for line in capture(name) {
        if line["type"] == "mark" {
            label = line["label"].as_str().unwrap().to_owned();
            continue;
        }
        let area = [
            "python:magiclink.",
            "node:magicLink.",
            "python:password.",
            "node:password.",
        ];
        if !area.iter().any(|a| label.starts_with(a)) {
            continue;
        }
        let method = line["method"].as_str().unwrap();
        let path = line["path"].as_str().unwrap();
        let mut body = line["body"].clone();
        if path == "/v1/auth/magiclink/verify" {
            body["token"] = json!(last_token(&env, None).await);
        }
        let mut request = env.http.request(method.parse().unwrap(), env.url(path));
        for (header, value) in line["headers"].as_object().unwrap() {
            let value = value.as_str().unwrap();
            match header.to_ascii_lowercase().as_str() {
                "host" | "content-length" | "connection" | "accept-encoding" => {}
                "authorization" if value.contains(':') => {
                    let login = body["loginId"].as_str().unwrap();
                    let jwt = link_session(&env, login).await;
                    request = request.header(
                        "Authorization",
                        format!("Bearer {PROJECT}:{}", str_of(&jwt, "refreshJwt")),
                    );
                }
                _ => request = request.header(header.as_str(), value),
            }
        }
        if !body.is_null() {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(
            u64::from(status),
            line["response_status"].as_u64().unwrap(),
            "{label}: {method} {path}: {answer}"
        );
        if let Value::Array(keys) = &line["response_body_keys"] {
            for key in keys {
                let key = key.as_str().unwrap();
                assert!(answer.get(key).is_some(), "{label}: no {key} in {answer}");
            }
        }
        replayed += 1;
    }
    assert!(replayed >= 17, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_magic_link_and_password_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_magic_link_and_password_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn tokens_are_single_use_and_expire() {
    let env = start().await;
    let (status, answer) = env
        .post(
            "/v1/auth/magiclink/signup/email",
            None,
            json!({"loginId": "link@example.com", "URI": "http://app.example/verify?next=%2Fhome"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"maskedEmail": "l***@example.com"}));
    let messages = env.outbox(Some("link@example.com")).await;
    let message = &messages[0];
    assert_eq!(message["kind"], "magiclink");
    assert_eq!(message["channel"], "email");
    assert_eq!(message["to"], "link@example.com");
    let token = str_of(message, "token");
    assert_eq!(
        message["link"],
        format!("http://app.example/verify?next=%2Fhome&t={token}")
    );
    let (status, jwt) = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["amr"], json!(["magiclink"]));
    assert_eq!(jwt["firstSeen"], true);
    // Used.
    let again = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_error(&again, 401, "E063010");
    // Unknown.
    let unknown = env
        .post(
            "/v1/auth/magiclink/verify",
            None,
            json!({"token": "ml_nope"}),
        )
        .await;
    assert_error(&unknown, 401, "E063010");
    let missing = env.post("/v1/auth/magiclink/verify", None, json!({})).await;
    assert_eq!(missing.0, 400);

    // Expired: past the 600 s lifetime on the emulator clock.
    env.post(
        "/v1/auth/magiclink/signin/email",
        None,
        json!({"loginId": "link@example.com"}),
    )
    .await;
    let token = last_token(&env, Some("link@example.com")).await;
    let message = env.outbox(Some("link@example.com")).await.pop().unwrap();
    assert!(
        str_of(&message, "link").starts_with("http://localhost:3000/verify?t="),
        "the configured default URL"
    );
    env.control("/emulator/clock", json!({"offsetSeconds": 601}))
        .await;
    let expired = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_error(&expired, 401, "E062504");
    // And spent: a second try finds nothing.
    let again = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_error(&again, 401, "E063010");
}

#[tokio::test]
async fn errors_for_unknown_and_existing_users_and_bad_methods() {
    let env = start().await;
    let unknown = env
        .post(
            "/v1/auth/magiclink/signin/email",
            None,
            json!({"loginId": "nobody@example.com"}),
        )
        .await;
    assert_error(&unknown, 400, "E062108");
    let existing = env
        .post(
            "/v1/auth/magiclink/signup/email",
            None,
            json!({"loginId": "ada@example.com"}),
        )
        .await;
    assert_error(&existing, 400, "E062107");
    let method = env
        .post(
            "/v1/auth/magiclink/signin/pigeon",
            None,
            json!({"loginId": "ada@example.com"}),
        )
        .await;
    assert_error(&method, 400, "E011004");
    // Ada has no phone: nothing to send an SMS to.
    let no_phone = env
        .post(
            "/v1/auth/magiclink/signin/sms",
            None,
            json!({"loginId": "ada@example.com"}),
        )
        .await;
    assert_error(&no_phone, 400, "E011004");
    let empty = env
        .post(
            "/v1/auth/magiclink/signin/email",
            None,
            json!({"loginId": " "}),
        )
        .await;
    assert_error(&empty, 400, "E011003");
    // Step-up without a refresh token.
    let stepup = env
        .post(
            "/v1/auth/magiclink/signin/email",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {"stepup": true}}),
        )
        .await;
    assert_eq!(stepup.0, 401, "{}", stepup.1);
}

#[tokio::test]
async fn address_updates_go_to_the_new_address_and_apply_on_verify() {
    let env = start().await;
    let jwt = link_session(&env, "mover@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt").to_owned();
    env.clear_outbox().await;
    let (status, answer) = env
        .post(
            "/v1/auth/magiclink/update/email",
            Some(&refresh),
            json!({"loginId": "mover@example.com", "email": "moved@example.com", "addToLoginIDs": true}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["maskedEmail"], "m***@example.com");
    let message = env.outbox(Some("mover@example.com")).await.pop().unwrap();
    assert_eq!(message["to"], "moved@example.com");
    let (status, jwt) = env
        .post(
            "/v1/auth/magiclink/verify",
            None,
            json!({"token": str_of(&message, "token")}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["email"], "moved@example.com");
    assert_eq!(
        jwt["user"]["loginIds"],
        json!(["mover@example.com", "moved@example.com"])
    );

    // Phone, by the Python SDK's bare path (SMS) and Node's (WhatsApp); without
    // addToLoginIDs the number is not a login id.
    for (path, phone, channel) in [
        ("/v1/auth/magiclink/update/phone", "+15555550123", "sms"),
        (
            "/v1/auth/magiclink/update/phone/whatsapp",
            "+15555550124",
            "whatsapp",
        ),
    ] {
        let (status, answer) = env
            .post(
                path,
                Some(&refresh),
                json!({"loginId": "mover@example.com", "phone": phone}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        assert!(
            answer["maskedPhone"]
                .as_str()
                .unwrap()
                .ends_with(&phone[8..])
        );
        let message = env.outbox(Some("mover@example.com")).await.pop().unwrap();
        assert_eq!(message["channel"], channel);
        assert_eq!(message["to"], phone);
        let (_, jwt) = env
            .post(
                "/v1/auth/magiclink/verify",
                None,
                json!({"token": str_of(&message, "token")}),
            )
            .await;
        assert_eq!(jwt["user"]["phone"], phone);
        assert_eq!(jwt["user"]["loginIds"].as_array().unwrap().len(), 2);
    }

    // Another user's address is refused; so is another user's refresh token.
    let taken = env
        .post(
            "/v1/auth/magiclink/update/email",
            Some(&refresh),
            json!({"loginId": "mover@example.com", "email": "ada@example.com"}),
        )
        .await;
    assert_error(&taken, 400, "E062107");
    let other = env
        .post(
            "/v1/auth/magiclink/update/email",
            Some(&refresh),
            json!({"loginId": "ada@example.com", "email": "x@example.com"}),
        )
        .await;
    assert_eq!(other.0, 401);
    let no_token = env
        .post(
            "/v1/auth/magiclink/update/email",
            None,
            json!({"loginId": "mover@example.com", "email": "y@example.com"}),
        )
        .await;
    assert_eq!(no_token.0, 401);
}

#[tokio::test]
async fn mfa_by_link_keeps_the_first_factor() {
    let env = start().await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt");
    let (status, _) = env
        .post(
            "/v1/auth/magiclink/signin/email",
            Some(refresh),
            json!({"loginId": "ada@example.com", "loginOptions": {"mfa": true}}),
        )
        .await;
    assert_eq!(status, 200);
    let token = last_token(&env, Some("ada@example.com")).await;
    let (status, jwt) = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["amr"], json!(["oauth", "magiclink"]));
}
