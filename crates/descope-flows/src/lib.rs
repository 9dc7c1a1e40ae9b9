//! The Descope client: OAuth (web and native), SSO/SAML, TOTP and session management, with
//! local session-JWT validation.
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
