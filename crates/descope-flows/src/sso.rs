//! SSO (`/v1/auth/sso/*`) and legacy SAML (`/v1/auth/saml/*`).

use descope_types::{ExchangeCode, LoginOptions, RefreshToken, SsoStartParams, UrlResponse};

use crate::auth_info::AuthenticationInfo;
use crate::client::{Client, Excerpt, require};
use crate::error::Error;
use crate::oauth::{exchange, start_call};

/// SSO flows of a [`Client`]; see [`Client::sso`].
#[derive(Debug, Clone, Copy)]
pub struct Sso<'a> {
    client: &'a Client,
    start_path: &'static str,
    exchange_path: &'static str,
}

impl Client {
    /// SSO (OIDC or SAML identity providers, chosen by the tenant's configuration) on
    /// `/v1/auth/sso/*`.
    pub fn sso(&self) -> Sso<'_> {
        Sso {
            client: self,
            start_path: "/v1/auth/sso/authorize",
            exchange_path: "/v1/auth/sso/exchange",
        }
    }

    /// The legacy SAML endpoints `/v1/auth/saml/*` (what the Node and mobile SDKs call for
    /// SSO); same parameters as [`sso`](Self::sso).
    pub fn saml(&self) -> Sso<'_> {
        Sso {
            client: self,
            start_path: "/v1/auth/saml/authorize",
            exchange_path: "/v1/auth/saml/exchange",
        }
    }
}

impl Sso<'_> {
    /// Starts an SSO sign-in for a tenant (its id, its name, or an email whose domain
    /// selects it) and returns the URL to send the browser to. The identity provider sends
    /// it back to the redirect URL with `code`, which [`exchange`](Self::exchange) turns
    /// into a session.
    ///
    /// `refresh` is required when `options` asks for step-up or MFA (checked before any
    /// request) and sent whenever given.
    pub async fn start(
        &self,
        params: &SsoStartParams,
        options: Option<&LoginOptions>,
        refresh: Option<&RefreshToken>,
    ) -> Result<String, Error> {
        require(&params.tenant, "tenant is empty")?;
        let call = start_call(self.start_path, params.query_pairs(), options, refresh)?;
        let (body, _): (UrlResponse, _) = self.client.json(call, Excerpt::Allowed).await?;
        Ok(body.url)
    }

    /// Exchanges the `code` the redirect URL received for a validated session.
    pub async fn exchange(&self, code: &ExchangeCode) -> Result<AuthenticationInfo, Error> {
        exchange(self.client, self.exchange_path, code).await
    }
}
