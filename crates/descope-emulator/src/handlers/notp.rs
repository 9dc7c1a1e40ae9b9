//! nOTP (WhatsApp): sign-up / sign-in / sign-up-or-in and the pending session, on the
//! enchanted link's machinery (its own store of pending references).
//!
//! A start answers a `redirectUrl` (and the same URL as a QR code `image`) that stands for
//! the WhatsApp link: opening it (`GET /emulator/notp/tap?projectId=..&t=..`, what the
//! user's phone does when the message is sent) completes the flow; the next
//! `pending-session` hands out the session, once. The outbox also gets the link (kind
//! `enchantedlink`, channel `whatsapp`), so tests can find the token by login id.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use descope_types::{
    NotpPendingSessionRequest, NotpResponse, NotpSignInRequest, NotpSignUpRequest, PendingRef,
};
use serde::Deserialize;

use super::enchantedlink::{Pending, collect_session, complete, keep_pending};
use super::enchantedlink::{signin_pending, signup_pending};
use crate::api_error::ApiError;
use crate::app::App;
use crate::extract::{Auth, ClientIp, ControlProject, JsonBody};
use crate::project::{Channel, Message, MessageKind, PendingEnchanted, Project};
use crate::qr::{self, QrFailure};
use crate::random;

/// Keeps the flow, "sends" the link and answers the start call.
fn start(
    app: &App,
    project: &Project,
    pending: PendingEnchanted,
) -> Result<Json<NotpResponse>, ApiError> {
    let token = random::token("notp_")?;
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("projectId", project.id.as_str())
        .append_pair("t", &token)
        .finish();
    let redirect_url = format!("{}/emulator/notp/tap?{query}", app.base_url);
    let image = qr::png_base64(&redirect_url).map_err(|failure| match failure {
        QrFailure::TooLong => ApiError::invalid_argument("The login id is too long"),
        QrFailure::Encoding => ApiError::internal("QR code encoding failed"),
    })?;
    let login_id = pending.login_id.clone();
    let mut message = Message::new(
        MessageKind::EnchantedLink,
        Channel::Whatsapp,
        &login_id,
        &login_id,
        project.now(),
    );
    message.token = Some(token.clone());
    message.link = Some(redirect_url.clone());
    let pending_ref = keep_pending(project, Pending::Notp, pending, token, message)?;
    Ok(Json(NotpResponse {
        pending_ref: PendingRef::new(pending_ref),
        redirect_url,
        image,
    }))
}

pub(super) async fn signup(
    State(app): State<App>,
    auth: Auth,
    JsonBody(body): JsonBody<NotpSignUpRequest>,
) -> Result<Json<NotpResponse>, ApiError> {
    let user = body.user.unwrap_or_default();
    let pending = signup_pending(&auth.project, &body.login_id, user, body.login_options)?;
    start(&app, &auth.project, pending)
}

pub(super) async fn signin(
    State(app): State<App>,
    auth: Auth,
    JsonBody(body): JsonBody<NotpSignInRequest>,
) -> Result<Json<NotpResponse>, ApiError> {
    let pending = signin_pending(&auth, &body.login_id, body.login_options, false)?;
    start(&app, &auth.project, pending)
}

pub(super) async fn signup_in(
    State(app): State<App>,
    auth: Auth,
    JsonBody(body): JsonBody<NotpSignInRequest>,
) -> Result<Json<NotpResponse>, ApiError> {
    let pending = signin_pending(&auth, &body.login_id, body.login_options, true)?;
    start(&app, &auth.project, pending)
}

pub(super) async fn pending_session(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<NotpPendingSessionRequest>,
) -> Result<Response, ApiError> {
    collect_session(&auth, ip, Pending::Notp, &body.pending_ref)
}

/// Query of `GET /emulator/notp/tap`.
#[derive(Deserialize)]
pub(super) struct Tap {
    #[serde(default)]
    t: String,
}

/// The user sends the WhatsApp message: completes the flow of token `t` (single use).
pub(super) async fn tap(
    ControlProject(project): ControlProject,
    Query(query): Query<Tap>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if query.t.is_empty() {
        return Err(ApiError::missing_field("t"));
    }
    complete(&project, Pending::Notp, &query.t)?;
    Ok(Json(serde_json::json!({})))
}
