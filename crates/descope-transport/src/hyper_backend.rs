//! The hyper backend.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Uri;
use http_body_util::Full;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::{BodyLimit, read_body};
use crate::classify::{check_uri, exchange_kind};
use crate::{DEFAULT_CONNECT_TIMEOUT, SendFuture, Transport, TransportError, TransportErrorKind};

type SendFn = dyn Fn(http::Request<Full<Bytes>>) -> ResponseFuture + Send + Sync;

/// A [`Transport`] over hyper-util's pooled HTTP/1.1 client.
///
/// [`HyperTransport::new`] connects with rustls (aws-lc-rs) and the Mozilla root
/// certificates from `webpki-roots`, so it behaves the same on every machine; `http://` URLs
/// work too (for a local emulator). [`HyperTransport::with_connector`] takes your own
/// connector (proxies, custom CAs, Unix sockets...). Redirects are never followed.
///
/// Cloning is cheap and shares the connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    send: Arc<SendFn>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HyperTransport")
    }
}

impl HyperTransport {
    /// A pooled client over HTTPS (webpki roots) or plain HTTP, with the default connect
    /// timeout.
    pub fn new() -> Result<Self, TransportError> {
        Self::with_connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    }

    /// Like [`new`](Self::new), with the given connect timeout.
    pub fn with_connect_timeout(connect_timeout: Duration) -> Result<Self, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| {
                TransportError::new(TransportErrorKind::Other)
                    .with_may_have_been_sent(false)
                    .with_context("configuring TLS")
                    .with_source(e)
            })?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Self::with_connector(SharedConnector(Arc::new(https))))
    }

    /// A pooled client over your own connector, for example a
    /// `hyper_rustls::HttpsConnector` built with your own roots, or a proxy connector.
    pub fn with_connector<C>(connector: C) -> Self
    where
        C: Connect + Clone + Send + Sync + 'static,
    {
        let client: Client<C, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(connector);
        Self {
            send: Arc::new(move |request| client.request(request)),
        }
    }
}

/// A connector that hyper-util clones as one `Arc`.
///
/// hyper-util clones its connector for every request (to connect lazily when no pooled
/// connection is free); `HttpsConnector` holds three `Arc`s, so every request bumped three
/// reference counts that all callers share. The inner connector is cloned only to connect.
#[derive(Clone)]
struct SharedConnector<C>(Arc<C>);

impl<C> tower_service::Service<Uri> for SharedConnector<C>
where
    C: tower_service::Service<Uri> + Clone + Send + Sync + 'static,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = C::Error;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, C::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let mut inner = C::clone(&self.0);
        Box::pin(async move {
            // The clone is readied before use, as `Service` requires.
            std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
            inner.call(uri).await
        })
    }
}

fn map_client_error(error: hyper_util::client::legacy::Error) -> TransportError {
    if error.is_connect() {
        return TransportError::new(TransportErrorKind::Connect)
            .with_may_have_been_sent(false)
            .with_source(error);
    }
    TransportError::new(exchange_kind(&error)).with_source(error)
}

fn map_body_error(error: hyper::Error) -> TransportError {
    TransportError::new(exchange_kind(&error)).with_source(error)
}

impl Transport for HyperTransport {
    // Written out rather than as an `async fn`: the request is handed to hyper before the
    // future is built, so the boxed future never holds it (824 bytes copied into the box per
    // request instead of ~300).
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Bytes>,
    ) -> SendFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        if let Err(error) = check_uri(request.uri()) {
            return Box::pin(std::future::ready(Err(error)));
        }
        let limit = BodyLimit::of(&request);
        let response = (self.send)(request.map(Full::new));
        Box::pin(async move {
            let response = response.await.map_err(map_client_error)?;
            let (parts, incoming) = response.into_parts();
            let body = read_body(incoming, limit, &parts.headers, map_body_error).await?;
            Ok(http::Response::from_parts(parts, body))
        })
    }
}
