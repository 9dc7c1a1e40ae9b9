//! One behaviour suite, run against every transport on a real loopback server.
//!
//! Each scenario takes a factory for the raw backend and wraps it in the same [`Policy`]
//! (instant recording sleep, no jitter), so reqwest, hyper and a user-written closure
//! backend must all behave identically.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use descope_transport::{
    Policy, RequestOptions, Resend, RetryPolicy, Transport, TransportError, TransportErrorKind,
    retry_after,
};
use support::server::{RETRY_AT, TestServer, closed_port_url, pattern};

type Make = fn() -> Arc<dyn Transport>;

struct Harness {
    server: TestServer,
    policy: Policy,
    client: Arc<dyn Transport>,
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl Harness {
    async fn new(make: Make, tweak: impl FnOnce(Policy) -> Policy) -> Self {
        let sleeps = Arc::new(Mutex::new(Vec::new()));
        let log = sleeps.clone();
        let policy = tweak(
            Policy::default()
                // A hung backend fails the test in seconds, not a minute.
                .timeout(Duration::from_secs(10))
                .retry(RetryPolicy::default().jitter(0.0))
                .sleep(move |d| {
                    log.lock().unwrap().push(d);
                    std::future::ready(())
                }),
        );
        Self {
            server: TestServer::start().await,
            client: Arc::new(policy.clone().wrap(make())),
            policy,
            sleeps,
        }
    }

    async fn get(&self, path: &str) -> Result<http::Response<Bytes>, TransportError> {
        self.get_url(self.server.url(path), RequestOptions::new())
            .await
    }

    async fn get_url(
        &self,
        url: String,
        options: RequestOptions,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let mut request = http::Request::get(url).body(Bytes::new()).unwrap();
        request.extensions_mut().insert(options);
        self.client.send(request).await
    }

    fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }

    /// The retry delays slept since the last call.
    fn take_sleeps(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.sleeps.lock().unwrap())
    }
}

fn official_delays(n: usize) -> Vec<Duration> {
    [100, 5000, 5000][..n]
        .iter()
        .map(|ms| Duration::from_millis(*ms))
        .collect()
}

mod scenarios {
    use super::*;

    pub async fn round_trip(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let body = Bytes::from_static(b"{\"code\":\"123456\"}\x00\xff");
        let request = http::Request::post(h.server.url("/echo?code=abc&x=1"))
            .header("x-probe", "hello")
            .header("content-type", "application/json")
            .body(body.clone())
            .unwrap();
        let response = h.client.send(request).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::CREATED);
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("x-seen-method"), "POST");
        assert_eq!(header("x-seen-probe"), "hello");
        assert_eq!(header("x-seen-query"), "code=abc&x=1");
        assert_eq!(header("content-type"), "application/octet-stream");
        assert_eq!(response.body(), &body);

        let response = h.get("/echo").await.unwrap();
        assert_eq!(response.status(), http::StatusCode::CREATED);
        assert_eq!(response.headers()["x-seen-method"], "GET");
        assert!(response.body().is_empty());
        assert_eq!(h.server.hits("/echo"), 2);
    }

    pub async fn redirect_not_followed(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let response = h.get("/redirect").await.unwrap();
        assert_eq!(response.status(), http::StatusCode::FOUND);
        assert_eq!(response.headers()["location"], "/echo");
        assert_eq!(h.server.hits("/echo"), 0);
    }

    pub async fn large_body(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let n = 3_000_000;
        let response = h.get(&format!("/big?n={n}")).await.unwrap();
        let body = response.body();
        assert_eq!(body.len(), n);
        assert!(body.iter().enumerate().all(|(i, b)| *b == pattern(i)));
    }

    pub async fn chunked_body(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let response = h.get("/chunked").await.unwrap();
        assert!(response.headers().get("content-length").is_none());
        let body = response.body();
        assert_eq!(body.len(), 97 * (1..=64).sum::<usize>());
        assert!(body.iter().enumerate().all(|(i, b)| *b == pattern(i)));
    }

    pub async fn slower_than_timeout(make: Make) {
        let h = Harness::new(make, |p| p.timeout(Duration::from_millis(300))).await;
        let err = h.get("/slow").await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(err.may_have_been_sent());
        assert_eq!(
            h.server.hits("/slow"),
            1,
            "a timed-out request is not resent"
        );
        assert!(h.sleeps().is_empty());
    }

    pub async fn reset_mid_body(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let err = h.get("/reset").await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
        assert!(err.may_have_been_sent());
        assert_eq!(h.server.hits("/reset"), 1);
    }

    pub async fn truncated_body(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let err = h.get("/truncated").await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
        assert!(err.may_have_been_sent());
        assert_eq!(h.server.hits("/truncated"), 1);
    }

    pub async fn closed_without_answer(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let err = h.get("/close").await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
        assert!(err.may_have_been_sent(), "the server read the request");
        assert_eq!(
            h.server.hits("/close"),
            1,
            "never resent: it may have been acted on"
        );
        assert!(h.sleeps().is_empty());
    }

    pub async fn invalid_response(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let err = h.get("/garbage").await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::InvalidResponse, "{err:?}");
        assert_eq!(h.server.hits("/garbage"), 1);
    }

    pub async fn connection_refused_is_retried(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let request = http::Request::get(closed_port_url().await)
            .body(Bytes::new())
            .unwrap();
        let err = h.client.send(request).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        assert!(!err.may_have_been_sent());
        assert_eq!(
            h.sleeps(),
            official_delays(3),
            "nothing was sent: safe to retry"
        );
    }

    pub async fn relative_uri_is_invalid_request(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let request = http::Request::get("/echo").body(Bytes::new()).unwrap();
        let err = h.client.send(request).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::InvalidRequest, "{err:?}");
        assert!(!err.may_have_been_sent());
        assert!(h.sleeps().is_empty(), "it would fail the same way again");
    }

    pub async fn unsent_only_resends_what_never_reached_origin(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let once = RequestOptions::new().resend(Resend::UnsentOnly);
        // The origin may have acted on these: a one-time code must not be spent twice.
        for code in [503u16, 520, 524] {
            let path = format!("/status/{code}");
            let response = h.get_url(h.server.url(&path), once).await.unwrap();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(h.server.hits(&path), 1, "{code} was resent");
            assert!(h.take_sleeps().is_empty());
        }
        // The gateway says the origin never saw these.
        for code in [521u16, 522, 530] {
            let path = format!("/status/{code}");
            let response = h.get_url(h.server.url(&path), once).await.unwrap();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(h.server.hits(&path), 4, "{code}: 1 try + 3 retries");
            assert_eq!(h.take_sleeps(), official_delays(3));
        }
        let err = h.get_url(closed_port_url().await, once).await.unwrap_err();
        assert!(err.is_connect() && !err.may_have_been_sent(), "{err:?}");
        assert_eq!(h.take_sleeps(), official_delays(3), "nothing was sent");
        // Reset mid-exchange: the origin may have acted on it.
        let err = h.get_url(h.server.url("/reset"), once).await.unwrap_err();
        assert!(err.may_have_been_sent(), "{err:?}");
        assert_eq!(h.server.hits("/reset"), 1);
        assert!(h.take_sleeps().is_empty());
    }

    pub async fn never_resends_anything(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let never = RequestOptions::new().resend(Resend::Never);
        for code in [503u16, 521, 522, 530] {
            let path = format!("/status/{code}");
            let response = h.get_url(h.server.url(&path), never).await.unwrap();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(h.server.hits(&path), 1, "{code} was resent");
        }
        let err = h.get_url(closed_port_url().await, never).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        assert!(h.sleeps().is_empty());
    }

    pub async fn per_request_timeout_overrides_policy(make: Make) {
        // The policy allows 10 s and `/slow` answers after 5 s: only the override fails it.
        let h = Harness::new(make, |p| p).await;
        let options = RequestOptions::new().timeout(Duration::from_millis(300));
        let started = Instant::now();
        let err = h.get_url(h.server.url("/slow"), options).await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "timed out after {:?}",
            started.elapsed()
        );
        assert_eq!(h.server.hits("/slow"), 1);
        assert!(h.sleeps().is_empty());
    }

    pub async fn unavailable_twice_then_ok(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let response = h.get("/flaky").await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        assert_eq!(response.body().as_ref(), b"ok");
        assert_eq!(h.server.hits("/flaky"), 3);
        assert_eq!(h.sleeps(), official_delays(2));
    }

    pub async fn rate_limited_seconds_surfaced(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let response = h.get("/ratelimit-seconds").await.unwrap();
        assert_eq!(response.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            retry_after(response.headers(), SystemTime::now()),
            Some(Duration::from_secs(2))
        );
        assert_eq!(h.server.hits("/ratelimit-seconds"), 1, "429 is not retried");
        assert!(h.sleeps().is_empty());
    }

    #[derive(Debug, Clone, Copy)]
    struct FixedClock(SystemTime);

    impl descope_types::Clock for FixedClock {
        fn now(&self) -> SystemTime {
            self.0
        }
    }

    pub async fn rate_limited_date_surfaced(make: Make) {
        let at = httpdate::parse_http_date(RETRY_AT).unwrap();
        let clock = FixedClock(at - Duration::from_secs(30));
        let h = Harness::new(make, move |p| p.clock(clock)).await;
        let response = h.get("/ratelimit-date").await.unwrap();
        assert_eq!(response.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            retry_after(response.headers(), h.policy.now()),
            Some(Duration::from_secs(30))
        );
        assert_eq!(h.server.hits("/ratelimit-date"), 1);
        assert!(h.sleeps().is_empty());
    }

    pub async fn rate_limited_retry_opt_in(make: Make) {
        let h = Harness::new(make, |p| {
            p.retry(
                RetryPolicy::default()
                    .jitter(0.0)
                    .retry_rate_limited(Duration::from_secs(10)),
            )
        })
        .await;
        let response = h.get("/ratelimit-once").await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        assert_eq!(h.server.hits("/ratelimit-once"), 2);
        assert_eq!(h.sleeps(), [Duration::from_secs(2)]);
    }

    pub async fn body_over_cap(make: Make) {
        let cap = 64 * 1024;
        let h = Harness::new(make, |p| p.max_body_bytes(cap)).await;
        assert_eq!(
            h.get(&format!("/big?n={cap}")).await.unwrap().body().len(),
            cap
        );
        let err = h.get(&format!("/big?n={}", cap + 1)).await.unwrap_err();
        assert!(err.is_body_too_large(), "{err:?}");

        // No length announced and no end: only a streaming cap stops this.
        let err = h.get("/endless").await.unwrap_err();
        assert!(err.is_body_too_large(), "{err:?}");
        let written = h.server.endless_written().await;
        assert!(
            written < 64 << 20,
            "the client kept reading {written} bytes past a {cap}-byte cap"
        );
        assert!(h.sleeps().is_empty());
    }

    pub async fn hundred_concurrent(make: Make) {
        let h = Harness::new(make, |p| p).await;
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let client = h.client.clone();
                let url = h.server.url("/echo");
                tokio::spawn(async move {
                    let body = Bytes::from(format!("request {i}").repeat(i + 1));
                    let request = http::Request::post(url).body(body.clone()).unwrap();
                    let response = client.send(request).await.unwrap();
                    assert_eq!(response.status(), http::StatusCode::CREATED);
                    assert_eq!(response.body(), &body);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(h.server.hits("/echo"), 100);
    }

    pub async fn keep_alive(make: Make) {
        let h = Harness::new(make, |p| p).await;
        for _ in 0..50 {
            let response = h.get("/echo").await.unwrap();
            assert_eq!(response.status(), http::StatusCode::CREATED);
        }
        assert_eq!(h.server.hits("/echo"), 50);
        // hyper-util returns a connection to its pool from a separate task, and a checkout
        // that finds none idle races a fresh connect: an occasional extra connection is
        // expected, one per request is not.
        let connections = h.server.connections();
        assert!(
            connections <= 10,
            "{connections} connections for 50 sequential requests: no reuse"
        );
    }
}

macro_rules! conformance {
    ($backend:ident, $make:expr) => {
        mod $backend {
            use super::*;

            fn make() -> Arc<dyn Transport> {
                Arc::new($make)
            }

            conformance!(@tests
                round_trip,
                redirect_not_followed,
                large_body,
                chunked_body,
                slower_than_timeout,
                reset_mid_body,
                truncated_body,
                closed_without_answer,
                invalid_response,
                connection_refused_is_retried,
                relative_uri_is_invalid_request,
                unsent_only_resends_what_never_reached_origin,
                never_resends_anything,
                per_request_timeout_overrides_policy,
                unavailable_twice_then_ok,
                rate_limited_seconds_surfaced,
                rate_limited_date_surfaced,
                rate_limited_retry_opt_in,
                body_over_cap,
                hundred_concurrent,
                keep_alive
            );
        }
    };
    (@tests $($scenario:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                scenarios::$scenario(make).await;
            }
        )*
    };
}

#[cfg(feature = "reqwest")]
conformance!(reqwest, descope_transport::ReqwestTransport::new().unwrap());
#[cfg(feature = "hyper")]
conformance!(hyper, descope_transport::HyperTransport::new().unwrap());
conformance!(closure, support::closure::closure_transport());
