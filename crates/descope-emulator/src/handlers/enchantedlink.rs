//! Enchanted link: sign-up / sign-in / sign-up-or-in by email or SMS, the link's verify, the
//! pending session, and address updates.
//!
//! A start call keeps a pending reference and sends ONE link (to the outbox) with a random
//! two-digit link id, the number Descope shows on screen. Verifying the link's token marks
//! the reference verified; the next `pending-session` hands out the session, once.

use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use descope_types::{
    EnchantedLinkPendingSessionRequest, EnchantedLinkResponse, EnchantedLinkSignInRequest,
    EnchantedLinkSignUpRequest, EnchantedLinkUpdateEmailRequest, EnchantedLinkUpdatePhoneRequest,
    EnchantedLinkVerifyRequest, ErrorCode, LoginOptions, PendingRef, SignUpUser,
};
use http::StatusCode;

use super::redirect::prior_session;
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{
    Channel, Enchanted, EnchantedPurpose, Grant, Message, MessageKind, PendingEnchanted, Project,
    SentLink, State, User, link_with_token, masked_answer, with_method,
};
use crate::random;

/// The `amr` an enchanted-link sign-in adds.
const AMR: &str = "enchantedlink";

/// The delivery of a start path's last segment: enchanted links go by email or SMS only.
fn channel(method: &str) -> Result<Channel, ApiError> {
    match Channel::from_method(method) {
        Some(c @ (Channel::Email | Channel::Sms)) => Ok(c),
        _ => Err(ApiError::not_found()),
    }
}

fn link_lifetime(project: &Project) -> i64 {
    i64::try_from(project.config.code_ttl_seconds).unwrap_or(i64::MAX)
}

/// Whose pending references: enchanted links', or nOTP's (the same flow: a token completes
/// it, the starting device collects the session once), each in its own store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pending {
    EnchantedLink,
    Notp,
}

impl Pending {
    fn store(self, st: &mut State) -> &mut Enchanted {
        match self {
            Self::EnchantedLink => &mut st.enchanted,
            Self::Notp => &mut st.notp,
        }
    }

    /// The `amr` the session gets.
    fn amr(self) -> &'static str {
        match self {
            Self::EnchantedLink => AMR,
            Self::Notp => "notp",
        }
    }
}

/// Keeps a started flow under a new pending reference, with `token` completing it, and
/// sends `message` (which carries the token). Returns the pending reference.
pub(super) fn keep_pending(
    project: &Project,
    which: Pending,
    pending: PendingEnchanted,
    token: String,
    message: Message,
) -> Result<String, ApiError> {
    let pending_ref = random::token("pref_")?;
    let now = project.now();
    let exp = now.saturating_add(link_lifetime(project));
    let mut st = project.lock();
    st.sweep(now);
    let store = which.store(&mut st);
    store
        .pending
        .insert(pending_ref.clone(), PendingEnchanted { exp, ..pending });
    store.tokens.insert(
        token,
        SentLink {
            pending_ref: pending_ref.clone(),
            exp,
        },
    );
    st.outbox.push(message);
    Ok(pending_ref)
}

/// Keeps the pending reference and its link, sends the link, and answers the start call.
fn send_link(
    project: &Project,
    pending: PendingEnchanted,
    channel: Channel,
    to: &str,
    uri: &str,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    issue_link(project, pending, channel, to, uri).map(|(answer, _)| Json(answer))
}

/// Keeps the pending reference and its link and sends the link; returns the start call's
/// answer and the link sent.
pub(super) fn issue_link(
    project: &Project,
    pending: PendingEnchanted,
    channel: Channel,
    to: &str,
    uri: &str,
) -> Result<(EnchantedLinkResponse, String), ApiError> {
    let token = random::token("elt_")?;
    let [hi, lo] = random::bytes::<2>()?;
    let link_id = format!("{}", 10 + u16::from_be_bytes([hi, lo]) % 90);
    let now = project.now();
    let uri = if uri.trim().is_empty() {
        project.config.default_redirect_url.as_str()
    } else {
        uri
    };
    let login_id = pending.login_id.clone();
    let mut message = Message::new(MessageKind::EnchantedLink, channel, &login_id, to, now);
    message.token = Some(token.clone());
    let link = link_with_token(uri, &token);
    message.link = Some(link.clone());
    message.link_id = Some(link_id.clone());
    let pending_ref = keep_pending(project, Pending::EnchantedLink, pending, token, message)?;
    let masked = masked_answer(channel, to);
    let answer = EnchantedLinkResponse {
        link_id,
        pending_ref: PendingRef::new(pending_ref),
        masked_email: masked.masked_email,
        masked_phone: masked.masked_phone,
    };
    Ok((answer, link))
}

fn user_exists() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::UserAlreadyExists,
        "User already exists",
        "A user with this login id already exists",
    )
}

/// The address a link for `login_id` goes to: the user's, else the login id.
pub(super) fn address_of(project: &Project, login_id: &str, channel: Channel) -> String {
    let st = project.lock();
    let user = st
        .user_id_by_login(login_id)
        .and_then(|id| st.user(&id).cloned());
    let known = user.and_then(|u| match channel {
        Channel::Email => u.email,
        _ => u.phone,
    });
    known.unwrap_or_else(|| login_id.to_owned())
}

pub(super) async fn signup(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<EnchantedLinkSignUpRequest>,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    let channel = channel(&method)?;
    let user = body.user.unwrap_or_default();
    let to = match channel {
        Channel::Email => body.email.or(user.email.clone()),
        _ => body.phone.or(user.phone.clone()),
    };
    let options = body.login_options.unwrap_or_default();
    let pending = signup_pending(&auth.project, &body.login_id, user, options)?;
    let to = to.unwrap_or_else(|| pending.login_id.clone());
    send_link(&auth.project, pending, channel, &to, &body.uri)
}

/// A sign-up's pending flow: refused when the login id is taken.
pub(super) fn signup_pending(
    project: &Project,
    login_id: &str,
    user: SignUpUser,
    options: LoginOptions,
) -> Result<PendingEnchanted, ApiError> {
    let login_id = login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    if project.lock().user_id_by_login(login_id).is_some() {
        return Err(user_exists());
    }
    Ok(PendingEnchanted {
        purpose: EnchantedPurpose::SignIn { signup: Some(user) },
        login_id: login_id.to_owned(),
        prior: None,
        custom_claims: options.custom_claims.unwrap_or_default(),
        dct: options.tenant_id,
        verified_user: None,
        exp: 0,
    })
}

async fn start_signin(
    auth: Auth,
    method: &str,
    body: EnchantedLinkSignInRequest,
    create: bool,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    let channel = channel(method)?;
    let pending = signin_pending(&auth, &body.login_id, body.login_options, create)?;
    let to = address_of(&auth.project, &pending.login_id, channel);
    send_link(&auth.project, pending, channel, &to, &body.uri)
}

/// A sign-in's (`create`: sign-up-or-in's) pending flow: refused for an unknown login id
/// (unless `create`), or a refresh token (step-up, MFA) of another user.
pub(super) fn signin_pending(
    auth: &Auth,
    login_id: &str,
    options: LoginOptions,
    create: bool,
) -> Result<PendingEnchanted, ApiError> {
    let login_id = login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let prior = prior_session(auth, &options, false)?;
    let project = &auth.project;
    {
        let st = project.lock();
        let user_id = st.user_id_by_login(login_id);
        if user_id.is_none() && !create {
            return Err(ApiError::user_not_found());
        }
        let other_user = match (&prior, &user_id) {
            (Some(prior), Some(user_id)) => &prior.user_id != user_id,
            _ => false,
        };
        if other_user {
            return Err(ApiError::invalid_token(
                "the refresh token belongs to another user",
            ));
        }
        check_selected_tenant(
            &st,
            prior.as_ref(),
            login_id,
            options.tenant_id.as_deref(),
            None,
        )?;
    }
    Ok(PendingEnchanted {
        purpose: EnchantedPurpose::SignIn {
            signup: create.then(Default::default),
        },
        login_id: login_id.to_owned(),
        prior,
        custom_claims: options.custom_claims.unwrap_or_default(),
        dct: options.tenant_id,
        verified_user: None,
        exp: 0,
    })
}

pub(super) async fn signin(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<EnchantedLinkSignInRequest>,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    start_signin(auth, &method, body, false).await
}

pub(super) async fn signup_or_in(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<EnchantedLinkSignInRequest>,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    start_signin(auth, &method, body, true).await
}

/// 401 `E062504`: the link (or the reference) expired or was already used.
fn link_expired(message: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::MagicLinkExpired,
        "Enchanted link expired",
        message,
    )
}

pub(super) async fn verify(
    auth: Auth,
    JsonBody(body): JsonBody<EnchantedLinkVerifyRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if body.token.secret().is_empty() {
        return Err(ApiError::missing_field("token"));
    }
    complete(&auth.project, Pending::EnchantedLink, body.token.secret())?;
    Ok(Json(serde_json::json!({})))
}

/// Completes the flow `token` belongs to (a clicked link, a sent nOTP message): the user is
/// created (sign-up) or updated, and the pending reference is marked verified.
pub(super) fn complete(project: &Project, which: Pending, token: &str) -> Result<(), ApiError> {
    let now = project.now();
    let mut st = project.lock();
    st.sweep(now);
    // Single use: taken out whatever happens next.
    let link = which
        .store(&mut st)
        .tokens
        .remove(token)
        .filter(|l| l.exp > now)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::MagicLinkNotFound,
                "Enchanted link token not found",
                "The link is unknown, expired or already used",
            )
        })?;
    let pending = which
        .store(&mut st)
        .pending
        .get(&link.pending_ref)
        .filter(|p| p.exp > now)
        .cloned()
        .ok_or_else(|| link_expired("The sign-in this link belongs to expired"))?;
    let user_id = match &pending.purpose {
        EnchantedPurpose::SignIn { signup } => match st.user_id_by_login(&pending.login_id) {
            Some(id) => id,
            None => {
                let Some(details) = signup else {
                    return Err(ApiError::user_not_found());
                };
                let mut user = User::new(&pending.login_id, None, now);
                user.name = details.name.clone();
                user.given_name = details.given_name.clone();
                user.middle_name = details.middle_name.clone();
                user.family_name = details.family_name.clone();
                user.email = details.email.clone().or(user.email);
                // nOTP's login id is the WhatsApp number the message came from.
                user.phone = details
                    .phone
                    .clone()
                    .or_else(|| (which == Pending::Notp).then(|| pending.login_id.clone()));
                let id = user.user_id.clone();
                st.insert_user(user);
                id
            }
        },
        EnchantedPurpose::Update {
            email,
            phone,
            add_to_login_ids,
        } => {
            let id = st
                .user_id_by_login(&pending.login_id)
                .ok_or_else(ApiError::user_not_found)?;
            let mut user = st.user(&id).cloned().ok_or_else(ApiError::user_not_found)?;
            if let Some(email) = email {
                user.email = Some(email.clone());
            }
            if let Some(phone) = phone {
                user.phone = Some(phone.clone());
            }
            let new_login = email.as_ref().or(phone.as_ref());
            if let Some(login) = new_login.filter(|_| *add_to_login_ids) {
                if st.user_id_by_login(login).is_some_and(|other| other != id) {
                    return Err(user_exists());
                }
                if !user.login_ids.iter().any(|l| l.eq_ignore_ascii_case(login)) {
                    user.login_ids.push(login.clone());
                }
            }
            st.insert_user(user);
            id
        }
    };
    if let Some(p) = which.store(&mut st).pending.get_mut(&link.pending_ref) {
        p.verified_user = Some(user_id);
    }
    Ok(())
}

pub(super) async fn pending_session(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<EnchantedLinkPendingSessionRequest>,
) -> Result<Response, ApiError> {
    collect_session(&auth, ip, Pending::EnchantedLink, &body.pending_ref)
}

/// Hands out the session of a completed flow, once; 401 `E062503` while pending.
pub(super) fn collect_session(
    auth: &Auth,
    ip: String,
    which: Pending,
    pending_ref: &PendingRef,
) -> Result<Response, ApiError> {
    let key = pending_ref.secret();
    if key.is_empty() {
        return Err(ApiError::missing_field("pendingRef"));
    }
    let project = &auth.project;
    let now = project.now();
    let pending = {
        let mut st = project.lock();
        st.sweep(now);
        let store = which.store(&mut st);
        let Some(pending) = store.pending.get(key).filter(|p| p.exp > now) else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MagicLinkExpired,
                "Enchanted link expired",
                "The pending reference is unknown, expired or already used",
            ));
        };
        if pending.verified_user.is_none() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::EnchantedLinkPending,
                "Enchanted link pending",
                "The link was not clicked yet",
            ));
        }
        // The session is handed out once.
        store
            .pending
            .remove(key)
            .ok_or_else(|| ApiError::internal("pending reference vanished"))?
    };
    let user_id = pending
        .verified_user
        .ok_or_else(|| ApiError::internal("pending reference not verified"))?;
    let amr = match pending.prior {
        Some(prior) => prior.amr,
        None => Vec::new(),
    };
    let grant = Grant {
        user_id,
        amr: with_method(amr, which.amr()),
        dct: pending.dct,
        custom_claims: pending.custom_claims,
        ip,
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}

/// Checks the refresh token belongs to the login id's user; returns the prior session.
fn signed_in_user(auth: &Auth, login_id: &str) -> Result<crate::project::Prior, ApiError> {
    let prior = prior_session(auth, &LoginOptions::default(), true)?
        .ok_or_else(|| ApiError::missing_bearer("This call needs the refresh token"))?;
    let user_id = auth
        .project
        .lock()
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if user_id != prior.user_id {
        return Err(ApiError::invalid_token(
            "the refresh token belongs to another user",
        ));
    }
    Ok(prior)
}

pub(super) async fn update_email(
    auth: Auth,
    JsonBody(body): JsonBody<EnchantedLinkUpdateEmailRequest>,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    let login_id = body.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let email = body.email.trim();
    if email.is_empty() {
        return Err(ApiError::missing_field("email"));
    }
    if !email.contains('@') {
        return Err(ApiError::invalid_argument("The email address is not valid"));
    }
    let prior = signed_in_user(&auth, login_id)?;
    let pending = PendingEnchanted {
        purpose: EnchantedPurpose::Update {
            email: Some(email.to_owned()),
            phone: None,
            add_to_login_ids: body.add_to_login_ids == Some(true),
        },
        login_id: login_id.to_owned(),
        prior: Some(prior),
        custom_claims: Default::default(),
        dct: None,
        verified_user: None,
        exp: 0,
    };
    let uri = body.uri.unwrap_or_default();
    send_link(&auth.project, pending, Channel::Email, email, &uri)
}

pub(super) async fn update_phone(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<EnchantedLinkUpdatePhoneRequest>,
) -> Result<Json<EnchantedLinkResponse>, ApiError> {
    let channel = channel(&method)?;
    let login_id = body.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let phone = body.phone.trim();
    if phone.is_empty() {
        return Err(ApiError::missing_field("phone"));
    }
    let prior = signed_in_user(&auth, login_id)?;
    let pending = PendingEnchanted {
        purpose: EnchantedPurpose::Update {
            email: None,
            phone: Some(phone.to_owned()),
            add_to_login_ids: body.add_to_login_ids == Some(true),
        },
        login_id: login_id.to_owned(),
        prior: Some(prior),
        custom_claims: Default::default(),
        dct: None,
        verified_user: None,
        exp: 0,
    };
    let uri = body.uri.unwrap_or_default();
    send_link(&auth.project, pending, channel, phone, &uri)
}
