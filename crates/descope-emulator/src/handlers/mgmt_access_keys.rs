//! Management of access keys (`/v1/mgmt/accesskey/*`). A created key's cleartext is answered
//! once, by the create call; load, search and update never return it. The keys are the ones
//! `/v1/auth/accesskey/exchange` accepts (active and unexpired only).

use axum::Json;
use descope_types::{
    AccessKey, AccessKeyResponse, AccessKeyTenant, MgmtAccessKeyCreateRequest,
    MgmtAccessKeyCreateResponse, MgmtAccessKeyIdRequest, MgmtAccessKeyResponse,
    MgmtAccessKeySearchRequest, MgmtAccessKeyUpdateRequest, MgmtAccessKeysResponse, TenantRoles,
};
use serde_json::{Value, json};

use super::management::{Mgmt, required};
use crate::api_error::ApiError;
use crate::config::SeedUserTenant;
use crate::extract::{JsonBody, QueryMap};
use crate::project::{State, StoredKey};
use crate::random;

/// Who the emulator records as a managed key's creator.
const CREATED_BY: &str = "management-api";

fn key_response(st: &State, key: &StoredKey) -> AccessKeyResponse {
    AccessKeyResponse {
        id: key.id.clone(),
        name: key.name.clone(),
        description: key.description.clone(),
        role_names: key.roles.clone(),
        key_tenants: key
            .tenants
            .iter()
            .map(|t| AccessKeyTenant {
                tenant_id: t.tenant_id.clone(),
                tenant_name: st.tenant(&t.tenant_id).map(|x| x.name.clone()),
                role_names: t.roles.clone(),
            })
            .collect(),
        status: if key.active { "active" } else { "inactive" }.to_owned(),
        created_time: key.created_time,
        expire_time: key.expire_time,
        created_by: key.created_by.clone(),
        client_id: key.id.clone(),
        bound_user_id: key.bound_user_id.clone(),
        custom_claims: (!key.custom_claims.is_empty()).then(|| key.custom_claims.clone()),
        permitted_ips: key.permitted_ips.clone(),
        custom_attributes: key.custom_attributes.clone(),
    }
}

/// Tenants of a request, each known.
fn key_tenants(st: &State, tenants: &[TenantRoles]) -> Result<Vec<SeedUserTenant>, ApiError> {
    tenants
        .iter()
        .map(|t| {
            if st.tenant(&t.tenant_id).is_none() {
                return Err(ApiError::invalid_argument("Unknown tenant"));
            }
            Ok(SeedUserTenant {
                tenant_id: t.tenant_id.clone(),
                roles: t.role_names.clone(),
            })
        })
        .collect()
}

/// A new key id: `K2` and 26 hex digits, like Descope's.
fn new_key_id() -> Result<String, ApiError> {
    let raw = random::bytes::<13>()?;
    Ok(raw
        .iter()
        .fold(String::from("K2"), |s, b| s + &format!("{b:02x}")))
}

/// `POST /v1/mgmt/accesskey/create`: `{key, cleartext}`, the only answer with the cleartext.
pub(super) async fn create(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtAccessKeyCreateRequest>,
) -> Result<Json<MgmtAccessKeyCreateResponse>, ApiError> {
    let name = required(&body.name, "name")?.to_owned();
    if body.expire_time < 0 {
        return Err(ApiError::invalid_argument(
            "expireTime must not be negative",
        ));
    }
    let now = project.now();
    let id = new_key_id()?;
    // A visible-ASCII secret without ':' (it follows `<projectId>:` in a header).
    let cleartext = AccessKey::new(random::token(&id)?);
    let mut st = project.lock();
    let key = StoredKey {
        id,
        secret: cleartext.clone(),
        name,
        description: body.description.unwrap_or_default(),
        roles: body.role_names,
        tenants: key_tenants(&st, &body.key_tenants)?,
        active: true,
        created_time: now,
        expire_time: body.expire_time,
        created_by: CREATED_BY.to_owned(),
        bound_user_id: body.user_id.unwrap_or_default(),
        custom_claims: body.custom_claims.unwrap_or_default(),
        permitted_ips: body.permitted_ips,
        custom_attributes: body.custom_attributes,
    };
    let response = key_response(&st, &key);
    st.access_keys.insert(key)?;
    Ok(Json(MgmtAccessKeyCreateResponse {
        key: response,
        cleartext,
    }))
}

/// `GET /v1/mgmt/accesskey?id=`: `{key}`, without the cleartext.
pub(super) async fn load(
    Mgmt(project): Mgmt,
    query: QueryMap,
) -> Result<Json<MgmtAccessKeyResponse>, ApiError> {
    let id = query.require("id")?;
    let st = project.lock();
    let key = st
        .access_keys
        .get(id)
        .ok_or_else(ApiError::access_key_not_found)?;
    Ok(Json(MgmtAccessKeyResponse {
        key: key_response(&st, key),
    }))
}

/// `POST /v1/mgmt/accesskey/search`: `{keys}` matching every filter given.
pub(super) async fn search(
    Mgmt(project): Mgmt,
    JsonBody(q): JsonBody<MgmtAccessKeySearchRequest>,
) -> Json<MgmtAccessKeysResponse> {
    let st = project.lock();
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let (bound, creator) = (nonempty(&q.bound_user_id), nonempty(&q.creating_user));
    let keys = st
        .access_keys
        .iter()
        .filter(|k| {
            (q.tenant_ids.is_empty()
                || k.tenants
                    .iter()
                    .any(|t| q.tenant_ids.contains(&t.tenant_id)))
                && bound.as_ref().is_none_or(|b| *b == k.bound_user_id)
                && creator.as_ref().is_none_or(|c| *c == k.created_by)
                && q.custom_attributes.as_ref().is_none_or(|wanted| {
                    wanted.iter().all(|(name, value)| {
                        k.custom_attributes.as_ref().and_then(|a| a.get(name)) == Some(value)
                    })
                })
        })
        .map(|k| key_response(&st, k))
        .collect();
    Json(MgmtAccessKeysResponse { keys })
}

/// `POST /v1/mgmt/accesskey/update`: renames; the other fields present replace the key's.
/// `{key}`.
pub(super) async fn update(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtAccessKeyUpdateRequest>,
) -> Result<Json<MgmtAccessKeyResponse>, ApiError> {
    let id = required(&body.id, "id")?.to_owned();
    let name = required(&body.name, "name")?.to_owned();
    let mut st = project.lock();
    let tenants = body
        .key_tenants
        .as_deref()
        .map(|t| key_tenants(&st, t))
        .transpose()?;
    let key = st
        .access_keys
        .get_mut(&id)
        .ok_or_else(ApiError::access_key_not_found)?;
    key.name = name;
    if let Some(description) = body.description {
        key.description = description;
    }
    if let Some(roles) = body.role_names {
        key.roles = roles;
    }
    if let Some(tenants) = tenants {
        key.tenants = tenants;
    }
    if let Some(claims) = body.custom_claims {
        key.custom_claims = claims;
    }
    if let Some(ips) = body.permitted_ips {
        key.permitted_ips = ips;
    }
    if let Some(attributes) = body.custom_attributes {
        key.custom_attributes = Some(attributes);
    }
    let key = key.clone();
    Ok(Json(MgmtAccessKeyResponse {
        key: key_response(&st, &key),
    }))
}

fn set_active(
    project: &crate::project::Project,
    id: &str,
    active: bool,
) -> Result<Json<Value>, ApiError> {
    let id = required(id, "id")?;
    let mut st = project.lock();
    let key = st
        .access_keys
        .get_mut(id)
        .ok_or_else(ApiError::access_key_not_found)?;
    key.active = active;
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/accesskey/activate`: `{}`.
pub(super) async fn activate(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtAccessKeyIdRequest>,
) -> Result<Json<Value>, ApiError> {
    set_active(&project, &body.id, true)
}

/// `POST /v1/mgmt/accesskey/deactivate`: `{}`; the key's sessions stop validating
/// server-side and it cannot be exchanged until activated.
pub(super) async fn deactivate(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtAccessKeyIdRequest>,
) -> Result<Json<Value>, ApiError> {
    set_active(&project, &body.id, false)
}

/// `POST /v1/mgmt/accesskey/delete`: `{}`, also for an unknown id.
pub(super) async fn delete(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtAccessKeyIdRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = required(&body.id, "id")?;
    project.lock().access_keys.remove(id);
    Ok(Json(json!({})))
}
