//! Soak: a million mixed requests against one emulator, printing req/s and RSS every
//! 100,000. Target: RSS at the end ≤ 1.2 × RSS after the first 100,000, and no unexpected
//! answer.
//!
//! `cargo bench -p descope-emulator --bench soak` (`SOAK_REQUESTS=200000` for a short run).
//!
//! 16 keep-alive HTTP/1.1 clients (hyper) each repeat a cycle of 7 requests: OAuth authorize,
//! the provider page (302 with a code), exchange, TOTP verify, refresh (of the exchange's
//! refresh JWT), JWKS, validate (of the refresh's session JWT). A TOTP code is accepted once
//! per 30-second step and user, so the run goes in batches: in each, every client's cycles
//! use distinct users (16 × 16 = 256 seeded ones), and between batches the bench moves the
//! emulator's clock 30 s on through the control API (not counted as requests). The same 256
//! users also sign in with OAuth, so the user table stays put while histories fill to their
//! limit and refresh sessions pile up to the per-project cap.

mod support;

use std::time::Instant;

use descope_emulator::{Emulator, EmulatorConfig, Seed, SeedUser};
use descope_types::TotpKey;
use support::{Answer, Conn, bench_mode, env_usize, mib, rss_bytes};

const CLIENTS: usize = 16;
/// Cycles per client and batch; CLIENTS × CYCLES distinct TOTP users.
const CYCLES: usize = 16;
const PER_CYCLE: usize = 7;
const BATCH: usize = CLIENTS * CYCLES * PER_CYCLE;
const MARK: usize = 100_000;
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const KINDS: [&str; PER_CYCLE] = [
    "authorize",
    "provider page",
    "exchange",
    "totp verify",
    "refresh",
    "jwks",
    "validate",
];

fn login(user: usize) -> String {
    format!("soak{user}@soak.test")
}

/// A client: its connection, and what went wrong (kind, status, body) on it.
struct Client {
    conn: Conn,
    errors: Vec<(usize, u16, String)>,
}

impl Client {
    /// Records an unexpected answer; true when the answer was the expected one.
    fn check(&mut self, kind: usize, answer: &Answer, expected: u16) -> bool {
        if answer.status == expected {
            return true;
        }
        self.errors
            .push((kind, answer.status.as_u16(), answer.text()));
        false
    }

    /// One cycle for `user`, with the TOTP `code` of the batch.
    async fn cycle(&mut self, pid: &str, user: usize, code: &str) {
        let bearer = format!("Bearer {pid}");
        let login = login(user);
        let start = self
            .conn
            .post(
                &format!("/v1/auth/oauth/authorize?provider=google&loginHint={login}"),
                &bearer,
                "{}",
            )
            .await;
        // After a failure the cycle goes on with requests that fail in turn, so that the
        // request count stays exact; they are reported as errors too.
        self.check(0, &start, 200);
        let url = start.json()["url"].as_str().unwrap_or_default().to_owned();
        let path = url
            .find("/emulator/")
            .map_or("/emulator/none", |i| &url[i..]);
        let page = self.conn.get(path, "").await;
        self.check(1, &page, 302);
        let code_param = page
            .location
            .as_deref()
            .and_then(|l| l.split_once("code="))
            .map_or("", |(_, c)| c);
        let body = format!(r#"{{"code":"{code_param}"}}"#);
        let signed_in = self
            .conn
            .post("/v1/auth/oauth/exchange", &bearer, &body)
            .await;
        self.check(2, &signed_in, 200);
        let refresh_jwt = signed_in.json()["refreshJwt"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let body = format!(r#"{{"loginId":"{login}","code":"{code}"}}"#);
        let verified = self.conn.post("/v1/auth/totp/verify", &bearer, &body).await;
        self.check(3, &verified, 200);
        let refreshed = self
            .conn
            .post(
                "/v1/auth/refresh",
                &format!("Bearer {pid}:{refresh_jwt}"),
                "{}",
            )
            .await;
        self.check(4, &refreshed, 200);
        let session_jwt = refreshed.json()["sessionJwt"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let keys = self.conn.get(&format!("/v2/keys/{pid}"), "").await;
        self.check(5, &keys, 200);
        let valid = self
            .conn
            .post(
                "/v1/auth/validate",
                &format!("Bearer {pid}:{session_jwt}"),
                "{}",
            )
            .await;
        self.check(6, &valid, 200);
    }
}

fn totp_code(time: i64) -> String {
    let secret = totp_rs::Secret::Encoded(SECRET.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret)
        .unwrap()
        .generate(time as u64)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn main() {
    if !bench_mode("soak") {
        return;
    }
    let wanted = env_usize("SOAK_REQUESTS", 1_000_000);
    let batches = wanted.div_ceil(BATCH).max(1);
    let mut seed = Seed::demo();
    seed.users.extend((0..CLIENTS * CYCLES).map(|i| SeedUser {
        login_id: login(i),
        totp_secret: Some(TotpKey::new(SECRET)),
        ..SeedUser::default()
    }));
    let config = EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let emulator = Emulator::start(config).await.unwrap();
        let address = emulator.base_url().trim_start_matches("http://").to_owned();
        let pid = emulator.project_id().to_owned();
        let mut control = Conn::open(&address).await;
        let mut clients = Vec::with_capacity(CLIENTS);
        for _ in 0..CLIENTS {
            clients.push(Client {
                conn: Conn::open(&address).await,
                errors: Vec::new(),
            });
        }
        println!(
            "soak: {} requests in {batches} batches of {BATCH} ({CLIENTS} clients x {CYCLES} cycles x {PER_CYCLE} requests); RSS at start {:.1} MiB",
            batches * BATCH,
            mib(rss_bytes())
        );

        let started = Instant::now();
        let (mut done, mut next_mark, mut mark_time) = (0usize, MARK, Instant::now());
        let mut first_mark_rss = None;
        let mut offset = 0i64;
        for _ in 0..batches {
            // The batch's TOTP step follows the emulator's clock (real time + offset); the
            // ±1-step window covers a step boundary passed during the batch.
            let code = totp_code(unix_now() + offset);
            let tasks: Vec<_> = clients
                .drain(..)
                .enumerate()
                .map(|(n, mut client)| {
                    let (pid, code) = (pid.clone(), code.clone());
                    tokio::spawn(async move {
                        for c in 0..CYCLES {
                            client.cycle(&pid, n * CYCLES + c, &code).await;
                        }
                        client
                    })
                })
                .collect();
            for task in tasks {
                clients.push(task.await.unwrap());
            }
            done += BATCH;
            offset += 30;
            let body = format!(r#"{{"offsetSeconds":{offset}}}"#);
            let answer = control.post("/emulator/clock", "", &body).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
            if done >= next_mark || done == batches * BATCH {
                let rss = rss_bytes();
                let interval = done - (next_mark - MARK);
                println!(
                    "{done:>9} requests: {:6.0} req/s (last {interval}), RSS {:6.1} MiB",
                    interval as f64 / mark_time.elapsed().as_secs_f64(),
                    mib(rss)
                );
                first_mark_rss.get_or_insert(rss);
                next_mark = done - done % MARK + MARK;
                mark_time = Instant::now();
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        let errors: Vec<_> = clients.iter().flat_map(|c| c.errors.iter()).collect();
        let end_rss = rss_bytes();
        println!(
            "{done} requests in {elapsed:.0} s: {:.0} req/s overall; {} unexpected answers",
            done as f64 / elapsed,
            errors.len()
        );
        for (kind, status, body) in errors.iter().take(5) {
            println!("  {}: {status} {body}", KINDS[*kind]);
        }
        match first_mark_rss {
            Some(first) if done >= 2 * MARK => {
                let ratio = end_rss as f64 / first as f64;
                println!(
                    "RSS after the first {MARK}: {:.1} MiB, at the end: {:.1} MiB, ratio {ratio:.2} (target <= 1.20): {}",
                    mib(first),
                    mib(end_rss),
                    if ratio <= 1.2 && errors.is_empty() { "met" } else { "NOT met" }
                );
            }
            _ => println!("RSS at the end: {:.1} MiB (too short a run for the ratio)", mib(end_rss)),
        }
        emulator.shutdown().await;
    });
}
