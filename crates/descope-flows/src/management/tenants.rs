//! Tenants: `client.management().tenants()`.
//!
//! Search does not page (`POST /v1/mgmt/tenant/search` has no `page`/`limit`, in the Go, Python
//! and Node SDKs alike), so it answers every match at once and has no `pages()` stream.

use descope_types::{
    MgmtTenantDeleteRequest, MgmtTenantRequest, MgmtTenantSearchRequest, MgmtTenantSettingsRequest,
    MgmtTenantsResponse, Tenant, TenantCreated, TenantSettings,
};
use serde_json::{Map, Value};

use super::{strings, void_post};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

/// The tenant management calls; see [`Management::tenants`](super::Management::tenants).
#[derive(Debug, Clone, Copy)]
pub struct Tenants<'a> {
    client: &'a Client,
}

impl<'a> Tenants<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    fn tenant_call(&self, id: Option<String>, name: String) -> MgmtTenantRequest {
        MgmtTenantRequest {
            id,
            name,
            ..MgmtTenantRequest::default()
        }
    }

    /// Creates a tenant (`POST /v1/mgmt/tenant/create`); Descope generates its id, which the
    /// answer carries.
    pub fn create(&self, name: impl Into<String>) -> CreateTenant<'a> {
        CreateTenant {
            client: self.client,
            body: self.tenant_call(None, name.into()),
            call: CallOptions::new(),
        }
    }

    /// Creates a tenant with the given id (`POST /v1/mgmt/tenant/create`).
    pub fn create_with_id(
        &self,
        id: impl Into<String>,
        name: impl Into<String>,
    ) -> CreateTenant<'a> {
        CreateTenant {
            client: self.client,
            body: self.tenant_call(Some(id.into()), name.into()),
            call: CallOptions::new(),
        }
    }

    /// Updates a tenant (`POST /v1/mgmt/tenant/update`): the name, and the fields the call
    /// sets; the others are left as they are.
    pub fn update(&self, id: impl Into<String>, name: impl Into<String>) -> UpdateTenant<'a> {
        UpdateTenant {
            client: self.client,
            body: self.tenant_call(Some(id.into()), name.into()),
            call: CallOptions::new(),
        }
    }

    /// Deletes a tenant (`POST /v1/mgmt/tenant/delete`); with
    /// [`cascade`](DeleteTenant::cascade), the users that belong to it only go too.
    pub fn delete(&self, id: impl Into<String>) -> DeleteTenant<'a> {
        DeleteTenant {
            client: self.client,
            body: MgmtTenantDeleteRequest {
                id: id.into(),
                cascade: false,
            },
            call: CallOptions::new(),
        }
    }

    /// Loads a tenant (`GET /v1/mgmt/tenant?id=`).
    pub fn load(&self, id: impl Into<String>) -> LoadTenant<'a> {
        LoadTenant {
            client: self.client,
            id: id.into(),
            call: CallOptions::new(),
        }
    }

    /// Loads every tenant of the project (`GET /v1/mgmt/tenant/all`).
    pub fn load_all(&self) -> LoadAllTenants<'a> {
        LoadAllTenants {
            client: self.client,
            call: CallOptions::new(),
        }
    }

    /// Searches tenants (`POST /v1/mgmt/tenant/search`); with no criteria, every tenant.
    pub fn search(&self) -> SearchTenants<'a> {
        SearchTenants {
            client: self.client,
            body: MgmtTenantSearchRequest::default(),
            call: CallOptions::new(),
        }
    }

    /// Loads a tenant's settings (`GET /v1/mgmt/tenant/settings?id=`).
    pub fn load_settings(&self, id: impl Into<String>) -> LoadTenantSettings<'a> {
        LoadTenantSettings {
            client: self.client,
            id: id.into(),
            call: CallOptions::new(),
        }
    }

    /// Changes a tenant's settings (`POST /v1/mgmt/tenant/settings`): only the fields the call
    /// sets.
    pub fn update_settings(&self, id: impl Into<String>) -> UpdateTenantSettings<'a> {
        UpdateTenantSettings {
            client: self.client,
            body: MgmtTenantSettingsRequest {
                tenant_id: id.into(),
                ..MgmtTenantSettingsRequest::default()
            },
            call: CallOptions::new(),
        }
    }
}

/// Setters shared by [`CreateTenant`] and [`UpdateTenant`].
macro_rules! tenant_fields {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Email domains whose users join the tenant when they sign up (an empty list
            /// clears them).
            pub fn self_provisioning_domains(
                mut self,
                domains: impl IntoIterator<Item = impl Into<String>>,
            ) -> Self {
                self.body.self_provisioning_domains = Some(strings(domains));
                self
            }

            /// Sets one custom attribute.
            pub fn custom_attribute(
                mut self,
                key: impl Into<String>,
                value: impl Into<Value>,
            ) -> Self {
                self.body
                    .custom_attributes
                    .get_or_insert_with(Map::new)
                    .insert(key.into(), value.into());
                self
            }

            /// Whether the tenant's users must sign in by SSO.
            pub fn enforce_sso(mut self, enforce: bool) -> Self {
                self.body.enforce_sso = Some(enforce);
                self
            }

            /// Login ids exempt from [`enforce_sso`](Self::enforce_sso).
            pub fn enforce_sso_exclusions(
                mut self,
                login_ids: impl IntoIterator<Item = impl Into<String>>,
            ) -> Self {
                self.body.enforce_sso_exclusions = Some(strings(login_ids));
                self
            }

            /// Federated (SSO) applications the tenant uses.
            pub fn federated_app_ids(
                mut self,
                ids: impl IntoIterator<Item = impl Into<String>>,
            ) -> Self {
                self.body.federated_app_ids = Some(strings(ids));
                self
            }

            /// Whether the tenant is disabled.
            pub fn disabled(mut self, disabled: bool) -> Self {
                self.body.disabled = Some(disabled);
                self
            }

            /// How roles are inherited from the parent tenant (`none`, `userOnly`).
            pub fn role_inheritance(mut self, inheritance: impl Into<String>) -> Self {
                self.body.role_inheritance = Some(inheritance.into());
                self
            }
        }
    };
}

/// Creating a tenant: [`Tenants::create`], [`Tenants::create_with_id`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CreateTenant<'a> {
    client: &'a Client,
    body: MgmtTenantRequest,
    call: CallOptions,
}

tenant_fields!(CreateTenant);

impl CreateTenant<'_> {
    /// The parent tenant (set at creation only).
    pub fn parent(mut self, parent_id: impl Into<String>) -> Self {
        self.body.parent = Some(parent_id.into());
        self
    }

    /// Sends the call; returns the new tenant's id.
    pub async fn send(self) -> Result<TenantCreated, Error> {
        require(&self.body.name, Argument::TenantName)?;
        if let Some(id) = &self.body.id {
            require(id, Argument::Tenant)?;
        }
        self.client
            .management_call(&self.call, |bearer| {
                Ok(Request::post("/v1/mgmt/tenant/create", bearer, &self.body)?.excerpt_allowed())
            })
            .await
    }
}

operation!(CreateTenant => TenantCreated);

/// Updating a tenant: [`Tenants::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UpdateTenant<'a> {
    client: &'a Client,
    body: MgmtTenantRequest,
    call: CallOptions,
}

tenant_fields!(UpdateTenant);

impl UpdateTenant<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(
            self.body.id.as_deref().unwrap_or_default(),
            Argument::Tenant,
        )?;
        require(&self.body.name, Argument::TenantName)?;
        void_post(
            self.client,
            &self.call,
            "/v1/mgmt/tenant/update",
            &self.body,
        )
        .await
    }
}

operation!(UpdateTenant => ());

/// Deleting a tenant: [`Tenants::delete`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct DeleteTenant<'a> {
    client: &'a Client,
    body: MgmtTenantDeleteRequest,
    call: CallOptions,
}

impl DeleteTenant<'_> {
    /// Also deletes the users that belong to this tenant only (default `false`: they stay,
    /// without it).
    pub fn cascade(mut self, cascade: bool) -> Self {
        self.body.cascade = cascade;
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.id, Argument::Tenant)?;
        void_post(
            self.client,
            &self.call,
            "/v1/mgmt/tenant/delete",
            &self.body,
        )
        .await
    }
}

operation!(DeleteTenant => ());

/// Loading a tenant: [`Tenants::load`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadTenant<'a> {
    client: &'a Client,
    id: String,
    call: CallOptions,
}

impl LoadTenant<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<Tenant, Error> {
        require(&self.id, Argument::Tenant)?;
        self.client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/tenant", bearer)
                    .query(vec![("id", self.id.clone())])
                    .excerpt_allowed())
            })
            .await
    }
}

operation!(LoadTenant => Tenant);

/// Loading every tenant: [`Tenants::load_all`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadAllTenants<'a> {
    client: &'a Client,
    call: CallOptions,
}

impl LoadAllTenants<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<Vec<Tenant>, Error> {
        let response: MgmtTenantsResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/tenant/all", bearer).excerpt_allowed())
            })
            .await?;
        Ok(response.tenants)
    }
}

operation!(LoadAllTenants => Vec<Tenant>);

/// Searching tenants: [`Tenants::search`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SearchTenants<'a> {
    client: &'a Client,
    body: MgmtTenantSearchRequest,
    call: CallOptions,
}

impl SearchTenants<'_> {
    /// Only these tenant ids.
    pub fn ids(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.tenant_ids = strings(ids);
        self
    }

    /// Only tenants with one of these names.
    pub fn names(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.tenant_names = strings(names);
        self
    }

    /// Only tenants with one of these self-provisioning domains.
    pub fn self_provisioning_domains(
        mut self,
        domains: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body.tenant_self_provisioning_domains = strings(domains);
        self
    }

    /// Only tenants whose custom attribute `key` is `value` (call once per attribute).
    pub fn custom_attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_attributes
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Only children of this tenant.
    pub fn parent(mut self, parent_id: impl Into<String>) -> Self {
        self.body.parent_tenant_id = Some(parent_id.into());
        self
    }

    /// Sends the call; returns every match (the search does not page).
    pub async fn send(self) -> Result<Vec<Tenant>, Error> {
        let response: MgmtTenantsResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::post("/v1/mgmt/tenant/search", bearer, &self.body)?.excerpt_allowed())
            })
            .await?;
        Ok(response.tenants)
    }
}

operation!(SearchTenants => Vec<Tenant>);

/// Loading a tenant's settings: [`Tenants::load_settings`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadTenantSettings<'a> {
    client: &'a Client,
    id: String,
    call: CallOptions,
}

impl LoadTenantSettings<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<TenantSettings, Error> {
        require(&self.id, Argument::Tenant)?;
        self.client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/tenant/settings", bearer)
                    .query(vec![("id", self.id.clone())])
                    .excerpt_allowed())
            })
            .await
    }
}

operation!(LoadTenantSettings => TenantSettings);

/// Changing a tenant's settings: [`Tenants::update_settings`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UpdateTenantSettings<'a> {
    client: &'a Client,
    body: MgmtTenantSettingsRequest,
    call: CallOptions,
}

impl UpdateTenantSettings<'_> {
    /// SSO domains: emails of these domains sign in by the tenant's SSO.
    pub fn domains(mut self, domains: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.domains = Some(strings(domains));
        self
    }

    /// Self-provisioning domains.
    pub fn self_provisioning_domains(
        mut self,
        domains: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body.self_provisioning_domains = Some(strings(domains));
        self
    }

    /// SSO kind: `none`, `saml` or `oidc`.
    pub fn auth_type(mut self, auth_type: impl Into<String>) -> Self {
        self.body.auth_type = Some(auth_type.into());
        self
    }

    /// Whether the tenant's own session settings (below) apply.
    pub fn session_settings_enabled(mut self, enabled: bool) -> Self {
        self.body.enabled = Some(enabled);
        self
    }

    /// Refresh token lifetime, e.g. `(4, "weeks")`.
    pub fn refresh_token_expiration(mut self, amount: i64, unit: impl Into<String>) -> Self {
        self.body.refresh_token_expiration = Some(amount);
        self.body.refresh_token_expiration_unit = Some(unit.into());
        self
    }

    /// Session token lifetime, e.g. `(10, "minutes")`.
    pub fn session_token_expiration(mut self, amount: i64, unit: impl Into<String>) -> Self {
        self.body.session_token_expiration = Some(amount);
        self.body.session_token_expiration_unit = Some(unit.into());
        self
    }

    /// Step-up token lifetime.
    pub fn stepup_token_expiration(mut self, amount: i64, unit: impl Into<String>) -> Self {
        self.body.stepup_token_expiration = Some(amount);
        self.body.stepup_token_expiration_unit = Some(unit.into());
        self
    }

    /// Signs inactive users out after this long, e.g. `(30, "minutes")`.
    pub fn inactivity(mut self, amount: i64, unit: impl Into<String>) -> Self {
        self.body.enable_inactivity = Some(true);
        self.body.inactivity_time = Some(amount);
        self.body.inactivity_time_unit = Some(unit.into());
        self
    }

    /// Whether inactive users are signed out (see [`inactivity`](Self::inactivity)).
    pub fn enable_inactivity(mut self, enabled: bool) -> Self {
        self.body.enable_inactivity = Some(enabled);
        self
    }

    /// Whether SSO just-in-time provisioning is off.
    pub fn jit_disabled(mut self, disabled: bool) -> Self {
        self.body.jit_disabled = Some(disabled);
        self
    }

    /// Whether users must sign in by SSO.
    pub fn enforce_sso(mut self, enforce: bool) -> Self {
        self.body.enforce_sso = Some(enforce);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.tenant_id, Argument::Tenant)?;
        void_post(
            self.client,
            &self.call,
            "/v1/mgmt/tenant/settings",
            &self.body,
        )
        .await
    }
}

operation!(UpdateTenantSettings => ());
