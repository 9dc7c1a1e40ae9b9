//! Request extractors that answer Descope-shaped errors: tolerant JSON bodies, query maps,
//! the project and token of the bearer, and the client IP.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use bytes::Bytes;
use descope_types::ProjectId;
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;
use crate::app::App;
use crate::bearer;
use crate::conn::ClientConn;
use crate::project::Project;

/// A JSON body. An empty body (Go sends none) or `null` reads as `{}`; `Content-Type` is
/// not required.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large()
            } else {
                ApiError::invalid_request("The request body could not be read")
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let trimmed = bytes.trim_ascii();
    let text = if trimmed.is_empty() || trimmed == b"null" {
        b"{}".as_slice()
    } else {
        trimmed
    };
    serde_json::from_slice(text).map_err(|e| json_error(&e))
}

/// Names the missing field; never echoes values (they may be secrets).
fn json_error(e: &serde_json::Error) -> ApiError {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        return ApiError::missing_field(field);
    }
    let position = format!("line {}, column {}", e.line(), e.column());
    if e.is_data() {
        ApiError::invalid_request(format!(
            "A field of the request body has an invalid type or value ({position})"
        ))
    } else {
        ApiError::invalid_request(format!("The request body is not valid JSON ({position})"))
    }
}

/// Query parameters by name (last one wins).
pub(crate) struct QueryMap(HashMap<String, String>);

impl QueryMap {
    /// The first non-empty value among these spellings.
    pub(crate) fn get(&self, names: &[&str]) -> Option<&str> {
        names
            .iter()
            .filter_map(|n| self.0.get(*n))
            .map(String::as_str)
            .find(|v| !v.is_empty())
    }

    pub(crate) fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(&[name])
            .ok_or_else(|| ApiError::missing_field(name))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Self(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

/// The client's IP as text (for history and rate limiting).
pub(crate) struct ClientIp(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<ClientConn>>()
                .map(|c| c.0.addr.ip().to_string())
                .unwrap_or_default(),
        ))
    }
}

/// The project named by the bearer (required) and the token after it, if any.
pub(crate) struct Auth {
    pub(crate) project: Arc<Project>,
    pub(crate) token: Option<String>,
}

impl Auth {
    /// The token part of the bearer; 401 when absent.
    pub(crate) fn token(&self) -> Result<&str, ApiError> {
        self.token.as_deref().ok_or_else(|| {
            ApiError::missing_bearer("This call needs Authorization: Bearer <projectId>:<token>")
        })
    }
}

impl FromRequestParts<App> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let bearer = bearer::parse(&parts.headers)?
            .ok_or_else(|| ApiError::missing_bearer("The Authorization header is missing"))?;
        let project = app.projects.get(&bearer.project_id).await?;
        Ok(Self {
            project,
            token: bearer.token,
        })
    }
}

/// The project of a control call: bearer, then `?projectId=`, then the default.
pub(crate) struct ControlProject(pub(crate) Arc<Project>);

impl FromRequestParts<App> for ControlProject {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let from_query = || {
            url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .find(|(k, v)| k == "projectId" && !v.is_empty())
                .map(|(_, v)| v.into_owned())
        };
        let id = match bearer::parse(&parts.headers)? {
            Some(b) => b.project_id,
            None => ProjectId::new(from_query().unwrap_or_else(|| app.config.project_id.clone()))?,
        };
        Ok(Self(app.projects.get(&id).await?))
    }
}
