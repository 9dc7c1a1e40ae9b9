//! Magic link: sign-up, sign-in, sign-up-or-in, verify, and address updates by link. The
//! link goes to the outbox; verifying its token (also a password reset's) signs in.

use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use descope_types::{
    ErrorCode, LoginOptions, MagicLinkSignInRequest, MagicLinkSignUpRequest,
    MagicLinkUpdateEmailRequest, MagicLinkUpdatePhoneRequest, MagicLinkVerifyRequest,
    MaskedAddressResponse, SignUpUser,
};
use http::StatusCode;

use super::redirect::prior_session;
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{
    Channel, Grant, LinkPurpose, Message, MessageKind, PendingLink, Project, User, link_with_token,
    masked_answer, with_method,
};
use crate::random;

/// 401 `E063010`: a token that is unknown or already used.
fn link_not_found() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::MagicLinkNotFound,
        "Magic link not found",
        "The link is unknown or was already used",
    )
}

/// 401 `E062504`: a token past its lifetime.
fn link_expired() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::MagicLinkExpired,
        "Magic link expired",
        "The link has expired; request a new one",
    )
}

/// 400 `E062107`.
pub(super) fn user_exists() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::UserAlreadyExists,
        "User already exists",
        "A user with this login id already exists",
    )
}

/// The channel of a `{method}` path segment; 400 for an unknown one.
pub(super) fn channel(method: &str) -> Result<Channel, ApiError> {
    // `im` is an OTP channel only.
    Channel::from_method(method)
        .filter(|c| *c != Channel::Im)
        .ok_or_else(|| {
            ApiError::invalid_argument("Unknown delivery method (email, sms, voice, whatsapp)")
        })
}

/// Where a message for a user goes on `channel`: the address given, else the user's, else
/// the login id when it has the right shape.
pub(super) fn address(
    channel: Channel,
    given: Option<&str>,
    user: Option<&User>,
    login_id: &str,
) -> Result<String, ApiError> {
    let given = given.map(str::trim).filter(|a| !a.is_empty());
    let (stored, looks_right) = match channel {
        Channel::Email => (
            user.and_then(|u| u.email.as_deref()),
            login_id.contains('@'),
        ),
        _ => (
            user.and_then(|u| u.phone.as_deref()),
            !login_id.contains('@'),
        ),
    };
    given
        .or(stored)
        .or(looks_right.then_some(login_id))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::invalid_argument(match channel {
                Channel::Email => "The user has no email address",
                _ => "The user has no phone number",
            })
        })
}

/// Records a link token, puts the message in the outbox and answers where it went.
/// `redirect`: the URL the call named, else the configured one.
#[allow(clippy::too_many_arguments)]
pub(super) fn send_link(
    project: &Project,
    kind: MessageKind,
    channel: Channel,
    login_id: &str,
    to: &str,
    redirect: Option<&str>,
    purpose: LinkPurpose,
) -> Result<MaskedAddressResponse, ApiError> {
    issue_link(project, kind, channel, login_id, to, redirect, purpose)?;
    Ok(masked_answer(channel, to))
}

/// Records a link token and puts the message in the outbox; returns the link sent.
#[allow(clippy::too_many_arguments)]
pub(super) fn issue_link(
    project: &Project,
    kind: MessageKind,
    channel: Channel,
    login_id: &str,
    to: &str,
    redirect: Option<&str>,
    purpose: LinkPurpose,
) -> Result<String, ApiError> {
    let token = random::token("ml_")?;
    let now = project.now();
    let ttl = i64::try_from(project.config.magic_link_ttl_seconds).unwrap_or(i64::MAX);
    let url = redirect
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(&project.config.magic_link_redirect_url);
    let mut message = Message::new(kind, channel, login_id, to, now);
    let link = link_with_token(url, &token);
    message.link = Some(link.clone());
    message.token = Some(token.clone());
    let mut st = project.lock();
    st.sweep(now);
    st.links.insert(
        token,
        PendingLink {
            login_id: login_id.to_owned(),
            purpose,
            expires_at: now.saturating_add(ttl),
        },
    );
    st.outbox.push(message);
    Ok(link)
}

fn require_login(login_id: &str) -> Result<&str, ApiError> {
    let login_id = login_id.trim();
    if login_id.is_empty() {
        Err(ApiError::missing_field("loginId"))
    } else {
        Ok(login_id)
    }
}

/// Copies sign-up details onto a new user.
pub(super) fn apply_details(user: &mut User, details: Option<SignUpUser>) {
    if let Some(details) = details {
        user.name = details.name;
        user.given_name = details.given_name;
        user.middle_name = details.middle_name;
        user.family_name = details.family_name;
        user.email = details.email.or(user.email.take());
        user.phone = details.phone;
    }
}

pub(super) fn sign_in_purpose(
    options: &LoginOptions,
    prior: Option<crate::project::Prior>,
) -> LinkPurpose {
    LinkPurpose::SignIn {
        prior,
        custom_claims: options.custom_claims.clone().unwrap_or_default(),
        dct: options.tenant_id.clone(),
    }
}

pub(super) async fn signup(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<MagicLinkSignUpRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let channel = channel(&method)?;
    let login_id = require_login(&body.login_id)?;
    let project = &auth.project;
    let given = match channel {
        Channel::Email => body.email.as_deref(),
        Channel::Sms | Channel::Im => body.phone.as_deref(),
        Channel::Voice => body.voice.as_deref(),
        Channel::Whatsapp => body.whatsapp.as_deref(),
    };
    let mut user = User::new(login_id, None, project.now());
    apply_details(&mut user, body.user);
    if channel != Channel::Email && user.phone.is_none() {
        user.phone = given
            .map(str::to_owned)
            .or_else(|| (!login_id.contains('@')).then(|| login_id.to_owned()));
    }
    let to = address(channel, given, Some(&user), login_id)?;
    let options = body.login_options.unwrap_or_default();
    {
        let mut st = project.lock();
        if st.user_id_by_login(login_id).is_some() {
            return Err(user_exists());
        }
        check_selected_tenant(&st, None, login_id, options.tenant_id.as_deref(), None)?;
        st.insert_user(user);
    }
    let purpose = sign_in_purpose(&options, None);
    let answer = send_link(
        project,
        MessageKind::MagicLink,
        channel,
        login_id,
        &to,
        body.uri.as_deref(),
        purpose,
    )?;
    Ok(Json(answer))
}

/// Sign-in and sign-up-or-in: `create` makes an unknown login id a new user.
async fn start(
    auth: Auth,
    method: &str,
    body: MagicLinkSignInRequest,
    create: bool,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let channel = channel(method)?;
    let login_id = require_login(&body.login_id)?;
    let options = body.login_options.unwrap_or_default();
    let prior = prior_session(&auth, &options, false)?;
    let project = &auth.project;
    let to = {
        let mut st = project.lock();
        let user_id = match st.user_id_by_login(login_id) {
            Some(id) => id,
            None if create => {
                let mut user = User::new(login_id, None, project.now());
                if channel != Channel::Email && !login_id.contains('@') {
                    user.phone = Some(login_id.to_owned());
                }
                let id = user.user_id.clone();
                st.insert_user(user);
                id
            }
            None => return Err(ApiError::user_not_found()),
        };
        check_selected_tenant(
            &st,
            prior.as_ref(),
            login_id,
            options.tenant_id.as_deref(),
            None,
        )?;
        address(channel, None, st.user(&user_id), login_id)?
    };
    let purpose = sign_in_purpose(&options, prior);
    let answer = send_link(
        project,
        MessageKind::MagicLink,
        channel,
        login_id,
        &to,
        body.uri.as_deref(),
        purpose,
    )?;
    Ok(Json(answer))
}

pub(super) async fn signin(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<MagicLinkSignInRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    start(auth, &method, body, false).await
}

pub(super) async fn signup_in(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<MagicLinkSignInRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    start(auth, &method, body, true).await
}

pub(super) async fn verify(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<MagicLinkVerifyRequest>,
) -> Result<Response, ApiError> {
    let token = body.token.secret().trim();
    if token.is_empty() {
        return Err(ApiError::missing_field("token"));
    }
    let project = &auth.project;
    let now = project.now();
    let (user_id, amr, dct, custom_claims) = {
        let mut st = project.lock();
        // Removed first: single use, whatever the outcome.
        let link = st.links.remove(token).ok_or_else(link_not_found)?;
        if link.expires_at <= now {
            return Err(link_expired());
        }
        let user_id = st
            .user_id_by_login(&link.login_id)
            .ok_or_else(ApiError::user_not_found)?;
        match link.purpose {
            LinkPurpose::SignIn {
                prior,
                custom_claims,
                dct,
            } => {
                let amr = match prior {
                    Some(prior) if prior.user_id != user_id => {
                        return Err(ApiError::invalid_token(
                            "the refresh token belongs to another user",
                        ));
                    }
                    Some(prior) => prior.amr,
                    None => Vec::new(),
                };
                (user_id, amr, dct, custom_claims)
            }
            LinkPurpose::UpdateEmail {
                email,
                add_to_login_ids,
            } => {
                if add_to_login_ids && !st.add_login_id(&user_id, &email) {
                    return Err(user_exists());
                }
                let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
                user.email = Some(email);
                (user_id, Vec::new(), None, Default::default())
            }
            LinkPurpose::UpdatePhone {
                phone,
                add_to_login_ids,
            } => {
                if add_to_login_ids && !st.add_login_id(&user_id, &phone) {
                    return Err(user_exists());
                }
                let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
                user.phone = Some(phone);
                (user_id, Vec::new(), None, Default::default())
            }
            LinkPurpose::PasswordReset => (user_id, Vec::new(), None, Default::default()),
        }
    };
    let grant = Grant {
        user_id,
        amr: with_method(amr, "magiclink"),
        dct,
        custom_claims,
        ip,
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}

/// The signed-in user (from the refresh token) must be the login id's.
fn session_user(auth: &Auth, login_id: &str) -> Result<(), ApiError> {
    let (_, session) = auth.project.refresh_session(auth.token()?)?;
    let st = auth.project.lock();
    let user_id = st
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if user_id != session.user_id {
        return Err(ApiError::invalid_token(
            "the refresh token belongs to another user",
        ));
    }
    Ok(())
}

/// A new address may not be another user's login id (merging is not emulated).
fn check_not_taken(project: &Project, login_id: &str, address: &str) -> Result<(), ApiError> {
    let st = project.lock();
    match (st.user_id_by_login(address), st.user_id_by_login(login_id)) {
        (Some(owner), Some(me)) if owner != me => Err(user_exists()),
        _ => Ok(()),
    }
}

pub(super) async fn update_email(
    auth: Auth,
    JsonBody(body): JsonBody<MagicLinkUpdateEmailRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let login_id = require_login(&body.login_id)?;
    let email = body.email.trim();
    if email.is_empty() {
        return Err(ApiError::missing_field("email"));
    }
    if !email.contains('@') {
        return Err(ApiError::invalid_argument("The email address is invalid"));
    }
    session_user(&auth, login_id)?;
    check_not_taken(&auth.project, login_id, email)?;
    let purpose = LinkPurpose::UpdateEmail {
        email: email.to_owned(),
        add_to_login_ids: body.add_to_login_ids,
    };
    let answer = send_link(
        &auth.project,
        MessageKind::MagicLink,
        Channel::Email,
        login_id,
        email,
        body.uri.as_deref(),
        purpose,
    )?;
    Ok(Json(answer))
}

async fn update_phone_over(
    auth: Auth,
    channel: Channel,
    body: MagicLinkUpdatePhoneRequest,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    if channel == Channel::Email {
        return Err(ApiError::invalid_argument(
            "A phone update is delivered by sms, voice or whatsapp",
        ));
    }
    let login_id = require_login(&body.login_id)?;
    let phone = body.phone.trim();
    if phone.is_empty() {
        return Err(ApiError::missing_field("phone"));
    }
    session_user(&auth, login_id)?;
    check_not_taken(&auth.project, login_id, phone)?;
    let purpose = LinkPurpose::UpdatePhone {
        phone: phone.to_owned(),
        add_to_login_ids: body.add_to_login_ids,
    };
    let answer = send_link(
        &auth.project,
        MessageKind::MagicLink,
        channel,
        login_id,
        phone,
        body.uri.as_deref(),
        purpose,
    )?;
    Ok(Json(answer))
}

/// `/v1/auth/magiclink/update/phone/{method}` (Node SDK).
pub(super) async fn update_phone(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<MagicLinkUpdatePhoneRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    update_phone_over(auth, channel(&method)?, body).await
}

/// `/v1/auth/magiclink/update/phone` (Python SDK, whatever the method): by SMS.
pub(super) async fn update_phone_bare(
    auth: Auth,
    JsonBody(body): JsonBody<MagicLinkUpdatePhoneRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    update_phone_over(auth, Channel::Sms, body).await
}
