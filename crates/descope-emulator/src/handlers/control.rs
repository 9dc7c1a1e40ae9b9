//! The control API under `/emulator/`: reset, users (and the console's user actions), key
//! rotation, clock, faults, request counts, outbox.
//!
//! Calls that act take a JSON body, or the web console's form (see [`ControlBody`]), and
//! answer JSON, or the console's form with a redirect back to its page (see [`Reply`]).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use descope_types::{Clock as _, ProjectId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::app::App;
use crate::clock::MAX_OFFSET_SECONDS;
use crate::console::{ControlBody, Reply};
use crate::extract::{ControlProject, JsonBody};
use crate::faults::FaultRequest;
use crate::keys::SigningKey;
use crate::project::user_value;

pub(super) async fn reset(ControlProject(project): ControlProject, reply: Reply) -> Response {
    project.reset();
    reply.answer(json!({ "ok": true, "projectId": project.id }))
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
    reply: Reply,
    ControlBody(body): ControlBody<RotateRequest>,
) -> Result<Response, ApiError> {
    let grace = body
        .grace_seconds
        .unwrap_or_else(|| i64::try_from(project.config.key_grace_seconds).unwrap_or(i64::MAX))
        .max(0);
    let key = tokio::task::spawn_blocking(SigningKey::generate)
        .await
        .map_err(|_| ApiError::internal("key generation was interrupted"))??;
    let kid = key.kid().to_owned();
    let previous = project.rotate_key(key, grace);
    Ok(reply.answer(json!({
        "kid": kid,
        "previousKid": previous,
        "graceSeconds": grace,
    })))
}

/// `GET /emulator/keys`: the served keys, current first (public facts only).
pub(super) async fn keys(ControlProject(project): ControlProject) -> Json<Value> {
    let keys: Vec<Value> = project
        .key_infos()
        .into_iter()
        .map(|k| json!({ "kid": k.kid, "createdAt": k.created, "validUntil": k.valid_until }))
        .collect();
    Json(json!({ "projectId": project.id, "keys": keys }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ClockRequest {
    offset_seconds: i64,
}

fn set_offset(app: &App, offset: i64, reply: Reply) -> Result<Response, ApiError> {
    if offset.unsigned_abs() > MAX_OFFSET_SECONDS.unsigned_abs() {
        return Err(ApiError::invalid_argument(
            "offsetSeconds must be within 100 years either way",
        ));
    }
    app.clock.set_offset(offset);
    Ok(reply.answer(json!({
        "offsetSeconds": app.clock.offset(),
        "now": app.clock.now_unix(),
    })))
}

pub(super) async fn clock(
    State(app): State<App>,
    reply: Reply,
    ControlBody(body): ControlBody<ClockRequest>,
) -> Result<Response, ApiError> {
    set_offset(&app, body.offset_seconds, reply)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct AdvanceRequest {
    seconds: i64,
}

/// `POST /emulator/clock/advance {seconds}`: moves the offset by `seconds` (either way).
pub(super) async fn advance_clock(
    State(app): State<App>,
    reply: Reply,
    ControlBody(body): ControlBody<AdvanceRequest>,
) -> Result<Response, ApiError> {
    set_offset(&app, app.clock.offset().saturating_add(body.seconds), reply)
}

pub(super) async fn add_fault(
    State(app): State<App>,
    JsonBody(body): JsonBody<FaultRequest>,
) -> Result<Json<Value>, ApiError> {
    app.faults.add(body)?;
    Ok(Json(json!({ "ok": true })))
}

/// `GET /emulator/faults`: the armed rules, oldest first.
pub(super) async fn faults(State(app): State<App>) -> Json<Value> {
    let rules: Vec<Value> = app
        .faults
        .list()
        .into_iter()
        .map(
            |(path, remaining, kind)| json!({ "path": path, "remaining": remaining, "kind": kind }),
        )
        .collect();
    Json(json!({ "faults": rules }))
}

/// `DELETE /emulator/faults`, or `POST /emulator/faults/clear` (a form cannot DELETE).
pub(super) async fn clear_faults(State(app): State<App>, reply: Reply) -> Response {
    app.faults.clear();
    reply.answer(json!({ "ok": true }))
}

/// `POST /emulator/users/{userId}/activate` and `/deactivate`: sets the user's status, as
/// the management API's status update does (a deactivated user's sign-ins are refused).
fn set_status(
    project: &crate::project::Project,
    user_id: &str,
    disabled: bool,
    reply: Reply,
) -> Result<Response, ApiError> {
    {
        let mut st = project.lock();
        let user = st.user_mut(user_id).ok_or_else(ApiError::user_not_found)?;
        user.managed.disabled = disabled;
    }
    let status = if disabled { "disabled" } else { "enabled" };
    Ok(reply.answer(json!({ "ok": true, "userId": user_id, "status": status })))
}

pub(super) async fn deactivate_user(
    ControlProject(project): ControlProject,
    Path(user_id): Path<String>,
    reply: Reply,
) -> Result<Response, ApiError> {
    set_status(&project, &user_id, true, reply)
}

pub(super) async fn activate_user(
    ControlProject(project): ControlProject,
    Path(user_id): Path<String>,
    reply: Reply,
) -> Result<Response, ApiError> {
    set_status(&project, &user_id, false, reply)
}

/// `POST /emulator/users/{userId}/logout`: revokes every session of the user, as its own
/// logout-all would.
pub(super) async fn logout_user(
    ControlProject(project): ControlProject,
    Path(user_id): Path<String>,
    reply: Reply,
) -> Result<Response, ApiError> {
    if project.lock().user(&user_id).is_none() {
        return Err(ApiError::user_not_found());
    }
    let ended = project.logout_user(&user_id);
    Ok(reply.answer(json!({ "ok": true, "userId": user_id, "sessionsEnded": ended })))
}

/// `POST /emulator/users/{userId}/delete` (or `DELETE /emulator/users/{userId}`): removes
/// the user and ends its sessions.
pub(super) async fn delete_user(
    ControlProject(project): ControlProject,
    Path(user_id): Path<String>,
    reply: Reply,
) -> Result<Response, ApiError> {
    project.logout_user(&user_id);
    if project.lock().remove_user(&user_id).is_none() {
        return Err(ApiError::user_not_found());
    }
    Ok(reply.answer(json!({ "ok": true, "userId": user_id })))
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

/// `DELETE /emulator/outbox`, or `POST /emulator/outbox/clear`.
pub(super) async fn clear_outbox(
    ControlProject(project): ControlProject,
    reply: Reply,
) -> Response {
    project.lock().outbox.clear();
    reply.answer(json!({ "ok": true, "projectId": project.id }))
}
