//! End to end against descope-emulator, over both backends: roles, permissions and access
//! keys made through management show on the sign-in side (OTP tokens, access-key exchange).

use descope_flows::{Client, ErrorKind};
use descope_types::{DeliveryMethod, ErrorCode, ManagementKey, OtpCode};

use crate::harness::{Backend, Setup, over_both_backends, setup};

const ACME: &str = "T2EmulatorTenantAcme";

fn admin(s: &Setup) -> Client {
    Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .management_key(ManagementKey::new(
            s.emulator
                .management_key()
                .expect("the demo seed has a key"),
        ))
        .build()
        .unwrap()
}

/// Signs `login_id` in by email OTP, with the code from the outbox.
async fn otp_sign_in(s: &Setup, login_id: &str) -> descope_flows::AuthenticationInfo {
    let otp = s.client.otp();
    otp.sign_in(DeliveryMethod::Email, login_id).await.unwrap();
    let message = s.last_message(login_id).await;
    let code = OtpCode::new(message["code"].as_str().expect("an OTP message has a code"));
    otp.verify(DeliveryMethod::Email, login_id, &code)
        .await
        .unwrap()
}

async fn roles_and_permissions_reach_tokens(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let m = admin.management();
    let login = "roles-e2e@example.com";

    m.permissions()
        .create("export")
        .description("Export data")
        .await
        .unwrap();
    m.permissions().create("import").await.unwrap();
    let again = m.permissions().create("import").await.unwrap_err();
    assert_eq!(again.status(), Some(409));
    let all = m.permissions().load_all().await.unwrap();
    let export = all.iter().find(|p| p.name == "export").unwrap();
    assert_eq!(export.description, "Export data");

    m.roles()
        .create("exporter")
        .description("Exports")
        .permissions(["export", "read"])
        .await
        .unwrap();
    // A tenant role of the same name grants more in its tenant.
    m.roles()
        .create("exporter")
        .tenant(ACME)
        .permissions(["export", "import"])
        .await
        .unwrap();
    let unknown_tenant = m.roles().create("x").tenant("T2nope").await.unwrap_err();
    assert_eq!(unknown_tenant.code(), Some(&ErrorCode::InvalidArguments));
    let roles = m.roles().load_all().await.unwrap();
    assert!(
        roles
            .iter()
            .any(|r| r.name == "exporter" && r.tenant_id.is_empty())
    );
    assert!(
        roles.iter().any(|r| r.name == "admin"),
        "seeded roles are there"
    );
    let found = m
        .roles()
        .search()
        .tenant_ids([ACME])
        .name_like("EXPORT")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].tenant_id, ACME);
    assert_eq!(found[0].permission_names, ["export", "import"]);
    let with_project = m
        .roles()
        .search()
        .tenant_ids([ACME])
        .include_project_roles(true)
        .permissions(["export"])
        .await
        .unwrap();
    assert_eq!(with_project.len(), 2);

    // Given to a user: the OTP token carries the role and its permissions.
    m.users()
        .create(login)
        .email(login)
        .roles(["exporter"])
        .tenant(ACME, ["exporter"])
        .await
        .unwrap();
    let info = otp_sign_in(&s, login).await;
    assert_eq!(info.session.roles(), ["exporter"]);
    assert_eq!(info.session.permissions(), ["export", "read"]);
    assert!(info.session.validate_tenant_roles(ACME, &["exporter"]));
    assert!(
        info.session
            .validate_tenant_permissions(ACME, &["export", "import"])
    );
    assert!(!info.session.validate_tenant_permissions(ACME, &["read"]));

    // Updating the role changes the next token.
    m.roles()
        .update("exporter", "exporter")
        .permissions(["export", "write"])
        .await
        .unwrap();
    let info = otp_sign_in(&s, login).await;
    assert_eq!(info.session.permissions(), ["export", "write"]);
    // Deleting a permission takes it out of every role.
    m.permissions().delete("export").await.unwrap();
    let info = otp_sign_in(&s, login).await;
    assert_eq!(info.session.permissions(), ["write"]);
    assert!(info.session.validate_tenant_permissions(ACME, &["import"]));
    assert!(!info.session.validate_tenant_permissions(ACME, &["export"]));
    // Renaming a permission renames it in roles.
    m.permissions()
        .update("write", "write2")
        .description("W")
        .await
        .unwrap();
    let info = otp_sign_in(&s, login).await;
    assert_eq!(info.session.permissions(), ["write2"]);

    // Renaming a role renames it on its users; deleting it takes it away.
    m.roles()
        .update("exporter", "exporter2")
        .permissions(["write2"])
        .await
        .unwrap();
    let user = m.users().load(login).await.unwrap();
    assert_eq!(user.role_names, ["exporter2"]);
    assert_eq!(
        user.user_tenants[0].role_names,
        ["exporter"],
        "the tenant role stays"
    );
    m.roles().delete("exporter").tenant(ACME).await.unwrap();
    m.roles().delete("exporter2").await.unwrap();
    // Deleting again is not an error.
    m.roles().delete("exporter2").await.unwrap();
    let info = otp_sign_in(&s, login).await;
    assert!(info.session.roles().is_empty());
    assert!(info.session.permissions().is_empty());
    assert!(!info.session.validate_tenant_roles(ACME, &["exporter"]));
}

async fn access_key_lifecycle(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let keys = admin.management().access_keys();

    let created = keys
        .create("ci-key")
        .roles(["admin"])
        .tenant(ACME, ["tenant-admin"])
        .custom_claim("team", "ci")
        .description("CI")
        .custom_attribute("env", "test")
        .await
        .unwrap();
    assert!(!format!("{created:?}").contains(created.cleartext.secret()));
    let id = created.key.id.clone();
    assert!(created.key.is_active());
    assert_eq!(
        created.key.key_tenants[0].tenant_name.as_deref(),
        Some("Acme")
    );

    // The key exchanges for a session with its roles, tenants and claims.
    let info = s
        .client
        .exchange_access_key(&created.cleartext)
        .await
        .unwrap();
    assert_eq!(info.key_id, id);
    assert_eq!(info.session.roles(), ["admin"]);
    assert_eq!(info.session.permissions(), ["read", "write"]);
    assert!(info.session.validate_tenant_roles(ACME, &["tenant-admin"]));
    assert_eq!(info.session.claim("team"), Some(&serde_json::json!("ci")));

    // Load and search never give the cleartext back; they find the key.
    let loaded = keys.load(&id).await.unwrap();
    assert_eq!(
        (loaded.name.as_str(), loaded.description.as_str()),
        ("ci-key", "CI")
    );
    let found = keys
        .search()
        .tenant_ids([ACME])
        .custom_attribute("env", "test")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, id);
    assert!(
        keys.search()
            .bound_user_id("U2nobody")
            .await
            .unwrap()
            .is_empty()
    );

    // Update: renamed, roles replaced; the next exchange carries them.
    let updated = keys
        .update(&id, "ci-key-2")
        .roles(["viewer"])
        .await
        .unwrap();
    assert_eq!(updated.name, "ci-key-2");
    assert_eq!(updated.description, "CI", "not named, kept");
    let info = s
        .client
        .exchange_access_key(&created.cleartext)
        .await
        .unwrap();
    assert_eq!(info.session.roles(), ["viewer"]);

    // Deactivated: refused with a typed error; activated: works again.
    keys.deactivate(&id).await.unwrap();
    assert!(!keys.load(&id).await.unwrap().is_active());
    let refused = s
        .client
        .exchange_access_key(&created.cleartext)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Api);
    assert_eq!(refused.code(), Some(&ErrorCode::InvalidAccessKey));
    keys.activate(&id).await.unwrap();
    s.client
        .exchange_access_key(&created.cleartext)
        .await
        .unwrap();

    // Deleted: refused, and gone from management.
    keys.delete(&id).await.unwrap();
    let refused = s
        .client
        .exchange_access_key(&created.cleartext)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(&ErrorCode::InvalidAccessKey));
    let gone = keys.load(&id).await.unwrap_err();
    assert_eq!(gone.code(), Some(&ErrorCode::InvalidArguments));

    // Expired: refused once its time has passed.
    let now = crate::harness::now() as i64;
    let short = keys.create("short").expire_time(now + 60).await.unwrap();
    s.client
        .exchange_access_key(&short.cleartext)
        .await
        .unwrap();
    s.set_clock(120).await;
    let refused = s
        .client
        .exchange_access_key(&short.cleartext)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(&ErrorCode::InvalidAccessKey));
    let error = keys.create("past").expire_time(-1).await.unwrap_err();
    assert_eq!(error.status(), Some(400));
}

over_both_backends!(roles_and_permissions_reach_tokens, access_key_lifecycle);
