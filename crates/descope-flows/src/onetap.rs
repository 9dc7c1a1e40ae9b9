//! OneTap (Google One Tap) on [`OAuth`]: the provider's client id for the browser prompt,
//! and the ID token the prompt yields, verified by Descope: for a one-time code
//! ([`verify_one_tap_id_token`](OAuth::verify_one_tap_id_token), then
//! [`OAuth::exchange`]) or directly for a session
//! ([`exchange_one_tap_id_token`](OAuth::exchange_one_tap_id_token)). Only the Node SDK has
//! these calls.

use descope_types::{
    ExchangeCode, IdToken, OAuthProvider, OneTapClientIdResponse, OneTapCodeResponse,
    OneTapIdTokenRequest,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, login_setters};
use crate::oauth::OAuth;
use crate::pipeline::{Bearer, Request, require};

impl<'a> OAuth<'a> {
    /// The provider's OAuth client id configured in the project, to start the browser's
    /// One Tap prompt with (`GET /v1/auth/onetap/clientid/{provider}`).
    pub fn one_tap_client_id(&self, provider: impl Into<OAuthProvider>) -> OneTapClientId<'a> {
        OneTapClientId {
            client: self.client,
            provider: provider.into(),
            call: CallOptions::new(),
        }
    }

    /// Verifies the ID token the One Tap prompt gave (`POST /v1/auth/onetap/idtoken/verify`)
    /// and answers a one-time code, which [`exchange`](OAuth::exchange) turns into the
    /// session. `nonce` is the one the prompt was started with. Spends the ID token: never
    /// resent once it may have reached Descope.
    pub fn verify_one_tap_id_token(
        &self,
        provider: impl Into<OAuthProvider>,
        id_token: &IdToken,
        nonce: impl Into<String>,
    ) -> OneTapVerify<'a> {
        OneTapVerify {
            client: self.client,
            id_token: one_tap(provider.into(), id_token, nonce.into()),
            login: Login::default(),
            call: CallOptions::one_time(),
        }
    }

    /// Exchanges the ID token the One Tap prompt gave for a validated session
    /// (`POST /v1/auth/onetap/idtoken/exchange`). Spends the ID token: never resent once it
    /// may have reached Descope.
    pub fn exchange_one_tap_id_token(
        &self,
        provider: impl Into<OAuthProvider>,
        id_token: &IdToken,
        nonce: impl Into<String>,
    ) -> OneTapExchange<'a> {
        OneTapExchange {
            client: self.client,
            id_token: one_tap(provider.into(), id_token, nonce.into()),
            login: Login::default(),
            call: CallOptions::one_time(),
        }
    }
}

/// What both ID-token calls send, before login options.
#[derive(Debug)]
struct OneTapIdToken {
    provider: OAuthProvider,
    id_token: IdToken,
    nonce: String,
}

fn one_tap(provider: OAuthProvider, id_token: &IdToken, nonce: String) -> OneTapIdToken {
    OneTapIdToken {
        provider,
        id_token: id_token.clone(),
        nonce,
    }
}

/// The provider goes into a path: a name, nothing that could change the path.
fn check_provider(provider: &OAuthProvider) -> Result<(), Error> {
    let name = provider.as_str();
    require(name, Argument::Provider)?;
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !plain || name == "." || name == ".." {
        return Err(Error::argument(
            Argument::Provider,
            "may hold only letters, digits, '-', '_' and '.'",
        ));
    }
    Ok(())
}

impl OneTapIdToken {
    /// The request to `path`, with the login options and who sends them.
    fn request<'r>(&self, path: &'static str, login: &'r Login) -> Result<Request<'r>, Error> {
        check_provider(&self.provider)?;
        if self.id_token.is_empty() {
            return Err(Error::empty(Argument::NativeCredential));
        }
        let (login_options, bearer) = login.resolve()?;
        let body = OneTapIdTokenRequest {
            provider: self.provider.clone(),
            id_token: self.id_token.clone(),
            nonce: self.nonce.clone(),
            login_options,
        };
        Request::post(path, bearer, &body)
    }
}

/// Getting the provider's client id: [`OAuth::one_tap_client_id`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OneTapClientId<'a> {
    client: &'a Client,
    provider: OAuthProvider,
    call: CallOptions,
}

impl OneTapClientId<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<String, Error> {
        check_provider(&self.provider)?;
        let path = format!("/v1/auth/onetap/clientid/{}", self.provider.as_str());
        let request = Request::get(path, Bearer::Project)
            .options(self.call.request_options())
            .excerpt_allowed();
        let decoded = self
            .client
            .pipeline()
            .json::<OneTapClientIdResponse>(request)
            .await?;
        Ok(decoded.value.client_id)
    }
}

operation!(OneTapClientId => String);

/// Verifying a One Tap ID token for a code: [`OAuth::verify_one_tap_id_token`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OneTapVerify<'a> {
    client: &'a Client,
    id_token: OneTapIdToken,
    login: Login,
    call: CallOptions,
}

impl OneTapVerify<'_> {
    /// Sends the call; the answer is the code for [`OAuth::exchange`].
    pub async fn send(self) -> Result<ExchangeCode, Error> {
        let request = self
            .id_token
            .request("/v1/auth/onetap/idtoken/verify", &self.login)?
            .options(self.call.request_options());
        let decoded = self
            .client
            .pipeline()
            .json::<OneTapCodeResponse>(request)
            .await?;
        Ok(decoded.value.code)
    }
}

login_setters!(OneTapVerify);
operation!(OneTapVerify => ExchangeCode);

/// Exchanging a One Tap ID token for a session: [`OAuth::exchange_one_tap_id_token`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OneTapExchange<'a> {
    client: &'a Client,
    id_token: OneTapIdToken,
    login: Login,
    call: CallOptions,
}

impl OneTapExchange<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        let request = self
            .id_token
            .request("/v1/auth/onetap/idtoken/exchange", &self.login)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

login_setters!(OneTapExchange);
operation!(OneTapExchange => AuthenticationInfo);
