//! Native OAuth (item 6).

use serde_json::{Value, json};

use crate::common::*;

async fn native_start(env: &Env, implicit: bool) -> Value {
    let (status, started) = env
        .post(
            "/v1/auth/oauth/native/start",
            None,
            json!({"provider": "apple", "loginOptions": {}, "implicit": implicit}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    for key in ["clientId", "stateId", "nonce"] {
        assert!(!str_of(&started, key).is_empty());
    }
    assert_eq!(started["implicit"], implicit);
    started
}

async fn provider_authorize(env: &Env, nonce: &str, login: &str) -> Value {
    env.control(
        "/emulator/native/authorize",
        json!({"provider": "apple", "nonce": nonce, "loginId": login, "name": "Nat Ive"}),
    )
    .await
}

#[tokio::test]
async fn implicit_flow_with_id_token_and_user_names() {
    let env = start().await;
    let started = native_start(&env, true).await;
    let grant = provider_authorize(&env, str_of(&started, "nonce"), "nat@example.com").await;

    // The provider's ID token carries the nonce and aud = clientId.
    let id_token = str_of(&grant, "idToken");
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(id_token)
        .unwrap()
        .claims;
    assert_eq!(claims["nonce"], started["nonce"]);
    assert_eq!(claims["aud"], started["clientId"]);

    let user =
        json!({"name": {"firstName": "Nat", "middleName": "Q", "lastName": "Ive"}}).to_string();
    let body = json!({"provider": "apple", "stateId": started["stateId"], "idToken": id_token, "user": user});
    let (status, jwt) = env
        .post("/v1/auth/oauth/native/finish", None, body.clone())
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["givenName"], "Nat");
    assert_eq!(jwt["user"]["middleName"], "Q");
    assert_eq!(jwt["user"]["familyName"], "Ive");
    assert_eq!(jwt["user"]["name"], "Nat Q Ive");
    assert_eq!(jwt["user"]["OAuth"]["apple"], true);
    assert_eq!(jwt["firstSeen"], true);
    let session = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(session["amr"], json!(["oauth"]));

    // stateId is single-use.
    let again = env.post("/v1/auth/oauth/native/finish", None, body).await;
    assert_error(&again, 400, "E011004");
}

#[tokio::test]
async fn code_flow_and_its_checks() {
    let env = start().await;
    let started = native_start(&env, false).await;
    let grant = provider_authorize(&env, str_of(&started, "nonce"), "nat@example.com").await;
    let (status, jwt) = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "apple", "stateId": started["stateId"], "code": grant["code"]}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["name"], "Nat Ive");

    // Wrong provider.
    let started = native_start(&env, false).await;
    let wrong = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "google", "stateId": started["stateId"], "code": "x"}),
        )
        .await;
    assert_error(&wrong, 400, "E011004");

    // A code bound to another nonce.
    let started = native_start(&env, false).await;
    let other = provider_authorize(&env, "some-other-nonce", "nat@example.com").await;
    let mismatch = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "apple", "stateId": started["stateId"], "code": other["code"]}),
        )
        .await;
    assert_error(&mismatch, 400, "E061301");

    // An ID token bound to another nonce.
    let started = native_start(&env, true).await;
    let mismatch = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "apple", "stateId": started["stateId"], "idToken": other["idToken"]}),
        )
        .await;
    assert_error(&mismatch, 401, "E011004");

    // Neither credential.
    let started = native_start(&env, true).await;
    let none = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "apple", "stateId": started["stateId"]}),
        )
        .await;
    assert_error(&none, 400, "E011003");

    let unknown = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "apple", "stateId": "nope", "code": "x"}),
        )
        .await;
    assert_error(&unknown, 400, "E011004");
    let missing = env
        .post(
            "/v1/auth/oauth/native/start",
            None,
            json!({"implicit": true}),
        )
        .await;
    assert_error(&missing, 400, "E011003");
}
