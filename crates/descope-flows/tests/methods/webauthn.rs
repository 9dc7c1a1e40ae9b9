//! WebAuthn (passkeys): request snapshots checked against every captured WebAuthn call of the
//! official SDKs, and end-to-end ceremonies against the emulator with a software
//! authenticator playing the browser, over both backends.

use descope_emulator::SoftAuthenticator;
use descope_flows::{Client, ErrorKind};
use descope_transport::CapturingTransport;
use descope_types::{
    AuthenticatorSelection, ErrorCode, LoginOptions, PasskeyOptions, RefreshToken, SignUpUser,
    WebAuthnTransactionId,
};
use serde_json::{Map, Value, json};

use crate::common::captures::{check_operation, keys_capture, load_captures, snapshot_view};
use crate::common::{self, PROJECT_ID, Seen, canned, jwt_body, refresh_token, seen};
use crate::harness::{Backend, over_both_backends, setup};

/// The origin the captures name; the emulator's default RP allows localhost.
const CAPTURED_ORIGIN: &str = "http://127.0.0.1:3000";
const ORIGIN: &str = "http://localhost:3000";
const LOGIN: &str = "wa-user@example.com";
const CREDENTIAL: &str = r#"{"id":"cred-1","type":"public-key"}"#;

/// Every WebAuthn operation, with the capture labels of the official SDK calls that must
/// send the same request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "webauthn_sign_up_start",
        &["python:webauthn.sign_up_start(login_id, origin, user)"],
    ),
    (
        "webauthn_sign_up_start_name",
        &["node:webauthn.signUp.start(loginId, origin, name)"],
    ),
    (
        "webauthn_sign_up_start_options",
        &["node:webauthn.signUp.start(+passkeyOptions, loginOptions)"],
    ),
    (
        "webauthn_sign_up_finish",
        &[
            "python:webauthn.sign_up_finish(tx, response)",
            "node:webauthn.signUp.finish(tx, response)",
        ],
    ),
    (
        "webauthn_sign_in_start",
        &["node:webauthn.signIn.start(loginId, origin)"],
    ),
    (
        "webauthn_sign_in_start_empty_options",
        &["python:webauthn.sign_in_start(login_id, origin)"],
    ),
    (
        "webauthn_sign_in_start_stepup",
        &["python:webauthn.sign_in_start(stepup login_options, refresh)"],
    ),
    (
        "webauthn_sign_in_start_stepup_options",
        &["node:webauthn.signIn.start(stepup, refresh, passkeyOptions)"],
    ),
    (
        "webauthn_sign_in_finish",
        &[
            "python:webauthn.sign_in_finish(tx, response)",
            "node:webauthn.signIn.finish(tx, response)",
        ],
    ),
    (
        "webauthn_sign_up_or_in_start",
        &[
            "python:webauthn.sign_up_or_in_start(login_id, origin)",
            "node:webauthn.signUpOrIn.start(loginId, origin)",
        ],
    ),
    (
        "webauthn_sign_up_or_in_start_options",
        &["node:webauthn.signUpOrIn.start(+passkeyOptions, loginOptions)"],
    ),
    (
        "webauthn_update_start",
        &[
            "python:webauthn.update_start(login_id, refresh, origin)",
            "node:webauthn.update.start(loginId, origin, refresh)",
        ],
    ),
    (
        "webauthn_update_start_mfa",
        &["python:webauthn.update_start(login_id, refresh, origin, mfa=True)"],
    ),
    (
        "webauthn_update_start_mfa_options",
        &["node:webauthn.update.start(+passkeyOptions, mfa=true)"],
    ),
    (
        "webauthn_update_finish",
        &[
            "python:webauthn.update_finish(tx, response) -> None",
            "node:webauthn.update.finish(tx, response) -> {}",
        ],
    ),
    (
        "webauthn_update_finish_mfa",
        &[
            "python:webauthn.update_finish(mfa tx, response) -> jwt",
            "node:webauthn.update.finish(mfa tx, response) -> {jwt}",
        ],
    ),
];

/// A recording client answering the WebAuthn paths like Descope (the shared canned answers
/// otherwise).
fn recording_client() -> (Client, CapturingTransport) {
    let transport = CapturingTransport::new(|request| {
        let path = request.uri.path();
        let body = if path.starts_with("/v1/auth/webauthn/") && path.ends_with("/start") {
            json!({"transactionId": "tx-1", "options": "{\"publicKey\":{}}", "create": true})
        } else if path == "/v1/auth/webauthn/update/finish" {
            let mfa = serde_json::from_slice::<Value>(&request.body)
                .is_ok_and(|b| b["transactionId"] == "tx-mfa");
            if mfa {
                json!({"jwt": jwt_body(&common::session_token(), Some(&refresh_token()))})
            } else {
                json!({})
            }
        } else {
            canned(&request.method, path).1
        };
        Ok(CapturingTransport::response(
            200,
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

fn passkey_options() -> PasskeyOptions {
    PasskeyOptions {
        authenticator_selection: Some(AuthenticatorSelection {
            authenticator_attachment: Some("platform".to_owned()),
            ..AuthenticatorSelection::default()
        }),
        attestation: Some("none".to_owned()),
        user_verification: Some("preferred".to_owned()),
    }
}

fn claims() -> LoginOptions {
    let mut claims = Map::new();
    claims.insert("k".to_owned(), json!("v"));
    LoginOptions {
        custom_claims: Some(claims),
        ..LoginOptions::default()
    }
}

/// Runs one operation; it must succeed against the canned answers.
async fn run(op: &str, client: &Client) {
    let webauthn = client.webauthn();
    let refresh = RefreshToken::new(refresh_token());
    let tx = WebAuthnTransactionId::new("tx-1");
    match op {
        "webauthn_sign_up_start" => {
            let user = SignUpUser {
                name: Some("Wa User".to_owned()),
                email: Some(LOGIN.to_owned()),
                ..SignUpUser::default()
            };
            let start = webauthn
                .sign_up_start(LOGIN, CAPTURED_ORIGIN)
                .user(user)
                .await
                .unwrap();
            assert_eq!(start.transaction_id.secret(), "tx-1");
            assert!(start.create);
        }
        "webauthn_sign_up_start_name" => drop(
            webauthn
                .sign_up_start(LOGIN, CAPTURED_ORIGIN)
                .user(SignUpUser {
                    name: Some("Wa User".to_owned()),
                    ..SignUpUser::default()
                })
                .await
                .unwrap(),
        ),
        "webauthn_sign_up_start_options" => drop(
            webauthn
                .sign_up_start("wa-user2@example.com", CAPTURED_ORIGIN)
                .user(SignUpUser {
                    name: Some("Wa User2".to_owned()),
                    ..SignUpUser::default()
                })
                .login_options(claims())
                .passkey_options(passkey_options())
                .await
                .unwrap(),
        ),
        "webauthn_sign_up_finish" => drop(webauthn.sign_up_finish(&tx, CREDENTIAL).await.unwrap()),
        "webauthn_sign_in_start" => drop(
            webauthn
                .sign_in_start(LOGIN, CAPTURED_ORIGIN)
                .await
                .unwrap(),
        ),
        "webauthn_sign_in_start_empty_options" => drop(
            webauthn
                .sign_in_start(LOGIN, CAPTURED_ORIGIN)
                .login_options(LoginOptions::default())
                .await
                .unwrap(),
        ),
        "webauthn_sign_in_start_stepup" => drop(
            webauthn
                .sign_in_start(LOGIN, CAPTURED_ORIGIN)
                .step_up(&refresh)
                .await
                .unwrap(),
        ),
        "webauthn_sign_in_start_stepup_options" => drop(
            webauthn
                .sign_in_start(LOGIN, CAPTURED_ORIGIN)
                .step_up(&refresh)
                .passkey_options(passkey_options())
                .await
                .unwrap(),
        ),
        "webauthn_sign_in_finish" => drop(webauthn.sign_in_finish(&tx, CREDENTIAL).await.unwrap()),
        "webauthn_sign_up_or_in_start" => drop(
            webauthn
                .sign_up_or_in_start(LOGIN, CAPTURED_ORIGIN)
                .await
                .unwrap(),
        ),
        "webauthn_sign_up_or_in_start_options" => drop(
            webauthn
                .sign_up_or_in_start(LOGIN, CAPTURED_ORIGIN)
                .login_options(claims())
                .passkey_options(passkey_options())
                .await
                .unwrap(),
        ),
        "webauthn_update_start" => drop(
            webauthn
                .update_start(LOGIN, CAPTURED_ORIGIN, &refresh)
                .await
                .unwrap(),
        ),
        "webauthn_update_start_mfa" => drop(
            webauthn
                .update_start(LOGIN, CAPTURED_ORIGIN, &refresh)
                .mfa(true)
                .await
                .unwrap(),
        ),
        "webauthn_update_start_mfa_options" => drop(
            webauthn
                .update_start(LOGIN, CAPTURED_ORIGIN, &refresh)
                .passkey_options(passkey_options())
                .mfa(true)
                .await
                .unwrap(),
        ),
        "webauthn_update_finish" => {
            let session = webauthn
                .update_finish(&tx, r#"{"id":"cred-2"}"#)
                .await
                .unwrap();
            assert!(session.is_none());
        }
        "webauthn_update_finish_mfa" => {
            let session = webauthn
                .update_finish(&WebAuthnTransactionId::new("tx-mfa"), r#"{"id":"cred-2"}"#)
                .await
                .unwrap();
            assert!(session.is_some());
        }
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_webauthn_operation_matches_its_snapshot_and_the_official_sdks() {
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
    // Every captured WebAuthn call is matched by one of the operations above.
    let matched: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    let missing: Vec<&String> = captures
        .keys()
        .filter(|label| label.contains(":webauthn."))
        .filter(|label| !matched.contains(&label.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "unmatched WebAuthn captures: {missing:?}"
    );
}

#[tokio::test]
async fn arguments_are_checked_before_any_request() {
    let (client, transport) = recording_client();
    let webauthn = client.webauthn();
    let tx = WebAuthnTransactionId::new("tx-1");
    let argument = |e: descope_flows::Error| e.invalid_argument();
    use descope_flows::Argument;
    assert_eq!(
        argument(webauthn.sign_up_start("", ORIGIN).await.unwrap_err()),
        Some(Argument::LoginId)
    );
    assert_eq!(
        argument(webauthn.sign_in_start(LOGIN, " ").await.unwrap_err()),
        Some(Argument::Origin)
    );
    assert_eq!(
        argument(
            webauthn
                .sign_in_start(LOGIN, ORIGIN)
                .login_options(LoginOptions::stepup())
                .await
                .unwrap_err()
        ),
        Some(Argument::RefreshToken)
    );
    assert_eq!(
        argument(
            webauthn
                .sign_in_finish(&WebAuthnTransactionId::new(""), CREDENTIAL)
                .await
                .unwrap_err()
        ),
        Some(Argument::TransactionId)
    );
    assert_eq!(
        argument(webauthn.sign_up_finish(&tx, "").await.unwrap_err()),
        Some(Argument::Credential)
    );
    assert_eq!(
        argument(
            webauthn
                .update_start(LOGIN, ORIGIN, &RefreshToken::new(""))
                .await
                .unwrap_err()
        ),
        Some(Argument::RefreshToken)
    );
    assert!(transport.requests().is_empty());
}

#[tokio::test]
async fn a_start_answer_without_a_transaction_is_a_decode_error() {
    let transport = CapturingTransport::new(|_| {
        Ok(CapturingTransport::response(
            200,
            br#"{"options":"{}","create":true}"#.to_vec(),
        ))
    });
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport)
        .build()
        .unwrap();
    let error = client
        .webauthn()
        .sign_up_start(LOGIN, ORIGIN)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
}

// End to end, against the emulator.

/// Sign-up start → the authenticator creates → finish: a session whose `amr` is webauthn;
/// then sign-in start → assertion → finish.
async fn passkey_sign_up_then_sign_in(kind: Backend) {
    let s = setup(kind).await;
    let webauthn = s.client.webauthn();
    let mut authenticator = SoftAuthenticator::new();
    let start = webauthn
        .sign_up_start("ada-passkey@example.com", ORIGIN)
        .user(SignUpUser {
            name: Some("Ada".to_owned()),
            ..SignUpUser::default()
        })
        .await
        .unwrap();
    assert!(start.create);
    let credential = authenticator.create(&start.options, ORIGIN).await.unwrap();
    let info = webauthn
        .sign_up_finish(&start.transaction_id, credential.clone())
        .await
        .unwrap();
    assert_eq!(info.session.amr(), ["webauthn"]);
    assert!(info.first_seen);
    let user = info.user.clone().unwrap();
    assert_eq!(user.webauthn, Some(true));
    assert_eq!(user.name.as_deref(), Some("Ada"));

    // The finish spends the transaction.
    let again = webauthn
        .sign_up_finish(&start.transaction_id, credential)
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(401));

    let start = webauthn
        .sign_in_start("ada-passkey@example.com", ORIGIN)
        .await
        .unwrap();
    assert!(!start.create);
    let assertion = authenticator.get(&start.options, ORIGIN).await.unwrap();
    let signed_in = webauthn
        .sign_in_finish(&start.transaction_id, assertion)
        .await
        .unwrap();
    assert_eq!(signed_in.session.amr(), ["webauthn"]);
    assert_eq!(signed_in.session.user_id(), info.session.user_id());
    assert!(!signed_in.first_seen);
}

/// Update with the refresh token adds a second passkey; both then sign in. With `.mfa(true)`
/// the finish answers with a session adding webauthn to the signed-in session's amr.
async fn passkey_update_adds_a_second_passkey(kind: Backend) {
    let s = setup(kind).await;
    let webauthn = s.client.webauthn();
    let login = "grace-passkey@example.com";
    let mut first = SoftAuthenticator::new();
    let start = webauthn.sign_up_start(login, ORIGIN).await.unwrap();
    let credential = first.create(&start.options, ORIGIN).await.unwrap();
    let info = webauthn
        .sign_up_finish(&start.transaction_id, credential)
        .await
        .unwrap();

    let mut second = SoftAuthenticator::new();
    let start = webauthn
        .update_start(login, ORIGIN, info.refresh_token())
        .await
        .unwrap();
    assert!(start.create);
    let credential = second.create(&start.options, ORIGIN).await.unwrap();
    let session = webauthn
        .update_finish(&start.transaction_id, credential)
        .await
        .unwrap();
    assert!(session.is_none());

    for authenticator in [&mut first, &mut second] {
        let start = webauthn.sign_in_start(login, ORIGIN).await.unwrap();
        let assertion = authenticator.get(&start.options, ORIGIN).await.unwrap();
        let signed_in = webauthn
            .sign_in_finish(&start.transaction_id, assertion)
            .await
            .unwrap();
        assert_eq!(signed_in.session.user_id(), info.session.user_id());
    }

    let mut third = SoftAuthenticator::new();
    let start = webauthn
        .update_start(login, ORIGIN, info.refresh_token())
        .mfa(true)
        .await
        .unwrap();
    let credential = third.create(&start.options, ORIGIN).await.unwrap();
    let session = webauthn
        .update_finish(&start.transaction_id, credential)
        .await
        .unwrap()
        .expect("an MFA update answers with a session");
    assert_eq!(session.session.amr(), ["webauthn"]);
    assert_eq!(session.session.user_id(), info.session.user_id());
}

/// Sign-up-or-in creates for a new login id, signs in for a known one; step-up keeps the
/// prior session's amr.
async fn passkey_sign_up_or_in_and_step_up(kind: Backend) {
    let s = setup(kind).await;
    let webauthn = s.client.webauthn();
    let login = "either-passkey@example.com";
    let mut authenticator = SoftAuthenticator::new();
    let start = webauthn
        .sign_up_or_in_start(login, ORIGIN)
        .login_options(claims())
        .await
        .unwrap();
    assert!(start.create);
    let credential = authenticator.create(&start.options, ORIGIN).await.unwrap();
    let info = webauthn
        .sign_up_finish(&start.transaction_id, credential)
        .await
        .unwrap();
    assert_eq!(info.session.claim("k"), Some(&json!("v")));

    let start = webauthn.sign_up_or_in_start(login, ORIGIN).await.unwrap();
    assert!(!start.create);
    let assertion = authenticator.get(&start.options, ORIGIN).await.unwrap();
    let again = webauthn
        .sign_in_finish(&start.transaction_id, assertion)
        .await
        .unwrap();

    let start = webauthn
        .sign_in_start(login, ORIGIN)
        .step_up(again.refresh_token())
        .await
        .unwrap();
    let assertion = authenticator.get(&start.options, ORIGIN).await.unwrap();
    let stepped = webauthn
        .sign_in_finish(&start.transaction_id, assertion)
        .await
        .unwrap();
    assert_eq!(stepped.session.amr(), ["webauthn"]);

    // A credential made on another page is refused, Descope-shaped.
    let start = webauthn.sign_in_start(login, ORIGIN).await.unwrap();
    let assertion = authenticator
        .get(&start.options, "http://localhost:4000")
        .await
        .unwrap();
    let error = webauthn
        .sign_in_finish(&start.transaction_id, assertion)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.code(), Some(&ErrorCode::InvalidArguments));
}

over_both_backends!(
    passkey_sign_up_then_sign_in,
    passkey_update_adds_a_second_passkey,
    passkey_sign_up_or_in_and_step_up,
);
