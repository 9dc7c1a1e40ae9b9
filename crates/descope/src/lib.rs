//! Rust SDK for [Descope](https://www.descope.com) authentication: one dependency for the
//! client ([`Client`]), the wire types ([`types`]) and the HTTP transports ([`transport`]).
//!
//! Flows: OAuth (web redirect and native), SSO and legacy SAML, TOTP, and sessions
//! (local session-JWT validation against the project's keys, refresh, logout, tenant
//! selection, access keys). Every call that signs a user in returns an
//! [`AuthenticationInfo`] whose session and refresh tokens were validated locally.
//!
//! Every operation is a builder: required inputs are the method's arguments, options are
//! chained setters, and `.await` (or `.send().await`) runs it.
//!
//! ```no_run
//! use descope::{Client, types::ExchangeCode};
//!
//! # async fn demo() -> Result<(), descope::Error> {
//! // DESCOPE_PROJECT_ID (and optionally DESCOPE_BASE_URL) from the environment.
//! let client = Client::from_env()?;
//!
//! // 1. Send the browser to the provider.
//! let url = client
//!     .oauth()
//!     .start("google")
//!     .redirect_url("https://app.example.com/callback")
//!     .await?;
//! # let _ = url;
//!
//! // 2. The provider redirects back with `?code=...`: exchange it.
//! let info = client.oauth().exchange(&ExchangeCode::new("code-from-query")).await?;
//! println!("signed in: {}", info.session.user_id());
//!
//! // 3. On later requests, validate the session token locally (no request once the
//! //    project's keys are cached).
//! let session = client.validate_session(info.session_token()).await?;
//! println!("still signed in: {}", session.user_id());
//! # Ok(()) }
//! ```
//!
//! Any [`Transport`](transport::Transport) can carry the requests; this one answers
//! locally, which also shows the typed errors:
//!
//! ```
//! use std::time::Duration;
//! use bytes::Bytes;
//! use descope::{Argument, Client, ErrorKind, transport::from_fn, types::TotpCode};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), descope::Error> {
//! let fake = from_fn(|request: http::Request<Bytes>| async move {
//!     assert_eq!(request.headers()["x-descope-sdk-name"], "rust");
//!     let body = r#"{"url":"https://accounts.example/authorize?state=1"}"#;
//!     Ok(http::Response::new(Bytes::from(body)))
//! });
//! let client = Client::builder("P2abc").transport(fake).build()?;
//!
//! // A per-call timeout overrides the client's policy for this call only.
//! let url = client.oauth().start("google").timeout(Duration::from_secs(5)).await?;
//! assert_eq!(url.as_str(), "https://accounts.example/authorize?state=1");
//!
//! // Bad input is rejected before any request, with a typed error naming the argument.
//! let error = client.totp().verify("ada@example.com", &TotpCode::new("")).await.unwrap_err();
//! assert_eq!(error.kind(), ErrorKind::InvalidArgument);
//! assert_eq!(error.invalid_argument(), Some(Argument::Code));
//! assert!(!error.may_have_been_sent());
//! # Ok(()) }
//! ```
//!
//! The guides in the repository's `docs/` (getting started, OAuth, native OAuth, SSO, TOTP,
//! sessions) walk through each flow; their code is compiled, and run where it needs no
//! network, as doctests of this crate.
//!
//! Features: `reqwest` (default) uses descope-transport's reqwest backend as the default
//! transport; `hyper` also builds the hyper backend, `transport::HyperTransport`, to pass to
//! [`ClientBuilder::transport`]; `management` adds the management API
//! (`Client::management()`, authorized by a management key; see `docs/management.md`).

pub use descope_flows::*;
/// The HTTP transport: the [`Transport`](transport::Transport) trait, backends, retry policy.
pub use descope_transport as transport;
/// The wire types of the Descope API (requests, responses, users, claims, secrets).
pub use descope_types as types;

// The guides in docs/ and this crate's README are compiled (and their runnable blocks run)
// as doctests here.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../../../docs/oauth.md")]
    mod oauth {}
    #[doc = include_str!("../../../docs/native-oauth.md")]
    mod native_oauth {}
    #[doc = include_str!("../../../docs/sso.md")]
    mod sso {}
    #[doc = include_str!("../../../docs/totp.md")]
    mod totp {}
    #[doc = include_str!("../../../docs/enchanted-link.md")]
    mod enchanted_link {}
    #[doc = include_str!("../../../docs/notp.md")]
    mod notp {}
    #[doc = include_str!("../../../docs/otp.md")]
    mod otp {}
    #[doc = include_str!("../../../docs/magic-link.md")]
    mod magic_link {}
    #[doc = include_str!("../../../docs/password.md")]
    mod password {}
    #[doc = include_str!("../../../docs/passkeys.md")]
    mod passkeys {}
    #[doc = include_str!("../../../docs/sessions.md")]
    mod sessions {}
    #[doc = include_str!("../../../docs/getting-started.md")]
    mod getting_started {}
    #[doc = include_str!("../README.md")]
    mod readme {}
    #[cfg(feature = "management")]
    #[doc = include_str!("../../../docs/management.md")]
    mod management {}
}
