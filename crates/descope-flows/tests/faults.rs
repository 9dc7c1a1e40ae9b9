//! The fault matrix: every fault the emulator can inject × every kind of call (the key-set
//! GET, a code exchange, a TOTP verify, a refresh) × both HTTP backends. Each case asserts the
//! typed error, the number of requests the emulator received (its per-route counter), no
//! panic and no hang (each case is bounded in time). The table in `docs/transport.md` is this
//! test's expectations.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{Client, ErrorKind};
use descope_transport::{HyperTransport, Policy, ReqwestTransport, RetryPolicy, Transport};
use descope_types::{ExchangeCode, RefreshToken, SessionToken, TotpCode, TotpKey};
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";
/// Per-attempt timeout of the client under test; the delay fault waits longer.
const TIMEOUT: Duration = Duration::from_millis(400);
/// Every case ends within this, whatever the fault.
const CASE_LIMIT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Call {
    Keys,
    Exchange,
    TotpVerify,
    Refresh,
}

impl Call {
    fn route(self, project: &str) -> (String, &'static str) {
        match self {
            Call::Keys => (format!("/v2/keys/{project}"), "/v2/keys/{project}"),
            Call::Exchange => ("/v1/auth/oauth/exchange".into(), "/v1/auth/oauth/exchange"),
            Call::TotpVerify => ("/v1/auth/totp/verify".into(), "/v1/auth/totp/verify"),
            Call::Refresh => ("/v1/auth/refresh".into(), "/v1/auth/refresh"),
        }
    }

    /// Calls that spend a one-time credential.
    fn one_time(self) -> bool {
        self != Call::Keys
    }
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    DelayPastTimeout,
    Reset,
    Truncate,
    Html502,
    Burst503,
    RateLimited,
    Oversize,
    MalformedJson,
}

impl Fault {
    const ALL: [Fault; 8] = [
        Fault::DelayPastTimeout,
        Fault::Reset,
        Fault::Truncate,
        Fault::Html502,
        Fault::Burst503,
        Fault::RateLimited,
        Fault::Oversize,
        Fault::MalformedJson,
    ];

    /// The rule for `POST /emulator/faults`.
    fn rule(self, path: &str) -> Value {
        let (count, fault) = match self {
            Fault::DelayPastTimeout => (1, json!({"kind": "delay", "ms": 1500})),
            Fault::Reset => (1, json!({"kind": "reset"})),
            Fault::Truncate => (1, json!({"kind": "truncate"})),
            Fault::Html502 => (1, json!({"kind": "html502"})),
            Fault::Burst503 => (2, json!({"kind": "status", "status": 503})),
            Fault::RateLimited => (1, json!({"kind": "status", "status": 429})),
            Fault::Oversize => (1, json!({"kind": "oversize", "bytes": 5 << 20})),
            Fault::MalformedJson => (
                1,
                json!({"kind": "status", "status": 200, "body": "{\"sessionJwt\": "}),
            ),
        };
        json!({"path": path, "count": count, "fault": fault})
    }
}

/// What a case must end with.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// `None`: the call succeeded.
    error: Option<ErrorKind>,
    /// Requests the emulator received on the faulted route.
    requests: u64,
}

/// The expectations: one-time calls are sent once whatever happens; the idempotent key-set
/// GET is retried only on the statuses the policy retries (503 here).
fn expected(fault: Fault, call: Call) -> Outcome {
    let once = |error| Outcome {
        error: Some(error),
        requests: 1,
    };
    match fault {
        Fault::DelayPastTimeout | Fault::Reset | Fault::Truncate | Fault::Oversize => {
            once(ErrorKind::Transport)
        }
        Fault::Html502 | Fault::RateLimited => once(ErrorKind::Api),
        Fault::Burst503 if call.one_time() => once(ErrorKind::Api),
        // Two 503s, then the real answer.
        Fault::Burst503 => Outcome {
            error: None,
            requests: 3,
        },
        Fault::MalformedJson => once(ErrorKind::Decode),
    }
}

struct Bench {
    emulator: Emulator,
    raw: Arc<dyn Transport>,
    /// A client with a warm key cache, to prepare credentials.
    helper: Client,
}

impl Bench {
    fn client(&self) -> Client {
        Client::builder(self.emulator.project_id())
            .base_url(self.emulator.base_url())
            .transport(self.raw.clone())
            .policy(
                Policy::default().timeout(TIMEOUT).retry(
                    RetryPolicy::default()
                        .delays([Duration::from_millis(10); 3])
                        .jitter(0.0),
                ),
            )
            .build()
            .unwrap()
    }

    async fn control(&self, method: http::Method, path: &str, body: Value) -> Value {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.emulator.base_url()))
            .header(
                "authorization",
                format!("Bearer {}", self.emulator.project_id()),
            )
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .unwrap();
        let response = self.raw.send(request).await.unwrap();
        assert!(response.status().is_success(), "{path}");
        serde_json::from_slice(response.body()).unwrap_or(Value::Null)
    }

    async fn count(&self, route: &str) -> u64 {
        let counts = self
            .control(http::Method::GET, "/emulator/requests", Value::Null)
            .await;
        counts["counts"][route].as_u64().unwrap_or(0)
    }

    async fn oauth_sign_in(&self) -> descope_flows::AuthenticationInfo {
        let code = self.oauth_code().await;
        self.helper.oauth().exchange(&code).await.unwrap()
    }

    async fn oauth_code(&self) -> ExchangeCode {
        let url = self
            .helper
            .oauth()
            .start("google")
            .redirect_url(REDIRECT)
            .await
            .unwrap();
        let request = http::Request::get(url.as_str()).body(Bytes::new()).unwrap();
        let response = self.raw.send(request).await.unwrap();
        let location = response.headers()["location"].to_str().unwrap();
        let location = url::Url::parse(location).unwrap();
        let code = location
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        ExchangeCode::new(code)
    }
}

fn totp_now(key: &TotpKey) -> TotpCode {
    let secret = totp_rs::Secret::Encoded(key.secret().to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret);
    TotpCode::new(totp.generate_current().unwrap())
}

/// Prepares the credential, arms the fault, makes the call, and reports what happened.
async fn run_case(bench: &Bench, fault: Fault, call: Call, n: usize) -> Outcome {
    let project = bench.emulator.project_id().to_owned();
    let (path, route) = call.route(&project);
    let client = bench.client();
    // The credential each call spends, made before the fault is armed.
    enum Input {
        Session(SessionToken),
        Code(ExchangeCode),
        Totp(String, TotpCode),
        Refresh(RefreshToken),
    }
    let input = match call {
        Call::Keys => Input::Session(bench.oauth_sign_in().await.session_token().clone()),
        Call::Exchange => Input::Code(bench.oauth_code().await),
        Call::TotpVerify => {
            let login = format!("fault-{n}@example.com");
            let enrollment = bench.helper.totp().sign_up(&login).await.unwrap();
            Input::Totp(login, totp_now(&enrollment.key))
        }
        Call::Refresh => {
            let info = bench.oauth_sign_in().await;
            // Warm the client's keys, so only the refresh itself meets the fault.
            client.validate_session(info.session_token()).await.unwrap();
            Input::Refresh(info.refresh_token().clone())
        }
    };
    bench
        .control(http::Method::DELETE, "/emulator/requests", Value::Null)
        .await;
    bench
        .control(http::Method::POST, "/emulator/faults", fault.rule(&path))
        .await;
    let outcome = tokio::time::timeout(CASE_LIMIT, async {
        match &input {
            Input::Session(token) => client.validate_session(token).await.map(drop),
            Input::Code(code) => client.oauth().exchange(code).await.map(drop),
            Input::Totp(login, code) => client.totp().verify(login, code).await.map(drop),
            Input::Refresh(refresh) => client.refresh(refresh).await.map(drop),
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{fault:?} × {call:?}: no answer within {CASE_LIMIT:?}"));
    // A delayed request is still being served: wait for it to be counted and finished.
    if matches!(fault, Fault::DelayPastTimeout) {
        tokio::time::sleep(Duration::from_millis(1600)).await;
    }
    bench
        .control(http::Method::DELETE, "/emulator/faults", Value::Null)
        .await;
    Outcome {
        error: outcome.err().map(|e| e.kind()),
        requests: bench.count(route).await,
    }
}

async fn matrix(raw: Arc<dyn Transport>) {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let helper = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .transport(raw.clone())
        .build()
        .unwrap();
    let bench = Bench {
        emulator,
        raw,
        helper,
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for fault in Fault::ALL {
        for call in [Call::Keys, Call::Exchange, Call::TotpVerify, Call::Refresh] {
            n += 1;
            let got = run_case(&bench, fault, call, n).await;
            let want = expected(fault, call);
            if got != want {
                failures.push(format!("{fault:?} × {call:?}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn fault_matrix_over_reqwest() {
    matrix(Arc::new(ReqwestTransport::new().unwrap())).await;
}

#[tokio::test]
async fn fault_matrix_over_hyper() {
    matrix(Arc::new(HyperTransport::new().unwrap())).await;
}
