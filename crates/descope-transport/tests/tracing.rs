//! The policy layer's spans carry method, path, status, attempt and timing, never secrets.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use descope_transport::{Policy, RetryPolicy, Transport, from_fn};
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_describe_requests_without_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let inner = from_fn(move |_req| {
        let first = seen.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            let mut response = http::Response::new(Bytes::from_static(b"SECRET-RESPONSE"));
            *response.status_mut() = if first {
                http::StatusCode::SERVICE_UNAVAILABLE
            } else {
                http::StatusCode::OK
            };
            response.headers_mut().insert(
                "set-cookie",
                http::HeaderValue::from_static("DSR=SECRET-COOKIE"),
            );
            Ok(response)
        }
    });
    let client = Policy::default()
        .retry(RetryPolicy::default().jitter(0.0))
        .sleep(|_| std::future::ready(()))
        .wrap(inner);
    let request =
        http::Request::post("https://api.descope.com/v1/auth/oauth/exchange?code=SECRET-QUERY")
            .header("authorization", "Bearer P2abc:SECRET-HEADER")
            .body(Bytes::from_static(b"{\"code\":\"SECRET-BODY\"}"))
            .unwrap();
    let response = client.send(request).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "descope.http",
        "descope.http.attempt",
        "method=POST",
        "path=\"/v1/auth/oauth/exchange\"",
        "attempt=1",
        "attempt=2",
        "status=503",
        "status=200",
        "attempts=2",
        "elapsed_ms=",
    ] {
        assert!(
            output.contains(expected),
            "missing {expected:?} in:\n{output}"
        );
    }
    assert!(
        !output.contains("SECRET"),
        "a secret leaked into traces:\n{output}"
    );
}
