//! End-to-end harness: an emulator, a client on it over a chosen backend, clocks kept in
//! step, the control API and the outbox.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{Client, Clock};
use descope_transport::{HyperTransport, ReqwestTransport, Transport};
use serde_json::{Value, json};

/// Which HTTP backend the client uses.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Reqwest,
    Hyper,
}

pub fn backend(kind: Backend) -> Arc<dyn Transport> {
    match kind {
        Backend::Reqwest => Arc::new(ReqwestTransport::new().unwrap()),
        Backend::Hyper => Arc::new(HyperTransport::new().unwrap()),
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The system clock plus the offset last given to the emulator's clock control.
#[derive(Debug, Clone)]
pub struct SharedClock(Arc<AtomicI64>);

impl Clock for SharedClock {
    fn now(&self) -> std::time::SystemTime {
        descope_types::clock::from_unix_seconds(now() as i64 + self.0.load(Ordering::SeqCst))
    }
}

/// An emulator, a client on it, and the bare backend (which follows no redirects) to play
/// the browser and call the control API.
pub struct Setup {
    pub emulator: Emulator,
    pub client: Client,
    pub raw: Arc<dyn Transport>,
    offset: Arc<AtomicI64>,
}

pub async fn setup(kind: Backend) -> Setup {
    setup_with(kind, EmulatorConfig::default()).await
}

pub async fn setup_with(kind: Backend, config: EmulatorConfig) -> Setup {
    let emulator = Emulator::start(config).await.unwrap();
    let raw = backend(kind);
    let offset = Arc::new(AtomicI64::new(0));
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .transport(raw.clone())
        .clock(SharedClock(offset.clone()))
        .key_refetch_interval(Duration::ZERO)
        .build()
        .unwrap();
    Setup {
        emulator,
        client,
        raw,
        offset,
    }
}

impl Setup {
    /// Moves the emulator's clock (and the client's with it).
    pub async fn set_clock(&self, offset: i64) {
        self.control("/emulator/clock", json!({ "offsetSeconds": offset }))
            .await;
        self.offset.store(offset, Ordering::SeqCst);
    }

    /// A control call (POST with a JSON body); panics unless it succeeds.
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let request = self.request(http::Method::POST, path, Some(body));
        self.expect_ok(path, request).await
    }

    /// The outbox's messages for `login_id` (any case), oldest first.
    pub async fn outbox(&self, login_id: &str) -> Vec<Value> {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("loginId", login_id)
            .finish();
        let path = format!("/emulator/outbox?{query}");
        let request = self.request(http::Method::GET, &path, None);
        let value = self.expect_ok(&path, request).await;
        value["messages"].as_array().cloned().unwrap_or_default()
    }

    /// The newest outbox message for `login_id`; panics if there is none.
    pub async fn last_message(&self, login_id: &str) -> Value {
        self.outbox(login_id)
            .await
            .pop()
            .unwrap_or_else(|| panic!("no outbox message for {login_id}"))
    }

    fn request(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Value>,
    ) -> http::Request<Bytes> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.emulator.base_url()))
            .header(
                "authorization",
                format!("Bearer {}", self.emulator.project_id()),
            );
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        builder
            .body(body.map(|b| Bytes::from(b.to_string())).unwrap_or_default())
            .unwrap()
    }

    async fn expect_ok(&self, path: &str, request: http::Request<Bytes>) -> Value {
        let response = self.raw.send(request).await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        serde_json::from_slice(response.body()).unwrap_or(Value::Null)
    }
}

/// Runs each `async fn name(Backend)` of the calling module as two tests, one per backend.
macro_rules! over_both_backends {
    ($($name:ident),* $(,)?) => {
        mod over_reqwest {
            $(#[tokio::test] async fn $name() { super::$name($crate::harness::Backend::Reqwest).await })*
        }
        mod over_hyper {
            $(#[tokio::test] async fn $name() { super::$name($crate::harness::Backend::Hyper).await })*
        }
    };
}
pub(crate) use over_both_backends;
