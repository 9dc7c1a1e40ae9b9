//! The reqwest backend.

use std::cell::RefCell;
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, Scheme};
use reqwest::Url;

use crate::body::{BodyLimit, read_body};
use crate::classify::{check_uri, exchange_kind};
use crate::{DEFAULT_CONNECT_TIMEOUT, SendFuture, Transport, TransportError, TransportErrorKind};

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

/// The [`Url`] reqwest needs for `uri`, equal to `Url::parse(&uri.to_string())`.
///
/// Parsing a whole URL (IDNA mapping of the host included) cost more per request than the
/// rest of the conversion, and a client talks to one origin: so each thread keeps the last
/// origin it parsed and only sets the path and query on a copy of it.
fn url_for(uri: &http::Uri) -> Result<Url, TransportError> {
    thread_local! {
        static LAST_ORIGIN: RefCell<Option<(Scheme, Authority, Url)>> = const { RefCell::new(None) };
    }
    let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
        return Err(invalid_uri());
    };
    let origin = |cached: &Option<(Scheme, Authority, Url)>| {
        cached
            .as_ref()
            .filter(|(s, a, _)| s == scheme && a.as_str() == authority.as_str())
            .map(|(_, _, base)| base.clone())
    };
    let cached = LAST_ORIGIN
        .try_with(|last| origin(&last.borrow()))
        .ok()
        .flatten();
    let mut url = match cached {
        Some(base) => base,
        None => {
            let base =
                Url::parse(&format!("{scheme}://{authority}/")).map_err(|_| invalid_uri())?;
            let _ = LAST_ORIGIN.try_with(|last| {
                *last.borrow_mut() = Some((scheme.clone(), authority.clone(), base.clone()));
            });
            base
        }
    };
    url.set_path(uri.path());
    url.set_query(uri.query());
    Ok(url)
}

fn invalid_uri() -> TransportError {
    // Never quotes the URI: its query may carry a code or a token.
    TransportError::new(TransportErrorKind::InvalidRequest)
        .with_may_have_been_sent(false)
        .with_context("the URI is not a valid URL")
}

impl Transport for ReqwestTransport {
    // Written out rather than as an `async fn`, so the boxed future holds reqwest's pending
    // call rather than the request as well.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Bytes>,
    ) -> SendFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let limit = BodyLimit::of(&request);
        let request = match to_reqwest(request) {
            Ok(request) => request,
            Err(error) => return Box::pin(std::future::ready(Err(error))),
        };
        let response = self.client.execute(request);
        Box::pin(async move {
            let response = response.await.map_err(map_error)?;
            let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
            let body = read_body(body, limit, &parts.headers, map_error).await?;
            Ok(http::Response::from_parts(parts, body))
        })
    }
}

fn to_reqwest(request: http::Request<Bytes>) -> Result<reqwest::Request, TransportError> {
    check_uri(request.uri())?;
    let (parts, body) = request.into_parts();
    let mut request = reqwest::Request::new(parts.method, url_for(&parts.uri)?);
    *request.headers_mut() = parts.headers;
    *request.version_mut() = parts.version;
    *request.body_mut() = Some(body.into());
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_equal_a_full_parse() {
        let uris = [
            "http://127.0.0.1:8080/v1/auth/totp/verify",
            "https://api.descope.com/v2/keys/P2abc",
            "https://API.Descope.com:443/v1/auth/oauth/authorize?provider=google&redirectURL=https%3A%2F%2Fa.b%2Fc%3Fd%3De",
            "http://localhost/a/./b/../c?x=%20y&z",
            "http://[::1]:9000/v1/mgmt/user/search?",
            "http://user:pw@example.com:80/p%2Fq/r?s=\"t\"",
            "http://example.com/{x}|^`/ä?ä=ö",
            "http://xn--bcher-kva.example/v1",
            "http://example.com",
        ];
        // `http` refuses some of these (raw non-ASCII); the rest must match.
        let parsed: Vec<http::Uri> = uris.iter().filter_map(|raw| raw.parse().ok()).collect();
        assert!(parsed.len() >= 7, "{parsed:?}");
        // Twice, so the second pass goes through the cached origin.
        for _ in 0..2 {
            for uri in &parsed {
                let raw = uri.to_string();
                let expected = Url::parse(&uri.to_string()).unwrap();
                assert_eq!(url_for(uri).unwrap(), expected, "{raw}");
            }
        }
    }

    #[test]
    fn origin_changes_are_seen() {
        let a: http::Uri = "http://a.example/x".parse().unwrap();
        let b: http::Uri = "https://a.example/x".parse().unwrap();
        let c: http::Uri = "http://a.example:81/x".parse().unwrap();
        assert_eq!(url_for(&a).unwrap().as_str(), "http://a.example/x");
        assert_eq!(url_for(&b).unwrap().as_str(), "https://a.example/x");
        assert_eq!(url_for(&c).unwrap().as_str(), "http://a.example:81/x");
        assert_eq!(url_for(&a).unwrap().as_str(), "http://a.example/x");
    }
}
