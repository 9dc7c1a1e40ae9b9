//! OAuth: web redirect flows and native (mobile) start/finish.

use descope_types::{
    ExchangeCode, IdToken, NativeFinishRequest, NativeStartRequest, NativeStartResponse,
    NativeUser, OAuthProvider, OAuthStartParams, RefreshToken,
};
use url::Url;

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, login_setters};
use crate::pipeline::{Bearer, Request, require};
use crate::redirect::{CodeExchange, start_url};

/// OAuth flows of a [`Client`]; see [`Client::oauth`].
#[derive(Debug, Clone, Copy)]
pub struct OAuth<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// OAuth: web redirect flows and native start/finish.
    pub fn oauth(&self) -> OAuth<'_> {
        OAuth { client: self }
    }
}

impl<'a> OAuth<'a> {
    fn start_at(&self, path: &'static str, provider: OAuthProvider) -> OAuthStart<'a> {
        OAuthStart {
            client: self.client,
            path,
            params: OAuthStartParams::new(provider),
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Starts an OAuth sign-up or sign-in (`POST /v1/auth/oauth/authorize`); the answer is
    /// the URL to send the browser to. The provider sends it back to the redirect URL with
    /// `code`, which [`exchange`](Self::exchange) turns into a session.
    pub fn start(&self, provider: impl Into<OAuthProvider>) -> OAuthStart<'a> {
        self.start_at("/v1/auth/oauth/authorize", provider.into())
    }

    /// Like [`start`](Self::start), for sign-up only (`/v1/auth/oauth/authorize/signup`).
    pub fn start_sign_up(&self, provider: impl Into<OAuthProvider>) -> OAuthStart<'a> {
        self.start_at("/v1/auth/oauth/authorize/signup", provider.into())
    }

    /// Like [`start`](Self::start), for existing users only (`/v1/auth/oauth/authorize/signin`).
    pub fn start_sign_in(&self, provider: impl Into<OAuthProvider>) -> OAuthStart<'a> {
        self.start_at("/v1/auth/oauth/authorize/signin", provider.into())
    }

    /// Starts linking a provider to the signed-in user (`/v1/auth/oauth/authorize/update`);
    /// [`allow_all_merge`](OAuthStart::allow_all_merge) merges with any existing user.
    pub fn start_update_user(
        &self,
        provider: impl Into<OAuthProvider>,
        refresh: &RefreshToken,
    ) -> OAuthStart<'a> {
        let mut start = self.start_at("/v1/auth/oauth/authorize/update", provider.into());
        start.login.with_refresh(refresh);
        start
    }

    /// Exchanges the `code` the redirect URL received for a validated session
    /// (`POST /v1/auth/oauth/exchange`).
    pub fn exchange(&self, code: &ExchangeCode) -> CodeExchange<'a> {
        CodeExchange::new(self.client, "/v1/auth/oauth/exchange", code)
    }

    /// Starts a native sign-in (`POST /v1/auth/oauth/native/start`): the answer holds the
    /// provider client id, the state id and the nonce to run the platform sign-in with.
    pub fn start_native(&self, provider: impl Into<OAuthProvider>) -> NativeStart<'a> {
        NativeStart {
            client: self.client,
            provider: provider.into(),
            implicit: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Finishes a native sign-in (`POST /v1/auth/oauth/native/finish`) with the provider's
    /// ID token ([`id_token`](NativeFinish::id_token), implicit flows) or authorization code
    /// ([`code`](NativeFinish::code)). Spends the credential: never resent once it may have
    /// reached Descope.
    pub fn finish_native(
        &self,
        provider: impl Into<OAuthProvider>,
        state_id: impl Into<String>,
    ) -> NativeFinish<'a> {
        NativeFinish {
            client: self.client,
            body: NativeFinishRequest {
                provider: provider.into(),
                state_id: state_id.into(),
                user: None,
                code: None,
                id_token: None,
            },
            call: CallOptions::one_time(),
        }
    }
}

/// An OAuth start: [`OAuth::start`] and its sign-up, sign-in and update variants. Answers
/// the URL to send the browser to.
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OAuthStart<'a> {
    client: &'a Client,
    path: &'static str,
    params: OAuthStartParams,
    login: Login,
    call: CallOptions,
}

impl OAuthStart<'_> {
    /// Where the provider sends the browser back with `code` (default: the project's
    /// configured URL).
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.params.redirect_url = Some(url.into());
        self
    }

    /// The login id to preselect at the provider.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.params.login_hint = Some(hint.into());
        self
    }

    /// Update only: allow merging with any existing user.
    pub fn allow_all_merge(mut self, allow: bool) -> Self {
        self.params.allow_all_merge = Some(allow);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<Url, Error> {
        require(self.params.provider.as_str(), Argument::Provider)?;
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

login_setters!(OAuthStart);
operation!(OAuthStart => Url);

/// A native sign-in start: [`OAuth::start_native`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct NativeStart<'a> {
    client: &'a Client,
    provider: OAuthProvider,
    implicit: Option<bool>,
    login: Login,
    call: CallOptions,
}

impl NativeStart<'_> {
    /// `true`: the app will finish with the provider's ID token; `false`: with a code.
    pub fn implicit(mut self, implicit: bool) -> Self {
        self.implicit = Some(implicit);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<NativeStartResponse, Error> {
        require(self.provider.as_str(), Argument::Provider)?;
        let (login_options, bearer) = self.login.resolve()?;
        let body = NativeStartRequest {
            provider: self.provider.clone(),
            login_options,
            implicit: self.implicit,
        };
        let request = Request::post("/v1/auth/oauth/native/start", bearer, &body)?
            .options(self.call.request_options())
            .excerpt_allowed();
        Ok(self.client.pipeline().json(request).await?.value)
    }
}

login_setters!(NativeStart);
operation!(NativeStart => NativeStartResponse);

/// A native sign-in finish: [`OAuth::finish_native`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct NativeFinish<'a> {
    client: &'a Client,
    body: NativeFinishRequest,
    call: CallOptions,
}

impl NativeFinish<'_> {
    /// The provider's ID token (implicit flows).
    pub fn id_token(mut self, token: &IdToken) -> Self {
        self.body.id_token = Some(token.clone());
        self
    }

    /// The provider's authorization code (non-implicit flows).
    pub fn code(mut self, code: &ExchangeCode) -> Self {
        self.body.code = Some(code.clone());
        self
    }

    /// Name parts and email the provider gave (Apple gives names only on the first
    /// authorization).
    pub fn user(mut self, user: &NativeUser) -> Self {
        self.body.user = Some(user.to_wire());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(self.body.provider.as_str(), Argument::Provider)?;
        require(&self.body.state_id, Argument::StateId)?;
        let has_code = self.body.code.as_ref().is_some_and(|c| !c.is_empty());
        let has_id_token = self.body.id_token.as_ref().is_some_and(|t| !t.is_empty());
        if !has_code && !has_id_token {
            return Err(Error::argument(
                Argument::NativeCredential,
                "is required: give .id_token(..) or .code(..)",
            ));
        }
        let request = Request::post("/v1/auth/oauth/native/finish", Bearer::Project, &self.body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(NativeFinish => AuthenticationInfo);
