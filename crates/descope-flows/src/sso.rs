//! SSO (`/v1/auth/sso/*`) and legacy SAML (`/v1/auth/saml/*`).

use descope_types::{ExchangeCode, SsoStartParams};
use url::Url;

use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, login_setters};
use crate::pipeline::require;
use crate::redirect::{CodeExchange, start_url};

/// SSO flows of a [`Client`]; see [`Client::sso`] and [`Client::saml`].
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
    /// SSO); the same calls as [`sso`](Self::sso).
    pub fn saml(&self) -> Sso<'_> {
        Sso {
            client: self,
            start_path: "/v1/auth/saml/authorize",
            exchange_path: "/v1/auth/saml/exchange",
        }
    }
}

impl<'a> Sso<'a> {
    /// Starts an SSO sign-in for a tenant (its id, its name, or an email whose domain
    /// selects it); the answer is the URL to send the browser to. The identity provider
    /// sends it back to the redirect URL with `code`, which [`exchange`](Self::exchange)
    /// turns into a session.
    pub fn start(&self, tenant: impl Into<String>) -> SsoStart<'a> {
        SsoStart {
            client: self.client,
            path: self.start_path,
            params: SsoStartParams::new(tenant),
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Exchanges the `code` the redirect URL received for a validated session.
    pub fn exchange(&self, code: &ExchangeCode) -> CodeExchange<'a> {
        CodeExchange::new(self.client, self.exchange_path, code)
    }
}

/// An SSO start: [`Sso::start`]. Answers the URL to send the browser to.
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SsoStart<'a> {
    client: &'a Client,
    path: &'static str,
    params: SsoStartParams,
    login: Login,
    call: CallOptions,
}

impl SsoStart<'_> {
    /// Where the identity provider flow returns with `code`.
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.params.redirect_url = Some(url.into());
        self
    }

    /// The OIDC `prompt` passed to the identity provider (`login`, `consent`, ...).
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.params.prompt = Some(prompt.into());
        self
    }

    /// Which of the tenant's SSO configurations to use.
    pub fn sso_id(mut self, sso_id: impl Into<String>) -> Self {
        self.params.sso_id = Some(sso_id.into());
        self
    }

    /// The login id to preselect at the identity provider.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.params.login_hint = Some(hint.into());
        self
    }

    /// Make the identity provider authenticate the user again.
    pub fn force_authn(mut self, force: bool) -> Self {
        self.params.force_authn = Some(force);
        self
    }

    /// The email that started the flow (the Node SDK's `enforceInitiatedEmail`).
    pub fn initiated_email(mut self, email: impl Into<String>) -> Self {
        self.params.initiated_email = Some(email.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<Url, Error> {
        require(&self.params.tenant, Argument::Tenant)?;
        start_url(
            self.client,
            self.path,
            self.params.query_pairs(),
            &self.login,
            self.call,
        )
        .await
    }
}

login_setters!(SsoStart);
operation!(SsoStart => Url);
