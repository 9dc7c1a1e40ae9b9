//! Roles and permissions: the bodies of `/v1/mgmt/role/*` and `/v1/mgmt/permission/*`.

use serde::{Deserialize, Serialize};

use super::nullable;

/// Body of `POST /v1/mgmt/role/create` and `/v1/mgmt/role/update` (which also sends
/// `newName`). The Python SDK sends unset fields as `null`/`[]`; the Node SDK omits them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtRoleRequest {
    /// The role name (on update: the current name).
    pub name: String,
    /// The new name (update only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Permissions the role grants.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub permission_names: Vec<String>,
    /// The tenant the role belongs to; a project-level role when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Given to new users (of the tenant, for a tenant role) by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Hidden from tenant admins (Python SDK only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
}

/// Body of `POST /v1/mgmt/role/delete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtRoleDeleteRequest {
    /// The role name.
    pub name: String,
    /// The tenant of a tenant role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// Body of `POST /v1/mgmt/role/search`: every filter is optional; none returns every role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtRoleSearchRequest {
    /// Only roles of these tenants (with project roles too when
    /// `include_project_roles`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenant_ids: Vec<String>,
    /// Only roles with one of these names.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_names: Vec<String>,
    /// Only roles whose name contains this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name_like: Option<String>,
    /// Only roles granting one of these permissions.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub permission_names: Vec<String>,
    /// With `tenant_ids`: project-level roles as well.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub include_project_roles: bool,
    /// Only roles with one of these ids (Python SDK only).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_ids: Vec<String>,
}

/// A role as the management API answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleResponse {
    /// The role name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Permissions the role grants.
    #[serde(default, deserialize_with = "nullable")]
    pub permission_names: Vec<String>,
    /// Creation time, unix seconds.
    #[serde(default, deserialize_with = "nullable")]
    pub created_time: i64,
    /// The tenant of a tenant role; empty for a project-level role.
    #[serde(default, deserialize_with = "nullable")]
    pub tenant_id: String,
    /// Given to new users by default.
    #[serde(default, deserialize_with = "nullable")]
    pub default: bool,
    /// Hidden from tenant admins.
    #[serde(default, deserialize_with = "nullable")]
    pub private: bool,
}

/// Answer of `GET /v1/mgmt/role/all` and `POST /v1/mgmt/role/search`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MgmtRolesResponse {
    /// The roles.
    #[serde(default, deserialize_with = "nullable")]
    pub roles: Vec<RoleResponse>,
}

/// Body of `POST /v1/mgmt/permission/create` and `/v1/mgmt/permission/update` (which also
/// sends `newName`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtPermissionRequest {
    /// The permission name (on update: the current name).
    pub name: String,
    /// The new name (update only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Body of `POST /v1/mgmt/permission/delete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MgmtPermissionDeleteRequest {
    /// The permission name.
    pub name: String,
}

/// A permission as the management API answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionResponse {
    /// The permission name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Built into the project (cannot be deleted).
    #[serde(default, deserialize_with = "nullable")]
    pub system_default: bool,
}

/// Answer of `GET /v1/mgmt/permission/all`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MgmtPermissionsResponse {
    /// The permissions.
    #[serde(default, deserialize_with = "nullable")]
    pub permissions: Vec<PermissionResponse>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_bodies_omit_unset_fields_and_read_python_nulls() {
        let body = MgmtRoleRequest {
            name: "plain-role".into(),
            ..MgmtRoleRequest::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"name":"plain-role"}"#
        );
        let python: MgmtRoleRequest = serde_json::from_str(
            r#"{"name":"plain-role","description":null,"permissionNames":[],"tenantId":null,"default":null,"private":null}"#,
        )
        .unwrap();
        assert_eq!(python, body);
        let search: MgmtRoleSearchRequest = serde_json::from_str(
            r#"{"tenantIds":null,"includeProjectRoles":null,"roleIds":["RL1"]}"#,
        )
        .unwrap();
        assert_eq!(search.role_ids, ["RL1"]);
        assert_eq!(
            serde_json::to_string(&MgmtRoleSearchRequest::default()).unwrap(),
            "{}"
        );
        let _: MgmtRolesResponse = serde_json::from_str("{}").unwrap();
        let _: MgmtPermissionsResponse = serde_json::from_str(r#"{"permissions":null}"#).unwrap();
        let role: RoleResponse =
            serde_json::from_str(r#"{"name":"r","description":null,"tenantId":null}"#).unwrap();
        assert_eq!(role.name, "r");
    }
}
