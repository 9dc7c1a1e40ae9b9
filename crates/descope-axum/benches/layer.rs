//! Per-request cost of the session layer with a valid session and warm keys, against a bare
//! handler and against `validate_session` alone, measured in one run.
//!
//! `cargo bench -p descope-axum --bench layer`. Target: layer − bare − validate ≤ 5 µs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use descope_axum::{Authenticated, Descope};
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::Client;
use descope_types::{ExchangeCode, SessionToken};
use tower::ServiceExt;

const ITERATIONS: u32 = 20_000;
const ROUNDS: usize = 7;

/// The median over rounds of the mean time per iteration.
async fn measure<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..ITERATIONS / 10 {
        f().await;
    }
    let mut rounds = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..ITERATIONS {
            f().await;
        }
        rounds.push(start.elapsed() / ITERATIONS);
    }
    rounds.sort();
    rounds[ROUNDS / 2]
}

async fn sign_in(emulator: &Emulator, client: &Client) -> SessionToken {
    let url = client
        .oauth()
        .start("google")
        .redirect_url("http://app.test/callback")
        .login_hint("ada@example.com")
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(url).send().await.unwrap();
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let code = location.query_pairs().find(|(k, _)| k == "code").unwrap().1;
    let info = client
        .oauth()
        .exchange(&ExchangeCode::new(code.into_owned()))
        .await
        .unwrap();
    let _ = emulator;
    info.session_token().clone()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let client = Client::builder(emulator.project_id())
            .base_url(emulator.base_url())
            .build()
            .unwrap();
        let token = sign_in(&emulator, &client).await;
        // Warm keys and the verified-token cache.
        client.validate_session(&token).await.unwrap();
        let header = format!("Bearer {}", token.secret());

        let bare: Router = Router::new().route("/", get(|| async { "ok" }));
        let layered: Router = Router::new()
            .route(
                "/",
                get(|s: Authenticated| async move {
                    black_box(s);
                    "ok"
                }),
            )
            .layer(Descope::new(client.clone()).layer());
        let call = |app: Router| {
            let header = header.clone();
            async move {
                let request = http::Request::get("/")
                    .header("authorization", header)
                    .body(Body::empty())
                    .unwrap();
                let response = app.oneshot(request).await.unwrap();
                assert_eq!(response.status(), 200);
                black_box(response);
            }
        };

        let validate = measure(|| async {
            black_box(client.validate_session(&token).await.unwrap());
        })
        .await;
        let bare_time = measure(|| call(bare.clone())).await;
        let layered_time = measure(|| call(layered.clone())).await;

        let overhead = layered_time.saturating_sub(bare_time);
        let on_top = overhead.saturating_sub(validate);
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!("descope-axum layer, per request (median of {ROUNDS} rounds x {ITERATIONS}):");
        println!("  validate_session alone (warm)   {:>8.3} us", us(validate));
        println!(
            "  bare handler                    {:>8.3} us",
            us(bare_time)
        );
        println!(
            "  layer + Authenticated extractor {:>8.3} us",
            us(layered_time)
        );
        println!(
            "  layer overhead vs bare          {:>8.3} us  (x{:.2} the bare request)",
            us(overhead),
            layered_time.as_secs_f64() / bare_time.as_secs_f64()
        );
        println!(
            "  on top of validate_session      {:>8.3} us  (target <= 5 us: {})",
            us(on_top),
            if on_top <= Duration::from_micros(5) {
                "met"
            } else {
                "NOT met"
            }
        );
        emulator.shutdown().await;
    });
}
