//! Shared by the bench binaries: a keep-alive HTTP/1.1 client (hyper), the process RSS, and
//! the guard that keeps the long loops out of `cargo test --all-targets`.

// Each bench binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, LOCATION};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// `cargo bench` passes `--bench`; `cargo test --benches`/`--all-targets` does not, and then
/// the binary only says so and exits, so no long loop runs in a test build.
pub fn bench_mode(name: &str) -> bool {
    let on = std::env::args().any(|a| a == "--bench");
    if !on {
        println!("{name}: skipped (run it with `cargo bench -p descope-emulator --bench {name}`)");
    }
    on
}

/// Resident set size of this process (emulator and clients together), from
/// `/proc/self/status`.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A usize from the environment, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// One answer, body collected.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl Conn {
    /// `address`: `host:port`.
    pub async fn open(address: &str) -> Conn {
        let stream = TcpStream::connect(address).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Conn {
            sender,
            host: address.to_owned(),
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        authorization: &str,
        body: &str,
    ) -> Answer {
        self.sender.ready().await.unwrap();
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.host);
        if !authorization.is_empty() {
            request = request.header(AUTHORIZATION, authorization);
        }
        if !body.is_empty() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .unwrap();
        let response = self.sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            location: parts
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    pub async fn post(&mut self, path: &str, authorization: &str, body: &str) -> Answer {
        self.send(Method::POST, path, authorization, body).await
    }

    pub async fn get(&mut self, path: &str, authorization: &str) -> Answer {
        self.send(Method::GET, path, authorization, "").await
    }
}

/// The same POST `count` times from `clients` connections; returns (requests, elapsed).
/// Any answer but 200 panics with its body.
pub async fn post_many(
    address: &str,
    path: &str,
    authorization: &str,
    count: usize,
    clients: usize,
) -> Duration {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = Arc::new(AtomicUsize::new(0));
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        conns.push(Conn::open(address).await);
    }
    let started = Instant::now();
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let next = Arc::clone(&next);
            let (path, authorization) = (path.to_owned(), authorization.to_owned());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let answer = conn.post(&path, &authorization, "{}").await;
                    assert_eq!(answer.status, 200, "{path}: {}", answer.text());
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}
