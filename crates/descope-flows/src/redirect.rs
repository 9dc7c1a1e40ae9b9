//! What the redirect flows (OAuth, SSO, SAML) share: the start call that yields the URL to
//! send the browser to, and the exchange of the `code` it comes back with.

use descope_types::{CodeExchangeRequest, ExchangeCode, LoginOptions, UrlResponse};
use url::Url;

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, DecodeError, Error};
use crate::login::Login;
use crate::pipeline::{Request, require};

/// Sends a start call (the login options as the body, or `{}`) and parses the URL answered.
pub(crate) async fn start_url(
    client: &Client,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    login: &Login,
    call: CallOptions,
) -> Result<Url, Error> {
    let (options, bearer) = login.resolve()?;
    let empty = LoginOptions::default();
    let request = Request::post(path, bearer, options.as_ref().unwrap_or(&empty))?
        .query(query)
        .options(call.request_options())
        .excerpt_allowed();
    let decoded = client.pipeline().json::<UrlResponse>(request).await?;
    Url::parse(&decoded.value.url)
        .map_err(|e| Error::decode(DecodeError::new(decoded.status)).with_source(e))
}

/// Exchanging the `code` a redirect URL received for a validated session: from
/// [`OAuth::exchange`](crate::OAuth::exchange) and [`Sso::exchange`](crate::Sso::exchange).
/// Spends the code: never resent once it may have reached Descope.
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CodeExchange<'a> {
    client: &'a Client,
    path: &'static str,
    code: ExchangeCode,
    call: CallOptions,
}

impl<'a> CodeExchange<'a> {
    pub(crate) fn new(client: &'a Client, path: &'static str, code: &ExchangeCode) -> Self {
        Self {
            client,
            path,
            code: code.clone(),
            call: CallOptions::one_time(),
        }
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(self.code.secret(), Argument::Code)?;
        let body = CodeExchangeRequest {
            code: self.code.clone(),
        };
        let request = Request::post(self.path, crate::pipeline::Bearer::Project, &body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(CodeExchange => AuthenticationInfo);
