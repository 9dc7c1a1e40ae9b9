//! Passwords: sign-up, sign-in, replace, reset (a link verified by the magic-link verify),
//! update, policy. Stored hashed; wrong passwords in a row lock the password until a reset.

use axum::Json;
use axum::response::Response;
use descope_types::{
    ErrorCode, PasswordPolicy, PasswordReplaceRequest, PasswordResetRequest, PasswordResetResponse,
    PasswordSignInRequest, PasswordSignUpRequest, PasswordUpdateRequest,
};
use http::StatusCode;

use super::magiclink::{apply_details, send_link, user_exists};
use super::redirect::prior_session;
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{
    Channel, Grant, LinkPurpose, MessageKind, PasswordState, Prior, Project, User, with_method,
};

/// 401 `E011004`: wrong password (or none set); the same answer either way.
fn wrong_password() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidArguments,
        "Invalid password",
        "The login id or password is wrong",
    )
}

/// 401 `E011004`: too many wrong passwords; a reset unlocks.
fn locked() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidArguments,
        "Password locked",
        "Too many wrong passwords; reset the password",
    )
}

/// 400 `E011004`: a password the policy refuses.
pub(super) fn check_policy(policy: &PasswordPolicy, password: &str) -> Result<(), ApiError> {
    let broken = policy.violations(password);
    if broken.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidArguments,
            "Password does not meet the policy",
            format!("The password breaks the policy: {}", broken.join(", ")),
        ))
    }
}

fn required<'a>(value: &'a str, field: &str) -> Result<&'a str, ApiError> {
    if value.trim().is_empty() {
        Err(ApiError::missing_field(field))
    } else {
        Ok(value)
    }
}

pub(super) fn hashed(password: &str) -> Result<PasswordState, ApiError> {
    PasswordState::new(password).map_err(|_| ApiError::internal("password hashing failed"))
}

/// Checks `password` against the login id's and counts a failure; answers the user id. An
/// expired password is refused (E062909) unless `replacing` it.
fn check_password(
    project: &Project,
    login_id: &str,
    password: &str,
    replacing: bool,
) -> Result<String, ApiError> {
    let max = project.config.password_max_failures;
    let mut st = project.lock();
    let user_id = st
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::user_not_found)?;
    let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
    let state = user.password.as_mut().ok_or_else(wrong_password)?;
    if state.failures >= max {
        return Err(locked());
    }
    if !state.matches(password) {
        state.failures += 1;
        return Err(if state.failures >= max {
            locked()
        } else {
            wrong_password()
        });
    }
    state.failures = 0;
    if state.expired && !replacing {
        return Err(ApiError::password_expired());
    }
    Ok(user_id)
}

fn grant(user_id: String, prior: Option<Prior>, ip: String) -> Result<Grant, ApiError> {
    let amr = match prior {
        Some(prior) if prior.user_id != user_id => {
            return Err(ApiError::invalid_token(
                "the refresh token belongs to another user",
            ));
        }
        Some(prior) => prior.amr,
        None => Vec::new(),
    };
    Ok(Grant {
        user_id,
        amr: with_method(amr, "pwd"),
        ip,
        ..Grant::default()
    })
}

pub(super) async fn signup(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<PasswordSignUpRequest>,
) -> Result<Response, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.trim();
    let password = required(body.password.secret(), "password")?;
    let project = &auth.project;
    check_policy(&project.config.password_policy, password)?;
    let options = body.login_options.unwrap_or_default();
    let state = hashed(password)?;
    let user_id = {
        let mut st = project.lock();
        if st.user_id_by_login(login_id).is_some() {
            return Err(user_exists());
        }
        check_selected_tenant(&st, None, login_id, options.tenant_id.as_deref(), None)?;
        let mut user = User::new(login_id, None, project.now());
        apply_details(&mut user, body.user);
        user.password = Some(state);
        let id = user.user_id.clone();
        st.insert_user(user);
        id
    };
    let grant = Grant {
        dct: options.tenant_id,
        custom_claims: options.custom_claims.unwrap_or_default(),
        ..grant(user_id, None, ip)?
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}

pub(super) async fn signin(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<PasswordSignInRequest>,
) -> Result<Response, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.trim();
    let password = required(body.password.secret(), "password")?;
    let options = body.login_options.unwrap_or_default();
    let prior = prior_session(&auth, &options, false)?;
    let project = &auth.project;
    let user_id = check_password(project, login_id, password, false)?;
    {
        let st = project.lock();
        check_selected_tenant(
            &st,
            prior.as_ref(),
            login_id,
            options.tenant_id.as_deref(),
            None,
        )?;
    }
    let grant = Grant {
        dct: options.tenant_id,
        custom_claims: options.custom_claims.unwrap_or_default(),
        ..grant(user_id, prior, ip)?
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}

pub(super) async fn replace(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<PasswordReplaceRequest>,
) -> Result<Response, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.trim();
    let old = required(body.old_password.secret(), "oldPassword")?;
    let new = required(body.new_password.secret(), "newPassword")?;
    let project = &auth.project;
    check_policy(&project.config.password_policy, new)?;
    let state = hashed(new)?;
    let user_id = check_password(project, login_id, old, true)?;
    {
        let mut st = project.lock();
        let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
        user.password = Some(state);
    }
    Ok(jwt_json(&project.sign_in(grant(user_id, None, ip)?)?))
}

pub(super) async fn reset(
    auth: Auth,
    JsonBody(body): JsonBody<PasswordResetRequest>,
) -> Result<Json<PasswordResetResponse>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.trim();
    let project = &auth.project;
    let to = {
        let st = project.lock();
        let user = st
            .user_id_by_login(login_id)
            .and_then(|id| st.user(&id))
            .ok_or_else(ApiError::user_not_found)?;
        user.email
            .clone()
            .or_else(|| login_id.contains('@').then(|| login_id.to_owned()))
            .ok_or_else(|| ApiError::invalid_argument("The user has no email address"))?
    };
    let answer = send_link(
        project,
        MessageKind::PasswordReset,
        Channel::Email,
        login_id,
        &to,
        body.redirect_url.as_deref(),
        LinkPurpose::PasswordReset,
    )?;
    Ok(Json(PasswordResetResponse {
        reset_method: "magiclink".to_owned(),
        pending_ref: None,
        link_id: None,
        masked_email: answer.masked_email,
    }))
}

pub(super) async fn update(
    auth: Auth,
    JsonBody(body): JsonBody<PasswordUpdateRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.trim();
    let new = required(body.new_password.secret(), "newPassword")?;
    let project = &auth.project;
    let (_, session) = project.refresh_session(auth.token()?)?;
    check_policy(&project.config.password_policy, new)?;
    let state = hashed(new)?;
    let mut st = project.lock();
    let user_id = st
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if user_id != session.user_id {
        return Err(ApiError::invalid_token(
            "the refresh token belongs to another user",
        ));
    }
    let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
    // A new password also lifts a lockout.
    user.password = Some(state);
    Ok(Json(serde_json::json!({})))
}

pub(super) async fn policy(auth: Auth) -> Json<PasswordPolicy> {
    Json(auth.project.config.password_policy.clone())
}
