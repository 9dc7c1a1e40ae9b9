//! 1 KiB JSON POST on loopback: each backend with and without the policy against the same
//! client used bare (hyper-util, reqwest), sending identical bytes, all measured in this
//! one run.
//!
//! Run: `cargo bench -p descope-transport --all-features`. Prints each row's sequential p50
//! latency and 64-caller throughput, as ratios against its bare client. Machines running
//! other work drift from one moment to the next, so the ratios compare measurements taken
//! side by side: p50 in rounds that rotate who goes first, throughput in windows that each
//! sit between two windows of the baseline; the median round is reported. Every subject
//! gets new clients (new connections) several times per run, so where one connection's
//! tasks happened to land does not bias a whole row.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use descope_transport::{HyperTransport, Policy, ReqwestTransport, Transport};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;

const WARMUP: usize = 1_000;
const ROUNDS: usize = 30;
const PER_ROUND: usize = 1_000;
const CALLERS: usize = 64;
const THROUGHPUT_ROUNDS: usize = 30;
const THROUGHPUT_WINDOW: Duration = Duration::from_millis(250);
/// New clients (and connections) for every subject this many times per run.
const EPOCHS: usize = 10;

const RESPONSE: &[u8] = br#"{"sessionJwt":"eyJhbGciOiJSUzI1NiIsImtpZCI6IlAyYWJjIn0.eyJzdWIiOiJVMmFiYyJ9.c2ln","refreshJwt":"","cookieDomain":"","cookiePath":"/","cookieMaxAge":2592000,"cookieExpiration":1767225600,"firstSeen":false}"#;

#[derive(Clone)]
enum Subject {
    BareHyper(Client<HttpConnector, Full<Bytes>>),
    BareReqwest(reqwest::Client),
    Sdk(Arc<dyn Transport>),
}

impl Subject {
    async fn call(&self, request: http::Request<Bytes>) -> usize {
        match self {
            Subject::BareHyper(client) => {
                let response = client.request(request.map(Full::new)).await.unwrap();
                assert!(response.status().is_success());
                let body = response.into_body().collect().await.unwrap().to_bytes();
                body.len()
            }
            Subject::BareReqwest(client) => {
                let request = reqwest::Request::try_from(request).unwrap();
                let response = client.execute(request).await.unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap().len()
            }
            Subject::Sdk(transport) => {
                let response = transport.send(request).await.unwrap();
                assert!(response.status().is_success());
                response.body().len()
            }
        }
    }
}

const PROJECT_ID: &str = "P2abcdefghijklmnopqrstuvwxyz12";

/// What every request is made from: the same bytes on the wire for every subject.
#[derive(Clone)]
struct Call {
    url: String,
    /// The constant headers, built once as `descope-flows` builds its client's (static
    /// names; `accept` because reqwest would add it itself).
    headers: HeaderMap,
    body: Bytes,
}

impl Call {
    /// A request built as an SDK call builds it: the URI, `authorization` and the body made
    /// per call (an SDK call serializes its own body; one `Bytes` shared by every caller
    /// would turn each clone of it into an atomic update on a line both cores fight over),
    /// the constant headers cloned from the client's map.
    fn request(&self) -> http::Request<Bytes> {
        let mut request = http::Request::new(Bytes::copy_from_slice(&self.body));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.url.clone().try_into().unwrap();
        let headers = request.headers_mut();
        headers.extend(self.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
        let bearer = HeaderValue::from_str(&format!("Bearer {PROJECT_ID}")).unwrap();
        headers.insert(AUTHORIZATION, bearer);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        request
    }
}

fn sdk_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
    headers.insert("x-descope-sdk-name", HeaderValue::from_static("rust"));
    headers.insert("x-descope-sdk-version", HeaderValue::from_static("0.1.0"));
    headers.insert(
        "x-descope-project-id",
        HeaderValue::from_str(PROJECT_ID).unwrap(),
    );
    headers
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

async fn latencies(subject: &Subject, call: &Call, n: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let len = subject.call(call.request()).await;
        out.push(started.elapsed());
        assert_eq!(len, RESPONSE.len());
    }
    out
}

async fn throughput(subject: &Subject, call: &Call) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (subject, call) = (subject.clone(), call.clone());
            let (done, stop) = (done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    subject.call(call.request()).await;
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    values[values.len() / 2]
}

fn p50(mut samples: Vec<Duration>) -> f64 {
    samples.sort_unstable();
    samples[samples.len() / 2].as_secs_f64()
}

struct Row {
    name: &'static str,
    subject: Subject,
    /// The row this one is compared with: the same backend, bare.
    baseline: usize,
    /// Whether the targets apply (backend + default policy); the other rows split the cost.
    target: bool,
}

/// The subjects, each with its own new client (and so new connections).
fn rows() -> Vec<Row> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let bare_hyper = Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .build(connector);
    // Configured as `ReqwestTransport::new` configures its client.
    let bare_reqwest = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(descope_transport::DEFAULT_CONNECT_TIMEOUT)
        .build()
        .unwrap();
    let sdk = |transport: Arc<dyn Transport>| Subject::Sdk(transport);
    let hyper = || HyperTransport::new().unwrap();
    let reqwest = || ReqwestTransport::new().unwrap();
    vec![
        Row {
            name: "bare hyper-util",
            subject: Subject::BareHyper(bare_hyper),
            baseline: 0,
            target: false,
        },
        Row {
            name: "hyper + policy",
            subject: sdk(Arc::new(Policy::default().wrap(hyper()))),
            baseline: 0,
            target: true,
        },
        Row {
            name: "hyper, no policy",
            subject: sdk(Arc::new(hyper())),
            baseline: 0,
            target: false,
        },
        Row {
            name: "hyper + policy, no timeout",
            subject: sdk(Arc::new(Policy::default().no_timeout().wrap(hyper()))),
            baseline: 0,
            target: false,
        },
        Row {
            name: "bare reqwest",
            subject: Subject::BareReqwest(bare_reqwest),
            baseline: 4,
            target: false,
        },
        Row {
            name: "reqwest + policy",
            subject: sdk(Arc::new(Policy::default().wrap(reqwest()))),
            baseline: 4,
            target: true,
        },
        Row {
            name: "reqwest, no policy",
            subject: sdk(Arc::new(reqwest())),
            baseline: 4,
            target: false,
        },
    ]
}

async fn run(addr: SocketAddr) {
    let call = Call {
        url: format!("http://{addr}/v1/auth/refresh"),
        headers: sdk_headers(),
        body: one_kib_json(),
    };

    // Names and baselines; each epoch below makes its own clients.
    let table = rows();
    let n = table.len();
    let mut p50s = vec![Vec::new(); n];
    let mut p50_ratios = vec![Vec::new(); n];
    let mut rates = vec![Vec::new(); n];
    let mut rate_ratios = vec![Vec::new(); n];
    // Each subject's connections land on whichever worker threads they land on, and a
    // connection whose tasks share a thread answers faster for as long as it lives: a bias
    // of a few percent that would follow one subject through the whole run. So every epoch
    // starts from new clients, and the medians run over all epochs' rounds.
    for epoch in 0..EPOCHS {
        let rows = rows();
        for row in &rows {
            latencies(&row.subject, &call, WARMUP).await;
            throughput(&row.subject, &call).await;
        }
        // Interleaved rounds, rotating who goes first; each round compares every row with its
        // baseline from the same round, so load from other processes on a shared machine
        // shifts both sides of a ratio alike.
        for round in 0..ROUNDS / EPOCHS {
            let mut this_round = vec![0.0; n];
            for i in (0..n).map(|k| (k + round + epoch) % n) {
                this_round[i] = p50(latencies(&rows[i].subject, &call, PER_ROUND).await);
            }
            for (i, row) in rows.iter().enumerate() {
                p50s[i].push(this_round[i]);
                p50_ratios[i].push(this_round[i] / this_round[row.baseline]);
            }
        }
        // Throughput drifts with the load from other processes, so each window of a row sits
        // between two windows of its baseline and is compared with their mean.
        for round in 0..THROUGHPUT_ROUNDS / EPOCHS {
            for b in (0..n).filter(|&b| rows[b].baseline == b) {
                let others: Vec<usize> = (0..n)
                    .filter(|&i| rows[i].baseline == b && i != b)
                    .collect();
                let mut before = throughput(&rows[b].subject, &call).await;
                rates[b].push(before);
                for k in 0..others.len() {
                    let i = others[(k + round + epoch) % others.len()];
                    let rate = throughput(&rows[i].subject, &call).await;
                    let after = throughput(&rows[b].subject, &call).await;
                    rates[i].push(rate);
                    rates[b].push(after);
                    rate_ratios[i].push(2.0 * rate / (before + after));
                    before = after;
                }
            }
        }
    }
    let rows = table;

    println!(
        "1 KiB JSON POST over loopback. p50: {PER_ROUND} sequential requests, {ROUNDS} rounds \
         rotating who goes first, ratio to the baseline's p50 in the same round. req/s: \
         {CALLERS} callers for {THROUGHPUT_WINDOW:?}, {THROUGHPUT_ROUNDS} rounds, ratio to the \
         mean of the baseline's windows just before and after. New clients {EPOCHS} times. \
         Medians over the rounds."
    );
    println!(
        "{:<28} {:<16} {:>9} {:>10} {:>9} {:>12}",
        "subject", "against", "p50 (us)", "p50 ratio", "req/s", "req/s ratio"
    );
    for (i, row) in rows.iter().enumerate() {
        let is_baseline = row.baseline == i;
        let p50_ratio = median(p50_ratios[i].clone());
        let rate_ratio = if is_baseline {
            1.0
        } else {
            median(rate_ratios[i].clone())
        };
        let verdict = if is_baseline {
            "baseline"
        } else if !row.target {
            "(splits the cost)"
        } else if p50_ratio <= 1.05 && rate_ratio >= 0.95 {
            "meets targets (p50 <= 1.05x, req/s >= 0.95x)"
        } else {
            "MISSES a target (p50 <= 1.05x, req/s >= 0.95x)"
        };
        println!(
            "{:<28} {:<16} {:>9.1} {:>9.3}x {:>9.0} {:>11.3}x  {verdict}",
            row.name,
            rows[row.baseline].name,
            median(p50s[i].clone()) * 1e6,
            p50_ratio,
            median(rates[i].clone()),
            rate_ratio,
        );
    }
    // Context: the two bare clients against each other.
    println!(
        "bare reqwest / bare hyper-util req/s: {:.3}x",
        median(rates[4].clone()) / median(rates[0].clone())
    );
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
