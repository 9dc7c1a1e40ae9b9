//! TOTP sign-up, verify (sign-in, step-up, MFA) and update.

use axum::Json;
use axum::response::Response;
use descope_types::{
    TotpKey, TotpResponse, TotpSignUpRequest, TotpUpdateRequest, TotpVerifyRequest,
};

use super::redirect::prior_session;
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{Grant, Project, TotpState, User, with_method};
use crate::qr::{self, QrFailure};
use crate::{random, totp};

/// A new secret and everything shown for it (key, URL, QR code), built before any state
/// changes so a failure leaves no half-enrolled user behind.
fn enrolment(project: &Project, login_id: &str) -> Result<(TotpState, TotpResponse), ApiError> {
    let secret = random::bytes::<20>()?;
    let key = totp::base32_encode(&secret);
    let url = totp::provisioning_url(&project.config.totp_issuer, login_id, &key);
    let image = qr::png_base64(&url).map_err(|failure| match failure {
        QrFailure::TooLong => {
            ApiError::invalid_argument("The login id is too long to enroll in TOTP")
        }
        QrFailure::Encoding => ApiError::internal("QR code encoding failed"),
    })?;
    let response = TotpResponse {
        provisioning_url: url,
        image,
        key: TotpKey::new(key),
    };
    Ok((TotpState::new(secret.to_vec()), response))
}

pub(super) async fn signup(
    auth: Auth,
    JsonBody(body): JsonBody<TotpSignUpRequest>,
) -> Result<Json<TotpResponse>, ApiError> {
    let login_id = body.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let project = &auth.project;
    let (totp, response) = enrolment(project, login_id)?;
    {
        let mut st = project.lock();
        if st.user_id_by_login(login_id).is_some() {
            return Err(ApiError::user_already_exists());
        }
        let mut user = User::new(login_id, None, project.now());
        if let Some(details) = body.user {
            user.name = details.name;
            user.given_name = details.given_name;
            user.middle_name = details.middle_name;
            user.family_name = details.family_name;
            user.email = details.email.or(user.email);
            user.phone = details.phone;
        }
        user.totp = Some(totp);
        st.insert_user(user);
    }
    Ok(Json(response))
}

pub(super) async fn verify(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<TotpVerifyRequest>,
) -> Result<Response, ApiError> {
    if body.login_id.trim().is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    if body.code.secret().is_empty() {
        return Err(ApiError::missing_field("code"));
    }
    let options = body.login_options.unwrap_or_default();
    let prior = prior_session(&auth, &options, false)?;
    let project = &auth.project;
    let config = &project.config;
    let now = project.now();
    let user_id = {
        let mut st = project.lock();
        let user_id = st
            .user_id_by_login(body.login_id.trim())
            .ok_or_else(ApiError::user_not_found)?;
        let membership = check_selected_tenant(
            &st,
            None,
            body.login_id.trim(),
            options.tenant_id.as_deref(),
            None,
        );
        let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
        let state = user.totp.as_mut().ok_or(ApiError::invalid_argument(
            "TOTP is not set up for this user",
        ))?;
        let lockout = i64::try_from(config.totp_lockout_seconds).unwrap_or(i64::MAX);
        if state.failures >= config.totp_max_failures {
            if now.saturating_sub(state.last_failure) < lockout {
                return Err(ApiError::too_many_attempts(
                    "Too many wrong codes; try again later",
                ));
            }
            state.failures = 0;
        }
        let step = totp::matching_step(&state.secret, body.code.secret(), now);
        match step {
            Some(step) if state.last_step.is_none_or(|last| step > last) => {
                state.last_step = Some(step);
                state.failures = 0;
            }
            other => {
                state.failures += 1;
                state.last_failure = now;
                return Err(ApiError::wrong_code(if other.is_some() {
                    "This code was already used"
                } else {
                    "The code is wrong"
                }));
            }
        }
        // Checked once the code is: a wrong code says nothing about memberships.
        membership?;
        user_id
    };
    let amr = match prior {
        Some(prior) if prior.user_id != user_id => {
            return Err(ApiError::invalid_token(
                "the refresh token belongs to another user",
            ));
        }
        Some(prior) => prior.amr,
        None => Vec::new(),
    };
    let grant = Grant {
        user_id,
        amr: with_method(amr, "totp"),
        dct: options.tenant_id,
        custom_claims: options.custom_claims.unwrap_or_default(),
        ip,
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}

pub(super) async fn update(
    auth: Auth,
    JsonBody(body): JsonBody<TotpUpdateRequest>,
) -> Result<Json<TotpResponse>, ApiError> {
    let login_id = body.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let project = &auth.project;
    let (_, session) = project.refresh_session(auth.token()?)?;
    let (totp, response) = enrolment(project, login_id)?;
    {
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
        user.totp = Some(totp);
    }
    Ok(Json(response))
}
