//! The emulator's Descope API routes over real loopback HTTP, in process (so libFuzzer sees
//! the handlers' coverage): the input picks a route, a bearer and a content type, and the
//! rest is the body. Every answer is a JSON 2xx or a Descope-shaped 4xx; never a 5xx, a
//! panic or a dropped connection.
#![no_main]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use descope_emulator::{Emulator, EmulatorConfig};
use descope_fuzz::b64;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ROUTES: [(&str, &str); 24] = [
    (
        "POST",
        "/v1/auth/oauth/authorize?provider=google&loginHint=fuzz%40example.com",
    ),
    ("POST", "/v1/auth/oauth/authorize/signup?provider=google"),
    (
        "POST",
        "/v1/auth/oauth/authorize/signin?provider=google&loginHint=ada%40example.com",
    ),
    ("POST", "/v1/auth/oauth/authorize/update?provider=github"),
    ("POST", "/v1/auth/oauth/exchange"),
    ("POST", "/v1/auth/oauth/native/start"),
    ("POST", "/v1/auth/oauth/native/finish"),
    ("POST", "/v1/auth/sso/authorize?tenant=acme.example"),
    ("POST", "/v1/auth/sso/exchange"),
    (
        "POST",
        "/v1/auth/saml/authorize?tenant=T2EmulatorTenantAcme",
    ),
    ("POST", "/v1/auth/saml/exchange"),
    ("POST", "/v1/auth/totp/signup"),
    ("POST", "/v1/auth/totp/verify"),
    ("POST", "/v1/auth/totp/update"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/try-refresh"),
    ("GET", "/v1/auth/me"),
    ("GET", "/v1/auth/me/history"),
    ("POST", "/v1/auth/me/tenants"),
    ("POST", "/v1/auth/tenant/select"),
    ("POST", "/v1/auth/validate"),
    ("POST", "/v1/auth/accesskey/exchange"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/auth/logoutall"),
];

const CONTENT_TYPES: [Option<&str>; 4] = [
    None,
    Some("application/json"),
    Some("text/plain"),
    Some("application/x-www-form-urlencoded"),
];

struct Shared {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    /// `host:port`.
    address: String,
    /// A refresh and a session token of a sign-in (revoked by a fuzzed logout at times;
    /// the emulator is reset every few thousand runs, and they are minted again).
    tokens: std::sync::Mutex<(String, String)>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = runtime
            .block_on(Emulator::start(EmulatorConfig::default()))
            .expect("emulator");
        let address = emulator.base_url().trim_start_matches("http://").to_owned();
        let tokens = runtime.block_on(sign_in(&address, emulator.project_id()));
        Shared {
            runtime,
            emulator,
            address,
            tokens: std::sync::Mutex::new(tokens),
        }
    })
}

/// One HTTP/1.1 exchange on a fresh connection: status, headers and body.
async fn exchange(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n")
            .into_bytes();
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    request.extend_from_slice(body);
    let mut socket = TcpStream::connect(address).await.expect("connect");
    socket
        .write_all(&request)
        .await
        .expect("the emulator dropped the request");
    let mut answer = Vec::new();
    socket
        .read_to_end(&mut answer)
        .await
        .expect("the emulator dropped the connection");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete answer: {:?}", String::from_utf8_lossy(&answer)));
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {head}"));
    (status, head, answer[split + 4..].to_vec())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// An OAuth sign-in through the emulator's redirect chain: (refresh, session).
async fn sign_in(address: &str, project: &str) -> (String, String) {
    let bearer = format!("Bearer {project}");
    let auth = [("Authorization", bearer.as_bytes())];
    let path = "/v1/auth/oauth/authorize?provider=google&loginHint=fuzzer%40example.com";
    let (_, _, body) = exchange(address, "POST", path, &auth, b"{}").await;
    let url: Value = serde_json::from_slice(&body).expect("start answer");
    let page = url["url"].as_str().expect("url");
    let page = page.split_once(address).expect("emulator URL").1;
    let (_, head, _) = exchange(address, "GET", page, &[], b"").await;
    let location = header(&head, "location").expect("redirect");
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .expect("code");
    let body = format!("{{\"code\":\"{code}\"}}");
    let (status, _, body) = exchange(
        address,
        "POST",
        "/v1/auth/oauth/exchange",
        &auth,
        body.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let jwt: Value = serde_json::from_slice(&body).expect("JWT answer");
    (
        jwt["refreshJwt"].as_str().expect("refresh").to_owned(),
        jwt["sessionJwt"].as_str().expect("session").to_owned(),
    )
}

fuzz_target!(|data: &[u8]| {
    let [route, bearer, content_type, body @ ..] = data else {
        return;
    };
    let shared = shared();
    let project = shared.emulator.project_id();
    static RUNS: AtomicU64 = AtomicU64::new(0);
    if RUNS.fetch_add(1, Ordering::Relaxed) % 5000 == 4999 {
        // Fuzzed sign-ups pile up users: start over now and then.
        shared.runtime.block_on(async {
            let json = [("Content-Type", &b"application/json"[..])];
            let (status, _, _) =
                exchange(&shared.address, "POST", "/emulator/reset", &json, b"{}").await;
            assert_eq!(status, 200);
            *shared.tokens.lock().unwrap() = sign_in(&shared.address, project).await;
        });
    }
    let (method, path) = ROUTES[usize::from(*route) % ROUTES.len()];
    let (refresh, session) = shared.tokens.lock().unwrap().clone();
    // The bearer: none, the project alone, a session's tokens, the demo access key, the
    // body's first bytes as a token, or as the whole header.
    let (token_bytes, body) = body.split_at(body.len().min(usize::from(*bearer >> 3)));
    let authorization: Option<Vec<u8>> = match bearer % 7 {
        0 => None,
        1 => Some(format!("Bearer {project}").into_bytes()),
        2 => Some(format!("Bearer {project}:{refresh}").into_bytes()),
        3 => Some(format!("Bearer {project}:{session}").into_bytes()),
        4 => Some(format!("Bearer {project}:emulator-access-key-0001").into_bytes()),
        5 => Some(format!("Bearer {project}:{}", b64(token_bytes)).into_bytes()),
        _ => Some(token_bytes.to_vec()),
    };
    let mut headers: Vec<(&str, &[u8])> = Vec::new();
    if let Some(value) = &authorization {
        // Only a valid field value (what an HTTP client sends; hyper itself answers a bare
        // 400 to the rest, before the emulator sees the request).
        if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return;
        }
        headers.push(("Authorization", value));
    }
    if let Some(kind) = CONTENT_TYPES[usize::from(*content_type) % CONTENT_TYPES.len()] {
        headers.push(("Content-Type", kind.as_bytes()));
    }
    let (status, head, answer) =
        shared
            .runtime
            .block_on(exchange(&shared.address, method, path, &headers, body));
    let text = String::from_utf8_lossy(&answer);
    assert!(
        (200..300).contains(&status) || (400..500).contains(&status),
        "{method} {path}: {head}\n{text}"
    );
    let value: Value = serde_json::from_slice(&answer)
        .unwrap_or_else(|_| panic!("{method} {path}: {status} is not JSON: {text}"));
    if status >= 400 {
        assert!(value["errorCode"].is_string(), "{method} {path}: {text}");
    }
});
