//! The management API: keys, the license handshake, the users endpoints on the user table
//! the sign-in side uses, and the official SDKs' captured management requests replayed.

use descope_emulator::{DEMO_MANAGEMENT_KEY, EmulatorConfig};
use serde_json::{Value, json};

use crate::common::*;

impl Env {
    /// A management call with the demo key.
    pub(crate) async fn mgmt(&self, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
        self.post(path, Some(DEMO_MANAGEMENT_KEY), body).await
    }
}

fn user_of(answer: &(reqwest::StatusCode, Value)) -> &Value {
    assert_eq!(answer.0, 200, "{}", answer.1);
    &answer.1["user"]
}

#[tokio::test]
async fn keys_are_required_and_only_management_keys_pass() {
    let env = start().await;
    let (status, license) = env.get("/v1/mgmt/license", Some(DEMO_MANAGEMENT_KEY)).await;
    assert_eq!(status, 200);
    assert!(license["rateLimitTier"].is_string(), "{license}");

    let no_key = env.get("/v1/mgmt/license", None).await;
    assert_error(&no_key, 401, "E011002");
    let wrong = env
        .post(
            "/v1/mgmt/user/create",
            Some("K2wrong"),
            json!({"loginId": "x"}),
        )
        .await;
    assert_error(&wrong, 401, "E011004");
    // A session JWT is not a management key.
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let session = str_of(&jwt, "sessionJwt");
    let as_key = env
        .get("/v1/mgmt/user?loginId=ada@example.com", Some(session))
        .await;
    assert_error(&as_key, 401, "E011004");
    // Nor a management key a refresh token.
    let as_refresh = env
        .post("/v1/auth/refresh", Some(DEMO_MANAGEMENT_KEY), json!({}))
        .await;
    assert_eq!(as_refresh.0, 401, "{}", as_refresh.1);
    // Nothing was created by the refused calls.
    let (status, _) = env
        .get("/v1/mgmt/user?loginId=x", Some(DEMO_MANAGEMENT_KEY))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_managed_user_signs_in_with_what_management_gave_it() {
    let env = start().await;
    let created = env
        .mgmt(
            "/v1/mgmt/user/create",
            json!({"loginId": "mia@example.com", "roleNames": ["viewer"],
                   "userTenants": [{"tenantId": "T2EmulatorTenantAcme", "roleNames": ["tenant-admin"]}]}),
        )
        .await;
    let user_id = str_of(user_of(&created), "userId").to_owned();
    let jwt = env.oauth_sign_in("mia@example.com").await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["sub"], user_id);
    assert_eq!(claims["roles"], json!(["viewer"]));
    assert_eq!(
        claims["tenants"]["T2EmulatorTenantAcme"]["roles"],
        json!(["tenant-admin"])
    );
    assert_eq!(
        claims["tenants"]["T2EmulatorTenantAcme"]["permissions"],
        json!(["tenant-read", "tenant-write"])
    );

    // Deactivated: no new sign-in, and the existing session stops refreshing.
    let refresh = str_of(&jwt, "refreshJwt").to_owned();
    let off = env
        .mgmt(
            "/v1/mgmt/user/update/status",
            json!({"loginId": "mia@example.com", "status": "disabled"}),
        )
        .await;
    assert_eq!(user_of(&off)["status"], "disabled");
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize?provider=google&loginHint=mia@example.com",
            None,
            json!({}),
        )
        .await;
    let refused = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_error(&refused, 403, "E011004");
    let refreshed = env
        .post("/v1/auth/refresh", Some(&refresh), json!({}))
        .await;
    assert_error(&refreshed, 403, "E011004");
    let on = env
        .mgmt(
            "/v1/mgmt/user/update/status",
            json!({"loginId": "mia@example.com", "status": "enabled"}),
        )
        .await;
    assert_eq!(user_of(&on)["status"], "enabled");
    env.oauth_sign_in("mia@example.com").await;

    // Roles changed later show in the next token.
    env.mgmt(
        "/v2/mgmt/user/update/role/add",
        json!({"loginId": "mia@example.com", "roleNames": ["admin"]}),
    )
    .await;
    let jwt = env.oauth_sign_in("mia@example.com").await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["roles"], json!(["viewer", "admin"]));
    assert_eq!(claims["permissions"], json!(["read", "write"]));
}

#[tokio::test]
async fn update_replaces_and_patch_changes_only_what_it_names() {
    let env = start().await;
    env.mgmt(
        "/v1/mgmt/user/create",
        json!({"loginId": "lin@example.com", "displayName": "Lin", "givenName": "L",
               "roleNames": ["viewer"], "customAttributes": {"a": 1, "b": 2},
               "userTenants": [{"tenantId": "T2EmulatorTenantAcme", "roleNames": []}]}),
    )
    .await;
    let patched = env
        .post_as(
            "/v1/mgmt/user/patch",
            &env.bearer(Some(DEMO_MANAGEMENT_KEY)),
            Value::Null,
        )
        .await;
    assert_eq!(patched.0, 405, "patch is PATCH only");
    let response = env
        .http
        .patch(env.url("/v1/mgmt/user/patch"))
        .header("Authorization", env.bearer(Some(DEMO_MANAGEMENT_KEY)))
        .body(json!({"loginId": "lin@example.com", "displayName": "Lin 2", "customAttributes": {"b": 3}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let user = response.json::<Value>().await.unwrap()["user"].clone();
    assert_eq!(user["name"], "Lin 2");
    assert_eq!(user["givenName"], "L");
    assert_eq!(user["roleNames"], json!(["viewer"]));
    assert_eq!(user["customAttributes"], json!({"a": 1, "b": 3}));
    assert_eq!(user["userTenants"].as_array().unwrap().len(), 1);

    // Python's update body: unset fields as null/[], all of them replaced.
    let updated = env
        .mgmt(
            "/v1/mgmt/user/update",
            json!({"loginId": "lin@example.com", "email": null, "phone": null, "displayName": "Lin 3",
                   "roleNames": [], "userTenants": [], "test": false, "picture": null,
                   "customAttributes": null, "additionalLoginIds": null, "ssoAppIDs": null,
                   "familyAssociations": []}),
        )
        .await;
    let user = user_of(&updated);
    assert_eq!(user["name"], "Lin 3");
    assert_eq!(user["givenName"], "");
    assert_eq!(user["roleNames"], json!([]));
    assert_eq!(user["userTenants"], json!([]));
    assert_eq!(user["customAttributes"], json!({}));

    let missing = env
        .mgmt(
            "/v1/mgmt/user/update",
            json!({"loginId": "nobody@example.com"}),
        )
        .await;
    assert_error(&missing, 400, "E112102");
    let unknown_tenant = env
        .mgmt(
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "lin@example.com", "tenantId": "T2nope"}),
        )
        .await;
    assert_error(&unknown_tenant, 400, "E011004");
}

#[tokio::test]
async fn search_pages_and_test_users() {
    let env = start().await;
    for i in 0..5 {
        env.mgmt("/v1/mgmt/user/create", json!({"loginId": format!("p{i}@example.com"), "email": format!("p{i}@example.com"), "customAttributes": {"g": "x"}}))
            .await;
    }
    env.mgmt(
        "/v1/mgmt/user/create/test",
        json!({"loginId": "t@example.com", "customAttributes": {"g": "x"}}),
    )
    .await;
    let page = |page: u32| json!({"customAttributes": {"g": "x"}, "limit": 2, "page": page, "sort": [{"field": "email", "desc": true}]});
    let first = env.mgmt("/v2/mgmt/user/search", page(0)).await.1;
    assert_eq!(first["total"], 5);
    assert_eq!(first["users"][0]["email"], "p4@example.com");
    let last = env.mgmt("/v2/mgmt/user/search", page(2)).await.1;
    assert_eq!(last["users"].as_array().unwrap().len(), 1);
    let with = env
        .mgmt(
            "/v2/mgmt/user/search",
            json!({"customAttributes": {"g": "x"}, "withTestUser": true}),
        )
        .await
        .1;
    assert_eq!(with["total"], 6);
    let only = env.mgmt("/v2/mgmt/user/search/test", json!({})).await.1;
    assert_eq!(only["total"], 1);
    assert_eq!(only["users"][0]["test"], true);
    let (status, _) = env
        .http
        .delete(env.url("/v1/mgmt/user/test/delete/all"))
        .header("Authorization", env.bearer(Some(DEMO_MANAGEMENT_KEY)))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        env.mgmt("/v2/mgmt/user/search/test", json!({})).await.1["total"],
        0
    );
    // Void calls answer a JSON object (the Node SDK parses it).
    let deleted = env
        .mgmt("/v1/mgmt/user/delete", json!({"loginId": "p0@example.com"}))
        .await;
    assert_eq!(deleted, (reqwest::StatusCode::OK, json!({})));
}

#[tokio::test]
async fn management_keys_come_from_the_config_file() {
    let config = EmulatorConfig::from_toml_str(
        r#"
        [[seed.management_keys]]
        name = "ci"
        key = "K2FromConfig"
        "#,
    )
    .unwrap();
    assert_eq!(config.seed.management_keys.len(), 1);
    let env = start_with(config).await;
    assert_eq!(env.emu.management_key(), Some("K2FromConfig"));
    let (status, _) = env.get("/v1/mgmt/license", Some("K2FromConfig")).await;
    assert_eq!(status, 200);
    let (status, _) = env.get("/v1/mgmt/license", Some(DEMO_MANAGEMENT_KEY)).await;
    assert_eq!(status, 401, "the config's keys replace the demo's");

    let bad =
        EmulatorConfig::from_toml_str("[[seed.management_keys]]\nname = \"bad\"\nkey = \"a:b\"\n")
            .unwrap();
    assert!(bad.validate().is_err());
    assert_eq!(
        start().await.emu.management_key(),
        Some(DEMO_MANAGEMENT_KEY)
    );
}

/// The user calls the emulator serves (the others are not built yet).
fn served(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("GET", "/v1/mgmt/license" | "/v1/mgmt/user")
            | ("PATCH", "/v1/mgmt/user/patch")
            | ("DELETE", "/v1/mgmt/user/test/delete/all")
            | (
                "POST",
                "/v1/mgmt/user/create"
                    | "/v1/mgmt/user/create/test"
                    | "/v1/mgmt/user/update"
                    | "/v1/mgmt/user/delete"
                    | "/v2/mgmt/user/search"
                    | "/v2/mgmt/user/search/test"
                    | "/v1/mgmt/user/update/status"
                    | "/v1/mgmt/user/update/role/set"
                    | "/v2/mgmt/user/update/role/add"
                    | "/v1/mgmt/user/update/role/remove"
                    | "/v1/mgmt/user/update/tenant/add"
                    | "/v1/mgmt/user/update/tenant/remove"
                    | "/v1/mgmt/user/update/loginid"
                    | "/v1/mgmt/user/update/email"
                    | "/v1/mgmt/user/update/phone"
                    | "/v1/mgmt/user/update/name"
                    | "/v1/mgmt/user/update/picture"
                    | "/v1/mgmt/user/update/customAttribute"
                    | "/v1/mgmt/user/password/set/temporary"
                    | "/v1/mgmt/user/password/set/active"
                    | "/v1/mgmt/user/password/set"
                    | "/v1/mgmt/user/password/expire"
                    | "/v1/mgmt/user/passkeys/delete"
                    | "/v1/mgmt/user/totp/delete"
                    | "/v1/mgmt/user/logout"
                    | "/v1/mgmt/users/load"
            )
    )
}

/// Replays the SDK's captured management user requests in order, with the captures' own
/// project and key, and checks each answer has what the SDK reads.
async fn replay(name: &str) {
    let env = start_oracle().await;
    let mut first_user: Option<String> = None;
    let mut replayed = 0;
    for line in capture(name) {
        let (Some(method), Some(path)) = (line["method"].as_str(), line["path"].as_str()) else {
            continue;
        };
        if line["type"] != "request" || !served(method, path) {
            continue;
        }
        let mut raw_query = line["raw_query"].as_str().unwrap_or_default().to_owned();
        // The captures' user ids are the recording server's: use the live ones.
        if raw_query.starts_with("userId=") {
            let id = first_user.as_ref().expect("a create precedes load by id");
            raw_query = format!("userId={id}");
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
        let mut body = line["body"].clone();
        // Same for user ids in bodies (logout and load by id); a delete by an unknown id
        // keeps its id, as deleting nobody succeeds.
        if path != "/v1/mgmt/user/delete" {
            let id = first_user.clone().unwrap_or_default();
            if body.get("userId").is_some() {
                body["userId"] = json!(id);
            }
            if body.get("userIds").is_some() {
                body["userIds"] = json!([id]);
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
            "/v1/mgmt/license" => &["rateLimitTier"],
            "/v2/mgmt/user/search" | "/v2/mgmt/user/search/test" => &["users", "total"],
            "/v1/mgmt/users/load" => &["users"],
            "/v1/mgmt/user/delete"
            | "/v1/mgmt/user/test/delete/all"
            | "/v1/mgmt/user/logout"
            | "/v1/mgmt/user/passkeys/delete"
            | "/v1/mgmt/user/totp/delete" => &[],
            p if p.starts_with("/v1/mgmt/user/password/") => &[],
            _ => &["user"],
        };
        assert!(answer.is_object(), "{path}: {answer}");
        if path == "/v1/mgmt/users/load" {
            assert_eq!(
                answer["users"].as_array().map(Vec::len),
                Some(1),
                "{answer}"
            );
        }
        for key in expected {
            assert!(
                answer.get(key).is_some(),
                "{name} {path}: no {key} in {answer}"
            );
        }
        if let Some(user) = answer.get("user") {
            assert!(
                user["loginIds"].is_array() && user["userId"].is_string(),
                "{user}"
            );
            first_user.get_or_insert_with(|| str_of(user, "userId").to_owned());
        }
        replayed += 1;
    }
    assert!(
        replayed >= 25,
        "{name}: only {replayed} management requests"
    );
}

#[tokio::test]
async fn python_sdk_user_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_user_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

#[tokio::test]
async fn the_binary_prints_the_management_key_on_its_own_line() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_descope-emulator"))
        .args(["--port", "0", "--project-id", "P2BinaryMgmt"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base_url, mut key) = (None, None);
    for _ in 0..4 {
        let line = lines.next().unwrap().unwrap();
        if let Some(url) = line.strip_prefix("base URL:") {
            base_url = Some(url.trim().to_owned());
        }
        if let Some(k) = line.strip_prefix("management key:") {
            key = Some(k.trim().to_owned());
        }
    }
    let (base_url, key) = (base_url.unwrap(), key.unwrap());
    assert_eq!(key, DEMO_MANAGEMENT_KEY);
    let status = reqwest::Client::new()
        .get(format!("{base_url}/v1/mgmt/license"))
        .header("Authorization", format!("Bearer P2BinaryMgmt:{key}"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
