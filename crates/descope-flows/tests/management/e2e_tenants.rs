//! Tenants and SSO settings end to end against descope-emulator, over both backends: a tenant
//! management creates can be given to users and shows in their session tokens, and the SSO
//! domains and mappings management sets are what SSO sign-in uses.

use bytes::Bytes;
use descope_flows::{AuthenticationInfo, Client};
use descope_transport::Transport as _;
use descope_types::{
    DeliveryMethod, ExchangeCode, ManagementKey, OidcClientSecret, OtpCode, SsoOidcSettings,
    SsoSamlMetadataSettings, SsoSamlSettings,
};

use crate::harness::{Backend, Setup, over_both_backends, setup};

const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";
const ACME: &str = "T2EmulatorTenantAcme";

fn admin(s: &Setup) -> Client {
    let key = s
        .emulator
        .management_key()
        .expect("the demo seed has a key");
    Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .management_key(ManagementKey::new(key))
        .build()
        .unwrap()
}

/// Signs `login_id` in by email OTP, reading the code from the outbox.
async fn otp_sign_in(s: &Setup, login_id: &str) -> AuthenticationInfo {
    let otp = s.client.otp();
    otp.sign_in(DeliveryMethod::Email, login_id).await.unwrap();
    let message = s.last_message(login_id).await;
    let code = OtpCode::new(message["code"].as_str().unwrap());
    otp.verify(DeliveryMethod::Email, login_id, &code)
        .await
        .unwrap()
}

/// Signs in through the emulator's SSO flow for `tenant` (id, name or email), playing the
/// browser.
async fn sso_sign_in(s: &Setup, tenant: &str) -> AuthenticationInfo {
    let url = s
        .client
        .sso()
        .start(tenant)
        .redirect_url(REDIRECT)
        .await
        .unwrap();
    let request = http::Request::get(url.as_str()).body(Bytes::new()).unwrap();
    let response = s.raw.send(request).await.unwrap();
    assert_eq!(response.status(), 302, "IdP page did not redirect");
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    s.client
        .sso()
        .exchange(&ExchangeCode::new(code))
        .await
        .unwrap()
}

async fn tenant_lifecycle(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let tenants = admin.management().tenants();
    let users = admin.management().users();

    // Create (generated id, then a chosen one); the same id twice is refused.
    let corp = tenants
        .create("E2E Corp")
        .self_provisioning_domains(["corp.example"])
        .custom_attribute("tier", "gold")
        .enforce_sso(true)
        .await
        .unwrap()
        .id;
    assert!(corp.starts_with("T2"), "{corp}");
    let other = tenants
        .create_with_id("T2E2EOther", "E2E Other")
        .await
        .unwrap()
        .id;
    assert_eq!(other, "T2E2EOther");
    let again = tenants
        .create_with_id("T2E2EOther", "Again")
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(409));

    // Load, load all, search.
    let loaded = tenants.load(&corp).await.unwrap();
    assert_eq!(loaded.name, "E2E Corp");
    assert_eq!(loaded.self_provisioning_domains, ["corp.example"]);
    assert_eq!(loaded.custom_attributes["tier"], "gold");
    assert!(loaded.enforce_sso);
    assert!(loaded.created_time > 0);
    assert_eq!(loaded.auth_type, "none");
    let all = tenants.load_all().await.unwrap();
    assert!(all.iter().any(|t| t.id == corp) && all.iter().any(|t| t.id == ACME));
    let by_name = tenants.search().names(["e2e corp"]).await.unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].id, corp);
    let by_attribute = tenants
        .search()
        .custom_attribute("tier", "gold")
        .await
        .unwrap();
    assert_eq!(by_attribute.len(), 1);
    let by_domain = tenants
        .search()
        .self_provisioning_domains(["corp.example"])
        .ids([corp.as_str(), ACME])
        .await
        .unwrap();
    assert_eq!(by_domain.len(), 1);
    assert_eq!(tenants.search().await.unwrap().len(), all.len());

    // Update changes the name and what it names; the rest stays.
    tenants
        .update(&corp, "E2E Corp Renamed")
        .disabled(true)
        .await
        .unwrap();
    let updated = tenants.load(&corp).await.unwrap();
    assert_eq!(updated.name, "E2E Corp Renamed");
    assert!(updated.disabled);
    assert_eq!(updated.custom_attributes["tier"], "gold");

    // Settings: SSO domains and session settings.
    tenants
        .update_settings(&corp)
        .domains(["corp.example"])
        .session_settings_enabled(true)
        .session_token_expiration(10, "minutes")
        .inactivity(30, "minutes")
        .await
        .unwrap();
    let settings = tenants.load_settings(&corp).await.unwrap();
    assert_eq!(settings.tenant_id, corp);
    assert_eq!(settings.domains, ["corp.example"]);
    assert!(settings.session_settings_enabled);
    assert_eq!(
        (settings.session_token_expiration, settings.inactivity_time),
        (10, 30)
    );
    assert_eq!(settings.inactivity_time_unit, "minutes");
    assert_eq!(tenants.load(&corp).await.unwrap().domains, ["corp.example"]);

    // Cross-door: the new tenant can be given to a user and shows in the session token.
    let member = "member@corp.example";
    users
        .create(member)
        .email(member)
        .tenant(&corp, ["tenant-member"])
        .await
        .unwrap();
    let both = "both@corp.example";
    users
        .create(both)
        .email(both)
        .tenant(&corp, ["tenant-member"])
        .tenant(ACME, ["tenant-member"])
        .await
        .unwrap();
    let info = otp_sign_in(&s, member).await;
    assert!(info.session.is_associated_with_tenant(&corp));
    assert!(
        info.session
            .validate_tenant_roles(&corp, &["tenant-member"])
    );
    // The SSO domains set above select the tenant in SSO start.
    let info = sso_sign_in(&s, "sso-person@corp.example").await;
    assert!(info.session.is_associated_with_tenant(&corp));
    assert!(info.session.amr().iter().any(|m| m == "fed"));

    // Delete without cascade: the tenant goes, its members stay.
    tenants.delete(&other).await.unwrap();
    assert_eq!(tenants.load(&other).await.unwrap_err().status(), Some(400));
    // With cascade: users in that tenant only go; the others lose the membership.
    tenants.delete(&corp).cascade(true).await.unwrap();
    assert!(tenants.load(&corp).await.is_err());
    assert!(users.load(member).await.is_err(), "member was in corp only");
    let kept = users.load(both).await.unwrap();
    let kept_tenants: Vec<&str> = kept
        .user_tenants
        .iter()
        .map(|t| t.tenant_id.as_str())
        .collect();
    assert_eq!(kept_tenants, [ACME]);
    let info = otp_sign_in(&s, both).await;
    assert!(!info.session.is_associated_with_tenant(&corp));
    assert!(info.session.is_associated_with_tenant(ACME));
}

async fn sso_settings(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let tenants = admin.management().tenants();
    let sso = admin.management().sso();
    let tenant = tenants
        .create_with_id("T2SsoE2E", "SSO E2E")
        .await
        .unwrap()
        .id;

    // SAML by values, with its domains and SSO id.
    let settings = SsoSamlSettings {
        idp_url: "https://idp.sso-e2e.example/sso".to_owned(),
        entity_id: "https://idp.sso-e2e.example/entity".to_owned(),
        idp_cert: "MIIC-cert".to_owned(),
        ..SsoSamlSettings::default()
    };
    sso.configure_saml(&tenant, settings)
        .domains(["sso-e2e.example"])
        .sso_id("sso-1")
        .redirect_url(REDIRECT)
        .await
        .unwrap();
    let loaded = sso.load(&tenant).await.unwrap();
    let saml = loaded.saml.unwrap();
    assert_eq!(saml.idp_sso_url, "https://idp.sso-e2e.example/sso");
    assert_eq!(saml.idp_entity_id, "https://idp.sso-e2e.example/entity");
    assert_eq!(saml.idp_certificate, "MIIC-cert");
    assert_eq!(saml.redirect_url, REDIRECT);
    assert!(loaded.oidc.is_none());
    assert_eq!(loaded.sso_id.as_deref(), Some("sso-1"));
    let loaded_tenant = loaded.tenant.unwrap();
    assert_eq!(loaded_tenant.domains, ["sso-e2e.example"]);
    assert_eq!(loaded_tenant.auth_type, "saml");

    // Mapping: default SSO roles go to users signing in by this tenant's SSO.
    sso.configure_mapping(&tenant)
        .role_mapping(["admins"], "admin")
        .default_sso_roles(["viewer"])
        .await
        .unwrap();
    let saml = sso.load(&tenant).await.unwrap().saml.unwrap();
    assert_eq!(saml.groups_mapping[0].role.name, "admin");
    assert_eq!(saml.groups_mapping[0].groups, ["admins"]);
    assert_eq!(saml.default_sso_roles, ["viewer"]);
    let info = sso_sign_in(&s, "ann@sso-e2e.example").await;
    assert!(info.session.is_associated_with_tenant(&tenant));
    assert!(info.session.validate_tenant_roles(&tenant, &["viewer"]));
    assert_eq!(info.tenant_sso_id.as_deref(), Some("sso-1"));
    assert_eq!(
        info.user.unwrap().email.as_deref(),
        Some("ann@sso-e2e.example")
    );

    // OIDC replaces SAML; the client secret is never read back.
    let oidc = SsoOidcSettings {
        name: "e2e-oidc".to_owned(),
        client_id: "cid".to_owned(),
        client_secret: Some(OidcClientSecret::new("csecret")),
        auth_url: Some("https://idp.sso-e2e.example/auth".to_owned()),
        ..SsoOidcSettings::default()
    };
    sso.configure_oidc(&tenant, oidc).await.unwrap();
    let loaded = sso.load(&tenant).sso_id("sso-1").await.unwrap();
    let oidc = loaded.oidc.unwrap();
    assert_eq!(oidc.client_id, "cid");
    assert!(oidc.client_secret.is_none());
    assert!(loaded.saml.is_none());
    assert_eq!(loaded.tenant.unwrap().auth_type, "oidc");

    // SAML by metadata URL.
    let metadata = SsoSamlMetadataSettings {
        idp_metadata_url: "https://idp.sso-e2e.example/metadata".to_owned(),
        ..SsoSamlMetadataSettings::default()
    };
    sso.configure_saml_by_metadata(&tenant, metadata)
        .await
        .unwrap();
    let saml = sso.load(&tenant).await.unwrap().saml.unwrap();
    assert_eq!(
        saml.idp_metadata_url,
        "https://idp.sso-e2e.example/metadata"
    );

    // Delete: the provider and mappings go, the SSO domains stay.
    sso.delete(&tenant).sso_id("sso-1").await.unwrap();
    let loaded = sso.load(&tenant).await.unwrap();
    assert!(loaded.saml.is_none() && loaded.oidc.is_none());
    let loaded_tenant = loaded.tenant.unwrap();
    assert_eq!(loaded_tenant.auth_type, "none");
    assert_eq!(loaded_tenant.domains, ["sso-e2e.example"]);

    // An unknown tenant is an API error, before and after.
    let missing = sso.load("T2NoSuchTenant").await.unwrap_err();
    assert_eq!(missing.status(), Some(400));
}

over_both_backends!(tenant_lifecycle, sso_settings);
