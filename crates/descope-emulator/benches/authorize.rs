//! `POST /v1/auth/oauth/authorize` throughput on an empty project vs on one holding 200,000
//! pending flows, measured in the same run.
//!
//! `cargo bench -p descope-emulator --bench authorize` (`AUTHORIZE_PENDING=50000` to fill
//! fewer). Target: the full project within 10% of the empty one (ratio ≥ 0.90).
//!
//! Two projects of one emulator: A stays (near) empty, being reset before each of its bursts;
//! B is filled with the pending flows first. Short bursts alternate A/B (and B/A) so that the
//! noise of a shared machine falls on both alike; besides the ratio of the totals, the median
//! of the per-round ratios is printed, which a burst disturbed by another process does not
//! move. Each request starts a flow that is never finished (B ends with 250,000, under the
//! cap).

mod support;

use std::time::Duration;

use descope_emulator::{Emulator, EmulatorConfig};
use support::{Conn, bench_mode, env_usize, mib, post_many, rss_bytes};

const CLIENTS: usize = 16;
const BURST: usize = 1_250;
const ROUNDS: usize = 40;
/// B's id: any well-formed id is served (projects are not strict by default).
const FULL_PROJECT: &str = "P2EmulatorBenchFullProject00";
const PATH: &str =
    "/v1/auth/oauth/authorize?provider=google&redirectURL=http%3A%2F%2Flocalhost%3A3000%2Fcb";

fn main() {
    if !bench_mode("authorize") {
        return;
    }
    let pending = env_usize("AUTHORIZE_PENDING", 200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let address = emulator.base_url().trim_start_matches("http://").to_owned();
        let empty = format!("Bearer {}", emulator.project_id());
        let full = format!("Bearer {FULL_PROJECT}");

        // Warm-up (connections, allocator, both projects' keys), then back to empty.
        post_many(&address, PATH, &empty, 2_000, CLIENTS).await;
        post_many(&address, PATH, &full, 1, 1).await;
        let mut control = Conn::open(&address).await;

        let rss_before = rss_bytes();
        let took = post_many(&address, PATH, &full, pending - 1, CLIENTS).await;
        let rss_after = rss_bytes();
        println!(
            "filled {FULL_PROJECT} with {pending} pending flows in {:.1} s ({:.0} req/s); RSS {:.1} -> {:.1} MiB",
            took.as_secs_f64(),
            (pending - 1) as f64 / took.as_secs_f64(),
            mib(rss_before),
            mib(rss_after),
        );

        let (mut empty_time, mut full_time) = (Duration::ZERO, Duration::ZERO);
        let mut ratios = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            let answer = control.post("/emulator/reset", &empty, "{}").await;
            assert_eq!(answer.status, 200, "{}", answer.text());
            let (e, f) = if round % 2 == 0 {
                let e = post_many(&address, PATH, &empty, BURST, CLIENTS).await;
                (e, post_many(&address, PATH, &full, BURST, CLIENTS).await)
            } else {
                let f = post_many(&address, PATH, &full, BURST, CLIENTS).await;
                (post_many(&address, PATH, &empty, BURST, CLIENTS).await, f)
            };
            empty_time += e;
            full_time += f;
            ratios.push(e.as_secs_f64() / f.as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let median = (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2.0;
        let requests = (BURST * ROUNDS) as f64;
        let empty_rate = requests / empty_time.as_secs_f64();
        let full_rate = requests / full_time.as_secs_f64();
        println!("authorize, {CLIENTS} clients, {ROUNDS} alternating bursts of {BURST}:");
        println!("  empty project:             {empty_rate:.0} req/s");
        println!("  with {pending} pending flows: {full_rate:.0} req/s");
        println!(
            "  ratio of the totals {:.2}, median of the {ROUNDS} paired bursts {median:.2} (target >= 0.90)",
            full_rate / empty_rate,
        );
        println!("  RSS at the end {:.1} MiB", mib(rss_bytes()));
        emulator.shutdown().await;
    });
}
