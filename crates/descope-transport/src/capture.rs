//! A recording fake transport for tests (feature `test-util`).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use crate::{Transport, TransportError, TransportErrorKind};

type Responder =
    dyn Fn(&CapturedRequest) -> Result<http::Response<Bytes>, TransportError> + Send + Sync;

/// One request as a [`CapturingTransport`] received it.
#[derive(Debug, Clone)]
pub struct CapturedRequest {
    /// The method.
    pub method: http::Method,
    /// The full URI, query included.
    pub uri: http::Uri,
    /// The headers, exactly as sent.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl CapturedRequest {
    /// The body as UTF-8 text, if it is.
    pub fn body_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// A [`Transport`] that records every request and answers from a closure or from a queue of
/// canned responses. Made for request snapshots: drive the client, then compare
/// [`requests`](Self::requests) with what the official SDKs send.
///
/// Clones share the same record and queue, so keep one handle and give the client another
/// (or an `Arc`).
///
/// ```
/// use bytes::Bytes;
/// use descope_transport::{CapturingTransport, Transport};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), descope_transport::TransportError> {
/// let fake = CapturingTransport::with_responses([CapturingTransport::response(200, r#"{"ok":true}"#)]);
/// let request = http::Request::post("https://api.descope.com/v1/auth/refresh")
///     .header("x-descope-sdk-name", "rust")
///     .body(Bytes::from_static(b"{}"))
///     .map_err(|_| descope_transport::TransportError::new(descope_transport::TransportErrorKind::InvalidRequest))?;
/// let response = fake.send(request).await?;
/// assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
///
/// let seen = fake.requests();
/// assert_eq!(seen[0].uri.path(), "/v1/auth/refresh");
/// assert_eq!(seen[0].header("x-descope-sdk-name"), Some("rust"));
/// assert_eq!(seen[0].body_str(), Some("{}"));
///
/// // The queue is empty now: the next request fails instead of inventing an answer.
/// assert!(fake.send(http::Request::new(Bytes::new())).await.is_err());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CapturingTransport {
    inner: Arc<Inner>,
}

struct Inner {
    requests: Mutex<Vec<CapturedRequest>>,
    queue: Mutex<VecDeque<Result<http::Response<Bytes>, TransportError>>>,
    responder: Option<Box<Responder>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide the record from the others.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl fmt::Debug for CapturingTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapturingTransport")
            .field("captured", &lock(&self.inner.requests).len())
            .field("queued", &lock(&self.inner.queue).len())
            .finish()
    }
}

impl CapturingTransport {
    /// Answers every request with `responder` (it sees the captured request).
    pub fn new<F>(responder: F) -> Self
    where
        F: Fn(&CapturedRequest) -> Result<http::Response<Bytes>, TransportError>
            + Send
            + Sync
            + 'static,
    {
        Self::build(VecDeque::new(), Some(Box::new(responder)))
    }

    /// Answers requests with `responses`, in order; once they run out, requests fail with
    /// [`TransportErrorKind::Other`].
    pub fn with_responses(responses: impl IntoIterator<Item = http::Response<Bytes>>) -> Self {
        Self::build(responses.into_iter().map(Ok).collect(), None)
    }

    fn build(
        queue: VecDeque<Result<http::Response<Bytes>, TransportError>>,
        responder: Option<Box<Responder>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                requests: Mutex::new(Vec::new()),
                queue: Mutex::new(queue),
                responder,
            }),
        }
    }

    /// Queues one more answer. Queued answers are used before the closure, if any.
    pub fn push_response(&self, response: http::Response<Bytes>) {
        lock(&self.inner.queue).push_back(Ok(response));
    }

    /// Queues a failure (to test error paths).
    pub fn push_error(&self, error: TransportError) {
        lock(&self.inner.queue).push_back(Err(error));
    }

    /// A canned response with `status` and `body` and `Content-Type: application/json`.
    /// An invalid status becomes 500.
    pub fn response(status: u16, body: impl Into<Bytes>) -> http::Response<Bytes> {
        let mut response = http::Response::new(body.into());
        *response.status_mut() =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        lock(&self.inner.requests).clone()
    }

    /// Returns the requests received so far and forgets them.
    pub fn take_requests(&self) -> Vec<CapturedRequest> {
        std::mem::take(&mut *lock(&self.inner.requests))
    }

    /// The most recent request.
    pub fn last_request(&self) -> Option<CapturedRequest> {
        lock(&self.inner.requests).last().cloned()
    }
}

#[async_trait::async_trait]
impl Transport for CapturingTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        let captured = CapturedRequest {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        };
        lock(&self.inner.requests).push(captured.clone());
        if let Some(answer) = lock(&self.inner.queue).pop_front() {
            return answer;
        }
        match &self.inner.responder {
            Some(responder) => responder(&captured),
            None => Err(TransportError::new(TransportErrorKind::Other)
                .with_context("CapturingTransport has no response left")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closure_answers_and_everything_is_recorded() {
        let fake = CapturingTransport::new(|req| {
            Ok(CapturingTransport::response(
                200,
                format!("{{\"path\":\"{}\"}}", req.uri.path()),
            ))
        });
        fake.push_error(TransportError::new(TransportErrorKind::Connect));
        let handle = fake.clone();
        let first = fake
            .send(
                http::Request::get("http://h/a?x=1")
                    .body(Bytes::new())
                    .unwrap(),
            )
            .await;
        assert!(first.unwrap_err().is_connect(), "queued answers come first");
        let second = fake
            .send(
                http::Request::post("http://h/b")
                    .body(Bytes::from("hi"))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(second.body().as_ref(), br#"{"path":"/b"}"#);

        let seen = handle.take_requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].uri.query(), Some("x=1"));
        assert_eq!(seen[1].method, http::Method::POST);
        assert_eq!(seen[1].body_str(), Some("hi"));
        assert!(handle.requests().is_empty());
    }
}
