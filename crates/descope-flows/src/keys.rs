//! The client's key source: `GET /v2/keys/{projectId}` through the client's transport.

use std::sync::Arc;

use bytes::Bytes;
use descope_transport::Transport;
use descope_types::JwkSet;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue, Method};

use crate::KeySource;
use crate::client::{Excerpt, api_error, decode};
use crate::error::Error;

/// Fetches the project's JSON Web Key set over HTTP.
#[derive(Debug)]
pub(crate) struct HttpKeySource {
    transport: Arc<dyn Transport>,
    url: String,
    headers: HeaderMap,
}

impl HttpKeySource {
    pub(crate) fn new(
        transport: Arc<dyn Transport>,
        url: String,
        mut headers: HeaderMap,
        authorization: HeaderValue,
    ) -> Self {
        headers.insert(AUTHORIZATION, authorization);
        Self {
            transport,
            url,
            headers,
        }
    }
}

#[async_trait::async_trait]
impl KeySource for HttpKeySource {
    async fn fetch_keys(&self) -> Result<JwkSet, Error> {
        let mut request = http::Request::new(Bytes::new());
        *request.method_mut() = Method::GET;
        *request.uri_mut() = self
            .url
            .parse()
            .map_err(|_| Error::configuration("key set URL is invalid"))?;
        *request.headers_mut() = self.headers.clone();
        let response = self
            .transport
            .send(request)
            .await
            .map_err(Error::transport)?;
        if !response.status().is_success() {
            return Err(api_error(&response));
        }
        decode(&response, Excerpt::Allowed)
    }
}
