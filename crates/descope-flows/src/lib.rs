//! The Descope client: OAuth (web and native), SSO/SAML, TOTP and session management, with
//! local session-JWT validation.
//!
//! Build one [`Client`] per project and share it (it is an `Arc` inside). The flows hang off
//! it: [`Client::oauth`], [`Client::sso`], [`Client::saml`], [`Client::totp`], and the session
//! calls ([`Client::validate_session`], [`Client::refresh`], [`Client::logout`],
//! [`Client::select_tenant`], ...). Every call that signs a user in returns an
//! [`AuthenticationInfo`] whose session and refresh tokens were validated locally against
//! the project's keys (`GET /v2/keys/{projectId}`, cached).
//!
//! Requests go through any [`descope_transport::Transport`], wrapped in the transport's
//! [`Policy`](descope_transport::Policy) (timeouts, body cap, the official SDKs' retries);
//! the default is the reqwest backend (feature `reqwest`).
//!
//! ```
//! use bytes::Bytes;
//! use descope_flows::{Client, ErrorKind, TokenErrorReason};
//! use descope_transport::from_fn;
//! use descope_types::{LoginOptions, OAuthStartParams, SessionToken};
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
//! let mut params = OAuthStartParams::new("google");
//! params.redirect_url = Some("https://app.example.com/callback".into());
//! let url = client.oauth().start(&params, None, None).await?;
//! assert_eq!(url, "https://accounts.example/authorize");
//!
//! // Step-up needs the refresh token: refused before any request.
//! let error = client.oauth().start(&params, Some(&LoginOptions::stepup()), None).await;
//! assert_eq!(error.unwrap_err().kind(), ErrorKind::InvalidArgument);
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
mod client;
mod clock;
mod config;
mod error;
mod jwks;
mod keys;
mod oauth;
mod session;
mod sessions;
mod sso;
mod totp;
mod validation;

pub use auth_info::{AuthenticationInfo, CookieData, REFRESH_COOKIE_NAME, SESSION_COOKIE_NAME};
pub use client::{Client, SDK_NAME, SDK_VERSION};
pub use clock::{Clock, SystemClock};
pub use config::{ClientBuilder, DEFAULT_BASE_URL, DEFAULT_LEEWAY, base_url_for_project_id};
pub use error::{ApiError, DecodeError, Error, ErrorKind, TokenErrorReason};
pub use jwks::{KeySource, SigningAlgorithm};
pub use oauth::OAuth;
pub use session::{RefreshSession, Session};
pub use sessions::{AccessKeyInfo, SessionStatus, TenantSelection};
pub use sso::Sso;
pub use totp::{Totp, TotpEnrollment};
pub use validation::{SessionValidator, ValidationConfig};
