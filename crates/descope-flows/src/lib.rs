//! The Descope client: OAuth (web and native), SSO/SAML, TOTP and session management, with
//! local session-JWT validation.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod clock;
mod error;
mod jwks;
mod session;
mod validation;

pub use clock::{Clock, SystemClock};
pub use error::{ApiError, DecodeError, Error, ErrorKind, TokenErrorReason};
pub use jwks::{KeySource, SigningAlgorithm};
pub use session::{RefreshSession, Session};
pub use validation::{SessionValidator, ValidationConfig};
