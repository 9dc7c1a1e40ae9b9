//! The Descope client: OAuth (web and native), SSO/SAML, TOTP and session management, with
//! local session-JWT validation.
//!
//! Build one [`Client`] per project and share it (it is an `Arc` inside). The flows hang off
//! it: [`Client::oauth`], [`Client::sso`], [`Client::saml`], [`Client::totp`], and the session
//! calls ([`Client::validate_session`], [`Client::refresh`], [`Client::logout`],
//! [`Client::select_tenant`], ...). Every call is a builder: required inputs are the
//! method's arguments, options are chained setters (including a per-call `.timeout(..)` and
//! `.retries(..)`), and `.send().await`, or `.await` on the builder, runs it. Every call that
//! signs a user in returns an
//! [`AuthenticationInfo`] whose session and refresh tokens were validated locally against
//! the project's keys (`GET /v2/keys/{projectId}`, cached).
//!
//! Requests go through any [`descope_transport::Transport`], wrapped in the transport's
//! [`Policy`](descope_transport::Policy) (timeouts, body cap, the official SDKs' retries);
//! the default is the reqwest backend (feature `reqwest`).
//!
//! ```
//! use bytes::Bytes;
//! use descope_flows::{Argument, Client, TokenErrorReason};
//! use descope_transport::from_fn;
//! use descope_types::{LoginOptions, SessionToken};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), descope_flows::Error> {
//! // A stand-in for Descope: answers the start call, and an empty key set.
//! let fake = from_fn(|request: http::Request<Bytes>| async move {
//!     let body = match request.uri().path() {
//!         "/v1/auth/oauth/authorize" => r#"{"url":"https://accounts.example/authorize"}"#,
//!         _ => r#"{"keys":[]}"#,
//!     };
//!     Ok(http::Response::new(Bytes::from(body)))
//! });
//! let client = Client::builder("P2abc").transport(fake).build()?;
//!
//! // One builder per call: required inputs as arguments, options as setters.
//! let url = client
//!     .oauth()
//!     .start("google")
//!     .redirect_url("https://app.example.com/callback")
//!     .await?;
//! assert_eq!(url.as_str(), "https://accounts.example/authorize");
//!
//! // Step-up takes the refresh token (`.step_up(&refresh)`); options that ask for it
//! // without one are refused before any request, naming the argument.
//! let error = client.oauth().start("google").login_options(LoginOptions::stepup()).await;
//! assert_eq!(error.unwrap_err().invalid_argument(), Some(Argument::RefreshToken));
//!
//! // Session tokens are validated locally, with a precise reason on failure.
//! let error = client.validate_session(&SessionToken::new("not.a.jwt")).await.unwrap_err();
//! assert_eq!(error.token_reason(), Some(TokenErrorReason::Malformed));
//! # Ok(()) }
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod auth_info;
mod call;
mod client;
mod config;
mod enchantedlink;
mod error;
mod jwks;
mod keys;
mod login;
mod magiclink;
#[cfg(feature = "management")]
pub mod management;
mod notp;
mod oauth;
mod onetap;
mod otp;
mod password;
mod pipeline;
mod redirect;
mod session;
mod sessions;
mod sso;
mod totp;
mod validation;
mod webauthn;

pub use auth_info::{AuthenticationInfo, CookieData, REFRESH_COOKIE_NAME, SESSION_COOKIE_NAME};
pub use client::Client;
pub use config::ClientBuilder;
pub use descope_types::{Clock, DEFAULT_BASE_URL, ProjectId, SystemClock};
pub use enchantedlink::{
    DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, EnchantedLink, EnchantedLinkSession,
    EnchantedLinkSignIn, EnchantedLinkSignUp, EnchantedLinkStart, EnchantedLinkUpdateEmail,
    EnchantedLinkUpdatePhone, EnchantedLinkVerify, WaitForSession,
};
pub use error::{ApiError, Argument, DecodeError, Error, ErrorKind, TokenErrorReason};
pub use jwks::{KeySource, SigningAlgorithm};
pub use magiclink::{
    MagicLink, MagicLinkSignIn, MagicLinkSignUp, MagicLinkSignUpOrIn, MagicLinkUpdateEmail,
    MagicLinkUpdatePhone, MagicLinkVerify,
};
#[cfg(feature = "management")]
pub use management::Management;
pub use notp::{Notp, NotpSignIn, NotpSignUp, NotpStart};
pub use oauth::{NativeFinish, NativeStart, OAuth, OAuthStart};
pub use onetap::{OneTapClientId, OneTapExchange, OneTapVerify};
pub use otp::{
    Otp, OtpSent, OtpSignIn, OtpSignUp, OtpSignUpOrIn, OtpUpdateEmail, OtpUpdatePhone, OtpVerify,
};
pub use password::{
    PasswordPolicyQuery, PasswordReplace, PasswordSendReset, PasswordSignIn, PasswordSignUp,
    PasswordUpdate, Passwords,
};
pub use pipeline::{SDK_NAME, SDK_VERSION};
pub use redirect::CodeExchange;
pub use session::{RefreshSession, Session};
pub use sessions::{
    AccessKeyExchange, AccessKeyInfo, History, Logout, Me, MyTenants, Refresh, SelectTenant,
    SessionStatus, ValidateAndRefresh,
};
pub use sso::{Sso, SsoStart};
pub use totp::{Totp, TotpEnrollment, TotpSignUp, TotpUpdate, TotpVerify};
pub use url::Url;
pub use validation::{
    DEFAULT_KEY_REFETCH_INTERVAL, DEFAULT_LEEWAY, DEFAULT_TOKEN_CACHE_CAPACITY, SessionValidator,
    ValidationConfig,
};
pub use webauthn::{
    WebAuthn, WebAuthnFinish, WebAuthnSignInStart, WebAuthnSignUpStart, WebAuthnStart,
    WebAuthnUpdateFinish, WebAuthnUpdateStart,
};
