//! axum/tower integration for Descope: a session layer, extractors for the required or
//! optional session, role/permission/tenant guards, and ready login and logout routes.
//!
//! The [layer](Descope::layer) takes the session JWT from `Authorization: Bearer` or the
//! `DS` cookie and the refresh JWT from the `DSR` cookie, validates locally (the flows
//! client's cached keys), and when the session has expired refreshes it and sets new
//! `DS`/`DSR` cookies (`HttpOnly`, `SameSite=Strict`, `Secure` unless turned off; path and
//! domain from Descope's answer) on the response. Handlers take [`Authenticated`] (401 with
//! a JSON error when there is no valid session), `Option<Authenticated>`, or
//! [`Guarded<R>`](Guarded) (403 when a [`Requirement`] fails); [`Guard`] does the same as a
//! `route_layer`. [`Descope::routes`] adds OAuth/SSO start and callback and logout.
//!
//! ```
//! use axum::{Router, routing::get};
//! use descope_axum::{Authenticated, Descope};
//! use tower::ServiceExt;
//!
//! async fn me(session: Authenticated) -> String {
//!     format!("hello {}", session.user_id())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = descope_flows::Client::builder("P2abc").build()?;
//! let descope = Descope::new(client);
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .layer(descope.layer());
//!
//! // No token: 401 with a JSON error, before any request to Descope.
//! let request = http::Request::get("/me").body(axum::body::Body::empty())?;
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), 401);
//! # Ok(()) }
//! ```
//!
//! See `docs/axum.md` for the login routes, cookies and security notes.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod config;
mod cookies;
mod error;
mod extract;
mod guard;
mod layer;
mod routes;

pub use config::{Descope, DescopeBuilder};
pub use error::{Error, ErrorKind};
pub use extract::{Authenticated, Guarded, Requirement};
pub use guard::{Guard, GuardService};
pub use layer::{SessionLayer, SessionService};

// The guide in docs/ is compiled (and its runnable blocks run) as doctests here.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../../../docs/axum.md")]
    mod axum {}
}
