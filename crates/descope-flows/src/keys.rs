//! The client's key source: `GET /v2/keys/{projectId}` through the request pipeline.

use std::sync::Arc;

use async_trait::async_trait;
use descope_types::JwkSet;

use crate::error::Error;
use crate::jwks::KeySource;
use crate::pipeline::{Bearer, Pipeline, Request};

/// Fetches the project's JSON Web Key set over HTTP.
#[derive(Debug)]
pub(crate) struct HttpKeySource {
    pipeline: Arc<Pipeline>,
    path: String,
}

impl HttpKeySource {
    pub(crate) fn new(pipeline: Arc<Pipeline>) -> Self {
        let path = format!("/v2/keys/{}", pipeline.project_id());
        Self { pipeline, path }
    }
}

#[async_trait]
impl KeySource for HttpKeySource {
    async fn fetch_keys(&self) -> Result<JwkSet, Error> {
        let request = Request::get(self.path.clone(), Bearer::Project).excerpt_allowed();
        Ok(self.pipeline.json(request).await?.value)
    }
}
