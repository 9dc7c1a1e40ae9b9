//! End to end against descope-emulator, over both backends: what management does shows on
//! the sign-in side (roles, tenants, deactivation), and the key rules hold on the wire.

use bytes::Bytes;
use descope_flows::{AuthenticationInfo, Client, ErrorKind};
use descope_transport::Transport as _;
use descope_types::{ErrorCode, ExchangeCode, ManagementKey, RefreshToken, SessionToken};

use crate::harness::{Backend, Setup, over_both_backends, setup};

const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";
const ACME: &str = "T2EmulatorTenantAcme";
const GLOBEX: &str = "T2EmulatorTenantGlobex";

/// A client of the emulator's project authorized by `key` (the seeded one when `None`).
fn management_client(s: &Setup, key: &str) -> Client {
    Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .management_key(ManagementKey::new(key))
        .build()
        .unwrap()
}

fn seeded_key(s: &Setup) -> String {
    s.emulator
        .management_key()
        .expect("the demo seed has a management key")
        .to_owned()
}

/// Signs `login_id` in through the emulator's OAuth flow (playing the browser).
async fn oauth_sign_in(
    s: &Setup,
    login_id: &str,
) -> Result<AuthenticationInfo, descope_flows::Error> {
    let url = s
        .client
        .oauth()
        .start("google")
        .redirect_url(REDIRECT)
        .login_hint(login_id)
        .await
        .unwrap();
    let request = http::Request::get(url.as_str()).body(Bytes::new()).unwrap();
    let response = s.raw.send(request).await.unwrap();
    assert_eq!(response.status(), 302, "provider page did not redirect");
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    s.client.oauth().exchange(&ExchangeCode::new(code)).await
}

async fn user_lifecycle(kind: Backend) {
    let s = setup(kind).await;
    let admin = management_client(&s, &seeded_key(&s));
    let users = admin.management().users();
    let login = "mgmt-e2e@example.com";

    // Create, then load by login id and by user id.
    let created = users
        .create(login)
        .email(login)
        .name("Mgmt E2E")
        .given_name("Mgmt")
        .roles(["viewer"])
        .tenant(ACME, ["tenant-member"])
        .custom_attribute("team", "e2e")
        .await
        .unwrap();
    assert_eq!(created.login_ids, [login]);
    assert_eq!(created.status.as_deref(), Some("enabled"));
    assert_eq!(created.test, Some(false));
    let loaded = users.load(login).await.unwrap();
    assert_eq!(loaded.user_id, created.user_id);
    assert_eq!(loaded.name.as_deref(), Some("Mgmt E2E"));
    assert_eq!(loaded.role_names, ["viewer"]);
    assert_eq!(loaded.user_tenants[0].tenant_id, ACME);
    assert_eq!(loaded.user_tenants[0].role_names, ["tenant-member"]);
    let by_id = users.load_by_user_id(&created.user_id).await.unwrap();
    assert_eq!(by_id.login_ids, [login]);
    // A second create of the same login id is refused.
    let again = users.create(login).await.unwrap_err();
    assert_eq!(again.code(), Some(&ErrorCode::UserAlreadyExists));

    // Search: four users share the attribute; pages of two, as a stream.
    for i in 0..3 {
        users
            .create(format!("mgmt-page-{i}@example.com"))
            .custom_attribute("team", "e2e")
            .await
            .unwrap();
    }
    let one = users
        .search()
        .custom_attribute("team", "e2e")
        .limit(3)
        .await
        .unwrap();
    assert_eq!((one.users.len(), one.total), (3, 4));
    let mut pages = users
        .search()
        .custom_attribute("team", "e2e")
        .sort("email", false)
        .limit(2)
        .pages();
    let mut seen = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next_page().await {
        let page = page.unwrap();
        count += 1;
        seen.extend(page.users.into_iter().map(|u| u.login_ids[0].clone()));
    }
    assert_eq!(count, 2);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 4);
    assert_eq!(sorted.len(), 4, "no user twice: {seen:?}");

    // Patch changes only what it names.
    let patched = users.patch(login).name("Patched").await.unwrap();
    assert_eq!(patched.name.as_deref(), Some("Patched"));
    assert_eq!(patched.given_name.as_deref(), Some("Mgmt"));
    assert_eq!(patched.role_names, ["viewer"]);
    assert_eq!(patched.user_tenants.len(), 1);

    // Update replaces the whole user: what it does not name is cleared.
    let updated = users
        .update(login)
        .email(login)
        .roles(["admin"])
        .tenant(GLOBEX, ["tenant-admin"])
        .await
        .unwrap();
    assert_eq!(updated.role_names, ["admin"]);
    assert_eq!(updated.given_name.as_deref(), Some(""));
    assert_eq!(updated.name.as_deref(), Some(""));
    assert_eq!(updated.user_tenants.len(), 1);
    assert_eq!(updated.user_tenants[0].tenant_id, GLOBEX);
    assert!(updated.custom_attributes.unwrap_or_default().is_empty());

    // Roles and tenants by their own calls.
    users.add_tenant(login, ACME).await.unwrap();
    users
        .set_roles(login, ["tenant-admin"])
        .tenant(ACME)
        .await
        .unwrap();
    users.add_roles(login, ["viewer"]).await.unwrap();
    let user = users.remove_tenant(login, GLOBEX).await.unwrap();
    assert_eq!(user.role_names, ["admin", "viewer"]);
    assert_eq!(user.user_tenants.len(), 1);
    let user = users.remove_roles(login, ["viewer"]).await.unwrap();
    assert_eq!(user.role_names, ["admin"]);

    // Deactivated: sign-in refused; activated again: the token carries what management gave.
    let user = users.deactivate(login).await.unwrap();
    assert_eq!(user.status.as_deref(), Some("disabled"));
    let refused = oauth_sign_in(&s, login).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Api);
    assert_eq!(refused.status(), Some(403));
    let disabled = users.search().statuses(["disabled"]).await.unwrap();
    assert_eq!(disabled.users.len(), 1);
    users.activate(login).await.unwrap();
    let info = oauth_sign_in(&s, login).await.unwrap();
    assert_eq!(info.session.user_id(), created.user_id);
    assert_eq!(info.session.roles(), ["admin"]);
    assert!(info.session.validate_tenant_roles(ACME, &["tenant-admin"]));
    assert!(!info.session.is_associated_with_tenant(GLOBEX));

    // Deleted: gone from management and from the sign-in side's refresh.
    users.delete(login).await.unwrap();
    let gone = users.load(login).await.unwrap_err();
    assert_eq!(gone.code(), Some(&ErrorCode::ManagementUserNotFound));
    assert!(s.client.refresh(info.refresh_token()).await.is_err());
    // Deleting again is not an error.
    users.delete(login).await.unwrap();
}

async fn test_users(kind: Backend) {
    let s = setup(kind).await;
    let admin = management_client(&s, &seeded_key(&s));
    let users = admin.management().users();
    let test = users
        .create_test_user("test-e2e@example.com")
        .roles(["viewer"])
        .await
        .unwrap();
    assert_eq!(test.test, Some(true));
    let all = users.search().await.unwrap();
    assert!(
        all.users.iter().all(|u| u.test != Some(true)),
        "test users left out"
    );
    let with = users.search().with_test_users(true).await.unwrap();
    assert_eq!(with.total, all.total + 1);
    let only = users.search_test_users().await.unwrap();
    assert_eq!(only.users.len(), 1);
    assert_eq!(only.users[0].login_ids, ["test-e2e@example.com"]);
    users.delete_all_test_users().await.unwrap();
    assert_eq!(users.search_test_users().await.unwrap().total, 0);
    // Real users stay.
    assert_eq!(users.search().await.unwrap().total, all.total);
}

async fn keys_are_checked(kind: Backend) {
    let s = setup(kind).await;
    let key = seeded_key(&s);

    // A wrong key: a typed 401, told apart from a missing key.
    let wrong = management_client(&s, "K2NotTheKey");
    let error = wrong
        .management()
        .users()
        .load("ada@example.com")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status(), Some(401));
    assert!(error.is_management_key_rejected(), "{error}");
    assert!(!error.to_string().contains("K2NotTheKey"));
    let missing = s
        .client
        .management()
        .users()
        .load("ada@example.com")
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Configuration);
    assert!(!missing.is_management_key_rejected());

    // A session never works as a management key.
    let info = oauth_sign_in(&s, "ada@example.com").await.unwrap();
    let as_key = management_client(&s, info.session_token().secret());
    let error = as_key
        .management()
        .users()
        .load("ada@example.com")
        .await
        .unwrap_err();
    assert!(error.is_management_key_rejected());

    // Nor a management key as a session or a refresh token.
    let error = s
        .client
        .validate_session(&SessionToken::new(key.clone()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TokenValidation);
    let error = s
        .client
        .refresh(&RefreshToken::new(key.clone()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TokenValidation);
    // The emulator's door too, past the client's local check.
    let pid = s.emulator.project_id();
    let request = http::Request::post(format!("{}/v1/auth/refresh", s.emulator.base_url()))
        .header("authorization", format!("Bearer {pid}:{key}"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(s.raw.send(request).await.unwrap().status(), 401);

    // The right key works, and the seeded users are there.
    let admin = management_client(&s, &key);
    let ada = admin
        .management()
        .users()
        .load("ada@example.com")
        .await
        .unwrap();
    assert_eq!(ada.role_names, ["admin"]);
}

over_both_backends!(user_lifecycle, test_users, keys_are_checked);
