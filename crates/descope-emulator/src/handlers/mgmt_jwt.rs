//! Management JWT calls: `/v1/mgmt/jwt/update`, `/v1/mgmt/impersonate`,
//! `/v1/mgmt/stop/impersonation`, and sessions issued without a credential
//! (`/v1/mgmt/auth/signin`, `/signup`, `/signup-in`).

use axum::Json;
use axum::response::Response;
use descope_types::{
    MgmtImpersonateRequest, MgmtJwtResponse, MgmtJwtUpdateRequest, MgmtSignInRequest,
    MgmtSignUpRequest, SessionToken,
};

use super::jwt_json;
use super::management::{Mgmt, required};
use crate::api_error::ApiError;
use crate::extract::{ClientIp, JsonBody};
use crate::project::{Extra, Grant, Project, User};

fn jwt(token: String) -> Json<MgmtJwtResponse> {
    Json(MgmtJwtResponse {
        jwt: SessionToken::new(token),
    })
}

pub(super) async fn update(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtJwtUpdateRequest>,
) -> Result<Json<MgmtJwtResponse>, ApiError> {
    let token = required(body.jwt.secret(), "jwt")?;
    let extra = Extra {
        custom_claims: body.custom_claims.unwrap_or_default(),
        tenant: None,
        ttl: body.refresh_duration,
    };
    Ok(jwt(project.update_jwt(token, extra)?))
}

pub(super) async fn impersonate(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtImpersonateRequest>,
) -> Result<Json<MgmtJwtResponse>, ApiError> {
    let impersonator = required(&body.impersonator_id, "impersonatorId")?;
    let login_id = required(&body.login_id, "loginId")?;
    // `validateConsent`: the emulator has no consent records; every user consents.
    let extra = Extra {
        custom_claims: body.custom_claims.unwrap_or_default(),
        tenant: body.selected_tenant.filter(|t| !t.is_empty()),
        ttl: body.refresh_duration,
    };
    Ok(jwt(project.impersonate(impersonator, login_id, extra)?))
}

pub(super) async fn stop_impersonation(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<descope_types::MgmtStopImpersonationRequest>,
) -> Result<Json<MgmtJwtResponse>, ApiError> {
    let token = required(body.jwt.secret(), "jwt")?;
    let extra = Extra {
        custom_claims: body.custom_claims.unwrap_or_default(),
        tenant: body.selected_tenant.filter(|t| !t.is_empty()),
        ttl: body.refresh_duration,
    };
    Ok(jwt(project.stop_impersonation(token, extra)?))
}

/// Revokes every refresh session of the user (`revokeOtherSessions`).
fn revoke_sessions(project: &Project, user_id: &str) {
    project.lock().revoke_sessions(user_id, 0);
}

fn grant(
    user_id: String,
    ip: String,
    body_claims: Option<serde_json::Map<String, serde_json::Value>>,
) -> Grant {
    Grant {
        user_id,
        amr: Vec::new(),
        dct: None,
        custom_claims: body_claims.unwrap_or_default(),
        ip,
    }
}

pub(super) async fn sign_in(
    Mgmt(project): Mgmt,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<MgmtSignInRequest>,
) -> Result<Response, ApiError> {
    let login_id = required(&body.login_id, "loginId")?;
    let user_id = project
        .lock()
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if body.revoke_other_sessions == Some(true) {
        revoke_sessions(&project, &user_id);
    }
    // `stepup`, `mfa` and `jwt` change nothing here: the emulator keeps no assurance levels.
    Ok(jwt_json(&project.sign_in(grant(
        user_id,
        ip,
        body.custom_claims,
    ))?))
}

/// Creates the user of a management sign-up.
fn create(project: &Project, body: &MgmtSignUpRequest, login_id: &str) -> String {
    let now = project.now();
    let mut user = User::new(login_id, None, now);
    let details = body.user.clone().unwrap_or_default();
    user.name = details.name.filter(|v| !v.is_empty());
    user.given_name = details.given_name.filter(|v| !v.is_empty());
    user.middle_name = details.middle_name.filter(|v| !v.is_empty());
    user.family_name = details.family_name.filter(|v| !v.is_empty());
    if let Some(email) = details.email.filter(|v| !v.is_empty()) {
        user.email = Some(email);
    }
    user.phone = details.phone.filter(|v| !v.is_empty());
    user.managed.verified_email = details.email_verified.or(body.email_verified);
    user.managed.verified_phone = details.phone_verified.or(body.phone_verified);
    let id = user.user_id.clone();
    project.lock().insert_user(user);
    id
}

async fn sign_up_at(
    project: &Project,
    ip: String,
    body: MgmtSignUpRequest,
    or_in: bool,
) -> Result<Response, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.to_owned();
    let existing = project.lock().user_id_by_login(&login_id);
    let user_id = match existing {
        Some(id) if or_in => id,
        Some(_) => return Err(ApiError::user_already_exists()),
        None => create(project, &body, &login_id),
    };
    Ok(jwt_json(&project.sign_in(grant(
        user_id,
        ip,
        body.custom_claims,
    ))?))
}

pub(super) async fn sign_up(
    Mgmt(project): Mgmt,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<MgmtSignUpRequest>,
) -> Result<Response, ApiError> {
    sign_up_at(&project, ip, body, false).await
}

pub(super) async fn sign_up_or_in(
    Mgmt(project): Mgmt,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<MgmtSignUpRequest>,
) -> Result<Response, ApiError> {
    sign_up_at(&project, ip, body, true).await
}
