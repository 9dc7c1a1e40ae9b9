//! OAuth: web redirect flows and native (mobile) start/finish.

use descope_types::{
    CodeExchangeRequest, ExchangeCode, LoginOptions, NativeFinishRequest, NativeStartRequest,
    NativeStartResponse, OAuthProvider, OAuthStartParams, RefreshToken, UrlResponse,
};

use crate::auth_info::AuthenticationInfo;
use crate::client::{Bearer, Call, Client, Excerpt, require};
use crate::error::Error;

/// OAuth flows of a [`Client`]; see [`Client::oauth`].
#[derive(Debug, Clone, Copy)]
pub struct OAuth<'a> {
    client: &'a Client,
}

impl Client {
    /// OAuth: web redirect flows and native start/finish.
    pub fn oauth(&self) -> OAuth<'_> {
        OAuth { client: self }
    }
}

/// The bearer of a start call: the refresh token when one is given (required for
/// step-up/MFA, checked before any request).
pub(crate) fn start_bearer<'a>(
    options: Option<&LoginOptions>,
    refresh: Option<&'a RefreshToken>,
) -> Result<Bearer<'a>, Error> {
    let refresh = refresh.filter(|r| !r.is_empty());
    match refresh {
        Some(token) => Ok(Bearer::With(token.secret())),
        None if options.is_some_and(LoginOptions::requires_refresh_token) => Err(
            Error::invalid_argument("a refresh token is required for step-up or MFA"),
        ),
        None => Ok(Bearer::Project),
    }
}

/// The body of a start call: the login options, or `{}`.
pub(crate) fn start_call<'a>(
    path: &str,
    query: Vec<(&'static str, String)>,
    options: Option<&LoginOptions>,
    refresh: Option<&'a RefreshToken>,
) -> Result<Call<'a>, Error> {
    let bearer = start_bearer(options, refresh)?;
    let empty = LoginOptions::default();
    Ok(Call::post(path, bearer, options.unwrap_or(&empty))?.query(query))
}

pub(crate) async fn exchange(
    client: &Client,
    path: &str,
    code: &ExchangeCode,
) -> Result<AuthenticationInfo, Error> {
    require(code.secret(), "exchange code is empty")?;
    let body = CodeExchangeRequest { code: code.clone() };
    client
        .authenticate(Call::post(path, Bearer::Project, &body)?, None)
        .await
}

impl OAuth<'_> {
    async fn start_at(
        &self,
        path: &str,
        params: &OAuthStartParams,
        options: Option<&LoginOptions>,
        refresh: Option<&RefreshToken>,
    ) -> Result<String, Error> {
        require(params.provider.as_str(), "OAuth provider is empty")?;
        let call = start_call(path, params.query_pairs(), options, refresh)?;
        let (body, _): (UrlResponse, _) = self.client.json(call, Excerpt::Allowed).await?;
        Ok(body.url)
    }

    /// Starts an OAuth sign-up or sign-in (`POST /v1/auth/oauth/authorize`) and returns
    /// the URL to send the browser to. The provider sends it back to the redirect URL with
    /// `code`, which [`exchange`](Self::exchange) turns into a session.
    ///
    /// `refresh` is required when `options` asks for step-up or MFA (checked before any
    /// request) and sent whenever given.
    pub async fn start(
        &self,
        params: &OAuthStartParams,
        options: Option<&LoginOptions>,
        refresh: Option<&RefreshToken>,
    ) -> Result<String, Error> {
        self.start_at("/v1/auth/oauth/authorize", params, options, refresh)
            .await
    }

    /// Like [`start`](Self::start), for sign-up only (`/v1/auth/oauth/authorize/signup`).
    pub async fn sign_up(
        &self,
        params: &OAuthStartParams,
        options: Option<&LoginOptions>,
        refresh: Option<&RefreshToken>,
    ) -> Result<String, Error> {
        self.start_at("/v1/auth/oauth/authorize/signup", params, options, refresh)
            .await
    }

    /// Like [`start`](Self::start), for existing users only (`/v1/auth/oauth/authorize/signin`).
    pub async fn sign_in(
        &self,
        params: &OAuthStartParams,
        options: Option<&LoginOptions>,
        refresh: Option<&RefreshToken>,
    ) -> Result<String, Error> {
        self.start_at("/v1/auth/oauth/authorize/signin", params, options, refresh)
            .await
    }

    /// Links a provider to the signed-in user (`/v1/auth/oauth/authorize/update`); set
    /// [`OAuthStartParams::allow_all_merge`] to merge with any existing user.
    pub async fn update_user(
        &self,
        params: &OAuthStartParams,
        options: Option<&LoginOptions>,
        refresh: &RefreshToken,
    ) -> Result<String, Error> {
        require(refresh.secret(), "refresh token is empty")?;
        self.start_at(
            "/v1/auth/oauth/authorize/update",
            params,
            options,
            Some(refresh),
        )
        .await
    }

    /// Exchanges the `code` the redirect URL received for a validated session
    /// (`POST /v1/auth/oauth/exchange`).
    pub async fn exchange(&self, code: &ExchangeCode) -> Result<AuthenticationInfo, Error> {
        exchange(self.client, "/v1/auth/oauth/exchange", code).await
    }

    /// Starts a native sign-in (`POST /v1/auth/oauth/native/start`): returns the provider
    /// client id, the state id and the nonce to run the platform sign-in with.
    pub async fn start_native(
        &self,
        provider: impl Into<OAuthProvider>,
        options: Option<&LoginOptions>,
        implicit: Option<bool>,
        refresh: Option<&RefreshToken>,
    ) -> Result<NativeStartResponse, Error> {
        let provider = provider.into();
        require(provider.as_str(), "OAuth provider is empty")?;
        let bearer = start_bearer(options, refresh)?;
        let body = NativeStartRequest {
            provider,
            login_options: options.cloned(),
            implicit,
        };
        let call = Call::post("/v1/auth/oauth/native/start", bearer, &body)?;
        Ok(self.client.json(call, Excerpt::Allowed).await?.0)
    }

    /// Finishes a native sign-in (`POST /v1/auth/oauth/native/finish`) with the provider's
    /// ID token (implicit) or authorization code. Set `user` with
    /// [`NativeUser::to_wire`](descope_types::NativeUser::to_wire) when the provider gave
    /// name parts.
    pub async fn finish_native(
        &self,
        request: &NativeFinishRequest,
    ) -> Result<AuthenticationInfo, Error> {
        require(request.provider.as_str(), "OAuth provider is empty")?;
        require(&request.state_id, "native state id is empty")?;
        let has_code = request.code.as_ref().is_some_and(|c| !c.is_empty());
        let has_id_token = request.id_token.as_ref().is_some_and(|t| !t.is_empty());
        if !has_code && !has_id_token {
            return Err(Error::invalid_argument(
                "native finish needs an ID token or a code",
            ));
        }
        let call = Call::post("/v1/auth/oauth/native/finish", Bearer::Project, request)?;
        self.client.authenticate(call, None).await
    }
}
