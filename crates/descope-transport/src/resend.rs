//! The copy of a request kept for a possible resend.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{Extensions, Method, Uri, Version};

use crate::body::BodyLimit;
use crate::options::RequestOptions;
use crate::{TransportError, TransportErrorKind};

/// Bodies up to this size are copied into the resend copy; larger ones are shared.
const INLINE_BODY_MAX: usize = 64 * 1024;

/// What a resend needs from a request, kept apart from the request that goes out.
///
/// A clone of the request (`http::Request::clone`) shares every `Bytes` in it between the
/// copy kept here and the one the backend drops on the connection's thread: each shared
/// buffer then costs a promotion, an allocation and reference counting on a cache line the
/// two threads trade, which with 64 concurrent calls cost about 5 % of throughput (see
/// `docs/transport.md`). This copy is one private buffer holding the URI, the headers and a
/// small body, and is only read back if a resend happens.
pub(crate) struct ResendCopy {
    method: Method,
    version: Version,
    /// The URI, then per header its name and value (lengths as `u32`, then a sensitivity
    /// byte), then an inline body.
    buf: Vec<u8>,
    uri_len: usize,
    headers: usize,
    body: Body,
    extensions: Kept,
}

enum Body {
    /// The last `len` bytes of `buf`.
    Inline(usize),
    Shared(Bytes),
}

/// The request's extensions: only ours (kept by value), or anything else (cloned).
enum Kept {
    Ours {
        options: Option<RequestOptions>,
        limit: Option<BodyLimit>,
    },
    Cloned(Extensions),
}

impl ResendCopy {
    pub(crate) fn of(request: &http::Request<Bytes>) -> Self {
        let uri = request.uri();
        let body = request.body();
        let inline = body.len() <= INLINE_BODY_MAX;
        let headers = request.headers();
        let capacity = uri_text_len(uri)
            + headers
                .iter()
                .map(|(name, value)| 9 + name.as_str().len() + value.len())
                .sum::<usize>()
            + if inline { body.len() } else { 0 };
        let mut buf = Vec::with_capacity(capacity);
        push_uri(&mut buf, uri);
        let uri_len = buf.len();
        for (name, value) in headers {
            push_len(&mut buf, name.as_str().len());
            push_len(&mut buf, value.len());
            buf.push(u8::from(value.is_sensitive()));
            buf.extend_from_slice(name.as_str().as_bytes());
            buf.extend_from_slice(value.as_bytes());
        }
        let body = if inline {
            buf.extend_from_slice(body);
            Body::Inline(body.len())
        } else {
            Body::Shared(body.clone())
        };
        let extensions = request.extensions();
        let options = extensions.get::<RequestOptions>().copied();
        let limit = extensions.get::<BodyLimit>().copied();
        let ours = usize::from(options.is_some()) + usize::from(limit.is_some());
        let extensions = if extensions.len() == ours {
            Kept::Ours { options, limit }
        } else {
            Kept::Cloned(extensions.clone())
        };
        Self {
            method: request.method().clone(),
            version: request.version(),
            buf,
            uri_len,
            headers: headers.len(),
            body,
            extensions,
        }
    }

    /// The request again, as it was when copied.
    pub(crate) fn request(&self) -> Result<http::Request<Bytes>, TransportError> {
        let rebuilt = || -> Option<http::Request<Bytes>> {
            let uri = Uri::try_from(self.buf.get(..self.uri_len)?).ok()?;
            let mut rest = self.buf.get(self.uri_len..)?;
            let mut headers = http::HeaderMap::with_capacity(self.headers);
            for _ in 0..self.headers {
                let name_len = take_len(&mut rest)?;
                let value_len = take_len(&mut rest)?;
                let (&sensitive, tail) = rest.split_first()?;
                let (name, tail) = tail.split_at_checked(name_len)?;
                let (value, tail) = tail.split_at_checked(value_len)?;
                rest = tail;
                let mut value = HeaderValue::from_bytes(value).ok()?;
                value.set_sensitive(sensitive == 1);
                headers.append(HeaderName::from_bytes(name).ok()?, value);
            }
            let body = match &self.body {
                Body::Inline(len) if rest.len() == *len => Bytes::copy_from_slice(rest),
                Body::Inline(_) => return None,
                Body::Shared(body) => body.clone(),
            };
            let mut request = http::Request::new(body);
            *request.method_mut() = self.method.clone();
            *request.version_mut() = self.version;
            *request.uri_mut() = uri;
            *request.headers_mut() = headers;
            match &self.extensions {
                Kept::Ours { options, limit } => {
                    let extensions = request.extensions_mut();
                    if let Some(options) = options {
                        extensions.insert(*options);
                    }
                    if let Some(limit) = limit {
                        extensions.insert(*limit);
                    }
                }
                Kept::Cloned(extensions) => *request.extensions_mut() = extensions.clone(),
            }
            Some(request)
        };
        // Unreachable: every part was valid when it was copied.
        rebuilt().ok_or_else(|| {
            TransportError::new(TransportErrorKind::InvalidRequest)
                .with_may_have_been_sent(false)
                .with_context("the request could not be rebuilt for a resend")
        })
    }
}

fn uri_text_len(uri: &Uri) -> usize {
    uri.scheme_str().map_or(0, |s| s.len() + 3)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |p| p.as_str().len())
}

fn push_uri(buf: &mut Vec<u8>, uri: &Uri) {
    if let Some(scheme) = uri.scheme_str() {
        buf.extend_from_slice(scheme.as_bytes());
        buf.extend_from_slice(b"://");
    }
    if let Some(authority) = uri.authority() {
        buf.extend_from_slice(authority.as_str().as_bytes());
    }
    if let Some(path) = uri.path_and_query() {
        buf.extend_from_slice(path.as_str().as_bytes());
    }
}

fn push_len(buf: &mut Vec<u8>, len: usize) {
    // Header names and values are far below 4 GiB: `http` caps a header map's size.
    buf.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn take_len(rest: &mut &[u8]) -> Option<usize> {
    let (len, tail) = rest.split_first_chunk::<4>()?;
    *rest = tail;
    usize::try_from(u32::from_le_bytes(*len)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &http::Request<Bytes>, b: &http::Request<Bytes>) {
        assert_eq!(a.method(), b.method());
        assert_eq!(a.uri(), b.uri());
        assert_eq!(a.version(), b.version());
        assert_eq!(a.headers(), b.headers());
        let sensitive = |r: &http::Request<Bytes>| -> Vec<bool> {
            r.headers()
                .values()
                .map(HeaderValue::is_sensitive)
                .collect()
        };
        assert_eq!(sensitive(a), sensitive(b));
        assert_eq!(a.body(), b.body());
        assert_eq!(
            a.extensions().get::<RequestOptions>(),
            b.extensions().get::<RequestOptions>()
        );
        assert_eq!(
            a.extensions().get::<BodyLimit>(),
            b.extensions().get::<BodyLimit>()
        );
    }

    #[test]
    fn a_resend_is_the_request_again() {
        let mut secret = HeaderValue::from_static("Bearer P2abc:refresh-token");
        secret.set_sensitive(true);
        let mut request = http::Request::patch("https://api.example.com:8443/v1/x?y=1&z=%20")
            .version(Version::HTTP_11)
            .header("x-descope-project-id", "P2abc")
            .header("accept", "a")
            .header("accept", "b")
            .header("authorization", secret)
            .body(Bytes::from_static(br#"{"code":"123456"}"#))
            .unwrap();
        request.extensions_mut().insert(RequestOptions::new());
        request.extensions_mut().insert(BodyLimit(10));
        let copy = ResendCopy::of(&request);
        let again = copy.request().unwrap();
        same(&request, &again);
        same(&request, &copy.request().unwrap());
        assert_eq!(
            again.headers().get_all("accept").iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
    }

    #[test]
    fn large_bodies_and_foreign_extensions_are_kept() {
        #[derive(Clone, Debug, PartialEq)]
        struct Mine(u8);
        let body = Bytes::from(vec![7; INLINE_BODY_MAX + 1]);
        let mut request = http::Request::post("http://127.0.0.1:1/")
            .body(body.clone())
            .unwrap();
        request.extensions_mut().insert(Mine(3));
        request
            .extensions_mut()
            .insert(RequestOptions::new().no_timeout());
        let again = ResendCopy::of(&request).request().unwrap();
        same(&request, &again);
        assert_eq!(again.extensions().get::<Mine>(), Some(&Mine(3)));
        // Shared, not copied.
        assert_eq!(again.body().as_ptr(), body.as_ptr());
    }

    #[test]
    fn an_empty_request_survives() {
        let request = http::Request::get("/relative").body(Bytes::new()).unwrap();
        same(&request, &ResendCopy::of(&request).request().unwrap());
    }
}
