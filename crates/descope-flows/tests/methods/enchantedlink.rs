//! Enchanted link: request snapshots checked against the official SDKs' captures, and end to
//! end against the emulator over both backends (a concurrent "click" while
//! `wait_for_session` polls, the deadline, real errors, cancellation).

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use descope_flows::{Client, ErrorKind};
use descope_transport::CapturingTransport;
use descope_types::{
    EnchantedLinkToken, ErrorCode, LoginOptions, PendingRef, RefreshToken, SignUpUser,
};
use serde_json::{Value, json};

use crate::common::captures::{check_operation, keys_capture, load_captures, snapshot_view};
use crate::common::{PROJECT_ID, Seen, canned, recording_client, refresh_token, seen};
use crate::harness::{Backend, Setup, over_both_backends, setup};

const URI: &str = "http://127.0.0.1:3000/verify";
const LOGIN: &str = "el-user@example.com";
const PHONE: &str = "+15555550121";

/// Every operation, with the capture labels of the official SDK calls that must send the
/// same request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "enchantedlink_sign_up",
        &["python:enchantedlink.sign_up(login_id, uri, user, signup_options)"],
    ),
    (
        "enchantedlink_sign_up_provider",
        &["node:enchantedLink.signUp(loginId, URI, user, signUpOptions)"],
    ),
    (
        "enchantedlink_sign_up_with_phone",
        &["python:enchantedlink.sign_up_with_phone(phone, uri, user)"],
    ),
    (
        "enchantedlink_sign_in",
        &[
            "python:enchantedlink.sign_in(login_id, uri)",
            "node:enchantedLink.signIn(loginId, URI)",
        ],
    ),
    (
        "enchantedlink_sign_in_stepup",
        &["python:enchantedlink.sign_in(stepup login_options, refresh)"],
    ),
    (
        "enchantedlink_sign_in_stepup_provider",
        &["node:enchantedLink.signIn(stepup loginOptions, refresh)"],
    ),
    (
        "enchantedlink_sign_in_with_phone",
        &["python:enchantedlink.sign_in_with_phone(phone, uri)"],
    ),
    (
        "enchantedlink_sign_up_or_in",
        &["python:enchantedlink.sign_up_or_in(login_id, uri, signup_options)"],
    ),
    (
        "enchantedlink_sign_up_or_in_provider",
        &["node:enchantedLink.signUpOrIn(loginId, URI, signUpOptions)"],
    ),
    (
        "enchantedlink_sign_up_or_in_with_phone",
        &["python:enchantedlink.sign_up_or_in_with_phone(phone, uri)"],
    ),
    (
        "enchantedlink_verify",
        &[
            "python:enchantedlink.verify(token)",
            "node:enchantedLink.verify(token)",
        ],
    ),
    ("enchantedlink_session", &[]),
    (
        "enchantedlink_wait_for_session",
        &[
            "python:enchantedlink.get_session(pendingRef) polling",
            "node:enchantedLink.waitForSession(pendingRef, {1000ms, 20s})",
        ],
    ),
    (
        "enchantedlink_update_email",
        &["python:enchantedlink.update_user_email(all options)"],
    ),
    (
        "enchantedlink_update_email_all",
        &["node:enchantedLink.update.email(all options)"],
    ),
    (
        "enchantedlink_update_phone",
        &["python:enchantedlink.update_user_phone(all options)"],
    ),
];

fn refresh() -> RefreshToken {
    RefreshToken::new(refresh_token())
}

fn claims() -> LoginOptions {
    LoginOptions {
        custom_claims: Some(json!({"k": "v"}).as_object().unwrap().clone()),
        ..LoginOptions::default()
    }
}

fn greeting() -> BTreeMap<String, String> {
    BTreeMap::from([("greeting".to_owned(), "hi".to_owned())])
}

/// The sign-up options of the captures (Python adds `revokeOtherSessions`).
fn signup_options(revoke: bool) -> LoginOptions {
    LoginOptions {
        template_id: Some("tmpl-1".to_owned()),
        template_options: Some(greeting()),
        revoke_other_sessions: revoke.then_some(true),
        ..claims()
    }
}

/// A recording client whose first pending-session answer is 401 `E062503`, as a link not
/// yet clicked.
fn pending_once_client() -> (Client, CapturingTransport) {
    let polls = Arc::new(AtomicUsize::new(0));
    let transport = CapturingTransport::new(move |request| {
        let path = request.uri.path();
        if path == "/v1/auth/enchantedlink/pending-session"
            && polls.fetch_add(1, Ordering::SeqCst) == 0
        {
            let body =
                json!({"errorCode": "E062503", "errorDescription": "Enchanted link pending"});
            return Ok(CapturingTransport::response(
                401,
                serde_json::to_vec(&body).unwrap(),
            ));
        }
        let (status, body) = canned(&request.method, path);
        Ok(CapturingTransport::response(
            status,
            serde_json::to_vec(&body).unwrap(),
        ))
    });
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport.clone())
        .build()
        .unwrap();
    (client, transport)
}

async fn run(op: &str, client: &Client) {
    let el = client.enchanted_link();
    let user = |email: bool| SignUpUser {
        name: Some("El User".to_owned()),
        email: email.then(|| LOGIN.to_owned()),
        ..SignUpUser::default()
    };
    match op {
        "enchantedlink_sign_up" => drop(
            el.sign_up(LOGIN, URI)
                .user(user(true))
                .login_options(signup_options(true))
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_up_provider" => drop(
            el.sign_up(LOGIN, URI)
                .user(user(false))
                .login_options(signup_options(false))
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_up_with_phone" => drop(
            el.sign_up_with_phone(PHONE, URI)
                .user(SignUpUser {
                    name: Some("El Phone".to_owned()),
                    phone: Some(PHONE.to_owned()),
                    ..SignUpUser::default()
                })
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_in" => drop(el.sign_in(LOGIN, URI).await.unwrap()),
        "enchantedlink_sign_in_stepup" => drop(
            el.sign_in(LOGIN, URI)
                .login_options(claims())
                .step_up(&refresh())
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_in_stepup_provider" => drop(
            el.sign_in(LOGIN, URI)
                .login_options(claims())
                .step_up(&refresh())
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_in_with_phone" => {
            drop(el.sign_in_with_phone(PHONE, URI).await.unwrap())
        }
        "enchantedlink_sign_up_or_in" => drop(
            el.sign_up_or_in(LOGIN, URI)
                .login_options(signup_options(true))
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_up_or_in_provider" => drop(
            el.sign_up_or_in(LOGIN, URI)
                .login_options(signup_options(false))
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "enchantedlink_sign_up_or_in_with_phone" => {
            drop(el.sign_up_or_in_with_phone(PHONE, URI).await.unwrap())
        }
        "enchantedlink_verify" => el
            .verify(&EnchantedLinkToken::new("el-token-123"))
            .await
            .unwrap(),
        "enchantedlink_session" => drop(
            el.session(&PendingRef::new("pref-6f2424966873bb33"))
                .await
                .unwrap(),
        ),
        "enchantedlink_update_email" => drop(
            el.update_email(LOGIN, "new-el@example.com", &refresh())
                .add_to_login_ids(true)
                .on_merge_use_existing(true)
                .template_options(greeting())
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        "enchantedlink_update_email_all" => drop(
            el.update_email(LOGIN, "new-el@example.com", &refresh())
                .redirect_url(URI)
                .add_to_login_ids(true)
                .on_merge_use_existing(true)
                .template_options(greeting())
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .mfa(true)
                .await
                .unwrap(),
        ),
        "enchantedlink_update_phone" => drop(
            el.update_phone(LOGIN, "+15555550122", &refresh())
                .add_to_login_ids(true)
                .template_options(greeting())
                .template_id("tmpl-1")
                .provider_id("prov-1")
                .await
                .unwrap(),
        ),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = if *op == "enchantedlink_wait_for_session" {
            pending_once_client()
        } else {
            recording_client()
        };
        if *op == "enchantedlink_wait_for_session" {
            let info = client
                .enchanted_link()
                .wait_for_session(&PendingRef::new("pref-6f2424966873bb33"))
                .poll_interval(Duration::from_millis(10))
                .await
                .unwrap();
            assert!(!info.session_token().is_empty());
        } else {
            run(op, &client).await;
        }
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every enchanted-link capture is matched by some operation above.
#[test]
fn every_enchanted_link_capture_is_covered() {
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    let labels: Vec<String> = load_captures()
        .into_keys()
        .filter(|label| {
            let lower = label.to_lowercase();
            lower.contains("enchantedlink.")
                && !lower.contains("mgmt")
                && !lower.contains("management")
        })
        .collect();
    assert!(labels.len() >= 16, "{labels:#?}");
    let missing: Vec<&String> = labels
        .iter()
        .filter(|label| !covered.contains(&label.as_str()))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn secrets_stay_out_of_debug() {
    let (client, _) = recording_client();
    let pending = PendingRef::new("pref-very-secret");
    let token = EnchantedLinkToken::new("elt-very-secret");
    let el = client.enchanted_link();
    let debug = format!(
        "{:?} {:?} {:?}",
        el.session(&pending),
        el.verify(&token),
        el.wait_for_session(&pending)
    );
    assert!(!debug.contains("very-secret"), "{debug}");
}

// ---- end to end ----

/// The newest link sent to `login`: its token.
async fn link_token(s: &Setup, login: &str) -> EnchantedLinkToken {
    let message = s.last_message(login).await;
    assert_eq!(message["kind"], "enchantedlink", "{message}");
    EnchantedLinkToken::new(message["token"].as_str().unwrap())
}

/// Signs `login` up and collects the session: sign-up, click, one `session` call.
async fn signed_up(s: &Setup, login: &str) -> descope_flows::AuthenticationInfo {
    let el = s.client.enchanted_link();
    let started = el
        .sign_up(login, URI)
        .user(SignUpUser {
            name: Some("El".to_owned()),
            ..SignUpUser::default()
        })
        .await
        .unwrap();
    let pending = el.session(&started.pending_ref).await.unwrap_err();
    assert!(pending.is_enchanted_link_pending(), "{pending:?}");
    assert_eq!(pending.code(), Some(&ErrorCode::EnchantedLinkPending));
    el.verify(&link_token(s, login).await).await.unwrap();
    el.session(&started.pending_ref).await.unwrap()
}

/// GET /emulator/requests: calls per route.
async fn pending_polls(s: &Setup) -> u64 {
    let request = http::Request::get(format!("{}/emulator/requests", s.emulator.base_url()))
        .header(
            "authorization",
            format!("Bearer {}", s.emulator.project_id()),
        )
        .body(Bytes::new())
        .unwrap();
    let response = s.raw.send(request).await.unwrap();
    assert!(response.status().is_success());
    let counts: Value = serde_json::from_slice(response.body()).unwrap();
    counts["counts"]["/v1/auth/enchantedlink/pending-session"]
        .as_u64()
        .unwrap_or(0)
}

async fn sign_up_then_session(kind: Backend) {
    let s = setup(kind).await;
    let info = signed_up(&s, LOGIN).await;
    assert!(info.first_seen);
    assert_eq!(info.session.amr(), ["enchantedlink"]);
    let user = info.user.unwrap();
    assert_eq!(user.name.as_deref(), Some("El"));
    // The session was handed out once.
    let started = s.client.enchanted_link().sign_in(LOGIN, URI).await.unwrap();
    assert_eq!(started.link_id.len(), 2);
    assert_eq!(started.masked_email, "e***@example.com");
    assert_eq!(
        s.last_message(LOGIN).await["linkId"].as_str(),
        Some(started.link_id.as_str())
    );
}

async fn wait_for_session_while_a_task_clicks(kind: Backend) {
    let s = setup(kind).await;
    signed_up(&s, LOGIN).await;
    let el = s.client.enchanted_link();
    let started = el
        .sign_in(LOGIN, URI)
        .login_options(claims())
        .await
        .unwrap();
    let token = link_token(&s, LOGIN).await;
    let clicker = s.client.clone();
    let click = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        clicker.enchanted_link().verify(&token).await
    });
    let info = el
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20))
        .await
        .unwrap();
    click.await.unwrap().unwrap();
    assert_eq!(info.session.claim("k"), Some(&json!("v")));
    assert!(!info.first_seen);
    // Polled while pending, then stopped.
    assert!(pending_polls(&s).await >= 3);
}

async fn wait_for_session_gives_a_typed_timeout(kind: Backend) {
    let s = setup(kind).await;
    signed_up(&s, LOGIN).await;
    let started = s
        .client
        .enchanted_link()
        .sign_up_or_in(LOGIN, URI)
        .await
        .unwrap();
    let began = Instant::now();
    let error = s
        .client
        .enchanted_link()
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(40))
        .timeout(Duration::from_millis(400))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WaitTimeout, "{error:?}");
    assert!(error.is_wait_timeout());
    assert!(began.elapsed() >= Duration::from_millis(400));
    assert!(began.elapsed() < Duration::from_secs(5));
    // Backoff: far fewer polls than 400 ms / 40 ms would make without it... but several.
    let polls = pending_polls(&s).await;
    assert!((3..=12).contains(&polls), "{polls}");
}

async fn real_errors_are_not_pending(kind: Backend) {
    let s = setup(kind).await;
    signed_up(&s, LOGIN).await;
    let el = s.client.enchanted_link();
    // An unknown reference fails at once.
    let began = Instant::now();
    let error = el
        .wait_for_session(&PendingRef::new("pref_unknown"))
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api, "{error:?}");
    assert!(!error.is_enchanted_link_pending());
    assert_eq!(error.code(), Some(&ErrorCode::MagicLinkExpired));
    assert!(began.elapsed() < Duration::from_secs(5));
    // An expired one too, even while polling.
    let started = el.sign_in(LOGIN, URI).await.unwrap();
    s.set_clock(301).await;
    let error = el
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
    // And the link's expired token.
    let error = el.verify(&link_token(&s, LOGIN).await).await.unwrap_err();
    assert_eq!(
        error.code(),
        Some(&ErrorCode::MagicLinkNotFound),
        "{error:?}"
    );
    // Nothing to send: refused before any request.
    let error = el.session(&PendingRef::new("")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
}

async fn dropping_the_wait_stops_polling(kind: Backend) {
    let s = setup(kind).await;
    signed_up(&s, LOGIN).await;
    let before = pending_polls(&s).await;
    let started = s.client.enchanted_link().sign_in(LOGIN, URI).await.unwrap();
    let wait = s
        .client
        .enchanted_link()
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(30))
        .into_future();
    let gave_up = tokio::time::timeout(Duration::from_millis(600), wait).await;
    assert!(gave_up.is_err(), "still pending");
    // A poll sent just before the drop may still be arriving.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let polls = pending_polls(&s).await;
    assert!(polls >= before + 2, "{before} then {polls}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        pending_polls(&s).await,
        polls,
        "polling went on after the drop"
    );
    // The link still works: nothing consumed the session.
    s.client
        .enchanted_link()
        .verify(&link_token(&s, LOGIN).await)
        .await
        .unwrap();
    s.client
        .enchanted_link()
        .session(&started.pending_ref)
        .await
        .unwrap();
}

async fn phone_sign_up_or_in_and_sign_in(kind: Backend) {
    let s = setup(kind).await;
    let el = s.client.enchanted_link();
    let started = el.sign_up_or_in_with_phone(PHONE, URI).await.unwrap();
    assert_eq!(started.masked_phone, "+*******0121");
    assert!(started.masked_email.is_empty());
    let message = s.last_message(PHONE).await;
    assert_eq!(message["channel"], "sms");
    el.verify(&link_token(&s, PHONE).await).await.unwrap();
    let info = el.session(&started.pending_ref).await.unwrap();
    assert!(info.first_seen);
    let started = el.sign_in_with_phone(PHONE, URI).await.unwrap();
    el.verify(&link_token(&s, PHONE).await).await.unwrap();
    el.session(&started.pending_ref).await.unwrap();
    let started = el
        .sign_up_with_phone("+15555550177", URI)
        .user(SignUpUser {
            phone: Some("+15555550177".to_owned()),
            ..SignUpUser::default()
        })
        .await
        .unwrap();
    el.verify(&link_token(&s, "+15555550177").await)
        .await
        .unwrap();
    let info = el.session(&started.pending_ref).await.unwrap();
    assert_eq!(info.user.unwrap().phone.as_deref(), Some("+15555550177"));
}

async fn update_email_and_phone(kind: Backend) {
    let s = setup(kind).await;
    let info = signed_up(&s, LOGIN).await;
    let el = s.client.enchanted_link();
    let started = el
        .update_email(LOGIN, "moved@example.com", info.refresh_token())
        .add_to_login_ids(true)
        .redirect_url("http://app.example/verify")
        .await
        .unwrap();
    assert_eq!(started.masked_email, "m***@example.com");
    let message = s.last_message(LOGIN).await;
    assert_eq!(message["to"], "moved@example.com");
    assert!(
        message["link"]
            .as_str()
            .unwrap()
            .starts_with("http://app.example/verify?t=")
    );
    el.verify(&link_token(&s, LOGIN).await).await.unwrap();
    let updated = el.session(&started.pending_ref).await.unwrap();
    let user = updated.user.clone().unwrap();
    assert_eq!(user.email.as_deref(), Some("moved@example.com"));
    assert!(user.login_ids.contains(&"moved@example.com".to_owned()));

    let started = el
        .update_phone(LOGIN, "+15555550122", updated.refresh_token())
        .await
        .unwrap();
    el.verify(&link_token(&s, LOGIN).await).await.unwrap();
    let updated = el.session(&started.pending_ref).await.unwrap();
    assert_eq!(updated.user.unwrap().phone.as_deref(), Some("+15555550122"));
    // Someone else's refresh token is refused.
    let other = signed_up(&s, "other@example.com").await;
    let error = el
        .update_email(LOGIN, "x@example.com", other.refresh_token())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401), "{error:?}");
}

over_both_backends!(
    sign_up_then_session,
    wait_for_session_while_a_task_clicks,
    wait_for_session_gives_a_typed_timeout,
    real_errors_are_not_pending,
    dropping_the_wait_stops_polling,
    phone_sign_up_or_in_and_sign_in,
    update_email_and_phone,
);
