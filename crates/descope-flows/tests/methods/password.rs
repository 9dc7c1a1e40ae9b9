//! Password: request snapshots checked against the official SDKs' captures, and end to end
//! against the emulator over both backends.

use descope_flows::Client;
use descope_types::{ErrorCode, LoginOptions, MagicLinkToken, Password, SignUpUser};
use serde_json::json;

use crate::common::captures::*;
use crate::common::*;
use crate::harness::{Backend, over_both_backends, setup};

const URI: &str = "http://127.0.0.1:3000/verify";
const USER: &str = "pwd-user@example.com";

/// Every operation, with the capture labels of the official SDK calls that must send the
/// same request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "pw_sign_up_user",
        &["python:password.sign_up(login_id, password, user)"],
    ),
    (
        "pw_sign_up_options",
        &["node:password.signUp(loginId, password, user, signUpOptions)"],
    ),
    (
        "pw_sign_up_empty_options",
        &["node:password.signUp(loginId, password)"],
    ),
    (
        "pw_sign_in",
        &["python:password.sign_in(login_id, password)"],
    ),
    (
        "pw_sign_in_empty_options",
        &["node:password.signIn(loginId, password)"],
    ),
    (
        "pw_sign_in_options",
        &["node:password.signIn(loginId, password, loginOptions)"],
    ),
    (
        "pw_replace",
        &[
            "python:password.replace(login_id, old, new)",
            "node:password.replace(loginId, old, new)",
        ],
    ),
    (
        "pw_send_reset_options",
        &[
            "python:password.send_reset(login_id, redirect_url, template_options)",
            "node:password.sendReset(loginId, redirectUrl, templateOptions)",
        ],
    ),
    (
        "pw_send_reset",
        &[
            "python:password.send_reset(login_id)",
            "node:password.sendReset(loginId)",
        ],
    ),
    (
        "pw_update",
        &[
            "python:password.update(login_id, new, refresh)",
            "node:password.update(loginId, new, refresh)",
        ],
    ),
    (
        "pw_policy",
        &["python:password.get_policy()", "node:password.policy()"],
    ),
];

fn secret() -> Password {
    Password::new("Secr3t!Pass")
}

fn user() -> SignUpUser {
    SignUpUser {
        name: Some("Pwd User".to_owned()),
        email: Some(USER.to_owned()),
        ..SignUpUser::default()
    }
}

fn claims() -> serde_json::Map<String, serde_json::Value> {
    json!({"k": "v"}).as_object().unwrap().clone()
}

/// Runs one operation; it must succeed against the canned answers.
async fn run(op: &str, client: &Client) {
    let pw = client.password();
    match op {
        "pw_sign_up_user" => drop(pw.sign_up(USER, &secret()).user(user()).await.unwrap()),
        "pw_sign_up_options" => drop(
            pw.sign_up(USER, &secret())
                .user(user())
                .login_options(LoginOptions {
                    custom_claims: Some(claims()),
                    template_id: Some("tmpl-1".to_owned()),
                    template_options: Some([("greeting".to_owned(), "hi".to_owned())].into()),
                    ..LoginOptions::default()
                })
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "pw_sign_up_empty_options" => drop(
            pw.sign_up("pwd-user2@example.com", &secret())
                .login_options(LoginOptions::default())
                .await
                .unwrap(),
        ),
        "pw_sign_in" => drop(pw.sign_in(USER, &secret()).await.unwrap()),
        "pw_sign_in_empty_options" => drop(
            pw.sign_in(USER, &secret())
                .login_options(LoginOptions::default())
                .await
                .unwrap(),
        ),
        "pw_sign_in_options" => drop(
            pw.sign_in(USER, &secret())
                .login_options(LoginOptions {
                    custom_claims: Some(claims()),
                    ..LoginOptions::default()
                })
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "pw_replace" => drop(
            pw.replace(USER, &secret(), &Password::new("N3w!Secr3tPass"))
                .await
                .unwrap(),
        ),
        "pw_send_reset_options" => drop(
            pw.send_reset(USER)
                .redirect_url(URI)
                .template_options([("greeting", "hi")])
                .await
                .unwrap(),
        ),
        "pw_send_reset" => drop(pw.send_reset(USER).await.unwrap()),
        "pw_update" => pw
            .update(
                USER,
                &Password::new("An0ther!Pass"),
                &descope_types::RefreshToken::new(refresh_token()),
            )
            .await
            .unwrap(),
        "pw_policy" => drop(pw.policy().await.unwrap()),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_password_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = recording_client();
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, labels)| labels.iter().copied())
        .collect();
    for label in captures.keys() {
        if label.starts_with("python:password.") || label.starts_with("node:password.") {
            assert!(covered.contains(&label.as_str()), "not covered: {label}");
        }
    }
}

#[tokio::test]
async fn passwords_never_reach_debug_or_errors() {
    let (client, transport) = recording_client();
    let builder = client
        .password()
        .sign_in(USER, &Password::new("Secr3t!Pass"));
    assert!(!format!("{builder:?}").contains("Secr3t"));
    let error = client
        .password()
        .sign_in(USER, &Password::new(""))
        .await
        .unwrap_err();
    assert_eq!(
        error.invalid_argument(),
        Some(descope_flows::Argument::Password)
    );
    assert!(transport.requests().is_empty());
}

// ---- end to end ----------------------------------------------------------------------

async fn sign_up_in_replace_and_errors(kind: Backend) {
    let s = setup(kind).await;
    let pw = s.client.password();
    let policy = pw.policy().await.unwrap();
    assert_eq!(policy.min_length, 8);
    assert!(policy.uppercase && policy.lowercase && policy.number);
    // The policy is enforced.
    let error = pw.sign_up(USER, &Password::new("weak")).await.unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.code(), Some(&ErrorCode::InvalidArguments));

    let info = pw.sign_up(USER, &secret()).user(user()).await.unwrap();
    assert_eq!(info.session.amr(), ["pwd"]);
    assert_eq!(info.user.as_ref().unwrap().password, Some(true));
    let error = pw.sign_up(USER, &secret()).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserAlreadyExists));

    let info = pw.sign_in(USER, &secret()).await.unwrap();
    assert_eq!(info.session.amr(), ["pwd"]);
    // A wrong password is a typed API error, and says nothing about the password.
    let error = pw
        .sign_in(USER, &Password::new("Wr0ng!Pass"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.code(), Some(&ErrorCode::InvalidArguments));
    assert_eq!(error.api_error().unwrap().description, "Invalid password");
    assert!(!error.to_string().contains("Wr0ng"));
    let error = pw
        .sign_in("nobody@example.com", &secret())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserNotFound));

    let new = Password::new("N3w!Secr3tPass");
    let info = pw.replace(USER, &secret(), &new).await.unwrap();
    assert_eq!(info.session.amr(), ["pwd"]);
    assert!(pw.sign_in(USER, &secret()).await.is_err());
    pw.sign_in(USER, &new).await.unwrap();
}

async fn reset_by_link_then_update(kind: Backend) {
    let s = setup(kind).await;
    let pw = s.client.password();
    pw.sign_up(USER, &secret()).await.unwrap();
    // Five wrong passwords lock the password, even against the right one.
    for _ in 0..5 {
        pw.sign_in(USER, &Password::new("Wr0ng!Pass"))
            .await
            .unwrap_err();
    }
    let error = pw.sign_in(USER, &secret()).await.unwrap_err();
    assert_eq!(error.api_error().unwrap().description, "Password locked");

    let masked = pw
        .send_reset(USER)
        .redirect_url(URI)
        .template_options([("greeting", "hi")])
        .await
        .unwrap();
    assert_eq!(masked, "p***@example.com");
    let message = s.last_message(USER).await;
    assert_eq!(message["kind"], "password-reset");
    let token = message["token"].as_str().unwrap();
    assert_eq!(message["link"], format!("{URI}?t={token}"));
    // The reset token is verified as a magic link; its session sets the new password.
    let info = s
        .client
        .magic_link()
        .verify(&MagicLinkToken::new(token))
        .await
        .unwrap();
    let new = Password::new("An0ther!Pass");
    pw.update(USER, &new, info.refresh_token()).await.unwrap();
    pw.sign_in(USER, &new).await.unwrap();
    let error = pw
        .update(USER, &Password::new("short"), info.refresh_token())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
}

over_both_backends!(sign_up_in_replace_and_errors, reset_by_link_then_update);
