//! The management API (`/v1/mgmt/*`, `/v2/mgmt/*`): the license handshake and users, on the
//! same user table the sign-in methods use. Every call needs
//! `Authorization: Bearer <projectId>:<managementKey>` with a seeded management key.

use std::sync::Arc;

use axum::Json;
use axum::extract::FromRequestParts;
use descope_types::{
    ErrorCode, LicenseResponse, MgmtUserCustomAttributeRequest, MgmtUserDeleteRequest,
    MgmtUserEmailUpdateRequest, MgmtUserLoginIdRequest, MgmtUserLoginIdUpdateRequest,
    MgmtUserLogoutRequest, MgmtUserNameUpdateRequest, MgmtUserPatchRequest,
    MgmtUserPhoneUpdateRequest, MgmtUserPictureUpdateRequest, MgmtUserRequest,
    MgmtUserRolesRequest, MgmtUserSearchRequest, MgmtUserSetPasswordRequest, MgmtUserStatusRequest,
    MgmtUserTenantRequest, MgmtUsersLoadRequest, TenantRoles,
};
use http::StatusCode;
use http::request::Parts;
use serde_json::{Map, Value, json};

use crate::api_error::ApiError;
use crate::app::App;
use crate::config::SeedUserTenant;
use crate::extract::{Auth, JsonBody, QueryMap};
use crate::project::{Project, State, User, user_value};

/// The tier `GET /v1/mgmt/license` answers (sent back by the SDKs as `x-descope-license`).
const LICENSE_TIER: &str = "emulator";

/// Users per search page when the request names no (or a zero) limit.
const DEFAULT_LIMIT: usize = 100;

/// A management call's project, once its key checked out. A session or refresh JWT in the
/// key's place is refused like any unknown key.
pub(super) struct Mgmt(pub(super) Arc<Project>);

impl FromRequestParts<App> for Mgmt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let auth = Auth::from_request_parts(parts, app).await?;
        let token = auth.token.as_deref().ok_or_else(|| {
            ApiError::missing_bearer("Send Authorization: Bearer <projectId>:<managementKey>")
        })?;
        let known = auth.project.lock().management_keys.iter().any(|k| {
            aws_lc_rs::constant_time::verify_slices_are_equal(
                k.key.secret().as_bytes(),
                token.as_bytes(),
            )
            .is_ok()
        });
        if known {
            Ok(Self(auth.project))
        } else {
            Err(ApiError::bad_management_key())
        }
    }
}

/// `GET /v1/mgmt/license`.
pub(super) async fn license(_: Mgmt) -> Json<LicenseResponse> {
    Json(LicenseResponse {
        rate_limit_tier: LICENSE_TIER.to_owned(),
    })
}

/// `{"user": {...}}` for a user id.
pub(super) fn user_json(st: &State, user_id: &str) -> Result<Json<Value>, ApiError> {
    let user = st.user(user_id).ok_or_else(ApiError::mgmt_user_not_found)?;
    Ok(Json(json!({ "user": user_value(&st.user_response(user)) })))
}

pub(super) fn required<'a>(value: &'a str, field: &str) -> Result<&'a str, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        Err(ApiError::missing_field(field))
    } else {
        Ok(value)
    }
}

/// The user a `loginId` field names. Descope's SDKs document the field as "login id or user
/// id", so a user id is accepted too (tolerant reading: see docs/spec-notes.md).
pub(super) fn existing(st: &State, login_id: &str) -> Result<String, ApiError> {
    let login_id = required(login_id, "loginId")?;
    st.user_id_by_login(login_id)
        .or_else(|| st.user(login_id).map(|u| u.user_id.clone()))
        .ok_or_else(ApiError::mgmt_user_not_found)
}

/// Tenant memberships of a request, each tenant known.
fn memberships(st: &State, tenants: &[TenantRoles]) -> Result<Vec<SeedUserTenant>, ApiError> {
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

/// Writes every field of a create/update body on a user (update replaces the whole user).
fn replace_fields(user: &mut User, body: MgmtUserRequest, tenants: Vec<SeedUserTenant>) {
    user.email = body.email.filter(|e| !e.is_empty());
    user.phone = body.phone.filter(|p| !p.is_empty());
    user.name = body.display_name;
    user.given_name = body.given_name;
    user.middle_name = body.middle_name;
    user.family_name = body.family_name;
    user.roles = body.role_names;
    user.tenants = tenants;
    user.custom_attributes = body.custom_attributes;
    user.managed.picture = body.picture;
    user.managed.verified_email = body.verified_email;
    user.managed.verified_phone = body.verified_phone;
}

/// Refuses login ids another user already has.
fn check_free(st: &State, login_ids: &[String], owner: Option<&str>) -> Result<(), ApiError> {
    for login in login_ids {
        if let Some(other) = st.user_id_by_login(login)
            && Some(other.as_str()) != owner
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::UserAlreadyExists,
                "User already exists",
                "A user with this login id already exists",
            ));
        }
    }
    Ok(())
}

fn create_user(
    project: &Project,
    body: MgmtUserRequest,
    test: bool,
) -> Result<Json<Value>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.to_owned();
    let mut st = project.lock();
    let mut login_ids = vec![login_id.clone()];
    login_ids.extend(
        body.additional_login_ids
            .iter()
            .filter(|l| !l.trim().is_empty())
            .cloned(),
    );
    check_free(&st, &login_ids, None)?;
    let tenants = memberships(&st, &body.user_tenants)?;
    let mut user = User::new(&login_id, None, project.now());
    user.login_ids = login_ids;
    user.managed.test = test || body.test;
    replace_fields(&mut user, body, tenants);
    let user_id = user.user_id.clone();
    st.insert_user(user);
    user_json(&st, &user_id)
}

/// `POST /v1/mgmt/user/create`.
pub(super) async fn create(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserRequest>,
) -> Result<Json<Value>, ApiError> {
    create_user(&project, body, false)
}

/// `POST /v1/mgmt/user/create/test`.
pub(super) async fn create_test(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserRequest>,
) -> Result<Json<Value>, ApiError> {
    create_user(&project, body, true)
}

/// `POST /v1/mgmt/user/update`: replaces the whole user (roles and tenants included); the
/// status, the test flag and the user's credentials are kept.
pub(super) async fn update(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let tenants = memberships(&st, &body.user_tenants)?;
    // Named by user id: the user keeps its first login id.
    let named = body.login_id.trim();
    let primary = match st.user(&user_id) {
        Some(user) if !user.login_ids.iter().any(|l| l.eq_ignore_ascii_case(named)) => {
            user.login_id().to_owned()
        }
        _ => named.to_owned(),
    };
    let mut login_ids = vec![primary];
    login_ids.extend(
        body.additional_login_ids
            .iter()
            .filter(|l| !l.trim().is_empty())
            .cloned(),
    );
    check_free(&st, &login_ids, Some(&user_id))?;
    let mut user = st
        .remove_user(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    user.login_ids = login_ids;
    replace_fields(&mut user, body, tenants);
    st.insert_user(user);
    user_json(&st, &user_id)
}

/// `PATCH /v1/mgmt/user/patch`: changes only the fields present.
pub(super) async fn patch(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserPatchRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let tenants = match &body.user_tenants {
        Some(tenants) => Some(memberships(&st, tenants)?),
        None => None,
    };
    let disabled = match body.status.as_deref() {
        None => None,
        Some("enabled") => Some(false),
        Some("disabled") => Some(true),
        Some(_) => {
            return Err(ApiError::invalid_argument(
                "status must be enabled or disabled",
            ));
        }
    };
    let user = st
        .user_mut(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    if let Some(email) = body.email {
        user.email = Some(email).filter(|e| !e.is_empty());
    }
    if let Some(phone) = body.phone {
        user.phone = Some(phone).filter(|p| !p.is_empty());
    }
    let names = [
        (body.display_name, &mut user.name),
        (body.given_name, &mut user.given_name),
        (body.middle_name, &mut user.middle_name),
        (body.family_name, &mut user.family_name),
        (body.picture, &mut user.managed.picture),
    ];
    for (value, field) in names {
        if value.is_some() {
            *field = value;
        }
    }
    if let Some(roles) = body.role_names {
        user.roles = roles;
    }
    if let Some(tenants) = tenants {
        user.tenants = tenants;
    }
    if let Some(attributes) = body.custom_attributes {
        user.custom_attributes
            .get_or_insert_with(Map::new)
            .extend(attributes);
    }
    if body.verified_email.is_some() {
        user.managed.verified_email = body.verified_email;
    }
    if body.verified_phone.is_some() {
        user.managed.verified_phone = body.verified_phone;
    }
    if let Some(disabled) = disabled {
        user.managed.disabled = disabled;
    }
    user_json(&st, &user_id)
}

/// `GET /v1/mgmt/user?loginId=` or `?userId=`.
pub(super) async fn load(Mgmt(project): Mgmt, query: QueryMap) -> Result<Json<Value>, ApiError> {
    let st = project.lock();
    let user_id = match (query.get(&["loginId"]), query.get(&["userId"])) {
        (Some(login_id), _) => existing(&st, login_id)?,
        (None, Some(user_id)) => user_id.to_owned(),
        (None, None) => return Err(ApiError::missing_field("loginId")),
    };
    user_json(&st, &user_id)
}

/// Deletes a user with its passkeys' credential ids, so the bounded credential index keeps
/// no entries of users that are gone.
fn forget_user(st: &mut State, user_id: &str) {
    if let Some(user) = st.remove_user(user_id) {
        for passkey in user.passkeys {
            st.webauthn
                .credentials
                .remove(passkey.passkey.cred_id().as_slice());
        }
    }
}

/// `POST /v1/mgmt/user/delete` (by `loginId` or `userId`): `{}`, also for a user that does
/// not exist.
pub(super) async fn delete(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserDeleteRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = match (body.login_id.as_deref(), body.user_id.as_deref()) {
        (Some(login), _) if !login.trim().is_empty() => st.user_id_by_login(login.trim()),
        (_, Some(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
        _ => return Err(ApiError::missing_field("loginId")),
    };
    if let Some(user_id) = user_id {
        forget_user(&mut st, &user_id);
    }
    Ok(Json(json!({})))
}

/// `DELETE /v1/mgmt/user/test/delete/all`.
pub(super) async fn delete_all_test_users(Mgmt(project): Mgmt) -> Json<Value> {
    let mut st = project.lock();
    let test: Vec<String> = st
        .all_users()
        .iter()
        .filter(|u| u.managed.test)
        .map(|u| u.user_id.clone())
        .collect();
    for user_id in test {
        forget_user(&mut st, &user_id);
    }
    Json(json!({}))
}

fn any_of(filter: &[String], value: Option<&str>) -> bool {
    filter.is_empty() || value.is_some_and(|v| filter.iter().any(|f| f.eq_ignore_ascii_case(v)))
}

fn matches(user: &User, q: &MgmtUserSearchRequest) -> bool {
    let status = if user.managed.disabled {
        "disabled"
    } else {
        "enabled"
    };
    let text_match = |t: &str| {
        let t = t.to_lowercase();
        user.login_ids
            .iter()
            .map(String::as_str)
            .chain(
                [&user.email, &user.phone, &user.name]
                    .into_iter()
                    .filter_map(|v| v.as_deref()),
            )
            .any(|v| v.to_lowercase().contains(&t))
    };
    (if user.managed.test {
        q.with_test_user || q.test_users_only
    } else {
        !q.test_users_only
    }) && (q.login_ids.is_empty() || user.login_ids.iter().any(|l| any_of(&q.login_ids, Some(l))))
        && any_of(&q.emails, user.email.as_deref())
        && any_of(&q.phones, user.phone.as_deref())
        && any_of(&q.statuses, Some(status))
        && (q.role_names.is_empty() || user.roles.iter().any(|r| q.role_names.contains(r)))
        && (q.tenant_ids.is_empty() || q.tenant_ids.iter().any(|t| user.in_tenant(t)))
        && q.custom_attributes.as_ref().is_none_or(|wanted| {
            let have = user.custom_attributes.as_ref();
            wanted
                .iter()
                .all(|(k, v)| have.and_then(|h| h.get(k)) == Some(v))
        })
        && q.text
            .as_deref()
            .is_none_or(|t| t.trim().is_empty() || text_match(t))
}

fn search_users(project: &Project, q: &MgmtUserSearchRequest) -> Json<Value> {
    let st = project.lock();
    let mut users: Vec<&User> = st
        .all_users()
        .into_iter()
        .filter(|u| matches(u, q))
        .collect();
    for sort in q.sort.iter().rev() {
        let key = |u: &User| -> String {
            match sort.field.as_str() {
                "email" => u.email.clone().unwrap_or_default(),
                "phone" => u.phone.clone().unwrap_or_default(),
                "name" | "displayName" => u.name.clone().unwrap_or_default(),
                "createdTime" => format!("{:020}", u.created_time),
                _ => u.login_id().to_owned(),
            }
        };
        // Stable: earlier keys win, as each pass keeps the order of equal elements.
        users.sort_by(|a, b| {
            let order = key(a).cmp(&key(b));
            if sort.desc { order.reverse() } else { order }
        });
    }
    let total = users.len();
    let limit = q.limit.map_or(DEFAULT_LIMIT, |l| l as usize);
    let limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
    let page = q.page.unwrap_or(0) as usize;
    let page: Vec<Value> = users
        .into_iter()
        .skip(page.saturating_mul(limit))
        .take(limit)
        .map(|u| user_value(&st.user_response(u)))
        .collect();
    Json(json!({ "users": page, "total": total }))
}

/// `POST /v2/mgmt/user/search`.
pub(super) async fn search(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserSearchRequest>,
) -> Json<Value> {
    search_users(&project, &body)
}

/// `POST /v2/mgmt/user/search/test`: test users only, whatever the body says.
pub(super) async fn search_test(
    Mgmt(project): Mgmt,
    JsonBody(mut body): JsonBody<MgmtUserSearchRequest>,
) -> Json<Value> {
    body.with_test_user = true;
    body.test_users_only = true;
    search_users(&project, &body)
}

/// `POST /v1/mgmt/user/update/status`.
pub(super) async fn status(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserStatusRequest>,
) -> Result<Json<Value>, ApiError> {
    let disabled = match body.status.as_str() {
        "enabled" => false,
        "disabled" => true,
        _ => {
            return Err(ApiError::invalid_argument(
                "status must be enabled or disabled",
            ));
        }
    };
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if let Some(user) = st.user_mut(&user_id) {
        user.managed.disabled = disabled;
    }
    user_json(&st, &user_id)
}

#[derive(Clone, Copy)]
enum RoleChange {
    Set,
    Add,
    Remove,
}

fn change_roles(roles: &mut Vec<String>, names: Vec<String>, change: RoleChange) {
    match change {
        RoleChange::Set => *roles = names,
        RoleChange::Add => {
            for name in names {
                if !roles.contains(&name) {
                    roles.push(name);
                }
            }
        }
        RoleChange::Remove => roles.retain(|r| !names.contains(r)),
    }
}

fn roles(
    project: &Project,
    body: MgmtUserRolesRequest,
    change: RoleChange,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let tenant = body.tenant_id.filter(|t| !t.trim().is_empty());
    if let Some(tenant) = &tenant
        && st.tenant(tenant).is_none()
    {
        return Err(ApiError::invalid_argument("Unknown tenant"));
    }
    let user = st
        .user_mut(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    match tenant {
        None => change_roles(&mut user.roles, body.role_names, change),
        Some(tenant) => {
            // Setting or adding roles in a tenant makes the user a member of it.
            if !matches!(change, RoleChange::Remove) {
                user.join_tenant(&tenant);
            }
            if let Some(membership) = user.tenants.iter_mut().find(|t| t.tenant_id == tenant) {
                change_roles(&mut membership.roles, body.role_names, change);
            }
        }
    }
    user_json(&st, &user_id)
}

/// `POST /v1/mgmt/user/update/role/set`.
pub(super) async fn set_roles(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserRolesRequest>,
) -> Result<Json<Value>, ApiError> {
    roles(&project, body, RoleChange::Set)
}

/// `POST /v2/mgmt/user/update/role/add` (and the older `/v1` path).
pub(super) async fn add_roles(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserRolesRequest>,
) -> Result<Json<Value>, ApiError> {
    roles(&project, body, RoleChange::Add)
}

/// `POST /v1/mgmt/user/update/role/remove`.
pub(super) async fn remove_roles(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserRolesRequest>,
) -> Result<Json<Value>, ApiError> {
    roles(&project, body, RoleChange::Remove)
}

/// `POST /v1/mgmt/user/update/tenant/add`.
pub(super) async fn add_tenant(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserTenantRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if st.tenant(required(&body.tenant_id, "tenantId")?).is_none() {
        return Err(ApiError::invalid_argument("Unknown tenant"));
    }
    if let Some(user) = st.user_mut(&user_id) {
        user.join_tenant(body.tenant_id.trim());
    }
    user_json(&st, &user_id)
}

/// `POST /v1/mgmt/user/update/tenant/remove`.
pub(super) async fn remove_tenant(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserTenantRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let tenant = required(&body.tenant_id, "tenantId")?.to_owned();
    if let Some(user) = st.user_mut(&user_id) {
        user.tenants.retain(|t| t.tenant_id != tenant);
    }
    user_json(&st, &user_id)
}

/// 409 `E062107`: another user already has this login id, email or phone.
fn taken() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::UserAlreadyExists,
        "User already exists",
        "Another user already has this value",
    )
}

/// `POST /v1/mgmt/user/update/loginid`: the login id is replaced in place (the old one stops
/// signing in); an empty `newLoginId` removes it from a user that has others.
pub(super) async fn update_login_id(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserLoginIdUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let new = body.new_login_id.trim().to_owned();
    let user = st
        .user(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    let named = body.login_id.trim();
    // Named by user id: the primary login id changes.
    let old = if user.login_ids.iter().any(|l| l.eq_ignore_ascii_case(named)) {
        named.to_owned()
    } else {
        user.login_id().to_owned()
    };
    if new.is_empty() {
        if user.login_ids.len() < 2 {
            return Err(ApiError::invalid_argument(
                "A user keeps at least one login id",
            ));
        }
    } else {
        check_free(&st, std::slice::from_ref(&new), Some(&user_id))?;
    }
    let mut user = st
        .remove_user(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    let mut login_ids = Vec::with_capacity(user.login_ids.len());
    for login in user.login_ids.drain(..) {
        let login = if login.eq_ignore_ascii_case(&old) {
            if new.is_empty() {
                continue;
            }
            new.clone()
        } else {
            login
        };
        if !login_ids
            .iter()
            .any(|l: &String| l.eq_ignore_ascii_case(&login))
        {
            login_ids.push(login);
        }
    }
    user.login_ids = login_ids;
    st.insert_user(user);
    user_json(&st, &user_id)
}

/// Whether a user other than `owner` has `value` as email or phone (`field`) or login id.
fn held_by_other(st: &State, owner: &str, value: &str, email: bool) -> bool {
    st.all_users().iter().any(|u| {
        let field = if email { &u.email } else { &u.phone };
        u.user_id != owner
            && (field
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(value))
                || u.login_ids.iter().any(|l| l.eq_ignore_ascii_case(value)))
    })
}

/// An email or phone change: `email` picks the field.
fn update_address(
    project: &Project,
    login_id: &str,
    value: &str,
    verified: bool,
    fail_on_conflict: bool,
    email: bool,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, login_id)?;
    let value = value.trim();
    if fail_on_conflict && !value.is_empty() && held_by_other(&st, &user_id, value, email) {
        return Err(taken());
    }
    let user = st
        .user_mut(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    let value = Some(value.to_owned()).filter(|v| !v.is_empty());
    if email {
        user.email = value;
        user.managed.verified_email = Some(verified);
    } else {
        user.phone = value;
        user.managed.verified_phone = Some(verified);
    }
    user_json(&st, &user_id)
}

/// `POST /v1/mgmt/user/update/email`.
pub(super) async fn update_email(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserEmailUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    let conflict = body.fail_on_conflict.unwrap_or(false);
    update_address(
        &project,
        &body.login_id,
        &body.email,
        body.verified,
        conflict,
        true,
    )
}

/// `POST /v1/mgmt/user/update/phone`.
pub(super) async fn update_phone(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserPhoneUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    let conflict = body.fail_on_conflict.unwrap_or(false);
    update_address(
        &project,
        &body.login_id,
        &body.phone,
        body.verified,
        conflict,
        false,
    )
}

/// `POST /v1/mgmt/user/update/name`: the names present change (the Go SDK sends either the
/// display name or the other three).
pub(super) async fn update_name(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserNameUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let user = st
        .user_mut(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    let names = [
        (body.display_name, &mut user.name),
        (body.given_name, &mut user.given_name),
        (body.middle_name, &mut user.middle_name),
        (body.family_name, &mut user.family_name),
    ];
    for (value, field) in names {
        if value.is_some() {
            *field = value;
        }
    }
    user_json(&st, &user_id)
}

/// `POST /v1/mgmt/user/update/picture`.
pub(super) async fn update_picture(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserPictureUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if let Some(user) = st.user_mut(&user_id) {
        user.managed.picture = Some(body.picture).filter(|p| !p.trim().is_empty());
    }
    user_json(&st, &user_id)
}

/// `POST /v1/mgmt/user/update/customAttribute`: one attribute set, the others kept.
pub(super) async fn update_custom_attribute(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserCustomAttributeRequest>,
) -> Result<Json<Value>, ApiError> {
    let key = required(&body.attribute_key, "attributeKey")?.to_owned();
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if let Some(user) = st.user_mut(&user_id) {
        user.custom_attributes
            .get_or_insert_with(Map::new)
            .insert(key, body.attribute_value);
    }
    user_json(&st, &user_id)
}

/// Sets the password password sign-in checks; `expired`: it must be replaced first.
fn set_password(
    project: &Project,
    body: &MgmtUserSetPasswordRequest,
    expired: bool,
) -> Result<Json<Value>, ApiError> {
    let password = body.password.secret();
    required(password, "password")?;
    super::password::check_policy(&project.config.password_policy, password)?;
    let mut state = super::password::hashed(password)?;
    state.expired = expired;
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if let Some(user) = st.user_mut(&user_id) {
        // A new password also lifts a lockout.
        user.password = Some(state);
    }
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/user/password/set/temporary`: sign-in with it answers E062909 until the
/// user replaces it.
pub(super) async fn set_temporary_password(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserSetPasswordRequest>,
) -> Result<Json<Value>, ApiError> {
    set_password(&project, &body, true)
}

/// `POST /v1/mgmt/user/password/set/active`.
pub(super) async fn set_active_password(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserSetPasswordRequest>,
) -> Result<Json<Value>, ApiError> {
    set_password(&project, &body, false)
}

/// `POST /v1/mgmt/user/password/set` (deprecated): temporary unless `setActive`.
pub(super) async fn set_password_deprecated(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserSetPasswordRequest>,
) -> Result<Json<Value>, ApiError> {
    set_password(&project, &body, !body.set_active)
}

/// `POST /v1/mgmt/user/password/expire`: `{}`, also for a user without a password.
pub(super) async fn expire_password(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserLoginIdRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if let Some(password) = st.user_mut(&user_id).and_then(|u| u.password.as_mut()) {
        password.expired = true;
    }
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/user/passkeys/delete`: the user's passkeys leave the user and the
/// credential index, so none of them signs in again.
pub(super) async fn remove_all_passkeys(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserLoginIdRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    let removed = st
        .user_mut(&user_id)
        .map(|u| std::mem::take(&mut u.passkeys))
        .unwrap_or_default();
    for passkey in removed {
        st.webauthn
            .credentials
            .remove(passkey.passkey.cred_id().as_slice());
    }
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/user/totp/delete`: TOTP sign-in fails until the user enrols again.
pub(super) async fn remove_totp_seed(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserLoginIdRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = existing(&st, &body.login_id)?;
    if let Some(user) = st.user_mut(&user_id) {
        user.totp = None;
    }
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/user/logout` (by `loginId` or `userId`): every refresh session of the user
/// is revoked (refresh then answers 401, and validate refuses its session JWTs).
pub(super) async fn logout_user(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserLogoutRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut st = project.lock();
    let user_id = match (body.login_id.as_deref(), body.user_id.as_deref()) {
        (Some(login), _) if !login.trim().is_empty() => existing(&st, login)?,
        (_, Some(id)) if !id.trim().is_empty() => st
            .user(id.trim())
            .map(|u| u.user_id.clone())
            .ok_or_else(ApiError::mgmt_user_not_found)?,
        _ => return Err(ApiError::missing_field("loginId")),
    };
    st.revoke_sessions(&user_id, 0);
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/users/load`: the users of these ids that exist, disabled ones only with
/// `includeInvalidUsers`.
pub(super) async fn load_users(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUsersLoadRequest>,
) -> Json<Value> {
    let st = project.lock();
    let users: Vec<Value> = body
        .user_ids
        .iter()
        .filter_map(|id| st.user(id.trim()))
        .filter(|u| body.include_invalid_users || !u.managed.disabled)
        .map(|u| user_value(&st.user_response(u)))
        .collect();
    let total = users.len();
    Json(json!({ "users": users, "total": total }))
}
