//! The user operations beyond create/update/roles (single-field updates, passwords,
//! passkeys, TOTP, logout, delete and load by user id): request snapshots checked against the
//! official SDKs' captures, then end to end against the emulator over both backends, where
//! each shows on the sign-in side.

use descope_emulator::SoftAuthenticator;
use descope_flows::{Client, ErrorKind};
use descope_types::{DeliveryMethod, ErrorCode, OtpCode, Password, TotpCode, TotpKey};
use serde_json::{Value, json};

use crate::common::captures::*;
use crate::common::{Seen, TENANT_ID, seen};
use crate::harness::{Backend, Setup, over_both_backends, setup};

const USER: &str = "mgmt-user@example.com";
const USER_ID: &str = "U2b603f5e19cf95cc407cbd52bfa";

/// Every operation, with the capture labels of the official SDK calls that must send the
/// same request. `set_active_password` is checked against Python only: Python (and Go) send
/// `setActive: true`, Node sends `{loginId, password}` to the same path.
pub const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "update_login_id",
        &[
            "python:mgmt.user.update_login_id(login_id, new)",
            "node:management.user.updateLoginId(loginId, newLoginId)",
        ],
    ),
    (
        "update_email_all",
        &[
            "python:mgmt.user.update_email(login_id, email, verified, fail_on_conflict)",
            "node:management.user.updateEmail(loginId, email, verified, failOnConflict)",
        ],
    ),
    (
        "update_email",
        &[
            "python:mgmt.user.update_email(login_id, email)",
            "node:management.user.updateEmail(loginId, email, verified)",
        ],
    ),
    (
        "update_phone",
        &[
            "python:mgmt.user.update_phone(login_id, phone, verified, fail_on_conflict)",
            "node:management.user.updatePhone(loginId, phone, verified, failOnConflict)",
        ],
    ),
    (
        "update_display_name",
        &[
            "python:mgmt.user.update_display_name(all names)",
            "node:management.user.updateDisplayName(all names)",
        ],
    ),
    (
        "update_picture",
        &[
            "python:mgmt.user.update_picture(login_id, picture)",
            "node:management.user.updatePicture(loginId, picture)",
        ],
    ),
    (
        "update_custom_attribute",
        &[
            "python:mgmt.user.update_custom_attribute(key, value)",
            "node:management.user.updateCustomAttribute(key, value)",
        ],
    ),
    (
        "set_temporary_password",
        &[
            "python:mgmt.user.set_temporary_password(login_id, pwd)",
            "node:management.user.setTemporaryPassword(loginId, pwd)",
        ],
    ),
    (
        "set_active_password",
        &["python:mgmt.user.set_active_password(login_id, pwd)"],
    ),
    (
        "set_password",
        &[
            "python:mgmt.user.set_password(login_id, pwd) [deprecated]",
            "node:management.user.setPassword(loginId, pwd) [deprecated]",
        ],
    ),
    (
        "expire_password",
        &[
            "python:mgmt.user.expire_password(login_id)",
            "node:management.user.expirePassword(loginId)",
        ],
    ),
    (
        "remove_all_passkeys",
        &[
            "python:mgmt.user.remove_all_passkeys(login_id)",
            "node:management.user.removeAllPasskeys(loginId)",
        ],
    ),
    (
        "remove_totp_seed",
        &[
            "python:mgmt.user.remove_totp_seed(login_id)",
            "node:management.user.removeTOTPSeed(loginId)",
        ],
    ),
    (
        "logout_user",
        &[
            "python:mgmt.user.logout_user(login_id)",
            "node:management.user.logoutUser(loginId)",
        ],
    ),
    (
        "logout_user_by_user_id",
        &[
            "python:mgmt.user.logout_user_by_user_id(user_id)",
            "node:management.user.logoutUserByUserId(userId)",
        ],
    ),
    (
        "delete_by_user_id",
        &[
            "python:mgmt.user.delete_by_user_id(user_id)",
            "node:management.user.deleteByUserId(userId)",
        ],
    ),
    (
        "load_users",
        &[
            "python:mgmt.user.load_users([ids]) [extra]",
            "node:management.user.loadUsers([ids], includeInvalid) [extra]",
        ],
    ),
];

/// Captures checked by a dedicated test rather than [`OPERATIONS`]: Node's
/// `setActivePassword` sends no `setActive` (see
/// `node_set_active_password_differs_only_by_set_active`).
pub const CHECKED_APART: &[&str] = &["node:management.user.setActivePassword(loginId, pwd)"];

/// Canned answers: void calls answer `{}`, `users/load` a list, the rest one user.
fn canned(path: &str) -> (u16, Value) {
    match path {
        "/v1/mgmt/users/load" => (200, json!({"users": [crate::canned_user()], "total": 1})),
        "/v1/mgmt/user/logout" | "/v1/mgmt/user/delete" => (200, json!({})),
        p if p.starts_with("/v1/mgmt/user/password/")
            || p.ends_with("/passkeys/delete")
            || p.ends_with("/totp/delete") =>
        {
            (200, json!({}))
        }
        other => crate::canned(other),
    }
}

/// Runs one operation; it must succeed against the canned answers.
#[allow(deprecated)] // `set_password` is checked like the SDKs' deprecated call.
async fn run(op: &str, client: &Client) {
    let users = client.management().users();
    let user = match op {
        "update_login_id" => Some(
            users
                .update_login_id("mgmt-min@example.com", "mgmt-min2@example.com")
                .await
                .unwrap(),
        ),
        "update_email_all" => Some(
            users
                .update_email(USER, "mgmt-new@example.com")
                .verified(true)
                .fail_on_conflict(true)
                .await
                .unwrap(),
        ),
        "update_email" => Some(
            users
                .update_email(USER, "mgmt-new2@example.com")
                .await
                .unwrap(),
        ),
        "update_phone" => Some(
            users
                .update_phone(USER, "+15555550135")
                .verified(false)
                .fail_on_conflict(false)
                .await
                .unwrap(),
        ),
        "update_display_name" => Some(
            users
                .update_display_name(USER, "Display")
                .given_name("Given")
                .middle_name("Middle")
                .family_name("Family")
                .await
                .unwrap(),
        ),
        "update_picture" => Some(
            users
                .update_picture(USER, "https://example.com/p3.png")
                .await
                .unwrap(),
        ),
        "update_custom_attribute" => Some(
            users
                .update_custom_attribute(USER, "tier", "bronze")
                .await
                .unwrap(),
        ),
        "set_temporary_password" => {
            let password = Password::new("Tmp!Passw0rd");
            users.set_temporary_password(USER, &password).await.unwrap();
            None
        }
        "set_active_password" => {
            let password = Password::new("Act!Passw0rd");
            users.set_active_password(USER, &password).await.unwrap();
            None
        }
        "set_password" => {
            let password = Password::new("Old!Passw0rd");
            users.set_password(USER, &password).await.unwrap();
            None
        }
        "expire_password" => {
            users.expire_password(USER).await.unwrap();
            None
        }
        "remove_all_passkeys" => {
            users.remove_all_passkeys(USER).await.unwrap();
            None
        }
        "remove_totp_seed" => {
            users.remove_totp_seed(USER).await.unwrap();
            None
        }
        "logout_user" => {
            users.logout_user(USER).await.unwrap();
            None
        }
        "logout_user_by_user_id" => {
            users.logout_user_by_user_id(USER_ID).await.unwrap();
            None
        }
        "delete_by_user_id" => {
            users.delete_by_user_id("U2deleteMe").await.unwrap();
            None
        }
        "load_users" => {
            let loaded = users
                .load_users([USER_ID])
                .include_invalid(true)
                .await
                .unwrap();
            assert_eq!(loaded.len(), 1);
            assert_eq!(loaded[0].user_id, USER_ID);
            None
        }
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
        let (client, transport) = crate::recording_client_with(canned);
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        assert_eq!(seen[0].path, LICENSE_PATH, "{op}: the license comes first");
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Node sends `{loginId, password}` to `/set/active`; ours (as Python's and Go's) adds
/// `setActive: true`. Everything else is the same request.
#[tokio::test]
async fn node_set_active_password_differs_only_by_set_active() {
    let captures = load_captures();
    let node = &captures[CHECKED_APART[0]];
    assert_eq!(node.len(), 1);
    let (client, transport) = crate::recording_client_with(canned);
    run("set_active_password", &client).await;
    let mut ours = seen(&transport.requests()[1]);
    let body = ours.body.as_mut().unwrap().as_object_mut().unwrap();
    assert_eq!(body.remove("setActive"), Some(json!(true)));
    check_against(&ours, &node[0]).unwrap();
}

#[tokio::test]
async fn passwords_stay_out_of_debug_and_arguments_are_checked_first() {
    let (client, transport) = crate::recording_client_with(canned);
    let users = client.management().users();
    let call = users.set_active_password(USER, &Password::new("Act!Passw0rd"));
    assert!(!format!("{call:?}").contains("Act!"), "{call:?}");
    let empty = users
        .set_temporary_password(USER, &Password::new(""))
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::InvalidArgument);
    let no_key = users
        .update_custom_attribute(USER, " ", 1)
        .await
        .unwrap_err();
    assert_eq!(no_key.kind(), ErrorKind::InvalidArgument);
    let no_id = users.logout_user_by_user_id("").await.unwrap_err();
    assert_eq!(no_id.kind(), ErrorKind::InvalidArgument);
    let no_ids = users.load_users([""]).await.unwrap_err();
    assert_eq!(no_ids.kind(), ErrorKind::InvalidArgument);
    assert!(transport.requests().is_empty(), "nothing was sent");
}

// ---- end to end ----------------------------------------------------------------------

const ACME: &str = "T2EmulatorTenantAcme";
const ORIGIN: &str = "http://localhost:3000";

fn admin(s: &Setup) -> Client {
    Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .management_key(descope_types::ManagementKey::new(
            s.emulator
                .management_key()
                .expect("the demo seed has a key"),
        ))
        .build()
        .unwrap()
}

fn totp_code(key: &TotpKey, at: u64) -> TotpCode {
    let secret = totp_rs::Secret::Encoded(key.secret().to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret);
    TotpCode::new(totp.generate(at))
}

/// Passwords set by management are the ones password sign-in checks; a login id change
/// moves sign-in to the new id; the single-field updates and the bulk load answer the user.
async fn passwords_and_login_ids_cross_doors(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    let login = "cross@example.com";
    let created = users.create(login).email(login).await.unwrap();
    let pw = s.client.password();

    let active = Password::new("Act!Passw0rd");
    users.set_active_password(login, &active).await.unwrap();
    let info = pw.sign_in(login, &active).await.unwrap();
    assert_eq!(info.session.user_id(), created.user_id);

    // Expired: refused with Descope's code until replaced.
    users.expire_password(login).await.unwrap();
    let expired = pw.sign_in(login, &active).await.unwrap_err();
    assert_eq!(expired.code(), Some(&ErrorCode::PasswordExpired));
    assert!(!expired.to_string().contains("Act!"));
    let replaced = Password::new("N3w!Passw0rd");
    pw.replace(login, &active, &replaced).await.unwrap();
    pw.sign_in(login, &replaced).await.unwrap();

    // Temporary: the same until replaced.
    let temporary = Password::new("Tmp!Passw0rd");
    users
        .set_temporary_password(login, &temporary)
        .await
        .unwrap();
    let error = pw.sign_in(login, &temporary).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::PasswordExpired));
    assert!(pw.sign_in(login, &replaced).await.is_err());

    // A new login id signs in; the old one is no one's.
    users.set_active_password(login, &active).await.unwrap();
    let moved = users
        .update_login_id(login, "cross-new@example.com")
        .await
        .unwrap();
    assert_eq!(moved.login_ids, ["cross-new@example.com"]);
    let info = pw.sign_in("cross-new@example.com", &active).await.unwrap();
    assert_eq!(info.session.user_id(), created.user_id);
    let old = pw.sign_in(login, &active).await.unwrap_err();
    assert_eq!(old.code(), Some(&ErrorCode::UserNotFound));

    // The single-field updates answer the user as it now is.
    let login = "cross-new@example.com";
    let user = users
        .update_email(login, "cross-mail@example.com")
        .verified(true)
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("cross-mail@example.com"));
    assert_eq!(user.verified_email, Some(true));
    users.create("holder@example.com").await.unwrap();
    let conflict = users
        .update_email(login, "holder@example.com")
        .fail_on_conflict(true)
        .await
        .unwrap_err();
    assert_eq!(conflict.code(), Some(&ErrorCode::UserAlreadyExists));
    let user = users.update_phone(login, "+15555550135").await.unwrap();
    assert_eq!(user.phone.as_deref(), Some("+15555550135"));
    assert_eq!(user.verified_phone, Some(false));
    let user = users
        .update_display_name(login, "Display")
        .given_name("Given")
        .family_name("Family")
        .await
        .unwrap();
    assert_eq!(user.name.as_deref(), Some("Display"));
    assert_eq!(user.given_name.as_deref(), Some("Given"));
    assert_eq!(user.family_name.as_deref(), Some("Family"));
    let user = users
        .update_picture(login, "https://example.com/p.png")
        .await
        .unwrap();
    assert_eq!(user.picture.as_deref(), Some("https://example.com/p.png"));
    users
        .update_custom_attribute(login, "tier", "gold")
        .await
        .unwrap();
    let user = users
        .update_custom_attribute(login, "seats", 3)
        .await
        .unwrap();
    let attributes = user.custom_attributes.unwrap_or_default();
    assert_eq!(attributes.get("tier"), Some(&json!("gold")));
    assert_eq!(attributes.get("seats"), Some(&json!(3)));

    // Bulk load; disabled users only when asked for.
    let holder = users.load("holder@example.com").await.unwrap();
    users.deactivate("holder@example.com").await.unwrap();
    let ids = [created.user_id.clone(), holder.user_id.clone()];
    let loaded = users.load_users(ids.clone()).await.unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].user_id, created.user_id);
    let loaded = users.load_users(ids).include_invalid(true).await.unwrap();
    assert_eq!(loaded.len(), 2);

    // Delete by user id.
    users.delete_by_user_id(&holder.user_id).await.unwrap();
    let gone = users.load_by_user_id(&holder.user_id).await.unwrap_err();
    assert_eq!(gone.code(), Some(&ErrorCode::ManagementUserNotFound));
    users.delete_by_user_id(&holder.user_id).await.unwrap();
}

/// Logout by login id and by user id: every refresh token of the user then answers 401.
async fn logout_user_revokes_refresh(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    let login = "leaver@example.com";
    let user = users.create(login).await.unwrap();
    let password = Password::new("Act!Passw0rd");
    users.set_active_password(login, &password).await.unwrap();
    let pw = s.client.password();
    let first = pw.sign_in(login, &password).await.unwrap();
    let second = pw.sign_in(login, &password).await.unwrap();
    s.client.refresh(first.refresh_token()).await.unwrap();

    users.logout_user(login).await.unwrap();
    for info in [&first, &second] {
        let error = s.client.refresh(info.refresh_token()).await.unwrap_err();
        assert_eq!(error.status(), Some(401), "{error}");
    }

    let third = pw.sign_in(login, &password).await.unwrap();
    users.logout_user_by_user_id(&user.user_id).await.unwrap();
    let error = s.client.refresh(third.refresh_token()).await.unwrap_err();
    assert_eq!(error.status(), Some(401), "{error}");
}

/// Removing the TOTP seed or the passkeys: those sign-ins fail afterwards.
async fn removed_credentials_stop_signing_in(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();

    let login = "totp-gone@example.com";
    let enrollment = s.client.totp().sign_up(login).await.unwrap();
    let now = crate::harness::now();
    s.client
        .totp()
        .verify(login, &totp_code(&enrollment.key, now))
        .await
        .unwrap();
    users.remove_totp_seed(login).await.unwrap();
    let error = s
        .client
        .totp()
        .verify(login, &totp_code(&enrollment.key, now + 30))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(users.load(login).await.unwrap().totp, Some(false));

    let login = "passkey-gone@example.com";
    let webauthn = s.client.webauthn();
    let mut authenticator = SoftAuthenticator::new();
    let start = webauthn.sign_up_start(login, ORIGIN).await.unwrap();
    let credential = authenticator.create(&start.options, ORIGIN).await.unwrap();
    webauthn
        .sign_up_finish(&start.transaction_id, credential)
        .await
        .unwrap();
    // It signs in before the removal...
    let start = webauthn.sign_in_start(login, ORIGIN).await.unwrap();
    let assertion = authenticator.get(&start.options, ORIGIN).await.unwrap();
    webauthn
        .sign_in_finish(&start.transaction_id, assertion)
        .await
        .unwrap();
    // ...and not after.
    users.remove_all_passkeys(login).await.unwrap();
    assert_eq!(users.load(login).await.unwrap().webauthn, Some(false));
    let error = webauthn.sign_in_start(login, ORIGIN).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
}

/// Tenant roles set, added and removed by management are in the session token's `tenants`
/// claim after an OTP sign-in (code read from the emulator's outbox).
async fn tenant_roles_reach_the_token(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    let login = "tenant-roles@example.com";
    users.create(login).email(login).await.unwrap();
    users.add_tenant(login, ACME).await.unwrap();
    users
        .set_roles(login, ["tenant-member"])
        .tenant(ACME)
        .await
        .unwrap();
    users
        .add_roles(login, ["tenant-admin", "auditor"])
        .tenant(ACME)
        .await
        .unwrap();
    let user = users
        .remove_roles(login, ["auditor"])
        .tenant(ACME)
        .await
        .unwrap();
    assert_eq!(
        user.user_tenants[0].role_names,
        ["tenant-member", "tenant-admin"]
    );

    s.client
        .otp()
        .sign_in(DeliveryMethod::Email, login)
        .await
        .unwrap();
    let message = s.last_message(login).await;
    let code = OtpCode::new(message["code"].as_str().unwrap());
    let info = s
        .client
        .otp()
        .verify(DeliveryMethod::Email, login, &code)
        .await
        .unwrap();
    assert!(
        info.session
            .validate_tenant_roles(ACME, &["tenant-member", "tenant-admin"])
    );
    let acme = info.session.tenants().get(ACME).unwrap();
    assert!(!acme.roles.iter().any(|r| r == "auditor"));
    assert!(acme.permissions.iter().any(|p| p == "tenant-write"));
    assert!(info.session.roles().is_empty(), "no project-level roles");
}

over_both_backends!(
    passwords_and_login_ids_cross_doors,
    logout_user_revokes_refresh,
    removed_credentials_stop_signing_in,
    tenant_roles_reach_the_token
);
