//! Management of tenants (`/v1/mgmt/tenant/*`) and their SSO settings (`/v1/mgmt/sso/*`,
//! `/v2/mgmt/sso/settings`), on the same tenant table the sign-in side uses: a tenant created
//! here can be given to users, and its SSO domains select it in SSO start.

use axum::Json;
use descope_types::{
    GroupsMapping, MappedRole, MgmtSsoMappingRequest, MgmtSsoOidcRequest, MgmtSsoSamlRequest,
    MgmtTenantDeleteRequest, MgmtTenantRequest, MgmtTenantSearchRequest, MgmtTenantSettingsRequest,
    SsoSamlMetadataSettings, SsoSamlSettings, SsoSamlSettingsResponse, SsoTenantSettings, Tenant,
    TenantSettings,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::management::{Mgmt, required};
use crate::api_error::ApiError;
use crate::config::SeedTenant;
use crate::extract::{JsonBody, QueryMap};
use crate::project::{MAX_TENANTS, State};

/// The tenant as management answers it.
fn tenant_value(st: &State, tenant: &SeedTenant) -> Tenant {
    let extra = st.tenant_extra(&tenant.id);
    Tenant {
        id: tenant.id.clone(),
        name: tenant.name.clone(),
        self_provisioning_domains: extra.self_provisioning_domains.clone(),
        domains: tenant.sso_domains.clone(),
        custom_attributes: tenant.custom_attributes.clone().unwrap_or_default(),
        auth_type: extra.auth_type(),
        created_time: extra.created_time,
        disabled: extra.disabled,
        enforce_sso: extra.enforce_sso,
        enforce_sso_exclusions: extra.enforce_sso_exclusions.clone(),
        federated_app_ids: extra.federated_app_ids.clone(),
        parent: extra.parent.clone(),
        role_inheritance: extra.role_inheritance.clone(),
        successor_tenant_ids: st
            .tenant_extras
            .iter()
            .filter(|(_, e)| e.parent == tenant.id)
            .map(|(id, _)| id.clone())
            .collect(),
        default_roles: Vec::new(),
    }
}

fn known<'a>(st: &'a State, id: &str) -> Result<&'a SeedTenant, ApiError> {
    st.tenant(required(id, "id")?)
        .ok_or_else(ApiError::tenant_not_found)
}

/// The `id` (or Go's `tenantId`) query parameter.
fn query_id(query: &QueryMap) -> Result<String, ApiError> {
    query
        .get(&["id", "tenantId"])
        .map(str::to_owned)
        .ok_or_else(|| ApiError::missing_field("id"))
}

/// Writes the optional fields of a create/update body.
fn apply(st: &mut State, id: &str, body: MgmtTenantRequest) {
    if let Some(tenant) = st.tenants.iter_mut().find(|t| t.id == id) {
        tenant.name = body.name;
        if let Some(attributes) = body.custom_attributes {
            tenant.custom_attributes = Some(attributes);
        }
    }
    let extra = st.tenant_extras.entry(id.to_owned()).or_default();
    if let Some(v) = body.self_provisioning_domains {
        extra.self_provisioning_domains = v;
    }
    if let Some(v) = body.enforce_sso {
        extra.enforce_sso = v;
    }
    if let Some(v) = body.enforce_sso_exclusions {
        extra.enforce_sso_exclusions = v;
    }
    if let Some(v) = body.federated_app_ids {
        extra.federated_app_ids = v;
    }
    if let Some(v) = body.disabled {
        extra.disabled = v;
    }
    if let Some(v) = body.parent {
        extra.parent = v;
    }
    if let Some(v) = body.role_inheritance {
        extra.role_inheritance = v;
    }
}

/// `POST /v1/mgmt/tenant/create`: `{"id"}`, generated when the body names none.
pub(super) async fn create(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTenantRequest>,
) -> Result<Json<Value>, ApiError> {
    required(&body.name, "name")?;
    let now = project.now();
    let mut st = project.lock();
    let id = match body.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let raw = crate::random::bytes::<13>()?;
            let hex: String = raw.iter().map(|b| format!("{b:02X}")).collect();
            format!("T2{hex}")
        }
    };
    if st.tenant(&id).is_some() {
        return Err(ApiError::tenant_exists());
    }
    if st.tenants.len() >= MAX_TENANTS {
        return Err(ApiError::tenants_full());
    }
    st.tenants.push(SeedTenant {
        id: id.clone(),
        name: body.name.clone(),
        ..SeedTenant::default()
    });
    st.tenant_extras.entry(id.clone()).or_default().created_time = now;
    apply(&mut st, &id, body);
    Ok(Json(json!({ "id": id })))
}

/// `POST /v1/mgmt/tenant/update`: the name and the fields the body names.
pub(super) async fn update(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTenantRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, body.id.as_deref().unwrap_or_default())?
        .id
        .clone();
    required(&body.name, "name")?;
    apply(&mut st, &id, body);
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/tenant/delete`: `{}`, also for a tenant that does not exist (as user
/// delete). Memberships of it go; with `cascade`, so do users left in no tenant.
pub(super) async fn delete(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTenantDeleteRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = required(&body.id, "id")?;
    project.lock().remove_tenant(id, body.cascade);
    Ok(Json(json!({})))
}

/// `GET /v1/mgmt/tenant?id=`.
pub(super) async fn load(Mgmt(project): Mgmt, query: QueryMap) -> Result<Json<Tenant>, ApiError> {
    let id = query_id(&query)?;
    let st = project.lock();
    let tenant = known(&st, &id)?;
    Ok(Json(tenant_value(&st, tenant)))
}

/// `GET /v1/mgmt/tenant/all`.
pub(super) async fn load_all(Mgmt(project): Mgmt) -> Json<Value> {
    let st = project.lock();
    let tenants: Vec<Tenant> = st.tenants.iter().map(|t| tenant_value(&st, t)).collect();
    Json(json!({ "tenants": tenants }))
}

/// `POST /v1/mgmt/tenant/search`: every criterion given must match (within one, any value).
pub(super) async fn search(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTenantSearchRequest>,
) -> Json<Value> {
    let st = project.lock();
    let tenants: Vec<Tenant> = st
        .tenants
        .iter()
        .map(|t| tenant_value(&st, t))
        .filter(|t| body.tenant_ids.is_empty() || body.tenant_ids.contains(&t.id))
        .filter(|t| {
            body.tenant_names.is_empty()
                || body
                    .tenant_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&t.name))
        })
        .filter(|t| {
            body.tenant_self_provisioning_domains.is_empty()
                || body.tenant_self_provisioning_domains.iter().any(|d| {
                    t.self_provisioning_domains
                        .iter()
                        .any(|own| own.eq_ignore_ascii_case(d))
                })
        })
        .filter(|t| {
            body.custom_attributes
                .iter()
                .flatten()
                .all(|(k, v)| t.custom_attributes.get(k) == Some(v))
        })
        .filter(|t| {
            body.parent_tenant_id
                .as_deref()
                .is_none_or(|p| p.is_empty() || t.parent == p)
        })
        .collect();
    Json(json!({ "tenants": tenants }))
}

/// `GET /v1/mgmt/tenant/settings?id=`: also answers `enabled`, the name Go's SDK reads.
pub(super) async fn load_settings(
    Mgmt(project): Mgmt,
    query: QueryMap,
) -> Result<Json<Value>, ApiError> {
    let id = query_id(&query)?;
    let st = project.lock();
    let tenant = known(&st, &id)?;
    let extra = st.tenant_extra(&tenant.id);
    let settings = TenantSettings {
        tenant_id: tenant.id.clone(),
        domains: tenant.sso_domains.clone(),
        self_provisioning_domains: extra.self_provisioning_domains.clone(),
        auth_type: extra.auth_type(),
        enforce_sso: extra.enforce_sso,
        enforce_sso_exclusions: extra.enforce_sso_exclusions.clone(),
        federated_app_ids: extra.federated_app_ids.clone(),
        sso_setup_suite_settings: Some(json!({})),
        ..extra.settings.clone()
    };
    let enabled = settings.session_settings_enabled;
    let mut value = serde_json::to_value(settings).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("enabled".to_owned(), Value::Bool(enabled));
    }
    Ok(Json(value))
}

/// `POST /v1/mgmt/tenant/settings`: the fields the body names.
pub(super) async fn update_settings(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTenantSettingsRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, &body.tenant_id)?.id.clone();
    if let Some(domains) = body.domains
        && let Some(tenant) = st.tenants.iter_mut().find(|t| t.id == id)
    {
        tenant.sso_domains = domains;
    }
    let extra = st.tenant_extras.entry(id).or_default();
    if let Some(v) = body.self_provisioning_domains {
        extra.self_provisioning_domains = v;
    }
    if let Some(v) = body.enforce_sso {
        extra.enforce_sso = v;
    }
    if let Some(v) = body.enforce_sso_exclusions {
        extra.enforce_sso_exclusions = v;
    }
    let s = &mut extra.settings;
    macro_rules! set {
        ($($field:ident),*) => { $(if let Some(v) = body.$field { s.$field = v; })* };
    }
    set!(
        auth_type,
        refresh_token_expiration,
        refresh_token_expiration_unit,
        session_token_expiration,
        session_token_expiration_unit,
        stepup_token_expiration,
        stepup_token_expiration_unit,
        enable_inactivity,
        inactivity_time,
        inactivity_time_unit,
        jit_disabled
    );
    if let Some(v) = body.enabled {
        s.session_settings_enabled = v;
    }
    Ok(Json(json!({})))
}

// ---- SSO ----

/// Sets the tenant's SSO domains and SSO id, when given.
fn set_domains_and_id(
    st: &mut State,
    id: &str,
    domains: Option<Vec<String>>,
    sso_id: Option<String>,
) {
    if let Some(tenant) = st.tenants.iter_mut().find(|t| t.id == id) {
        if let Some(domains) = domains {
            tenant.sso_domains = domains;
        }
        if let Some(sso_id) = sso_id.filter(|s| !s.trim().is_empty()) {
            tenant.sso_id = Some(sso_id);
        }
    }
}

fn groups_mapping(mappings: &[descope_types::RoleMapping]) -> Vec<GroupsMapping> {
    mappings
        .iter()
        .map(|m| GroupsMapping {
            role: MappedRole {
                id: m.role.clone(),
                name: m.role.clone(),
            },
            groups: m.groups.clone(),
        })
        .collect()
}

/// `POST /v1/mgmt/sso/oidc`: the tenant's provider becomes this OIDC one.
pub(super) async fn configure_oidc(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtSsoOidcRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, &body.tenant_id)?.id.clone();
    set_domains_and_id(&mut st, &id, body.domains, body.sso_id);
    let mut settings = body.settings;
    // A secret is configured, never read back.
    settings.client_secret = None;
    let extra = st.tenant_extras.entry(id).or_default();
    extra.saml = None;
    extra.oidc = Some(settings);
    Ok(Json(json!({})))
}

/// Stores a SAML provider with its mappings.
fn store_saml(
    st: &mut State,
    id: &str,
    saml: SsoSamlSettingsResponse,
    role_mappings: Option<Vec<descope_types::RoleMapping>>,
    default_sso_roles: Option<Vec<String>>,
) {
    let extra = st.tenant_extras.entry(id.to_owned()).or_default();
    if let Some(mappings) = role_mappings {
        extra.role_mappings = mappings;
    }
    if let Some(roles) = default_sso_roles {
        extra.default_sso_roles = roles;
    }
    extra.oidc = None;
    extra.saml = Some(saml);
}

/// `POST /v1/mgmt/sso/saml`.
pub(super) async fn configure_saml(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtSsoSamlRequest<SsoSamlSettings>>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, &body.tenant_id)?.id.clone();
    set_domains_and_id(&mut st, &id, body.domains, body.sso_id);
    let s = body.settings;
    let saml = SsoSamlSettingsResponse {
        idp_entity_id: s.entity_id,
        idp_sso_url: s.idp_url,
        idp_certificate: s.idp_cert,
        sp_entity_id: s.sp_entity_id.unwrap_or_default(),
        sp_acs_url: s.sp_acs_url.unwrap_or_default(),
        attribute_mapping: s.attribute_mapping,
        groups_priority: s.groups_priority.unwrap_or_default(),
        redirect_url: body.redirect_url.unwrap_or_default(),
        ..SsoSamlSettingsResponse::default()
    };
    store_saml(&mut st, &id, saml, s.role_mappings, s.default_sso_roles);
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/sso/saml/metadata`.
pub(super) async fn configure_saml_metadata(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtSsoSamlRequest<SsoSamlMetadataSettings>>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, &body.tenant_id)?.id.clone();
    set_domains_and_id(&mut st, &id, body.domains, body.sso_id);
    let s = body.settings;
    required(&s.idp_metadata_url, "idpMetadataUrl")?;
    let saml = SsoSamlSettingsResponse {
        idp_metadata_url: s.idp_metadata_url,
        idp_entity_id: s.entity_id.unwrap_or_default(),
        sp_entity_id: s.sp_entity_id.unwrap_or_default(),
        sp_acs_url: s.sp_acs_url.unwrap_or_default(),
        attribute_mapping: s.attribute_mapping,
        groups_priority: s.groups_priority.unwrap_or_default(),
        redirect_url: body.redirect_url.unwrap_or_default(),
        ..SsoSamlSettingsResponse::default()
    };
    store_saml(&mut st, &id, saml, s.role_mappings, s.default_sso_roles);
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/sso/mapping`: replaces the role mappings (and the attribute mapping and
/// default SSO roles, when given).
pub(super) async fn configure_mapping(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtSsoMappingRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, &body.tenant_id)?.id.clone();
    let extra = st.tenant_extras.entry(id).or_default();
    extra.role_mappings = body.role_mappings;
    if let Some(roles) = body.default_sso_roles {
        extra.default_sso_roles = roles;
    }
    if let (Some(mapping), Some(saml)) = (body.attribute_mapping, extra.saml.as_mut()) {
        saml.attribute_mapping = Some(mapping);
    }
    Ok(Json(json!({})))
}

/// `GET /v2/mgmt/sso/settings?tenantId=[&ssoId=]`: `{tenant, saml?, oidc?, ssoId}`.
pub(super) async fn load_sso(
    Mgmt(project): Mgmt,
    query: QueryMap,
) -> Result<Json<SsoTenantSettings>, ApiError> {
    let st = project.lock();
    let tenant = known(&st, query.require("tenantId")?)?;
    let extra = st.tenant_extra(&tenant.id);
    let sso_id = query
        .get(&["ssoId"])
        .map(str::to_owned)
        .or_else(|| tenant.sso_id.clone())
        .unwrap_or_else(|| format!("{}-sso", tenant.id));
    let saml = extra.saml.clone().map(|mut saml| {
        saml.groups_mapping = groups_mapping(&extra.role_mappings);
        saml.default_sso_roles = extra.default_sso_roles.clone();
        saml
    });
    let oidc = extra.oidc.clone().map(|mut oidc| {
        oidc.groups_mapping = Some(groups_mapping(&extra.role_mappings));
        oidc.default_sso_roles = Some(extra.default_sso_roles.clone());
        oidc
    });
    Ok(Json(SsoTenantSettings {
        tenant: Some(tenant_value(&st, tenant)),
        saml,
        oidc,
        sso_id: Some(sso_id),
    }))
}

/// `DELETE /v1/mgmt/sso/settings?tenantId=[&ssoId=]`: the provider and its mappings go; the
/// SSO domains stay.
pub(super) async fn delete_sso(
    Mgmt(project): Mgmt,
    query: QueryMap,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, query.require("tenantId")?)?.id.clone();
    if let Some(extra) = st.tenant_extras.get_mut(&id) {
        extra.saml = None;
        extra.oidc = None;
        extra.role_mappings.clear();
        extra.default_sso_roles.clear();
    }
    Ok(Json(json!({})))
}

/// Body of the deprecated `POST /v1/mgmt/sso/settings` and `/v1/mgmt/sso/metadata`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LegacySsoRequest {
    #[serde(rename = "tenantId")]
    tenant_id: String,
    #[serde(rename = "idpURL")]
    idp_url: String,
    #[serde(rename = "entityId")]
    entity_id: String,
    #[serde(rename = "idpCert")]
    idp_cert: String,
    #[serde(rename = "idpMetadataURL")]
    idp_metadata_url: String,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    domains: Option<Vec<String>>,
}

/// Deprecated `POST /v1/mgmt/sso/settings` and `/v1/mgmt/sso/metadata` (the official SDKs
/// still call them): a SAML provider by values or by metadata URL.
pub(super) async fn legacy_configure(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<LegacySsoRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let id = known(&st, &body.tenant_id)?.id.clone();
    set_domains_and_id(&mut st, &id, body.domains, None);
    let saml = SsoSamlSettingsResponse {
        idp_entity_id: body.entity_id,
        idp_sso_url: body.idp_url,
        idp_certificate: body.idp_cert,
        idp_metadata_url: body.idp_metadata_url,
        redirect_url: body.redirect_url,
        ..SsoSamlSettingsResponse::default()
    };
    store_saml(&mut st, &id, saml, None, None);
    Ok(Json(json!({})))
}

/// Deprecated `GET /v1/mgmt/sso/settings?tenantId=`: the flat v1 shape.
pub(super) async fn legacy_load(
    Mgmt(project): Mgmt,
    query: QueryMap,
) -> Result<Json<Value>, ApiError> {
    let st = project.lock();
    let tenant = known(&st, query.require("tenantId")?)?;
    let extra = st.tenant_extra(&tenant.id);
    let saml = extra.saml.clone().unwrap_or_default();
    let user_mapping = saml
        .attribute_mapping
        .as_ref()
        .and_then(|m| serde_json::to_value(m).ok())
        .unwrap_or_else(|| Value::Object(Map::new()));
    Ok(Json(json!({
        "tenantId": tenant.id,
        "idpEntityId": saml.idp_entity_id,
        "idpSSOUrl": saml.idp_sso_url,
        "idpCertificate": saml.idp_certificate,
        "idpMetadataUrl": saml.idp_metadata_url,
        "spEntityId": saml.sp_entity_id,
        "spACSUrl": saml.sp_acs_url,
        "spCertificate": saml.sp_certificate,
        "userMapping": user_mapping,
        "groupsMapping": groups_mapping(&extra.role_mappings),
        "redirectURL": saml.redirect_url,
        "domains": tenant.sso_domains,
        "domain": tenant.sso_domains.first().cloned().unwrap_or_default(),
    })))
}
