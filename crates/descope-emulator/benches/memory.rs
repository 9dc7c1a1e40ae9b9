//! Resident memory of an emulator holding 100,000 users, each signed in once.
//!
//! `cargo bench -p descope-emulator --bench memory` (`MEMORY_USERS=20000` for fewer).
//! Target: ≤ 256 MiB at 100,000 users.
//!
//! Each user is created the way an app creates one: an OAuth web sign-in with a new
//! `loginHint` (authorize → provider page → exchange), which leaves the user record, one
//! history entry and a refresh session (sessions are capped per project). The RSS is that of
//! the whole bench process: emulator, runtime and the 16 clients.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use descope_emulator::{Emulator, EmulatorConfig};
use support::{Conn, bench_mode, env_usize, mib, rss_bytes};

const CLIENTS: usize = 16;
const TARGET_MIB: f64 = 256.0;

/// One OAuth sign-in of `login` on `conn`.
async fn sign_in(conn: &mut Conn, bearer: &str, login: &str) {
    let start = conn
        .post(
            &format!("/v1/auth/oauth/authorize?provider=google&loginHint={login}"),
            bearer,
            "{}",
        )
        .await;
    assert_eq!(start.status, 200, "{}", start.text());
    let url = start.json()["url"].as_str().unwrap().to_owned();
    let path = &url[url.find("/emulator/").unwrap()..];
    let redirect = conn.get(path, "").await;
    assert_eq!(redirect.status, 302, "{}", redirect.text());
    let location = redirect.location.unwrap();
    let code = &location[location.find("code=").unwrap() + 5..];
    let body = format!(r#"{{"code":"{code}"}}"#);
    let jwt = conn.post("/v1/auth/oauth/exchange", bearer, &body).await;
    assert_eq!(jwt.status, 200, "{}", jwt.text());
}

fn main() {
    if !bench_mode("memory") {
        return;
    }
    let users = env_usize("MEMORY_USERS", 100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let address = emulator.base_url().trim_start_matches("http://").to_owned();
        let bearer = format!("Bearer {}", emulator.project_id());

        // Warm-up on the seed users (no new users), so the baseline includes the runtime,
        // the connections and the allocator's first arenas.
        let mut conns = Vec::new();
        for _ in 0..CLIENTS {
            let mut conn = Conn::open(&address).await;
            sign_in(&mut conn, &bearer, "ada@example.com").await;
            conns.push(conn);
        }
        let baseline = rss_bytes();
        println!("baseline (emulator started, {CLIENTS} clients connected): RSS {:.1} MiB", mib(baseline));

        let started = Instant::now();
        let step = users.div_ceil(4);
        let next = Arc::new(AtomicUsize::new(0));
        let mut created = 0;
        while created < users {
            let until = (created + step).min(users);
            let tasks: Vec<_> = conns
                .drain(..)
                .map(|mut conn| {
                    let (next, bearer) = (Arc::clone(&next), bearer.clone());
                    tokio::spawn(async move {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= until {
                                // Not ours: the next step starts here.
                                next.fetch_sub(1, Ordering::Relaxed);
                                break conn;
                            }
                            sign_in(&mut conn, &bearer, &format!("user{i}@memory.test")).await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                conns.push(task.await.unwrap());
            }
            created = until;
            let rss = rss_bytes();
            println!(
                "{created:>7} users: RSS {:7.1} MiB ({:5.0} bytes per user over the baseline), {:.0} s",
                mib(rss),
                rss.saturating_sub(baseline) as f64 / created as f64,
                started.elapsed().as_secs_f64()
            );
        }
        let rss = mib(rss_bytes());
        println!(
            "{users} users: RSS {rss:.1} MiB (target <= {TARGET_MIB} MiB at 100,000): {}",
            if rss <= TARGET_MIB { "met" } else { "NOT met" }
        );
        emulator.shutdown().await;
    });
}
