//! Roles: `client.management().roles()`.

use descope_types::{
    MgmtRoleDeleteRequest, MgmtRoleRequest, MgmtRoleSearchRequest, MgmtRolesResponse, RoleResponse,
};

use super::{strings, void_post};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

/// The role management calls; see [`Management::roles`](super::Management::roles).
#[derive(Debug, Clone, Copy)]
pub struct Roles<'a> {
    client: &'a Client,
}

impl<'a> Roles<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Creates a role (`POST /v1/mgmt/role/create`); with [`CreateRole::tenant`], a role of
    /// that tenant.
    pub fn create(&self, name: impl Into<String>) -> CreateRole<'a> {
        CreateRole {
            client: self.client,
            body: MgmtRoleRequest {
                name: name.into(),
                ..MgmtRoleRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Replaces a role (`POST /v1/mgmt/role/update`): renames it to `new_name` (the same name
    /// keeps it) and sets its description and permissions to what the call names (none when
    /// unset), as Descope does.
    pub fn update(&self, name: impl Into<String>, new_name: impl Into<String>) -> UpdateRole<'a> {
        UpdateRole {
            client: self.client,
            body: MgmtRoleRequest {
                name: name.into(),
                new_name: Some(new_name.into()),
                ..MgmtRoleRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Deletes a role (`POST /v1/mgmt/role/delete`); with [`DeleteRole::tenant`], the role
    /// of that tenant. Users lose it.
    pub fn delete(&self, name: impl Into<String>) -> DeleteRole<'a> {
        DeleteRole {
            client: self.client,
            body: MgmtRoleDeleteRequest {
                name: name.into(),
                tenant_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Every role of the project, tenant roles included (`GET /v1/mgmt/role/all`).
    pub fn load_all(&self) -> LoadAllRoles<'a> {
        LoadAllRoles {
            client: self.client,
            call: CallOptions::new(),
        }
    }

    /// Searches roles (`POST /v1/mgmt/role/search`); no filter returns every role.
    pub fn search(&self) -> SearchRoles<'a> {
        SearchRoles {
            client: self.client,
            body: MgmtRoleSearchRequest::default(),
            call: CallOptions::new(),
        }
    }
}

/// Setters shared by [`CreateRole`] and [`UpdateRole`].
macro_rules! role_fields {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Description.
            pub fn description(mut self, description: impl Into<String>) -> Self {
                self.body.description = Some(description.into());
                self
            }

            /// The permissions the role grants.
            pub fn permissions(
                mut self,
                permissions: impl IntoIterator<Item = impl Into<String>>,
            ) -> Self {
                self.body.permission_names = strings(permissions);
                self
            }

            /// Makes it a role of this tenant: it shows in the tenant's claims of the users
            /// who have it there.
            pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
                self.body.tenant_id = Some(tenant_id.into());
                self
            }

            /// Given to new users (of the tenant, for a tenant role) by default.
            pub fn default(mut self, default: bool) -> Self {
                self.body.default = Some(default);
                self
            }

            /// Hidden from tenant admins.
            pub fn private(mut self, private: bool) -> Self {
                self.body.private = Some(private);
                self
            }

            fn check(&self) -> Result<(), Error> {
                require(&self.body.name, Argument::Role)?;
                if let Some(name) = &self.body.new_name {
                    require(name, Argument::Role)?;
                }
                if let Some(tenant) = &self.body.tenant_id {
                    require(tenant, Argument::Tenant)?;
                }
                Ok(())
            }
        }
    };
}

/// Creating a role: [`Roles::create`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CreateRole<'a> {
    client: &'a Client,
    body: MgmtRoleRequest,
    call: CallOptions,
}

role_fields!(CreateRole);

impl CreateRole<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        self.check()?;
        void_post(self.client, &self.call, "/v1/mgmt/role/create", &self.body).await
    }
}

operation!(CreateRole => ());

/// Replacing a role: [`Roles::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UpdateRole<'a> {
    client: &'a Client,
    body: MgmtRoleRequest,
    call: CallOptions,
}

role_fields!(UpdateRole);

impl UpdateRole<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        self.check()?;
        void_post(self.client, &self.call, "/v1/mgmt/role/update", &self.body).await
    }
}

operation!(UpdateRole => ());

/// Deleting a role: [`Roles::delete`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct DeleteRole<'a> {
    client: &'a Client,
    body: MgmtRoleDeleteRequest,
    call: CallOptions,
}

impl DeleteRole<'_> {
    /// Deletes the role of this tenant instead of the project-level one.
    pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.body.tenant_id = Some(tenant_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.name, Argument::Role)?;
        if let Some(tenant) = &self.body.tenant_id {
            require(tenant, Argument::Tenant)?;
        }
        void_post(self.client, &self.call, "/v1/mgmt/role/delete", &self.body).await
    }
}

operation!(DeleteRole => ());

/// Loading every role: [`Roles::load_all`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadAllRoles<'a> {
    client: &'a Client,
    call: CallOptions,
}

impl LoadAllRoles<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<Vec<RoleResponse>, Error> {
        let response: MgmtRolesResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/role/all", bearer).excerpt_allowed())
            })
            .await?;
        Ok(response.roles)
    }
}

operation!(LoadAllRoles => Vec<RoleResponse>);

/// A role search: [`Roles::search`].
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SearchRoles<'a> {
    client: &'a Client,
    body: MgmtRoleSearchRequest,
    call: CallOptions,
}

impl SearchRoles<'_> {
    /// Only roles of these tenants (see [`include_project_roles`](Self::include_project_roles)).
    pub fn tenant_ids(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.tenant_ids = strings(values);
        self
    }

    /// Only roles with one of these names.
    pub fn names(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.role_names = strings(values);
        self
    }

    /// Only roles whose name contains this text.
    pub fn name_like(mut self, text: impl Into<String>) -> Self {
        self.body.role_name_like = Some(text.into());
        self
    }

    /// Only roles granting one of these permissions.
    pub fn permissions(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.permission_names = strings(values);
        self
    }

    /// With [`tenant_ids`](Self::tenant_ids): project-level roles as well.
    pub fn include_project_roles(mut self, include: bool) -> Self {
        self.body.include_project_roles = include;
        self
    }

    /// Only roles with one of these ids.
    pub fn ids(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.role_ids = strings(values);
        self
    }

    /// Sends the call: the matching roles.
    pub async fn send(self) -> Result<Vec<RoleResponse>, Error> {
        let response: MgmtRolesResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::post("/v1/mgmt/role/search", bearer, &self.body)?.excerpt_allowed())
            })
            .await?;
        Ok(response.roles)
    }
}

operation!(SearchRoles => Vec<RoleResponse>);
