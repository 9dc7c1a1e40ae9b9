//! OTP and the access-key exchange's login options: request snapshots checked against the
//! official SDKs' captures, and end-to-end runs against the emulator over both backends.

use std::collections::BTreeMap;

use descope_flows::Client;
use descope_types::{
    AccessKey, AccessKeyLoginOptions, DeliveryMethod, ErrorCode, LoginOptions, OtpCode,
    RefreshToken, SignUpUser,
};
use serde_json::{Map, Value, json};

use crate::common::captures::{check_operation, keys_capture, load_captures, snapshot_view};
use crate::common::{Seen, TENANT_ID, recording_client, refresh_token, seen};
use crate::harness::{Backend, Setup, over_both_backends, setup};

const EMAIL: &str = "otp-user@example.com";
const SMS: &str = "+15555550101";
const VOICE: &str = "+15555550102";
const WHATSAPP: &str = "+15555550103";

/// Every OTP operation, with the capture labels whose requests it must match.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "otp_sign_up_email_python",
        &["python:otp.sign_up(EMAIL, user, signup_options)"],
    ),
    (
        "otp_sign_up_email_node",
        &["node:otp.signUp.email(loginId, user, signUpOptions)"],
    ),
    ("otp_sign_up_sms_python", &["python:otp.sign_up(SMS, user)"]),
    (
        "otp_sign_up_sms_node",
        &["node:otp.signUp.sms(loginId, user)"],
    ),
    ("otp_sign_up_voice_python", &["python:otp.sign_up(VOICE)"]),
    (
        "otp_sign_up_voice_node",
        &["node:otp.signUp.voice(loginId)"],
    ),
    (
        "otp_sign_up_whatsapp_python",
        &["python:otp.sign_up(WHATSAPP)"],
    ),
    (
        "otp_sign_up_whatsapp_node",
        &["node:otp.signUp.whatsapp(loginId)"],
    ),
    (
        "otp_sign_in_email",
        &[
            "python:otp.sign_in(EMAIL)",
            "node:otp.signIn.email(loginId)",
        ],
    ),
    (
        "otp_sign_in_sms",
        &["python:otp.sign_in(SMS)", "node:otp.signIn.sms(loginId)"],
    ),
    (
        "otp_sign_in_voice",
        &[
            "python:otp.sign_in(VOICE)",
            "node:otp.signIn.voice(loginId)",
        ],
    ),
    (
        "otp_sign_in_whatsapp",
        &[
            "python:otp.sign_in(WHATSAPP)",
            "node:otp.signIn.whatsapp(loginId)",
        ],
    ),
    (
        "otp_sign_in_im",
        &["node:otp.signIn.im(loginId) [node only]"],
    ),
    (
        "otp_sign_in_stepup",
        &["python:otp.sign_in(SMS, stepup login_options, refresh)"],
    ),
    (
        "otp_sign_in_stepup_provider",
        &["node:otp.signIn.sms(stepup loginOptions, refresh)"],
    ),
    (
        "otp_sign_up_or_in_email_python",
        &["python:otp.sign_up_or_in(EMAIL, signup_options)"],
    ),
    (
        "otp_sign_up_or_in_email_node",
        &["node:otp.signUpOrIn.email(loginId, signUpOptions)"],
    ),
    (
        "otp_sign_up_or_in_sms",
        &[
            "python:otp.sign_up_or_in(SMS)",
            "node:otp.signUpOrIn.sms(loginId)",
        ],
    ),
    (
        "otp_sign_up_or_in_voice",
        &[
            "python:otp.sign_up_or_in(VOICE)",
            "node:otp.signUpOrIn.voice(loginId)",
        ],
    ),
    (
        "otp_sign_up_or_in_whatsapp",
        &[
            "python:otp.sign_up_or_in(WHATSAPP)",
            "node:otp.signUpOrIn.whatsapp(loginId)",
        ],
    ),
    (
        "otp_verify_email",
        &[
            "python:otp.verify_code(EMAIL)",
            "node:otp.verify.email(loginId, code)",
        ],
    ),
    (
        "otp_verify_sms",
        &[
            "python:otp.verify_code(SMS)",
            "node:otp.verify.sms(loginId, code)",
        ],
    ),
    (
        "otp_verify_voice",
        &[
            "python:otp.verify_code(VOICE)",
            "node:otp.verify.voice(loginId, code)",
        ],
    ),
    (
        "otp_verify_whatsapp",
        &[
            "python:otp.verify_code(WHATSAPP)",
            "node:otp.verify.whatsapp(loginId, code)",
        ],
    ),
    (
        "otp_update_email_all",
        &[
            "python:otp.update_user_email(all options)",
            "node:otp.update.email(all options)",
        ],
    ),
    (
        "otp_update_email_minimal",
        &[
            "python:otp.update_user_email(minimal)",
            "node:otp.update.email(minimal)",
        ],
    ),
    (
        "otp_update_phone_sms_all",
        &[
            "python:otp.update_user_phone(SMS, all options)",
            "node:otp.update.phone.sms(all options)",
        ],
    ),
    (
        "otp_update_phone_voice",
        &[
            "python:otp.update_user_phone(VOICE)",
            "node:otp.update.phone.voice(minimal)",
        ],
    ),
    (
        "otp_update_phone_whatsapp",
        &[
            "python:otp.update_user_phone(WHATSAPP)",
            "node:otp.update.phone.whatsapp(minimal)",
        ],
    ),
    (
        "access_key_exchange_empty_options",
        &["python:exchange_access_key(key)"],
    ),
    (
        "access_key_exchange_no_options",
        &["node:exchangeAccessKey(key)"],
    ),
    (
        "access_key_exchange_claims_and_tenant",
        &[
            "python:exchange_access_key(key, login_options)",
            "node:exchangeAccessKey(key, loginOptions)",
        ],
    ),
    (
        "access_key_exchange_claims",
        &["node:accessKey.exchange(key, loginOptions) [raw core]"],
    ),
];

fn claims() -> Map<String, Value> {
    json!({"k": "v"}).as_object().unwrap().clone()
}

fn greeting() -> BTreeMap<String, String> {
    BTreeMap::from([("greeting".to_owned(), "hi".to_owned())])
}

/// Sign-up options as the SDKs captured them (`revoke`: the Python call also set it).
fn sign_up_options(revoke: bool) -> LoginOptions {
    LoginOptions {
        custom_claims: Some(claims()),
        template_id: Some("tmpl-1".to_owned()),
        template_options: Some(greeting()),
        revoke_other_sessions: revoke.then_some(true),
        ..LoginOptions::default()
    }
}

fn oracle_user(email: bool) -> SignUpUser {
    SignUpUser {
        name: Some("Oracle User".to_owned()),
        given_name: Some("Oracle".to_owned()),
        family_name: Some("User".to_owned()),
        phone: Some("+15555550100".to_owned()),
        email: email.then(|| EMAIL.to_owned()),
        ..SignUpUser::default()
    }
}

fn phone_user(name: Option<&str>, phone: Option<&str>) -> SignUpUser {
    SignUpUser {
        name: name.map(str::to_owned),
        phone: phone.map(str::to_owned),
        ..SignUpUser::default()
    }
}

/// Runs one operation against the canned answers; it must succeed.
async fn run(op: &str, client: &Client) {
    use DeliveryMethod::{Email, Im, Sms, Voice, Whatsapp};
    let otp = client.otp();
    let refresh = RefreshToken::new(refresh_token());
    let code = OtpCode::new("123456");
    let step_up_options = LoginOptions {
        custom_claims: Some(claims()),
        template_id: Some("tmpl-1".to_owned()),
        template_options: Some(greeting()),
        locale: Some("en".to_owned()),
        ..LoginOptions::default()
    };
    let key = AccessKey::new("K2a:access-key-secret");
    let sent = match op {
        "otp_sign_up_email_python" => otp
            .sign_up(Email, EMAIL)
            .user(oracle_user(true))
            .login_options(sign_up_options(true))
            .await
            .unwrap(),
        "otp_sign_up_email_node" => otp
            .sign_up(Email, EMAIL)
            .user(oracle_user(false))
            .login_options(sign_up_options(false))
            .provider_id("prov-1")
            .await
            .unwrap(),
        "otp_sign_up_sms_python" => otp
            .sign_up(Sms, SMS)
            .user(phone_user(Some("Sms User"), Some(SMS)))
            .await
            .unwrap(),
        "otp_sign_up_sms_node" => otp
            .sign_up(Sms, SMS)
            .user(phone_user(Some("Sms User"), None))
            .login_options(LoginOptions::default())
            .await
            .unwrap(),
        "otp_sign_up_voice_python" => otp
            .sign_up(Voice, VOICE)
            .user(phone_user(None, Some(VOICE)))
            .await
            .unwrap(),
        "otp_sign_up_voice_node" => otp
            .sign_up(Voice, VOICE)
            .login_options(LoginOptions::default())
            .await
            .unwrap(),
        "otp_sign_up_whatsapp_python" => otp
            .sign_up(Whatsapp, WHATSAPP)
            .user(phone_user(None, Some(WHATSAPP)))
            .await
            .unwrap(),
        "otp_sign_up_whatsapp_node" => otp
            .sign_up(Whatsapp, WHATSAPP)
            .login_options(LoginOptions::default())
            .await
            .unwrap(),
        "otp_sign_in_email" => otp.sign_in(Email, EMAIL).await.unwrap(),
        "otp_sign_in_sms" => otp.sign_in(Sms, SMS).await.unwrap(),
        "otp_sign_in_voice" => otp.sign_in(Voice, VOICE).await.unwrap(),
        "otp_sign_in_whatsapp" => otp.sign_in(Whatsapp, WHATSAPP).await.unwrap(),
        "otp_sign_in_im" => otp.sign_in(Im, "+15555550104").await.unwrap(),
        "otp_sign_in_stepup" => otp
            .sign_in(Sms, SMS)
            .login_options(step_up_options)
            .step_up(&refresh)
            .await
            .unwrap(),
        "otp_sign_in_stepup_provider" => otp
            .sign_in(Sms, SMS)
            .login_options(step_up_options)
            .step_up(&refresh)
            .provider_id("prov-1")
            .await
            .unwrap(),
        "otp_sign_up_or_in_email_python" => otp
            .sign_up_or_in(Email, EMAIL)
            .login_options(sign_up_options(true))
            .await
            .unwrap(),
        "otp_sign_up_or_in_email_node" => otp
            .sign_up_or_in(Email, EMAIL)
            .login_options(sign_up_options(false))
            .provider_id("prov-1")
            .await
            .unwrap(),
        "otp_sign_up_or_in_sms" => otp.sign_up_or_in(Sms, SMS).await.unwrap(),
        "otp_sign_up_or_in_voice" => otp.sign_up_or_in(Voice, VOICE).await.unwrap(),
        "otp_sign_up_or_in_whatsapp" => otp.sign_up_or_in(Whatsapp, WHATSAPP).await.unwrap(),
        "otp_verify_email" | "otp_verify_sms" | "otp_verify_voice" | "otp_verify_whatsapp" => {
            let (method, login) = match op {
                "otp_verify_email" => (Email, EMAIL),
                "otp_verify_sms" => (Sms, SMS),
                "otp_verify_voice" => (Voice, VOICE),
                _ => (Whatsapp, WHATSAPP),
            };
            let info = otp.verify(method, login, &code).await.unwrap();
            assert_eq!(info.session.user_id(), "U1");
            return;
        }
        "otp_update_email_all" => otp
            .update_email(EMAIL, "new-otp@example.com", &refresh)
            .add_to_login_ids(true)
            .on_merge_use_existing(true)
            .template_options(greeting())
            .template_id("tmpl-1")
            .provider_id("prov-1")
            .mfa(true)
            .await
            .unwrap(),
        "otp_update_email_minimal" => otp
            .update_email(EMAIL, "new-otp2@example.com", &refresh)
            .await
            .unwrap(),
        "otp_update_phone_sms_all" => otp
            .update_phone(Sms, EMAIL, "+15555550199", &refresh)
            .add_to_login_ids(true)
            .on_merge_use_existing(false)
            .template_options(greeting())
            .template_id("tmpl-1")
            .provider_id("prov-1")
            .mfa(true)
            .await
            .unwrap(),
        "otp_update_phone_voice" => otp
            .update_phone(Voice, EMAIL, "+15555550198", &refresh)
            .await
            .unwrap(),
        "otp_update_phone_whatsapp" => otp
            .update_phone(Whatsapp, EMAIL, "+15555550197", &refresh)
            .await
            .unwrap(),
        "access_key_exchange_empty_options" | "access_key_exchange_no_options" => {
            let exchange = client.exchange_access_key(&key);
            let exchange = if op == "access_key_exchange_empty_options" {
                exchange.login_options(AccessKeyLoginOptions::default())
            } else {
                exchange
            };
            exchange.await.unwrap();
            return;
        }
        "access_key_exchange_claims_and_tenant" => {
            client
                .exchange_access_key(&key)
                .custom_claims(claims())
                .selected_tenant(TENANT_ID)
                .await
                .unwrap();
            return;
        }
        "access_key_exchange_claims" => {
            client
                .exchange_access_key(&key)
                .custom_claims(claims())
                .await
                .unwrap();
            return;
        }
        other => panic!("unknown operation {other}"),
    };
    // The canned answer is a JWT body: no masked address in it.
    assert_eq!(sent.masked_address, "");
}

#[tokio::test]
async fn every_otp_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = recording_client();
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every OTP and access-key-exchange capture label is matched by one of the operations.
#[test]
fn every_otp_capture_is_covered() {
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, labels)| labels.iter().copied())
        .collect();
    let captures = load_captures();
    let missing: Vec<&String> = captures
        .iter()
        .filter(|(_, requests)| {
            requests.iter().any(|c| {
                c.path.starts_with("/v1/auth/otp/") || c.path == "/v1/auth/accesskey/exchange"
            })
        })
        .map(|(label, _)| label)
        .filter(|label| !covered.contains(&label.as_str()))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[tokio::test]
async fn arguments_are_checked_before_sending() {
    let (client, transport) = recording_client();
    let otp = client.otp();
    let refresh = RefreshToken::new(refresh_token());
    let error = otp.sign_in(DeliveryMethod::Email, " ").await.unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::LoginId)
    );
    let error = otp
        .verify(DeliveryMethod::Email, EMAIL, &OtpCode::new(""))
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::Code)
    );
    let error = otp
        .update_phone(DeliveryMethod::Email, EMAIL, "+15555550199", &refresh)
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::DeliveryMethod)
    );
    let error = otp.update_email(EMAIL, "", &refresh).await.unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::Address)
    );
    let error = otp
        .sign_in(DeliveryMethod::Sms, SMS)
        .login_options(LoginOptions::stepup())
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::RefreshToken)
    );
    assert!(transport.requests().is_empty());
    // The code never shows in a builder's Debug.
    let verify = otp.verify(DeliveryMethod::Email, EMAIL, &OtpCode::new("987654"));
    assert!(!format!("{verify:?}").contains("987654"));
}

// ---- end to end, against the emulator ----

/// The code of the newest message for `login_id`.
async fn code_for(s: &Setup, login_id: &str) -> OtpCode {
    let message = s.last_message(login_id).await;
    assert_eq!(message["kind"], "otp", "{message}");
    OtpCode::new(message["code"].as_str().expect("an OTP message has a code"))
}

/// Signs `login_id` in by email OTP; returns the refresh token.
async fn email_sign_in(s: &Setup, login_id: &str) -> descope_flows::AuthenticationInfo {
    let otp = s.client.otp();
    otp.sign_in(DeliveryMethod::Email, login_id).await.unwrap();
    let code = code_for(s, login_id).await;
    otp.verify(DeliveryMethod::Email, login_id, &code)
        .await
        .unwrap()
}

async fn sign_up_then_verify(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    let sent = otp
        .sign_up(DeliveryMethod::Email, "newcomer@example.com")
        .user(SignUpUser {
            name: Some("New Comer".to_owned()),
            ..SignUpUser::default()
        })
        .await
        .unwrap();
    assert_eq!(sent.masked_address, "n***@example.com");
    assert_eq!(sent.method, DeliveryMethod::Email);
    let message = s.last_message("newcomer@example.com").await;
    assert_eq!(message["channel"], "email");
    assert_eq!(message["to"], "newcomer@example.com");
    let code = code_for(&s, "newcomer@example.com").await;
    assert_eq!(code.secret().len(), 6);
    assert!(code.secret().bytes().all(|b| b.is_ascii_digit()));
    let info = otp
        .verify(DeliveryMethod::Email, "newcomer@example.com", &code)
        .await
        .unwrap();
    assert!(info.first_seen);
    assert_eq!(info.session.amr(), ["otp"]);
    let user = info.user.unwrap();
    assert_eq!(user.name.as_deref(), Some("New Comer"));
    // Signing up again is refused.
    let error = otp
        .sign_up(DeliveryMethod::Email, "newcomer@example.com")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserAlreadyExists));
}

async fn sign_in_then_verify_and_no_reuse(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    let sent = otp
        .sign_in(DeliveryMethod::Email, "ada@example.com")
        .await
        .unwrap();
    assert_eq!(sent.masked_address, "a***@example.com");
    let code = code_for(&s, "ada@example.com").await;
    let info = otp
        .verify(DeliveryMethod::Email, "ada@example.com", &code)
        .await
        .unwrap();
    assert_eq!(info.session.amr(), ["otp"]);
    // Spent: the same code again is a wrong code.
    let error = otp
        .verify(DeliveryMethod::Email, "ada@example.com", &code)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::WrongOtpCode));
    assert_eq!(error.status(), Some(401));
    // Unknown users cannot sign in.
    let error = otp
        .sign_in(DeliveryMethod::Email, "nobody@example.com")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserNotFound));
}

async fn wrong_code_is_a_typed_error(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    otp.sign_in(DeliveryMethod::Email, "ada@example.com")
        .await
        .unwrap();
    let code = code_for(&s, "ada@example.com").await;
    let wrong = if code.secret() == "000000" {
        "000001"
    } else {
        "000000"
    };
    let error = otp
        .verify(
            DeliveryMethod::Email,
            "ada@example.com",
            &OtpCode::new(wrong),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::WrongOtpCode));
    // The error names no code.
    assert!(!error.to_string().contains(wrong));
    // The right code still works after one wrong attempt.
    otp.verify(DeliveryMethod::Email, "ada@example.com", &code)
        .await
        .unwrap();
}

async fn sign_up_or_in_by_phone(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    let phone = "+15555551234";
    let sent = otp.sign_up_or_in(DeliveryMethod::Sms, phone).await.unwrap();
    assert_eq!(sent.masked_address, "+*******1234");
    let message = s.last_message(phone).await;
    assert_eq!(message["channel"], "sms");
    let code = code_for(&s, phone).await;
    let first = otp.verify(DeliveryMethod::Sms, phone, &code).await.unwrap();
    assert!(first.first_seen);
    // The second time it signs the same user in.
    otp.sign_up_or_in(DeliveryMethod::Whatsapp, phone)
        .await
        .unwrap();
    assert_eq!(s.last_message(phone).await["channel"], "whatsapp");
    let code = code_for(&s, phone).await;
    let second = otp
        .verify(DeliveryMethod::Whatsapp, phone, &code)
        .await
        .unwrap();
    assert!(!second.first_seen);
    assert_eq!(second.session.user_id(), first.session.user_id());
}

async fn update_email_then_sign_in_with_it(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    let info = email_sign_in(&s, "ada@example.com").await;
    let sent = otp
        .update_email(
            "ada@example.com",
            "lovelace@example.com",
            info.refresh_token(),
        )
        .add_to_login_ids(true)
        .await
        .unwrap();
    assert_eq!(sent.masked_address, "l***@example.com");
    // The code goes to the new address, filed under the existing login id.
    let message = s.last_message("ada@example.com").await;
    assert_eq!(message["to"], "lovelace@example.com");
    let code = code_for(&s, "ada@example.com").await;
    let updated = otp
        .verify(DeliveryMethod::Email, "ada@example.com", &code)
        .await
        .unwrap();
    let user = updated.user.unwrap();
    assert_eq!(user.email.as_deref(), Some("lovelace@example.com"));
    assert!(user.login_ids.iter().any(|l| l == "lovelace@example.com"));
    let again = email_sign_in(&s, "lovelace@example.com").await;
    assert_eq!(again.session.user_id(), info.session.user_id());
}

async fn update_phone_then_sign_in_with_it(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    let info = email_sign_in(&s, "ada@example.com").await;
    let phone = "+15555559876";
    let sent = otp
        .update_phone(
            DeliveryMethod::Sms,
            "ada@example.com",
            phone,
            info.refresh_token(),
        )
        .add_to_login_ids(true)
        .await
        .unwrap();
    assert_eq!(sent.masked_address, "+*******9876");
    let message = s.last_message("ada@example.com").await;
    assert_eq!(message["to"], phone);
    assert_eq!(message["channel"], "sms");
    let code = code_for(&s, "ada@example.com").await;
    let updated = otp
        .verify(DeliveryMethod::Sms, "ada@example.com", &code)
        .await
        .unwrap();
    assert_eq!(updated.user.unwrap().phone.as_deref(), Some(phone));
    otp.sign_in(DeliveryMethod::Sms, phone).await.unwrap();
    let code = code_for(&s, phone).await;
    let again = otp.verify(DeliveryMethod::Sms, phone, &code).await.unwrap();
    assert_eq!(again.session.user_id(), info.session.user_id());
}

async fn step_up_keeps_the_user_and_adds_otp(kind: Backend) {
    let s = setup(kind).await;
    let otp = s.client.otp();
    let info = email_sign_in(&s, "ada@example.com").await;
    otp.sign_in(DeliveryMethod::Email, "ada@example.com")
        .step_up(info.refresh_token())
        .login_options(LoginOptions {
            custom_claims: Some(claims()),
            ..LoginOptions::default()
        })
        .await
        .unwrap();
    let code = code_for(&s, "ada@example.com").await;
    let stepped = otp
        .verify(DeliveryMethod::Email, "ada@example.com", &code)
        .await
        .unwrap();
    assert_eq!(stepped.session.user_id(), info.session.user_id());
    assert_eq!(stepped.session.claim("k"), Some(&json!("v")));
}

async fn access_key_login_options(kind: Backend) {
    let s = setup(kind).await;
    let key = AccessKey::new("emulator-access-key-0001");
    let info = s
        .client
        .exchange_access_key(&key)
        .custom_claims(claims())
        .await
        .unwrap();
    assert_eq!(info.session.claim("k"), Some(&json!("v")));
    // The demo key belongs to no tenant: selecting one is refused.
    let error = s
        .client
        .exchange_access_key(&key)
        .selected_tenant("T2EmulatorTenantAcme")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidArguments));
}

over_both_backends!(
    sign_up_then_verify,
    sign_in_then_verify_and_no_reuse,
    wrong_code_is_a_typed_error,
    sign_up_or_in_by_phone,
    update_email_then_sign_in_with_it,
    update_phone_then_sign_in_with_it,
    step_up_keeps_the_user_and_adds_otp,
    access_key_login_options,
);
