//! 1 KiB JSON POST on loopback: reqwest + policy and hyper + policy against a bare
//! hyper-util client sending identical bytes, all measured in this one run.
//!
//! Run: `cargo bench -p descope-transport --all-features`. Prints sequential p50 latency
//! and 64-caller throughput for each, with ratios against bare hyper.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use descope_transport::{HyperTransport, Policy, ReqwestTransport, Transport};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;

const WARMUP: usize = 2_000;
const ROUNDS: usize = 5;
const PER_ROUND: usize = 2_000;
const CALLERS: usize = 64;
const THROUGHPUT_ROUNDS: usize = 5;
const THROUGHPUT_WINDOW: Duration = Duration::from_secs(1);

const RESPONSE: &[u8] = br#"{"sessionJwt":"eyJhbGciOiJSUzI1NiIsImtpZCI6IlAyYWJjIn0.eyJzdWIiOiJVMmFiYyJ9.c2ln","refreshJwt":"","cookieDomain":"","cookiePath":"/","cookieMaxAge":2592000,"cookieExpiration":1767225600,"firstSeen":false}"#;

#[derive(Clone)]
enum Subject {
    Bare(Client<HttpConnector, Full<Bytes>>),
    Sdk(Arc<dyn Transport>),
}

impl Subject {
    async fn call(&self, request: http::Request<Bytes>) -> usize {
        match self {
            Subject::Bare(client) => {
                let response = client.request(request.map(Full::new)).await.unwrap();
                assert!(response.status().is_success());
                let body = response.into_body().collect().await.unwrap().to_bytes();
                body.len()
            }
            Subject::Sdk(transport) => {
                let response = transport.send(request).await.unwrap();
                assert!(response.status().is_success());
                response.body().len()
            }
        }
    }
}

/// The same bytes on the wire for every subject (reqwest would add `accept: */*` itself).
fn request(url: &str, body: &Bytes) -> http::Request<Bytes> {
    http::Request::post(url)
        .header("accept", "*/*")
        .header("content-type", "application/json")
        .header("authorization", "Bearer P2abcdefghijklmnopqrstuvwxyz12")
        .header("x-descope-project-id", "P2abcdefghijklmnopqrstuvwxyz12")
        .header("x-descope-sdk-name", "rust")
        .header("x-descope-sdk-version", "0.1.0")
        .body(body.clone())
        .unwrap()
}

fn one_kib_json() -> Bytes {
    let mut json =
        String::from(r#"{"loginId":"bench@example.com","loginOptions":{"customClaims":{"pad":""#);
    let tail = r#""}}}"#;
    let pad = 1024 - json.len() - tail.len();
    json.push_str(&"x".repeat(pad));
    json.push_str(tail);
    assert_eq!(json.len(), 1024);
    Bytes::from(json)
}

async fn serve(listener: TcpListener) {
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        stream.set_nodelay(true).unwrap();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                |req: http::Request<hyper::body::Incoming>| async move {
                    let body = req
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes().len())
                        .unwrap_or(0);
                    assert_eq!(body, 1024);
                    let response = http::Response::builder()
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from_static(RESPONSE)))
                        .unwrap();
                    Ok::<_, Infallible>(response)
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn latencies(subject: &Subject, url: &str, body: &Bytes, n: usize, out: &mut Vec<Duration>) {
    for _ in 0..n {
        let started = Instant::now();
        let len = subject.call(request(url, body)).await;
        out.push(started.elapsed());
        assert_eq!(len, RESPONSE.len());
    }
}

async fn throughput(subject: &Subject, url: &str, body: &Bytes) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (subject, url, body) = (subject.clone(), url.to_owned(), body.clone());
            let (done, stop) = (done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    subject.call(request(&url, &body)).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    tokio::time::sleep(THROUGHPUT_WINDOW).await;
    let count = done.load(Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.unwrap();
    }
    count as f64 / elapsed.as_secs_f64()
}

fn p50(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

async fn run(addr: SocketAddr) {
    let url = format!("http://{addr}/v1/auth/refresh");
    let body = one_kib_json();

    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let bare = Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .build(connector);
    let subjects = [
        ("bare hyper-util", Subject::Bare(bare)),
        (
            "hyper + policy",
            Subject::Sdk(Arc::new(
                Policy::default().wrap(HyperTransport::new().unwrap()),
            )),
        ),
        (
            "hyper, no policy",
            Subject::Sdk(Arc::new(HyperTransport::new().unwrap())),
        ),
        (
            "hyper + policy, no timeout",
            Subject::Sdk(Arc::new(
                Policy::default()
                    .no_timeout()
                    .wrap(HyperTransport::new().unwrap()),
            )),
        ),
        (
            "reqwest + policy",
            Subject::Sdk(Arc::new(
                Policy::default().wrap(ReqwestTransport::new().unwrap()),
            )),
        ),
    ];

    for (_, subject) in &subjects {
        latencies(subject, &url, &body, WARMUP, &mut Vec::new()).await;
    }
    // Interleaved rounds, rotating who goes first, so drift on a shared machine hits every subject alike.
    let mut samples = vec![Vec::with_capacity(ROUNDS * PER_ROUND); subjects.len()];
    let n = subjects.len();
    for round in 0..ROUNDS {
        for i in (0..n).map(|k| (k + round) % n) {
            latencies(&subjects[i].1, &url, &body, PER_ROUND, &mut samples[i]).await;
        }
    }
    let medians: Vec<Duration> = samples.iter_mut().map(|s| p50(s)).collect();

    let mut rates = vec![0.0; subjects.len()];
    for round in 0..THROUGHPUT_ROUNDS {
        for i in (0..n).map(|k| (k + round) % n) {
            rates[i] += throughput(&subjects[i].1, &url, &body).await / THROUGHPUT_ROUNDS as f64;
        }
    }

    println!(
        "1 KiB JSON POST over loopback, {} sequential requests each (p50), {CALLERS} callers x {THROUGHPUT_ROUNDS} x {:?} (throughput)",
        ROUNDS * PER_ROUND,
        THROUGHPUT_WINDOW
    );
    println!(
        "{:<28} {:>9} {:>10} {:>11} {:>12}",
        "subject", "p50 (us)", "p50 ratio", "req/s", "req/s ratio"
    );
    for (i, (name, _)) in subjects.iter().enumerate() {
        let latency_ratio = medians[i].as_secs_f64() / medians[0].as_secs_f64();
        let rate_ratio = rates[i] / rates[0];
        let verdict = if i == 0 {
            "baseline"
        } else if latency_ratio <= 1.10 && rate_ratio >= 0.90 {
            "meets targets (p50 <= 1.10x, throughput >= 0.90x)"
        } else {
            "MISSES a target (p50 <= 1.10x, throughput >= 0.90x)"
        };
        println!(
            "{:<28} {:>9.1} {:>9.3}x {:>11.0} {:>11.3}x  {verdict}",
            name,
            medians[i].as_secs_f64() * 1e6,
            latency_ratio,
            rates[i],
            rate_ratio
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener));
        run(addr).await;
    });
}
