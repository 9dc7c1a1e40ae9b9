//! The control API under `/emulator/`: reset, users, key rotation, clock, faults, request
//! counts, outbox.

use axum::Json;
use axum::extract::{Query, State};
use descope_types::{Clock as _, ProjectId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::app::App;
use crate::clock::MAX_OFFSET_SECONDS;
use crate::extract::{ControlProject, JsonBody};
use crate::faults::FaultRequest;
use crate::keys::SigningKey;
use crate::project::user_value;

pub(super) async fn reset(ControlProject(project): ControlProject) -> Json<Value> {
    project.reset();
    Json(json!({ "ok": true, "projectId": project.id }))
}

pub(super) async fn users(ControlProject(project): ControlProject) -> Json<Value> {
    let st = project.lock();
    let users: Vec<Value> = st
        .all_users()
        .into_iter()
        .map(|u| user_value(&st.user_response(u)))
        .collect();
    Json(json!({ "projectId": project.id, "users": users }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct RotateRequest {
    #[serde(default)]
    grace_seconds: Option<i64>,
}

pub(super) async fn rotate(
    ControlProject(project): ControlProject,
    JsonBody(body): JsonBody<RotateRequest>,
) -> Result<Json<Value>, ApiError> {
    let grace = body
        .grace_seconds
        .unwrap_or_else(|| i64::try_from(project.config.key_grace_seconds).unwrap_or(i64::MAX))
        .max(0);
    let key = tokio::task::spawn_blocking(SigningKey::generate)
        .await
        .map_err(|_| ApiError::internal("key generation was interrupted"))??;
    let kid = key.kid().to_owned();
    let previous = project.rotate_key(key, grace);
    Ok(Json(json!({
        "kid": kid,
        "previousKid": previous,
        "graceSeconds": grace,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ClockRequest {
    offset_seconds: i64,
}

pub(super) async fn clock(
    State(app): State<App>,
    JsonBody(body): JsonBody<ClockRequest>,
) -> Result<Json<Value>, ApiError> {
    if body.offset_seconds.unsigned_abs() > MAX_OFFSET_SECONDS.unsigned_abs() {
        return Err(ApiError::invalid_argument(
            "offsetSeconds must be within 100 years either way",
        ));
    }
    app.clock.set_offset(body.offset_seconds);
    Ok(Json(json!({
        "offsetSeconds": app.clock.offset(),
        "now": app.clock.now_unix(),
    })))
}

pub(super) async fn add_fault(
    State(app): State<App>,
    JsonBody(body): JsonBody<FaultRequest>,
) -> Result<Json<Value>, ApiError> {
    app.faults.add(body)?;
    Ok(Json(json!({ "ok": true })))
}

pub(super) async fn clear_faults(State(app): State<App>) -> Json<Value> {
    app.faults.clear();
    Json(json!({ "ok": true }))
}

pub(super) async fn requests(
    State(app): State<App>,
    ControlProject(project): ControlProject,
) -> Result<Json<Value>, ApiError> {
    let counts = app.requests.snapshot(&ProjectId::new(&project.id)?);
    Ok(Json(json!({ "projectId": project.id, "counts": counts })))
}

pub(super) async fn clear_requests(
    State(app): State<App>,
    ControlProject(project): ControlProject,
) -> Result<Json<Value>, ApiError> {
    app.requests.clear(&ProjectId::new(&project.id)?);
    Ok(Json(json!({ "ok": true, "projectId": project.id })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutboxQuery {
    #[serde(default)]
    login_id: Option<String>,
}

/// `GET /emulator/outbox[?loginId=L]`: the messages, oldest first.
pub(super) async fn outbox(
    ControlProject(project): ControlProject,
    Query(query): Query<OutboxQuery>,
) -> Json<Value> {
    let st = project.lock();
    let messages = st.outbox.list(query.login_id.as_deref());
    Json(json!({ "projectId": project.id, "messages": messages }))
}

/// `DELETE /emulator/outbox`.
pub(super) async fn clear_outbox(ControlProject(project): ControlProject) -> Json<Value> {
    project.lock().outbox.clear();
    Json(json!({ "ok": true, "projectId": project.id }))
}
