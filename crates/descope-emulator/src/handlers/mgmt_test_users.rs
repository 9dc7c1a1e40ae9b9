//! Management: invitations, batch creation, the test-user generators and embedded links.
//!
//! Every code and link handed out here is issued by the sign-in methods' own functions, so
//! it is the one the outbox holds and the one their verify calls accept: a generated OTP
//! verifies with `/v1/auth/otp/verify/*`, a magic link, an invitation or an embedded-link
//! token with `/v1/auth/magiclink/verify`, an enchanted link with
//! `/v1/auth/enchantedlink/verify` then `pending-session`.

use axum::Json;
use descope_types::{
    InviteOptions, MgmtEmbeddedLinkRequest, MgmtTestEnchantedLinkRequest, MgmtTestMagicLinkRequest,
    MgmtTestOtpRequest, MgmtUserBatchRequest, MgmtUserInviteRequest,
};
use serde_json::{Map, Value, json};

use super::check_selected_tenant;
use super::management::{self, Mgmt, required};
use super::{enchantedlink, magiclink, otp};
use crate::api_error::ApiError;
use crate::extract::JsonBody;
use crate::project::{
    Channel, EnchantedPurpose, LinkPurpose, MessageKind, OTP_TTL_SECONDS, OtpPurpose,
    PasswordState, PendingEnchanted, PendingLink, PendingOtp, Project, State, User, new_code,
};
use crate::random;

/// The test user `login_id` names: 404-like for an unknown one, 400 for a user that is not
/// a test user (the generators are for test users only; see docs/spec-notes.md).
fn test_user<'s>(st: &'s State, login_id: &str) -> Result<&'s User, ApiError> {
    let user_id = st
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    let user = st
        .user(&user_id)
        .ok_or_else(ApiError::mgmt_user_not_found)?;
    if !user.managed.test {
        return Err(ApiError::invalid_argument(
            "The user is not a test user (create it with /v1/mgmt/user/create/test)",
        ));
    }
    Ok(user)
}

/// A sign-in link purpose with no prior session.
fn sign_in(custom_claims: Map<String, Value>, dct: Option<String>) -> LinkPurpose {
    LinkPurpose::SignIn {
        prior: None,
        custom_claims,
        dct,
    }
}

/// Sends `login_id`'s invitation: a sign-in link by email (unless `sendMail: false`) and by
/// SMS when `sendSMS: true`, each with its own one-time token, to the addresses the user has.
fn send_invites(
    project: &Project,
    login_id: &str,
    options: &InviteOptions,
) -> Result<(), ApiError> {
    let (email, phone) = {
        let st = project.lock();
        let user = st
            .user_id_by_login(login_id)
            .and_then(|id| st.user(&id).cloned())
            .ok_or_else(ApiError::mgmt_user_not_found)?;
        let email = user
            .email
            .or_else(|| login_id.contains('@').then(|| login_id.to_owned()));
        let phone = user
            .phone
            .or_else(|| (!login_id.contains('@')).then(|| login_id.to_owned()));
        (email, phone)
    };
    let url = options.invite_url.as_deref();
    let by_mail = options.send_mail.unwrap_or(true);
    let by_sms = options.send_sms.unwrap_or(false);
    for (wanted, channel, to) in [
        (by_mail, Channel::Email, email),
        (by_sms, Channel::Sms, phone),
    ] {
        if let (true, Some(to)) = (wanted, to.filter(|a| !a.trim().is_empty())) {
            let purpose = sign_in(Map::new(), None);
            magiclink::issue_link(
                project,
                MessageKind::Invite,
                channel,
                login_id,
                &to,
                url,
                purpose,
            )?;
        }
    }
    Ok(())
}

/// `POST /v1/mgmt/user/create`: a plain create, or, with `invite: true`, a create that
/// sends an invitation.
pub(super) async fn create_or_invite(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserInviteRequest>,
) -> Result<Json<Value>, ApiError> {
    let invite = body.user.invite;
    let login_id = body.user.login_id.trim().to_owned();
    let answer = management::create(Mgmt(project.clone()), JsonBody(body.user)).await?;
    if invite {
        send_invites(&project, &login_id, &body.options)?;
    }
    Ok(answer)
}

/// `POST /v1/mgmt/user/create/batch`: creates each user on its own; the ones refused are
/// listed in `failedUsers` with the reason, the others in `createdUsers`.
pub(super) async fn create_batch(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtUserBatchRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut created = Vec::new();
    let mut failed = Vec::new();
    for batch_user in body.users {
        let login_id = batch_user.user.login_id.trim().to_owned();
        let password = match batch_user.password.and_then(|p| p.cleartext) {
            Some(p) if !p.is_empty() => Some(
                PasswordState::new(p.secret())
                    .map_err(|_| ApiError::internal("password hashing failed"))?,
            ),
            _ => None,
        };
        let mut user = batch_user.user;
        // The batch's flag decides; a user's own `invite` is not part of the batch shape.
        user.invite = false;
        match management::create(Mgmt(project.clone()), JsonBody(user)).await {
            Ok(Json(mut answer)) => {
                if let Some(password) = password {
                    let mut st = project.lock();
                    if let Some(id) = st.user_id_by_login(&login_id)
                        && let Some(stored) = st.user_mut(&id)
                    {
                        stored.password = Some(password);
                    }
                }
                if body.invite {
                    send_invites(&project, &login_id, &body.options)?;
                }
                created.push(answer["user"].take());
            }
            Err(e) => failed.push(json!({
                "failure": e.body().error_description,
                "user": { "loginIds": [login_id] },
            })),
        }
    }
    Ok(Json(
        json!({ "createdUsers": created, "failedUsers": failed }),
    ))
}

/// `POST /v1/mgmt/tests/generate/otp`: a pending code for the test user, exactly as an OTP
/// sign-in would leave it (and in the outbox), answered as `{code, loginId}`.
pub(super) async fn generate_otp(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTestOtpRequest>,
) -> Result<Json<Value>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.to_owned();
    let method = body.delivery_method;
    otp::channel(method)?;
    let options = body.login_options.unwrap_or_default();
    let now = project.now();
    let code = new_code(random::bytes::<8>()?);
    let mut st = project.lock();
    st.sweep(now);
    let to = otp::user_address(test_user(&st, &login_id)?, method, &login_id);
    check_selected_tenant(&st, None, &login_id, options.tenant_id.as_deref(), None)?;
    let pending = PendingOtp {
        code: code.clone(),
        method,
        purpose: OtpPurpose::SignIn,
        prior: None,
        custom_claims: options.custom_claims.unwrap_or_default(),
        dct: options.tenant_id,
        failures: 0,
        exp: now.saturating_add(OTP_TTL_SECONDS),
    };
    otp::send_code(&mut st, &login_id, &to, pending, now)?;
    Ok(Json(json!({ "code": code, "loginId": login_id })))
}

/// `POST /v1/mgmt/tests/generate/magiclink`: a magic link for the test user (also in the
/// outbox), answered as `{link, loginId}`.
pub(super) async fn generate_magic_link(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTestMagicLinkRequest>,
) -> Result<Json<Value>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.to_owned();
    let channel = magiclink::channel(body.delivery_method.as_str())?;
    let options = body.login_options.unwrap_or_default();
    let to = {
        let st = project.lock();
        let user = test_user(&st, &login_id)?;
        check_selected_tenant(&st, None, &login_id, options.tenant_id.as_deref(), None)?;
        magiclink::address(channel, None, Some(user), &login_id)?
    };
    let purpose = magiclink::sign_in_purpose(&options, None);
    let link = magiclink::issue_link(
        &project,
        MessageKind::MagicLink,
        channel,
        &login_id,
        &to,
        body.uri.as_deref(),
        purpose,
    )?;
    Ok(Json(json!({ "link": link, "loginId": login_id })))
}

/// `POST /v1/mgmt/tests/generate/enchantedlink`: an enchanted link for the test user (also
/// in the outbox), answered as `{link, loginId, pendingRef}`.
pub(super) async fn generate_enchanted_link(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtTestEnchantedLinkRequest>,
) -> Result<Json<Value>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.to_owned();
    let options = body.login_options.unwrap_or_default();
    {
        let st = project.lock();
        test_user(&st, &login_id)?;
        check_selected_tenant(&st, None, &login_id, options.tenant_id.as_deref(), None)?;
    }
    let to = enchantedlink::address_of(&project, &login_id, Channel::Email);
    let pending = PendingEnchanted {
        purpose: EnchantedPurpose::SignIn { signup: None },
        login_id: login_id.clone(),
        prior: None,
        custom_claims: options.custom_claims.unwrap_or_default(),
        dct: options.tenant_id,
        verified_user: None,
        exp: 0,
    };
    let uri = body.uri.unwrap_or_default();
    let (answer, link) = enchantedlink::issue_link(&project, pending, Channel::Email, &to, &uri)?;
    Ok(Json(json!({
        "link": link,
        "loginId": login_id,
        "pendingRef": answer.pending_ref.secret(),
    })))
}

/// `POST /v1/mgmt/user/signin/embeddedlink`: a magic-link token for any existing user, not
/// sent anywhere, answered as `{token}`; `timeout` (seconds, 0 = the configured magic link
/// lifetime) bounds when it can be verified.
pub(super) async fn embedded_link(
    Mgmt(project): Mgmt,
    JsonBody(body): JsonBody<MgmtEmbeddedLinkRequest>,
) -> Result<Json<Value>, ApiError> {
    let login_id = required(&body.login_id, "loginId")?.to_owned();
    let token = random::token("ml_")?;
    let now = project.now();
    let ttl = match body.timeout {
        Some(seconds) if seconds > 0 => seconds,
        _ => project.config.magic_link_ttl_seconds,
    };
    let ttl = i64::try_from(ttl).unwrap_or(i64::MAX);
    let mut st = project.lock();
    st.sweep(now);
    management::existing(&st, &login_id)?;
    st.links.insert(
        token.clone(),
        PendingLink {
            login_id,
            purpose: sign_in(body.custom_claims.unwrap_or_default(), None),
            expires_at: now.saturating_add(ttl),
        },
    );
    Ok(Json(json!({ "token": token })))
}
