//! Roles, permissions and access keys: the official SDKs' captured requests replayed, and
//! what management does shown on the sign-in side (tokens, access-key exchange).

use descope_emulator::{
    DEMO_MANAGEMENT_KEY, EmulatorConfig, Seed, SeedRole, SeedUser, SeedUserTenant,
};
use serde_json::{Value, json};

use crate::common::*;

const ACME: &str = "T2EmulatorTenantAcme";

fn ok(answer: &(reqwest::StatusCode, Value)) -> &Value {
    assert_eq!(answer.0, 200, "{}", answer.1);
    &answer.1
}

fn mine(path: &str) -> bool {
    ["/v1/mgmt/role", "/v1/mgmt/permission", "/v1/mgmt/accesskey"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Replays the SDK's captured role, permission and access-key requests in order, with the
/// captures' own headers (and key); access-key ids are swapped for the live one.
async fn replay(name: &str) {
    let env = start_oracle().await;
    let mut live_key: Option<String> = None;
    let mut replayed = 0;
    for line in capture(name) {
        let (Some(method), Some(path)) = (line["method"].as_str(), line["path"].as_str()) else {
            continue;
        };
        if line["type"] != "request" || !mine(path) {
            continue;
        }
        let mut raw_query = line["raw_query"].as_str().unwrap_or_default().to_owned();
        let mut body = line["body"].clone();
        if let Some(id) = &live_key {
            if raw_query.starts_with("id=") {
                raw_query = format!("id={id}");
            }
            if body.get("id").is_some() {
                body["id"] = json!(id);
            }
        }
        let url = if raw_query.is_empty() {
            env.url(path)
        } else {
            format!("{}?{raw_query}", env.url(path))
        };
        let mut request = env.http.request(method.parse().unwrap(), url);
        for (header, value) in line["headers"].as_object().unwrap() {
            let lower = header.to_ascii_lowercase();
            if !["host", "content-length", "connection", "accept-encoding"]
                .contains(&lower.as_str())
            {
                request = request.header(header.as_str(), value.as_str().unwrap());
            }
        }
        if !body.is_null() {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let answer: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{name} {method} {path}: not JSON: {text}"));
        assert!(
            status.is_success(),
            "{name} seq {}: {method} {path}: {status} {answer}",
            line["seq"]
        );
        let expected: &[&str] = match path {
            "/v1/mgmt/role/all" | "/v1/mgmt/role/search" => &["roles"],
            "/v1/mgmt/permission/all" => &["permissions"],
            "/v1/mgmt/accesskey/create" => &["key", "cleartext"],
            "/v1/mgmt/accesskey" | "/v1/mgmt/accesskey/update" => &["key"],
            "/v1/mgmt/accesskey/search" => &["keys"],
            _ => &[],
        };
        assert!(answer.is_object(), "{path}: {answer}");
        for key in expected {
            assert!(
                answer.get(key).is_some(),
                "{name} {path}: no {key} in {answer}"
            );
        }
        if expected.is_empty() {
            assert_eq!(answer, json!({}), "{name} {path}: void calls answer {{}}");
        }
        if path == "/v1/mgmt/accesskey/create" {
            live_key.get_or_insert_with(|| str_of(&answer["key"], "id").to_owned());
        }
        // Only the create answer carries the cleartext.
        if path != "/v1/mgmt/accesskey/create" {
            assert!(!text.contains("cleartext"), "{path}: {text}");
        }
        replayed += 1;
    }
    assert!(replayed >= 20, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_role_permission_and_access_key_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_role_permission_and_access_key_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn managed_roles_reach_user_tokens_and_tenant_claims() {
    let env = start().await;
    ok(&env
        .mgmt(
            "/v1/mgmt/role/create",
            json!({"name": "auditor", "permissionNames": ["audit", "read"]}),
        )
        .await);
    ok(&env
        .mgmt(
            "/v1/mgmt/role/create",
            json!({"name": "auditor", "tenantId": ACME, "permissionNames": ["tenant-audit"]}),
        )
        .await);
    // Permissions named by a role exist from then on.
    let all = env
        .get("/v1/mgmt/permission/all", Some(DEMO_MANAGEMENT_KEY))
        .await;
    let names: Vec<&str> = ok(&all)["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"audit") && names.contains(&"tenant-audit"),
        "{names:?}"
    );
    ok(&env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({"loginId": "ivy@example.com", "roleNames": ["auditor"],
                   "userTenants": [{"tenantId": ACME, "roleNames": ["auditor"]}]}),
        )
        .await);
    let jwt = env.oauth_sign_in("ivy@example.com").await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["roles"], json!(["auditor"]));
    assert_eq!(claims["permissions"], json!(["audit", "read"]));
    assert_eq!(
        claims["tenants"][ACME]["permissions"],
        json!(["tenant-audit"])
    );

    // A duplicate is refused; an unknown tenant too; a role update replaces permissions.
    let dup = env
        .mgmt("/v1/mgmt/role/create", json!({"name": "auditor"}))
        .await;
    assert_error(&dup, 409, "E011004");
    let unknown = env
        .mgmt(
            "/v1/mgmt/role/create",
            json!({"name": "r", "tenantId": "T2nope"}),
        )
        .await;
    assert_error(&unknown, 400, "E011004");
    let missing = env
        .mgmt(
            "/v1/mgmt/role/update",
            json!({"name": "nope", "newName": "x"}),
        )
        .await;
    assert_error(&missing, 400, "E011004");
    ok(&env
        .mgmt(
            "/v1/mgmt/role/update",
            json!({"name": "auditor", "newName": "auditor", "permissionNames": ["read"]}),
        )
        .await);
    ok(&env
        .mgmt(
            "/v1/mgmt/permission/delete",
            json!({"name": "tenant-audit"}),
        )
        .await);
    let jwt = env.oauth_sign_in("ivy@example.com").await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["permissions"], json!(["read"]));
    // No permission left: the claim is left out (or empty).
    let left = &claims["tenants"][ACME]["permissions"];
    assert!(left.as_array().is_none_or(Vec::is_empty), "{claims}");
    assert_eq!(claims["tenants"][ACME]["roles"], json!(["auditor"]));
}

#[tokio::test]
async fn seeded_tenant_roles_and_unknown_seed_tenants() {
    let mut seed = Seed::demo();
    seed.roles.push(SeedRole {
        name: "tenant-member".to_owned(),
        permissions: vec!["acme-special".to_owned()],
        tenant_id: Some(ACME.to_owned()),
        ..SeedRole::default()
    });
    seed.users.push(SeedUser {
        login_id: "zoe@example.com".to_owned(),
        tenants: vec![SeedUserTenant {
            tenant_id: ACME.to_owned(),
            roles: vec!["tenant-member".to_owned()],
        }],
        ..SeedUser::default()
    });
    let env = start_with(EmulatorConfig {
        seed: seed.clone(),
        ..EmulatorConfig::default()
    })
    .await;
    let jwt = env.oauth_sign_in("zoe@example.com").await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(
        claims["tenants"][ACME]["permissions"],
        json!(["acme-special"])
    );

    seed.roles[0].tenant_id = Some("T2nope".to_owned());
    let refused = descope_emulator::Emulator::start(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await;
    assert!(
        refused.is_err(),
        "a seed role of an unknown tenant is refused"
    );
}

#[tokio::test]
async fn access_keys_exchange_until_deactivated_deleted_or_expired() {
    let env = start().await;
    let created = env
        .mgmt(
            "/v1/mgmt/accesskey/create",
            json!({"name": "k", "expireTime": now() + 100, "roleNames": ["viewer"],
                   "customClaims": {"team": "ci"}}),
        )
        .await;
    let created = ok(&created).clone();
    let id = str_of(&created["key"], "id").to_owned();
    let cleartext = str_of(&created, "cleartext").to_owned();
    assert!(id.starts_with("K2") && !cleartext.contains(':'));
    assert_eq!(created["key"]["status"], "active");

    let exchange = |key: String| {
        let env = &env;
        async move {
            env.post("/v1/auth/accesskey/exchange", Some(&key), json!({}))
                .await
        }
    };
    let session = exchange(cleartext.clone()).await;
    let claims = env.verify(str_of(ok(&session), "sessionJwt")).await;
    assert_eq!(claims["sub"], id);
    assert_eq!(claims["roles"], json!(["viewer"]));
    assert_eq!(claims["team"], "ci");
    // A prefix or a longer string is not the key.
    assert_error(
        &exchange(cleartext[..cleartext.len() - 1].to_owned()).await,
        401,
        "E062803",
    );
    assert_error(&exchange(format!("{cleartext}x")).await, 401, "E062803");

    ok(&env
        .mgmt("/v1/mgmt/accesskey/deactivate", json!({"id": id}))
        .await);
    let refused = exchange(cleartext.clone()).await;
    assert_error(&refused, 401, "E062803");
    assert!(
        refused.1.to_string().contains("deactivated"),
        "{}",
        refused.1
    );
    // Sessions already issued stop validating server-side.
    let validate = env
        .post(
            "/v1/auth/validate",
            Some(str_of(&session.1, "sessionJwt")),
            json!({}),
        )
        .await;
    assert_eq!(validate.0, 401, "{}", validate.1);
    ok(&env
        .mgmt("/v1/mgmt/accesskey/activate", json!({"id": id}))
        .await);
    ok(&exchange(cleartext.clone()).await);

    // Expired once its time has passed.
    env.control("/emulator/clock", json!({"offsetSeconds": 200}))
        .await;
    let expired = exchange(cleartext.clone()).await;
    assert_error(&expired, 401, "E062803");
    assert!(expired.1.to_string().contains("expired"), "{}", expired.1);

    ok(&env
        .mgmt("/v1/mgmt/accesskey/delete", json!({"id": id}))
        .await);
    assert_error(&exchange(cleartext).await, 401, "E062803");
    let gone = env
        .get(
            &format!("/v1/mgmt/accesskey?id={id}"),
            Some(DEMO_MANAGEMENT_KEY),
        )
        .await;
    assert_error(&gone, 400, "E011004");
    let unknown = env
        .mgmt("/v1/mgmt/accesskey/activate", json!({"id": id}))
        .await;
    assert_error(&unknown, 400, "E011004");
    // The seeded key is still there and still works.
    let search = env.mgmt("/v1/mgmt/accesskey/search", json!({})).await;
    let keys = ok(&search)["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    assert!(!search.1.to_string().contains("emulator-access-key-0001"));
}
