//! nOTP ("no OTP") over WhatsApp: the start call answers a link (and the same link as a QR
//! code) that opens WhatsApp with a message ready to send to the project's number. Once the
//! user sends it, the device that started the flow collects the session with the pending
//! reference: [`session`](Notp::session) once, or [`wait_for_session`](Notp::wait_for_session),
//! which polls exactly as the enchanted link's does. Only the Node SDK has these calls.

use descope_types::{NotpResponse, NotpSignInRequest, NotpSignUpRequest, PendingRef, SignUpUser};

use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::enchantedlink::{EnchantedLinkSession, WaitForSession};
use crate::error::{Argument, Error};
use crate::login::{Login, login_setters};
use crate::pipeline::{Bearer, Request, require};

/// Where nOTP sessions are collected.
const PENDING_SESSION: &str = "/v1/auth/notp/pending-session";

/// nOTP flows of a [`Client`]; see [`Client::notp`].
#[derive(Debug, Clone, Copy)]
pub struct Notp<'a> {
    client: &'a Client,
}

/// What a start call returns: from [`Notp::sign_up`], [`sign_in`](Notp::sign_in) and
/// [`sign_up_or_in`](Notp::sign_up_or_in).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotpStart {
    /// The reference to collect the session with ([`Notp::session`],
    /// [`Notp::wait_for_session`]). Secret: `Debug` redacts it.
    pub pending_ref: PendingRef,
    /// The link that opens WhatsApp with the message to send: show it on a phone.
    pub redirect_url: String,
    /// The same link as a QR code image (base64 PNG): show it on a desktop.
    pub image: String,
}

impl From<NotpResponse> for NotpStart {
    fn from(response: NotpResponse) -> Self {
        Self {
            pending_ref: response.pending_ref,
            redirect_url: response.redirect_url,
            image: response.image,
        }
    }
}

impl Client {
    /// nOTP: sign in by sending a WhatsApp message; this device polls for the session.
    pub fn notp(&self) -> Notp<'_> {
        Notp { client: self }
    }
}

impl<'a> Notp<'a> {
    /// Signs up a new user (`POST /v1/auth/notp/whatsapp/signup`); `login_id` is their
    /// phone number.
    pub fn sign_up(&self, login_id: impl Into<String>) -> NotpSignUp<'a> {
        NotpSignUp {
            client: self.client,
            body: NotpSignUpRequest {
                login_id: login_id.into(),
                ..NotpSignUpRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Signs in an existing user (`POST /v1/auth/notp/whatsapp/signin`).
    pub fn sign_in(&self, login_id: impl Into<String>) -> NotpSignIn<'a> {
        self.signin("signin", login_id.into())
    }

    /// Signs the user in, or up when the login id is new
    /// (`POST /v1/auth/notp/whatsapp/signup-in`).
    pub fn sign_up_or_in(&self, login_id: impl Into<String>) -> NotpSignIn<'a> {
        self.signin("signup-in", login_id.into())
    }

    fn signin(&self, action: &'static str, login_id: String) -> NotpSignIn<'a> {
        NotpSignIn {
            client: self.client,
            action,
            login_id,
            provider_id: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Asks once for the session of a started flow (`POST /v1/auth/notp/pending-session`).
    /// Until the message is sent the answer is pending (HTTP 401, recognized by
    /// [`Error::is_enchanted_link_pending`]); [`wait_for_session`](Self::wait_for_session)
    /// polls for you. The session is handed out once, so this call is never resent once it
    /// may have reached Descope.
    pub fn session(&self, pending_ref: &PendingRef) -> EnchantedLinkSession<'a> {
        EnchantedLinkSession::new(self.client, PENDING_SESSION, pending_ref)
    }

    /// Polls for the session until the message is sent, or until
    /// [`timeout`](WaitForSession::timeout) has passed (an error of kind
    /// [`ErrorKind::WaitTimeout`](crate::ErrorKind::WaitTimeout)); the same polling as
    /// [`EnchantedLink::wait_for_session`](crate::EnchantedLink::wait_for_session).
    pub fn wait_for_session(&self, pending_ref: &PendingRef) -> WaitForSession<'a> {
        WaitForSession::new(self.client, PENDING_SESSION, pending_ref)
    }
}

async fn start(client: &Client, request: Request<'_>) -> Result<NotpStart, Error> {
    let decoded = client.pipeline().json::<NotpResponse>(request).await?;
    Ok(decoded.value.into())
}

/// An nOTP sign-up: [`Notp::sign_up`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct NotpSignUp<'a> {
    client: &'a Client,
    body: NotpSignUpRequest,
    call: CallOptions,
}

impl NotpSignUp<'_> {
    /// Details of the new user (name, email...).
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.body.user = Some(user);
        self
    }

    /// Sign-up options: custom claims, revoking other sessions...
    pub fn login_options(mut self, options: descope_types::LoginOptions) -> Self {
        self.body.login_options = options;
        self
    }

    /// The messaging provider to use.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.body.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<NotpStart, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let request = Request::post("/v1/auth/notp/whatsapp/signup", Bearer::Project, &self.body)?
            .options(self.call.request_options());
        start(self.client, request).await
    }
}

operation!(NotpSignUp => NotpStart);

/// An nOTP sign-in or sign-up-or-in: [`Notp::sign_in`], [`Notp::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct NotpSignIn<'a> {
    client: &'a Client,
    action: &'static str,
    login_id: String,
    provider_id: Option<String>,
    login: Login,
    call: CallOptions,
}

impl NotpSignIn<'_> {
    /// The messaging provider to use.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<NotpStart, Error> {
        require(&self.login_id, Argument::LoginId)?;
        let (login_options, bearer) = self.login.resolve()?;
        let body = NotpSignInRequest {
            login_id: self.login_id.clone(),
            login_options: login_options.unwrap_or_default(),
            provider_id: self.provider_id.clone(),
        };
        let path = format!("/v1/auth/notp/whatsapp/{}", self.action);
        let request = Request::post(path, bearer, &body)?.options(self.call.request_options());
        start(self.client, request).await
    }
}

login_setters!(NotpSignIn);
operation!(NotpSignIn => NotpStart);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_debug_redacts_the_pending_ref() {
        let start = NotpStart::from(NotpResponse {
            pending_ref: PendingRef::new("pref-secret"),
            redirect_url: "https://wa.me/1".into(),
            image: String::new(),
        });
        let debug = format!("{start:?}");
        assert!(!debug.contains("pref-secret"), "{debug}");
        assert!(debug.contains("wa.me"), "{debug}");
    }
}
