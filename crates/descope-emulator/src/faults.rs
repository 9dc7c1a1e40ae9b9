//! Fault injection: the next N requests to a path are delayed, answered with a chosen
//! status, reset, truncated, or answered with a non-JSON HTML 502.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::conn::{ClientConn, IoFault};

/// Longest accepted delay.
const MAX_DELAY_MS: u64 = 60_000;

/// Largest oversize body: past any client's cap (4 MiB by default), bounded for the emulator.
const MAX_OVERSIZE_BYTES: usize = 64 << 20;

/// What to do to a request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum Fault {
    /// Wait, then answer normally.
    Delay { ms: u64 },
    /// Answer this status. `body`: a JSON value, or a string sent verbatim; default a
    /// Descope-shaped error.
    Status {
        status: u16,
        #[serde(default)]
        body: Option<Value>,
    },
    /// Reset the connection without answering.
    Reset,
    /// Answer normally but cut the body in half and close.
    Truncate,
    /// A 502 with an HTML body, as a proxy would send.
    Html502,
    /// A 200 whose JSON body is `bytes` long: for clients' response body caps.
    Oversize { bytes: usize },
}

impl Fault {
    /// The `kind` name of the rule, as posted.
    fn kind(&self) -> &'static str {
        match self {
            Self::Delay { .. } => "delay",
            Self::Status { .. } => "status",
            Self::Reset => "reset",
            Self::Truncate => "truncate",
            Self::Html502 => "html502",
            Self::Oversize { .. } => "oversize",
        }
    }
}

/// Body of `POST /emulator/faults`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FaultRequest {
    pub(crate) path: String,
    #[serde(default = "one")]
    pub(crate) count: u32,
    pub(crate) fault: Fault,
}

fn one() -> u32 {
    1
}

struct Rule {
    path: String,
    remaining: u32,
    fault: Fault,
}

#[derive(Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<Rule>>,
}

impl Faults {
    pub(crate) fn add(&self, request: FaultRequest) -> Result<(), ApiError> {
        if !request.path.starts_with('/') {
            return Err(ApiError::invalid_argument("path must start with /"));
        }
        match &request.fault {
            Fault::Status { status, .. } if StatusCode::from_u16(*status).is_err() => {
                return Err(ApiError::invalid_argument("status must be 100-999"));
            }
            Fault::Delay { ms } if *ms > MAX_DELAY_MS => {
                return Err(ApiError::invalid_argument("delay must be at most 60000 ms"));
            }
            Fault::Oversize { bytes } if *bytes > MAX_OVERSIZE_BYTES => {
                return Err(ApiError::invalid_argument(
                    "oversize body must be at most 67108864 bytes",
                ));
            }
            _ => {}
        }
        if request.count > 0 {
            self.rules
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Rule {
                    path: request.path,
                    remaining: request.count,
                    fault: request.fault,
                });
        }
        Ok(())
    }

    /// The armed rules, oldest first: path, requests left, and the fault's kind.
    pub(crate) fn list(&self) -> Vec<(String, u32, &'static str)> {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|r| (r.path.clone(), r.remaining, r.fault.kind()))
            .collect()
    }

    pub(crate) fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The fault for this request, if one is armed for its path (oldest rule first).
    fn take(&self, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        let index = rules.iter().position(|r| r.path == path)?;
        let rule = &mut rules[index];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            rules.remove(index);
        }
        Some(fault)
    }
}

fn status_response(status: u16, body: Option<Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match body {
        Some(Value::String(text)) => {
            let content_type = if serde_json::from_str::<Value>(&text).is_ok() {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            (status, [(header::CONTENT_TYPE, content_type)], text).into_response()
        }
        Some(value) => (status, axum::Json(value)).into_response(),
        None if status == StatusCode::TOO_MANY_REQUESTS => {
            ApiError::rate_limited(1).into_response()
        }
        None => {
            let error = ApiError::new(
                status,
                descope_types::ErrorCode::Other("E010000".to_owned()),
                "Injected fault",
                "The emulator was told to fail this request",
            );
            (status, axum::Json(error.body())).into_response()
        }
    }
}

/// `{"pad":"xxx…"}`, exactly `bytes` long (at least the 10 bytes of the frame).
fn oversize(bytes: usize) -> Response {
    let mut body = String::with_capacity(bytes.max(10));
    body.push_str("{\"pad\":\"");
    body.extend(std::iter::repeat_n('x', bytes.saturating_sub(10)));
    body.push_str("\"}");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn html_502() -> Response {
    let mut response = (
        StatusCode::BAD_GATEWAY,
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// Applies an armed fault to the request, if any.
pub(crate) async fn middleware(
    State(faults): State<Arc<Faults>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    tracing::debug!(method = %req.method(), path, "request");
    if path.starts_with("/emulator/") {
        return next.run(req).await;
    }
    let Some(fault) = faults.take(path) else {
        return next.run(req).await;
    };
    let control = req
        .extensions()
        .get::<ConnectInfo<ClientConn>>()
        .map(|c| Arc::clone(&c.0.control));
    match fault {
        Fault::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Fault::Status { status, body } => status_response(status, body),
        Fault::Html502 => html_502(),
        Fault::Oversize { bytes } => oversize(bytes),
        Fault::Reset => {
            if let Some(control) = control {
                control.arm(IoFault::Reset);
            }
            StatusCode::BAD_GATEWAY.into_response()
        }
        Fault::Truncate => {
            let response = next.run(req).await;
            if let Some(control) = control {
                control.arm(IoFault::Truncate);
            }
            response
        }
    }
}
