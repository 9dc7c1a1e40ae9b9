//! The official SDKs' captured requests (tests/fixtures/wire-captures at the repo root) and
//! the comparison every request snapshot test makes against them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{PROJECT_ID, Seen, refresh_token, session_token};

/// The request as snapshotted: volatile headers dropped, tokens named instead of printed.
pub fn snapshot_view(seen: &Seen) -> Value {
    let names = [
        (refresh_token(), "<refresh-jwt>"),
        (session_token(), "<session-jwt>"),
    ];
    let scrub = |s: &str| {
        names.iter().fold(s.to_owned(), |s, (token, name)| {
            s.replace(token.as_str(), name)
        })
    };
    let headers: BTreeMap<String, String> = seen
        .headers
        .iter()
        .filter(|(k, _)| k != "x-descope-sdk-version")
        .map(|(k, v)| (k.clone(), scrub(v)))
        .collect();
    json!({
        "method": seen.method,
        "path": seen.path,
        "raw_query": seen.raw_query,
        "query": seen.query,
        "headers": headers,
        "body": seen.body,
    })
}

pub struct Capture {
    pub method: String,
    pub path: String,
    pub query_keys: BTreeSet<String>,
    pub body: Option<Value>,
    pub auth_has_token: bool,
}

pub fn load_captures() -> BTreeMap<String, Vec<Capture>> {
    let mut by_label: BTreeMap<String, Vec<Capture>> = BTreeMap::new();
    for file in [
        "python-sdk-2.16.1.jsonl",
        "node-sdk-2.13.0.jsonl",
        "python-sdk-2.16.1-ext.jsonl",
        "node-sdk-2.13.0-ext.jsonl",
    ] {
        let path = format!(
            "{}/../../tests/fixtures/wire-captures/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut label = String::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let record: Value = serde_json::from_str(line).unwrap();
            if record["type"] == "mark" {
                label = record["label"].as_str().unwrap().to_owned();
                by_label.entry(label.clone()).or_default();
                continue;
            }
            let auth = record["headers"]["Authorization"].as_str().unwrap();
            by_label.entry(label.clone()).or_default().push(Capture {
                method: record["method"].as_str().unwrap().to_owned(),
                path: record["path"].as_str().unwrap().to_owned(),
                query_keys: record["query"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect(),
                body: (!record["body"].is_null()).then(|| record["body"].clone()),
                auth_has_token: auth.trim_start_matches("Bearer ").contains(':'),
            });
        }
    }
    by_label
}

/// An explicit default (`null`, `false`, `0`, `""`, `[]`, `{}`): what the Python SDK sends for
/// an unset field, and what omitting the key means.
fn is_default(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// Same keys, recursively; the SDK may send explicit defaults we omit (Python).
pub fn body_keys_match(ours: &Value, theirs: &Value, at: &str) -> Result<(), String> {
    let (Some(ours), Some(theirs)) = (ours.as_object(), theirs.as_object()) else {
        return Ok(());
    };
    for (key, value) in theirs {
        match ours.get(key) {
            Some(mine) => body_keys_match(mine, value, &format!("{at}.{key}"))?,
            None if is_default(value) => {}
            None => return Err(format!("missing body key {at}.{key}")),
        }
    }
    for key in ours.keys() {
        if !theirs.contains_key(key) {
            return Err(format!("extra body key {at}.{key}"));
        }
    }
    Ok(())
}

pub fn check_against(ours: &Seen, theirs: &Capture) -> Result<(), String> {
    if ours.method != theirs.method || ours.path != theirs.path {
        return Err(format!(
            "{} {} vs {} {}",
            ours.method, ours.path, theirs.method, theirs.path
        ));
    }
    let keys: BTreeSet<String> = ours.query.iter().map(|(k, _)| k.clone()).collect();
    if keys != theirs.query_keys {
        return Err(format!("query keys {keys:?} vs {:?}", theirs.query_keys));
    }
    match (&ours.body, &theirs.body) {
        (Some(o), Some(t)) => body_keys_match(o, t, "body")?,
        (None, None) => {}
        (o, t) => return Err(format!("body presence {} vs {}", o.is_some(), t.is_some())),
    }
    let auth = ours
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .unwrap();
    let has_token = auth.1.trim_start_matches("Bearer ").contains(':');
    if has_token != theirs.auth_has_token {
        return Err(format!(
            "auth shape pid:token={has_token} vs {}",
            theirs.auth_has_token
        ));
    }
    Ok(())
}

/// Checks the requests one operation sent: the SDK headers on each, any key-set fetch against
/// `keys_capture`, and the calls against every capture labelled in `labels` (same count, then
/// [`check_against`] pairwise). Returns the failures, each naming `op`.
pub fn check_operation(
    op: &str,
    labels: &[&str],
    seen: &[Seen],
    captures: &BTreeMap<String, Vec<Capture>>,
    keys_capture: &Capture,
) -> Vec<String> {
    let mut failures = Vec::new();
    for request in seen {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-descope-project-id"), Some(PROJECT_ID), "{op}");
        assert_eq!(header("x-descope-sdk-name"), Some("rust"), "{op}");
        assert_eq!(
            header("x-descope-sdk-version"),
            Some(descope_flows::SDK_VERSION),
            "{op}"
        );
        let content_type = header("content-type");
        assert_eq!(
            content_type.is_some(),
            request.body.is_some(),
            "{op}: content-type"
        );
    }
    // The key-set fetch and the management license handshake happen once per client, not per
    // call: checked apart from the calls.
    let (license, seen): (Vec<&Seen>, Vec<&Seen>) =
        seen.iter().partition(|s| s.path == LICENSE_PATH);
    for request in license {
        if let Err(e) = check_against(request, license_capture(captures)) {
            failures.push(format!("{op} (license): {e}"));
        }
    }
    let (keys, calls): (Vec<&Seen>, Vec<&Seen>) = seen
        .into_iter()
        .partition(|s| s.path.starts_with("/v2/keys/"));
    for request in keys {
        if let Err(e) = check_against(request, keys_capture) {
            failures.push(format!("{op} (keys): {e}"));
        }
    }
    for label in labels {
        let theirs: Vec<&Capture> = captures
            .get(*label)
            .unwrap_or_else(|| panic!("no capture labelled {label}"))
            .iter()
            .filter(|c| !c.path.starts_with("/v2/keys/") && c.path != LICENSE_PATH)
            .collect();
        if theirs.len() != calls.len() {
            failures.push(format!(
                "{op} vs {label}: {} requests vs {}",
                calls.len(),
                theirs.len()
            ));
            continue;
        }
        for (ours, theirs) in calls.iter().zip(theirs) {
            if let Err(e) = check_against(ours, theirs) {
                failures.push(format!("{op} vs {label}: {e}"));
            }
        }
    }
    failures
}

/// The key-set fetch as the Python SDK made it (every capture set has one).
pub fn keys_capture(captures: &BTreeMap<String, Vec<Capture>>) -> &Capture {
    captures["python:oauth.exchange_token(code)"]
        .iter()
        .find(|c| c.path.starts_with("/v2/keys/"))
        .expect("the Python exchange capture fetched the keys")
}

/// The management license handshake's path.
pub const LICENSE_PATH: &str = "/v1/mgmt/license";

/// The license handshake as the Node SDK made it (through its normal client).
pub fn license_capture(captures: &BTreeMap<String, Vec<Capture>>) -> &Capture {
    captures["node:DescopeClient({managementKey}) [license handshake]"]
        .iter()
        .find(|c| c.path == LICENSE_PATH)
        .expect("the Node capture has the license handshake")
}
