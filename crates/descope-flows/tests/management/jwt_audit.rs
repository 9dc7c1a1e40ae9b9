//! JWT, audit and login-history operations: an insta snapshot of each one's requests and a
//! check against what the official Python and Node SDKs send.

use std::time::{Duration, UNIX_EPOCH};

use descope_flows::Client;
use descope_types::{AuditEventType, SessionToken};
use serde_json::{Value, json};

use crate::common::captures::*;
use crate::common::{JWKS, Seen, TENANT_ID, jwt_body, refresh_token, seen, session_token};
use crate::{canned, recording_client_with};

const USER: &str = "mgmt-user@example.com";

/// The canned answers of these areas (the rest as the users tests answer).
fn answer(path: &str) -> (u16, Value) {
    match path {
        p if p.starts_with("/v2/keys/") => (200, serde_json::from_str(JWKS).unwrap()),
        "/v1/mgmt/jwt/update" | "/v1/mgmt/impersonate" | "/v1/mgmt/stop/impersonation" => {
            (200, json!({ "jwt": session_token() }))
        }
        "/v1/mgmt/auth/signin" | "/v1/mgmt/auth/signup" | "/v1/mgmt/auth/signup-in" => {
            (200, jwt_body(&session_token(), Some(&refresh_token())))
        }
        "/v1/mgmt/audit/search" => (
            200,
            json!({"audits": [{
                "projectId": "P2oracleProject0001", "userId": "U2oracleUser0001",
                "action": "LoginSucceed", "occurred": "1704067200123", "device": "Desktop",
                "method": "otp", "geo": "US", "remoteAddress": "127.0.0.1",
                "externalIds": [USER], "tenants": [TENANT_ID], "data": {"k": "v"},
            }], "total": 1}),
        ),
        "/v1/mgmt/audit/event" => (200, json!({})),
        "/v1/mgmt/user/history" => (
            200,
            json!([{"userId": "U2b603f5e19cf95cc407cbd52bfa", "loginTime": 1704067200,
                    "city": "", "country": "US", "ip": "127.0.0.1"}]),
        ),
        other => canned(other),
    }
}

const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "jwt_update_all",
        &[
            "python:mgmt.jwt.update_jwt(jwt, claims, refresh_duration)",
            "node:management.jwt.update(jwt, claims, refreshDuration)",
        ],
    ),
    (
        "jwt_update_claims",
        &[
            "python:mgmt.jwt.update_jwt(jwt, claims)",
            "node:management.jwt.update(jwt, claims)",
        ],
    ),
    (
        "impersonate_all",
        &["node:management.jwt.impersonate(all options)"],
    ),
    (
        "impersonate_minimal",
        &[
            "python:mgmt.jwt.impersonate(minimal)",
            "node:management.jwt.impersonate(minimal)",
        ],
    ),
    (
        "stop_impersonation",
        &[
            "python:mgmt.jwt.stop_impersonation(jwt, all options)",
            "node:management.jwt.stopImpersonation(jwt, all options)",
        ],
    ),
    (
        "sign_in_minimal",
        &[
            "python:mgmt.jwt.sign_in(login_id)",
            "node:management.jwt.signIn(loginId)",
        ],
    ),
    (
        "sign_in_all",
        &[
            "python:mgmt.jwt.sign_in(login_id, MgmtLoginOptions(all))",
            "node:management.jwt.signIn(loginId, loginOptions{all})",
        ],
    ),
    (
        "sign_up_all",
        &["node:management.jwt.signUp(loginId, user, options)"],
    ),
    ("sign_up_minimal", &["node:management.jwt.signUp(loginId)"]),
    (
        "sign_up_or_in",
        &[
            "python:mgmt.jwt.sign_up_or_in(login_id, user, options)",
            "node:management.jwt.signUpOrIn(loginId, user, options)",
        ],
    ),
    (
        "audit_search_all",
        &[
            "python:mgmt.audit.search()",
            "node:management.audit.search({})",
        ],
    ),
    (
        "audit_search_filters",
        &[
            "python:mgmt.audit.search(all options)",
            "node:management.audit.search(options{all})",
        ],
    ),
    (
        "audit_event_all",
        &[
            "python:mgmt.audit.create_event(all fields)",
            "node:management.audit.createEvent(all fields)",
        ],
    ),
    (
        "audit_event_required",
        &[
            "python:mgmt.audit.create_event(required)",
            "node:management.audit.createEvent(required)",
        ],
    ),
    (
        "user_history",
        &[
            "python:mgmt.user.history([user_ids])",
            "node:management.user.history([userIds])",
        ],
    ),
];

/// Runs one operation; it must succeed against the canned answers.
async fn run(op: &str, client: &Client) {
    let management = client.management();
    let jwt = management.jwt();
    let audit = management.audit();
    let token = SessionToken::new(session_token());
    match op {
        "jwt_update_all" => {
            let session = jwt
                .update(&token)
                .custom_claim("k", "v")
                .refresh_duration(3600)
                .await
                .unwrap();
            assert_eq!(session.user_id(), "U1");
        }
        "jwt_update_claims" => {
            jwt.update(&token).custom_claim("k", "v").await.unwrap();
        }
        "impersonate_all" => {
            jwt.impersonate("U2impersonator", USER)
                .validate_consent(true)
                .custom_claim("k", "v")
                .selected_tenant(TENANT_ID)
                .refresh_duration(600)
                .await
                .unwrap();
        }
        "impersonate_minimal" => {
            jwt.impersonate("U2impersonator", USER).await.unwrap();
        }
        "stop_impersonation" => {
            jwt.stop_impersonation(&token)
                .custom_claim("k", "v")
                .selected_tenant(TENANT_ID)
                .refresh_duration(600)
                .await
                .unwrap();
        }
        "sign_in_minimal" => {
            let info = jwt.sign_in(USER).await.unwrap();
            assert_eq!(info.session.user_id(), "U1");
        }
        "sign_in_all" => {
            jwt.sign_in(USER)
                .stepup(true)
                .mfa(false)
                .revoke_other_sessions(true)
                .custom_claim("k", "v")
                .jwt(&token)
                .refresh_duration(600)
                .await
                .unwrap();
        }
        "sign_up_all" => {
            jwt.sign_up("jwt-new@example.com")
                .name("Jwt New")
                .given_name("Jwt")
                .middle_name("N")
                .family_name("New")
                .phone("+15555550141")
                .email("jwt-new@example.com")
                .email_verified(true)
                .phone_verified(false)
                .sso_app_id("app-1")
                .custom_claim("k", "v")
                .refresh_duration(600)
                .await
                .unwrap();
        }
        "sign_up_minimal" => {
            jwt.sign_up("jwt-min@example.com").await.unwrap();
        }
        "sign_up_or_in" => {
            jwt.sign_up_or_in("jwt-new@example.com")
                .name("Jwt New")
                .email("jwt-new@example.com")
                .custom_claim("k", "v")
                .await
                .unwrap();
        }
        "audit_search_all" => {
            let page = audit.search().await.unwrap();
            assert_eq!(page.total, 1);
            assert_eq!(page.audits[0].occurred, 1_704_067_200_123);
            assert_eq!(page.audits[0].external_ids, [USER]);
        }
        "audit_search_filters" => {
            audit
                .search()
                .user_ids(["U2oracleUser0001"])
                .actions(["LoginSucceed"])
                .excluded_actions(["LoginFailed"])
                .devices(["Desktop"])
                .methods(["otp"])
                .geos(["US"])
                .remote_addresses(["127.0.0.1"])
                .login_ids([USER])
                .tenants([TENANT_ID])
                .no_tenants(false)
                .text("login")
                .from(UNIX_EPOCH + Duration::from_millis(1_704_067_200_000))
                .to(UNIX_EPOCH + Duration::from_millis(1_893_456_000_000))
                .await
                .unwrap();
        }
        "audit_event_all" => {
            audit
                .create_event("CustomAction", AuditEventType::Info, "U2actor", TENANT_ID)
                .user_id("U2oracleUser0001")
                .data("k", "v")
                .await
                .unwrap();
        }
        "audit_event_required" => {
            audit
                .create_event("CustomAction", AuditEventType::Warn, "U2actor", TENANT_ID)
                .await
                .unwrap();
        }
        "user_history" => {
            let history = management
                .users()
                .history(["U2b603f5e19cf95cc407cbd52bfa", "U2other"])
                .await
                .unwrap();
            assert_eq!(history.len(), 1);
            assert_eq!(history[0].ip, "127.0.0.1");
        }
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_jwt_audit_history_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = recording_client_with(answer);
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        assert_eq!(seen[0].path, LICENSE_PATH, "{op}: the license comes first");
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every JWT, audit and history capture label is checked above, so a new capture cannot go
/// unnoticed.
#[test]
fn every_jwt_audit_history_capture_is_covered() {
    // Python-only shapes this client does not send: `stepup` on impersonate (Node has a
    // separate `/v1/mgmt/impersonate/stepup` call), and the user's verified flags repeated
    // at the top level of a sign-up (this client sends them once, in `user`, as Node does),
    // and a `user` of nulls on a sign-up without details (this client leaves it out).
    const NOT_COVERED: &[&str] = &[
        "python:mgmt.jwt.sign_up(login_id)",
        "python:mgmt.jwt.impersonate(all options)",
        "python:mgmt.jwt.sign_up(login_id, user, options)",
    ];
    let captures = load_captures();
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    let missing: Vec<&String> = captures
        .iter()
        .filter(|(_, requests)| {
            requests.iter().any(|c| {
                c.path.starts_with("/v1/mgmt/jwt")
                    || c.path.starts_with("/v1/mgmt/impersonate")
                    || c.path.starts_with("/v1/mgmt/stop/impersonation")
                    || c.path.starts_with("/v1/mgmt/auth/")
                    || c.path.starts_with("/v1/mgmt/audit/")
                    || c.path == "/v1/mgmt/user/history"
            })
        })
        .map(|(label, _)| label)
        .filter(|label| {
            !covered.contains(&label.as_str()) && !NOT_COVERED.contains(&label.as_str())
        })
        .collect();
    assert!(missing.is_empty(), "not covered: {missing:#?}");
}
