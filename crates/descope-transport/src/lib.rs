//! A pluggable async HTTP transport for the Descope SDK.
//!
//! One object-safe trait, [`Transport`], over the `http` crate's types: the client stores an
//! `Arc<dyn Transport>`, so swapping reqwest for hyper, or for your own client with proxies,
//! custom CAs or a shared pool, never changes a signature.
//!
//! - Backends, behind additive features: [`ReqwestTransport`] (feature `reqwest`, default)
//!   and [`HyperTransport`] (feature `hyper`). Both use rustls; neither follows redirects.
//! - [`Policy`] wraps any transport with a per-attempt timeout, a response body cap and the
//!   official SDKs' retry policy, so every backend behaves the same under faults.
//!   [`retry_after`] reads a 429's `Retry-After`.
//! - [`from_fn`] turns an async closure into a transport; with the `test-util` feature,
//!   `CapturingTransport` records requests for snapshots.
//!
//! ```
//! use bytes::Bytes;
//! use descope_transport::{Policy, Transport, from_fn};
//!
//! # async fn demo() -> Result<(), descope_transport::TransportError> {
//! // A test fake in one line.
//! let fake = from_fn(|_req| async { Ok(http::Response::new(Bytes::from_static(b"{}"))) });
//! let response = fake.send(http::Request::new(Bytes::new())).await?;
//! assert_eq!(response.body().as_ref(), b"{}");
//!
//! // Any transport, with timeouts, a body cap and retries.
//! let resilient = Policy::default().wrap(fake);
//! let response = resilient.send(http::Request::new(Bytes::new())).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

mod body;
#[cfg(feature = "test-util")]
mod capture;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod classify;
mod deadline;
mod error;
#[cfg(feature = "hyper")]
mod hyper_backend;
mod options;
mod policy;
#[cfg(feature = "reqwest")]
mod reqwest_backend;
mod resend;

pub use body::{BodyCollector, BodyLimit, DEFAULT_MAX_BODY_BYTES};
#[cfg(feature = "test-util")]
pub use capture::{CapturedRequest, CapturingTransport};
pub use error::{TransportError, TransportErrorKind};
#[cfg(feature = "hyper")]
pub use hyper_backend::HyperTransport;
pub use options::{RequestOptions, Resend};
pub use policy::{DEFAULT_TIMEOUT, Policy, PolicyTransport, RetryPolicy, retry_after};
#[cfg(feature = "reqwest")]
pub use reqwest_backend::ReqwestTransport;

/// How long the built-in backends wait for a TCP (and TLS) connection by default.
pub const DEFAULT_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The default backend, unwrapped: reqwest when its feature is on, else hyper. The one
/// place the default is chosen; wrap it in a [`Policy`] (as [`default_transport`] does).
#[cfg(any(feature = "reqwest", feature = "hyper"))]
pub fn default_backend() -> Result<Arc<dyn Transport>, TransportError> {
    #[cfg(feature = "reqwest")]
    let backend = ReqwestTransport::new()?;
    #[cfg(not(feature = "reqwest"))]
    let backend = HyperTransport::new()?;
    Ok(Arc::new(backend))
}

/// The default backend wrapped in the default [`Policy`], ready to share: reqwest when its
/// feature is on, else hyper.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
pub fn default_transport() -> Result<Arc<dyn Transport>, TransportError> {
    Ok(Arc::new(Policy::default().wrap(default_backend()?)))
}

/// Sends one HTTP request and returns the whole response.
///
/// Implementations must not follow redirects: an auth client hands a 3xx back to its caller.
/// They should honour the request's [`BodyLimit`] while reading (see [`BodyCollector`]) and
/// report failures with [`TransportError::with_may_have_been_sent`]`(false)` only when the
/// request provably never left (connection refused, DNS, TLS): that is what makes resending
/// safe.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends `request` and reads the whole response body.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

/// What `#[async_trait]` makes of `send`'s return type.
pub(crate) type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'a>>;

// `Arc` and `Box` hand out the inner future as is: an `async fn` here would box a second
// future around it on every request.
impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Bytes>,
    ) -> SendFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Bytes>,
    ) -> SendFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        (**self).send(request)
    }
}

/// A [`Transport`] made from an async closure; see [`from_fn`].
#[derive(Clone)]
pub struct FnTransport<F> {
    f: F,
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

/// Makes a [`Transport`] from an async closure: handy as a test fake.
pub fn from_fn<F, Fut>(f: F) -> FnTransport<F>
where
    F: Fn(http::Request<Bytes>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'static,
{
    FnTransport { f }
}

#[async_trait::async_trait]
impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(http::Request<Bytes>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'static,
{
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (self.f)(request).await
    }
}

// docs/transport.md is compiled (and its runnable blocks run) as doctests here.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/transport.md")]
mod transport_guide {}
