//! The client builder and the configuration it produces: builder → [`Config`] → client.
//! Every input is checked here, once; the client is built from a valid `Config` only.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use descope_transport::{Policy, Transport};
use descope_types::{Clock, Jwk, ProjectId};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::validation::ValidationConfig;

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
#[must_use]
pub struct ClientBuilder {
    project_id: String,
    base_url: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    policy: Policy,
    /// Everything about token validation; its project id is filled in by `config`.
    validation: ValidationConfig,
    public_key_json: Option<String>,
    headers: HeaderMap,
    /// The first invalid input given to a setter, reported by `build`.
    invalid: Option<&'static str>,
    /// Authorizes management calls; never printed.
    #[cfg(feature = "management")]
    management_key: Option<descope_types::ManagementKey>,
}

/// Header values may carry credentials (an API gateway key): only names are printed.
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("project_id", &self.project_id)
            .field("base_url", &self.base_url)
            .field("transport", &self.transport)
            .field("policy", &self.policy)
            .field("validation", &self.validation)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A checked client configuration.
pub(crate) struct Config {
    pub(crate) project_id: ProjectId,
    pub(crate) base_url: String,
    /// The backend, wrapped in the policy.
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) headers: HeaderMap,
    pub(crate) validation: ValidationConfig,
    #[cfg(feature = "management")]
    pub(crate) management_key: Option<descope_types::ManagementKey>,
}

impl ClientBuilder {
    pub(crate) fn new(project_id: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            base_url: None,
            transport: None,
            policy: Policy::default(),
            validation: ValidationConfig::new(""),
            public_key_json: None,
            headers: HeaderMap::new(),
            invalid: None,
            #[cfg(feature = "management")]
            management_key: None,
        }
    }

    /// Reads `DESCOPE_PROJECT_ID` (trimmed), `DESCOPE_BASE_URL`, then `DESCOPE_BASE_URI`,
    /// and `DESCOPE_PUBLIC_KEY` (a JWK as JSON) from the environment; with the `management`
    /// feature, also `DESCOPE_MANAGEMENT_KEY`.
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
        #[cfg(feature = "management")]
        if let Some(key) = non_empty("DESCOPE_MANAGEMENT_KEY") {
            builder = builder.management_key(descope_types::ManagementKey::new(key));
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
    /// (default: [`Policy::default`], the official SDKs' behaviour). Each call can still
    /// override its timeout and retries.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Allowed clock skew for `exp`, `nbf` and `iat`
    /// (default [`DEFAULT_LEEWAY`](crate::DEFAULT_LEEWAY)).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.validation.leeway = leeway;
        self
    }

    /// Validates tokens with this key only, never fetching the key set.
    pub fn public_key(mut self, key: Jwk) -> Self {
        self.validation.public_key = Some(key);
        self.public_key_json = None;
        self
    }

    /// Like [`public_key`](Self::public_key), from the JWK's JSON (as in
    /// `DESCOPE_PUBLIC_KEY`); a malformed key fails [`build`](Self::build).
    pub fn public_key_json(mut self, json: impl Into<String>) -> Self {
        self.public_key_json = Some(json.into());
        self.validation.public_key = None;
        self
    }

    /// Adds a header to every request. An invalid name or value fails
    /// [`build`](Self::build). Values are never printed by `Debug`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
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
        self.validation.audiences = vec![audience.into()];
        self
    }

    /// Minimum time between two key-set fetches caused by tokens naming an unknown `kid`
    /// (default [`DEFAULT_KEY_REFETCH_INTERVAL`](crate::DEFAULT_KEY_REFETCH_INTERVAL)).
    /// Lower it when signing keys rotate and new tokens must validate at once.
    pub fn key_refetch_interval(mut self, interval: Duration) -> Self {
        self.validation.min_refetch_interval = interval;
        self
    }

    /// Uses this clock for token time checks and `Retry-After` dates (tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.validation.clock = Arc::new(clock);
        self
    }

    /// The management key that authorizes [`Client::management`](crate::Client::management)
    /// calls (sent as `Authorization: Bearer <projectId>:<key>`; never on authentication
    /// calls, never printed). A key that is not a valid header value fails
    /// [`build`](Self::build).
    #[cfg(feature = "management")]
    pub fn management_key(mut self, key: descope_types::ManagementKey) -> Self {
        self.management_key = Some(key);
        self
    }

    /// Checks every input and produces the configuration the client is built from.
    pub(crate) fn config(self) -> Result<Config, Error> {
        if let Some(what) = self.invalid {
            return Err(Error::configuration(what));
        }
        let project_id = ProjectId::new(&self.project_id)
            .map_err(|e| Error::configuration("project id is invalid").with_source(e))?;
        let base_url = match &self.base_url {
            Some(url) => normalize_base_url(url)?,
            None => project_id.base_url(),
        };
        let backend = match self.transport {
            Some(transport) => transport,
            None => default_backend()?,
        };
        let policy = self
            .policy
            .clock(SharedClock(Arc::clone(&self.validation.clock)));
        let mut validation = self.validation;
        validation.project_id = project_id.as_str().to_owned();
        if let Some(json) = &self.public_key_json {
            let jwk: Jwk = serde_json::from_str(json).map_err(|e| {
                Error::configuration("public key is not a valid JWK").with_source(e)
            })?;
            validation.public_key = Some(jwk);
        }
        #[cfg(feature = "management")]
        let management_key = match self.management_key {
            Some(key) if key.secret().trim().is_empty() => None,
            Some(key) => {
                let valid =
                    !key.secret().contains(':') && HeaderValue::from_str(key.secret()).is_ok();
                if !valid {
                    return Err(Error::configuration(
                        "management key is not a valid header value",
                    ));
                }
                Some(key)
            }
            None => None,
        };
        Ok(Config {
            #[cfg(feature = "management")]
            management_key,
            project_id,
            base_url,
            transport: Arc::new(policy.wrap(backend)),
            headers: self.headers,
            validation,
        })
    }
}

/// The builder's clock, shared with the transport policy (one clock per client).
#[derive(Debug)]
struct SharedClock(Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now(&self) -> std::time::SystemTime {
        self.0.now()
    }
}

#[cfg(any(feature = "reqwest", feature = "hyper"))]
fn default_backend() -> Result<Arc<dyn Transport>, Error> {
    descope_transport::default_backend().map_err(|e| {
        Error::configuration("the default HTTP backend could not be built").with_source(e)
    })
}

#[cfg(not(any(feature = "reqwest", feature = "hyper")))]
fn default_backend() -> Result<Arc<dyn Transport>, Error> {
    Err(Error::configuration(
        "no transport given and neither the `reqwest` nor the `hyper` feature is on",
    ))
}

/// Checks and normalises a base URL: absolute http(s), no query or fragment, no trailing `/`.
fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let parsed = url::Url::parse(raw.trim())
        .map_err(|e| Error::configuration("base URL is not a valid URL").with_source(e))?;
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
        assert!(builder.public_key_json.is_some());
    }

    #[cfg(feature = "management")]
    #[test]
    fn management_key_from_env_and_hidden() {
        let env = |name: &str| match name {
            "DESCOPE_PROJECT_ID" => Some("P2env".to_owned()),
            "DESCOPE_MANAGEMENT_KEY" => Some(" K2secret-mgmt-key \n".to_owned()),
            _ => None,
        };
        let builder = ClientBuilder::from_lookup(env);
        let key = builder
            .management_key
            .as_ref()
            .map(|k| k.secret().to_owned());
        assert_eq!(key.as_deref(), Some("K2secret-mgmt-key"));
        assert!(!format!("{builder:?}").contains("K2secret"));
        let bad = ClientBuilder::new("P2abc")
            .management_key(descope_types::ManagementKey::new("a:b"))
            .config();
        assert_eq!(
            bad.err().map(|e| e.kind()),
            Some(crate::ErrorKind::Configuration)
        );
    }

    #[test]
    fn debug_hides_header_values() {
        let builder = ClientBuilder::new("P2abc").header("x-api-key", "gateway-secret-123");
        let debug = format!("{builder:?}");
        assert!(debug.contains("x-api-key"), "{debug}");
        assert!(!debug.contains("gateway-secret-123"), "{debug}");
    }
}
