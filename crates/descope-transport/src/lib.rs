//! A pluggable async HTTP transport for the Descope SDK.
//!
//! One object-safe trait, [`Transport`], over the `http` crate's types: the client stores an
//! `Arc<dyn Transport>`, so swapping reqwest for hyper, or for your own client with proxies,
//! custom CAs or a shared pool, never changes a signature.
//!
//! ```
//! use bytes::Bytes;
//! use descope_transport::{Transport, from_fn};
//!
//! # async fn demo() -> Result<(), descope_transport::TransportError> {
//! // A test fake in one line.
//! let fake = from_fn(|_req| async { Ok(http::Response::new(Bytes::from_static(b"{}"))) });
//! let response = fake.send(http::Request::new(Bytes::new())).await?;
//! assert_eq!(response.body().as_ref(), b"{}");
//! # Ok(()) }
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;

mod error;

pub use error::{TransportError, TransportErrorKind};

/// Sends one HTTP request and returns the whole response.
///
/// Implementations must not follow redirects: an auth client hands a 3xx back to its caller.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends `request` and reads the whole response body.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
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
