//! OTP: every path accepts the official SDKs' captured requests; codes from the outbox are
//! single use, expire, lock out after wrong attempts; addresses are masked; updates send the
//! code to the new address. Also the access-key exchange's captured login options.

use descope_emulator::{EmulatorConfig, Seed, SeedAccessKey, SeedTenant, SeedUser, SeedUserTenant};
use descope_types::AccessKey;
use serde_json::{Value, json};

use crate::common::*;

const ACCESS_KEY: &str = "oracle-access-key-0001";

/// The users the captures sign in, an oracle tenant and an access key in it.
fn oracle_config() -> EmulatorConfig {
    let mut seed = Seed::demo();
    seed.tenants.push(SeedTenant {
        id: TENANT.to_owned(),
        name: "Oracle".to_owned(),
        ..SeedTenant::default()
    });
    for login in [
        "otp-user@example.com",
        "+15555550101",
        "+15555550102",
        "+15555550103",
        "+15555550104",
    ] {
        seed.users.push(SeedUser {
            login_id: login.to_owned(),
            phone: login.starts_with('+').then(|| login.to_owned()),
            ..SeedUser::default()
        });
    }
    seed.access_keys.push(SeedAccessKey {
        id: "K2oracleAccessKey0001".to_owned(),
        secret: AccessKey::new(ACCESS_KEY),
        roles: vec!["viewer".to_owned()],
        tenants: vec![SeedUserTenant {
            tenant_id: TENANT.to_owned(),
            roles: Vec::new(),
        }],
    });
    EmulatorConfig {
        project_id: PROJECT.to_owned(),
        seed,
        ..EmulatorConfig::default()
    }
}

fn method_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

/// The newest code sent for `login`.
async fn last_code(env: &Env, login: &str) -> String {
    let messages = env.outbox(Some(login)).await;
    let last = messages
        .last()
        .unwrap_or_else(|| panic!("no message for {login}"));
    str_of(last, "code").to_owned()
}

/// Signs `login` in by OTP over `method`; returns the JWT answer.
async fn sign_in(env: &Env, method: &str, login: &str) -> Value {
    let (status, sent) = env
        .post(
            &format!("/v1/auth/otp/signin/{method}"),
            None,
            json!({"loginId": login, "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let code = last_code(env, login).await;
    let (status, jwt) = env
        .post(
            &format!("/v1/auth/otp/verify/{method}"),
            None,
            json!({"loginId": login, "code": code}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    jwt
}

/// Replays the OTP and access-key requests of an ext capture, with live codes, refresh
/// tokens and access key; sign-ups get fresh login ids (the captured ones are seeded users).
async fn replay(name: &str) {
    let env = start_with(oracle_config()).await;
    let mut replayed = 0;
    for line in capture(name) {
        let path = line["path"].as_str().unwrap_or_default();
        let otp = path.starts_with("/v1/auth/otp/");
        if line["type"] != "request" || !(otp || path == "/v1/auth/accesskey/exchange") {
            continue;
        }
        let mut body = line["body"].clone();
        let login = body["loginId"].as_str().unwrap_or_default().to_owned();
        if path.starts_with("/v1/auth/otp/signup/") {
            let fresh = if login.contains('@') {
                format!("fresh-{login}")
            } else {
                login.replacen("+1555", "+1666", 1)
            };
            body = serde_json::from_str(&body.to_string().replace(&login, &fresh)).unwrap();
        }
        if path.starts_with("/v1/auth/otp/verify/") {
            body["code"] = json!(last_code(&env, &login).await);
        }
        let authorization = line["headers"]["Authorization"].as_str().unwrap();
        let authorization = if !authorization.contains(':') {
            authorization.to_owned()
        } else if otp {
            let method = if login.starts_with('+') {
                "sms"
            } else {
                "email"
            };
            let jwt = sign_in(&env, method, &login).await;
            format!("Bearer {PROJECT}:{}", str_of(&jwt, "refreshJwt"))
        } else {
            format!("Bearer {PROJECT}:{ACCESS_KEY}")
        };
        let (status, answer) = env.post_as(path, &authorization, body).await;
        assert_eq!(
            u64::from(status.as_u16()),
            line["response_status"].as_u64().unwrap(),
            "{name} seq {}: {path}: {answer}",
            line["seq"]
        );
        for key in line["response_body_keys"].as_array().unwrap() {
            let key = key.as_str().unwrap();
            assert!(
                answer.get(key).is_some(),
                "{name} {path}: no {key} in {answer}"
            );
        }
        if let Some(masked) = answer["maskedPhone"].as_str() {
            assert!(masked.starts_with("+*"), "{path}: {masked}");
        }
        if let Some(masked) = answer["maskedEmail"].as_str() {
            assert!(masked.contains("***@"), "{path}: {masked}");
        }
        if path.starts_with("/v1/auth/otp/verify/") {
            let claims = env.verify(str_of(&answer, "sessionJwt")).await;
            assert_eq!(claims["amr"], json!(["otp"]), "{path}");
        }
        // Every code went to the outbox, by the method of the path.
        if otp && !path.contains("/verify/") {
            let messages = env.outbox(None).await;
            let last = messages.last().unwrap();
            let channel = if path.ends_with("/update/email") {
                "email"
            } else {
                method_of(path)
            };
            assert_eq!(last["channel"], channel, "{path}");
            assert_eq!(last["kind"], "otp");
        }
        replayed += 1;
    }
    assert!(replayed >= 23, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_otp_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_otp_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn outbox_message_and_masking() {
    let env = start().await;
    let (status, sent) = env
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(sent, json!({"maskedEmail": "a***@example.com"}));
    let messages = env.outbox(Some("ada@example.com")).await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["kind"], "otp");
    assert_eq!(message["channel"], "email");
    assert_eq!(message["loginId"], "ada@example.com");
    assert_eq!(message["to"], "ada@example.com");
    let code = str_of(message, "code");
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!((message["createdAt"].as_i64().unwrap() - now()).abs() < 60);

    let (status, sent) = env
        .post(
            "/v1/auth/otp/signup/voice",
            None,
            json!({"loginId": "+33612345678", "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent, json!({"maskedPhone": "+*******5678"}));
    let message = &env.outbox(Some("+33612345678")).await[0];
    assert_eq!(message["channel"], "voice");
    assert_eq!(message["to"], "+33612345678");
}

#[tokio::test]
async fn a_code_is_single_use_and_a_new_one_replaces_the_old() {
    let env = start().await;
    let start_sign_in = || {
        env.post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {}}),
        )
    };
    assert_eq!(start_sign_in().await.0, 200);
    let old = last_code(&env, "ada@example.com").await;
    assert_eq!(start_sign_in().await.0, 200);
    let new = last_code(&env, "ada@example.com").await;
    let verify = |code: String| {
        env.post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "ada@example.com", "code": code}),
        )
    };
    if old != new {
        assert_error(&verify(old).await, 401, "E061102");
    }
    let (status, jwt) = verify(new.clone()).await;
    assert_eq!(status, 200, "{jwt}");
    assert!(jwt["refreshJwt"].is_string());
    assert_error(&verify(new).await, 401, "E061102");
}

#[tokio::test]
async fn codes_expire_on_the_emulator_clock() {
    let env = start().await;
    let (status, _) = env
        .post(
            "/v1/auth/otp/signin/sms",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200);
    let code = last_code(&env, "ada@example.com").await;
    env.control("/emulator/clock", json!({"offsetSeconds": 301}))
        .await;
    let result = env
        .post(
            "/v1/auth/otp/verify/sms",
            None,
            json!({"loginId": "ada@example.com", "code": code}),
        )
        .await;
    assert_error(&result, 401, "E061104");
    // Gone once expired.
    let result = env
        .post(
            "/v1/auth/otp/verify/sms",
            None,
            json!({"loginId": "ada@example.com", "code": code}),
        )
        .await;
    assert_error(&result, 401, "E061102");
}

#[tokio::test]
async fn five_wrong_codes_burn_the_pending_one() {
    let env = start().await;
    let (status, _) = env
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {}}),
        )
        .await;
    assert_eq!(status, 200);
    let code = last_code(&env, "ada@example.com").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let verify = |code: &str| {
        env.post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "ada@example.com", "code": code}),
        )
    };
    for _ in 0..4 {
        assert_error(&verify(wrong).await, 401, "E061102");
    }
    let (status, body) = verify(wrong).await;
    assert_error(&(status, body.clone()), 401, "E061103");
    assert!(!body.to_string().contains(&code));
    // The right code no longer works.
    assert_error(&verify(&code).await, 401, "E061102");
}

#[tokio::test]
async fn sign_in_and_sign_up_check_the_user() {
    let env = start().await;
    let result = env
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "nobody@example.com", "loginOptions": {}}),
        )
        .await;
    assert_error(&result, 400, "E062108");
    let result = env
        .post(
            "/v1/auth/otp/signup/email",
            None,
            json!({"loginId": "ada@example.com"}),
        )
        .await;
    assert_error(&result, 400, "E062107");
    let result = env
        .post(
            "/v1/auth/otp/signin/fax",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {}}),
        )
        .await;
    assert_error(&result, 400, "E011004");
    let result = env
        .post("/v1/auth/otp/signin/email", None, json!({"loginId": " "}))
        .await;
    assert_error(&result, 400, "E011003");
    assert!(env.outbox(None).await.is_empty());
    // A tenant the user is not in is refused before anything is sent.
    let result = env
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "ada@example.com", "loginOptions": {"tenantId": "T2EmulatorTenantGlobex"}}),
        )
        .await;
    assert_error(&result, 400, "E011004");
    assert!(env.outbox(None).await.is_empty());
}

#[tokio::test]
async fn sign_up_creates_the_user_on_verify() {
    let env = start().await;
    let (status, _) = env
        .post(
            "/v1/auth/otp/signup/sms",
            None,
            json!({"loginId": "+15555557777", "user": {"name": "Sam"}, "phone": "+15555557777"}),
        )
        .await;
    assert_eq!(status, 200);
    // Not a user until verified.
    let result = env
        .post(
            "/v1/auth/otp/signin/sms",
            None,
            json!({"loginId": "+15555557777", "loginOptions": {}}),
        )
        .await;
    assert_error(&result, 400, "E062108");
    let code = last_code(&env, "+15555557777").await;
    let (status, jwt) = env
        .post(
            "/v1/auth/otp/verify/sms",
            None,
            json!({"loginId": "+15555557777", "code": code}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["name"], "Sam");
    assert_eq!(jwt["user"]["phone"], "+15555557777");
}

#[tokio::test]
async fn update_email_goes_to_the_new_address_and_adds_the_login_id() {
    let env = start().await;
    let jwt = sign_in(&env, "email", "ada@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt").to_owned();
    env.clear_outbox().await;
    // Someone else's refresh token is refused.
    let grace = sign_in(&env, "email", "grace@acme.example").await;
    let result = env
        .post(
            "/v1/auth/otp/update/email",
            Some(str_of(&grace, "refreshJwt")),
            json!({"loginId": "ada@example.com", "email": "ada2@example.com"}),
        )
        .await;
    assert_error(&result, 401, "E011004");
    // A login id that is another user's is refused.
    let result = env
        .post(
            "/v1/auth/otp/update/email",
            Some(&refresh),
            json!({"loginId": "ada@example.com", "email": "grace@acme.example", "addToLoginIDs": true}),
        )
        .await;
    assert_error(&result, 400, "E062107");
    // No bearer token at all.
    let result = env
        .post(
            "/v1/auth/otp/update/email",
            None,
            json!({"loginId": "ada@example.com", "email": "ada2@example.com"}),
        )
        .await;
    assert_eq!(result.0, 401, "{}", result.1);

    let (status, sent) = env
        .post(
            "/v1/auth/otp/update/email",
            Some(&refresh),
            json!({"loginId": "ada@example.com", "email": "ada2@example.com", "addToLoginIDs": true}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["maskedEmail"], "a***@example.com");
    let message = env.outbox(Some("ada@example.com")).await.pop().unwrap();
    assert_eq!(message["to"], "ada2@example.com");
    let (status, jwt) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "ada@example.com", "code": str_of(&message, "code")}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["email"], "ada2@example.com");
    assert_eq!(
        jwt["user"]["loginIds"],
        json!(["ada@example.com", "ada2@example.com"])
    );
    let again = sign_in(&env, "email", "ada2@example.com").await;
    assert_eq!(again["user"]["userId"], jwt["user"]["userId"]);
}

#[tokio::test]
async fn update_phone_without_adding_the_login_id() {
    let env = start().await;
    let jwt = sign_in(&env, "email", "ada@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt").to_owned();
    let result = env
        .post(
            "/v1/auth/otp/update/phone/email",
            Some(&refresh),
            json!({"loginId": "ada@example.com", "phone": "+15555550000"}),
        )
        .await;
    assert_error(&result, 400, "E011004");
    let (status, sent) = env
        .post(
            "/v1/auth/otp/update/phone/whatsapp",
            Some(&refresh),
            json!({"loginId": "ada@example.com", "phone": "+15555550000"}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["maskedPhone"], "+*******0000");
    let message = env.outbox(Some("ada@example.com")).await.pop().unwrap();
    assert_eq!(message["channel"], "whatsapp");
    let (status, jwt) = env
        .post(
            "/v1/auth/otp/verify/whatsapp",
            None,
            json!({"loginId": "ada@example.com", "code": str_of(&message, "code")}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["phone"], "+15555550000");
    assert_eq!(jwt["user"]["loginIds"], json!(["ada@example.com"]));
    let result = env
        .post(
            "/v1/auth/otp/signin/sms",
            None,
            json!({"loginId": "+15555550000", "loginOptions": {}}),
        )
        .await;
    assert_error(&result, 400, "E062108");
}

#[tokio::test]
async fn step_up_needs_the_same_user() {
    let env = start().await;
    let grace = sign_in(&env, "email", "grace@acme.example").await;
    let result = env
        .post(
            "/v1/auth/otp/signin/email",
            Some(str_of(&grace, "refreshJwt")),
            json!({"loginId": "ada@example.com", "loginOptions": {"stepup": true}}),
        )
        .await;
    assert_error(&result, 401, "E011004");
    let ada = sign_in(&env, "email", "ada@example.com").await;
    let (status, _) = env
        .post(
            "/v1/auth/otp/signin/email",
            Some(str_of(&ada, "refreshJwt")),
            json!({"loginId": "ada@example.com", "loginOptions": {"stepup": true, "customClaims": {"k": "v"}, "tenantId": "T2EmulatorTenantAcme"}}),
        )
        .await;
    assert_eq!(status, 200);
    let code = last_code(&env, "ada@example.com").await;
    let (status, jwt) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "ada@example.com", "code": code}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["k"], "v");
    assert_eq!(claims["dct"], "T2EmulatorTenantAcme");
    assert_eq!(claims["sub"], ada["user"]["userId"]);
}
