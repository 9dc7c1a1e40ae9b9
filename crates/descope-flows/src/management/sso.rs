//! A tenant's SSO settings: `client.management().sso()`.
//!
//! The deprecated v1 calls (`GET/POST /v1/mgmt/sso/settings`, `/v1/mgmt/sso/metadata`) have
//! no methods here: [`load`](Sso::load) and the `configure_*` calls replace them.

use descope_types::{
    MgmtSsoMappingRequest, MgmtSsoOidcRequest, MgmtSsoSamlRequest, RoleMapping,
    SamlAttributeMapping, SsoOidcSettings, SsoSamlMetadataSettings, SsoSamlSettings,
    SsoTenantSettings,
};
use http::Method;
use serde::Serialize;

use super::{strings, void_call};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

/// The SSO settings calls; see [`Management::sso`](super::Management::sso).
#[derive(Debug, Clone, Copy)]
pub struct Sso<'a> {
    client: &'a Client,
}

impl<'a> Sso<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Loads a tenant's SSO settings (`GET /v2/mgmt/sso/settings?tenantId=`).
    pub fn load(&self, tenant_id: impl Into<String>) -> LoadSsoSettings<'a> {
        LoadSsoSettings {
            client: self.client,
            tenant_id: tenant_id.into(),
            sso_id: None,
            call: CallOptions::new(),
        }
    }

    /// Configures an OIDC identity provider for a tenant (`POST /v1/mgmt/sso/oidc`).
    pub fn configure_oidc(
        &self,
        tenant_id: impl Into<String>,
        settings: SsoOidcSettings,
    ) -> ConfigureSso<'a, MgmtSsoOidcRequest> {
        ConfigureSso {
            client: self.client,
            path: "/v1/mgmt/sso/oidc",
            body: MgmtSsoOidcRequest {
                tenant_id: tenant_id.into(),
                settings,
                domains: None,
                sso_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Configures a SAML identity provider given by values (`POST /v1/mgmt/sso/saml`).
    pub fn configure_saml(
        &self,
        tenant_id: impl Into<String>,
        settings: SsoSamlSettings,
    ) -> ConfigureSso<'a, MgmtSsoSamlRequest<SsoSamlSettings>> {
        ConfigureSso {
            client: self.client,
            path: "/v1/mgmt/sso/saml",
            body: MgmtSsoSamlRequest {
                tenant_id: tenant_id.into(),
                settings,
                redirect_url: None,
                domains: None,
                sso_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Configures a SAML identity provider given by its metadata URL
    /// (`POST /v1/mgmt/sso/saml/metadata`).
    pub fn configure_saml_by_metadata(
        &self,
        tenant_id: impl Into<String>,
        settings: SsoSamlMetadataSettings,
    ) -> ConfigureSso<'a, MgmtSsoSamlRequest<SsoSamlMetadataSettings>> {
        ConfigureSso {
            client: self.client,
            path: "/v1/mgmt/sso/saml/metadata",
            body: MgmtSsoSamlRequest {
                tenant_id: tenant_id.into(),
                settings,
                redirect_url: None,
                domains: None,
                sso_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Sets which IdP groups give which roles, which attributes fill which user fields, and
    /// the roles every SSO user gets (`POST /v1/mgmt/sso/mapping`).
    pub fn configure_mapping(&self, tenant_id: impl Into<String>) -> ConfigureSsoMapping<'a> {
        ConfigureSsoMapping {
            client: self.client,
            body: MgmtSsoMappingRequest {
                tenant_id: tenant_id.into(),
                ..MgmtSsoMappingRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Removes a tenant's SSO settings (`DELETE /v1/mgmt/sso/settings?tenantId=`).
    pub fn delete(&self, tenant_id: impl Into<String>) -> DeleteSsoSettings<'a> {
        DeleteSsoSettings {
            client: self.client,
            tenant_id: tenant_id.into(),
            sso_id: None,
            call: CallOptions::new(),
        }
    }
}

fn sso_query(tenant_id: &str, sso_id: Option<&String>) -> Vec<(&'static str, String)> {
    let mut query = vec![("tenantId", tenant_id.to_owned())];
    if let Some(sso_id) = sso_id {
        query.push(("ssoId", sso_id.clone()));
    }
    query
}

/// Loading SSO settings: [`Sso::load`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadSsoSettings<'a> {
    client: &'a Client,
    tenant_id: String,
    sso_id: Option<String>,
    call: CallOptions,
}

impl LoadSsoSettings<'_> {
    /// Which of the tenant's SSO configurations (default: its only one).
    pub fn sso_id(mut self, sso_id: impl Into<String>) -> Self {
        self.sso_id = Some(sso_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<SsoTenantSettings, Error> {
        require(&self.tenant_id, Argument::Tenant)?;
        self.client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v2/mgmt/sso/settings", bearer)
                    .query(sso_query(&self.tenant_id, self.sso_id.as_ref()))
                    .excerpt_allowed())
            })
            .await
    }
}

operation!(LoadSsoSettings => SsoTenantSettings);

/// What the configure calls' bodies share: the tenant, the SSO domains and the SSO id.
pub trait SsoConfigureBody: Serialize + Send + Sync + sealed::Sealed {
    #[doc(hidden)]
    fn tenant_id(&self) -> &str;
    #[doc(hidden)]
    fn set_domains(&mut self, domains: Vec<String>);
    #[doc(hidden)]
    fn set_sso_id(&mut self, sso_id: String);
    #[doc(hidden)]
    fn set_redirect_url(&mut self, url: String);
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for descope_types::MgmtSsoOidcRequest {}
    impl<S> Sealed for descope_types::MgmtSsoSamlRequest<S> {}
}

impl SsoConfigureBody for MgmtSsoOidcRequest {
    fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    fn set_domains(&mut self, domains: Vec<String>) {
        self.domains = Some(domains);
    }
    fn set_sso_id(&mut self, sso_id: String) {
        self.sso_id = Some(sso_id);
    }
    fn set_redirect_url(&mut self, url: String) {
        // OIDC carries its redirect URL in the settings.
        self.settings.redirect_url = Some(url);
    }
}

impl<S: Serialize + Send + Sync> SsoConfigureBody for MgmtSsoSamlRequest<S> {
    fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    fn set_domains(&mut self, domains: Vec<String>) {
        self.domains = Some(domains);
    }
    fn set_sso_id(&mut self, sso_id: String) {
        self.sso_id = Some(sso_id);
    }
    fn set_redirect_url(&mut self, url: String) {
        self.redirect_url = Some(url);
    }
}

/// Configuring an identity provider: [`Sso::configure_oidc`], [`Sso::configure_saml`],
/// [`Sso::configure_saml_by_metadata`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct ConfigureSso<'a, B> {
    client: &'a Client,
    path: &'static str,
    body: B,
    call: CallOptions,
}

impl<B: SsoConfigureBody> ConfigureSso<'_, B> {
    /// The tenant's SSO domains: emails of these domains sign in by this provider (replace the
    /// current ones).
    pub fn domains(mut self, domains: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.set_domains(strings(domains));
        self
    }

    /// Which of the tenant's SSO configurations (default: its only one).
    pub fn sso_id(mut self, sso_id: impl Into<String>) -> Self {
        self.body.set_sso_id(sso_id.into());
        self
    }

    /// Where users land after signing in.
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.body.set_redirect_url(url.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(self.body.tenant_id(), Argument::Tenant)?;
        void_call(self.client, &self.call, |bearer| {
            Request::post(self.path, bearer, &self.body)
        })
        .await
    }
}

impl<'a, B: SsoConfigureBody + 'a> ConfigureSso<'a, B> {
    /// The time allowed for each attempt of this call (default: the client's
    /// [`Policy`](descope_transport::Policy)).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.call.set_timeout(timeout);
        self
    }

    /// Whether failed attempts may be sent again (default `true`: the client's policy
    /// decides).
    pub fn retries(mut self, enabled: bool) -> Self {
        self.call.set_retries(enabled);
        self
    }
}

impl<'a, B: SsoConfigureBody + 'a> std::future::IntoFuture for ConfigureSso<'a, B> {
    type Output = Result<(), Error>;
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Configuring SSO mappings: [`Sso::configure_mapping`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct ConfigureSsoMapping<'a> {
    client: &'a Client,
    body: MgmtSsoMappingRequest,
    call: CallOptions,
}

impl ConfigureSsoMapping<'_> {
    /// Members of any of `groups` get `role` (call once per role).
    pub fn role_mapping(
        mut self,
        groups: impl IntoIterator<Item = impl Into<String>>,
        role: impl Into<String>,
    ) -> Self {
        self.body.role_mappings.push(RoleMapping {
            groups: strings(groups),
            role: role.into(),
        });
        self
    }

    /// Which assertion attributes fill which user fields.
    pub fn attribute_mapping(mut self, mapping: SamlAttributeMapping) -> Self {
        self.body.attribute_mapping = Some(mapping);
        self
    }

    /// Roles every user signing in by this SSO gets in the tenant.
    pub fn default_sso_roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.default_sso_roles = Some(strings(roles));
        self
    }

    /// Which of the tenant's SSO configurations (default: its only one).
    pub fn sso_id(mut self, sso_id: impl Into<String>) -> Self {
        self.body.sso_id = Some(sso_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.tenant_id, Argument::Tenant)?;
        void_call(self.client, &self.call, |bearer| {
            Request::post("/v1/mgmt/sso/mapping", bearer, &self.body)
        })
        .await
    }
}

operation!(ConfigureSsoMapping => ());

/// Removing SSO settings: [`Sso::delete`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct DeleteSsoSettings<'a> {
    client: &'a Client,
    tenant_id: String,
    sso_id: Option<String>,
    call: CallOptions,
}

impl DeleteSsoSettings<'_> {
    /// Which of the tenant's SSO configurations (default: its only one).
    pub fn sso_id(mut self, sso_id: impl Into<String>) -> Self {
        self.sso_id = Some(sso_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.tenant_id, Argument::Tenant)?;
        void_call(self.client, &self.call, |bearer| {
            Ok(Request::get("/v1/mgmt/sso/settings", bearer)
                .method(Method::DELETE)
                .query(sso_query(&self.tenant_id, self.sso_id.as_ref())))
        })
        .await
    }
}

operation!(DeleteSsoSettings => ());
