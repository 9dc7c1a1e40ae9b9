//! nOTP (WhatsApp, Node only): request snapshots checked against the Node SDK's captures,
//! and end to end against the emulator over both backends (the user "sends the message" by
//! opening the start's `redirect_url`, the emulator's tap page, while `wait_for_session`
//! polls).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use descope_flows::{Client, ErrorKind};
use descope_transport::CapturingTransport;
use descope_types::{ErrorCode, LoginOptions, PendingRef, SignUpUser};
use serde_json::{Value, json};

use crate::common::captures::{check_operation, keys_capture, load_captures, snapshot_view};
use crate::common::{PROJECT_ID, Seen, canned, seen};
use crate::harness::{Backend, Setup, over_both_backends, setup};

const PHONE: &str = "+15555550151";

/// Every operation, with the capture labels of the Node SDK calls that must send the same
/// request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "notp_sign_up_or_in",
        &["node:notp.signUpOrIn(loginId, signUpOptions) [node only]"],
    ),
    (
        "notp_sign_up",
        &["node:notp.signUp(loginId, user) [node only]"],
    ),
    ("notp_sign_in", &["node:notp.signIn(loginId) [node only]"]),
    ("notp_session", &[]),
    (
        "notp_wait_for_session",
        &["node:notp.waitForSession(pendingRef) [node only]"],
    ),
];

/// Captures this client refuses to reproduce on purpose: an empty login id is refused
/// before any request (`refuses_an_empty_login_id` below).
const REFUSED: &[&str] = &["node:notp.signIn('') empty loginId [node only]"];

/// A recording client answering `answer(path, call number)` where it gives something, the
/// common canned answers elsewhere.
pub(crate) fn answering(
    answer: impl Fn(&str, usize) -> Option<(u16, Value)> + Send + Sync + 'static,
) -> (Client, CapturingTransport) {
    let calls = Arc::new(AtomicUsize::new(0));
    let transport = CapturingTransport::new(move |request| {
        let path = request.uri.path();
        let n = calls.fetch_add(1, Ordering::SeqCst);
        let (status, body) = answer(path, n).unwrap_or_else(|| canned(&request.method, path));
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

fn notp_answers(path: &str, _: usize) -> Option<(u16, Value)> {
    path.starts_with("/v1/auth/notp/whatsapp/").then(|| {
        (
            200,
            json!({"pendingRef": "pref-a4c462b6d3b3964e", "redirectUrl": "https://wa.me/1?text=x", "image": "iVBORw0"}),
        )
    })
}

fn claims() -> LoginOptions {
    LoginOptions {
        custom_claims: Some(json!({"k": "v"}).as_object().unwrap().clone()),
        ..LoginOptions::default()
    }
}

async fn run(op: &str, client: &Client) {
    let notp = client.notp();
    let pending = PendingRef::new("pref-a4c462b6d3b3964e");
    match op {
        "notp_sign_up_or_in" => {
            let started = notp
                .sign_up_or_in(PHONE)
                .login_options(claims())
                .provider_id("prov-1")
                .await
                .unwrap();
            assert_eq!(started.redirect_url, "https://wa.me/1?text=x");
            assert_eq!(started.image, "iVBORw0");
            assert_eq!(started.pending_ref.secret(), "pref-a4c462b6d3b3964e");
        }
        "notp_sign_up" => drop(
            notp.sign_up(PHONE)
                .user(SignUpUser {
                    name: Some("Notp User".to_owned()),
                    ..SignUpUser::default()
                })
                .await
                .unwrap(),
        ),
        "notp_sign_in" => drop(notp.sign_in(PHONE).await.unwrap()),
        "notp_session" => drop(notp.session(&pending).await.unwrap()),
        "notp_wait_for_session" => drop(
            notp.wait_for_session(&pending)
                .poll_interval(Duration::from_millis(10))
                .await
                .unwrap(),
        ),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_operation_matches_its_snapshot_and_the_node_sdk() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = answering(notp_answers);
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every nOTP capture is matched by an operation above or refused on purpose.
#[test]
fn every_notp_capture_is_covered() {
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .chain(REFUSED.iter().copied())
        .collect();
    let labels: Vec<String> = load_captures()
        .into_keys()
        .filter(|label| label.starts_with("node:notp."))
        .collect();
    assert_eq!(labels.len(), 5, "{labels:#?}");
    let missing: Vec<&String> = labels
        .iter()
        .filter(|label| !covered.contains(&label.as_str()))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[tokio::test]
async fn refuses_an_empty_login_id() {
    let (client, transport) = answering(notp_answers);
    let error = client.notp().sign_in("").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = client.notp().sign_up(" ").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = client
        .notp()
        .wait_for_session(&PendingRef::new(""))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(transport.requests().is_empty());
}

#[test]
fn secrets_stay_out_of_debug() {
    let (client, _) = answering(notp_answers);
    let pending = PendingRef::new("pref-very-secret");
    let notp = client.notp();
    let debug = format!(
        "{:?} {:?}",
        notp.session(&pending),
        notp.wait_for_session(&pending)
    );
    assert!(!debug.contains("very-secret"), "{debug}");
}

// ---- end to end ----

/// Opens the start's link, as the user's phone does when the WhatsApp message is sent.
async fn tap(s: &Setup, redirect_url: &str) -> u16 {
    let request = http::Request::get(redirect_url).body(Bytes::new()).unwrap();
    s.raw.send(request).await.unwrap().status().as_u16()
}

/// GET /emulator/requests: polls of the nOTP pending session.
async fn pending_polls(s: &Setup) -> u64 {
    let request = http::Request::get(format!("{}/emulator/requests", s.emulator.base_url()))
        .header(
            "authorization",
            format!("Bearer {}", s.emulator.project_id()),
        )
        .body(Bytes::new())
        .unwrap();
    let response = s.raw.send(request).await.unwrap();
    let counts: Value = serde_json::from_slice(response.body()).unwrap();
    counts["counts"]["/v1/auth/notp/pending-session"]
        .as_u64()
        .unwrap_or(0)
}

async fn sign_up_then_session(kind: Backend) {
    let s = setup(kind).await;
    let notp = s.client.notp();
    let started = notp
        .sign_up(PHONE)
        .user(SignUpUser {
            name: Some("Notp User".to_owned()),
            ..SignUpUser::default()
        })
        .await
        .unwrap();
    assert!(started.redirect_url.contains("/emulator/notp/tap?"));
    assert!(!started.image.is_empty());
    let message = s.last_message(PHONE).await;
    assert_eq!(message["channel"], "whatsapp");
    assert_eq!(message["link"], started.redirect_url.as_str());
    let pending = notp.session(&started.pending_ref).await.unwrap_err();
    assert!(pending.is_enchanted_link_pending(), "{pending:?}");
    assert_eq!(tap(&s, &started.redirect_url).await, 200);
    let info = notp.session(&started.pending_ref).await.unwrap();
    assert!(info.first_seen);
    assert_eq!(info.session.amr(), ["notp"]);
    assert_eq!(info.user.unwrap().name.as_deref(), Some("Notp User"));
    // Handed out once; the tap link is single use.
    let error = notp.session(&started.pending_ref).await.unwrap_err();
    assert_eq!(
        error.code(),
        Some(&ErrorCode::MagicLinkExpired),
        "{error:?}"
    );
    assert_eq!(tap(&s, &started.redirect_url).await, 401);
    // Signing up again is refused: the user exists.
    let error = notp.sign_up(PHONE).await.unwrap_err();
    assert_eq!(
        error.code(),
        Some(&ErrorCode::UserAlreadyExists),
        "{error:?}"
    );
}

async fn wait_for_session_while_the_user_taps(kind: Backend) {
    let s = setup(kind).await;
    let notp = s.client.notp();
    let started = notp
        .sign_up_or_in(PHONE)
        .login_options(claims())
        .await
        .unwrap();
    let raw = s.raw.clone();
    let url = started.redirect_url.clone();
    let tapper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let request = http::Request::get(url).body(Bytes::new()).unwrap();
        raw.send(request).await.unwrap().status().as_u16()
    });
    let info = notp
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(tapper.await.unwrap(), 200);
    assert_eq!(info.session.claim("k"), Some(&json!("v")));
    assert!(info.first_seen);
    assert!(pending_polls(&s).await >= 3);
    // Then a sign-in of the now existing user, and the deadline while nobody taps.
    let started = notp.sign_in(PHONE).await.unwrap();
    let error = notp
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(40))
        .timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WaitTimeout, "{error:?}");
    assert_eq!(tap(&s, &started.redirect_url).await, 200);
    let info = notp.session(&started.pending_ref).await.unwrap();
    assert!(!info.first_seen);
}

async fn unknown_users_and_refs_are_refused(kind: Backend) {
    let s = setup(kind).await;
    let notp = s.client.notp();
    let error = notp.sign_in("+15555550199").await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UserNotFound), "{error:?}");
    let error = notp
        .wait_for_session(&PendingRef::new("pref_unknown"))
        .poll_interval(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api, "{error:?}");
    assert_eq!(error.status(), Some(400));
    // An enchanted link's reference is no nOTP reference.
    let el = s
        .client
        .enchanted_link()
        .sign_up_or_in("ada@example.com", "")
        .await
        .unwrap();
    let error = notp.session(&el.pending_ref).await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
}

over_both_backends!(
    sign_up_then_session,
    wait_for_session_while_the_user_taps,
    unknown_users_and_refs_are_refused,
);
