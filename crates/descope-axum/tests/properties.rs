//! Fuzz-style properties of what descope-axum reads from a request: `Cookie` and
//! `Authorization` headers (through the layer, extractors and guards), the login routes'
//! query strings and provider path, the callback's `code`, `flow` and flow cookie, and
//! logout's target and `Origin`/`Sec-Fetch-Site`/`Host`. Driven with tower `oneshot`
//! against a real emulator on loopback.
//!
//! Every answer: no panic; no 5xx but the documented 503 (Descope unavailable, or a signing
//! key not known yet); a response that sets cookies is not cacheable; and no redirect to a
//! foreign origin: a `Location` header, or the signed-in page's refresh target, resolves
//! (as a browser would, against the app URL) to the app's origin or an allowed one (only a
//! start route may send the browser to Descope).

use std::sync::OnceLock;

use axum::body::Body;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use descope_axum::{Authenticated, Descope, Guard, Guarded, Requirement};
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{Client, Session};
use descope_types::ExchangeCode;
use http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE,
};
use http::{HeaderValue, Method, Request, StatusCode};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt;
use url::Url;

/// Cases per property (`PROPTEST_CASES` overrides it for a longer local run).
const CASES: u32 = 64;

const APP: &str = "http://app.test";
/// The one extra origin redirect targets may name.
const ADMIN: &str = "https://admin.example";

struct Shared {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    client: Client,
    http: reqwest::Client,
    app: Router,
    /// A signed-in session of `ada@example.com` (an admin), used by every case.
    session: String,
    refresh: String,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (emulator, client, http, session, refresh) = runtime.block_on(async {
            let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let client = Client::builder(emulator.project_id())
                .base_url(emulator.base_url())
                .build()
                .unwrap();
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let (session, refresh) = sign_in(&client, &http, "ada@example.com").await;
            (emulator, client, http, session, refresh)
        });
        let descope = Descope::builder(client.clone())
            .app_url(APP)
            .allow_redirect_origin(ADMIN)
            .build()
            .unwrap();
        Shared {
            runtime,
            emulator,
            client,
            http,
            app: app(&descope),
            session,
            refresh,
        }
    })
}

/// A full OAuth sign-in; returns the session and refresh tokens.
async fn sign_in(client: &Client, http: &reqwest::Client, login: &str) -> (String, String) {
    let url = client
        .oauth()
        .start("google")
        .redirect_url("http://app.test/callback")
        .login_hint(login)
        .await
        .unwrap();
    let code = code_of(&consent(http, url.as_str()).await);
    let info = client
        .oauth()
        .exchange(&ExchangeCode::new(code))
        .await
        .unwrap();
    (
        info.session_token().secret().to_owned(),
        info.refresh_token().secret().to_owned(),
    )
}

/// Follows an emulator provider or IdP URL (auto-consent); returns the redirect target.
async fn consent(http: &reqwest::Client, url: &str) -> String {
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 302, "{url}");
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

fn code_of(location: &str) -> String {
    Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

struct Admin;

impl Requirement for Admin {
    fn allows(session: &Session) -> bool {
        session.validate_roles(&["admin"])
    }
}

fn app(descope: &Descope) -> Router {
    let guarded = Router::new()
        .route("/guard/admin", get(|| async { "admin" }))
        .route_layer(Guard::roles(["admin"]))
        .merge(
            Router::new()
                .route("/guard/acme", get(|| async { "acme admin" }))
                .route_layer(Guard::tenant_roles(
                    "T2EmulatorTenantAcme",
                    ["tenant-admin"],
                )),
        );
    Router::new()
        .route(
            "/me",
            get(|s: Authenticated| async move { Json(json!({ "user": s.user_id() })) }),
        )
        .route(
            "/maybe",
            get(|s: Option<Authenticated>| async move {
                s.map_or_else(|| "anonymous".to_owned(), |s| s.user_id().to_owned())
            }),
        )
        .route(
            "/admin",
            get(|s: Guarded<Admin>| async move { format!("admin {}", s.user_id()) }),
        )
        .merge(guarded)
        .layer(descope.layer())
        .merge(
            Router::new()
                .route("/strict", get(|| async { "strict" }))
                .layer(descope.require_session()),
        )
        .merge(descope.routes())
}

/// Paths behind the session layer (each read with the case's headers).
const PROTECTED: [&str; 6] = [
    "/me",
    "/maybe",
    "/admin",
    "/guard/admin",
    "/guard/acme",
    "/strict",
];

/// Where the browser would go: `target` resolved against a page of the app.
fn destination(target: &str) -> Option<Url> {
    Url::parse("http://app.test/auth/oauth/callback")
        .unwrap()
        .join(target)
        .ok()
}

/// Whether a redirect target stays on the app's origin or the allowed one (or Descope's,
/// when `descope` is given).
fn allowed(target: &str, descope: Option<&str>) -> bool {
    let Some(url) = destination(target) else {
        return false;
    };
    let origin = url.origin().ascii_serialization();
    origin == APP || origin == ADMIN || descope.is_some_and(|d| origin == d)
}

/// The target of the signed-in page's `<meta http-equiv="refresh">`, unescaped.
fn refresh_target(page: &str) -> Option<String> {
    let start = page.find("content=\"0;url=")? + "content=\"0;url=".len();
    let end = start + page[start..].find('"')?;
    Some(
        page[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// An answer, read in full.
struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(request: Request<Body>) -> Answer {
    let response: Response = shared().app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// The properties every answer has. `descope`: the origin a start route may redirect to.
fn check(what: &str, answer: &Answer, descope: Option<&str>) -> Result<(), TestCaseError> {
    let status = answer.status;
    prop_assert!(
        !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
        "{}: {} {}",
        what,
        status,
        answer.text()
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        let body: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        prop_assert_eq!(&body["error"], "upstream_unavailable", "{}", what);
    }
    if let Some(location) = answer.headers.get(LOCATION) {
        // Browsers read a Location's non-ASCII bytes as UTF-8.
        let location = std::str::from_utf8(location.as_bytes()).map_err(|_| {
            TestCaseError::fail(format!("{what}: Location is not UTF-8: {location:?}"))
        })?;
        prop_assert!(
            allowed(location, descope),
            "{}: redirect to {:?}",
            what,
            location
        );
    }
    let is_html = answer
        .headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html {
        let page = answer.text();
        let target = refresh_target(&page)
            .ok_or_else(|| TestCaseError::fail(format!("{what}: page without target: {page}")))?;
        prop_assert!(
            allowed(&target, None),
            "{}: page sends to {:?}",
            what,
            target
        );
    }
    if answer.headers.contains_key(SET_COOKIE) {
        prop_assert_eq!(
            answer.headers.get(CACHE_CONTROL).map(HeaderValue::as_bytes),
            Some(&b"private, no-store"[..]),
            "{}",
            what
        );
    }
    Ok(())
}

fn run<S: Strategy>(strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let shared = shared();
    let mut runner = TestRunner::new(Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        max_shrink_iters: 256,
        source_file: Some(file!()),
        ..Config::default()
    });
    if let Err(failure) = runner.run(&strategy, property) {
        panic!("{failure}");
    }
    // Still works for a real session afterwards.
    let answer = shared.runtime.block_on(send(
        Request::get("/me")
            .header(AUTHORIZATION, format!("Bearer {}", shared.session))
            .body(Body::empty())
            .unwrap(),
    ));
    assert_eq!(answer.status, 200, "{}", answer.text());
}

fn block_on<F: Future>(future: F) -> F::Output {
    shared().runtime.block_on(future)
}

/// Structured changes to a valid token.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Append(String),
    SwapSegments,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        "[!-~]{0,20}".prop_map(Mutation::Append),
        Just(Mutation::SwapSegments),
    ]
}

fn mutate(token: &str, mutation: &Mutation) -> String {
    match mutation {
        Mutation::Flip(at, byte) => {
            let mut bytes = token.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = *byte;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::Truncate(len) => token[..len % token.len()].to_owned(),
        Mutation::Append(tail) => format!("{token}{tail}"),
        Mutation::SwapSegments => {
            let parts: Vec<&str> = token.split('.').collect();
            format!("{}.{}.{}", parts[1], parts[0], parts[2])
        }
    }
}

/// A token-ish value for a cookie or a bearer.
#[derive(Debug, Clone)]
enum Token {
    Session,
    Refresh,
    MutatedSession(Mutation),
    MutatedRefresh(Mutation),
    Quoted(Box<Token>),
    Text(String),
}

fn token() -> impl Strategy<Value = Token> {
    let leaf = prop_oneof![
        4 => Just(Token::Session),
        4 => Just(Token::Refresh),
        2 => mutation().prop_map(Token::MutatedSession),
        2 => mutation().prop_map(Token::MutatedRefresh),
        2 => "[!-~]{0,60}".prop_map(Token::Text),
        1 => any::<String>().prop_map(Token::Text),
        1 => Just(Token::Text(String::new())),
    ];
    prop_oneof![
        6 => leaf.clone(),
        1 => leaf.prop_map(|t| Token::Quoted(Box::new(t))),
    ]
}

impl Token {
    fn text(&self, shared: &Shared) -> String {
        match self {
            Self::Session => shared.session.clone(),
            Self::Refresh => shared.refresh.clone(),
            Self::MutatedSession(m) => mutate(&shared.session, m),
            Self::MutatedRefresh(m) => mutate(&shared.refresh, m),
            Self::Quoted(inner) => format!("\"{}\"", inner.text(shared)),
            Self::Text(text) => text.clone(),
        }
    }
}

/// One `Cookie` header: name/value pairs with some separator, or any bytes.
#[derive(Debug, Clone)]
enum CookieHeader {
    Pairs(Vec<(String, Token)>, &'static str),
    Raw(Vec<u8>),
}

fn cookie_header() -> impl Strategy<Value = CookieHeader> {
    let name = prop_oneof![
        4 => prop::sample::select(vec!["DS", "DSR"]).prop_map(str::to_owned),
        2 => prop::sample::select(vec![
            "DSFLOW", "ds", "dsr", "DS ", " DSR", "\"DS\"", "DS\t", "",
        ])
        .prop_map(str::to_owned),
        1 => "[!-~]{0,8}",
    ];
    let separator = prop::sample::select(vec!["; ", ";", ";;", " ; ", ", ", ";\t", "&"]);
    prop_oneof![
        4 => (vec((name, token()), 0..5), separator).prop_map(|(p, s)| CookieHeader::Pairs(p, s)),
        1 => vec(any::<u8>(), 0..200).prop_map(CookieHeader::Raw),
    ]
}

impl CookieHeader {
    fn value(&self, shared: &Shared) -> Option<HeaderValue> {
        match self {
            Self::Pairs(pairs, separator) => {
                let text = pairs
                    .iter()
                    .map(|(name, token)| format!("{name}={}", token.text(shared)))
                    .collect::<Vec<_>>()
                    .join(separator);
                HeaderValue::from_str(&text).ok()
            }
            Self::Raw(bytes) => HeaderValue::from_bytes(bytes).ok(),
        }
    }
}

/// An `Authorization` header.
#[derive(Debug, Clone)]
enum AuthHeader {
    Scheme(&'static str, Token),
    Raw(Vec<u8>),
}

fn auth_header() -> impl Strategy<Value = AuthHeader> {
    let scheme = prop::sample::select(vec![
        "Bearer ", "bearer ", "BEARER ", "Bearer  ", "Bearer\t", "Bearer", "Basic ", "", " Bearer ",
    ]);
    prop_oneof![
        4 => (scheme, token()).prop_map(|(s, t)| AuthHeader::Scheme(s, t)),
        1 => vec(any::<u8>(), 0..120).prop_map(AuthHeader::Raw),
    ]
}

impl AuthHeader {
    fn value(&self, shared: &Shared) -> Option<HeaderValue> {
        match self {
            Self::Scheme(scheme, token) => {
                HeaderValue::from_str(&format!("{scheme}{}", token.text(shared))).ok()
            }
            Self::Raw(bytes) => HeaderValue::from_bytes(bytes).ok(),
        }
    }

    /// The valid session as a bearer: that request must pass.
    fn is_valid_session(&self) -> bool {
        matches!(
            self,
            Self::Scheme(
                "Bearer " | "bearer " | "BEARER " | "Bearer  ",
                Token::Session
            )
        )
    }
}

#[test]
fn arbitrary_cookie_and_authorization_headers() {
    run(
        (
            vec(cookie_header(), 0..3),
            prop::option::weighted(0.4, auth_header()),
        ),
        |(cookies, authorization)| {
            let shared = shared();
            // Headers that cannot be sent (control characters) are left out.
            let (cookies, values): (Vec<CookieHeader>, Vec<HeaderValue>) = cookies
                .into_iter()
                .filter_map(|c| {
                    let value = c.value(shared)?;
                    Some((c, value))
                })
                .unzip();
            // The first cookie is the valid session: it is the one read.
            let session_cookie_first = matches!(
                cookies.first(),
                Some(CookieHeader::Pairs(pairs, separator))
                    if matches!(pairs.first(), Some((name, Token::Session)) if name == "DS")
                        && (separator.contains(';') || pairs.len() == 1)
            );
            let cookies = values;
            let bearer = authorization.as_ref().and_then(|a| a.value(shared));
            block_on(async {
                for path in PROTECTED {
                    let mut request = Request::get(path);
                    for cookie in &cookies {
                        request = request.header(COOKIE, cookie.clone());
                    }
                    if let Some(bearer) = &bearer {
                        request = request.header(AUTHORIZATION, bearer.clone());
                    }
                    let answer = send(request.body(Body::empty()).unwrap()).await;
                    check(path, &answer, None)?;
                    // A valid bearer wins over any cookie; without a bearer, the first `DS`.
                    if authorization
                        .as_ref()
                        .is_some_and(AuthHeader::is_valid_session)
                        || (bearer.is_none() && session_cookie_first)
                    {
                        prop_assert_eq!(answer.status, 200, "{}: {}", path, answer.text());
                    }
                    // Without any header nothing is set and nothing passes.
                    if cookies.is_empty() && bearer.is_none() && path != "/maybe" {
                        prop_assert_eq!(answer.status, 401, "{}", path);
                    }
                }
                Ok(())
            })
        },
    );
}

/// Redirect targets: anything, and the shapes of known open-redirect tricks.
fn target() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "",
        "/",
        "//",
        "///",
        "/\\",
        "\\\\",
        "\\/",
        "/%2F",
        "/%5C",
        "http://",
        "https://",
        "HTTPS://",
        "https:",
        "http:/",
        "https:/\\",
        " /",
        "\t/",
        "/\t/",
        "\n//",
        "javascript:",
        "data:text/html,",
        "https://app.test@",
        "http://app.test@",
        "http://user:pass@",
        "//app.test",
    ]);
    let host = prop::sample::select(vec![
        "evil.example",
        "app.test",
        "admin.example",
        "app.test.evil.example",
        "admin.example.evil.example",
        "127.0.0.1",
        "[::1]",
        "xn--pple-43d.com",
        "аpp.test",
        "",
    ]);
    let suffix = prop::sample::select(vec![
        "",
        "/",
        "/x?y=1#z",
        ":80/",
        ":443/",
        ":8080",
        "\\@evil.example",
        "@evil.example",
        "%09",
        "%2F%2Fevil.example",
        "#@evil.example",
        "?@evil.example",
        ".",
    ]);
    prop_oneof![
        3 => (prefix, host, suffix).prop_map(|(p, h, s)| format!("{p}{h}{s}")),
        1 => any::<String>(),
        1 => "[ -~]{0,40}",
    ]
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A query string from these parameters (each at most once) and some raw noise (which may
/// repeat one, or be percent-encoded badly).
fn query_string(params: &[(&str, Option<String>)], noise: Option<&str>) -> String {
    let mut parts: Vec<String> = params
        .iter()
        .filter_map(|(k, v)| Some(format!("{k}={}", encode(v.as_deref()?))))
        .collect();
    parts.extend(noise.map(str::to_owned));
    parts.join("&")
}

/// Raw query noise: URI-safe characters, including `%` escapes of any bytes.
fn noise() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.3, "[a-zA-Z0-9%=&;+._~!$'()*,/:@?-]{0,60}")
}

/// Tenant names, ids and email domains the demo data knows, and anything else.
fn tenant() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "acme.example",
            "T2EmulatorTenantAcme",
            "Globex",
            "grace@acme.example",
            "globex.example",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[ -~]{0,20}",
    ]
}

fn login_hint() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ada@example.com".to_owned()),
        "[a-z0-9.]{1,10}@[a-z]{1,8}\\.example",
        any::<String>(),
    ]
}

#[test]
fn login_start_queries_and_providers() {
    let provider = prop_oneof![
        3 => Just("google".to_owned()),
        1 => "[a-zA-Z0-9_-]{1,70}",
        1 => any::<String>(),
    ];
    run(
        (
            provider,
            prop::option::of(target()),
            prop::option::of(login_hint()),
            prop::option::of(tenant()),
            noise(),
            any::<bool>(),
        ),
        |(provider, redirect, hint, tenant, noise, sso)| {
            let shared = shared();
            let query = query_string(
                &[
                    ("redirect", redirect),
                    ("loginHint", hint),
                    ("tenant", tenant),
                ],
                noise.as_deref(),
            );
            let path = if sso {
                format!("/auth/sso?{query}")
            } else {
                format!("/auth/oauth/{}?{query}", encode(&provider))
            };
            let Ok(request) = Request::get(path.as_str()).body(Body::empty()) else {
                return Ok(());
            };
            block_on(async {
                let answer = send(request).await;
                check(&path, &answer, Some(shared.emulator.base_url()))?;
                if answer.status != StatusCode::FOUND {
                    return Ok(());
                }
                // Started: the flow cookie names only an allowed target, and finishing the
                // flow lands there.
                let flow = answer
                    .headers
                    .get_all(SET_COOKIE)
                    .iter()
                    .filter_map(|c| c.to_str().ok())
                    .find(|c| c.starts_with("DSFLOW="))
                    .map(|c| c.split(';').next().unwrap().to_owned())
                    .ok_or_else(|| TestCaseError::fail(format!("{path}: no flow cookie")))?;
                let stored = flow["DSFLOW=".len()..].split_once('.').unwrap().1;
                let stored = String::from_utf8(unhex(stored)).unwrap();
                prop_assert!(allowed(&stored, None), "{}: stored {:?}", path, stored);
                let provider_page = answer.headers[LOCATION].to_str().unwrap().to_owned();
                let callback = consent(&shared.http, &provider_page).await;
                let callback = callback.strip_prefix(APP).unwrap_or(&callback).to_owned();
                let answer = send(
                    Request::get(callback.as_str())
                        .header(COOKIE, flow)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
                check(&callback, &answer, None)?;
                prop_assert_eq!(answer.status, 200, "{}: {}", callback, answer.text());
                prop_assert_eq!(refresh_target(&answer.text()), Some(stored));
                Ok(())
            })
        },
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The flow cookie a callback sees.
#[derive(Debug, Clone)]
enum FlowCookie {
    /// The one the start set.
    Genuine,
    /// The start's nonce with another target (hex of any bytes).
    Target(Vec<u8>),
    /// The start's nonce and this raw text after the dot.
    Tail(String),
    Other(String),
    Missing,
}

fn flow_cookie() -> impl Strategy<Value = FlowCookie> {
    prop_oneof![
        1 => Just(FlowCookie::Genuine),
        3 => prop_oneof![
            target().prop_map(String::into_bytes),
            vec(any::<u8>(), 0..40),
        ]
        .prop_map(FlowCookie::Target),
        1 => "[!-~]{0,40}".prop_map(FlowCookie::Tail),
        1 => "[!-~]{0,60}".prop_map(FlowCookie::Other),
        1 => Just(FlowCookie::Missing),
    ]
}

/// What the callback's `code` and `flow` parameters are.
#[derive(Debug, Clone)]
enum Param {
    Genuine,
    Text(String),
    Missing,
}

fn param() -> impl Strategy<Value = Param> {
    prop_oneof![
        4 => Just(Param::Genuine),
        1 => any::<String>().prop_map(Param::Text),
        1 => Just(Param::Missing),
    ]
}

#[test]
fn callback_codes_flows_and_flow_cookies() {
    run(
        (any::<bool>(), param(), param(), flow_cookie(), noise()),
        |(sso, code, flow, cookie, extra)| {
            let shared = shared();
            block_on(async {
                // A genuine start (target /home), then its callback with the case's changes.
                let start = if sso {
                    "/auth/sso?tenant=acme.example&redirect=%2Fhome"
                } else {
                    "/auth/oauth/google?redirect=%2Fhome"
                };
                let started = send(Request::get(start).body(Body::empty()).unwrap()).await;
                prop_assert_eq!(started.status, 302);
                let genuine_cookie = started
                    .headers
                    .get_all(SET_COOKIE)
                    .iter()
                    .map(|c| c.to_str().unwrap())
                    .find(|c| c.starts_with("DSFLOW="))
                    .unwrap()
                    .split(';')
                    .next()
                    .unwrap()
                    .to_owned();
                let nonce = genuine_cookie["DSFLOW=".len()..]
                    .split_once('.')
                    .unwrap()
                    .0
                    .to_owned();
                let location = started.headers[LOCATION].to_str().unwrap().to_owned();
                let redirect = Url::parse(&consent(&shared.http, &location).await).unwrap();
                let genuine = |name: &str| {
                    redirect
                        .query_pairs()
                        .find(|(k, _)| k == name)
                        .unwrap()
                        .1
                        .into_owned()
                };
                let mut pairs = Vec::new();
                for (name, param) in [("code", &code), ("flow", &flow)] {
                    match param {
                        Param::Genuine => pairs.push((name, genuine(name))),
                        Param::Text(text) => pairs.push((name, text.clone())),
                        Param::Missing => {}
                    }
                }
                let mut query = pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={}", encode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                if let Some(extra) = &extra {
                    query = format!("{query}&{extra}");
                }
                let path = format!("{}?{query}", redirect.path());
                let header = match &cookie {
                    FlowCookie::Genuine => Some(genuine_cookie.clone()),
                    FlowCookie::Target(bytes) => Some(format!("DSFLOW={nonce}.{}", hex(bytes))),
                    FlowCookie::Tail(tail) => Some(format!("DSFLOW={nonce}.{tail}")),
                    FlowCookie::Other(text) => Some(format!("DSFLOW={text}")),
                    FlowCookie::Missing => None,
                };
                let mut request = Request::get(path.as_str());
                if let Some(header) = &header {
                    request = request.header(COOKIE, header.as_str());
                }
                let Ok(request) = request.body(Body::empty()) else {
                    return Ok(());
                };
                let answer = send(request).await;
                check(&path, &answer, None)?;
                // Only the genuine code, nonce and cookie nonce sign in.
                let signs_in = matches!(code, Param::Genuine)
                    && matches!(flow, Param::Genuine)
                    && matches!(
                        cookie,
                        FlowCookie::Genuine | FlowCookie::Target(_) | FlowCookie::Tail(_)
                    );
                if answer.status == 200 {
                    prop_assert!(signs_in, "{}: {:?}", path, cookie);
                    prop_assert!(
                        !matches!(cookie, FlowCookie::Genuine)
                            || refresh_target(&answer.text()).as_deref() == Some("/home")
                    );
                } else if signs_in && extra.is_none() {
                    prop_assert!(false, "{}: {} {}", path, answer.status, answer.text());
                }
                Ok(())
            })
        },
    );
}

#[test]
fn logout_targets_and_request_origins() {
    let origin = prop_oneof![
        prop::sample::select(vec![
            "http://app.test",
            "https://admin.example",
            "https://evil.example",
            "null",
            "http://app.test.evil.example",
            "http://app.test:80",
            "",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,30}",
    ];
    let fetch_site = prop::sample::select(vec![
        "same-origin",
        "same-site",
        "cross-site",
        "none",
        "",
        "SAME-ORIGIN",
    ]);
    let host = prop::sample::select(vec!["app.test", "evil.example", "", "app.test:80"]);
    run(
        (
            (prop::option::of(target()), noise()),
            prop::option::of(origin),
            prop::option::of(fetch_site),
            prop::option::of(host),
            vec(cookie_header(), 0..2),
        ),
        |((redirect, noise), origin, fetch_site, host, cookies)| {
            let shared = shared();
            let query = query_string(&[("redirect", redirect)], noise.as_deref());
            let path = format!("/auth/logout?{query}");
            let mut request = Request::builder().method(Method::POST).uri(path.as_str());
            if let Some(origin) = &origin {
                request = request.header(ORIGIN, origin.as_str());
            }
            if let Some(site) = fetch_site {
                request = request.header("sec-fetch-site", site);
            }
            if let Some(host) = host {
                request = request.header(HOST, host);
            }
            // The shared refresh token is for the other cases: never revoke it here (any
            // header with its signature may carry it intact).
            let signature = shared.refresh.rsplit('.').next().unwrap();
            for cookie in cookies.iter().filter_map(|c| c.value(shared)) {
                if !String::from_utf8_lossy(cookie.as_bytes()).contains(signature) {
                    request = request.header(COOKIE, cookie);
                }
            }
            let Ok(request) = request.body(Body::empty()) else {
                return Ok(());
            };
            block_on(async {
                let answer = send(request).await;
                check(&path, &answer, None)?;
                // 400: a query the extractor refuses (noise repeating `redirect`).
                prop_assert!(
                    matches!(answer.status.as_u16(), 303 | 400 | 403),
                    "{}: {}",
                    path,
                    answer.status
                );
                if answer.status == 403 {
                    prop_assert!(!answer.headers.contains_key(SET_COOKIE));
                }
                // A cross-site browser request never logs out.
                let trusted = origin
                    .as_deref()
                    .and_then(|o| Url::parse(o.trim()).ok())
                    .is_some_and(|url| {
                        url.username().is_empty()
                            && url.password().is_none()
                            && [APP, ADMIN].contains(&url.origin().ascii_serialization().as_str())
                    });
                if matches!(fetch_site, Some("cross-site" | "same-site")) && !trusted {
                    prop_assert_eq!(answer.status.as_u16(), 403);
                }
                Ok(())
            })
        },
    );
    // The shared refresh token still works.
    let shared = shared();
    let refresh = descope_types::RefreshToken::new(shared.refresh.clone());
    let refreshed = block_on(shared.client.refresh(&refresh).send());
    assert!(refreshed.is_ok(), "{refreshed:?}");
}
