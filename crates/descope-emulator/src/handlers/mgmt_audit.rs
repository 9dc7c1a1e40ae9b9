//! The audit trail: `/v1/mgmt/audit/search`, `/v1/mgmt/audit/event`, the users' login
//! history (`/v1/mgmt/user/history`), and the middleware that records failed sign-ins.

use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use descope_types::{
    AuditRecord, MgmtAuditEventRequest, MgmtAuditSearchRequest, MgmtAuditSearchResponse,
    UserHistoryResponse,
};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::management::{Mgmt, required};
use crate::api_error::ApiError;
use crate::app::App;
use crate::bearer;
use crate::conn::ClientConn;
use crate::extract::{JsonBody, parse_json};
use crate::project::{AuditEvent, LOGIN_FAILED};

pub(super) async fn search(
    Mgmt(project): Mgmt,
    JsonBody(filter): JsonBody<MgmtAuditSearchRequest>,
) -> Json<MgmtAuditSearchResponse> {
    let audits = project.lock().audit.search(&filter);
    Json(MgmtAuditSearchResponse {
        total: audits.len() as u64,
        audits,
    })
}

pub(super) async fn create_event(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtAuditEventRequest>,
) -> Result<Json<Value>, ApiError> {
    // The Go SDK refuses these empty before sending; Descope requires them.
    required(&body.action, "action")?;
    required(&body.actor_id, "actorId")?;
    required(&body.tenant_id, "tenantId")?;
    let now_ms = project.now().saturating_mul(1000);
    let mut st = project.lock();
    let login_ids = body
        .user_id
        .as_deref()
        .and_then(|id| st.user(id))
        .map(|u| u.login_ids.clone())
        .unwrap_or_default();
    st.audit.push_record(AuditRecord {
        project_id: project.id.clone(),
        user_id: body.user_id.unwrap_or_default(),
        action: body.action,
        occurred: now_ms,
        device: "Unknown".to_owned(),
        external_ids: login_ids,
        tenants: vec![body.tenant_id],
        actor_id: Some(body.actor_id),
        event_type: Some(
            serde_json::to_value(body.event_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        ),
        data: body.data.unwrap_or_default(),
        ..AuditRecord::default()
    });
    Ok(Json(json!({})))
}

/// `POST /v1/mgmt/user/history`: a bare JSON array of user ids in, the sign-ins of those
/// users out (unknown ids left out), from the same per-user history `/v1/auth/me/history`
/// answers.
pub(super) async fn history(
    Mgmt(project): Mgmt,
    JsonBody(user_ids): JsonBody<Vec<String>>,
) -> Json<UserHistoryResponse> {
    let st = project.lock();
    let entries = user_ids
        .iter()
        .filter_map(|id| st.user(id))
        .flat_map(|u| u.history())
        .collect();
    Json(UserHistoryResponse(entries))
}

/// Records a `LoginFailed` for every sign-in call (`POST /v1/auth/...` with a `loginId` in
/// its body) that answers 401 or 403: one place for every method's failures. Polling for a
/// pending session (401 while pending) is not a failure.
pub(super) async fn record_failures(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() != Method::POST
        || !path.starts_with("/v1/auth/")
        || path.ends_with("/pending-session")
    {
        return next.run(req).await;
    }
    let method = path.split('/').nth(3).unwrap_or_default().to_owned();
    let (parts, body) = req.into_parts();
    // The body was read whole (and capped) by the outer `read_body` layer.
    let Ok(bytes) = axum::body::to_bytes(body, app.config.max_body_bytes).await else {
        return ApiError::too_large().into_response();
    };
    let login_id = parse_json::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("loginId").and_then(Value::as_str).map(str::to_owned))
        .filter(|l| !l.trim().is_empty());
    let ip = parts
        .extensions
        .get::<ConnectInfo<ClientConn>>()
        .map(|c| c.0.addr.ip().to_string())
        .unwrap_or_default();
    let project_id = bearer::parse(&parts.headers)
        .ok()
        .flatten()
        .map(|b| b.project_id);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    let (Some(login_id), Some(project_id)) = (login_id, project_id) else {
        return response;
    };
    if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
        return response;
    }
    let Ok(project) = app.projects.get(&project_id).await else {
        return response;
    };
    // The answer is a small Descope error body: read it for the reason, then pass it on.
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let reason = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("errorDescription")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    {
        let mut st = project.lock();
        let user_id = st.user_id_by_login(&login_id).unwrap_or_default();
        let event = AuditEvent {
            user_id,
            action: LOGIN_FAILED,
            method,
            login_ids: vec![login_id],
            remote_address: ip,
            data: Map::from_iter([("error_message".to_owned(), Value::from(reason))]),
            ..AuditEvent::default()
        };
        project.audit(&mut st, event);
    }
    Response::from_parts(parts, Body::from(bytes))
}
