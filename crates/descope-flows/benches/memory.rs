//! Memory of a client at rest: warm keys and a full default verified-token cache
//! (`DEFAULT_TOKEN_CACHE_CAPACITY` = 10,000 distinct session tokens). Target ≤ 16 MiB.
//!
//! Prints the process RSS before the client exists (tokens already minted, runtime up), after
//! the keys are warm, and after the cache is full; the client's share is the difference.
//! Linux only (reads `/proc/self/status`). Run with `cargo bench -p descope-flows --bench memory`.

use bytes::Bytes;
use descope_flows::{Client, DEFAULT_TOKEN_CACHE_CAPACITY};
use descope_transport::from_fn;
use descope_types::SessionToken;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const PROJECT_ID: &str = "P2oracleProject0001";
const KID: &str = "test-key-1";
const PRIVATE_KEY_DER: &[u8] = include_bytes!("../tests/fixtures/test-rsa-key.der");
const JWKS: &str = include_str!("../tests/fixtures/test-jwks.json");

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn main() {
    // Under `cargo test --all-targets` the bench binary runs without `--bench`: stay short.
    let full = std::env::args().any(|a| a == "--bench");
    let count = if full {
        DEFAULT_TOKEN_CACHE_CAPACITY
    } else {
        50
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // Realistic session tokens (Descope's carry roles, permissions and tenants), each
    // distinct, minted before measuring.
    let key = EncodingKey::from_rsa_der(PRIVATE_KEY_DER);
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.to_owned());
    let now = descope_types::Clock::now_unix(&descope_types::SystemClock);
    let tokens: Vec<SessionToken> = (0..count)
        .map(|i| {
            let claims = json!({
                "sub": format!("U2user{i:08}"), "iss": PROJECT_ID, "iat": now, "exp": now + 3600,
                "drn": "DS", "amr": ["oauth"], "roles": ["admin", "viewer"],
                "permissions": ["read", "write"],
                "tenants": {"T2tenant0001": {"roles": ["member"], "permissions": ["read"]}},
            });
            SessionToken::new(jsonwebtoken::encode(&header, &claims, &key).expect("sign"))
        })
        .collect();
    let token_bytes: usize = tokens.iter().map(|t| t.secret().len()).sum();

    let before = rss_kib();
    let transport = from_fn(|_request: http::Request<Bytes>| async {
        Ok(http::Response::new(Bytes::from_static(JWKS.as_bytes())))
    });
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport)
        .build()
        .expect("client");
    runtime.block_on(async {
        client.validate_session(&tokens[0]).await.expect("valid");
    });
    let warm = rss_kib();
    runtime.block_on(async {
        for token in &tokens {
            client.validate_session(token).await.expect("valid");
        }
    });
    let full_cache = rss_kib();
    let client_kib = full_cache.saturating_sub(before);
    println!(
        "tokens: {count} (avg {} bytes each, {:.1} MiB minted before measuring)",
        token_bytes / count.max(1),
        mib(token_bytes as u64 / 1024)
    );
    println!("RSS before the client:  {:.1} MiB", mib(before));
    println!("RSS with warm keys:     {:.1} MiB", mib(warm));
    println!("RSS with a full cache:  {:.1} MiB", mib(full_cache));
    println!(
        "client share: {:.1} MiB (target <= 16 MiB): {}",
        mib(client_kib),
        if client_kib <= 16 * 1024 {
            "meets"
        } else {
            "MISSES"
        }
    );
    drop(client);
}
