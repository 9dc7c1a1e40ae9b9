//! OneTap (Node only): request snapshots checked against the Node SDK's captures, and end
//! to end against the emulator over both backends with ID tokens of its emulated provider
//! (`POST /emulator/native/authorize`, as for native OAuth).

use descope_flows::{Client, ErrorKind};
use descope_types::{IdToken, LoginOptions, RefreshToken};
use serde_json::{Value, json};

use crate::common::captures::{check_operation, keys_capture, load_captures, snapshot_view};
use crate::common::{Seen, refresh_token, seen};
use crate::harness::{Backend, Setup, over_both_backends, setup};
use crate::notp::answering;

const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "onetap_client_id",
        &["node:oauth.getOneTapClientId(google) [node only]"],
    ),
    (
        "onetap_verify_id_token",
        &["node:oauth.verifyOneTapIDToken(...) [node only]"],
    ),
    (
        "onetap_exchange_id_token",
        &["node:oauth.exchangeOneTapIDToken(...) [node only]"],
    ),
    ("onetap_verify_id_token_stepup", &[]),
];

fn onetap_answers(path: &str, _: usize) -> Option<(u16, Value)> {
    match path {
        "/v1/auth/onetap/clientid/google" => Some((200, json!({"clientId": "cid.apps"}))),
        "/v1/auth/onetap/idtoken/verify" => Some((200, json!({"code": "otc-1"}))),
        _ => None,
    }
}

fn claims() -> LoginOptions {
    LoginOptions {
        custom_claims: Some(json!({"k": "v"}).as_object().unwrap().clone()),
        ..LoginOptions::default()
    }
}

async fn run(op: &str, client: &Client) {
    let oauth = client.oauth();
    let token = IdToken::new("id-token-1");
    match op {
        "onetap_client_id" => {
            assert_eq!(oauth.one_tap_client_id("google").await.unwrap(), "cid.apps")
        }
        "onetap_verify_id_token" => {
            let code = oauth
                .verify_one_tap_id_token("google", &token, "nonce-1")
                .login_options(claims())
                .await
                .unwrap();
            assert_eq!(code.secret(), "otc-1");
        }
        "onetap_exchange_id_token" => drop(
            oauth
                .exchange_one_tap_id_token("google", &token, "nonce-1")
                .await
                .unwrap(),
        ),
        "onetap_verify_id_token_stepup" => drop(
            oauth
                .verify_one_tap_id_token("google", &token, "nonce-1")
                .step_up(&RefreshToken::new(refresh_token()))
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
        let (client, transport) = answering(onetap_answers);
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every OneTap capture is matched by an operation above.
#[test]
fn every_onetap_capture_is_covered() {
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    let labels: Vec<String> = load_captures()
        .into_keys()
        .filter(|label| label.contains("OneTap"))
        .collect();
    assert_eq!(labels.len(), 3, "{labels:#?}");
    let missing: Vec<&String> = labels
        .iter()
        .filter(|label| !covered.contains(&label.as_str()))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() {
    let (client, transport) = answering(onetap_answers);
    let oauth = client.oauth();
    for provider in ["", "../mgmt", "a/b", "a?b"] {
        let error = oauth.one_tap_client_id(provider).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{provider}");
    }
    let error = oauth
        .exchange_one_tap_id_token("google", &IdToken::new(""), "n")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(transport.requests().is_empty());
    let debug = format!(
        "{:?}",
        oauth.verify_one_tap_id_token("google", &IdToken::new("idt-very-secret"), "n")
    );
    assert!(!debug.contains("very-secret"), "{debug}");
}

// ---- end to end ----

/// The emulated provider's ID token for `login`, bound to `nonce`.
async fn id_token(s: &Setup, nonce: &str, login: &str) -> IdToken {
    let grant = s
        .control(
            "/emulator/native/authorize",
            json!({"provider": "google", "nonce": nonce, "loginId": login, "name": "One Tap"}),
        )
        .await;
    IdToken::new(grant["idToken"].as_str().unwrap())
}

async fn exchange_for_a_session(kind: Backend) {
    let s = setup(kind).await;
    let oauth = s.client.oauth();
    assert_eq!(
        oauth.one_tap_client_id("google").await.unwrap(),
        "emulator-google-client"
    );
    let token = id_token(&s, "nonce-1", "tap@example.com").await;
    let info = oauth
        .exchange_one_tap_id_token("google", &token, "nonce-1")
        .login_options(claims())
        .await
        .unwrap();
    assert!(info.first_seen);
    assert_eq!(info.session.amr(), ["oauth"]);
    assert_eq!(info.session.claim("k"), Some(&json!("v")));
    let user = info.user.unwrap();
    assert_eq!(user.name.as_deref(), Some("One Tap"));
    assert_eq!(user.email.as_deref(), Some("tap@example.com"));
    // Another nonce than the token's is refused.
    let error = oauth
        .exchange_one_tap_id_token("google", &token, "nonce-2")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401), "{error:?}");
    // So is a forged token.
    let error = oauth
        .exchange_one_tap_id_token("google", &IdToken::new("a.b.c"), "nonce-1")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401), "{error:?}");
    // And another provider's (the audience is that provider's client id).
    let error = oauth
        .exchange_one_tap_id_token("apple", &token, "nonce-1")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401), "{error:?}");
}

async fn verify_for_a_code_then_exchange(kind: Backend) {
    let s = setup(kind).await;
    let oauth = s.client.oauth();
    let token = id_token(&s, "n-2", "code@example.com").await;
    let code = oauth
        .verify_one_tap_id_token("google", &token, "n-2")
        .login_options(claims())
        .await
        .unwrap();
    assert!(!code.is_empty());
    let info = oauth.exchange(&code).await.unwrap();
    assert_eq!(info.session.claim("k"), Some(&json!("v")));
    assert_eq!(
        info.user.as_ref().unwrap().login_ids,
        vec!["code@example.com".to_owned()]
    );
    // The code is single use.
    let error = oauth.exchange(&code).await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
    // Step-up with the session's refresh token adds to its amr.
    let token = id_token(&s, "n-3", "code@example.com").await;
    let stepped = oauth
        .exchange_one_tap_id_token("google", &token, "n-3")
        .step_up(info.refresh_token())
        .await
        .unwrap();
    assert!(!stepped.first_seen);
}

over_both_backends!(exchange_for_a_session, verify_for_a_code_then_exchange);
