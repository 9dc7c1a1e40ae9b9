//! The one request pipeline: every operation and the key-set fetch describe their request as
//! a [`Request`] and go through [`Pipeline::send`] — build, send, check the status, decode,
//! map errors. Nothing else in the crate touches the transport.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use descope_transport::{RequestOptions, Transport};
use descope_types::{Clock, ErrorResponse, ProjectId};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Argument, DecodeError, Error};

/// The SDK name sent in `x-descope-sdk-name`.
pub const SDK_NAME: &str = "rust";
/// The SDK version sent in `x-descope-sdk-version`.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest body excerpt kept in a [`DecodeError`].
const EXCERPT_LEN: usize = 200;

/// Who the request is made as: the project alone, or the project plus a user's refresh
/// token, an access key or a management key (`Bearer <pid>:<token>`, §1.4).
#[derive(Clone, Copy)]
pub(crate) enum Bearer<'a> {
    Project,
    Refresh(&'a str),
    AccessKey(&'a str),
    #[cfg_attr(not(feature = "management"), allow(dead_code))]
    Management(&'a str),
}

/// Whether a decode failure may quote the body: never for bodies that can carry tokens,
/// keys or codes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Excerpt {
    Allowed,
    Never,
}

/// One request, as plain data: what an operation asks for, before the pipeline adds the
/// base URL, the SDK headers and the authorization.
pub(crate) struct Request<'a> {
    method: Method,
    path: Cow<'static, str>,
    query: Vec<(&'static str, String)>,
    bearer: Bearer<'a>,
    body: Option<Bytes>,
    options: RequestOptions,
    excerpt: Excerpt,
    /// Per-request headers (the management calls' `x-descope-license`).
    headers: Vec<(&'static str, HeaderValue)>,
}

impl<'a> Request<'a> {
    /// A GET.
    pub(crate) fn get(path: impl Into<Cow<'static, str>>, bearer: Bearer<'a>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            bearer,
            body: None,
            options: RequestOptions::new(),
            excerpt: Excerpt::Never,
            headers: Vec::new(),
        }
    }

    /// A POST with a JSON body (`{}` for unit-like bodies, as the Python and Node SDKs send).
    pub(crate) fn post(
        path: impl Into<Cow<'static, str>>,
        bearer: Bearer<'a>,
        body: &impl Serialize,
    ) -> Result<Self, Error> {
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::argument(Argument::Body, "could not be serialized").with_source(e)
        })?;
        Ok(Self {
            body: Some(Bytes::from(body)),
            method: Method::POST,
            ..Self::get(path, bearer)
        })
    }

    /// Another method than the constructor's (PATCH, DELETE).
    #[cfg_attr(not(feature = "management"), allow(dead_code))]
    pub(crate) fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Adds a header to this request only.
    #[cfg_attr(not(feature = "management"), allow(dead_code))]
    pub(crate) fn header(mut self, name: &'static str, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Query pairs, in order.
    pub(crate) fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }

    /// Per-call transport overrides.
    pub(crate) fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Lets a decode failure quote the body (only for bodies that carry no secret).
    pub(crate) fn excerpt_allowed(mut self) -> Self {
        self.excerpt = Excerpt::Allowed;
        self
    }
}

/// A decoded 2xx answer, with its status (for errors about its content).
pub(crate) struct Decoded<T> {
    pub(crate) value: T,
    pub(crate) status: u16,
}

/// Sends [`Request`]s for one project.
pub(crate) struct Pipeline {
    project_id: ProjectId,
    base_url: String,
    transport: Arc<dyn Transport>,
    /// SDK headers plus the caller's extra headers, sent on every request.
    headers: HeaderMap,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("project_id", &self.project_id)
            .field("base_url", &self.base_url)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// `transport` is already wrapped in the policy; `headers` are the caller's extras.
    pub(crate) fn new(
        project_id: ProjectId,
        base_url: String,
        transport: Arc<dyn Transport>,
        extra_headers: HeaderMap,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let mut headers = extra_headers;
        headers.insert("x-descope-sdk-name", HeaderValue::from_static(SDK_NAME));
        headers.insert(
            "x-descope-sdk-version",
            HeaderValue::from_static(SDK_VERSION),
        );
        // A ProjectId holds only header-safe characters.
        if let Ok(value) = HeaderValue::from_str(project_id.as_str()) {
            headers.insert("x-descope-project-id", value);
        }
        Self {
            project_id,
            base_url,
            transport,
            headers,
            clock,
        }
    }

    pub(crate) fn project_id(&self) -> &ProjectId {
        &self.project_id
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// Sends a request; a non-2xx answer becomes [`ErrorKind::Api`](crate::ErrorKind::Api).
    pub(crate) async fn send(&self, request: Request<'_>) -> Result<http::Response<Bytes>, Error> {
        let request = self.build(request)?;
        let response = self
            .transport
            .send(request)
            .await
            .map_err(Error::transport)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.api_error(&response))
        }
    }

    /// Sends a request and decodes the 2xx JSON body.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        request: Request<'_>,
    ) -> Result<Decoded<T>, Error> {
        let excerpt = request.excerpt;
        let response = self.send(request).await?;
        Ok(Decoded {
            value: decode(&response, excerpt)?,
            status: response.status().as_u16(),
        })
    }

    /// The HTTP request: base URL + path + query, SDK headers, authorization, JSON body.
    pub(crate) fn build(&self, request: Request<'_>) -> Result<http::Request<Bytes>, Error> {
        let mut uri = String::with_capacity(self.base_url.len() + request.path.len() + 64);
        uri.push_str(&self.base_url);
        if !request.path.starts_with('/') {
            uri.push('/');
        }
        uri.push_str(&request.path);
        if !request.query.is_empty() {
            uri.push('?');
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in &request.query {
                query.append_pair(key, value);
            }
            uri.push_str(&query.finish());
        }
        let mut builder = http::Request::builder().method(request.method).uri(uri);
        if let Some(headers) = builder.headers_mut() {
            headers.extend(self.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
            headers.insert(AUTHORIZATION, self.bearer_value(request.bearer)?);
            for (name, value) in request.headers {
                headers.insert(name, value);
            }
            if request.body.is_some() {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
        }
        if let Some(extensions) = builder.extensions_mut() {
            extensions.insert(request.options);
        }
        builder.body(request.body.unwrap_or_default()).map_err(|e| {
            Error::configuration("request could not be built from the base URL").with_source(e)
        })
    }

    /// `Bearer <pid>` or `Bearer <pid>:<token>`, marked sensitive so HTTP stacks don't log it.
    fn bearer_value(&self, bearer: Bearer<'_>) -> Result<HeaderValue, Error> {
        let (token, argument) = match bearer {
            Bearer::Project => ("", Argument::RefreshToken),
            Bearer::Refresh(token) => (token, Argument::RefreshToken),
            Bearer::AccessKey(key) => (key, Argument::AccessKey),
            // A management key is checked when the client is built; never quoted.
            Bearer::Management(key) => (key, Argument::AccessKey),
        };
        let value = if token.is_empty() {
            format!("Bearer {}", self.project_id)
        } else {
            format!("Bearer {}:{token}", self.project_id)
        };
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| Error::argument(argument, "is not a valid header value"))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Maps a non-2xx answer to an API error: Descope's `{errorCode, errorDescription,
    /// errorMessage}` when the body is that JSON, else an empty code with the status.
    fn api_error(&self, response: &http::Response<Bytes>) -> Error {
        let status = response.status();
        let (body, source) = match serde_json::from_slice::<ErrorResponse>(response.body()) {
            Ok(body) => (body, None),
            Err(e) => (ErrorResponse::default(), Some(Arc::new(e))),
        };
        let retry_after = (status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| descope_transport::retry_after(response.headers(), self.clock.now()))
            .flatten();
        Error::api(ApiError {
            status: status.as_u16(),
            code: body.error_code,
            description: body.error_description,
            message: body.error_message,
            retry_after,
            source,
        })
    }
}

/// Decodes a 2xx JSON body, or a [`DecodeError`] quoting at most [`EXCERPT_LEN`] bytes of it
/// when allowed.
pub(crate) fn decode<T: DeserializeOwned>(
    response: &http::Response<Bytes>,
    excerpt: Excerpt,
) -> Result<T, Error> {
    serde_json::from_slice(response.body()).map_err(|e| {
        let body = response.body();
        let excerpt = match excerpt {
            Excerpt::Allowed => {
                String::from_utf8_lossy(&body[..body.len().min(EXCERPT_LEN)]).into_owned()
            }
            Excerpt::Never => String::new(),
        };
        Error::decode(DecodeError {
            excerpt,
            source: Some(Arc::new(e)),
            ..DecodeError::new(response.status().as_u16())
        })
    })
}

/// Rejects an empty argument before any request is sent.
pub(crate) fn require(value: &str, argument: Argument) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::empty(argument))
    } else {
        Ok(())
    }
}
