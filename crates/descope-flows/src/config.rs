//! The client builder: project id, base URL, transport, validation settings.

use std::sync::Arc;
use std::time::Duration;

use descope_transport::{Policy, Transport};
use descope_types::Jwk;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::clock::{Clock, SystemClock};
use crate::error::Error;

/// The default API host, for project ids shorter than 32 characters.
pub const DEFAULT_BASE_URL: &str = "https://api.descope.com";

/// Default JWT leeway applied to `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

/// The base URL for a project id (§1.1): ids of 32+ characters carry a region in
/// characters 1..5 (`Puse1…` → `https://api.use1.descope.com`); shorter ids use
/// [`DEFAULT_BASE_URL`].
pub fn base_url_for_project_id(project_id: &str) -> String {
    if project_id.chars().count() >= 32 {
        let region: String = project_id.chars().skip(1).take(4).collect();
        format!("https://api.{region}.descope.com")
    } else {
        DEFAULT_BASE_URL.to_owned()
    }
}

/// Builds a [`Client`](crate::Client). Start with [`Client::builder`](crate::Client::builder).
///
/// ```
/// use std::time::Duration;
/// # fn main() -> Result<(), descope_flows::Error> {
/// let client = descope_flows::Client::builder("P2abc")
///     .base_url("http://127.0.0.1:8080")
///     .leeway(Duration::from_secs(10))
///     .header("x-request-source", "docs")
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    pub(crate) project_id: String,
    pub(crate) base_url: Option<String>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    pub(crate) policy: Policy,
    pub(crate) leeway: Duration,
    pub(crate) public_key: Option<PublicKey>,
    pub(crate) headers: HeaderMap,
    pub(crate) audience: Option<String>,
    pub(crate) key_refetch_interval: Option<Duration>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The first invalid input given to a setter, reported by `build`.
    pub(crate) invalid: Option<&'static str>,
}

/// A static public key given to the builder.
#[derive(Debug, Clone)]
pub(crate) enum PublicKey {
    Jwk(Box<Jwk>),
    Json(String),
}

impl ClientBuilder {
    pub(crate) fn new(project_id: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into().trim().to_owned(),
            base_url: None,
            transport: None,
            policy: Policy::default(),
            leeway: DEFAULT_LEEWAY,
            public_key: None,
            headers: HeaderMap::new(),
            audience: None,
            key_refetch_interval: None,
            clock: Arc::new(SystemClock),
            invalid: None,
        }
    }

    /// Reads `DESCOPE_PROJECT_ID` (trimmed), `DESCOPE_BASE_URL`, then `DESCOPE_BASE_URI`,
    /// and `DESCOPE_PUBLIC_KEY` (a JWK as JSON) from the environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut builder = Self::new(non_empty("DESCOPE_PROJECT_ID").unwrap_or_default());
        if let Some(url) = non_empty("DESCOPE_BASE_URL").or_else(|| non_empty("DESCOPE_BASE_URI")) {
            builder = builder.base_url(url);
        }
        if let Some(key) = non_empty("DESCOPE_PUBLIC_KEY") {
            builder = builder.public_key_json(key);
        }
        builder
    }

    /// Overrides the API base URL (for example a local emulator). A trailing `/` is ignored.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sends requests through this transport instead of the default one (reqwest with the
    /// `reqwest` feature, else hyper with the `hyper` feature). The
    /// [`policy`](Self::policy) wraps it either way.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Timeouts, the response body cap and retries applied to every request
    /// (default: [`Policy::default`], the official SDKs' behaviour).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Allowed clock skew for `exp`, `nbf` and `iat` (default 5 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Validates tokens with this key only, never fetching the key set.
    pub fn public_key(mut self, key: Jwk) -> Self {
        self.public_key = Some(PublicKey::Jwk(Box::new(key)));
        self
    }

    /// Like [`public_key`](Self::public_key), from the JWK's JSON (as in
    /// `DESCOPE_PUBLIC_KEY`); a malformed key fails [`build`](Self::build).
    pub fn public_key_json(mut self, json: impl Into<String>) -> Self {
        self.public_key = Some(PublicKey::Json(json.into()));
        self
    }

    /// Adds a header to every request. An invalid name or value fails
    /// [`build`](Self::build).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => {
                self.invalid
                    .get_or_insert("invalid extra header name or value");
            }
        }
        self
    }

    /// Requires session tokens to carry this audience in `aud`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Minimum time between two key-set fetches caused by tokens naming an unknown `kid`
    /// (default: [`ValidationConfig`](crate::ValidationConfig)'s, 30 s). Lower it when
    /// signing keys rotate and new tokens must validate at once.
    pub fn key_refetch_interval(mut self, interval: Duration) -> Self {
        self.key_refetch_interval = Some(interval);
        self
    }

    /// Uses this clock for token time checks (tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Builds the client.
    ///
    /// Fails with [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when the
    /// project id is empty, the base URL is not an absolute http(s) URL, the public key is
    /// malformed, an extra header is invalid, or no transport is given and neither backend
    /// feature is on.
    pub fn build(self) -> Result<crate::Client, Error> {
        crate::client::Client::from_builder(self)
    }
}

/// Checks and normalises a base URL: absolute http(s), no query or fragment, no trailing `/`.
pub(crate) fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let parsed = url::Url::parse(raw.trim())
        .map_err(|_| Error::configuration("base URL is not a valid URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::configuration(
            "base URL must be an http(s) URL with a host",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::configuration(
            "base URL must not have a query or fragment",
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_rule() {
        assert_eq!(
            base_url_for_project_id("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z"),
            "https://api.use1.descope.com"
        );
        assert_eq!(
            base_url_for_project_id("P2abcdefghijklmnopqrstuvwxyz"),
            DEFAULT_BASE_URL
        );
        assert_eq!(base_url_for_project_id(""), DEFAULT_BASE_URL);
    }

    #[test]
    fn base_url_normalisation() {
        assert_eq!(
            normalize_base_url("http://127.0.0.1:80/").unwrap(),
            "http://127.0.0.1"
        );
        assert_eq!(
            normalize_base_url("https://x.example.com/prefix/").unwrap(),
            "https://x.example.com/prefix"
        );
        assert!(normalize_base_url("ftp://x").is_err());
        assert!(normalize_base_url("not a url").is_err());
        assert!(normalize_base_url("http://x/?a=b").is_err());
    }

    #[test]
    fn env_lookup() {
        let env = |name: &str| match name {
            "DESCOPE_PROJECT_ID" => Some("  P2env \n".to_owned()),
            "DESCOPE_BASE_URI" => Some("http://uri.example".to_owned()),
            _ => None,
        };
        let builder = ClientBuilder::from_lookup(env);
        assert_eq!(builder.project_id, "P2env");
        assert_eq!(builder.base_url.as_deref(), Some("http://uri.example"));

        let env = |name: &str| match name {
            "DESCOPE_PROJECT_ID" => Some("P2env".to_owned()),
            "DESCOPE_BASE_URL" => Some("http://url.example".to_owned()),
            "DESCOPE_BASE_URI" => Some("http://uri.example".to_owned()),
            "DESCOPE_PUBLIC_KEY" => Some("{\"kty\":\"RSA\"}".to_owned()),
            _ => None,
        };
        let builder = ClientBuilder::from_lookup(env);
        assert_eq!(builder.base_url.as_deref(), Some("http://url.example"));
        assert!(matches!(builder.public_key, Some(PublicKey::Json(_))));
    }
}
