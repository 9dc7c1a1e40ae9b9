//! A raw-TCP HTTP/1.1 server on 127.0.0.1:0 that can misbehave on purpose.
//!
//! Raw bytes (not a server framework) because half the scenarios are protocol faults a
//! well-behaved server library would refuse to produce.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The fixed HTTP-date `/ratelimit-date` asks the client to wait until.
pub const RETRY_AT: &str = "Sun, 06 Nov 2044 08:49:37 GMT";

/// The byte at offset `i` of every generated body.
pub fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

#[derive(Default)]
struct State {
    connections: AtomicUsize,
    hits: Mutex<HashMap<String, usize>>,
    endless_written: AtomicU64,
    endless_done: AtomicBool,
}

pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

enum Next {
    KeepAlive,
    Close,
}

impl TestServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self { addr, state, task }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Complete requests received for `path` so far.
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Waits (at most ~1 s) until `/endless` stops, and returns how much it wrote.
    pub async fn endless_written(&self) -> u64 {
        for _ in 0..100 {
            if self.state.endless_done.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            self.state.endless_done.load(Ordering::SeqCst),
            "the client never hung up on /endless"
        );
        self.state.endless_written.load(Ordering::SeqCst)
    }
}

/// A port nothing listens on.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/echo")
}

async fn serve(stream: TcpStream, state: Arc<State>) {
    let mut stream = BufReader::new(stream);
    while let Some(request) = read_request(&mut stream).await {
        *state
            .hits
            .lock()
            .unwrap()
            .entry(request.path.clone())
            .or_default() += 1;
        match respond(&request, &mut stream, &state).await {
            Ok(Next::KeepAlive) => {}
            Ok(Next::Close) | Err(_) => return,
        }
    }
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target, String::new()),
    };
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(Request {
        method,
        path,
        query,
        headers,
        body,
    })
}

async fn write_response(
    stream: &mut BufReader<TcpStream>,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Next> {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let out = stream.get_mut();
    out.write_all(head.as_bytes()).await?;
    out.write_all(body).await?;
    Ok(Next::KeepAlive)
}

fn query_n(request: &Request) -> usize {
    request
        .query
        .split('&')
        .find_map(|kv| kv.strip_prefix("n="))
        .map_or(0, |n| n.parse().unwrap())
}

async fn respond(
    request: &Request,
    stream: &mut BufReader<TcpStream>,
    state: &State,
) -> std::io::Result<Next> {
    let hits = state.hits.lock().unwrap()[&request.path];
    match request.path.as_str() {
        "/echo" => {
            let headers = [
                ("x-seen-method", request.method.as_str()),
                ("x-seen-probe", request.header("x-probe")),
                ("x-seen-query", request.query.as_str()),
                ("content-type", "application/octet-stream"),
            ];
            write_response(stream, "201 Created", &headers, &request.body).await
        }
        "/redirect" => write_response(stream, "302 Found", &[("location", "/echo")], b"").await,
        "/big" => {
            let body: Vec<u8> = (0..query_n(request)).map(pattern).collect();
            write_response(stream, "200 OK", &[], &body).await
        }
        "/chunked" => {
            let out = stream.get_mut();
            out.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                .await?;
            let mut offset = 0;
            for size in 1..=64usize {
                let size = size * 97;
                let chunk: Vec<u8> = (offset..offset + size).map(pattern).collect();
                offset += size;
                out.write_all(format!("{size:x}\r\n").as_bytes()).await?;
                out.write_all(&chunk).await?;
                out.write_all(b"\r\n").await?;
                out.flush().await?;
            }
            out.write_all(b"0\r\n\r\n").await?;
            Ok(Next::KeepAlive)
        }
        "/endless" => {
            let out = stream.get_mut();
            let chunk = vec![b'x'; 16 * 1024];
            let mut result = out
                .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                .await;
            // Bounded so a client that never hangs up still ends the test (and fails it).
            while result.is_ok() && state.endless_written.load(Ordering::SeqCst) < 512 << 20 {
                result = async {
                    out.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                        .await?;
                    out.write_all(&chunk).await?;
                    out.write_all(b"\r\n").await
                }
                .await;
                if result.is_ok() {
                    state
                        .endless_written
                        .fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
            }
            state.endless_done.store(true, Ordering::SeqCst);
            Ok(Next::Close)
        }
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            write_response(stream, "200 OK", &[], b"late").await
        }
        "/reset" => {
            let out = stream.get_mut();
            out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n")
                .await?;
            out.write_all(&[b'r'; 1000]).await?;
            out.flush().await?;
            // Give the client time to start reading the body, then abort with RST.
            tokio::time::sleep(Duration::from_millis(50)).await;
            out.set_zero_linger()?;
            Ok(Next::Close)
        }
        "/truncated" => {
            let out = stream.get_mut();
            out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789")
                .await?;
            out.shutdown().await?;
            Ok(Next::Close)
        }
        "/close" => Ok(Next::Close),
        "/garbage" => {
            stream
                .get_mut()
                .write_all(b"HTTP/1.1 OK-ish nonsense\r\n\r\n")
                .await?;
            Ok(Next::Close)
        }
        "/flaky" if hits <= 2 => {
            write_response(stream, "503 Service Unavailable", &[], b"busy").await
        }
        "/flaky" => write_response(stream, "200 OK", &[], b"ok").await,
        "/ratelimit-seconds" => {
            write_response(
                stream,
                "429 Too Many Requests",
                &[("retry-after", "2")],
                b"",
            )
            .await
        }
        "/ratelimit-date" => {
            write_response(
                stream,
                "429 Too Many Requests",
                &[("retry-after", RETRY_AT)],
                b"",
            )
            .await
        }
        "/ratelimit-once" if hits == 1 => {
            write_response(
                stream,
                "429 Too Many Requests",
                &[("retry-after", "2")],
                b"",
            )
            .await
        }
        "/ratelimit-once" => write_response(stream, "200 OK", &[], b"ok").await,
        // Any status, for the gateway codes (`/status/521`).
        path if path.starts_with("/status/") => {
            let status = format!("{} Status", &path["/status/".len()..]);
            write_response(stream, &status, &[], b"").await
        }
        _ => write_response(stream, "404 Not Found", &[], b"").await,
    }
}
