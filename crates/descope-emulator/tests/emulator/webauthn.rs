//! WebAuthn (passkeys): the emulator as a relying party, driven by its software
//! authenticator playing the browser: full ceremonies, the captured SDK request
//! shapes, and the refusals (replayed assertion, wrong origin, wrong challenge, counter going
//! back, expired or reused transactions).

use descope_emulator::{EmulatorConfig, SoftAuthenticator, WebAuthnConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

const ORIGIN: &str = "http://localhost:3000";

/// A start call that must succeed; returns `(transactionId, options, create)`.
async fn begin(env: &Env, path: &str, token: Option<&str>, body: Value) -> (String, String, bool) {
    let (status, answer) = env.post(path, token, body).await;
    assert_eq!(status, 200, "{path}: {answer}");
    let options = str_of(&answer, "options").to_owned();
    // The options are JSON for navigator.credentials, with a fresh challenge.
    let parsed: Value = serde_json::from_str(&options).unwrap();
    assert!(parsed["publicKey"]["challenge"].as_str().unwrap().len() >= 43);
    (
        str_of(&answer, "transactionId").to_owned(),
        options,
        answer["create"].as_bool().unwrap(),
    )
}

async fn finish(env: &Env, path: &str, tx: &str, credential: &str) -> (StatusCode, Value) {
    env.post(
        path,
        None,
        json!({"transactionId": tx, "response": credential}),
    )
    .await
}

/// Sign-up start → authenticator creates → finish; returns the JWT answer.
async fn sign_up(env: &Env, authenticator: &mut SoftAuthenticator, login: &str) -> Value {
    let (tx, options, create) = begin(
        env,
        "/v1/auth/webauthn/signup/start",
        None,
        json!({"user": {"loginId": login, "name": "Passkey User"}, "origin": ORIGIN}),
    )
    .await;
    assert!(create);
    let credential = authenticator.create(&options, ORIGIN).await.unwrap();
    let (status, jwt) = finish(env, "/v1/auth/webauthn/signup/finish", &tx, &credential).await;
    assert_eq!(status, 200, "{jwt}");
    jwt
}

/// A sign-in start; returns `(transactionId, options)`.
async fn sign_in_start(env: &Env, login: &str) -> (String, String) {
    let (tx, options, create) = begin(
        env,
        "/v1/auth/webauthn/signin/start",
        None,
        json!({"loginId": login, "origin": ORIGIN}),
    )
    .await;
    assert!(!create);
    (tx, options)
}

fn message(result: &(StatusCode, Value)) -> &str {
    result.1["errorMessage"].as_str().unwrap_or_default()
}

async fn amr(env: &Env, jwt: &Value) -> Vec<String> {
    let claims = env.verify(str_of(jwt, "sessionJwt")).await;
    serde_json::from_value(claims["amr"].clone()).unwrap()
}

#[tokio::test]
async fn sign_up_sign_in_and_update_with_a_software_authenticator() {
    let env = start_with(EmulatorConfig::default()).await;
    let mut authenticator = SoftAuthenticator::new();
    let jwt = sign_up(&env, &mut authenticator, "pk@example.com").await;
    assert_eq!(amr(&env, &jwt).await, ["webauthn"]);
    assert_eq!(jwt["user"]["webauthn"], true, "{jwt}");
    assert_eq!(jwt["user"]["name"], "Passkey User");
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(authenticator.len(), 1);

    let (tx, options) = sign_in_start(&env, "PK@example.com").await;
    let assertion = authenticator.get(&options, ORIGIN).await.unwrap();
    let (status, signed_in) =
        finish(&env, "/v1/auth/webauthn/signin/finish", &tx, &assertion).await;
    assert_eq!(status, 200, "{signed_in}");
    assert_eq!(amr(&env, &signed_in).await, ["webauthn"]);
    assert_eq!(signed_in["firstSeen"], false);
    assert_eq!(signed_in["user"]["userId"], jwt["user"]["userId"]);

    // Update: a second passkey (another authenticator), the refresh token as the bearer.
    let refresh = str_of(&signed_in, "refreshJwt").to_owned();
    let mut second = SoftAuthenticator::new();
    let (tx, options, create) = begin(
        &env,
        "/v1/auth/webauthn/update/start",
        Some(&refresh),
        json!({"loginId": "pk@example.com", "origin": ORIGIN}),
    )
    .await;
    assert!(create);
    // The first passkey is excluded: the authenticator that holds it would refuse.
    let parsed: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(
        parsed["publicKey"]["excludeCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(authenticator.create(&options, ORIGIN).await.is_err());
    let credential = second.create(&options, ORIGIN).await.unwrap();
    let (status, answer) = finish(&env, "/v1/auth/webauthn/update/finish", &tx, &credential).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({})));

    // Both passkeys sign in.
    for authenticator in [&mut authenticator, &mut second] {
        let (tx, options) = sign_in_start(&env, "pk@example.com").await;
        let parsed: Value = serde_json::from_str(&options).unwrap();
        assert_eq!(
            parsed["publicKey"]["allowCredentials"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let assertion = authenticator.get(&options, ORIGIN).await.unwrap();
        let (status, jwt) = finish(&env, "/v1/auth/webauthn/signin/finish", &tx, &assertion).await;
        assert_eq!(status, 200, "{jwt}");
    }

    // Update with MFA: the answer carries a session adding webauthn to the prior amr.
    let oauth = env.oauth_sign_in("pk@example.com").await;
    let mut third = SoftAuthenticator::new();
    let (tx, options, _) = begin(
        &env,
        "/v1/auth/webauthn/update/start",
        Some(str_of(&oauth, "refreshJwt")),
        json!({"loginId": "pk@example.com", "origin": ORIGIN, "mfa": true}),
    )
    .await;
    let credential = third.create(&options, ORIGIN).await.unwrap();
    let (status, answer) = finish(&env, "/v1/auth/webauthn/update/finish", &tx, &credential).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(amr(&env, &answer["jwt"]).await, ["oauth", "webauthn"]);
}

#[tokio::test]
async fn sign_up_or_in_creates_then_signs_in() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    let body = json!({"loginId": "either@example.com", "origin": ORIGIN,
        "loginOptions": {"customClaims": {"k": "v"}}});
    let path = "/v1/auth/webauthn/signup-in/start";
    let (tx, options, create) = begin(&env, path, None, body.clone()).await;
    assert!(create);
    let credential = authenticator.create(&options, ORIGIN).await.unwrap();
    let (status, jwt) = finish(&env, "/v1/auth/webauthn/signup/finish", &tx, &credential).await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(env.verify(str_of(&jwt, "sessionJwt")).await["k"], "v");

    let (tx, options, create) = begin(&env, path, None, body).await;
    assert!(!create);
    let assertion = authenticator.get(&options, ORIGIN).await.unwrap();
    let (status, jwt) = finish(&env, "/v1/auth/webauthn/signin/finish", &tx, &assertion).await;
    assert_eq!(status, 200, "{jwt}");

    // A user without a passkey gets no sign-up here (update is for adding one).
    env.oauth_sign_in("oauth-only@example.com").await;
    let result = env
        .post(
            path,
            None,
            json!({"loginId": "oauth-only@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_error(&result, 400, "E011004");
}

#[tokio::test]
async fn a_replayed_assertion_is_refused() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    sign_up(&env, &mut authenticator, "replay@example.com").await;
    let (tx, options) = sign_in_start(&env, "replay@example.com").await;
    let assertion = authenticator.get(&options, ORIGIN).await.unwrap();
    let path = "/v1/auth/webauthn/signin/finish";
    assert_eq!(finish(&env, path, &tx, &assertion).await.0, 200);
    // Same transaction: spent.
    let result = finish(&env, path, &tx, &assertion).await;
    assert_error(&result, 401, "E011004");
    assert!(message(&result).contains("transaction"), "{}", result.1);
    // A new transaction: its challenge is not the one signed.
    let (tx, _) = sign_in_start(&env, "replay@example.com").await;
    let result = finish(&env, path, &tx, &assertion).await;
    assert_error(&result, 401, "E011004");
    assert!(message(&result).contains("assertion"), "{}", result.1);
}

#[tokio::test]
async fn a_wrong_challenge_is_refused_and_spends_the_transaction() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    sign_up(&env, &mut authenticator, "challenge@example.com").await;
    let (first, first_options) = sign_in_start(&env, "challenge@example.com").await;
    let (second, _) = sign_in_start(&env, "challenge@example.com").await;
    let signed_first = authenticator.get(&first_options, ORIGIN).await.unwrap();
    let path = "/v1/auth/webauthn/signin/finish";
    assert_error(
        &finish(&env, path, &second, &signed_first).await,
        401,
        "E011004",
    );
    // The refused transaction is gone; the right one still works.
    assert_error(
        &finish(&env, path, &second, &signed_first).await,
        401,
        "E011004",
    );
    let result = finish(&env, path, &first, &signed_first).await;
    assert_eq!(result.0, 200, "{}", result.1);
}

#[tokio::test]
async fn a_wrong_origin_is_refused() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    // At start: an origin the RP does not allow.
    for origin in ["https://evil.example", "http://127.0.0.1:3000", "not a url"] {
        let result = env
            .post(
                "/v1/auth/webauthn/signup/start",
                None,
                json!({"user": {"loginId": "o@example.com"}, "origin": origin}),
            )
            .await;
        assert_error(&result, 400, "E011004");
    }
    // At finish: a credential made on another page than the start named.
    let (tx, options, _) = begin(
        &env,
        "/v1/auth/webauthn/signup/start",
        None,
        json!({"user": {"loginId": "o@example.com"}, "origin": ORIGIN}),
    )
    .await;
    let credential = authenticator
        .create(&options, "http://localhost:4000")
        .await
        .unwrap();
    let result = finish(&env, "/v1/auth/webauthn/signup/finish", &tx, &credential).await;
    assert_error(&result, 401, "E011004");
    assert!(message(&result).contains("origin"), "{}", result.1);
    // Nothing was created.
    let result = env
        .post(
            "/v1/auth/webauthn/signin/start",
            None,
            json!({"loginId": "o@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_error(&result, 400, "E062108");

    // The same on sign-in.
    sign_up(&env, &mut authenticator, "o2@example.com").await;
    let (tx, options) = sign_in_start(&env, "o2@example.com").await;
    let assertion = authenticator
        .get(&options, "http://localhost:4000")
        .await
        .unwrap();
    let result = finish(&env, "/v1/auth/webauthn/signin/finish", &tx, &assertion).await;
    assert_error(&result, 401, "E011004");
}

#[tokio::test]
async fn a_sign_counter_going_back_is_refused() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    sign_up(&env, &mut authenticator, "counter@example.com").await;
    let path = "/v1/auth/webauthn/signin/finish";
    for _ in 0..2 {
        let (tx, options) = sign_in_start(&env, "counter@example.com").await;
        let assertion = authenticator.get(&options, ORIGIN).await.unwrap();
        assert_eq!(finish(&env, path, &tx, &assertion).await.0, 200);
    }
    // A clone of the authenticator as it was after the first sign-in.
    authenticator.set_counters(1);
    let (tx, options) = sign_in_start(&env, "counter@example.com").await;
    let assertion = authenticator.get(&options, ORIGIN).await.unwrap();
    let result = finish(&env, path, &tx, &assertion).await;
    assert_error(&result, 401, "E011004");
    assert!(message(&result).contains("counter"), "{}", result.1);
}

#[tokio::test]
async fn transactions_expire() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    let (tx, options, _) = begin(
        &env,
        "/v1/auth/webauthn/signup/start",
        None,
        json!({"user": {"loginId": "late@example.com"}, "origin": ORIGIN}),
    )
    .await;
    let credential = authenticator.create(&options, ORIGIN).await.unwrap();
    env.control("/emulator/clock", json!({"offsetSeconds": 301}))
        .await;
    let result = finish(&env, "/v1/auth/webauthn/signup/finish", &tx, &credential).await;
    assert_error(&result, 401, "E011004");
}

#[tokio::test]
async fn bad_requests_are_descope_shaped() {
    let env = start().await;
    let mut authenticator = SoftAuthenticator::new();
    sign_up(&env, &mut authenticator, "taken@example.com").await;
    let cases = [
        (
            "/v1/auth/webauthn/signup/start",
            json!({"user": {"loginId": "taken@example.com"}, "origin": ORIGIN}),
            400,
            "E062107",
        ),
        (
            "/v1/auth/webauthn/signup/start",
            json!({"user": {}, "origin": ORIGIN}),
            400,
            "E011003",
        ),
        (
            "/v1/auth/webauthn/signin/start",
            json!({"loginId": "nobody@example.com", "origin": ORIGIN}),
            400,
            "E062108",
        ),
        (
            "/v1/auth/webauthn/signin/finish",
            json!({"transactionId": "", "response": "{}"}),
            400,
            "E011003",
        ),
        (
            "/v1/auth/webauthn/signin/finish",
            json!({"transactionId": "wa_x", "response": "{\"id\":\"cred-1\"}"}),
            400,
            "E011004",
        ),
    ];
    for (path, body, status, code) in cases {
        assert_error(&env.post(path, None, body).await, status, code);
    }
    // Update needs the signed-in user's refresh token.
    let result = env
        .post(
            "/v1/auth/webauthn/update/start",
            None,
            json!({"loginId": "taken@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_eq!(result.0, 401, "{}", result.1);
    let other = env.oauth_sign_in("other@example.com").await;
    let result = env
        .post(
            "/v1/auth/webauthn/update/start",
            Some(str_of(&other, "refreshJwt")),
            json!({"loginId": "taken@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_eq!(result.0, 401, "{}", result.1);
}

#[tokio::test]
async fn passkeys_per_user_are_bounded() {
    let env = start_with(EmulatorConfig {
        webauthn: WebAuthnConfig {
            max_passkeys_per_user: 1,
            ..WebAuthnConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    let mut authenticator = SoftAuthenticator::new();
    let jwt = sign_up(&env, &mut authenticator, "bounded@example.com").await;
    let result = env
        .post(
            "/v1/auth/webauthn/update/start",
            Some(str_of(&jwt, "refreshJwt")),
            json!({"loginId": "bounded@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_error(&result, 400, "E011004");
}

#[tokio::test]
async fn rp_settings_are_configurable() {
    let env = start_with(EmulatorConfig {
        webauthn: WebAuthnConfig {
            rp_id: "example.test".to_owned(),
            origin: "https://app.example.test".to_owned(),
            extra_origins: vec!["http://127.0.0.1:3000".to_owned()],
            ..WebAuthnConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    for origin in [
        "https://app.example.test",
        "https://other.example.test",
        "http://127.0.0.1:3000",
        "",
    ] {
        let (_, options, _) = begin(
            &env,
            "/v1/auth/webauthn/signup/start",
            None,
            json!({"user": {"loginId": "rp@example.com"}, "origin": origin}),
        )
        .await;
        let parsed: Value = serde_json::from_str(&options).unwrap();
        assert_eq!(parsed["publicKey"]["rp"]["id"], "example.test");
    }
    for origin in ["http://app.example.test", "http://localhost:3000"] {
        let result = env
            .post(
                "/v1/auth/webauthn/signup/start",
                None,
                json!({"user": {"loginId": "rp@example.com"}, "origin": origin}),
            )
            .await;
        assert_error(&result, 400, "E011004");
    }
    // A full ceremony on the configured RP.
    let mut authenticator = SoftAuthenticator::new();
    let origin = "https://app.example.test";
    let (tx, options, _) = begin(
        &env,
        "/v1/auth/webauthn/signup/start",
        None,
        json!({"user": {"loginId": "rp@example.com"}, "origin": origin}),
    )
    .await;
    let credential = authenticator.create(&options, origin).await.unwrap();
    let result = finish(&env, "/v1/auth/webauthn/signup/finish", &tx, &credential).await;
    assert_eq!(result.0, 200, "{}", result.1);
    // Invalid settings are refused up front.
    let bad = EmulatorConfig {
        webauthn: WebAuthnConfig {
            origin: "https://elsewhere.example".to_owned(),
            ..WebAuthnConfig::default()
        },
        ..EmulatorConfig::default()
    };
    assert!(bad.validate().is_err());
}

/// Replays the SDK's WebAuthn requests with their headers and body keys, one live user for
/// every captured login id, and real credentials in place of the captured stand-ins. Each
/// start is sent as captured (origin `http://127.0.0.1:3000`, allowed as an extra origin),
/// then again on localhost for the ceremony a finish completes: an authenticator refuses an
/// IP address origin.
async fn replay(name: &str) {
    let env = start_with(EmulatorConfig {
        webauthn: WebAuthnConfig {
            extra_origins: vec!["http://127.0.0.1:3000".to_owned()],
            ..WebAuthnConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    let mut authenticator = SoftAuthenticator::new();
    let login = format!("{}-wa@example.com", &name[..4]);
    let mut refresh: Option<String> = None;
    let mut last_start: Option<(String, String, bool)> = None;
    let mut replayed = 0;
    for line in capture(name) {
        let path = line["path"].as_str().unwrap_or_default();
        if line["type"] != "request" || !path.starts_with("/v1/auth/webauthn/") {
            continue;
        }
        let mut bodies = Vec::new();
        let mut body = line["body"].clone();
        if path.ends_with("/start") {
            if body["user"].is_object() {
                body["user"]["loginId"] = json!(login);
            } else {
                body["loginId"] = json!(login);
            }
            assert_eq!(body["origin"], "http://127.0.0.1:3000");
            bodies.push(body.clone());
            body["origin"] = json!(ORIGIN);
            bodies.push(body);
        } else {
            let (tx, options, create) = last_start.clone().expect("a start precedes finish");
            let credential = if path.contains("/update/") {
                // Another device: the first one holds an excluded credential.
                SoftAuthenticator::new().create(&options, ORIGIN).await
            } else if create {
                authenticator.create(&options, ORIGIN).await
            } else {
                authenticator.get(&options, ORIGIN).await
            };
            body["transactionId"] = json!(tx);
            body["response"] = json!(credential.unwrap());
            bodies.push(body);
        }
        for body in bodies {
            let mut request = env.http.post(env.url(path));
            for (header, value) in line["headers"].as_object().unwrap() {
                let value = value.as_str().unwrap();
                match header.to_ascii_lowercase().as_str() {
                    "host" | "content-length" | "connection" | "accept-encoding" => {}
                    "authorization" if value.contains(':') => {
                        let token = refresh.clone().expect("a sign-up precedes refresh calls");
                        request = request.header("Authorization", env.bearer(Some(&token)));
                    }
                    "authorization" => {
                        request = request.header("Authorization", env.bearer(None));
                    }
                    _ => request = request.header(header.as_str(), value),
                }
            }
            let response = request.body(body.to_string()).send().await.unwrap();
            let status = response.status();
            let answer: Value = response.json().await.unwrap();
            assert_eq!(status, 200, "{name} seq {}: {path}: {answer}", line["seq"]);
            for key in line["response_body_keys"].as_array().unwrap() {
                let key = key.as_str().unwrap();
                assert!(
                    answer.get(key).is_some(),
                    "{name} {path}: no {key} in {answer}"
                );
            }
            if path.ends_with("/start") {
                let options = str_of(&answer, "options").to_owned();
                let parsed: Value = serde_json::from_str(&options).unwrap();
                assert!(parsed["publicKey"]["challenge"].is_string(), "{options}");
                last_start = Some((
                    str_of(&answer, "transactionId").to_owned(),
                    options,
                    answer["create"].as_bool().unwrap(),
                ));
            }
            let jwt = answer.get("jwt").unwrap_or(&answer);
            if let Some(token) = jwt["refreshJwt"].as_str() {
                env.verify(str_of(jwt, "sessionJwt")).await;
                refresh = Some(token.to_owned());
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 14, "{name}: only {replayed} WebAuthn requests");
}

#[tokio::test]
async fn python_sdk_webauthn_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_webauthn_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}
