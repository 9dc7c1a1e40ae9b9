//! Timeouts, the body cap and retries, identical for every backend.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use descope_types::{Clock, SystemClock};

use bytes::Bytes;
use http::StatusCode;
use tracing::Instrument;
use tracing::field::Empty;

use crate::body::{BodyLimit, DEFAULT_MAX_BODY_BYTES};
use crate::deadline;
use crate::options::{RequestOptions, Resend};
use crate::resend::ResendCopy;
use crate::{SendFuture, Transport, TransportError, TransportErrorKind};

/// The per-attempt timeout of the official SDKs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

type SleepFn = dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

impl RequestOptions {
    /// The per-attempt timeout this request gets under `policy`.
    pub fn effective_timeout(&self, policy: &Policy) -> Option<Duration> {
        self.timeout.unwrap_or(policy.timeout)
    }
}

/// Gateway statuses that mean the request never reached the origin: the web server refused
/// (521), the connection timed out (522), the origin was unreachable (523), or its DNS
/// failed (530). 520 and 524 come after the origin got the request.
fn never_reached_origin(status: StatusCode) -> bool {
    matches!(status.as_u16(), 521 | 522 | 523 | 530)
}

/// How long a response asks the client to wait, from its `Retry-After` header.
///
/// Accepts both forms of RFC 9110: delay-seconds (`Retry-After: 2`) and an HTTP-date
/// (`Retry-After: Sun, 06 Nov 2044 08:49:37 GMT`, measured from `now`; a date in the past
/// gives zero). `None` when the header is absent or unparsable.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use descope_transport::retry_after;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("2"));
/// assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(2)));
/// ```
pub fn retry_after(headers: &http::HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Which failures are retried, and how long to wait in between.
///
/// The default matches the official Descope SDKs: a response with status 503, 520, 521, 522,
/// 524 or 530 is sent again after 100 ms, 5 s and 5 s (at most three retries), each delay
/// lengthened by up to 10 % random jitter. 429 is not retried unless
/// [`retry_rate_limited`](Self::retry_rate_limited) is set.
///
/// Retry safety: a request that may have reached the server is only resent when the server
/// said so with one of those statuses. A connection failure is resent only when the error
/// says nothing was sent ([`TransportError::may_have_been_sent`] is `false`), so a one-time
/// code is never submitted twice by the client.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    statuses: Vec<StatusCode>,
    delays: Vec<Duration>,
    jitter: f64,
    retry_unsent: bool,
    rate_limited_max_wait: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            statuses: [503, 520, 521, 522, 524, 530]
                .into_iter()
                .filter_map(|s| StatusCode::from_u16(s).ok())
                .collect(),
            delays: vec![
                Duration::from_millis(100),
                Duration::from_secs(5),
                Duration::from_secs(5),
            ],
            jitter: 0.1,
            retry_unsent: true,
            rate_limited_max_wait: None,
        }
    }
}

impl RetryPolicy {
    /// Never retries anything.
    pub fn never() -> Self {
        Self {
            delays: Vec::new(),
            ..Self::default()
        }
    }

    /// The delays before each retry; their number bounds the retries.
    pub fn delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Self {
        self.delays = delays.into_iter().collect();
        self
    }

    /// The response statuses that are retried.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = StatusCode>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Random lengthening of each delay, as a fraction of it (clamped to `0.0..=1.0`;
    /// `0.0` makes delays exact).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Whether failures that provably sent nothing (refused connection, DNS, TLS) are
    /// retried. Default `true`.
    pub fn retry_unsent_errors(mut self, retry: bool) -> Self {
        self.retry_unsent = retry;
        self
    }

    /// Opt-in: retry a 429 after the wait its `Retry-After` asks for, when that wait is at
    /// most `max_wait`. A 429 without a usable `Retry-After`, or asking for longer, is
    /// returned to the caller. Counts against the same retry budget.
    pub fn retry_rate_limited(mut self, max_wait: Duration) -> Self {
        self.rate_limited_max_wait = Some(max_wait);
        self
    }

    /// The most retries one request may get.
    pub fn max_retries(&self) -> usize {
        self.delays.len()
    }

    fn backoff(&self, retry: usize) -> Option<Duration> {
        let base = *self.delays.get(retry)?;
        if self.jitter == 0.0 {
            return Some(base);
        }
        Some(base + base.mul_f64(self.jitter * fastrand::f64()))
    }
}

/// The resilience settings wrapped around a [`Transport`]; see [`Policy::wrap`].
///
/// Defaults: 60 s timeout per attempt, a 4 MiB response body cap, [`RetryPolicy::default`],
/// Tokio's sleep and the system clock. Sleep and clock are injectable so retry tests run
/// instantly and deterministically.
///
/// ```
/// use std::time::Duration;
/// use descope_transport::{Policy, RetryPolicy, from_fn};
///
/// let policy = Policy::default()
///     .timeout(Duration::from_secs(10))
///     .max_body_bytes(1 << 20)
///     .retry(RetryPolicy::default().retry_rate_limited(Duration::from_secs(30)));
/// let transport = policy.wrap(from_fn(|_req| async {
///     Ok(http::Response::new(bytes::Bytes::new()))
/// }));
/// # let _ = transport;
/// ```
#[derive(Clone)]
pub struct Policy {
    timeout: Option<Duration>,
    max_body_bytes: usize,
    retry: RetryPolicy,
    sleep: Arc<SleepFn>,
    clock: Arc<dyn Clock>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            timeout: Some(DEFAULT_TIMEOUT),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
            clock: Arc::new(SystemClock),
        }
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// The time allowed for each attempt, from sending to the last body byte.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No per-attempt timeout (the backend's own timeouts still apply).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// The largest response body accepted, in bytes; larger ones fail with
    /// [`BodyTooLarge`](TransportErrorKind::BodyTooLarge).
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the sleep used between retries (Tokio's by default).
    pub fn sleep<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleep = Arc::new(move |d| Box::pin(sleep(d)));
        self
    }

    /// Replaces the clock used to read HTTP-date `Retry-After` values.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The current time by this policy's clock (pass it to [`retry_after`]).
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The configured per-attempt timeout.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The configured body cap.
    pub fn get_max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The configured retry policy.
    pub fn get_retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Wraps `inner` so every request it sends gets this policy.
    pub fn wrap<T: Transport>(self, inner: T) -> PolicyTransport<T> {
        PolicyTransport {
            inner,
            policy: self,
        }
    }

    /// The wait before retry number `retry` (0-based) after `outcome`, or `None` to stop.
    fn retry_delay(
        &self,
        outcome: &Result<http::Response<Bytes>, TransportError>,
        retry: usize,
        resend: Resend,
    ) -> Option<Duration> {
        if resend == Resend::Never || retry >= self.retry.max_retries() {
            return None;
        }
        match outcome {
            // Any other answer (a 429 too) came from the origin, which may have spent a
            // one-time credential.
            Ok(response)
                if resend == Resend::UnsentOnly && !never_reached_origin(response.status()) =>
            {
                None
            }
            Ok(response) if self.retry.statuses.contains(&response.status()) => {
                self.retry.backoff(retry)
            }
            Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                let max_wait = self.retry.rate_limited_max_wait?;
                retry_after(response.headers(), self.now()).filter(|wait| *wait <= max_wait)
            }
            // A request that could not be built fails the same way every time.
            Err(error)
                if self.retry.retry_unsent
                    && !error.may_have_been_sent()
                    && error.kind() != TransportErrorKind::InvalidRequest =>
            {
                self.retry.backoff(retry)
            }
            _ => None,
        }
    }
}

/// A [`Transport`] with a [`Policy`] applied; made by [`Policy::wrap`].
///
/// Emits one `descope.http` span per logical request (method, path, final status, attempts,
/// elapsed) and one `descope.http.attempt` span per attempt (attempt, status, elapsed).
/// Spans never carry header values, query strings or bodies.
#[derive(Debug, Clone)]
pub struct PolicyTransport<T> {
    inner: T,
    policy: Policy,
}

impl<T> PolicyTransport<T> {
    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl<T: Transport> Transport for PolicyTransport<T> {
    // Written out rather than as an `async fn`: the setup runs before the future is built,
    // so the one boxed future holds only what the retry loop needs (an `async fn` kept the
    // request twice and needed 1.7 times the memory, past glibc's per-thread cache).
    fn send<'life0, 'async_trait>(
        &'life0 self,
        mut request: http::Request<Bytes>,
    ) -> SendFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let policy = &self.policy;
        // Left in place: a policy wrapped inside this one must see them too.
        let options = request
            .extensions()
            .get::<RequestOptions>()
            .copied()
            .unwrap_or_default();
        // Absent means the default: skip the extension map allocation then.
        if policy.max_body_bytes != DEFAULT_MAX_BODY_BYTES {
            request
                .extensions_mut()
                .insert(BodyLimit(policy.max_body_bytes));
        }
        let timeout = options.effective_timeout(policy);
        let retries = match options.get_resend() {
            Resend::Never => 0,
            _ => policy.retry.max_retries(),
        };
        let span = tracing::info_span!(
            "descope.http",
            method = %request.method(),
            path = request.uri().path(),
            status = Empty,
            attempts = Empty,
            elapsed_ms = Empty,
        );
        // Read the clock only for a subscriber that records the timings.
        let started = (!span.is_disabled()).then(Instant::now);
        // The copy is made before the request goes out, only if another attempt may follow.
        let copy = (retries > 0).then(|| ResendCopy::of(&request));
        let mut first = Some(request);
        Box::pin(
            async move {
                let mut attempt: usize = 0;
                loop {
                    attempt += 1;
                    // In a block, so that only what the retry loop needs across its awaits is
                    // kept in the boxed future (half its size).
                    let delay = {
                        let attempt_span = tracing::debug_span!(
                            "descope.http.attempt",
                            attempt,
                            status = Empty,
                            elapsed_ms = Empty,
                        );
                        let attempt_started = (!attempt_span.is_disabled()).then(Instant::now);
                        let sent = {
                            let this_try = match (first.take(), &copy) {
                                (Some(request), _) => request,
                                (None, Some(copy)) => copy.request()?,
                                // Unreachable: without a copy there is no second attempt.
                                (None, None) => {
                                    return Err(TransportError::new(TransportErrorKind::Other)
                                        .with_context("retry bookkeeping"));
                                }
                            };
                            self.inner.send(this_try)
                        };
                        let sent = sent.instrument(attempt_span.clone());
                        let outcome = deadline::run(timeout, sent).await;
                        let outcome = policy.check_attempt(outcome, &attempt_span, attempt_started);
                        match policy.retry_delay(&outcome, attempt - 1, options.get_resend()) {
                            Some(delay) => delay,
                            None => {
                                if let Some(started) = started {
                                    let span = tracing::Span::current();
                                    span.record("attempts", attempt);
                                    span.record("elapsed_ms", millis(started));
                                    if let Ok(response) = &outcome {
                                        span.record("status", response.status().as_u16());
                                    }
                                }
                                return outcome;
                            }
                        }
                    };
                    tracing::debug!(delay_ms = delay.as_millis() as u64, "retrying");
                    (policy.sleep)(delay).await;
                }
            }
            .instrument(span),
        )
    }
}

impl Policy {
    /// Applies the body cap to an attempt's outcome (a custom backend may ignore
    /// `BodyLimit`) and records it on the attempt's span.
    fn check_attempt(
        &self,
        outcome: Result<http::Response<Bytes>, TransportError>,
        span: &tracing::Span,
        started: Option<Instant>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let outcome = outcome.and_then(|response| {
            if response.body().len() > self.max_body_bytes {
                return Err(TransportError::new(TransportErrorKind::BodyTooLarge));
            }
            Ok(response)
        });
        if let Some(started) = started {
            span.record("elapsed_ms", millis(started));
        }
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
            }
            Err(error) => {
                tracing::debug!(parent: span, kind = ?error.kind(), may_have_been_sent = error.may_have_been_sent(), "attempt failed");
            }
        }
        outcome
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::from_fn;

    fn recorder() -> (Arc<Mutex<Vec<Duration>>>, Policy) {
        let sleeps = Arc::new(Mutex::new(Vec::new()));
        let log = sleeps.clone();
        let policy = Policy::default()
            .retry(RetryPolicy::default().jitter(0.0))
            .sleep(move |d| {
                log.lock().unwrap().push(d);
                std::future::ready(())
            });
        (sleeps, policy)
    }

    fn status(code: u16) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = StatusCode::from_u16(code).unwrap();
        response
    }

    fn post() -> http::Request<Bytes> {
        http::Request::post("http://127.0.0.1:9/v1/auth/oauth/exchange")
            .body(Bytes::from_static(br#"{"code":"x"}"#))
            .unwrap()
    }

    /// A transport answering `codes` in order (the last one repeats) and counting calls.
    fn scripted(codes: Vec<u16>) -> (Arc<AtomicUsize>, impl Transport) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let transport = from_fn(move |req: http::Request<Bytes>| {
            assert_eq!(
                req.body().as_ref(),
                br#"{"code":"x"}"#,
                "body resent intact"
            );
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let code = codes[n.min(codes.len() - 1)];
            async move { Ok(status(code)) }
        });
        (calls, transport)
    }

    #[tokio::test]
    async fn retryable_statuses_use_the_official_schedule() {
        for code in [503, 520, 521, 522, 524, 530] {
            let (sleeps, policy) = recorder();
            let (calls, inner) = scripted(vec![code]);
            let response = policy.wrap(inner).send(post()).await.unwrap();
            assert_eq!(response.status().as_u16(), code, "last response returned");
            assert_eq!(calls.load(Ordering::SeqCst), 4, "1 try + 3 retries");
            assert_eq!(
                *sleeps.lock().unwrap(),
                [
                    Duration::from_millis(100),
                    Duration::from_secs(5),
                    Duration::from_secs(5)
                ]
            );
        }
    }

    #[tokio::test]
    async fn success_after_retries_stops_retrying() {
        let (sleeps, policy) = recorder();
        let (calls, inner) = scripted(vec![503, 503, 200]);
        let response = policy.wrap(inner).send(post()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(sleeps.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn other_statuses_are_not_retried() {
        for code in [200, 302, 400, 401, 429, 500, 502, 504] {
            let (sleeps, policy) = recorder();
            let (calls, inner) = scripted(vec![code]);
            let response = policy.wrap(inner).send(post()).await.unwrap();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(calls.load(Ordering::SeqCst), 1, "status {code}");
            assert!(sleeps.lock().unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn jitter_only_lengthens_within_bounds() {
        let sleeps = Arc::new(Mutex::new(Vec::new()));
        let log = sleeps.clone();
        let policy = Policy::default()
            .retry(RetryPolicy::default().jitter(0.5))
            .sleep(move |d| {
                log.lock().unwrap().push(d);
                std::future::ready(())
            });
        let (_, inner) = scripted(vec![503]);
        policy.wrap(inner).send(post()).await.unwrap();
        let sleeps = sleeps.lock().unwrap();
        let base = [100u64, 5000, 5000];
        assert_eq!(sleeps.len(), 3);
        for (d, b) in sleeps.iter().zip(base) {
            let b = Duration::from_millis(b);
            assert!(*d >= b && *d <= b + b / 2, "{d:?} not in [{b:?}, 1.5x]");
        }
    }

    fn failing(sent: bool) -> (Arc<AtomicUsize>, impl Transport) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let transport = from_fn(move |_req| {
            seen.fetch_add(1, Ordering::SeqCst);
            let kind = if sent {
                TransportErrorKind::Io
            } else {
                TransportErrorKind::Connect
            };
            async move { Err(TransportError::new(kind).with_may_have_been_sent(sent)) }
        });
        (calls, transport)
    }

    #[tokio::test]
    async fn unsent_failures_are_retried_sent_ones_never() {
        let (sleeps, policy) = recorder();
        let (calls, inner) = failing(false);
        let err = policy.wrap(inner).send(post()).await.unwrap_err();
        assert!(err.is_connect() && !err.may_have_been_sent());
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(sleeps.lock().unwrap().len(), 3);

        let (sleeps, policy) = recorder();
        let (calls, inner) = failing(true);
        let err = policy.wrap(inner).send(post()).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Io);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a possibly-sent request is not resent"
        );
        assert!(sleeps.lock().unwrap().is_empty());

        let (_, policy) = recorder();
        let policy = policy.retry(RetryPolicy::default().retry_unsent_errors(false));
        let (calls, inner) = failing(false);
        policy.wrap(inner).send(post()).await.unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    fn with_options(options: RequestOptions) -> http::Request<Bytes> {
        let mut request = post();
        request.extensions_mut().insert(options);
        request
    }

    const UNSENT_ONLY: RequestOptions = RequestOptions::new().resend(Resend::UnsentOnly);
    const NEVER: RequestOptions = RequestOptions::new().resend(Resend::Never);

    #[tokio::test]
    async fn unsent_only_resends_statuses_that_never_reached_the_origin() {
        for (code, calls_expected) in [(520, 1), (524, 1), (503, 1), (521, 4), (522, 4), (530, 4)] {
            let (sleeps, policy) = recorder();
            let (calls, inner) = scripted(vec![code]);
            let response = policy
                .wrap(inner)
                .send(with_options(UNSENT_ONLY))
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(
                calls.load(Ordering::SeqCst),
                calls_expected,
                "status {code}"
            );
            assert_eq!(sleeps.lock().unwrap().len(), calls_expected - 1);
        }
    }

    #[tokio::test]
    async fn unsent_only_still_needs_the_status_in_the_retry_list() {
        for (statuses, calls_expected) in [(vec![503, 520], 1), (vec![523], 4)] {
            let (_, policy) = recorder();
            let statuses = statuses
                .into_iter()
                .map(|s| StatusCode::from_u16(s).unwrap());
            let policy = policy.retry(RetryPolicy::default().jitter(0.0).statuses(statuses));
            let (calls, inner) = scripted(vec![523]);
            policy
                .wrap(inner)
                .send(with_options(UNSENT_ONLY))
                .await
                .unwrap();
            assert_eq!(calls.load(Ordering::SeqCst), calls_expected);
        }
    }

    #[tokio::test]
    async fn unsent_only_resends_failures_that_sent_nothing() {
        let (_, policy) = recorder();
        let (calls, inner) = failing(false);
        let err = policy
            .wrap(inner)
            .send(with_options(UNSENT_ONLY))
            .await
            .unwrap_err();
        assert!(err.is_connect());
        assert_eq!(calls.load(Ordering::SeqCst), 4);

        let (sleeps, policy) = recorder();
        let (calls, inner) = failing(true);
        policy
            .wrap(inner)
            .send(with_options(UNSENT_ONLY))
            .await
            .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a reset may have spent it");
        assert!(sleeps.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn unsent_only_does_not_resend_a_rate_limited_request() {
        let (sleeps, policy) = recorder();
        let policy =
            policy.retry(RetryPolicy::default().retry_rate_limited(Duration::from_secs(5)));
        let (calls, inner) = rate_limited("2");
        let response = policy
            .wrap(inner)
            .send(with_options(UNSENT_ONLY))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the 429 reached Descope");
        assert!(sleeps.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn never_resends_nothing() {
        for code in [503, 521, 522, 530] {
            let (sleeps, policy) = recorder();
            let (calls, inner) = scripted(vec![code]);
            let response = policy.wrap(inner).send(with_options(NEVER)).await.unwrap();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(calls.load(Ordering::SeqCst), 1, "status {code}");
            assert!(sleeps.lock().unwrap().is_empty());
        }
        let (_, policy) = recorder();
        let (calls, inner) = failing(false);
        policy
            .wrap(inner)
            .send(with_options(NEVER))
            .await
            .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let (_, policy) = recorder();
        let policy =
            policy.retry(RetryPolicy::default().retry_rate_limited(Duration::from_secs(5)));
        let (calls, inner) = rate_limited("2");
        policy.wrap(inner).send(with_options(NEVER)).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalid_requests_are_not_retried() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let inner = from_fn(move |_req| {
            seen.fetch_add(1, Ordering::SeqCst);
            async {
                Err(TransportError::new(TransportErrorKind::InvalidRequest)
                    .with_may_have_been_sent(false))
            }
        });
        let (sleeps, policy) = recorder();
        let err = policy.wrap(inner).send(post()).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::InvalidRequest);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(sleeps.lock().unwrap().is_empty());
    }

    /// A transport that answers 200 after `delay`.
    fn answering_after(delay: Duration) -> impl Transport {
        from_fn(move |_req| async move {
            tokio::time::sleep(delay).await;
            Ok(status(200))
        })
    }

    #[tokio::test]
    async fn per_request_timeout_overrides_the_policy() {
        // Shorter than the policy's 60 s: fires. The outer bound keeps a failure quick.
        let options = RequestOptions::new().timeout(Duration::from_millis(50));
        let transport = Policy::default().wrap(answering_after(Duration::from_secs(3600)));
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            transport.send(with_options(options)),
        )
        .await
        .expect("the per-request timeout did not fire");
        assert!(outcome.unwrap_err().is_timeout());

        // No timeout for this request: the policy's 20 ms does not apply.
        let options = RequestOptions::new().no_timeout();
        let transport = Policy::default()
            .timeout(Duration::from_millis(20))
            .wrap(answering_after(Duration::from_millis(200)));
        let response = transport.send(with_options(options)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);

        let policy = Policy::default().timeout(Duration::from_secs(7));
        assert_eq!(
            RequestOptions::new().effective_timeout(&policy),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            RequestOptions::new()
                .no_timeout()
                .effective_timeout(&policy),
            None
        );
    }

    #[tokio::test]
    async fn never_policy_sends_once() {
        let (_, policy) = recorder();
        let (calls, inner) = scripted(vec![503]);
        let response = policy
            .retry(RetryPolicy::never())
            .wrap(inner)
            .send(post())
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    fn rate_limited(retry_after_value: &'static str) -> (Arc<AtomicUsize>, impl Transport) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let transport = from_fn(move |_req| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    let mut response = status(429);
                    response.headers_mut().insert(
                        http::header::RETRY_AFTER,
                        http::HeaderValue::from_static(retry_after_value),
                    );
                    Ok(response)
                } else {
                    Ok(status(200))
                }
            }
        });
        (calls, transport)
    }

    #[tokio::test]
    async fn rate_limit_retry_is_opt_in_and_capped() {
        // Default: surfaced, not retried.
        let (sleeps, policy) = recorder();
        let (calls, inner) = rate_limited("2");
        let response = policy.wrap(inner).send(post()).await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            retry_after(response.headers(), SystemTime::now()),
            Some(Duration::from_secs(2))
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(sleeps.lock().unwrap().is_empty());

        // Opted in: waits exactly Retry-After.
        let (sleeps, policy) = recorder();
        let policy =
            policy.retry(RetryPolicy::default().retry_rate_limited(Duration::from_secs(5)));
        let (calls, inner) = rate_limited("2");
        let response = policy.wrap(inner).send(post()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(*sleeps.lock().unwrap(), [Duration::from_secs(2)]);

        // Asking for longer than the cap, or not saying: returned as is.
        for value in ["60", "soon"] {
            let (sleeps, policy) = recorder();
            let policy =
                policy.retry(RetryPolicy::default().retry_rate_limited(Duration::from_secs(5)));
            let (calls, inner) = rate_limited(value);
            let response = policy.wrap(inner).send(post()).await.unwrap();
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(calls.load(Ordering::SeqCst), 1);
            assert!(sleeps.lock().unwrap().is_empty());
        }
    }

    #[test]
    fn retry_after_parses_both_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 2044 08:49:07 GMT").unwrap();
        let mut headers = http::HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        for (value, expected) in [
            ("0", Some(Duration::ZERO)),
            (" 120 ", Some(Duration::from_secs(120))),
            (
                "Sun, 06 Nov 2044 08:49:37 GMT",
                Some(Duration::from_secs(30)),
            ),
            (
                "Sunday, 06-Nov-44 08:49:37 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Sun, 06 Nov 2044 08:00:00 GMT", Some(Duration::ZERO)),
            ("-5", None),
            ("1.5", None),
            ("", None),
            ("tomorrow", None),
            ("99999999999999999999999", None),
        ] {
            headers.insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_str(value).unwrap(),
            );
            assert_eq!(retry_after(&headers, now), expected, "{value:?}");
        }
    }

    #[tokio::test]
    async fn body_cap_holds_even_for_transports_that_ignore_it() {
        let inner = from_fn(|req: http::Request<Bytes>| {
            assert_eq!(BodyLimit::of(&req), 8, "policy passes its cap down");
            async { Ok(http::Response::new(Bytes::from_static(b"123456789"))) }
        });
        let err = Policy::default()
            .max_body_bytes(8)
            .wrap(inner)
            .send(post())
            .await
            .unwrap_err();
        assert!(err.is_body_too_large());
    }

    #[tokio::test]
    async fn timeout_is_per_attempt_and_not_retried() {
        let (calls, inner) = {
            let calls = Arc::new(AtomicUsize::new(0));
            let seen = calls.clone();
            let t = from_fn(move |_req| {
                seen.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(status(200))
                }
            });
            (calls, t)
        };
        let (sleeps, policy) = recorder();
        let err = policy
            .timeout(Duration::from_millis(50))
            .wrap(inner)
            .send(post())
            .await
            .unwrap_err();
        assert!(err.is_timeout());
        assert!(err.may_have_been_sent());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(sleeps.lock().unwrap().is_empty());
    }
}
