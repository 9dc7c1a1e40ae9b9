//! The reqwest backend.

use std::time::Duration;

use bytes::Bytes;

use crate::body::{BodyLimit, read_body};
use crate::classify::{check_uri, exchange_kind};
use crate::{DEFAULT_CONNECT_TIMEOUT, Transport, TransportError, TransportErrorKind};

/// A [`Transport`] over a [`reqwest::Client`] (rustls, HTTP/1.1).
///
/// [`ReqwestTransport::new`] builds a client that never follows redirects (an auth client
/// hands a 3xx back to its caller) and times out connecting after
/// [`DEFAULT_CONNECT_TIMEOUT`]. To use proxies, custom CAs or a shared pool, build your own
/// client and convert it with `From`; disable redirects on it
/// (`redirect(reqwest::redirect::Policy::none())`).
///
/// Cloning is cheap and shares the connection pool.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A client with redirects off and the default connect timeout.
    pub fn new() -> Result<Self, TransportError> {
        Self::with_connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    }

    /// A client with redirects off and the given connect timeout.
    pub fn with_connect_timeout(connect_timeout: Duration) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // The policy layer is the only one that resends.
            .retry(reqwest::retry::never())
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|e| {
                TransportError::new(TransportErrorKind::Other)
                    .with_may_have_been_sent(false)
                    .with_context("building the reqwest client")
                    .with_source(e.without_url())
            })?;
        Ok(Self { client })
    }
}

impl From<reqwest::Client> for ReqwestTransport {
    fn from(client: reqwest::Client) -> Self {
        Self { client }
    }
}

fn map_error(error: reqwest::Error) -> TransportError {
    // URLs can carry query values (a code, a token): never keep them.
    let error = error.without_url();
    let (kind, sent) = if error.is_connect() {
        (TransportErrorKind::Connect, false)
    } else if error.is_builder() {
        (TransportErrorKind::InvalidRequest, false)
    } else if error.is_timeout() {
        (TransportErrorKind::Timeout, true)
    } else {
        (exchange_kind(&error), true)
    };
    TransportError::new(kind)
        .with_may_have_been_sent(sent)
        .with_source(error)
}

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        check_uri(request.uri())?;
        let limit = BodyLimit::of(&request);
        let request = reqwest::Request::try_from(request).map_err(map_error)?;
        let response = self.client.execute(request).await.map_err(map_error)?;
        let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
        let body = read_body(body, limit, &parts.headers, map_error).await?;
        Ok(http::Response::from_parts(parts, body))
    }
}
