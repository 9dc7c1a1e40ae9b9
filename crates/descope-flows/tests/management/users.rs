//! Every user operation: an insta snapshot of its requests (the license handshake, then the
//! call) and a check against what the official Python and Node SDKs send.

use descope_flows::Client;
use descope_types::UserResponse;

use crate::common::TENANT_ID;
use crate::common::captures::*;
use crate::common::{Seen, seen};

const USER: &str = "mgmt-user@example.com";
const USER_ID: &str = "U2b603f5e19cf95cc407cbd52bfa";

/// Every operation, with the capture labels of the official SDK calls that must send the
/// same request.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "create_minimal",
        &[
            "python:mgmt.user.create(login_id)",
            "node:management.user.create(loginId)",
        ],
    ),
    (
        "create_all",
        &["node:management.user.create(loginId, options{all})"],
    ),
    (
        "create_positional",
        &["node:management.user.create(loginId, email, ... positional)"],
    ),
    (
        "create_test_user",
        &[
            "python:mgmt.user.create_test_user(all options)",
            "node:management.user.createTestUser(loginId, options)",
        ],
    ),
    (
        "update",
        &["node:management.user.update(loginId, options{all})"],
    ),
    (
        "patch",
        &[
            "python:mgmt.user.patch(some fields)",
            "node:management.user.patch(loginId, some fields)",
        ],
    ),
    (
        "load",
        &[
            "python:mgmt.user.load(login_id)",
            "node:management.user.load(loginId)",
        ],
    ),
    (
        "load_by_user_id",
        &[
            "python:mgmt.user.load_by_user_id(user_id)",
            "node:management.user.loadByUserId(userId)",
        ],
    ),
    (
        "delete",
        &[
            "python:mgmt.user.delete(login_id)",
            "node:management.user.delete(loginId)",
        ],
    ),
    (
        "delete_all_test_users",
        &[
            "python:mgmt.user.delete_all_test_users()",
            "node:management.user.deleteAllTestUsers()",
        ],
    ),
    (
        "search_all",
        &[
            "python:mgmt.user.search_all()",
            "node:management.user.searchAll()",
        ],
    ),
    (
        "search_filters",
        &["node:management.user.searchAll(all positional)"],
    ),
    (
        "search_test_users",
        &[
            "python:mgmt.user.search_all_test_users(options)",
            "node:management.user.searchTestUsers(searchReq)",
        ],
    ),
    (
        "activate",
        &[
            "python:mgmt.user.activate(login_id)",
            "node:management.user.activate(loginId)",
        ],
    ),
    (
        "deactivate",
        &[
            "python:mgmt.user.deactivate(login_id)",
            "node:management.user.deactivate(loginId)",
        ],
    ),
    (
        "set_roles",
        &[
            "python:mgmt.user.set_roles(login_id, roles)",
            "node:management.user.setRoles(loginId, roles)",
        ],
    ),
    (
        "add_roles",
        &[
            "python:mgmt.user.add_roles(login_id, roles)",
            "node:management.user.addRoles(loginId, roles)",
        ],
    ),
    (
        "remove_roles",
        &[
            "python:mgmt.user.remove_roles(login_id, roles)",
            "node:management.user.removeRoles(loginId, roles)",
        ],
    ),
    (
        "set_tenant_roles",
        &[
            "python:mgmt.user.set_tenant_roles(login_id, tenant, roles)",
            "node:management.user.setTenantRoles(loginId, tenant, roles)",
        ],
    ),
    (
        "add_tenant_roles",
        &[
            "python:mgmt.user.add_tenant_roles(login_id, tenant, roles)",
            "node:management.user.addTenantRoles(loginId, tenant, roles)",
        ],
    ),
    (
        "remove_tenant_roles",
        &[
            "python:mgmt.user.remove_tenant_roles(login_id, tenant, roles)",
            "node:management.user.removeTenantRoles(loginId, tenant, roles)",
        ],
    ),
    (
        "add_tenant",
        &[
            "python:mgmt.user.add_tenant(login_id, tenant)",
            "node:management.user.addTenant(loginId, tenant)",
        ],
    ),
    (
        "remove_tenant",
        &[
            "python:mgmt.user.remove_tenant(login_id, tenant)",
            "node:management.user.removeTenant(loginId, tenant)",
        ],
    ),
];

/// Runs one operation; it must succeed against the canned answers.
async fn run(op: &str, client: &Client) {
    let users = client.management().users();
    let user: Option<UserResponse> = match op {
        "create_minimal" => Some(users.create("mgmt-min@example.com").await.unwrap()),
        "create_all" => Some(
            users
                .create(USER)
                .email(USER)
                .phone("+15555550131")
                .name("Mgmt User")
                .given_name("Mgmt")
                .middle_name("M")
                .family_name("User")
                .tenant(TENANT_ID, ["tenant-admin"])
                .custom_attribute("tier", "gold")
                .picture("https://example.com/p.png")
                .verified_email(true)
                .verified_phone(false)
                .additional_login_ids(["alt-login"])
                .sso_app_ids(["app-1"])
                .roles(["admin"])
                .await
                .unwrap(),
        ),
        "create_positional" => Some(
            users
                .create("mgmt-pos@example.com")
                .email("mgmt-pos@example.com")
                .phone("+15555550136")
                .name("Pos User")
                .given_name("Pos")
                .middle_name("M")
                .family_name("User")
                .roles(["viewer"])
                .tenant(TENANT_ID, ["tenant-admin"])
                .custom_attribute("a", 1)
                .picture("https://example.com/x.png")
                .verified_email(true)
                .verified_phone(false)
                .additional_login_ids(["pos-alt"])
                .await
                .unwrap(),
        ),
        "create_test_user" => Some(
            users
                .create_test_user("test-user@example.com")
                .email("test-user@example.com")
                .phone("+15555550132")
                .name("Test User")
                .tenant(TENANT_ID, ["tenant-admin"])
                .custom_attribute("a", 1)
                .verified_email(true)
                .additional_login_ids(["test-alt"])
                .roles(["viewer"])
                .await
                .unwrap(),
        ),
        "update" => Some(
            users
                .update(USER)
                .email(USER)
                .phone("+15555550131")
                .name("Mgmt User 2")
                .given_name("Mgmt")
                .middle_name("M")
                .family_name("User")
                .tenant(TENANT_ID, ["tenant-admin"])
                .custom_attribute("tier", "platinum")
                .picture("https://example.com/p2.png")
                .verified_email(true)
                .verified_phone(true)
                .additional_login_ids(["alt-login"])
                .sso_app_ids(["app-1"])
                .roles(["admin"])
                .await
                .unwrap(),
        ),
        "patch" => Some(
            users
                .patch(USER)
                .name("Patched")
                .roles(["admin"])
                .custom_attribute("tier", "silver")
                .verified_email(true)
                .enabled(true)
                .await
                .unwrap(),
        ),
        "load" => Some(users.load(USER).await.unwrap()),
        "load_by_user_id" => Some(users.load_by_user_id(USER_ID).await.unwrap()),
        "delete" => {
            users.delete("mgmt-min2@example.com").await.unwrap();
            None
        }
        "delete_all_test_users" => {
            users.delete_all_test_users().await.unwrap();
            None
        }
        "search_all" => {
            let page = users.search().await.unwrap();
            assert_eq!((page.users.len(), page.total), (1, 1));
            None
        }
        "search_filters" => {
            users
                .search()
                .tenant_ids([TENANT_ID])
                .roles(["admin"])
                .limit(10)
                .page(1)
                .test_users_only(false)
                .with_test_users(true)
                .custom_attribute("tier", "gold")
                .statuses(["enabled"])
                .emails([USER])
                .phones(["+15555550131"])
                .await
                .unwrap();
            None
        }
        "search_test_users" => {
            let page = users
                .search_test_users()
                .tenant_ids([TENANT_ID])
                .roles(["viewer"])
                .limit(5)
                .page(0)
                .text("test")
                .sort("createdTime", false)
                .await
                .unwrap();
            assert_eq!(page.users.len(), 1);
            None
        }
        "activate" => Some(users.activate(USER).await.unwrap()),
        "deactivate" => Some(users.deactivate(USER).await.unwrap()),
        "set_roles" => Some(users.set_roles(USER, ["admin", "viewer"]).await.unwrap()),
        "add_roles" => Some(users.add_roles(USER, ["editor"]).await.unwrap()),
        "remove_roles" => Some(users.remove_roles(USER, ["viewer"]).await.unwrap()),
        "set_tenant_roles" => Some(
            users
                .set_roles(USER, ["tenant-admin"])
                .tenant(TENANT_ID)
                .await
                .unwrap(),
        ),
        "add_tenant_roles" => Some(
            users
                .add_roles(USER, ["tenant-viewer"])
                .tenant(TENANT_ID)
                .await
                .unwrap(),
        ),
        "remove_tenant_roles" => Some(
            users
                .remove_roles(USER, ["tenant-viewer"])
                .tenant(TENANT_ID)
                .await
                .unwrap(),
        ),
        "add_tenant" => Some(users.add_tenant(USER, TENANT_ID).await.unwrap()),
        "remove_tenant" => Some(
            users
                .remove_tenant(USER, "T2oracleTenant0002")
                .await
                .unwrap(),
        ),
        other => panic!("unknown operation {other}"),
    };
    if let Some(user) = user {
        assert_eq!(user.login_ids, [USER]);
        assert_eq!(user.user_tenants[0].tenant_id, TENANT_ID);
    }
}

#[tokio::test]
async fn every_user_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = crate::recording_client();
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        assert_eq!(seen[0].path, LICENSE_PATH, "{op}: the license comes first");
        for call in &seen[1..] {
            let license = call.headers.iter().find(|(k, _)| k == "x-descope-license");
            assert_eq!(license.map(|(_, v)| v.as_str()), Some("tier4"), "{op}");
        }
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every "Mgmt: user" capture label is either checked above or listed here as not covered
/// yet, so a new capture cannot go unnoticed.
#[test]
fn every_user_capture_is_covered_or_listed() {
    const NOT_YET: &[&str] = &[
        "invite",
        "create/batch",
        "createBatch",
        "inviteBatch",
        "invite_batch",
        "search_all(all options)",
        "search(searchReq)",
        "update(all options)",
        "create(all options)",
        "history",
        "embedded",
        "Embedded",
    ];
    let captures = load_captures();
    let covered: Vec<&str> = OPERATIONS
        .iter()
        .chain(crate::user_ops::OPERATIONS)
        .flat_map(|(_, l)| l.iter().copied())
        .chain(crate::user_ops::CHECKED_APART.iter().copied())
        .collect();
    let mut missing = Vec::new();
    for (label, requests) in &captures {
        let user_call = requests
            .iter()
            .any(|c| c.path.starts_with("/v1/mgmt/user") || c.path.starts_with("/v2/mgmt/user"));
        if !user_call || covered.contains(&label.as_str()) {
            continue;
        }
        if !NOT_YET.iter().any(|n| label.contains(n)) {
            missing.push(label.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "neither covered nor listed: {missing:#?}"
    );
}
