//! Magic link: request snapshots checked against the official SDKs' captures, and end to
//! end against the emulator over both backends.

use descope_flows::Client;
use descope_types::{
    DeliveryMethod, ErrorCode, LoginOptions, MagicLinkToken, RefreshToken, SignUpUser,
};
use serde_json::json;

use crate::common::captures::*;
use crate::common::*;
use crate::harness::{Backend, over_both_backends, setup};

const URI: &str = "http://127.0.0.1:3000/verify";
const ML_USER: &str = "ml-user@example.com";
const PHONE: &str = "+15555550111";

/// Every operation, with the capture labels of the official SDK calls that must send the
/// same request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "ml_sign_up_email_python",
        &["python:magiclink.sign_up(EMAIL, uri, user, signup_options)"],
    ),
    (
        "ml_sign_up_email_node",
        &["node:magicLink.signUp.email(loginId, URI, user, signUpOptions)"],
    ),
    (
        "ml_sign_up_sms_user",
        &["python:magiclink.sign_up(SMS, uri)"],
    ),
    (
        "ml_sign_up_sms",
        &["node:magicLink.signUp.sms(loginId, URI)"],
    ),
    (
        "ml_sign_up_whatsapp_user",
        &["python:magiclink.sign_up(WHATSAPP, uri)"],
    ),
    (
        "ml_sign_up_whatsapp",
        &["node:magicLink.signUp.whatsapp(loginId, URI)"],
    ),
    (
        "ml_sign_in_email",
        &[
            "python:magiclink.sign_in(EMAIL, uri)",
            "node:magicLink.signIn.email(loginId, URI)",
        ],
    ),
    (
        "ml_sign_in_voice",
        &["python:magiclink.sign_in(VOICE, uri)"],
    ),
    (
        "ml_sign_in_sms_mfa",
        &[
            "python:magiclink.sign_in(SMS, mfa login_options, refresh)",
            "node:magicLink.signIn.sms(mfa loginOptions, refresh)",
        ],
    ),
    (
        "ml_sign_up_or_in_email_python",
        &["python:magiclink.sign_up_or_in(EMAIL, uri, signup_options)"],
    ),
    (
        "ml_sign_up_or_in_email_node",
        &["node:magicLink.signUpOrIn.email(loginId, URI, signUpOptions)"],
    ),
    (
        "ml_sign_up_or_in_sms",
        &[
            "python:magiclink.sign_up_or_in(SMS, uri)",
            "node:magicLink.signUpOrIn.sms(loginId, URI)",
        ],
    ),
    (
        "ml_verify",
        &[
            "python:magiclink.verify(token)",
            "node:magicLink.verify(token)",
        ],
    ),
    (
        "ml_update_email_python",
        &["python:magiclink.update_user_email(all options)"],
    ),
    (
        "ml_update_email_node",
        &["node:magicLink.update.email(all options)"],
    ),
    (
        "ml_update_phone_sms_node",
        &["node:magicLink.update.phone.sms(all options)"],
    ),
    (
        "ml_update_phone_whatsapp_node",
        &["node:magicLink.update.phone.whatsapp(minimal)"],
    ),
];

/// Python posts the phone update to the bare path; the client follows Node (with the
/// method). Checked with the method segment taken off (docs/spec-notes.md).
const BARE_PHONE_PATH: &[(&str, &[&str])] = &[
    (
        "ml_update_phone_sms_python",
        &["python:magiclink.update_user_phone(SMS, all options)"],
    ),
    (
        "ml_update_phone_whatsapp_python",
        &["python:magiclink.update_user_phone(WHATSAPP)"],
    ),
];

fn refresh() -> RefreshToken {
    RefreshToken::new(refresh_token())
}

fn claims() -> serde_json::Map<String, serde_json::Value> {
    json!({"k": "v"}).as_object().unwrap().clone()
}

/// The sign-up options as Node sends them: claims and a template.
fn template_options() -> LoginOptions {
    LoginOptions {
        custom_claims: Some(claims()),
        template_id: Some("tmpl-1".to_owned()),
        template_options: Some([("greeting".to_owned(), "hi".to_owned())].into()),
        ..LoginOptions::default()
    }
}

fn phone_user(phone: &str) -> SignUpUser {
    SignUpUser {
        phone: Some(phone.to_owned()),
        ..SignUpUser::default()
    }
}

/// Runs one operation; it must succeed against the canned answers.
async fn run(op: &str, client: &Client) {
    let ml = client.magic_link();
    let user = SignUpUser {
        name: Some("Ml User".to_owned()),
        email: Some(ML_USER.to_owned()),
        ..SignUpUser::default()
    };
    let python_options = LoginOptions {
        revoke_other_sessions: Some(true),
        ..template_options()
    };
    match op {
        "ml_sign_up_email_python" => drop(
            ml.sign_up(DeliveryMethod::Email, ML_USER, URI)
                .user(user)
                .login_options(python_options)
                .await
                .unwrap(),
        ),
        "ml_sign_up_email_node" => drop(
            ml.sign_up(DeliveryMethod::Email, ML_USER, URI)
                .user(SignUpUser {
                    name: Some("Ml User".to_owned()),
                    ..SignUpUser::default()
                })
                .login_options(template_options())
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "ml_sign_up_sms_user" => drop(
            ml.sign_up(DeliveryMethod::Sms, PHONE, URI)
                .user(phone_user(PHONE))
                .await
                .unwrap(),
        ),
        "ml_sign_up_sms" => drop(
            ml.sign_up(DeliveryMethod::Sms, PHONE, URI)
                .login_options(LoginOptions::default())
                .await
                .unwrap(),
        ),
        "ml_sign_up_whatsapp_user" => drop(
            ml.sign_up(DeliveryMethod::Whatsapp, "+15555550112", URI)
                .user(phone_user("+15555550112"))
                .await
                .unwrap(),
        ),
        "ml_sign_up_whatsapp" => drop(
            ml.sign_up(DeliveryMethod::Whatsapp, "+15555550112", URI)
                .login_options(LoginOptions::default())
                .await
                .unwrap(),
        ),
        "ml_sign_in_email" => drop(
            ml.sign_in(DeliveryMethod::Email, ML_USER, URI)
                .await
                .unwrap(),
        ),
        "ml_sign_in_voice" => drop(ml.sign_in(DeliveryMethod::Voice, PHONE, URI).await.unwrap()),
        "ml_sign_in_sms_mfa" => drop(
            ml.sign_in(DeliveryMethod::Sms, PHONE, URI)
                .mfa(&refresh())
                .await
                .unwrap(),
        ),
        "ml_sign_up_or_in_email_python" => drop(
            ml.sign_up_or_in(DeliveryMethod::Email, ML_USER, URI)
                .login_options(python_options)
                .await
                .unwrap(),
        ),
        "ml_sign_up_or_in_email_node" => drop(
            ml.sign_up_or_in(DeliveryMethod::Email, ML_USER, URI)
                .login_options(template_options())
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "ml_sign_up_or_in_sms" => drop(
            ml.sign_up_or_in(DeliveryMethod::Sms, PHONE, URI)
                .await
                .unwrap(),
        ),
        "ml_verify" => {
            let info = ml
                .verify(&MagicLinkToken::new("ml-token-123"))
                .await
                .unwrap();
            assert_eq!(info.session.user_id(), "U1");
        }
        "ml_update_email_python" => drop(
            ml.update_email(ML_USER, "new-ml@example.com", &refresh())
                .add_to_login_ids(true)
                .on_merge_use_existing(true)
                .template_options([("greeting", "hi")])
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "ml_update_email_node" => drop(
            ml.update_email(ML_USER, "new-ml@example.com", &refresh())
                .redirect_url(URI)
                .add_to_login_ids(true)
                .on_merge_use_existing(true)
                .template_options([("greeting", "hi")])
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .mfa(true)
                .await
                .unwrap(),
        ),
        "ml_update_phone_sms_node" => drop(
            ml.update_phone(DeliveryMethod::Sms, ML_USER, "+15555550113", &refresh())
                .redirect_url(URI)
                .add_to_login_ids(true)
                .on_merge_use_existing(true)
                .template_options([("greeting", "hi")])
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "ml_update_phone_whatsapp_node" => drop(
            ml.update_phone(
                DeliveryMethod::Whatsapp,
                ML_USER,
                "+15555550114",
                &refresh(),
            )
            .redirect_url(URI)
            .await
            .unwrap(),
        ),
        "ml_update_phone_sms_python" => drop(
            ml.update_phone(DeliveryMethod::Sms, ML_USER, "+15555550113", &refresh())
                .add_to_login_ids(true)
                .on_merge_use_existing(true)
                .template_options([("greeting", "hi")])
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "ml_update_phone_whatsapp_python" => drop(
            ml.update_phone(
                DeliveryMethod::Whatsapp,
                ML_USER,
                "+15555550114",
                &refresh(),
            )
            .await
            .unwrap(),
        ),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_magic_link_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS.iter().chain(BARE_PHONE_PATH) {
        let (client, transport) = recording_client();
        run(op, &client).await;
        let mut seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        if BARE_PHONE_PATH.iter().any(|(name, _)| name == op) {
            for request in &mut seen {
                let bare = request.path.rsplit_once('/').map(|(p, _)| p.to_owned());
                request.path = bare.unwrap();
            }
        }
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Every captured magic-link call is matched by one of the operations.
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .chain(BARE_PHONE_PATH)
        .flat_map(|(_, labels)| labels.iter().copied())
        .collect();
    for label in captures.keys() {
        if label.starts_with("python:magiclink.") || label.starts_with("node:magicLink.") {
            assert!(covered.contains(&label.as_str()), "not covered: {label}");
        }
    }
}

#[tokio::test]
async fn arguments_are_checked_before_sending() {
    let (client, transport) = recording_client();
    let ml = client.magic_link();
    let error = ml
        .sign_in(DeliveryMethod::Email, " ", URI)
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::LoginId)
    );
    let error = ml.verify(&MagicLinkToken::new("")).await.unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::Token)
    );
    let error = ml
        .update_phone(DeliveryMethod::Email, ML_USER, "+1555", &refresh())
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::DeliveryMethod)
    );
    let error = ml
        .sign_up(DeliveryMethod::Email, ML_USER, URI)
        .login_options(LoginOptions::stepup())
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::RefreshToken)
    );
    assert!(transport.requests().is_empty());
    // An empty redirect URL leaves `URI` out: the project's configured URL applies.
    ml.sign_in(DeliveryMethod::Email, ML_USER, "")
        .await
        .unwrap();
    let sent = seen(&transport.requests()[0]);
    assert_eq!(
        sent.body.unwrap(),
        json!({"loginId": ML_USER, "loginOptions": {}})
    );
}

// ---- end to end ----------------------------------------------------------------------

/// The token of the newest message to `login` (and a check of its link).
async fn token_for(s: &crate::harness::Setup, login: &str, kind: &str) -> MagicLinkToken {
    let message = s.last_message(login).await;
    assert_eq!(message["kind"], kind, "{message}");
    let token = message["token"].as_str().unwrap();
    let link = message["link"].as_str().unwrap();
    assert!(link.ends_with(&format!("t={token}")), "{link}");
    MagicLinkToken::new(token)
}

async fn sign_up_then_verify_once(kind: Backend) {
    let s = setup(kind).await;
    let login = "ml-e2e@example.com";
    let masked = s
        .client
        .magic_link()
        .sign_up(
            DeliveryMethod::Email,
            login,
            "http://localhost:3000/landing?x=1",
        )
        .user(SignUpUser {
            name: Some("Ml E2E".to_owned()),
            ..SignUpUser::default()
        })
        .await
        .unwrap();
    assert_eq!(masked, "m***@example.com");
    let message = s.last_message(login).await;
    assert_eq!(message["channel"], "email");
    assert_eq!(message["to"], login);
    assert!(
        message["link"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost:3000/landing?x=1&t=")
    );
    let token = token_for(&s, login, "magiclink").await;
    let info = s.client.magic_link().verify(&token).await.unwrap();
    assert_eq!(info.session.amr(), ["magiclink"]);
    assert_eq!(info.user.as_ref().unwrap().name.as_deref(), Some("Ml E2E"));
    // Single use.
    let error = s.client.magic_link().verify(&token).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.code(), Some(&ErrorCode::MagicLinkNotFound));
    // Signing up again is refused.
    let error = s
        .client
        .magic_link()
        .sign_up(DeliveryMethod::Email, login, "")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserAlreadyExists));
}

async fn sign_in_and_expiry(kind: Backend) {
    let s = setup(kind).await;
    let ml = s.client.magic_link();
    let error = ml
        .sign_in(DeliveryMethod::Email, "nobody@example.com", "")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserNotFound));
    // Sign-up-or-in by SMS creates the user; the link goes to the number, with the
    // configured default URL.
    let masked = ml
        .sign_up_or_in(DeliveryMethod::Sms, PHONE, "")
        .await
        .unwrap();
    assert_eq!(masked, "+*******0111");
    let message = s.last_message(PHONE).await;
    assert_eq!(message["channel"], "sms");
    assert!(
        message["link"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost:3000/verify?t=")
    );
    let first = ml
        .verify(&token_for(&s, PHONE, "magiclink").await)
        .await
        .unwrap();
    // Sign in again; MFA by a second link keeps the first method.
    ml.sign_in(DeliveryMethod::Sms, PHONE, URI)
        .mfa(first.refresh_token())
        .await
        .unwrap();
    let second = ml
        .verify(&token_for(&s, PHONE, "magiclink").await)
        .await
        .unwrap();
    assert_eq!(second.session.amr(), ["magiclink"]);
    // A link past its lifetime (600 s) is refused as expired.
    ml.sign_in(DeliveryMethod::Sms, PHONE, URI).await.unwrap();
    let token = token_for(&s, PHONE, "magiclink").await;
    s.set_clock(601).await;
    let error = ml.verify(&token).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::MagicLinkExpired));
}

async fn update_email_and_phone(kind: Backend) {
    let s = setup(kind).await;
    let ml = s.client.magic_link();
    let login = "ml-update@example.com";
    ml.sign_up_or_in(DeliveryMethod::Email, login, "")
        .await
        .unwrap();
    let info = ml
        .verify(&token_for(&s, login, "magiclink").await)
        .await
        .unwrap();
    let refresh = info.refresh_token().clone();
    let masked = ml
        .update_email(login, "new-address@example.com", &refresh)
        .add_to_login_ids(true)
        .redirect_url(URI)
        .await
        .unwrap();
    assert_eq!(masked, "n***@example.com");
    let message = s.last_message(login).await;
    assert_eq!(message["to"], "new-address@example.com");
    let updated = ml
        .verify(&token_for(&s, login, "magiclink").await)
        .await
        .unwrap();
    let user = updated.user.unwrap();
    assert_eq!(user.email.as_deref(), Some("new-address@example.com"));
    assert!(
        user.login_ids
            .contains(&"new-address@example.com".to_owned())
    );
    // The new address now signs in.
    ml.sign_in(DeliveryMethod::Email, "new-address@example.com", "")
        .await
        .unwrap();

    let masked = ml
        .update_phone(DeliveryMethod::Whatsapp, login, "+15555550199", &refresh)
        .await
        .unwrap();
    assert_eq!(masked, "+*******0199");
    let message = s.last_message(login).await;
    assert_eq!(message["channel"], "whatsapp");
    let updated = ml
        .verify(&token_for(&s, login, "magiclink").await)
        .await
        .unwrap();
    assert_eq!(updated.user.unwrap().phone.as_deref(), Some("+15555550199"));
    // Another user's refresh token may not update this one.
    let error = ml
        .update_email("ada@example.com", "x@example.com", &refresh)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
}

over_both_backends!(
    sign_up_then_verify_once,
    sign_in_and_expiry,
    update_email_and_phone
);
