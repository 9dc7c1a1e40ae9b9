//! Management: invitations, batches, test-user generators and embedded links. The official
//! SDKs' captured requests are replayed, and every code or token handed out is spent through
//! the sign-in endpoints (raw HTTP), as the one the outbox holds.

use serde_json::{Value, json};

use crate::common::*;

/// The paths of this area.
const PATHS: &[&str] = &[
    "/v1/mgmt/user/create/batch",
    "/v1/mgmt/tests/generate/otp",
    "/v1/mgmt/tests/generate/magiclink",
    "/v1/mgmt/tests/generate/enchantedlink",
    "/v1/mgmt/user/signin/embeddedlink",
];

fn ok(answer: (reqwest::StatusCode, Value)) -> Value {
    assert_eq!(answer.0, 200, "{}", answer.1);
    answer.1
}

/// The `t` of a link.
fn token_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no token in {link}"))
}

/// Replays an SDK's captured requests of this area (and its invite), with the captures' own
/// project and key, on users created as the SDK's run had them; checks each answer has
/// what the SDK reads, and that the codes and links work on the sign-in side.
async fn replay(name: &str) {
    let env = start_oracle().await;
    // The users the SDK's run had made by then.
    for (path, login) in [
        ("/v1/mgmt/user/create/test", "test-user@example.com"),
        ("/v1/mgmt/user/create/test", "+15555550132"),
        ("/v1/mgmt/user/create", "mgmt-user@example.com"),
    ] {
        ok(env
            .post(path, Some(ORACLE_KEY), json!({ "loginId": login }))
            .await);
    }
    let mut replayed = 0;
    for line in capture(name) {
        let (Some(path), Some(body)) = (line["path"].as_str(), line["body"].as_object()) else {
            continue;
        };
        let invite = path == "/v1/mgmt/user/create" && body.get("invite") == Some(&json!(true));
        if line["type"] != "request" || !(invite || PATHS.contains(&path)) {
            continue;
        }
        let authorization = line["headers"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| v.as_str())
            .unwrap();
        let (status, answer) = env.post_as(path, authorization, line["body"].clone()).await;
        assert_eq!(status, 200, "{name} seq {}: {path}: {answer}", line["seq"]);
        let login = body
            .get("loginId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match path {
            "/v1/mgmt/user/create" => {
                assert!(answer["user"]["userId"].is_string(), "{answer}");
                let sent = env.outbox(Some(login)).await;
                let invite = sent
                    .iter()
                    .find(|m| m["kind"] == "invite")
                    .expect("invited");
                assert!(str_of(invite, "link").starts_with(body["inviteUrl"].as_str().unwrap()));
            }
            "/v1/mgmt/user/create/batch" => {
                assert!(answer["createdUsers"].is_array(), "{answer}");
                assert!(answer["failedUsers"].is_array(), "{answer}");
                let created = answer["createdUsers"].as_array().unwrap();
                assert_eq!(created.len(), body["users"].as_array().unwrap().len());
            }
            "/v1/mgmt/tests/generate/otp" => {
                assert_eq!(answer["loginId"], login);
                let code = str_of(&answer, "code");
                let method = body["deliveryMethod"].as_str().unwrap();
                let (status, jwt) = env
                    .post(
                        &format!("/v1/auth/otp/verify/{method}"),
                        None,
                        json!({ "loginId": login, "code": code }),
                    )
                    .await;
                assert_eq!(status, 200, "{jwt}");
                assert!(jwt["sessionJwt"].is_string());
            }
            "/v1/mgmt/tests/generate/magiclink" => {
                assert_eq!(answer["loginId"], login);
                let link = str_of(&answer, "link");
                assert!(link.starts_with(body["URI"].as_str().unwrap()), "{link}");
                let token = token_of(link);
                let jwt = ok(env
                    .post("/v1/auth/magiclink/verify", None, json!({ "token": token }))
                    .await);
                let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
                assert_eq!(claims["k"], "v", "{claims}");
            }
            "/v1/mgmt/tests/generate/enchantedlink" => {
                assert_eq!(answer["loginId"], login);
                let token = token_of(str_of(&answer, "link"));
                let pending = str_of(&answer, "pendingRef").to_owned();
                ok(env
                    .post(
                        "/v1/auth/enchantedlink/verify",
                        None,
                        json!({ "token": token }),
                    )
                    .await);
                let jwt = ok(env
                    .post(
                        "/v1/auth/enchantedlink/pending-session",
                        None,
                        json!({ "pendingRef": pending }),
                    )
                    .await);
                assert!(jwt["sessionJwt"].is_string());
            }
            _ => {
                let token = str_of(&answer, "token");
                let jwt = ok(env
                    .post("/v1/auth/magiclink/verify", None, json!({ "token": token }))
                    .await);
                let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
                if body.get("customClaims").is_some_and(|c| !c.is_null()) {
                    assert_eq!(claims["k"], "v", "{claims}");
                }
            }
        }
        replayed += 1;
    }
    assert!(
        replayed >= 8,
        "{name}: only {replayed} requests of this area"
    );
}

#[tokio::test]
async fn python_sdk_test_user_requests_are_accepted_and_their_codes_work() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_test_user_requests_are_accepted_and_their_codes_work() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn generated_codes_are_the_outbox_ones_and_only_for_test_users() {
    let env = start().await;
    let login = "gen@example.com";
    ok(env
        .mgmt(
            "/v1/mgmt/user/create/test",
            json!({ "loginId": login, "email": login }),
        )
        .await);
    let answer = ok(env
        .mgmt(
            "/v1/mgmt/tests/generate/otp",
            json!({ "loginId": login, "deliveryMethod": "email" }),
        )
        .await);
    let sent = env.outbox(Some(login)).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["kind"], "otp");
    assert_eq!(sent[0]["code"], answer["code"]);
    // A second code replaces the first, as a second OTP sign-in would.
    let second = ok(env
        .mgmt(
            "/v1/mgmt/tests/generate/otp",
            json!({ "loginId": login, "deliveryMethod": "email" }),
        )
        .await);
    let (status, _) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({ "loginId": login, "code": answer["code"] }),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({ "loginId": login, "code": second["code"] }),
        )
        .await;
    assert_eq!(status, 200);

    // Not a test user, an unknown user, a missing login id.
    ok(env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({ "loginId": "real@example.com" }),
        )
        .await);
    for path in [
        "/v1/mgmt/tests/generate/otp",
        "/v1/mgmt/tests/generate/magiclink",
        "/v1/mgmt/tests/generate/enchantedlink",
    ] {
        let body = json!({ "loginId": "real@example.com", "deliveryMethod": "email" });
        assert_error(&env.mgmt(path, body).await, 400, "E011004");
        let body = json!({ "loginId": "nobody@example.com", "deliveryMethod": "email" });
        assert_error(&env.mgmt(path, body).await, 400, "E112102");
        let body = json!({ "loginId": " ", "deliveryMethod": "email" });
        assert_eq!(env.mgmt(path, body).await.0, 400);
        // And never without the management key.
        let body = json!({ "loginId": login, "deliveryMethod": "email" });
        assert_eq!(env.post(path, None, body).await.0, 401);
    }
    assert!(env.outbox(Some("real@example.com")).await.is_empty());
}

#[tokio::test]
async fn invitations_go_to_the_outbox_and_sign_in() {
    let env = start().await;
    let login = "invitee@example.com";
    let user = ok(env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({ "loginId": login, "email": login, "phone": "+15555550150",
                    "invite": true, "inviteUrl": "http://127.0.0.1:3000/invite",
                    "sendSMS": true }),
        )
        .await);
    let sent = env.outbox(Some(login)).await;
    let kinds: Vec<(&str, &str)> = sent
        .iter()
        .map(|m| (str_of(m, "kind"), str_of(m, "channel")))
        .collect();
    assert_eq!(kinds, [("invite", "email"), ("invite", "sms")]);
    assert_eq!(sent[1]["to"], "+15555550150");
    let token = token_of(str_of(&sent[0], "link"));
    assert_eq!(sent[0]["token"], token.as_str());
    let jwt = ok(env
        .post("/v1/auth/magiclink/verify", None, json!({ "token": token }))
        .await);
    assert_eq!(jwt["user"]["userId"], user["user"]["userId"]);
    // Without invite: nothing sent; sendMail false: nothing either.
    ok(env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({ "loginId": "quiet@example.com" }),
        )
        .await);
    ok(env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({ "loginId": "nomail@example.com", "invite": true, "sendMail": false }),
        )
        .await);
    assert!(env.outbox(Some("quiet@example.com")).await.is_empty());
    assert!(env.outbox(Some("nomail@example.com")).await.is_empty());
    // A taken login id: refused, nothing sent.
    env.clear_outbox().await;
    let again = env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({ "loginId": login, "invite": true }),
        )
        .await;
    assert_eq!(again.0, 409, "{}", again.1);
    assert!(env.outbox(None).await.is_empty());
}

#[tokio::test]
async fn batches_list_failures_and_set_passwords() {
    let env = start().await;
    ok(env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({ "loginId": "taken@example.com" }),
        )
        .await);
    let answer = ok(env
        .mgmt(
            "/v1/mgmt/user/create/batch",
            json!({ "users": [
                { "loginId": "b1@example.com", "email": "b1@example.com",
                  "password": { "cleartext": "Batch!Pass1" } },
                { "loginId": "taken@example.com" },
                { "loginId": "b3@example.com", "password": "Batch!Pass3" },
            ], "invite": true }),
        )
        .await);
    assert_eq!(answer["createdUsers"].as_array().unwrap().len(), 2);
    assert_eq!(
        answer["failedUsers"][0]["user"]["loginIds"][0],
        "taken@example.com"
    );
    assert!(answer["failedUsers"][0]["failure"].is_string());
    for (login, password) in [
        ("b1@example.com", "Batch!Pass1"),
        ("b3@example.com", "Batch!Pass3"),
    ] {
        let (status, jwt) = env
            .post(
                "/v1/auth/password/signin",
                None,
                json!({ "loginId": login, "password": password }),
            )
            .await;
        assert_eq!(status, 200, "{login}: {jwt}");
    }
    assert_eq!(
        env.outbox(Some("b1@example.com")).await[0]["kind"],
        "invite"
    );
    assert!(env.outbox(Some("taken@example.com")).await.is_empty());
}

#[tokio::test]
async fn embedded_links_expire_and_are_single_use() {
    let env = start().await;
    let login = "emb@example.com";
    ok(env
        .mgmt("/v1/mgmt/user/create", json!({ "loginId": login }))
        .await);
    let token = ok(env
        .mgmt(
            "/v1/mgmt/user/signin/embeddedlink",
            json!({ "loginId": login, "customClaims": { "k": "v" }, "timeout": 30 }),
        )
        .await)["token"]
        .clone();
    assert!(env.outbox(None).await.is_empty());
    ok(env
        .post("/v1/auth/magiclink/verify", None, json!({ "token": token }))
        .await);
    let reused = env
        .post("/v1/auth/magiclink/verify", None, json!({ "token": token }))
        .await;
    assert_eq!(reused.0, 401);
    let token = ok(env
        .mgmt(
            "/v1/mgmt/user/signin/embeddedlink",
            json!({ "loginId": login, "timeout": 30 }),
        )
        .await)["token"]
        .clone();
    env.control("/emulator/clock", json!({ "offsetSeconds": 31 }))
        .await;
    let expired = env
        .post("/v1/auth/magiclink/verify", None, json!({ "token": token }))
        .await;
    assert_eq!(expired.0, 401);
    let unknown = env
        .mgmt(
            "/v1/mgmt/user/signin/embeddedlink",
            json!({ "loginId": "nobody@example.com" }),
        )
        .await;
    assert_error(&unknown, 400, "E112102");
}
