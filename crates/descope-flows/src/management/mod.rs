//! The management API (feature `management`): calls authorized by a management key
//! (`Authorization: Bearer <projectId>:<managementKey>`), one module per area.
//!
//! Every call goes through `Client::management_call`: it refuses to send anything without a
//! key (a configuration error), fetches the license once (`GET /v1/mgmt/license`, then
//! `x-descope-license: <rateLimitTier>` on every management call, as the official SDKs do),
//! and marks a 401 as the key being rejected.

mod access_keys;
mod audit;
mod history;
mod jwt;
mod permissions;
mod roles;
mod sso;
mod tenants;
mod test_users;
mod users;

use descope_types::{LicenseResponse, ManagementKey};
use http::HeaderValue;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use crate::call::CallOptions;
use crate::client::Client;
use crate::error::{Error, ManagementKeyRejected};
use crate::pipeline::{Bearer, Request};

pub use access_keys::{
    AccessKeyChange, AccessKeys, CreateAccessKey, LoadAccessKey, SearchAccessKeys, UpdateAccessKey,
};
pub use audit::{Audit, CreateAuditEvent, SearchAudit};
pub use history::UserHistory;
pub use jwt::{Impersonate, Jwt, MgmtSignIn, MgmtSignUp, StopImpersonation, UpdateJwt};
pub use permissions::{DeletePermission, LoadAllPermissions, PermissionChange, Permissions};
pub use roles::{CreateRole, DeleteRole, LoadAllRoles, Roles, SearchRoles, UpdateRole};
pub use sso::{
    ConfigureSso, ConfigureSsoMapping, DeleteSsoSettings, LoadSsoSettings, Sso, SsoConfigureBody,
};
pub use tenants::{
    CreateTenant, DeleteTenant, LoadAllTenants, LoadTenant, LoadTenantSettings, SearchTenants,
    Tenants, UpdateTenant, UpdateTenantSettings,
};
pub use test_users::{
    CreateUserBatch, GenerateEmbeddedLink, GenerateTestEnchantedLink, GenerateTestMagicLink,
    GenerateTestOtp, InviteUser, InviteUserBatch,
};
pub use users::{
    CreateUser, DeleteAllTestUsers, DeleteUser, LoadUser, PatchUser, SearchUsers, SetUserStatus,
    UpdateUser, UserPages, UserRoles, UserTenantChange, Users,
};
pub use users::{
    LoadUsers, LogoutUser, SetUserPassword, UpdateUserCustomAttribute, UpdateUserEmail,
    UpdateUserLoginId, UpdateUserName, UpdateUserPhone, UpdateUserPicture, UserCredentialChange,
};

/// The header that carries the license's rate-limit tier.
const LICENSE_HEADER: &str = "x-descope-license";

/// What a client keeps for the management API: the key and the license, fetched once.
#[derive(Default)]
pub(crate) struct Shared {
    key: Option<ManagementKey>,
    /// `None` inside: the handshake failed or answered no tier; calls go without the header.
    license: OnceCell<Option<HeaderValue>>,
}

impl Shared {
    pub(crate) fn new(key: Option<ManagementKey>) -> Self {
        Self {
            key,
            license: OnceCell::new(),
        }
    }
}

/// The management API of a [`Client`]; see [`Client::management`].
#[derive(Debug, Clone, Copy)]
pub struct Management<'a> {
    client: &'a Client,
}

impl Client {
    /// The management API: users (and, later, tenants, roles, access keys...). Needs a
    /// management key ([`ClientBuilder::management_key`](crate::ClientBuilder::management_key)
    /// or `DESCOPE_MANAGEMENT_KEY`); without one every call fails with
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) before any request.
    pub fn management(&self) -> Management<'_> {
        Management { client: self }
    }

    /// Sends one management call: `make` builds the request for the bearer it is given.
    pub(crate) async fn management_call<T, F>(
        &self,
        call: &CallOptions,
        make: F,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned,
        F: for<'b> FnOnce(Bearer<'b>) -> Result<Request<'b>, Error>,
    {
        let shared = self.management_shared();
        let key = shared.key.as_ref().ok_or_else(|| {
            Error::configuration(
                "no management key: set ClientBuilder::management_key or DESCOPE_MANAGEMENT_KEY",
            )
        })?;
        let license = shared
            .license
            .get_or_init(|| fetch_license(self, key))
            .await
            .clone();
        let mut request = make(Bearer::Management(key.secret()))?.options(call.request_options());
        if let Some(license) = license {
            request = request.header(LICENSE_HEADER, license);
        }
        match self.pipeline().json::<T>(request).await {
            Ok(decoded) => Ok(decoded.value),
            Err(e) if e.status() == Some(401) => Err(e.with_source(ManagementKeyRejected)),
            Err(e) => Err(e),
        }
    }
}

/// The license handshake. A failure is logged and tolerated, as by both official SDKs: the
/// calls then go without `x-descope-license`, and the handshake is not retried (see
/// docs/spec-notes.md).
async fn fetch_license(client: &Client, key: &ManagementKey) -> Option<HeaderValue> {
    // One attempt, as Python's bare `httpx.get`: a retried handshake would hold up the first
    // call for seconds, and the calls work without it.
    let mut once = CallOptions::new();
    once.set_retries(false);
    let request = Request::get("/v1/mgmt/license", Bearer::Management(key.secret()))
        .options(once.request_options());
    match client.pipeline().json::<LicenseResponse>(request).await {
        Ok(decoded) => {
            let tier = decoded.value.rate_limit_tier;
            HeaderValue::from_str(tier.trim())
                .ok()
                .filter(|v| !v.is_empty())
        }
        Err(error) => {
            tracing::warn!(%error, "management license handshake failed; continuing without it");
            None
        }
    }
}

impl<'a> Management<'a> {
    /// Users: create, load, search, update, patch, delete, roles, tenants, status.
    pub fn users(&self) -> Users<'a> {
        Users::new(self.client)
    }

    /// Tenants: create, update, delete, load, search, settings.
    pub fn tenants(&self) -> Tenants<'a> {
        Tenants::new(self.client)
    }

    /// A tenant's SSO settings: load, configure (OIDC, SAML), mappings, delete.
    pub fn sso(&self) -> Sso<'a> {
        Sso::new(self.client)
    }

    /// Roles: create, update, delete, load all, search.
    pub fn roles(&self) -> Roles<'a> {
        Roles::new(self.client)
    }

    /// Permissions: create, update, delete, load all.
    pub fn permissions(&self) -> Permissions<'a> {
        Permissions::new(self.client)
    }

    /// Access keys: create (answering the cleartext once), load, search, update, activate,
    /// deactivate, delete.
    pub fn access_keys(&self) -> AccessKeys<'a> {
        AccessKeys::new(self.client)
    }

    /// JWT: re-issue a session JWT with custom claims, impersonate, and sign users in
    /// without a credential.
    pub fn jwt(&self) -> Jwt<'a> {
        Jwt::new(self.client)
    }

    /// The audit trail: search it, record custom events.
    pub fn audit(&self) -> Audit<'a> {
        Audit::new(self.client)
    }
}

/// Owned strings from any strings.
pub(super) fn strings(values: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    values.into_iter().map(Into::into).collect()
}

/// Sends a management call whose answer carries nothing (`{}`, which the Node SDK parses).
pub(super) async fn void_call<F>(client: &Client, call: &CallOptions, make: F) -> Result<(), Error>
where
    F: for<'b> FnOnce(Bearer<'b>) -> Result<Request<'b>, Error>,
{
    let _: serde::de::IgnoredAny = client.management_call(call, make).await?;
    Ok(())
}

/// [`void_call`] for a JSON `POST` to `path`.
pub(super) async fn void_post(
    client: &Client,
    call: &CallOptions,
    path: &'static str,
    body: &impl serde::Serialize,
) -> Result<(), Error> {
    void_call(client, call, |bearer| Request::post(path, bearer, body)).await
}
