//! Rust SDK for [Descope](https://www.descope.com) authentication: one dependency for the
//! client ([`Client`]), the wire types ([`types`]) and the HTTP transports ([`transport`]).
//!
//! Flows: OAuth (web redirect and native), SSO and legacy SAML, TOTP, and sessions
//! (local session-JWT validation against the project's keys, refresh, logout, tenant
//! selection, access keys). Every call that signs a user in returns an
//! [`AuthenticationInfo`] whose session and refresh tokens were validated locally.
//!
//! ```no_run
//! use descope::{Client, types::{ExchangeCode, OAuthStartParams}};
//!
//! # async fn demo() -> Result<(), descope::Error> {
//! // DESCOPE_PROJECT_ID (and optionally DESCOPE_BASE_URL) from the environment.
//! let client = Client::from_env()?;
//!
//! // 1. Send the browser to the provider.
//! let mut params = OAuthStartParams::new("google");
//! params.redirect_url = Some("https://app.example.com/callback".into());
//! let url = client.oauth().start(&params, None, None).await?;
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
//! use bytes::Bytes;
//! use descope::{Client, ErrorKind, transport::from_fn, types::{OAuthStartParams, TotpCode}};
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
//! let url = client.oauth().start(&OAuthStartParams::new("google"), None, None).await?;
//! assert_eq!(url, "https://accounts.example/authorize?state=1");
//!
//! // Bad input is rejected before any request, with a typed error.
//! let error = client.totp().verify("ada@example.com", &TotpCode::new(""), None, None).await;
//! assert_eq!(error.unwrap_err().kind(), ErrorKind::InvalidArgument);
//! # Ok(()) }
//! ```
//!
//! The guides in the repository's `docs/` (OAuth, native OAuth, SSO, TOTP, sessions) walk
//! through each flow; their code is compiled as examples of `descope-flows`.
//!
//! Features: `reqwest` (default) uses descope-transport's reqwest backend as the default
//! transport; `hyper` enables the hyper backend ([`transport::HyperTransport`]), to pass to
//! [`ClientBuilder::transport`].

pub use descope_flows::*;
/// The HTTP transport: the [`Transport`](transport::Transport) trait, backends, retry policy.
pub use descope_transport as transport;
/// The wire types of the Descope API (requests, responses, users, claims, secrets).
pub use descope_types as types;

// The guides in docs/ are compiled (and their runnable blocks run) as doctests here.
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
    #[doc = include_str!("../../../docs/sessions.md")]
    mod sessions {}
    #[doc = include_str!("../../../docs/getting-started.md")]
    mod getting_started {}
}
