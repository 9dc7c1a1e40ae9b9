//! The client: one shared, cheaply cloned handle that sends every Descope request.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use descope_transport::Transport;
use descope_types::ErrorResponse;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::{ClientBuilder, PublicKey, base_url_for_project_id, normalize_base_url};
use crate::error::{ApiError, DecodeError, Error};
use crate::{SessionValidator, ValidationConfig};

/// The SDK name sent in `x-descope-sdk-name`.
pub const SDK_NAME: &str = "rust";
/// The SDK version sent in `x-descope-sdk-version`.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest body excerpt kept in a [`DecodeError`].
const EXCERPT_LEN: usize = 200;

/// The Descope client.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: build one and share it across tasks.
/// The flows hang off it: [`oauth`](Self::oauth), [`sso`](Self::sso), [`saml`](Self::saml),
/// [`totp`](Self::totp), and the session calls ([`validate_session`](Self::validate_session),
/// [`refresh`](Self::refresh), [`logout`](Self::logout), ...).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) project_id: String,
    pub(crate) base_url: String,
    pub(crate) transport: Arc<dyn Transport>,
    /// SDK headers plus the caller's extra headers, sent on every request.
    pub(crate) headers: HeaderMap,
    pub(crate) validator: SessionValidator,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("project_id", &self.inner.project_id)
            .field("base_url", &self.inner.base_url)
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}

/// Who the request is made as: the project alone, or the project plus a user token or
/// access key (`Bearer <pid>:<token>`, §1.4).
#[derive(Clone, Copy)]
pub(crate) enum Bearer<'a> {
    Project,
    With(&'a str),
}

/// One request, before the client adds its headers.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) bearer: Bearer<'a>,
    pub(crate) body: Option<Bytes>,
}

impl<'a> Call<'a> {
    pub(crate) fn get(path: impl Into<String>, bearer: Bearer<'a>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            bearer,
            body: None,
        }
    }

    /// A POST with a JSON body (`{}` for unit-like bodies, as the Python and Node SDKs send).
    pub(crate) fn post(
        path: impl Into<String>,
        bearer: Bearer<'a>,
        body: &impl Serialize,
    ) -> Result<Self, Error> {
        let body = serde_json::to_vec(body)
            .map_err(|_| Error::invalid_argument("request body could not be serialized"))?;
        Ok(Self {
            method: Method::POST,
            path: path.into(),
            query: Vec::new(),
            bearer,
            body: Some(Bytes::from(body)),
        })
    }

    pub(crate) fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }
}

/// Whether a decode failure may quote the body: never for bodies that can carry tokens,
/// keys or codes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Excerpt {
    Allowed,
    Never,
}

impl Client {
    /// Starts building a client for a project.
    pub fn builder(project_id: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(project_id)
    }

    /// A client configured from the environment (`DESCOPE_PROJECT_ID`, `DESCOPE_BASE_URL` or
    /// `DESCOPE_BASE_URI`, `DESCOPE_PUBLIC_KEY`); see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn from_builder(builder: ClientBuilder) -> Result<Self, Error> {
        if let Some(what) = builder.invalid {
            return Err(Error::configuration(what));
        }
        if builder.project_id.is_empty() {
            return Err(Error::configuration("project id is empty"));
        }
        let base_url = match &builder.base_url {
            Some(url) => normalize_base_url(url)?,
            None => base_url_for_project_id(&builder.project_id),
        };
        let backend = match builder.transport.clone() {
            Some(t) => t,
            None => default_backend()?,
        };
        let transport: Arc<dyn Transport> = Arc::new(builder.policy.clone().wrap(backend));
        let headers = sdk_headers(&builder.project_id, &builder.headers)?;
        let keys = crate::keys::HttpKeySource::new(
            transport.clone(),
            format!("{base_url}/v2/keys/{}", builder.project_id),
            headers.clone(),
            bearer_value(&builder.project_id, Bearer::Project)?,
        );
        let validator = SessionValidator::new(validation_config(&builder)?, Arc::new(keys))?;
        Ok(Self {
            inner: Arc::new(Inner {
                project_id: builder.project_id,
                base_url,
                transport,
                headers,
                validator,
            }),
        })
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// The validator behind [`validate_session`](Self::validate_session), sharing the
    /// client's key cache (for middleware that only validates).
    pub fn validator(&self) -> &SessionValidator {
        &self.inner.validator
    }

    /// The API base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends a call; non-2xx answers become [`ErrorKind::Api`](crate::ErrorKind::Api).
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<http::Response<Bytes>, Error> {
        let request = self.build_request(call)?;
        let response = self
            .inner
            .transport
            .send(request)
            .await
            .map_err(Error::transport)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(api_error(&response))
        }
    }

    /// Sends a call and decodes the 2xx JSON body; also returns the response headers.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        excerpt: Excerpt,
    ) -> Result<(T, HeaderMap), Error> {
        let response = self.send(call).await?;
        let value = decode(&response, excerpt)?;
        Ok((value, response.into_parts().0.headers))
    }

    pub(crate) fn build_request(&self, call: Call<'_>) -> Result<http::Request<Bytes>, Error> {
        let inner = &self.inner;
        let mut uri = String::with_capacity(inner.base_url.len() + call.path.len() + 64);
        uri.push_str(&inner.base_url);
        if !call.path.starts_with('/') {
            uri.push('/');
        }
        uri.push_str(&call.path);
        if !call.query.is_empty() {
            uri.push('?');
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in &call.query {
                query.append_pair(key, value);
            }
            uri.push_str(&query.finish());
        }
        let mut builder = http::Request::builder().method(call.method).uri(uri);
        if let Some(headers) = builder.headers_mut() {
            headers.extend(inner.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
            headers.insert(AUTHORIZATION, bearer_value(&inner.project_id, call.bearer)?);
            if call.body.is_some() {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
        }
        builder
            .body(call.body.unwrap_or_default())
            .map_err(|_| Error::configuration("request could not be built from the base URL"))
    }
}

fn validation_config(builder: &ClientBuilder) -> Result<ValidationConfig, Error> {
    let mut config = ValidationConfig::new(builder.project_id.clone());
    config.leeway = builder.leeway;
    config.audiences = builder.audience.iter().cloned().collect();
    config.clock = builder.clock.clone();
    if let Some(interval) = builder.key_refetch_interval {
        config.min_refetch_interval = interval;
    }
    config.public_key = match &builder.public_key {
        None => None,
        Some(PublicKey::Jwk(jwk)) => Some((**jwk).clone()),
        Some(PublicKey::Json(json)) => Some(
            serde_json::from_str(json)
                .map_err(|_| Error::configuration("public key is not a valid JWK"))?,
        ),
    };
    Ok(config)
}

fn sdk_headers(project_id: &str, extra: &HeaderMap) -> Result<HeaderMap, Error> {
    let mut headers = extra.clone();
    let project = HeaderValue::from_str(project_id)
        .map_err(|_| Error::configuration("project id is not a valid header value"))?;
    headers.insert("x-descope-project-id", project);
    headers.insert("x-descope-sdk-name", HeaderValue::from_static(SDK_NAME));
    headers.insert(
        "x-descope-sdk-version",
        HeaderValue::from_static(SDK_VERSION),
    );
    Ok(headers)
}

/// `Bearer <pid>` or `Bearer <pid>:<token>`, marked sensitive so HTTP stacks don't log it.
pub(crate) fn bearer_value(project_id: &str, bearer: Bearer<'_>) -> Result<HeaderValue, Error> {
    let value = match bearer {
        Bearer::Project => format!("Bearer {project_id}"),
        Bearer::With(token) => format!("Bearer {project_id}:{token}"),
    };
    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| Error::invalid_argument("token is not a valid header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The default backend: reqwest when its feature is on, else hyper.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
fn default_backend() -> Result<Arc<dyn Transport>, Error> {
    let failed =
        |e| Error::configuration("the default HTTP backend could not be built").with_source(e);
    #[cfg(feature = "reqwest")]
    let backend = descope_transport::ReqwestTransport::new().map_err(failed)?;
    #[cfg(not(feature = "reqwest"))]
    let backend = descope_transport::HyperTransport::new().map_err(failed)?;
    Ok(Arc::new(backend))
}

#[cfg(not(any(feature = "reqwest", feature = "hyper")))]
fn default_backend() -> Result<Arc<dyn Transport>, Error> {
    Err(Error::configuration(
        "no transport given and neither the `reqwest` nor the `hyper` feature is on",
    ))
}

/// Maps a non-2xx answer to an API error: Descope's `{errorCode, errorDescription,
/// errorMessage}` when the body is that JSON, else an empty code with the status.
pub(crate) fn api_error(response: &http::Response<Bytes>) -> Error {
    let status = response.status();
    let body: ErrorResponse = serde_json::from_slice(response.body()).unwrap_or_default();
    let retry_after = if status == StatusCode::TOO_MANY_REQUESTS {
        descope_transport::retry_after(response.headers(), std::time::SystemTime::now())
    } else {
        None
    };
    Error::api(ApiError {
        status: status.as_u16(),
        code: body.error_code,
        description: body.error_description,
        message: body.error_message,
        retry_after,
    })
}

/// Decodes a 2xx JSON body, or a [`DecodeError`] quoting at most [`EXCERPT_LEN`] bytes of it
/// when allowed.
pub(crate) fn decode<T: DeserializeOwned>(
    response: &http::Response<Bytes>,
    excerpt: Excerpt,
) -> Result<T, Error> {
    serde_json::from_slice(response.body()).map_err(|_| {
        let body = response.body();
        let excerpt = match excerpt {
            Excerpt::Allowed => {
                String::from_utf8_lossy(&body[..body.len().min(EXCERPT_LEN)]).into_owned()
            }
            Excerpt::Never => String::new(),
        };
        Error::decode(DecodeError {
            status: response.status().as_u16(),
            excerpt,
        })
    })
}

/// Rejects an empty argument before any request is sent.
pub(crate) fn require(value: &str, what: &'static str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::invalid_argument(what))
    } else {
        Ok(())
    }
}
