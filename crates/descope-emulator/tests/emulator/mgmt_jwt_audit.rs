//! Management JWT, audit and login history: the official SDKs' captured requests replayed,
//! and the audit trail recording what the sign-in side served.

use descope_emulator::{
    DEMO_MANAGEMENT_KEY, EmulatorConfig, Seed, SeedTenant, SeedUser, SeedUserTenant,
};
use serde_json::{Value, json};

use crate::common::*;

fn is_ours(path: &str) -> bool {
    path.starts_with("/v1/mgmt/jwt/")
        || path.starts_with("/v1/mgmt/impersonate")
        || path == "/v1/mgmt/stop/impersonation"
        || path.starts_with("/v1/mgmt/auth/")
        || path.starts_with("/v1/mgmt/audit/")
        || path == "/v1/mgmt/user/history"
}

/// The captures' project and key, the user they impersonate (in their tenant) and an
/// impersonator holding the `Impersonate` permission under the user id they name.
async fn oracle_env() -> Env {
    let mut seed = Seed::demo();
    seed.tenants.push(SeedTenant {
        id: TENANT.to_owned(),
        name: "Oracle".to_owned(),
        ..SeedTenant::default()
    });
    seed.users.push(SeedUser {
        login_id: "mgmt-user@example.com".to_owned(),
        tenants: vec![SeedUserTenant {
            tenant_id: TENANT.to_owned(),
            roles: Vec::new(),
        }],
        ..SeedUser::default()
    });
    seed.users.push(SeedUser {
        login_id: "impersonator@example.com".to_owned(),
        user_id: Some("U2impersonator".to_owned()),
        roles: vec!["support".to_owned()],
        // Stopping an impersonation keeps the selected tenant: the impersonator is in it.
        tenants: vec![SeedUserTenant {
            tenant_id: TENANT.to_owned(),
            roles: Vec::new(),
        }],
        ..SeedUser::default()
    });
    seed.management_keys[0].key = descope_types::ManagementKey::new(ORACLE_KEY);
    start_with(EmulatorConfig {
        project_id: PROJECT.to_owned(),
        seed,
        ..EmulatorConfig::default()
    })
    .await
}

/// Replays the SDK's captured JWT, audit and history requests in order with the captures'
/// headers; the captured JWTs (signed by the recording server) are swapped for live ones.
async fn replay(name: &str) {
    let env = oracle_env().await;
    let mut replayed = 0;
    for line in capture(name) {
        let (Some(method), Some(path)) = (line["method"].as_str(), line["path"].as_str()) else {
            continue;
        };
        if line["type"] != "request" || !is_ours(path) {
            continue;
        }
        let mut body = line["body"].clone();
        if body.get("jwt").is_some_and(Value::is_string) {
            let live = if path == "/v1/mgmt/stop/impersonation" {
                let (status, answer) = env
                    .post(
                        "/v1/mgmt/impersonate",
                        Some(ORACLE_KEY),
                        json!({"impersonatorId": "U2impersonator",
                               "loginId": "mgmt-user@example.com"}),
                    )
                    .await;
                assert_eq!(status, 200, "{answer}");
                str_of(&answer, "jwt").to_owned()
            } else {
                let (status, answer) = env
                    .post(
                        "/v1/mgmt/auth/signin",
                        Some(ORACLE_KEY),
                        json!({"loginId": "mgmt-user@example.com"}),
                    )
                    .await;
                assert_eq!(status, 200, "{answer}");
                str_of(&answer, "sessionJwt").to_owned()
            };
            body["jwt"] = Value::from(live);
        }
        let mut request = env.http.request(method.parse().unwrap(), env.url(path));
        for (header, value) in line["headers"].as_object().unwrap() {
            let lower = header.to_ascii_lowercase();
            if !["host", "content-length", "connection", "accept-encoding"]
                .contains(&lower.as_str())
            {
                request = request.header(header.as_str(), value.as_str().unwrap());
            }
        }
        let response = request.body(body.to_string()).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let answer: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{name} {path}: not JSON: {text}"));
        assert!(
            status.is_success(),
            "{name} seq {}: {path}: {status} {answer}",
            line["seq"]
        );
        let expected: &[&str] = match path {
            "/v1/mgmt/jwt/update" | "/v1/mgmt/impersonate" | "/v1/mgmt/stop/impersonation" => {
                &["jwt"]
            }
            "/v1/mgmt/audit/search" => &["audits", "total"],
            "/v1/mgmt/audit/event" => &[],
            "/v1/mgmt/user/history" => {
                assert!(answer.is_array(), "{path}: {answer}");
                replayed += 1;
                continue;
            }
            _ => &["sessionJwt", "refreshJwt", "user", "cookiePath"],
        };
        for key in expected {
            assert!(
                answer.get(key).is_some(),
                "{name} {path}: no {key} in {answer}"
            );
        }
        let claimed = body.get("customClaims").is_some_and(Value::is_object);
        if let Some(jwt) = answer
            .get("jwt")
            .and_then(Value::as_str)
            .filter(|_| claimed)
        {
            let claims = env.verify(jwt).await;
            assert_eq!(claims["k"], "v", "{path}: custom claims");
        }
        replayed += 1;
    }
    assert!(replayed >= 14, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_jwt_audit_history_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_jwt_audit_history_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn the_audit_trail_records_sign_ins_refreshes_logouts_and_failures() {
    let env = start().await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt").to_owned();
    let (status, _) = env
        .post("/v1/auth/refresh", Some(&refresh), json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = env.post("/v1/auth/logout", Some(&refresh), json!({})).await;
    assert_eq!(status, 200);
    // A wrong OTP code (the real one with its last digit changed): a failed sign-in.
    let (status, _) = env
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "ada@example.com"}),
        )
        .await;
    assert_eq!(status, 200);
    let message = env.outbox(Some("ada@example.com")).await.pop().unwrap();
    let code = str_of(&message, "code");
    let last = if code.ends_with('0') { "1" } else { "0" };
    let wrong = format!("{}{last}", &code[..code.len() - 1]);
    let (status, _) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "ada@example.com", "code": wrong}),
        )
        .await;
    assert_eq!(status, 401);
    let (status, search) = env
        .post(
            "/v1/mgmt/audit/search",
            Some(DEMO_MANAGEMENT_KEY),
            json!({"externalIds": ["ada@example.com"]}),
        )
        .await;
    assert_eq!(status, 200, "{search}");
    let actions: Vec<&str> = search["audits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    // Newest first; occurred is a string of milliseconds.
    assert_eq!(
        actions,
        ["LoginFailed", "Logout", "UserRefresh", "LoginSucceed"],
        "{search}"
    );
    assert!(search["audits"][0]["occurred"].is_string());
    assert_eq!(search["audits"][3]["method"], "oauth");
    // The first sign-in is marked; the refresh after it is not a sign-in at all.
    assert_eq!(search["audits"][3]["data"]["firstSeen"], true, "{search}");
    assert!(search["audits"][2]["data"].get("firstSeen").is_none());
    assert_eq!(search["total"], json!(actions.len()));
    assert_eq!(search["audits"][0]["method"], "otp");
    assert!(search["audits"][0]["data"]["error_message"].is_string());
    // A search by action and time: nothing before the epoch's first second.
    let (_, none) = env
        .post(
            "/v1/mgmt/audit/search",
            Some(DEMO_MANAGEMENT_KEY),
            json!({"actions": ["LoginSucceed"], "from": 0, "to": 1000}),
        )
        .await;
    assert_eq!(none["audits"], json!([]));
}
