//! Roles and permissions: the tables the management API edits and sign-ins read (a role's
//! permissions are looked up when a token is minted, so a change shows in the next token).

use std::collections::{BTreeMap, BTreeSet};

use crate::api_error::ApiError;
use crate::config::SeedRole;

/// Roles a project holds (project and tenant roles together); creating more is refused.
pub(crate) const MAX_ROLES: usize = 1 << 12;
/// Permissions a project holds; creating more is refused.
pub(crate) const MAX_PERMISSIONS: usize = 1 << 12;

/// A role. Keyed by `(tenant id or "", name)`: a tenant role may share a project role's
/// name, and wins over it in that tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Role {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) permissions: Vec<String>,
    /// Empty for a project-level role.
    pub(crate) tenant_id: String,
    pub(crate) default: bool,
    pub(crate) private: bool,
    pub(crate) created_time: i64,
}

/// A permission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Permission {
    pub(crate) name: String,
    pub(crate) description: String,
}

/// The role and permission tables, each capped.
#[derive(Debug, Default)]
pub(crate) struct Authorization {
    roles: BTreeMap<(String, String), Role>,
    permissions: BTreeMap<String, Permission>,
}

fn key(tenant_id: &str, name: &str) -> (String, String) {
    (tenant_id.to_owned(), name.to_owned())
}

impl Authorization {
    /// The seed's permissions and roles (a role's permissions that the seed does not list
    /// are created with it, as before permissions were a table).
    pub(crate) fn from_seed(permissions: &[String], roles: &[SeedRole], now: i64) -> Self {
        let mut table = Self::default();
        for name in permissions {
            table.permissions.insert(
                name.clone(),
                Permission {
                    name: name.clone(),
                    description: String::new(),
                },
            );
        }
        for role in roles {
            table.implicit_permissions(&role.permissions);
            let tenant = role.tenant_id.clone().unwrap_or_default();
            table.roles.insert(
                key(&tenant, &role.name),
                Role {
                    name: role.name.clone(),
                    description: role.description.clone().unwrap_or_default(),
                    permissions: role.permissions.clone(),
                    tenant_id: tenant,
                    created_time: now,
                    ..Role::default()
                },
            );
        }
        table
    }

    /// Registers permission names a role grants that are not in the table yet (as far as
    /// the cap allows; the rest stay names only).
    fn implicit_permissions(&mut self, names: &[String]) {
        for name in names {
            if self.permissions.len() >= MAX_PERMISSIONS {
                return;
            }
            self.permissions
                .entry(name.clone())
                .or_insert_with(|| Permission {
                    name: name.clone(),
                    description: String::new(),
                });
        }
    }

    /// The role a name means in a tenant: the tenant's own role of that name, else the
    /// project-level one.
    fn resolve(&self, tenant_id: Option<&str>, name: &str) -> Option<&Role> {
        tenant_id
            .and_then(|t| self.roles.get(&key(t, name)))
            .or_else(|| self.roles.get(&key("", name)))
    }

    /// Union of the permissions the roles grant (in `tenant_id`, for tenant claims), sorted.
    pub(crate) fn permissions_of(&self, tenant_id: Option<&str>, roles: &[String]) -> Vec<String> {
        roles
            .iter()
            .filter_map(|r| self.resolve(tenant_id, r))
            .flat_map(|r| r.permissions.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Every role, project roles first, then by tenant and name.
    pub(crate) fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    /// Adds a role; refused when it exists or the table is full.
    pub(crate) fn create_role(&mut self, role: Role) -> Result<(), ApiError> {
        let k = key(&role.tenant_id, &role.name);
        if self.roles.contains_key(&k) {
            return Err(ApiError::already_exists("Role already exists"));
        }
        if self.roles.len() >= MAX_ROLES {
            return Err(ApiError::limit_reached("roles", MAX_ROLES));
        }
        self.implicit_permissions(&role.permissions);
        self.roles.insert(k, role);
        Ok(())
    }

    /// Replaces the role `(tenant, name)` with `role` (which may carry a new name).
    pub(crate) fn replace_role(
        &mut self,
        tenant_id: &str,
        name: &str,
        role: Role,
    ) -> Result<(), ApiError> {
        let old = key(tenant_id, name);
        let Some(previous) = self.roles.get(&old) else {
            return Err(ApiError::invalid_argument("Role not found"));
        };
        let new = key(&role.tenant_id, &role.name);
        if new != old && self.roles.contains_key(&new) {
            return Err(ApiError::already_exists("Role already exists"));
        }
        let role = Role {
            created_time: previous.created_time,
            ..role
        };
        self.implicit_permissions(&role.permissions);
        self.roles.remove(&old);
        self.roles.insert(new, role);
        Ok(())
    }

    pub(crate) fn delete_role(&mut self, tenant_id: &str, name: &str) -> Option<Role> {
        self.roles.remove(&key(tenant_id, name))
    }

    /// Every permission, by name.
    pub(crate) fn permissions(&self) -> impl Iterator<Item = &Permission> {
        self.permissions.values()
    }

    /// Adds a permission; refused when it exists or the table is full.
    pub(crate) fn create_permission(&mut self, permission: Permission) -> Result<(), ApiError> {
        if self.permissions.contains_key(&permission.name) {
            return Err(ApiError::already_exists("Permission already exists"));
        }
        if self.permissions.len() >= MAX_PERMISSIONS {
            return Err(ApiError::limit_reached("permissions", MAX_PERMISSIONS));
        }
        self.permissions.insert(permission.name.clone(), permission);
        Ok(())
    }

    /// Renames a permission and sets its description; roles granting it follow the rename.
    pub(crate) fn update_permission(
        &mut self,
        name: &str,
        new_name: &str,
        description: String,
    ) -> Result<(), ApiError> {
        if !self.permissions.contains_key(name) {
            return Err(ApiError::invalid_argument("Permission not found"));
        }
        if new_name != name && self.permissions.contains_key(new_name) {
            return Err(ApiError::already_exists("Permission already exists"));
        }
        self.permissions.remove(name);
        self.permissions.insert(
            new_name.to_owned(),
            Permission {
                name: new_name.to_owned(),
                description,
            },
        );
        for role in self.roles.values_mut() {
            for p in role.permissions.iter_mut().filter(|p| *p == name) {
                new_name.clone_into(p);
            }
            dedup(&mut role.permissions);
        }
        Ok(())
    }

    /// Deletes a permission (a missing one is not an error) and takes it out of every role.
    pub(crate) fn delete_permission(&mut self, name: &str) {
        self.permissions.remove(name);
        for role in self.roles.values_mut() {
            role.permissions.retain(|p| p != name);
        }
    }
}

/// Drops repeated names, keeping the first of each.
fn dedup(names: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(tenant: &str, name: &str, permissions: &[&str]) -> Role {
        Role {
            name: name.to_owned(),
            tenant_id: tenant.to_owned(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            ..Role::default()
        }
    }

    #[test]
    fn tenant_roles_win_in_their_tenant_and_permission_changes_reach_roles() {
        let mut t = Authorization::default();
        t.create_role(role("", "editor", &["read"])).unwrap();
        t.create_role(role("T1", "editor", &["read", "write"]))
            .unwrap();
        let editor = ["editor".to_owned()];
        assert_eq!(t.permissions_of(None, &editor), ["read"]);
        assert_eq!(t.permissions_of(Some("T1"), &editor), ["read", "write"]);
        assert_eq!(t.permissions_of(Some("T2"), &editor), ["read"]);
        // Implicitly created with the roles.
        assert_eq!(t.permissions().count(), 2);
        t.update_permission("write", "write2", "W".to_owned())
            .unwrap();
        assert_eq!(t.permissions_of(Some("T1"), &editor), ["read", "write2"]);
        t.delete_permission("read");
        assert_eq!(t.permissions_of(Some("T1"), &editor), ["write2"]);
        assert!(t.permissions_of(None, &editor).is_empty());
        assert!(t.create_role(role("", "editor", &[])).is_err());
    }

    #[test]
    fn the_tables_are_capped_with_an_error() {
        let mut t = Authorization::default();
        for i in 0..MAX_ROLES {
            t.create_role(role("", &format!("r{i}"), &[])).unwrap();
        }
        let full = t.create_role(role("", "one-more", &[])).unwrap_err();
        assert_eq!(full.body().error_code.as_str(), "E011004");
        for i in 0..MAX_PERMISSIONS {
            t.create_permission(Permission {
                name: format!("p{i}"),
                description: String::new(),
            })
            .unwrap();
        }
        assert!(
            t.create_permission(Permission {
                name: "one-more".to_owned(),
                description: String::new(),
            })
            .is_err()
        );
        // A full permission table does not stop a role naming unknown permissions.
        t.delete_role("", "r0");
        t.create_role(role("", "late", &["unlisted"])).unwrap();
        assert_eq!(t.permissions().count(), MAX_PERMISSIONS);
    }
}
