//! Enchanted link: a link sent by email (or SMS) that signs the user in on the device that
//! asked for it. The start call returns a link id (shown to the user: of the links sent, the
//! one to click) and a pending reference; the page the link opens calls
//! [`verify`](EnchantedLink::verify); the starting device polls
//! [`session`](EnchantedLink::session) (or [`wait_for_session`](EnchantedLink::wait_for_session))
//! until the session is ready.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use descope_types::{
    EnchantedLinkPendingSessionRequest, EnchantedLinkResponse, EnchantedLinkSignInRequest,
    EnchantedLinkSignUpRequest, EnchantedLinkToken, EnchantedLinkUpdateEmailRequest,
    EnchantedLinkUpdatePhoneRequest, EnchantedLinkVerifyRequest, ErrorCode, PendingRef,
    RefreshToken, SignUpUser,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, address_update_setters, login_setters};
use crate::pipeline::{Bearer, Request, require};

/// How long [`WaitForSession`] waits by default: 10 minutes, as the Node SDK's
/// `waitForSession`.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(600);
/// The first interval between two polls of [`WaitForSession`] by default (the Node SDK's
/// minimum).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Enchanted-link flows of a [`Client`]; see [`Client::enchanted_link`].
#[derive(Debug, Clone, Copy)]
pub struct EnchantedLink<'a> {
    client: &'a Client,
}

/// What a start call returns: from [`EnchantedLink::sign_up`], [`sign_in`](EnchantedLink::sign_in),
/// [`sign_up_or_in`](EnchantedLink::sign_up_or_in) and the updates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnchantedLinkStart {
    /// The number to show the user: the link to click among those sent.
    pub link_id: String,
    /// The reference to collect the session with ([`EnchantedLink::session`],
    /// [`EnchantedLink::wait_for_session`]). Secret: `Debug` redacts it.
    pub pending_ref: PendingRef,
    /// The address the link went to, masked (email delivery; empty otherwise).
    pub masked_email: String,
    /// The number the link went to, masked (SMS delivery; empty otherwise).
    pub masked_phone: String,
}

impl From<EnchantedLinkResponse> for EnchantedLinkStart {
    fn from(response: EnchantedLinkResponse) -> Self {
        Self {
            link_id: response.link_id,
            pending_ref: response.pending_ref,
            masked_email: response.masked_email,
            masked_phone: response.masked_phone,
        }
    }
}

/// How the link is delivered: the last segment of the start paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Email,
    Sms,
}

impl Channel {
    fn segment(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

impl Client {
    /// Enchanted link: sign in by clicking a link on any device; this one polls for the
    /// session.
    pub fn enchanted_link(&self) -> EnchantedLink<'_> {
        EnchantedLink { client: self }
    }
}

impl<'a> EnchantedLink<'a> {
    /// Signs up a new user: emails them a link (`POST /v1/auth/enchantedlink/signup/email`).
    /// `redirect_url` is the page the link opens, which calls [`verify`](Self::verify)
    /// with the link's `t` parameter (empty: the project's configured page).
    pub fn sign_up(
        &self,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> EnchantedLinkSignUp<'a> {
        self.signup(Channel::Email, login_id.into(), redirect_url.into())
    }

    /// [`sign_up`](Self::sign_up), with the link sent by SMS to the login id, a phone
    /// number (`POST /v1/auth/enchantedlink/signup/sms`; the Python SDK's
    /// `sign_up_with_phone`).
    pub fn sign_up_with_phone(
        &self,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> EnchantedLinkSignUp<'a> {
        self.signup(Channel::Sms, login_id.into(), redirect_url.into())
    }

    fn signup(&self, channel: Channel, login_id: String, uri: String) -> EnchantedLinkSignUp<'a> {
        EnchantedLinkSignUp {
            client: self.client,
            channel,
            body: EnchantedLinkSignUpRequest {
                login_id,
                uri,
                ..EnchantedLinkSignUpRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Signs in an existing user: emails them a link
    /// (`POST /v1/auth/enchantedlink/signin/email`).
    pub fn sign_in(
        &self,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> EnchantedLinkSignIn<'a> {
        self.signin(
            "signin",
            Channel::Email,
            login_id.into(),
            redirect_url.into(),
        )
    }

    /// [`sign_in`](Self::sign_in) by SMS (`POST /v1/auth/enchantedlink/signin/sms`).
    pub fn sign_in_with_phone(
        &self,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> EnchantedLinkSignIn<'a> {
        self.signin("signin", Channel::Sms, login_id.into(), redirect_url.into())
    }

    /// Signs the user in, or up when the login id is new
    /// (`POST /v1/auth/enchantedlink/signup-in/email`).
    pub fn sign_up_or_in(
        &self,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> EnchantedLinkSignIn<'a> {
        self.signin(
            "signup-in",
            Channel::Email,
            login_id.into(),
            redirect_url.into(),
        )
    }

    /// [`sign_up_or_in`](Self::sign_up_or_in) by SMS
    /// (`POST /v1/auth/enchantedlink/signup-in/sms`).
    pub fn sign_up_or_in_with_phone(
        &self,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> EnchantedLinkSignIn<'a> {
        self.signin(
            "signup-in",
            Channel::Sms,
            login_id.into(),
            redirect_url.into(),
        )
    }

    fn signin(
        &self,
        action: &'static str,
        channel: Channel,
        login_id: String,
        uri: String,
    ) -> EnchantedLinkSignIn<'a> {
        EnchantedLinkSignIn {
            client: self.client,
            action,
            channel,
            login_id,
            uri,
            provider_id: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Verifies a clicked link: `token` is its `t` query parameter
    /// (`POST /v1/auth/enchantedlink/verify`). Call it from the page the link opens; the
    /// session goes to the device that started the flow. Spends the token: never resent
    /// once it may have reached Descope.
    pub fn verify(&self, token: &EnchantedLinkToken) -> EnchantedLinkVerify<'a> {
        EnchantedLinkVerify {
            client: self.client,
            token: token.clone(),
            call: CallOptions::one_time(),
        }
    }

    /// Asks once for the session of a started flow
    /// (`POST /v1/auth/enchantedlink/pending-session`). Until the link is clicked Descope
    /// answers HTTP 401 `E062503`, which [`Error::is_enchanted_link_pending`] recognizes;
    /// [`wait_for_session`](Self::wait_for_session) polls for you. The session is handed
    /// out once, so this call is never resent once it may have reached Descope.
    pub fn session(&self, pending_ref: &PendingRef) -> EnchantedLinkSession<'a> {
        EnchantedLinkSession::new(self.client, PENDING_SESSION, pending_ref)
    }

    /// Polls for the session until the link is clicked, or until
    /// [`timeout`](WaitForSession::timeout) (default [`DEFAULT_WAIT_TIMEOUT`]) has passed,
    /// which gives an error of kind [`ErrorKind::WaitTimeout`](crate::ErrorKind::WaitTimeout).
    ///
    /// Only "still pending" answers (`E062503`) are waited out; any other error (an
    /// unknown or expired reference, a refused project) ends the wait with that error.
    /// Dropping the future stops the polling.
    pub fn wait_for_session(&self, pending_ref: &PendingRef) -> WaitForSession<'a> {
        WaitForSession::new(self.client, PENDING_SESSION, pending_ref)
    }

    /// Sends a link to a new email address for the signed-in user
    /// (`POST /v1/auth/enchantedlink/update/email`); the click sets it on the user.
    pub fn update_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
        refresh: &RefreshToken,
    ) -> EnchantedLinkUpdateEmail<'a> {
        EnchantedLinkUpdateEmail {
            client: self.client,
            refresh: refresh.clone(),
            body: EnchantedLinkUpdateEmailRequest {
                login_id: login_id.into(),
                email: email.into(),
                ..EnchantedLinkUpdateEmailRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Sends a link by SMS to a new phone number for the signed-in user
    /// (`POST /v1/auth/enchantedlink/update/phone/sms`); the click sets it on the user.
    pub fn update_phone(
        &self,
        login_id: impl Into<String>,
        phone: impl Into<String>,
        refresh: &RefreshToken,
    ) -> EnchantedLinkUpdatePhone<'a> {
        EnchantedLinkUpdatePhone {
            client: self.client,
            refresh: refresh.clone(),
            body: EnchantedLinkUpdatePhoneRequest {
                login_id: login_id.into(),
                phone: phone.into(),
                ..EnchantedLinkUpdatePhoneRequest::default()
            },
            call: CallOptions::new(),
        }
    }
}

async fn start(client: &Client, request: Request<'_>) -> Result<EnchantedLinkStart, Error> {
    let decoded = client
        .pipeline()
        .json::<EnchantedLinkResponse>(request)
        .await?;
    Ok(decoded.value.into())
}

/// An enchanted-link sign-up: [`EnchantedLink::sign_up`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct EnchantedLinkSignUp<'a> {
    client: &'a Client,
    channel: Channel,
    body: EnchantedLinkSignUpRequest,
    call: CallOptions,
}

impl EnchantedLinkSignUp<'_> {
    /// Details of the new user (name, email, phone). Its email (or, by SMS, its phone) is
    /// also sent as the address, as the Python and Go SDKs do.
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.body.user = Some(user);
        self
    }

    /// Sign-up options: custom claims, message template, revoking other sessions.
    pub fn login_options(mut self, options: descope_types::LoginOptions) -> Self {
        self.body.login_options = Some(options);
        self
    }

    /// The messaging provider to send with.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.body.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(mut self) -> Result<EnchantedLinkStart, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let user = self.body.user.as_ref();
        match self.channel {
            Channel::Email => self.body.email = user.and_then(|u| u.email.clone()),
            Channel::Sms => self.body.phone = user.and_then(|u| u.phone.clone()),
        }
        let path = format!("/v1/auth/enchantedlink/signup/{}", self.channel.segment());
        let request =
            Request::post(path, Bearer::Project, &self.body)?.options(self.call.request_options());
        start(self.client, request).await
    }
}

operation!(EnchantedLinkSignUp => EnchantedLinkStart);

/// An enchanted-link sign-in or sign-up-or-in: [`EnchantedLink::sign_in`],
/// [`EnchantedLink::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct EnchantedLinkSignIn<'a> {
    client: &'a Client,
    action: &'static str,
    channel: Channel,
    login_id: String,
    uri: String,
    provider_id: Option<String>,
    login: Login,
    call: CallOptions,
}

impl EnchantedLinkSignIn<'_> {
    /// The messaging provider to send with.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<EnchantedLinkStart, Error> {
        require(&self.login_id, Argument::LoginId)?;
        let (login_options, bearer) = self.login.resolve()?;
        let body = EnchantedLinkSignInRequest {
            login_id: self.login_id.clone(),
            uri: self.uri.clone(),
            login_options: login_options.unwrap_or_default(),
            provider_id: self.provider_id.clone(),
        };
        let path = format!(
            "/v1/auth/enchantedlink/{}/{}",
            self.action,
            self.channel.segment()
        );
        let request = Request::post(path, bearer, &body)?.options(self.call.request_options());
        start(self.client, request).await
    }
}

login_setters!(EnchantedLinkSignIn);
operation!(EnchantedLinkSignIn => EnchantedLinkStart);

/// Verifying a clicked link: [`EnchantedLink::verify`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct EnchantedLinkVerify<'a> {
    client: &'a Client,
    token: EnchantedLinkToken,
    call: CallOptions,
}

impl EnchantedLinkVerify<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(self.token.secret(), Argument::Token)?;
        let body = EnchantedLinkVerifyRequest {
            token: self.token.clone(),
        };
        let request = Request::post("/v1/auth/enchantedlink/verify", Bearer::Project, &body)?
            .options(self.call.request_options());
        self.client.pipeline().send(request).await?;
        Ok(())
    }
}

operation!(EnchantedLinkVerify => ());

/// Where enchanted links are collected.
const PENDING_SESSION: &str = "/v1/auth/enchantedlink/pending-session";

/// One ask for the session at `path`: enchanted link's, or nOTP's
/// (`/v1/auth/notp/pending-session`, whose body has the same single `pendingRef`).
fn session_request<'r>(
    path: &'static str,
    pending_ref: &PendingRef,
    call: &CallOptions,
) -> Result<Request<'r>, Error> {
    require(pending_ref.secret(), Argument::PendingRef)?;
    let body = EnchantedLinkPendingSessionRequest {
        pending_ref: pending_ref.clone(),
    };
    Ok(Request::post(path, Bearer::Project, &body)?.options(call.request_options()))
}

/// One ask for the session: [`EnchantedLink::session`] (and nOTP's
/// [`Notp::session`](crate::Notp::session)).
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct EnchantedLinkSession<'a> {
    client: &'a Client,
    path: &'static str,
    pending_ref: PendingRef,
    call: CallOptions,
}

impl<'a> EnchantedLinkSession<'a> {
    /// One ask at `path`, never resent (the session is handed out once).
    pub(crate) fn new(client: &'a Client, path: &'static str, pending_ref: &PendingRef) -> Self {
        Self {
            client,
            path,
            pending_ref: pending_ref.clone(),
            call: CallOptions::one_time(),
        }
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        let request = session_request(self.path, &self.pending_ref, &self.call)?;
        self.client.authenticate(request, None).await
    }
}

operation!(EnchantedLinkSession => AuthenticationInfo);

/// Whether an answer means "not clicked yet": `E062503`, or a bare 401 without any code
/// (the Python SDK's documented loop polls on every 401).
fn still_pending(error: &Error) -> bool {
    error.is_enchanted_link_pending()
        || error.api_error().is_some_and(|api| {
            api.status == 401 && matches!(&api.code, ErrorCode::Other(code) if code.is_empty())
        })
}

/// Polling for the session until the link is clicked: [`EnchantedLink::wait_for_session`]
/// (and nOTP's [`Notp::wait_for_session`](crate::Notp::wait_for_session), until the
/// WhatsApp message is sent).
///
/// The interval starts at [`poll_interval`](Self::poll_interval) and grows by half after
/// each pending answer, up to four times it. Polls are spaced with `tokio::time::sleep`;
/// dropping the future stops them.
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct WaitForSession<'a> {
    client: &'a Client,
    path: &'static str,
    pending_ref: PendingRef,
    timeout: Duration,
    poll_interval: Duration,
}

impl<'a> WaitForSession<'a> {
    /// Polls `path` with the defaults.
    pub(crate) fn new(client: &'a Client, path: &'static str, pending_ref: &PendingRef) -> Self {
        Self {
            client,
            path,
            pending_ref: pending_ref.clone(),
            timeout: DEFAULT_WAIT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// How long to wait in all (default [`DEFAULT_WAIT_TIMEOUT`]). A poll under way at the
    /// deadline is let finish (it may carry the session, which Descope hands out once).
    pub fn timeout(mut self, total: Duration) -> Self {
        self.timeout = total;
        self
    }

    /// The first interval between two polls (default [`DEFAULT_POLL_INTERVAL`]).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Polls until the session is ready, a real error, or the deadline.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(self.pending_ref.secret(), Argument::PendingRef)?;
        let started = tokio::time::Instant::now();
        let deadline = started + self.timeout;
        // A zero interval would poll in a tight loop: keep a floor.
        let first = self.poll_interval.max(Duration::from_millis(10));
        let ceiling = first.saturating_mul(4);
        let mut interval = first;
        let call = CallOptions::one_time();
        loop {
            let request = session_request(self.path, &self.pending_ref, &call)?;
            match self.client.authenticate(request, None).await {
                Ok(info) => return Ok(info),
                Err(error) if still_pending(&error) => {}
                Err(error) => return Err(error),
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::wait_timeout(now - started));
            }
            tracing::debug!(
                interval_ms = interval.as_millis() as u64,
                "session still pending"
            );
            tokio::time::sleep_until((now + interval).min(deadline)).await;
            interval = interval.mul_f32(1.5).min(ceiling);
        }
    }
}

impl<'a> IntoFuture for WaitForSession<'a> {
    type Output = Result<AuthenticationInfo, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `redirect_url` of the two address updates.
macro_rules! link_redirect_setter {
    ($builder:ident) => {
        impl $builder<'_> {
            /// The page the link opens (default: the project's configured page).
            pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
                self.body.uri = Some(url.into());
                self
            }
        }
    };
}

/// Sending a link to a new email address: [`EnchantedLink::update_email`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct EnchantedLinkUpdateEmail<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    body: EnchantedLinkUpdateEmailRequest,
    call: CallOptions,
}

address_update_setters!(EnchantedLinkUpdateEmail, mfa);
link_redirect_setter!(EnchantedLinkUpdateEmail);

impl EnchantedLinkUpdateEmail<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<EnchantedLinkStart, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.email, Argument::Email)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let request = Request::post(
            "/v1/auth/enchantedlink/update/email",
            Bearer::Refresh(self.refresh.secret()),
            &self.body,
        )?
        .options(self.call.request_options());
        start(self.client, request).await
    }
}

operation!(EnchantedLinkUpdateEmail => EnchantedLinkStart);

/// Sending a link to a new phone number: [`EnchantedLink::update_phone`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct EnchantedLinkUpdatePhone<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    body: EnchantedLinkUpdatePhoneRequest,
    call: CallOptions,
}

address_update_setters!(EnchantedLinkUpdatePhone);
link_redirect_setter!(EnchantedLinkUpdatePhone);

impl EnchantedLinkUpdatePhone<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<EnchantedLinkStart, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.phone, Argument::Phone)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let request = Request::post(
            "/v1/auth/enchantedlink/update/phone/sms",
            Bearer::Refresh(self.refresh.secret()),
            &self.body,
        )?
        .options(self.call.request_options());
        start(self.client, request).await
    }
}

operation!(EnchantedLinkUpdatePhone => EnchantedLinkStart);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_debug_redacts_the_pending_ref() {
        let start = EnchantedLinkStart::from(EnchantedLinkResponse {
            link_id: "42".into(),
            pending_ref: PendingRef::new("pref-secret"),
            masked_email: "a***@example.com".into(),
            masked_phone: String::new(),
        });
        let debug = format!("{start:?}");
        assert!(!debug.contains("pref-secret"), "{debug}");
        assert!(debug.contains("42"), "{debug}");
    }
}
