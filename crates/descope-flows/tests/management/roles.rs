//! Every role, permission and access-key operation: an insta snapshot of its requests (the
//! license handshake, then the call) and a check against what the official Python and Node
//! SDKs send.

use descope_flows::Client;
use serde_json::{Value, json};

use crate::common::TENANT_ID;
use crate::common::captures::*;
use crate::common::{Seen, seen};

const KEY_ID: &str = "K2e29bd107b1abb1ab2e4426eeb1";
const CLEARTEXT: &str = "K2e29bd107b1abb1ab2e4426eeb1:cleartext-secret";

fn canned_role() -> Value {
    json!({"name": "editor", "description": "Edits", "permissionNames": ["read", "write"],
           "createdTime": 1_795_844_938, "tenantId": TENANT_ID, "default": false, "private": false})
}

fn canned_key() -> Value {
    json!({"id": KEY_ID, "name": "ci-key", "roleNames": ["admin"], "status": "active",
           "keyTenants": [{"tenantId": TENANT_ID, "tenantName": "Oracle", "roleNames": ["tenant-admin"]}],
           "createdTime": 1_795_844_939, "expireTime": 1_900_000_000, "boundUserId": "U2boundUser",
           "customClaims": {"k": "v"}, "description": "CI key", "permittedIps": ["10.0.0.0/8"]})
}

/// The canned answers of the role, permission and access-key paths.
fn canned(path: &str) -> (u16, Value) {
    match path {
        "/v1/mgmt/role/all" | "/v1/mgmt/role/search" => (200, json!({"roles": [canned_role()]})),
        "/v1/mgmt/permission/all" => (
            200,
            json!({"permissions": [{"name": "read", "description": "Reads", "systemDefault": false}]}),
        ),
        "/v1/mgmt/accesskey/create" => (200, json!({"key": canned_key(), "cleartext": CLEARTEXT})),
        "/v1/mgmt/accesskey" | "/v1/mgmt/accesskey/update" => (200, json!({"key": canned_key()})),
        "/v1/mgmt/accesskey/search" => (200, json!({"keys": [canned_key()]})),
        path if path.starts_with("/v1/mgmt/role/")
            || path.starts_with("/v1/mgmt/permission/")
            || path.starts_with("/v1/mgmt/accesskey/") =>
        {
            (200, json!({}))
        }
        other => crate::canned(other),
    }
}

const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "role_create_all",
        &["node:management.role.create(name, all options)"],
    ),
    (
        "role_create_all_private",
        &["python:mgmt.role.create(name, all options)"],
    ),
    (
        "role_create_minimal",
        &[
            "python:mgmt.role.create(name)",
            "node:management.role.create(name)",
        ],
    ),
    (
        "role_update",
        &[
            "python:mgmt.role.update(name, new_name, all options)",
            "node:management.role.update(name, newName, all options)",
        ],
    ),
    (
        "role_load_all",
        &[
            "python:mgmt.role.load_all()",
            "node:management.role.loadAll()",
        ],
    ),
    (
        "role_search_all",
        &["node:management.role.search(options{all})"],
    ),
    ("role_search_ids", &["python:mgmt.role.search(all options)"]),
    (
        "role_search_none",
        &[
            "python:mgmt.role.search()",
            "node:management.role.search({})",
        ],
    ),
    (
        "role_delete_tenant",
        &[
            "python:mgmt.role.delete(name, tenant_id)",
            "node:management.role.delete(name, tenantId)",
        ],
    ),
    (
        "role_delete",
        &[
            "python:mgmt.role.delete(name)",
            "node:management.role.delete(name)",
        ],
    ),
    (
        "permission_create",
        &[
            "python:mgmt.permission.create(name, description)",
            "node:management.permission.create(name, description)",
        ],
    ),
    (
        "permission_create_minimal",
        &["node:management.permission.create(name)"],
    ),
    (
        "permission_update",
        &[
            "python:mgmt.permission.update(name, new_name, description)",
            "node:management.permission.update(name, newName, description)",
        ],
    ),
    (
        "permission_load_all",
        &[
            "python:mgmt.permission.load_all()",
            "node:management.permission.loadAll()",
        ],
    ),
    (
        "permission_delete",
        &[
            "python:mgmt.permission.delete(name)",
            "node:management.permission.delete(name)",
        ],
    ),
    (
        "access_key_create_all",
        &[
            "python:mgmt.access_key.create(all options)",
            "node:management.accessKey.create(all options)",
        ],
    ),
    (
        "access_key_create_minimal",
        &[
            "python:mgmt.access_key.create(name)",
            "node:management.accessKey.create(name, expireTime)",
        ],
    ),
    (
        "access_key_load",
        &[
            "python:mgmt.access_key.load(id)",
            "node:management.accessKey.load(id)",
        ],
    ),
    (
        "access_key_search_none",
        &[
            "python:mgmt.access_key.search_all_access_keys()",
            "node:management.accessKey.searchAll()",
        ],
    ),
    (
        "access_key_search_all",
        &[
            "python:mgmt.access_key.search_all_access_keys(all options)",
            "node:management.accessKey.searchAll(all options)",
        ],
    ),
    (
        "access_key_update_all",
        &["node:management.accessKey.update(id, name, all options)"],
    ),
    (
        "access_key_update_some",
        &["python:mgmt.access_key.update(id, name, all options)"],
    ),
    (
        "access_key_update_minimal",
        &["node:management.accessKey.update(id, name)"],
    ),
    (
        "access_key_deactivate",
        &[
            "python:mgmt.access_key.deactivate(id)",
            "node:management.accessKey.deactivate(id)",
        ],
    ),
    (
        "access_key_activate",
        &[
            "python:mgmt.access_key.activate(id)",
            "node:management.accessKey.activate(id)",
        ],
    ),
    (
        "access_key_delete",
        &[
            "python:mgmt.access_key.delete(id)",
            "node:management.accessKey.delete(id)",
        ],
    ),
];

/// Runs one operation; it must succeed against the canned answers and read them back.
async fn run(op: &str, client: &Client) {
    let roles = client.management().roles();
    let permissions = client.management().permissions();
    let keys = client.management().access_keys();
    match op {
        "role_create_all" => roles
            .create("editor")
            .description("Edits")
            .permissions(["read", "write"])
            .tenant(TENANT_ID)
            .default(false)
            .await
            .unwrap(),
        "role_create_all_private" => roles
            .create("editor")
            .description("Edits")
            .permissions(["read", "write"])
            .tenant(TENANT_ID)
            .default(false)
            .private(true)
            .await
            .unwrap(),
        "role_create_minimal" => roles.create("plain-role").await.unwrap(),
        "role_update" => roles
            .update("editor", "editor2")
            .description("Edits more")
            .permissions(["read"])
            .tenant(TENANT_ID)
            .default(true)
            .await
            .unwrap(),
        "role_load_all" => {
            let all = roles.load_all().await.unwrap();
            assert_eq!(all[0].name, "editor");
            assert_eq!(all[0].permission_names, ["read", "write"]);
            assert_eq!(all[0].tenant_id, TENANT_ID);
        }
        "role_search_all" => {
            let found = roles
                .search()
                .tenant_ids([TENANT_ID])
                .names(["admin"])
                .name_like("adm")
                .permissions(["read"])
                .include_project_roles(true)
                .await
                .unwrap();
            assert_eq!(found.len(), 1);
        }
        "role_search_ids" => {
            roles
                .search()
                .tenant_ids([TENANT_ID])
                .names(["admin"])
                .name_like("adm")
                .permissions(["read"])
                .include_project_roles(true)
                .ids(["RL1"])
                .await
                .unwrap();
        }
        "role_search_none" => {
            roles.search().await.unwrap();
        }
        "role_delete_tenant" => roles.delete("editor2").tenant(TENANT_ID).await.unwrap(),
        "role_delete" => roles.delete("plain-role").await.unwrap(),
        "permission_create" => permissions
            .create("export")
            .description("Export data")
            .await
            .unwrap(),
        "permission_create_minimal" => permissions.create("import").await.unwrap(),
        "permission_update" => permissions
            .update("export", "export2")
            .description("Export v2")
            .await
            .unwrap(),
        "permission_load_all" => {
            let all = permissions.load_all().await.unwrap();
            assert_eq!(
                (all[0].name.as_str(), all[0].description.as_str()),
                ("read", "Reads")
            );
        }
        "permission_delete" => permissions.delete("export2").await.unwrap(),
        "access_key_create_all" => {
            let created = keys
                .create("ci-key")
                .expire_time(1_900_000_000)
                .roles(["admin"])
                .tenant(TENANT_ID, ["tenant-admin"])
                .user_id("U2boundUser")
                .custom_claim("k", "v")
                .description("CI key")
                .permitted_ips(["10.0.0.0/8"])
                .custom_attribute("team", "ci")
                .await
                .unwrap();
            assert_eq!(created.key.id, KEY_ID);
            assert_eq!(created.cleartext.secret(), CLEARTEXT);
            assert!(!format!("{created:?}").contains("cleartext-secret"));
        }
        "access_key_create_minimal" => {
            keys.create("min-key").await.unwrap();
        }
        "access_key_load" => {
            let key = keys.load(KEY_ID).await.unwrap();
            assert!(key.is_active());
            assert_eq!(key.key_tenants[0].role_names, ["tenant-admin"]);
        }
        "access_key_search_none" => {
            assert_eq!(keys.search().await.unwrap().len(), 1);
        }
        "access_key_search_all" => {
            keys.search()
                .tenant_ids([TENANT_ID])
                .bound_user_id("U2boundUser")
                .creating_user("creator")
                .custom_attribute("team", "ci")
                .await
                .unwrap();
        }
        "access_key_update_all" => {
            let key = keys
                .update(KEY_ID, "ci-key-2")
                .description("CI key v2")
                .roles(["viewer"])
                .tenant(TENANT_ID, ["tenant-admin"])
                .custom_claim("k2", "v2")
                .permitted_ips(["10.1.0.0/16"])
                .custom_attribute("team", "ci2")
                .await
                .unwrap();
            assert_eq!(key.id, KEY_ID);
        }
        "access_key_update_some" => {
            keys.update(KEY_ID, "ci-key-2")
                .description("CI key v2")
                .custom_claim("k2", "v2")
                .permitted_ips(["10.1.0.0/16"])
                .custom_attribute("team", "ci2")
                .await
                .unwrap();
        }
        "access_key_update_minimal" => {
            keys.update(KEY_ID, "ci-key-3").await.unwrap();
        }
        "access_key_deactivate" => keys.deactivate(KEY_ID).await.unwrap(),
        "access_key_activate" => keys.activate(KEY_ID).await.unwrap(),
        "access_key_delete" => keys.delete(KEY_ID).await.unwrap(),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_role_permission_and_access_key_operation_matches_its_snapshot_and_the_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = crate::recording_client_with(canned);
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        assert_eq!(seen[0].path, LICENSE_PATH, "{op}: the license comes first");
        assert_eq!(seen.len(), 2, "{op}: one call after the license");
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every role, permission and access-key management capture is covered above.
#[test]
fn every_role_permission_and_access_key_capture_is_covered() {
    let captures = load_captures();
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    let missing: Vec<&String> = captures
        .iter()
        .filter(|(_, requests)| {
            requests.iter().any(|c| {
                ["/v1/mgmt/role", "/v1/mgmt/permission", "/v1/mgmt/accesskey"]
                    .iter()
                    .any(|p| c.path.starts_with(p))
            })
        })
        .map(|(label, _)| label)
        .filter(|label| !covered.contains(&label.as_str()))
        .collect();
    assert!(missing.is_empty(), "not covered: {missing:#?}");
}

/// Empty names and ids are refused before any request.
#[tokio::test]
async fn empty_names_and_ids_are_refused_locally() {
    let (client, transport) = crate::recording_client_with(canned);
    let m = client.management();
    let errors = [
        m.roles().create(" ").await.unwrap_err(),
        m.roles().update("a", "").await.unwrap_err(),
        m.roles().delete("r").tenant("").await.unwrap_err(),
        m.permissions().delete("").await.unwrap_err(),
        m.access_keys().create("").await.unwrap_err(),
        m.access_keys().load("").await.unwrap_err(),
        m.access_keys().deactivate("").await.unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.kind(), descope_flows::ErrorKind::InvalidArgument, "{e}");
    }
    assert!(transport.requests().is_empty());
}
