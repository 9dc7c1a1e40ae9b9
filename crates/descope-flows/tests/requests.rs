//! For every operation: an insta snapshot of the exact request(s), and a check against what
//! the official Python and Node SDKs send (tests/fixtures/wire-captures at the repo root).

mod common;

use common::captures::*;
use common::*;
use descope_flows::Client;
use descope_types::{
    AccessKey, AccessKeyLoginOptions, ExchangeCode, IdToken, LoginOptions, NativeUser,
    NativeUserName, RefreshToken, SessionToken, SignUpUser, TotpCode,
};
use serde_json::json;

const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";

/// Every operation, with the capture labels of the official SDK calls that must send the
/// same request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "oauth_start",
        &[
            "python:oauth.start(google, return_url)",
            "node:oauth.start(google, redirectUrl)",
            "node:oauth.start.google(redirectUrl)",
        ],
    ),
    (
        "oauth_start_no_redirect",
        &[
            "python:oauth.start(google, no return_url)",
            "node:oauth.start(google, no redirectUrl)",
        ],
    ),
    (
        "oauth_start_login_hint",
        &["node:oauth.start(google, redirect, -, -, loginHint)"],
    ),
    (
        "oauth_start_stepup",
        &[
            "python:oauth.start(google, stepup login_options, refresh)",
            "node:oauth.start(google, stepup loginOptions, refresh)",
        ],
    ),
    ("oauth_sign_up", &[]),
    ("oauth_sign_in", &[]),
    ("oauth_update_user", &[]),
    (
        "oauth_exchange",
        &[
            "python:oauth.exchange_token(code)",
            "node:oauth.exchange(code)",
        ],
    ),
    (
        "native_start",
        &["node:oauth.startNative(google, {}, false)"],
    ),
    (
        "native_start_implicit",
        &["node:oauth.startNative(google, undefined, true)"],
    ),
    (
        "native_finish",
        &["node:oauth.finishNative(google, stateId, user, code, idToken)"],
    ),
    ("sso_start", &["python:sso.start(tenant, return_url)"]),
    (
        "sso_start_all_options",
        &["python:sso.start(tenant, all options)"],
    ),
    (
        "sso_start_mfa",
        &["python:sso.start(tenant, mfa login_options, refresh)"],
    ),
    ("sso_exchange", &["python:sso.exchange_token(code)"]),
    (
        "saml_start",
        &[
            "python:saml.start(tenant, return_url)",
            "node:saml.start(tenant, redirectUrl)",
            "node:sso.start(tenant, redirectUrl)",
        ],
    ),
    (
        "saml_start_all_options",
        &["node:sso.start(tenant, all options)"],
    ),
    (
        "saml_start_mfa",
        &["node:sso.start(tenant, mfa loginOptions, refresh)"],
    ),
    (
        "saml_exchange",
        &[
            "python:saml.exchange_token(code)",
            "node:saml.exchange(code)",
            "node:sso.exchange(code)",
        ],
    ),
    (
        "totp_sign_up",
        &[
            "python:totp.sign_up(login_id, user)",
            "node:totp.signUp(loginId, user)",
        ],
    ),
    ("totp_verify", &["node:totp.verify(loginId, code)"]),
    (
        "totp_verify_empty_options",
        &["python:totp.sign_in_code(login_id, code)"],
    ),
    (
        "totp_verify_stepup",
        &[
            "python:totp.sign_in_code(stepup, refresh)",
            "node:totp.verify(stepup, refresh)",
        ],
    ),
    (
        "totp_update",
        &[
            "python:totp.update_user(login_id, refresh)",
            "node:totp.update(loginId, refresh)",
        ],
    ),
    (
        "refresh",
        &[
            "python:refresh_session(refresh)",
            "node:refreshSession(refresh)",
            "node:refresh(refresh) [raw core call]",
        ],
    ),
    (
        "validate_and_refresh",
        &[
            "python:validate_and_refresh_session(bad session -> refresh)",
            "node:validateAndRefreshSession(bad session -> refresh)",
        ],
    ),
    (
        "logout",
        &["python:logout(refresh)", "node:logout(refresh)"],
    ),
    (
        "logout_all",
        &["python:logout_all(refresh)", "node:logoutAll(refresh)"],
    ),
    ("me", &["python:me(refresh)", "node:me(refresh)"]),
    (
        "select_tenant",
        &[
            "python:select_tenant(T, refresh) [extra]",
            "node:selectTenant(T, refresh) [extra]",
        ],
    ),
    (
        "my_tenants_current",
        &[
            "python:my_tenants(dct=True) [extra]",
            "node:myTenants(true, refresh) [extra]",
        ],
    ),
    (
        "my_tenants_ids",
        &[
            "python:my_tenants(ids=[T]) [extra]",
            "node:myTenants([T], refresh) [extra]",
        ],
    ),
    (
        "history",
        &[
            "python:history(refresh) [extra]",
            "node:history(refresh) [extra]",
        ],
    ),
    ("exchange_access_key", &[]),
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

/// Runs one operation; it must succeed against the canned answers.
async fn run(op: &str, client: &Client) {
    let code = ExchangeCode::new("oauth-code-123");
    let totp = TotpCode::new("123456");
    let oauth = client.oauth();
    match op {
        "oauth_start" => drop(oauth.start("google").redirect_url(REDIRECT).await.unwrap()),
        "oauth_start_no_redirect" => drop(oauth.start("google").await.unwrap()),
        "oauth_start_login_hint" => drop(
            oauth
                .start("google")
                .redirect_url(REDIRECT)
                .login_hint("ada@example.com")
                .await
                .unwrap(),
        ),
        "oauth_start_stepup" => drop(
            oauth
                .start("google")
                .redirect_url(REDIRECT)
                .login_options(claims())
                .step_up(&refresh())
                .await
                .unwrap(),
        ),
        "oauth_sign_up" => drop(
            oauth
                .start_sign_up("google")
                .redirect_url(REDIRECT)
                .await
                .unwrap(),
        ),
        "oauth_sign_in" => drop(
            oauth
                .start_sign_in("google")
                .redirect_url(REDIRECT)
                .await
                .unwrap(),
        ),
        "oauth_update_user" => drop(
            oauth
                .start_update_user("google", &refresh())
                .redirect_url(REDIRECT)
                .allow_all_merge(true)
                .await
                .unwrap(),
        ),
        "oauth_exchange" => drop(oauth.exchange(&code).await.unwrap()),
        "native_start" => drop(
            oauth
                .start_native("google")
                .login_options(LoginOptions::default())
                .implicit(false)
                .await
                .unwrap(),
        ),
        "native_start_implicit" => drop(oauth.start_native("google").implicit(true).await.unwrap()),
        "native_finish" => {
            let user = NativeUser {
                name: Some(NativeUserName {
                    first_name: Some("Native".to_owned()),
                    middle_name: None,
                    last_name: Some("User".to_owned()),
                }),
                email: Some("native-user@example.com".to_owned()),
            };
            oauth
                .finish_native("google", "state-1")
                .user(&user)
                .code(&ExchangeCode::new("native-code"))
                .id_token(&IdToken::new("native-id-token"))
                .await
                .unwrap();
        }
        "sso_start" => drop(
            client
                .sso()
                .start(TENANT_ID)
                .redirect_url(REDIRECT)
                .await
                .unwrap(),
        ),
        "sso_start_all_options" => drop(
            client
                .sso()
                .start(TENANT_ID)
                .redirect_url(REDIRECT)
                .prompt("login")
                .sso_id("sso-config-1")
                .login_hint("ada@example.com")
                .force_authn(true)
                .await
                .unwrap(),
        ),
        "sso_start_mfa" => drop(
            client
                .sso()
                .start(TENANT_ID)
                .redirect_url(REDIRECT)
                .mfa(&refresh())
                .await
                .unwrap(),
        ),
        "sso_exchange" => drop(
            client
                .sso()
                .exchange(&ExchangeCode::new("sso-code-123"))
                .await
                .unwrap(),
        ),
        "saml_start" => drop(
            client
                .saml()
                .start(TENANT_ID)
                .redirect_url(REDIRECT)
                .await
                .unwrap(),
        ),
        "saml_start_all_options" => drop(
            client
                .saml()
                .start(TENANT_ID)
                .redirect_url(REDIRECT)
                .sso_id("sso-config-1")
                .login_hint("ada@example.com")
                .force_authn(true)
                .await
                .unwrap(),
        ),
        "saml_start_mfa" => drop(
            client
                .saml()
                .start(TENANT_ID)
                .redirect_url(REDIRECT)
                .mfa(&refresh())
                .await
                .unwrap(),
        ),
        "saml_exchange" => drop(
            client
                .saml()
                .exchange(&ExchangeCode::new("saml-code-123"))
                .await
                .unwrap(),
        ),
        "totp_sign_up" => {
            let user = SignUpUser {
                name: Some("Totp User".to_owned()),
                email: Some("totp-user@example.com".to_owned()),
                phone: Some("+15555550100".to_owned()),
                ..SignUpUser::default()
            };
            let enrollment = client
                .totp()
                .sign_up("totp-user@example.com")
                .user(user)
                .await
                .unwrap();
            assert!(enrollment.image.starts_with(b"\x89PNG"));
        }
        "totp_verify" => drop(
            client
                .totp()
                .verify("totp-user@example.com", &totp)
                .await
                .unwrap(),
        ),
        "totp_verify_empty_options" => drop(
            client
                .totp()
                .verify("totp-user@example.com", &totp)
                .login_options(LoginOptions::default())
                .await
                .unwrap(),
        ),
        "totp_verify_stepup" => drop(
            client
                .totp()
                .verify("totp-user@example.com", &TotpCode::new("654321"))
                .step_up(&refresh())
                .await
                .unwrap(),
        ),
        "totp_update" => drop(
            client
                .totp()
                .update_user("totp-user@example.com", &refresh())
                .await
                .unwrap(),
        ),
        "refresh" => {
            let info = client.refresh(&refresh()).await.unwrap();
            // No rotation in the answer: the sent refresh token is kept.
            assert_eq!(info.refresh_token(), &refresh());
        }
        "validate_and_refresh" => {
            let expired = SessionToken::new(token("DS", json!({"exp": IAT})));
            let status = client
                .validate_and_refresh(&expired, &refresh())
                .await
                .unwrap();
            assert!(matches!(status, descope_flows::SessionStatus::Refreshed(_)));
        }
        "logout" => drop(client.logout(&refresh()).await.unwrap()),
        "logout_all" => drop(client.logout_all(&refresh()).await.unwrap()),
        "me" => drop(client.me(&refresh()).await.unwrap()),
        "select_tenant" => drop(client.select_tenant(TENANT_ID, &refresh()).await.unwrap()),
        "my_tenants_current" => drop(client.my_tenants(&refresh()).await.unwrap()),
        "my_tenants_ids" => drop(
            client
                .my_tenants(&refresh())
                .ids([TENANT_ID])
                .await
                .unwrap(),
        ),
        "history" => drop(client.history(&refresh()).await.unwrap()),
        "exchange_access_key" => {
            let options = AccessKeyLoginOptions {
                custom_claims: None,
                selected_tenant: Some(TENANT_ID.to_owned()),
            };
            client
                .exchange_access_key(&AccessKey::new("K1:access-key-secret"))
                .login_options(options)
                .await
                .unwrap();
        }
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_operation_matches_its_snapshot_and_the_official_sdks() {
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
}
