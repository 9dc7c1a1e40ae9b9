//! TOTP verify through the client vs a bare hyper request with the same bytes, against the
//! emulator on loopback; p50 ratio per client backend (target ≤ 1.15×).
//!
//! Each iteration is a *successful* verify: the emulator refuses a replayed TOTP step, so
//! before each (untimed) the emulator's clock and the client's clock move 30 s forward and
//! a fresh code is computed. Client and bare requests alternate, so drift hits both alike;
//! the samples are grouped in rounds and the median of the rounds' p50 ratios is reported,
//! so a burst of load from another process skews one round, not the result. Both sides run
//! in a task on the runtime's workers, as calls from a server's handlers do.
//!
//! Run: `cargo bench -p descope-flows --bench totp`

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{Client, Clock};
use descope_transport::{HyperTransport, ReqwestTransport, Transport};
use descope_types::{TotpCode, TotpKey};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;

const LOGIN: &str = "bench-totp@example.com";
const WARMUP: usize = 10;
const ROUNDS: usize = 9;
const PER_ROUND: usize = 60;

/// The system clock plus an offset shared with the emulator's clock control.
#[derive(Debug, Clone)]
struct OffsetClock(Arc<AtomicI64>);

impl Clock for OffsetClock {
    fn now(&self) -> std::time::SystemTime {
        descope_types::clock::from_unix_seconds(unix_now() as i64 + self.0.load(Ordering::SeqCst))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn code(key: &TotpKey, at: u64) -> String {
    let secret = totp_rs::Secret::Encoded(key.secret().to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).generate(at)
}

struct Bench {
    emulator: Emulator,
    offset: Arc<AtomicI64>,
    control: Arc<dyn Transport>,
}

impl Bench {
    /// Moves both clocks one TOTP step forward; returns the next valid code.
    async fn next_code(&self, key: &TotpKey) -> String {
        let offset = self.offset.fetch_add(30, Ordering::SeqCst) + 30;
        let request = http::Request::post(format!("{}/emulator/clock", self.emulator.base_url()))
            .header("content-type", "application/json")
            .body(Bytes::from(format!("{{\"offsetSeconds\":{offset}}}")))
            .unwrap();
        let response = self.control.send(request).await.unwrap();
        assert!(response.status().is_success());
        code(key, (unix_now() as i64 + offset) as u64)
    }
}

fn p50(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn run(name: &str, backend: Arc<dyn Transport>) {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let offset = Arc::new(AtomicI64::new(0));
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .transport(backend.clone())
        .clock(OffsetClock(offset.clone()))
        .build()
        .unwrap();
    let bench = Bench {
        emulator,
        offset,
        control: backend,
    };
    let key = client.totp().sign_up(LOGIN).await.unwrap().key;

    let bare: HyperClient<_, Full<Bytes>> = HyperClient::builder(TokioExecutor::new()).build_http();
    let url: http::Uri = format!("{}/v1/auth/totp/verify", bench.emulator.base_url())
        .parse()
        .unwrap();
    let auth = format!("Bearer {}", bench.emulator.project_id());

    for _ in 0..WARMUP {
        let typed = TotpCode::new(bench.next_code(&key).await);
        client.totp().verify(LOGIN, &typed).await.unwrap();
    }
    let (mut all_ours, mut all_theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let mut ours = Vec::with_capacity(PER_ROUND);
        let mut theirs = Vec::with_capacity(PER_ROUND);
        for _ in 0..PER_ROUND {
            // The client: request, answer, decode, validate both tokens locally.
            let typed = TotpCode::new(bench.next_code(&key).await);
            let started = Instant::now();
            let info = client.totp().verify(LOGIN, &typed).await.unwrap();
            ours.push(started.elapsed());
            assert!(!info.session_token().is_empty());

            // The same bytes through bare hyper: request and whole body, nothing else.
            let body = format!(
                "{{\"loginId\":\"{LOGIN}\",\"code\":\"{}\"}}",
                bench.next_code(&key).await
            );
            let request = http::Request::post(url.clone())
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .header("x-descope-project-id", bench.emulator.project_id())
                .header("x-descope-sdk-name", "rust")
                .header("x-descope-sdk-version", descope_flows::SDK_VERSION)
                .body(Full::new(Bytes::from(body)))
                .unwrap();
            let started = Instant::now();
            let response = bare.request(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            theirs.push(started.elapsed());
            assert!(status.is_success(), "{status}");
            assert!(!bytes.is_empty());
        }
        ratios.push(p50(&mut ours).as_secs_f64() / p50(&mut theirs).as_secs_f64());
        all_ours.extend(ours);
        all_theirs.extend(theirs);
    }
    ratios.sort_by(f64::total_cmp);
    let (ours, theirs) = (p50(&mut all_ours), p50(&mut all_theirs));
    println!(
        "totp verify, client over {name}: p50 {:>8.1} µs | bare hyper p50 {:>8.1} µs | ratio {:.3}× (median of {ROUNDS} rounds; target ≤ 1.15×)",
        ours.as_secs_f64() * 1e6,
        theirs.as_secs_f64() * 1e6,
        ratios[ROUNDS / 2]
    );
    bench.emulator.shutdown().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::spawn(async {
            run("reqwest", Arc::new(ReqwestTransport::new().unwrap())).await;
            run("hyper", Arc::new(HyperTransport::new().unwrap())).await;
        })
        .await
        .unwrap();
    });
}
