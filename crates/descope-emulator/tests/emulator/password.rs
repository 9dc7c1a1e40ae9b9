//! Passwords: policy, hashing, lockout, reset by link verified through the magic-link
//! verify, update with the session it gives.

use descope_emulator::EmulatorConfig;
use descope_types::PasswordPolicy;
use serde_json::json;

use crate::common::*;
use crate::magiclink::last_token;

const USER: &str = "pw@example.com";

async fn sign_up(env: &Env, password: &str) -> (reqwest::StatusCode, serde_json::Value) {
    env.post(
        "/v1/auth/password/signup",
        None,
        json!({"loginId": USER, "password": password, "user": {"name": "Pass Word"}}),
    )
    .await
}

async fn sign_in(env: &Env, password: &str) -> (reqwest::StatusCode, serde_json::Value) {
    env.post(
        "/v1/auth/password/signin",
        None,
        json!({"loginId": USER, "password": password}),
    )
    .await
}

#[test]
fn policy_and_limits_come_from_the_config_file() {
    let config = EmulatorConfig::from_toml_str(
        "magic_link_redirect_url = \"http://app.test/verify\"\n\
         magic_link_ttl_seconds = 60\n\
         password_max_failures = 2\n\
         [password_policy]\n\
         minLength = 10\n\
         nonAlphanumeric = true\n",
    )
    .unwrap();
    assert_eq!(config.magic_link_redirect_url, "http://app.test/verify");
    assert_eq!(config.magic_link_ttl_seconds, 60);
    assert_eq!(config.password_max_failures, 2);
    assert_eq!(config.password_policy.min_length, 10);
    assert!(config.password_policy.non_alphanumeric && !config.password_policy.uppercase);
    let zero = EmulatorConfig::from_toml_str("password_max_failures = 0").unwrap();
    assert!(zero.validate().is_err());
}

#[tokio::test]
async fn policy_is_served_and_enforced() {
    let policy = PasswordPolicy {
        min_length: 12,
        lowercase: true,
        uppercase: false,
        number: false,
        non_alphanumeric: true,
    };
    let env = start_with(EmulatorConfig {
        password_policy: policy,
        ..EmulatorConfig::default()
    })
    .await;
    let (status, served) = env.get("/v1/auth/password/policy", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        served,
        json!({"minLength": 12, "lowercase": true, "uppercase": false, "number": false, "nonAlphanumeric": true})
    );
    let weak = sign_up(&env, "lowercaseonly1").await;
    assert_error(&weak, 400, "E011004");
    let message = weak.1["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("no character other than letters and digits"),
        "{message}"
    );
    assert!(!message.contains("too short"), "{message}");
    let short = sign_up(&env, "a-b").await;
    assert!(
        short.1["errorMessage"]
            .as_str()
            .unwrap()
            .contains("too short")
    );
    // Nothing was created by the refused sign-ups.
    assert_error(&sign_in(&env, "a-b").await, 400, "E062108");
    let (status, jwt) = sign_up(&env, "long-enough-password").await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["password"], true);
    let claims = env.verify(jwt["sessionJwt"].as_str().unwrap()).await;
    assert_eq!(claims["amr"], json!(["pwd"]));
}

#[tokio::test]
async fn sign_in_replace_and_errors() {
    let env = start().await;
    assert_eq!(sign_up(&env, "Secr3t!Pass").await.0, 200);
    assert_error(&sign_up(&env, "Secr3t!Pass").await, 400, "E062107");
    let (status, jwt) = sign_in(&env, "Secr3t!Pass").await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["firstSeen"], false);
    let wrong = sign_in(&env, "Secr3t!Pas").await;
    assert_error(&wrong, 401, "E011004");
    assert!(!wrong.1.to_string().contains("Secr3t"));
    // A user without a password gets the same answer as a wrong password.
    let (_, none) = env
        .post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "ada@example.com", "password": "Secr3t!Pass"}),
        )
        .await;
    assert_eq!(none["errorDescription"], wrong.1["errorDescription"]);
    let missing = env
        .post("/v1/auth/password/signin", None, json!({"loginId": USER}))
        .await;
    assert_error(&missing, 400, "E011003");

    let replace = |old: &'static str, new: &'static str| {
        env.post(
            "/v1/auth/password/replace",
            None,
            json!({"loginId": USER, "oldPassword": old, "newPassword": new}),
        )
    };
    assert_error(&replace("nope", "N3w!Secr3tPass").await, 401, "E011004");
    assert_error(&replace("Secr3t!Pass", "weak").await, 400, "E011004");
    let (status, jwt) = replace("Secr3t!Pass", "N3w!Secr3tPass").await;
    assert_eq!(status, 200, "{jwt}");
    assert!(jwt["refreshJwt"].is_string());
    assert_eq!(sign_in(&env, "Secr3t!Pass").await.0, 401);
    assert_eq!(sign_in(&env, "N3w!Secr3tPass").await.0, 200);
}

async fn update(
    env: &Env,
    password: &str,
    token: Option<&str>,
) -> (reqwest::StatusCode, serde_json::Value) {
    env.post(
        "/v1/auth/password/update",
        token,
        json!({"loginId": USER, "newPassword": password}),
    )
    .await
}

#[tokio::test]
async fn lockout_then_reset_via_magic_link_verify_then_update() {
    let env = start_with(EmulatorConfig {
        password_max_failures: 3,
        ..EmulatorConfig::default()
    })
    .await;
    assert_eq!(sign_up(&env, "Secr3t!Pass").await.0, 200);
    for _ in 0..2 {
        let (_, body) = sign_in(&env, "Wr0ng!Pass").await;
        assert_eq!(body["errorDescription"], "Invalid password");
    }
    let (_, body) = sign_in(&env, "Wr0ng!Pass").await;
    assert_eq!(body["errorDescription"], "Password locked");
    // Locked: even the right password is refused.
    let (status, body) = sign_in(&env, "Secr3t!Pass").await;
    assert_eq!(status, 401);
    assert_eq!(body["errorDescription"], "Password locked");

    let (status, answer) = env
        .post(
            "/v1/auth/password/reset",
            None,
            json!({"loginId": USER, "redirectUrl": null, "templateOptions": {"greeting": "hi"}}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["resetMethod"], "magiclink");
    assert_eq!(answer["maskedEmail"], "p***@example.com");
    let message = env.outbox(Some(USER)).await.pop().unwrap();
    assert_eq!(message["kind"], "password-reset");
    assert_eq!(message["channel"], "email");
    let token = last_token(&env, Some(USER)).await;
    assert_eq!(
        message["link"],
        format!("http://localhost:3000/verify?t={token}")
    );
    let (status, jwt) = env
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    assert_eq!(update(&env, "An0ther!Pass", None).await.0, 401);
    assert_error(&update(&env, "weak", Some(refresh)).await, 400, "E011004");
    let (status, body) = update(&env, "An0ther!Pass", Some(refresh)).await;
    assert_eq!(status, 200, "{body}");
    // The new password works and the lockout is gone.
    assert_eq!(sign_in(&env, "An0ther!Pass").await.0, 200);
    let unknown = env
        .post(
            "/v1/auth/password/reset",
            None,
            json!({"loginId": "nobody@example.com"}),
        )
        .await;
    assert_error(&unknown, 400, "E062108");
}
