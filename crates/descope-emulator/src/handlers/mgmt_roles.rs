//! Management of roles (`/v1/mgmt/role/*`) and permissions (`/v1/mgmt/permission/*`), on
//! the tables sign-ins read: a role's permissions are looked up when a token is minted, so
//! every change shows in the next token of the users (and access keys) holding the role.

use axum::Json;
use descope_types::{
    MgmtPermissionDeleteRequest, MgmtPermissionRequest, MgmtPermissionsResponse,
    MgmtRoleDeleteRequest, MgmtRoleRequest, MgmtRoleSearchRequest, MgmtRolesResponse,
    PermissionResponse, RoleResponse,
};
use serde_json::{Value, json};

use super::management::{Mgmt, required};
use crate::api_error::ApiError;
use crate::config::SeedUserTenant;
use crate::extract::JsonBody;
use crate::project::{Permission, Role, State};

fn role_response(role: &Role) -> RoleResponse {
    RoleResponse {
        name: role.name.clone(),
        description: role.description.clone(),
        permission_names: role.permissions.clone(),
        created_time: role.created_time,
        tenant_id: role.tenant_id.clone(),
        default: role.default,
        private: role.private,
    }
}

/// The tenant a role body names: `""` for a project-level role; an unknown tenant is refused.
fn role_tenant(st: &State, tenant_id: Option<&str>) -> Result<String, ApiError> {
    match tenant_id.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(String::new()),
        Some(t) if st.tenant(t).is_some() => Ok(t.to_owned()),
        Some(_) => Err(ApiError::invalid_argument("Unknown tenant")),
    }
}

/// Renames (`Some(new)`) or removes (`None`) the role `old` wherever users and access keys
/// hold it: a project role in project roles and in the memberships of tenants without
/// their own role of that name, a tenant role in that tenant's memberships.
fn retarget(st: &mut State, tenant_id: &str, old: &str, new: Option<&str>) {
    let fix = |roles: &mut Vec<String>| {
        match new {
            Some(new) => roles
                .iter_mut()
                .filter(|r| *r == old)
                .for_each(|r| new.clone_into(r)),
            None => roles.retain(|r| r != old),
        }
        let mut seen = std::collections::BTreeSet::new();
        roles.retain(|r| seen.insert(r.clone()));
    };
    let shadowed: Vec<String> = st
        .roles
        .roles()
        .filter(|r| !r.tenant_id.is_empty() && r.name == old)
        .map(|r| r.tenant_id.clone())
        .collect();
    let applies = |m: &SeedUserTenant| {
        if tenant_id.is_empty() {
            !shadowed.contains(&m.tenant_id)
        } else {
            m.tenant_id == tenant_id
        }
    };
    for user in st.users_mut() {
        if tenant_id.is_empty() {
            fix(&mut user.roles);
        }
        user.tenants
            .iter_mut()
            .filter(|m| applies(m))
            .for_each(|m| fix(&mut m.roles));
    }
    for key in st.access_keys.iter_mut() {
        if tenant_id.is_empty() {
            fix(&mut key.roles);
        }
        key.tenants
            .iter_mut()
            .filter(|m| applies(m))
            .for_each(|m| fix(&mut m.roles));
    }
}

/// `POST /v1/mgmt/role/create`: `{}`.
pub(super) async fn create_role(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtRoleRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = required(&body.name, "name")?.to_owned();
    let now = project.now();
    let mut st = project.lock();
    let tenant_id = role_tenant(&st, body.tenant_id.as_deref())?;
    st.roles.create_role(Role {
        name,
        description: body.description.unwrap_or_default(),
        permissions: body.permission_names,
        tenant_id,
        default: body.default.unwrap_or(false),
        private: body.private.unwrap_or(false),
        created_time: now,
    })?;
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/role/update`: replaces the role (description and permissions included),
/// renaming it to `newName`; users and access keys holding it follow. `{}`.
pub(super) async fn update_role(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtRoleRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = required(&body.name, "name")?.to_owned();
    let new_name = match body.new_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => name.clone(),
    };
    let mut st = project.lock();
    let tenant_id = role_tenant(&st, body.tenant_id.as_deref())?;
    st.roles.replace_role(
        &tenant_id,
        &name,
        Role {
            name: new_name.clone(),
            description: body.description.unwrap_or_default(),
            permissions: body.permission_names,
            tenant_id: tenant_id.clone(),
            default: body.default.unwrap_or(false),
            private: body.private.unwrap_or(false),
            created_time: 0,
        },
    )?;
    if new_name != name {
        retarget(&mut st, &tenant_id, &name, Some(&new_name));
    }
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/role/delete`: `{}`, also for a role that does not exist; users and access
/// keys lose it.
pub(super) async fn delete_role(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtRoleDeleteRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = required(&body.name, "name")?.to_owned();
    let mut st = project.lock();
    let tenant_id = body
        .tenant_id
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if st.roles.delete_role(&tenant_id, &name).is_some() {
        retarget(&mut st, &tenant_id, &name, None);
    }
    Ok(Json(json!({})))
}

/// `GET /v1/mgmt/role/all`: every role, project and tenant ones.
pub(super) async fn all_roles(Mgmt(project): Mgmt) -> Json<MgmtRolesResponse> {
    let st = project.lock();
    Json(MgmtRolesResponse {
        roles: st.roles.roles().map(role_response).collect(),
    })
}

/// `POST /v1/mgmt/role/search`. With `tenantIds`, roles of those tenants (and project roles
/// when `includeProjectRoles`); without, every role. The emulator's role id is its name.
pub(super) async fn search_roles(
    Mgmt(project): Mgmt,
    JsonBody(q): JsonBody<MgmtRoleSearchRequest>,
) -> Json<MgmtRolesResponse> {
    let st = project.lock();
    let like = q
        .role_name_like
        .as_deref()
        .map(str::to_lowercase)
        .filter(|l| !l.is_empty());
    let roles = st
        .roles
        .roles()
        .filter(|r| {
            (q.tenant_ids.is_empty()
                || q.tenant_ids.contains(&r.tenant_id)
                || (q.include_project_roles && r.tenant_id.is_empty()))
                && (q.role_names.is_empty() || q.role_names.contains(&r.name))
                && (q.role_ids.is_empty() || q.role_ids.contains(&r.name))
                && like
                    .as_deref()
                    .is_none_or(|l| r.name.to_lowercase().contains(l))
                && (q.permission_names.is_empty()
                    || r.permissions.iter().any(|p| q.permission_names.contains(p)))
        })
        .map(role_response)
        .collect();
    Json(MgmtRolesResponse { roles })
}

/// `POST /v1/mgmt/permission/create`: `{}`.
pub(super) async fn create_permission(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtPermissionRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = required(&body.name, "name")?.to_owned();
    project.lock().roles.create_permission(Permission {
        name,
        description: body.description.unwrap_or_default(),
    })?;
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/permission/update`: renames (roles follow) and sets the description. `{}`.
pub(super) async fn update_permission(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtPermissionRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = required(&body.name, "name")?;
    let new_name = match body.new_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n,
        _ => name,
    };
    project.lock().roles.update_permission(
        name,
        new_name,
        body.description.clone().unwrap_or_default(),
    )?;
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/permission/delete`: `{}`, also for one that does not exist; roles stop
/// granting it.
pub(super) async fn delete_permission(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtPermissionDeleteRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = required(&body.name, "name")?;
    project.lock().roles.delete_permission(name);
    Ok(Json(json!({})))
}

/// `GET /v1/mgmt/permission/all`.
pub(super) async fn all_permissions(Mgmt(project): Mgmt) -> Json<MgmtPermissionsResponse> {
    let st = project.lock();
    Json(MgmtPermissionsResponse {
        permissions: st
            .roles
            .permissions()
            .map(|p| PermissionResponse {
                name: p.name.clone(),
                description: p.description.clone(),
                system_default: false,
            })
            .collect(),
    })
}
