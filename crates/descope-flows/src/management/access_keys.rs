//! Access keys: `client.management().access_keys()`.

use descope_types::{
    AccessKeyResponse, MgmtAccessKeyCreateRequest, MgmtAccessKeyCreateResponse,
    MgmtAccessKeyIdRequest, MgmtAccessKeyResponse, MgmtAccessKeySearchRequest,
    MgmtAccessKeyUpdateRequest, MgmtAccessKeysResponse, TenantRoles,
};
use serde_json::{Map, Value};

use super::{strings, void_post};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

/// The access key management calls; see
/// [`Management::access_keys`](super::Management::access_keys).
#[derive(Debug, Clone, Copy)]
pub struct AccessKeys<'a> {
    client: &'a Client,
}

impl<'a> AccessKeys<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Creates an access key (`POST /v1/mgmt/accesskey/create`). The answer holds the key's
    /// cleartext, which Descope never shows again: keep it then or create another key.
    pub fn create(&self, name: impl Into<String>) -> CreateAccessKey<'a> {
        CreateAccessKey {
            client: self.client,
            body: MgmtAccessKeyCreateRequest {
                name: name.into(),
                ..MgmtAccessKeyCreateRequest::default()
            },
            // A resent create would make a second key whose cleartext nobody saw.
            call: CallOptions::one_time(),
        }
    }

    /// Loads a key by id (`GET /v1/mgmt/accesskey?id=`), without its cleartext.
    pub fn load(&self, id: impl Into<String>) -> LoadAccessKey<'a> {
        LoadAccessKey {
            client: self.client,
            id: id.into(),
            call: CallOptions::new(),
        }
    }

    /// Searches keys (`POST /v1/mgmt/accesskey/search`); no filter returns every key.
    pub fn search(&self) -> SearchAccessKeys<'a> {
        SearchAccessKeys {
            client: self.client,
            body: MgmtAccessKeySearchRequest::default(),
            call: CallOptions::new(),
        }
    }

    /// Renames a key and changes the fields the call names (`POST /v1/mgmt/accesskey/update`);
    /// the others are kept.
    pub fn update(&self, id: impl Into<String>, name: impl Into<String>) -> UpdateAccessKey<'a> {
        UpdateAccessKey {
            client: self.client,
            body: MgmtAccessKeyUpdateRequest {
                id: id.into(),
                name: name.into(),
                ..MgmtAccessKeyUpdateRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Makes a deactivated key exchangeable again (`POST /v1/mgmt/accesskey/activate`).
    pub fn activate(&self, id: impl Into<String>) -> AccessKeyChange<'a> {
        self.change("/v1/mgmt/accesskey/activate", id.into())
    }

    /// Stops a key from being exchanged until activated (`POST /v1/mgmt/accesskey/deactivate`).
    pub fn deactivate(&self, id: impl Into<String>) -> AccessKeyChange<'a> {
        self.change("/v1/mgmt/accesskey/deactivate", id.into())
    }

    /// Deletes a key for good (`POST /v1/mgmt/accesskey/delete`).
    pub fn delete(&self, id: impl Into<String>) -> AccessKeyChange<'a> {
        self.change("/v1/mgmt/accesskey/delete", id.into())
    }

    fn change(&self, path: &'static str, id: String) -> AccessKeyChange<'a> {
        AccessKeyChange {
            client: self.client,
            path,
            id,
            call: CallOptions::new(),
        }
    }
}

fn tenant_roles(
    tenant_id: impl Into<String>,
    roles: impl IntoIterator<Item = impl Into<String>>,
) -> TenantRoles {
    TenantRoles {
        tenant_id: tenant_id.into(),
        role_names: strings(roles),
    }
}

/// Creating an access key: [`AccessKeys::create`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CreateAccessKey<'a> {
    client: &'a Client,
    body: MgmtAccessKeyCreateRequest,
    call: CallOptions,
}

impl CreateAccessKey<'_> {
    /// When the key expires, unix seconds (default: never).
    pub fn expire_time(mut self, unix_seconds: i64) -> Self {
        self.body.expire_time = unix_seconds;
        self
    }

    /// Project-level roles of the key's sessions.
    pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.role_names = strings(roles);
        self
    }

    /// Adds a tenant with the key's roles in it (call once per tenant).
    pub fn tenant(
        mut self,
        tenant_id: impl Into<String>,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body.key_tenants.push(tenant_roles(tenant_id, roles));
        self
    }

    /// Binds the key to a user it acts for.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.user_id = Some(user_id.into());
        self
    }

    /// Adds a claim to every session the key is exchanged for (call once per claim).
    pub fn custom_claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_claims
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// IP addresses or CIDR ranges the key may be used from.
    pub fn permitted_ips(mut self, ips: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.permitted_ips = strings(ips);
        self
    }

    /// Sets one custom attribute (call once per attribute).
    pub fn custom_attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_attributes
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sends the call: the key and its cleartext (shown this once; `Debug` redacts it).
    pub async fn send(self) -> Result<MgmtAccessKeyCreateResponse, Error> {
        require(&self.body.name, Argument::AccessKeyName)?;
        for tenant in &self.body.key_tenants {
            require(&tenant.tenant_id, Argument::Tenant)?;
        }
        // No excerpt: the answer carries the cleartext.
        self.client
            .management_call(&self.call, |bearer| {
                Request::post("/v1/mgmt/accesskey/create", bearer, &self.body)
            })
            .await
    }
}

operation!(CreateAccessKey => MgmtAccessKeyCreateResponse);

/// Loading an access key: [`AccessKeys::load`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadAccessKey<'a> {
    client: &'a Client,
    id: String,
    call: CallOptions,
}

impl LoadAccessKey<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AccessKeyResponse, Error> {
        require(&self.id, Argument::AccessKeyId)?;
        let response: MgmtAccessKeyResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/accesskey", bearer)
                    .query(vec![("id", self.id.clone())])
                    .excerpt_allowed())
            })
            .await?;
        Ok(response.key)
    }
}

operation!(LoadAccessKey => AccessKeyResponse);

/// An access key search: [`AccessKeys::search`].
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SearchAccessKeys<'a> {
    client: &'a Client,
    body: MgmtAccessKeySearchRequest,
    call: CallOptions,
}

impl SearchAccessKeys<'_> {
    /// Only keys in one of these tenants.
    pub fn tenant_ids(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.tenant_ids = strings(values);
        self
    }

    /// Only keys bound to this user.
    pub fn bound_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.bound_user_id = Some(user_id.into());
        self
    }

    /// Only keys created by this user.
    pub fn creating_user(mut self, user: impl Into<String>) -> Self {
        self.body.creating_user = Some(user.into());
        self
    }

    /// Only keys whose custom attribute `key` equals `value` (call once per attribute).
    pub fn custom_attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_attributes
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sends the call: the matching keys.
    pub async fn send(self) -> Result<Vec<AccessKeyResponse>, Error> {
        let response: MgmtAccessKeysResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(
                    Request::post("/v1/mgmt/accesskey/search", bearer, &self.body)?
                        .excerpt_allowed(),
                )
            })
            .await?;
        Ok(response.keys)
    }
}

operation!(SearchAccessKeys => Vec<AccessKeyResponse>);

/// Updating an access key: [`AccessKeys::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UpdateAccessKey<'a> {
    client: &'a Client,
    body: MgmtAccessKeyUpdateRequest,
    call: CallOptions,
}

impl UpdateAccessKey<'_> {
    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Replaces the project-level roles.
    pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.role_names = Some(strings(roles));
        self
    }

    /// Adds a tenant to the set that replaces the key's tenants (call once per tenant).
    pub fn tenant(
        mut self,
        tenant_id: impl Into<String>,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body
            .key_tenants
            .get_or_insert_with(Vec::new)
            .push(tenant_roles(tenant_id, roles));
        self
    }

    /// Sets one claim of the set that replaces the key's custom claims.
    pub fn custom_claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_claims
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Replaces the IP addresses or CIDR ranges the key may be used from.
    pub fn permitted_ips(mut self, ips: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.permitted_ips = Some(strings(ips));
        self
    }

    /// Sets one attribute of the set that replaces the key's custom attributes.
    pub fn custom_attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_attributes
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sends the call; returns the key as it now is.
    pub async fn send(self) -> Result<AccessKeyResponse, Error> {
        require(&self.body.id, Argument::AccessKeyId)?;
        require(&self.body.name, Argument::AccessKeyName)?;
        let response: MgmtAccessKeyResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(
                    Request::post("/v1/mgmt/accesskey/update", bearer, &self.body)?
                        .excerpt_allowed(),
                )
            })
            .await?;
        Ok(response.key)
    }
}

operation!(UpdateAccessKey => AccessKeyResponse);

/// Activating, deactivating or deleting an access key: [`AccessKeys::activate`],
/// [`AccessKeys::deactivate`], [`AccessKeys::delete`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct AccessKeyChange<'a> {
    client: &'a Client,
    path: &'static str,
    id: String,
    call: CallOptions,
}

impl AccessKeyChange<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.id, Argument::AccessKeyId)?;
        let body = MgmtAccessKeyIdRequest { id: self.id };
        void_post(self.client, &self.call, self.path, &body).await
    }
}

operation!(AccessKeyChange => ());
