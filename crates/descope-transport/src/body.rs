//! The response body cap, shared by every backend.

use bytes::{Bytes, BytesMut};

use crate::{TransportError, TransportErrorKind};

/// The body cap used when a request carries no [`BodyLimit`]: 4 MiB, far above any Descope
/// response (a JWKS or a user with many tenants is a few KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The largest response body a transport may read for one request, in bytes.
///
/// The [`Policy`](crate::Policy) layer puts it into the request's extensions; backends read
/// it with [`BodyLimit::of`] and enforce it while the body streams in (see
/// [`BodyCollector`]), so an oversized or endless body never sits in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// The limit attached to `request`, or [`DEFAULT_MAX_BODY_BYTES`].
    pub fn of<B>(request: &http::Request<B>) -> usize {
        request
            .extensions()
            .get::<BodyLimit>()
            .map_or(DEFAULT_MAX_BODY_BYTES, |limit| limit.0)
    }
}

/// Accumulates a streamed response body and fails as soon as it exceeds the cap.
///
/// For custom backends: create it from the response head, [`push`](Self::push) each chunk as
/// it arrives, then [`finish`](Self::finish).
///
/// ```
/// use bytes::Bytes;
/// use descope_transport::BodyCollector;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from_static("5"));
/// let mut body = BodyCollector::new(8, &headers)?;
/// body.push(Bytes::from_static(b"he"))?;
/// body.push(Bytes::from_static(b"llo"))?;
/// assert_eq!(body.finish(), "hello");
///
/// // A declared length over the cap is refused before reading anything.
/// headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from_static("9"));
/// assert!(BodyCollector::new(8, &headers).unwrap_err().is_body_too_large());
/// # Ok::<(), descope_transport::TransportError>(())
/// ```
#[derive(Debug)]
pub struct BodyCollector {
    limit: usize,
    capacity_hint: usize,
    // One chunk is kept as is (no copy); a second chunk switches to `buf`.
    first: Option<Bytes>,
    buf: BytesMut,
}

impl BodyCollector {
    /// Starts collecting a body of at most `limit` bytes. Fails with
    /// [`BodyTooLarge`](TransportErrorKind::BodyTooLarge) if `headers` declare a larger
    /// `Content-Length`.
    pub fn new(limit: usize, headers: &http::HeaderMap) -> Result<Self, TransportError> {
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(declared) = declared
            && declared > limit as u64
        {
            return Err(too_large());
        }
        Ok(Self {
            limit,
            capacity_hint: declared.map_or(0, |d| d as usize),
            first: None,
            buf: BytesMut::new(),
        })
    }

    /// Adds the next chunk.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), TransportError> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.len() + chunk.len() > self.limit {
            return Err(too_large());
        }
        match self.first.take() {
            None if self.buf.is_empty() => self.first = Some(chunk),
            None => self.buf.extend_from_slice(&chunk),
            Some(first) => {
                self.buf
                    .reserve(self.capacity_hint.max(first.len() + chunk.len()));
                self.buf.extend_from_slice(&first);
                self.buf.extend_from_slice(&chunk);
            }
        }
        Ok(())
    }

    /// Bytes collected so far.
    pub fn len(&self) -> usize {
        self.first.as_ref().map_or(self.buf.len(), Bytes::len)
    }

    /// Whether nothing has been collected yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        match self.first {
            Some(first) => first,
            None => self.buf.freeze(),
        }
    }
}

/// Reads a response body through a [`BodyCollector`]. Stops as soon as the body reports its
/// end (its announced length fully read) instead of waiting for a last empty frame, which
/// can cost one more wake-up of the connection task.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
pub(crate) async fn read_body<B>(
    mut body: B,
    limit: usize,
    headers: &http::HeaderMap,
    map_err: fn(B::Error) -> TransportError,
) -> Result<Bytes, TransportError>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut collected = BodyCollector::new(limit, headers)?;
    while !body.is_end_stream() {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        // Trailers are not data; an auth API sends none worth keeping.
        if let Ok(data) = frame.map_err(map_err)?.into_data() {
            collected.push(data)?;
        }
    }
    Ok(collected.finish())
}

fn too_large() -> TransportError {
    // The server answered, so the request was certainly received.
    TransportError::new(TransportErrorKind::BodyTooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_is_inclusive_and_enforced_across_chunks() {
        let mut body = BodyCollector::new(6, &http::HeaderMap::new()).unwrap();
        body.push(Bytes::from_static(b"abc")).unwrap();
        body.push(Bytes::new()).unwrap();
        body.push(Bytes::from_static(b"def")).unwrap();
        assert_eq!(body.len(), 6);
        let err = body.push(Bytes::from_static(b"g")).unwrap_err();
        assert!(err.is_body_too_large());
        assert!(err.may_have_been_sent());
    }

    #[test]
    fn many_chunks_concatenate_in_order() {
        let mut body = BodyCollector::new(1000, &http::HeaderMap::new()).unwrap();
        for i in 0..100u8 {
            body.push(Bytes::copy_from_slice(&[i; 3])).unwrap();
        }
        let all = body.finish();
        assert_eq!(all.len(), 300);
        assert!(all.chunks(3).enumerate().all(|(i, c)| c == [i as u8; 3]));
    }

    #[test]
    fn limit_defaults_when_absent() {
        let mut request = http::Request::new(());
        assert_eq!(BodyLimit::of(&request), DEFAULT_MAX_BODY_BYTES);
        request.extensions_mut().insert(BodyLimit(10));
        assert_eq!(BodyLimit::of(&request), 10);
    }
}
