//! Fuzz-style properties of the Descope API routes: arbitrary bytes, arbitrary JSON values,
//! structured mutations of a valid body and arbitrary query parameters, under valid and
//! invalid bearers and any `Content-Type`, sent to every route. Every answer is a 2xx with a
//! JSON body or a 4xx with a Descope-shaped JSON error: never a 5xx, a redirect or a dropped
//! connection. The emulator keeps serving afterwards.
//!
//! One emulator serves every case (on a runtime of its own, shared by the tests of this
//! module); each case sends its input to all routes.

use std::sync::OnceLock;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde_json::{Map, Value, json};

use crate::common::*;

/// Cases per property (`PROPTEST_CASES` overrides it for a longer local run); each case
/// makes one request per route (about 25).
const CASES: u32 = 64;

/// A project id other than the default one (a second project, created once).
const OTHER_PROJECT: &str = "P2FuzzOtherProject0001";

/// The seeded access key of the demo data.
const ACCESS_KEY: &str = "emulator-access-key-0001";

struct Shared {
    runtime: tokio::runtime::Runtime,
    env: Env,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let env = runtime.block_on(start());
        Shared { runtime, env }
    })
}

/// A route with the method the SDKs use and a valid body of the shape it reads.
struct Route {
    get: bool,
    path: &'static str,
    valid: fn() -> Value,
}

const fn post(path: &'static str, valid: fn() -> Value) -> Route {
    Route {
        get: false,
        path,
        valid,
    }
}

fn login_options() -> Value {
    json!({
        "stepup": false,
        "mfa": false,
        "customClaims": {"plan": "pro", "n": 1, "nested": {"a": [1, 2]}},
        "revokeOtherSessions": false,
        "revokeOtherSessionsTypes": ["web"],
        "templateId": "t1",
        "templateOptions": {"k": "v"},
        "tenantId": "T2EmulatorTenantAcme",
        "locale": "en",
        "ssoAppId": "app",
        "pkceChallenge": "abc",
    })
}

fn code_body() -> Value {
    json!({"code": "c0de"})
}

fn webauthn_finish() -> Value {
    json!({
        "transactionId": "wa_1",
        "response": "{\"id\":\"cred-1\",\"rawId\":\"Y3JlZC0x\",\"type\":\"public-key\",\"response\":{}}",
    })
}

fn empty() -> Value {
    json!({})
}

/// Every Descope API route of the router (`src/handlers/mod.rs`), logout last (a case's
/// session survives until then).
const ROUTES: &[Route] = &[
    post(
        "/v1/auth/oauth/authorize?provider=google&redirectURL=http%3A%2F%2Flocalhost%3A3000%2Fcb&loginHint=fuzz%40example.com",
        login_options,
    ),
    post(
        "/v1/auth/oauth/authorize/signup?provider=google",
        login_options,
    ),
    post(
        "/v1/auth/oauth/authorize/signin?provider=google&loginHint=ada%40example.com",
        login_options,
    ),
    post(
        "/v1/auth/oauth/authorize/update?provider=github",
        login_options,
    ),
    post("/v1/auth/oauth/exchange", code_body),
    post(
        "/v1/auth/oauth/native/start",
        || json!({"provider": "apple", "loginOptions": login_options(), "implicit": true}),
    ),
    post("/v1/auth/oauth/native/finish", || {
        json!({
            "provider": "apple",
            "stateId": "ns_1",
            "user": "{\"name\":{\"firstName\":\"A\",\"lastName\":\"B\"},\"email\":\"a@b.example\"}",
            "code": "nc_1",
            "idToken": "a.b.c",
        })
    }),
    post(
        "/v1/auth/sso/authorize?tenant=acme.example&redirectURL=http%3A%2F%2Flocalhost%3A3000%2Fcb&ssoId=s1",
        login_options,
    ),
    post("/v1/auth/sso/exchange", code_body),
    post(
        "/v1/auth/saml/authorize?tenant=T2EmulatorTenantAcme&loginHint=grace%40acme.example",
        login_options,
    ),
    post("/v1/auth/saml/exchange", code_body),
    post("/v1/auth/totp/signup", || {
        json!({
            "loginId": "fuzz@example.com",
            "user": {
                "name": "F Z", "givenName": "F", "middleName": "M", "familyName": "Z",
                "email": "fuzz@example.com", "phone": "+15555550100",
            },
        })
    }),
    post(
        "/v1/auth/totp/verify",
        || json!({"loginId": "ada@example.com", "code": "123456", "loginOptions": login_options()}),
    ),
    post(
        "/v1/auth/totp/update",
        || json!({"loginId": "ada@example.com"}),
    ),
    post("/v1/auth/webauthn/signup/start", || {
        json!({
            "user": {"loginId": "fuzz-wa@example.com", "name": "F Z"},
            "origin": "http://localhost:3000",
            "loginOptions": login_options(),
            "passkeyOptions": {"authenticatorSelection": {"authenticatorAttachment": "platform"},
                "attestation": "none", "userVerification": "preferred"},
        })
    }),
    post("/v1/auth/webauthn/signup/finish", webauthn_finish),
    post(
        "/v1/auth/webauthn/signin/start",
        || json!({"loginId": "ada@example.com", "origin": "http://localhost:3000", "loginOptions": login_options()}),
    ),
    post("/v1/auth/webauthn/signin/finish", webauthn_finish),
    post(
        "/v1/auth/webauthn/signup-in/start",
        || json!({"loginId": "fuzz-wa@example.com", "origin": "http://localhost:3000"}),
    ),
    post(
        "/v1/auth/webauthn/update/start",
        || json!({"loginId": "ada@example.com", "origin": "http://localhost:3000", "mfa": true}),
    ),
    post("/v1/auth/webauthn/update/finish", webauthn_finish),
    post("/v1/auth/refresh", || json!({"externalToken": "ext"})),
    post("/v1/auth/try-refresh", empty),
    Route {
        get: true,
        path: "/v1/auth/me",
        valid: empty,
    },
    Route {
        get: true,
        path: "/v1/auth/me/history",
        valid: empty,
    },
    post(
        "/v1/auth/me/tenants",
        || json!({"dct": false, "ids": ["T2EmulatorTenantAcme", "T2EmulatorTenantGlobex"]}),
    ),
    post(
        "/v1/auth/tenant/select",
        || json!({"tenant": "T2EmulatorTenantAcme"}),
    ),
    post("/v1/auth/validate", empty),
    post(
        "/v1/auth/accesskey/exchange",
        || json!({"loginOptions": {"customClaims": {"k": "v"}, "selectedTenant": "T2EmulatorTenantAcme"}}),
    ),
    post("/v1/auth/logout", || json!({"logoutType": ["web"]})),
    post("/v1/auth/logoutall", empty),
];

/// Which `Authorization` header a case sends.
#[derive(Debug, Clone)]
enum Bearer {
    Missing,
    ProjectOnly,
    /// A refresh token of a fresh sign-in.
    Refresh,
    /// A session token of a fresh sign-in.
    Session,
    AccessKey,
    /// The default project with an arbitrary token.
    Token(String),
    OtherProject(String),
    /// Any header value at all.
    Raw(Vec<u8>),
}

fn bearer() -> impl Strategy<Value = Bearer> {
    prop_oneof![
        1 => Just(Bearer::Missing),
        1 => Just(Bearer::ProjectOnly),
        2 => Just(Bearer::Refresh),
        1 => Just(Bearer::Session),
        1 => Just(Bearer::AccessKey),
        1 => "[!-~]{0,200}".prop_map(Bearer::Token),
        1 => "[!-~]{0,20}".prop_map(Bearer::OtherProject),
        1 => prop_oneof![
            vec(any::<u8>(), 0..80),
            "(Bearer|bearer|Basic|BEARER)?[ \t]{0,2}[!-~ ]{0,60}".prop_map(String::into_bytes),
        ]
        .prop_map(Bearer::Raw),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
    ]))
}

/// JSON with every kind of leaf (floats, huge numbers, any unicode) and keys that the
/// request types read.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
        "[a-zA-Z0-9@._:/-]{0,20}".prop_map(Value::from),
    ];
    let key = prop_oneof![
        prop::sample::select(vec![
            "code",
            "loginId",
            "provider",
            "stateId",
            "idToken",
            "user",
            "implicit",
            "loginOptions",
            "customClaims",
            "tenantId",
            "selectedTenant",
            "stepup",
            "mfa",
            "tenant",
            "dct",
            "ids",
            "externalToken",
            "logoutType",
            "name",
            "email",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
    .boxed()
}

/// Raw bodies: any bytes, or JSON-ish token soup (unbalanced brackets, lone surrogate
/// escapes, numbers out of range, NULs).
fn raw_body() -> impl Strategy<Value = Vec<u8>> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"",
        "null",
        "true",
        "-0",
        "1e999",
        "123456789012345678901234567890",
        "\"\\ud800\"",
        "\"\\u0000\"",
        "\"loginId\"",
        "\"code\"",
        "\"loginOptions\"",
        "\"customClaims\"",
        "\u{0}",
        "\u{feff}",
        " ",
    ]);
    prop_oneof![
        vec(any::<u8>(), 0..512),
        vec(token, 0..40).prop_map(|t| t.concat().into_bytes()),
        // Deep nesting far past serde_json's recursion limit.
        (1usize..4000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
        (1usize..4000).prop_map(|n| "{\"a\":".repeat(n).into_bytes()),
    ]
}

/// What to do at the chosen place of a valid body.
#[derive(Debug, Clone)]
enum Op {
    Remove,
    Null,
    /// Any other value (usually of the wrong type).
    Replace(Value),
    /// A string this long (the last one is over the 64 KiB body limit).
    Huge(usize),
    /// Arrays nested this deep.
    Deep(usize),
    Unicode(String),
    /// An extra field next to the chosen one.
    Add(String, Value),
}

/// Where in the body (indices into objects' keys and arrays, modulo their length) and what.
#[derive(Debug, Clone)]
struct Mutation {
    path: Vec<usize>,
    ops: Vec<Op>,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Remove),
        1 => Just(Op::Null),
        3 => json_value().prop_map(Op::Replace),
        1 => prop::sample::select(vec![256usize, 4096, 40_000, 70_000]).prop_map(Op::Huge),
        1 => (1usize..300).prop_map(Op::Deep),
        1 => prop_oneof![
            any::<String>(),
            prop::sample::select(vec![
                "\u{0}",
                "\u{202e}evil",
                "\u{ffff}",
                "😀👍🏽",
                "a\u{0301}",
                "\r\n",
                "ﬁ",
                "İ",
                "\u{10ffff}",
            ])
            .prop_map(str::to_owned),
        ]
        .prop_map(Op::Unicode),
        1 => (any::<String>(), json_value()).prop_map(|(k, v)| Op::Add(k, v)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (vec(any::<usize>(), 0..4), vec(op(), 1..4)).prop_map(|(path, ops)| Mutation { path, ops })
}

fn nested(depth: usize) -> Value {
    (0..depth).fold(json!("x"), |inner, _| Value::Array(vec![inner]))
}

/// Applies `op` at `path` (followed as far as the body goes).
fn apply(value: &mut Value, path: &[usize], op: &Op) {
    let child = match (value, path.split_first()) {
        (Value::Object(map), Some((&i, rest))) if !map.is_empty() => {
            let key = map.keys().nth(i % map.len()).cloned().unwrap();
            if rest.is_empty() || !matches!(map[&key], Value::Object(_) | Value::Array(_)) {
                match op {
                    Op::Remove => {
                        map.remove(&key);
                    }
                    Op::Add(k, v) => {
                        map.insert(k.clone(), v.clone());
                    }
                    other => map[&key] = replacement(other),
                }
                return;
            }
            map.get_mut(&key).unwrap()
        }
        (Value::Array(items), Some((&i, rest))) if !items.is_empty() => {
            let at = i % items.len();
            if rest.is_empty() {
                match op {
                    Op::Remove => {
                        items.remove(at);
                    }
                    Op::Add(_, v) => items.push(v.clone()),
                    other => items[at] = replacement(other),
                }
                return;
            }
            &mut items[at]
        }
        (value, _) => {
            if !matches!(op, Op::Remove | Op::Add(..)) {
                *value = replacement(op);
            }
            return;
        }
    };
    apply(child, &path[1..], op);
}

fn replacement(op: &Op) -> Value {
    match op {
        Op::Remove | Op::Null => Value::Null,
        Op::Replace(v) | Op::Add(_, v) => v.clone(),
        Op::Huge(len) => Value::String("x".repeat(*len)),
        Op::Deep(depth) => nested(*depth),
        Op::Unicode(s) => Value::String(s.clone()),
    }
}

/// The body a case sends to `route`.
#[derive(Debug, Clone)]
enum Body {
    Raw(Vec<u8>),
    Json(Value),
    Mutated(Mutation),
}

impl Body {
    fn bytes(&self, route: &Route) -> Vec<u8> {
        match self {
            Self::Raw(bytes) => bytes.clone(),
            Self::Json(value) => value.to_string().into_bytes(),
            Self::Mutated(mutation) => {
                let mut value = (route.valid)();
                for op in &mutation.ops {
                    apply(&mut value, &mutation.path, op);
                }
                value.to_string().into_bytes()
            }
        }
    }
}

/// The `Authorization` value of a case (`None`: no header).
async fn authorization(env: &Env, bearer: &Bearer) -> Option<HeaderValue> {
    let text = match bearer {
        Bearer::Missing => return None,
        Bearer::ProjectOnly => env.bearer(None),
        Bearer::Refresh | Bearer::Session => {
            let jwt = env.oauth_sign_in("fuzzer@example.com").await;
            let field = if matches!(bearer, Bearer::Refresh) {
                "refreshJwt"
            } else {
                "sessionJwt"
            };
            env.bearer(Some(str_of(&jwt, field)))
        }
        Bearer::AccessKey => env.bearer(Some(ACCESS_KEY)),
        Bearer::Token(token) => env.bearer(Some(token)),
        Bearer::OtherProject(token) => format!("Bearer {OTHER_PROJECT}:{token}"),
        Bearer::Raw(bytes) => return HeaderValue::from_bytes(bytes).ok(),
    };
    Some(HeaderValue::from_str(&text).unwrap())
}

/// Sends one request; the answer must be a JSON 2xx or a Descope-shaped 4xx.
async fn check(
    env: &Env,
    get: bool,
    path: &str,
    authorization: Option<&HeaderValue>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<(), TestCaseError> {
    let url = env.url(path);
    let mut request = if get {
        env.http.get(url)
    } else {
        env.http.post(url)
    };
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value.clone());
    }
    if let Some(value) = content_type {
        request = request.header(CONTENT_TYPE, value);
    }
    if !body.is_empty() {
        request = request.body(body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| TestCaseError::fail(format!("{path}: no answer: {e:?}")))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| TestCaseError::fail(format!("{path}: answer cut short: {e:?}")))?;
    let text = String::from_utf8_lossy(&bytes);
    prop_assert!(
        status.is_success() || status.is_client_error(),
        "{} answered {}: {}",
        path,
        status,
        text
    );
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| TestCaseError::fail(format!("{path}: {status} is not JSON: {text}")))?;
    if status.is_client_error() {
        prop_assert!(
            value["errorCode"].is_string(),
            "{}: {} {}",
            path,
            status,
            text
        );
        prop_assert!(
            value["errorDescription"].is_string(),
            "{}: {} {}",
            path,
            status,
            text
        );
    }
    Ok(())
}

/// Sends the case's body to every route.
async fn every_route(
    env: &Env,
    body: &Body,
    bearer: &Bearer,
    content_type: Option<&str>,
) -> Result<(), TestCaseError> {
    let authorization = authorization(env, bearer).await;
    for route in ROUTES {
        check(
            env,
            route.get,
            route.path,
            authorization.as_ref(),
            content_type,
            body.bytes(route),
        )
        .await?;
    }
    Ok(())
}

/// After the storm: JWKS served, a full sign-in works and its token verifies.
async fn still_serves(env: &Env) {
    let jwt = env.oauth_sign_in("after-fuzz@example.com").await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert!(claims["sub"].is_string());
    let (status, _) = env
        .post(
            "/v1/auth/refresh",
            Some(str_of(&jwt, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
}

/// Runs `property` over `strategy` against the shared emulator, then checks it still serves.
fn run<S: Strategy>(
    strategy: S,
    property: impl Fn(&'static Env, S::Value) -> Result<(), TestCaseError>,
) {
    let shared = shared();
    let mut runner = TestRunner::new(Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        // Each shrink step replays all routes: keep failures quick to report.
        max_shrink_iters: 64,
        source_file: Some(file!()),
        ..Config::default()
    });
    if let Err(failure) = runner.run(&strategy, |value| property(&shared.env, value)) {
        panic!("{failure}");
    }
    shared.runtime.block_on(still_serves(&shared.env));
}

fn block_on<F: Future>(future: F) -> F::Output {
    shared().runtime.block_on(future)
}

#[test]
fn arbitrary_bytes_on_every_route() {
    run(
        (raw_body(), bearer(), content_type()),
        |env, (body, bearer, content_type)| {
            block_on(every_route(env, &Body::Raw(body), &bearer, content_type))
        },
    );
}

#[test]
fn arbitrary_json_on_every_route() {
    run(
        (json_value(), bearer(), content_type()),
        |env, (value, bearer, content_type)| {
            block_on(every_route(env, &Body::Json(value), &bearer, content_type))
        },
    );
}

#[test]
fn mutated_valid_bodies_on_every_route() {
    run(
        (mutation(), bearer(), content_type()),
        |env, (mutation, bearer, content_type)| {
            block_on(every_route(
                env,
                &Body::Mutated(mutation),
                &bearer,
                content_type,
            ))
        },
    );
}

/// The query parameters the start routes read, with any values (and unknown names).
fn query() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        prop::sample::select(vec![
            "provider",
            "redirectURL",
            "redirectUrl",
            "loginHint",
            "tenant",
            "ssoId",
            "initiatedEmail",
            "prompt",
            "forceAuthn",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    let value = prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9@._:/-]{0,30}",
        Just("x".repeat(5000)),
        Just("T2EmulatorTenantAcme".to_owned()),
        Just("google".to_owned()),
    ];
    vec((name, value), 0..6)
}

#[test]
fn arbitrary_query_parameters_on_start_routes() {
    let starts: Vec<&'static str> = ROUTES
        .iter()
        .filter(|r| r.path.contains("/authorize"))
        .map(|r| r.path.split('?').next().unwrap())
        .collect();
    run(
        (query(), bearer(), json_value()),
        |env, (pairs, bearer, options)| {
            block_on(async {
                let authorization = authorization(env, &bearer).await;
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                for start in &starts {
                    let path = format!("{start}?{query}");
                    let body = options.to_string().into_bytes();
                    check(env, false, &path, authorization.as_ref(), None, body).await?;
                }
                Ok(())
            })
        },
    );
}

/// Regression (found by `mutated_valid_bodies_on_every_route`): an answer given before the
/// body was read (no bearer, a route that takes no body, a 429) made the server close the
/// connection while the client was still sending, so the client saw a broken pipe or an
/// incomplete message instead of the 4xx. Now the body is read first and the connection
/// stays usable.
#[tokio::test]
async fn early_answers_read_the_body_first() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let env = start().await;
    let address = env.emu.base_url().trim_start_matches("http://").to_owned();
    for path in [
        "/v1/auth/oauth/exchange",
        "/v1/auth/logout",
        "/v1/auth/nothing",
    ] {
        // A body that arrives in two parts, the second after the server could answer.
        let body = json!({ "code": "x".repeat(40_000) }).to_string();
        let (first, second) = body.split_at(body.len() / 2);
        let head = |close: &str| {
            format!(
                "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n{close}\r\n",
                body.len()
            )
        };
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        socket.write_all(head("").as_bytes()).await.unwrap();
        socket.write_all(first.as_bytes()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        // Without the fix the server has answered and closed by now: these writes fail, or
        // the second answer never comes.
        let sent = async {
            socket.write_all(second.as_bytes()).await?;
            socket
                .write_all(format!("{}{body}", head("Connection: close\r\n")).as_bytes())
                .await?;
            let mut answer = Vec::new();
            socket.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).into_owned())
        };
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), sent)
            .await
            .unwrap_or_else(|_| panic!("{path}: no answer"))
            .unwrap_or_else(|e| panic!("{path}: connection dropped: {e}"));
        let status = if path == "/v1/auth/nothing" { 404 } else { 401 };
        assert_eq!(
            answer.matches(&format!("HTTP/1.1 {status} ")).count(),
            2,
            "{path}: {answer}"
        );
        assert_eq!(
            answer.matches("\"errorCode\"").count(),
            2,
            "{path}: {answer}"
        );
    }
    // A body over the limit is drained and answered 413 (before any other check), on a
    // connection that stays usable.
    for (bearer, len) in [(None, 70_000), (Some(env.bearer(None)), 500_000)] {
        for _ in 0..3 {
            let mut request = env
                .http
                .post(env.url("/v1/auth/oauth/exchange"))
                .body(json!({ "code": "x".repeat(len) }).to_string());
            if let Some(bearer) = &bearer {
                request = request.header("Authorization", bearer);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 413);
            let value: Value = response.json().await.unwrap();
            assert_eq!(value["errorCode"], "E011001", "{value}");
        }
    }
}
