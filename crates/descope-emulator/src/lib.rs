//! A local emulator of Descope's authentication API, for tests, demos and offline
//! development: OAuth (web and native), SSO/SAML, TOTP, sessions (refresh, logout, me,
//! tenants, history), access keys and JWKS, with RS256 tokens and a control API under
//! `/emulator/` (reset, users, key rotation, clock offset, fault injection, request counts)
//! guarded against web pages (loopback `Host`, no cross-site callers, JSON bodies).
//!
//! Descope's official SDKs work against it unchanged when pointed at
//! [`Emulator::base_url`]. See `docs/emulator.md` for the redirect-chain contract, the
//! control API, the config file format and the differences from Descope's service.
//!
//! ```
//! use descope_emulator::{Emulator, EmulatorConfig};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
//!
//! // Any plain HTTP client works; here a raw HTTP/1.1 GET of the JWKS.
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! let address = emulator.base_url().trim_start_matches("http://");
//! let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
//! let request = format!(
//!     "GET /v2/keys/{} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n",
//!     emulator.project_id()
//! );
//! socket.write_all(request.as_bytes()).await.unwrap();
//! let mut answer = String::new();
//! socket.read_to_string(&mut answer).await.unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200"));
//! assert!(answer.contains(r#""alg":"RS256""#));
//!
//! emulator.shutdown().await;
//! # });
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod api_error;
mod app;
mod authenticator;
mod bearer;
mod clock;
mod config;
mod conn;
mod console;
mod counter;
mod error;
mod extract;
mod faults;
mod guard;
mod handlers;
mod jwt;
mod keys;
mod project;
mod projects;
mod qr;
mod random;
mod ratelimit;
mod server;
mod totp;

pub use authenticator::SoftAuthenticator;
pub use config::{
    DEFAULT_PROJECT_ID, DEMO_MANAGEMENT_KEY, EmulatorConfig, RateLimit, Seed, SeedAccessKey,
    SeedManagementKey, SeedRole, SeedTenant, SeedUser, SeedUserTenant, WebAuthnConfig,
};
pub use error::{EmulatorError, EmulatorErrorKind};
pub use keys::SigningKey;
pub use server::Emulator;

// docs/emulator.md is compiled (and its runnable blocks run) as doctests here.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/emulator.md")]
mod emulator_guide {}
