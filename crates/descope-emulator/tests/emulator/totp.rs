//! TOTP (item 7), checked with codes from totp-rs configured by the test (RFC 6238 SHA1,
//! 6 digits, 30 s), independently of the emulator's own configuration of it.

use base64::Engine as _;
use descope_emulator::{EmulatorConfig, Seed, SeedUser};
use descope_types::TotpKey;
use serde_json::json;

use crate::common::*;

async fn sign_up(env: &Env, login: &str) -> String {
    let (status, enrolment) = env
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": login, "user": {"name": "Tot P", "email": login, "phone": "+15555550100"}}),
        )
        .await;
    assert_eq!(status, 200, "{enrolment}");
    str_of(&enrolment, "key").to_owned()
}

#[tokio::test]
async fn signup_shape_key_url_and_png() {
    let env = start().await;
    let (status, enrolment) = env
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "tot@example.com"}),
        )
        .await;
    assert_eq!(status, 200);
    let key = str_of(&enrolment, "key");
    assert_eq!(key.len(), 32, "20 bytes in base32 without padding");
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    assert_eq!(
        totp_rs::Secret::Encoded(key.to_owned())
            .to_bytes()
            .unwrap()
            .len(),
        20
    );
    assert_eq!(
        str_of(&enrolment, "provisioningURL"),
        format!(
            "otpauth://totp/Descope:tot%40example.com?secret={key}&issuer=Descope&algorithm=SHA1&digits=6&period=30"
        )
    );
    let image = str_of(&enrolment, "image");
    assert!(!image.starts_with("data:"));
    let png = base64::engine::general_purpose::STANDARD
        .decode(image)
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let exists = env
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "tot@example.com"}),
        )
        .await;
    assert_error(&exists, 400, "E062107");
    let seeded = env
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "ada@example.com"}),
        )
        .await;
    assert_error(&seeded, 400, "E062107");
    let empty = env
        .post("/v1/auth/totp/signup", None, json!({"loginId": ""}))
        .await;
    assert_error(&empty, 400, "E011003");
}

#[tokio::test]
async fn verify_with_independent_codes_replay_and_window() {
    let env = start().await;
    let key = sign_up(&env, "tot@example.com").await;
    let t = now();

    let (status, jwt) = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, t), "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["TOTP"], true);
    assert_eq!(jwt["user"]["name"], "Tot P");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["amr"], json!(["totp"]));

    // Replay of the same step.
    let replay = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, t)}),
        )
        .await;
    assert_error(&replay, 401, "E061102");
    // The next step is inside the ±1 window.
    let next = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, t + 30)}),
        )
        .await;
    assert_eq!(next.0, 200, "{}", next.1);
    assert_eq!(next.1["firstSeen"], false);
    // Two steps ahead is not.
    let far = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, t + 90)}),
        )
        .await;
    assert_error(&far, 401, "E061102");

    let unknown = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "nobody@x.test", "code": "123456"}),
        )
        .await;
    assert_error(&unknown, 400, "E062108");
    let no_totp = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "ada@example.com", "code": "123456"}),
        )
        .await;
    assert_error(&no_totp, 400, "E011004");
    let no_code = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com"}),
        )
        .await;
    assert_error(&no_code, 400, "E011003");
}

#[tokio::test]
async fn too_many_failures_locks_out() {
    let env = start().await;
    let key = sign_up(&env, "tot@example.com").await;
    let t = now();
    // A code that is wrong for every step in the window.
    let good: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|d| totp_code(&key, t + d))
        .collect();
    let wrong = (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !good.contains(c))
        .unwrap();
    for _ in 0..5 {
        let r = env
            .post(
                "/v1/auth/totp/verify",
                None,
                json!({"loginId": "tot@example.com", "code": wrong}),
            )
            .await;
        assert_error(&r, 401, "E061102");
    }
    let locked = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, t)}),
        )
        .await;
    assert_error(&locked, 401, "E061103");
    // The lockout ends; codes follow the emulator clock.
    env.control("/emulator/clock", json!({"offsetSeconds": 301}))
        .await;
    let ok = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, now() + 301)}),
        )
        .await;
    assert_eq!(ok.0, 200, "{}", ok.1);
}

#[tokio::test]
async fn stepup_keeps_earlier_factors_and_update_needs_same_user() {
    let mut seed = Seed::demo();
    seed.users.push(SeedUser {
        login_id: "seeded@example.com".to_owned(),
        totp_secret: Some(TotpKey::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")),
        ..SeedUser::default()
    });
    let env = start_with(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await;
    let oauth = env.oauth_sign_in("seeded@example.com").await;
    let refresh = str_of(&oauth, "refreshJwt");

    // Step-up without a refresh token is refused.
    let missing = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "seeded@example.com", "code": "000000", "loginOptions": {"stepup": true}}),
        )
        .await;
    assert_error(&missing, 401, "E011002");

    let code = totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", now());
    let (status, jwt) = env
        .post(
            "/v1/auth/totp/verify",
            Some(refresh),
            json!({"loginId": "seeded@example.com", "code": code,
                   "loginOptions": {"stepup": true, "customClaims": null, "mfa": false}}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["amr"], json!(["oauth", "totp"]));

    // Update: another user's refresh token is refused; the owner gets a new key.
    let other = env.oauth_sign_in("ada@example.com").await;
    let wrong = env
        .post(
            "/v1/auth/totp/update",
            Some(str_of(&other, "refreshJwt")),
            json!({"loginId": "seeded@example.com"}),
        )
        .await;
    assert_error(&wrong, 401, "E011004");
    let no_token = env
        .post(
            "/v1/auth/totp/update",
            None,
            json!({"loginId": "seeded@example.com"}),
        )
        .await;
    assert_error(&no_token, 401, "E011002");
    let (status, updated) = env
        .post(
            "/v1/auth/totp/update",
            Some(str_of(&jwt, "refreshJwt")),
            json!({"loginId": "seeded@example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let new_key = str_of(&updated, "key");
    assert_ne!(new_key, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let (status, _) = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "seeded@example.com", "code": totp_code(new_key, now())}),
        )
        .await;
    assert_eq!(status, 200);
}

async fn users(env: &Env) -> usize {
    env.get("/emulator/users", None).await.1["users"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn failed_enrolment_changes_nothing() {
    let env = start().await;
    // Too long for any QR code (version 40 holds 2331 bytes at level M).
    let long = format!("{}@example.com", "a".repeat(2400));
    let before = users(&env).await;
    let refused = env
        .post("/v1/auth/totp/signup", None, json!({"loginId": long}))
        .await;
    assert_error(&refused, 400, "E011004");
    assert_eq!(users(&env).await, before, "no half-made user");
    // The same login id is still free (no user was left behind).
    let again = env
        .post("/v1/auth/totp/signup", None, json!({"loginId": long}))
        .await;
    assert_error(&again, 400, "E011004");

    // Update of a user with such a login id (signed in by OAuth) keeps the user as it was.
    let jwt = env.oauth_sign_in(&long).await;
    assert_eq!(jwt["user"]["TOTP"], false);
    let refused = env
        .post(
            "/v1/auth/totp/update",
            Some(str_of(&jwt, "refreshJwt")),
            json!({"loginId": long}),
        )
        .await;
    assert_error(&refused, 400, "E011004");
    let (_, me) = env
        .get("/v1/auth/me", Some(str_of(&jwt, "refreshJwt")))
        .await;
    assert_eq!(me["TOTP"], false, "no secret was stored");
}
