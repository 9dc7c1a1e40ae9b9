//! OTP: sign-up, sign-in and sign-up-or-in send a code to the outbox; verify spends it and
//! signs in; update email/phone send a code to the new address of a signed-in user.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use descope_types::{
    DeliveryMethod, ErrorCode, LoginOptions, MaskedAddressResponse, OtpSignInRequest,
    OtpSignUpRequest, OtpUpdateEmailRequest, OtpUpdatePhoneRequest, OtpVerifyRequest, SignUpUser,
};
use http::StatusCode;

use super::redirect::prior_session;
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{
    AddressUpdate, Channel, Grant, Message, MessageKind, OTP_MAX_FAILURES, OTP_TTL_SECONDS,
    OtpPurpose, PendingOtp, Prior, State, User, masked_answer, new_code, otp_key, with_method,
};
use crate::random;

fn delivery_method(name: &str) -> Result<DeliveryMethod, ApiError> {
    name.parse::<DeliveryMethod>()
        .map_err(|_| ApiError::invalid_argument("Unknown delivery method"))
}

pub(super) fn channel(method: DeliveryMethod) -> Result<Channel, ApiError> {
    Channel::from_method(method.as_str())
        .ok_or_else(|| ApiError::invalid_argument("Unsupported delivery method"))
}

fn other_user() -> ApiError {
    ApiError::invalid_token("the refresh token belongs to another user")
}

/// `{maskedEmail}` or `{maskedPhone}`, as the method decides.
fn masked(method: DeliveryMethod, address: &str) -> Json<MaskedAddressResponse> {
    let channel = if method.is_phone() {
        Channel::Sms
    } else {
        Channel::Email
    };
    Json(masked_answer(channel, address))
}

/// Checks an address for its method: an email address must look like one.
fn check_address(method: DeliveryMethod, address: &str) -> Result<(), ApiError> {
    if address.trim().is_empty() {
        return Err(ApiError::missing_field(if method.is_phone() {
            "phone"
        } else {
            "email"
        }));
    }
    if !method.is_phone() && !address.contains('@') {
        return Err(ApiError::invalid_argument("The email address is not valid"));
    }
    Ok(())
}

/// Where a code for an existing user goes: its email (or phone), else the login id.
pub(super) fn user_address(user: &User, method: DeliveryMethod, login_id: &str) -> String {
    let own = if method.is_phone() {
        user.phone.as_deref()
    } else {
        user.email.as_deref()
    };
    own.filter(|a| !a.trim().is_empty())
        .unwrap_or(login_id)
        .to_owned()
}

/// What a start call sends a code for.
struct Start {
    method: DeliveryMethod,
    login_id: String,
    options: LoginOptions,
    /// `None`: sign in only; `Some(user)`: sign up (`create_only`: refuse existing users).
    sign_up: Option<(SignUpUser, Option<String>)>,
    create_only: bool,
}

/// Records a new code for `login_id` (replacing any pending one) and puts it in the outbox.
pub(super) fn send_code(
    st: &mut State,
    login_id: &str,
    to: &str,
    pending: PendingOtp,
    now: i64,
) -> Result<(), ApiError> {
    let mut message = Message::new(
        MessageKind::Otp,
        channel(pending.method)?,
        login_id,
        to,
        now,
    );
    message.code = Some(pending.code.clone());
    st.otp_codes.insert(otp_key(login_id), pending);
    st.outbox.push(message);
    Ok(())
}

fn start(auth: &Auth, req: Start) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let login_id = req.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    channel(req.method)?;
    let prior = prior_session(auth, &req.options, false)?;
    let project = &auth.project;
    let now = project.now();
    let code = new_code(random::bytes::<8>()?);
    let mut st = project.lock();
    st.sweep(now);
    let existing = st.user_id_by_login(login_id);
    let (purpose, to) = match (&existing, req.sign_up) {
        (Some(_), Some(_)) if req.create_only => return Err(ApiError::user_already_exists()),
        (Some(user_id), _) => {
            let user = st.user(user_id).ok_or_else(ApiError::user_not_found)?;
            (OtpPurpose::SignIn, user_address(user, req.method, login_id))
        }
        (None, None) => return Err(ApiError::user_not_found()),
        (None, Some((details, address))) => {
            let own = if req.method.is_phone() {
                details.phone.clone()
            } else {
                details.email.clone()
            };
            let to = address
                .or(own)
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| login_id.to_owned());
            (OtpPurpose::SignUp(Box::new(details)), to)
        }
    };
    check_address(req.method, &to)?;
    if let Some(prior) = &prior
        && existing.as_deref() != Some(prior.user_id.as_str())
    {
        return Err(other_user());
    }
    check_selected_tenant(
        &st,
        prior.as_ref(),
        login_id,
        req.options.tenant_id.as_deref(),
        None,
    )?;
    let pending = PendingOtp {
        code,
        method: req.method,
        purpose,
        prior,
        custom_claims: req.options.custom_claims.unwrap_or_default(),
        dct: req.options.tenant_id,
        failures: 0,
        exp: now.saturating_add(OTP_TTL_SECONDS),
    };
    send_code(&mut st, login_id, &to, pending, now)?;
    Ok(masked(req.method, &to))
}

pub(super) async fn signup(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<OtpSignUpRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let method = delivery_method(&method)?;
    let address = body.address(method).map(str::to_owned);
    start(
        &auth,
        Start {
            method,
            login_id: body.login_id,
            options: body.login_options.unwrap_or_default(),
            sign_up: Some((body.user.unwrap_or_default(), address)),
            create_only: true,
        },
    )
}

pub(super) async fn signin(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<OtpSignInRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    start(
        &auth,
        Start {
            method: delivery_method(&method)?,
            login_id: body.login_id,
            options: body.login_options,
            sign_up: None,
            create_only: false,
        },
    )
}

pub(super) async fn signup_in(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<OtpSignInRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    start(
        &auth,
        Start {
            method: delivery_method(&method)?,
            login_id: body.login_id,
            options: body.login_options,
            sign_up: Some((SignUpUser::default(), None)),
            create_only: false,
        },
    )
}

/// What an address update asks for, from either body.
struct Update {
    method: DeliveryMethod,
    login_id: String,
    address: String,
    add_to_login_ids: bool,
    on_merge_use_existing: bool,
}

/// Refuses a new login id that is already another user's, unless merging was asked for (the
/// emulator does not merge users: it then sets the address without adding the login id).
fn login_id_free(st: &State, user_id: &str, update: &AddressUpdate) -> Result<bool, ApiError> {
    if !update.add_to_login_ids {
        return Ok(false);
    }
    match st.user_id_by_login(&update.address) {
        Some(owner) if owner != user_id => {
            if update.on_merge_use_existing {
                Ok(false)
            } else {
                Err(ApiError::user_already_exists())
            }
        }
        Some(_) => Ok(false),
        None => Ok(true),
    }
}

fn update(auth: &Auth, update: Update) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let login_id = update.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    check_address(update.method, &update.address)?;
    channel(update.method)?;
    let project = &auth.project;
    let (_, session) = project.refresh_session(auth.token()?)?;
    let now = project.now();
    let code = new_code(random::bytes::<8>()?);
    let address = update.address.trim().to_owned();
    let mut st = project.lock();
    st.sweep(now);
    let user_id = st
        .user_id_by_login(login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if user_id != session.user_id {
        return Err(other_user());
    }
    let change = AddressUpdate {
        address: address.clone(),
        email: !update.method.is_phone(),
        add_to_login_ids: update.add_to_login_ids,
        on_merge_use_existing: update.on_merge_use_existing,
    };
    login_id_free(&st, &user_id, &change)?;
    let pending = PendingOtp {
        code,
        method: update.method,
        purpose: OtpPurpose::Update(Box::new(change)),
        prior: Some(Prior {
            user_id,
            amr: session.amr,
        }),
        custom_claims: session.custom_claims,
        dct: session.dct,
        failures: 0,
        exp: now.saturating_add(OTP_TTL_SECONDS),
    };
    send_code(&mut st, login_id, &address, pending, now)?;
    Ok(masked(update.method, &address))
}

pub(super) async fn update_email(
    auth: Auth,
    JsonBody(body): JsonBody<OtpUpdateEmailRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    update(
        &auth,
        Update {
            method: DeliveryMethod::Email,
            login_id: body.login_id,
            address: body.email,
            add_to_login_ids: body.add_to_login_ids.unwrap_or(false),
            on_merge_use_existing: body.on_merge_use_existing.unwrap_or(false),
        },
    )
}

pub(super) async fn update_phone(
    auth: Auth,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<OtpUpdatePhoneRequest>,
) -> Result<Json<MaskedAddressResponse>, ApiError> {
    let method = delivery_method(&method)?;
    if !method.is_phone() {
        return Err(ApiError::invalid_argument(
            "A phone update needs a phone delivery method",
        ));
    }
    update(
        &auth,
        Update {
            method,
            login_id: body.login_id,
            address: body.phone,
            add_to_login_ids: body.add_to_login_ids.unwrap_or(false),
            on_merge_use_existing: body.on_merge_use_existing.unwrap_or(false),
        },
    )
}

/// Checks `code` against the pending one of `login_id` and takes it (single use). Wrong
/// codes count; the last allowed one burns the pending code.
fn take_pending(
    st: &mut State,
    login_id: &str,
    code: &str,
    now: i64,
) -> Result<PendingOtp, ApiError> {
    let key = otp_key(login_id);
    let pending = st
        .otp_codes
        .get_mut(&key)
        .ok_or(ApiError::wrong_code("No code is pending for this login id"))?;
    if pending.exp <= now {
        st.otp_codes.remove(&key);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::OtpCodeExpired,
            "Code expired",
            "The code has expired; ask for a new one",
        ));
    }
    if verify_slices_are_equal(pending.code.as_bytes(), code.trim().as_bytes()).is_err() {
        pending.failures += 1;
        if pending.failures >= OTP_MAX_FAILURES {
            st.otp_codes.remove(&key);
            return Err(ApiError::too_many_attempts(
                "Too many wrong codes; ask for a new one",
            ));
        }
        return Err(ApiError::wrong_code("The code is wrong"));
    }
    st.otp_codes
        .remove(&key)
        .ok_or(ApiError::wrong_code("No code is pending for this login id"))
}

/// Does what the code was for; returns the user to sign in.
fn apply(
    st: &mut State,
    login_id: &str,
    pending: &mut PendingOtp,
    now: i64,
) -> Result<String, ApiError> {
    match &mut pending.purpose {
        OtpPurpose::SignIn => st
            .user_id_by_login(login_id)
            .ok_or_else(ApiError::user_not_found),
        OtpPurpose::SignUp(details) => {
            if st.user_id_by_login(login_id).is_some() {
                return Err(ApiError::user_already_exists());
            }
            let details = std::mem::take(&mut **details);
            let mut user = User::new(login_id, None, now);
            user.name = details.name;
            user.given_name = details.given_name;
            user.middle_name = details.middle_name;
            user.family_name = details.family_name;
            user.email = details.email.or(user.email);
            user.phone = details
                .phone
                .or_else(|| pending.method.is_phone().then(|| login_id.to_owned()));
            let user_id = user.user_id.clone();
            st.insert_user(user);
            Ok(user_id)
        }
        OtpPurpose::Update(change) => {
            let user_id = st
                .user_id_by_login(login_id)
                .ok_or_else(ApiError::user_not_found)?;
            let add = login_id_free(st, &user_id, change)?;
            let mut user = st
                .user(&user_id)
                .cloned()
                .ok_or_else(ApiError::user_not_found)?;
            if change.email {
                user.email = Some(change.address.clone());
            } else {
                user.phone = Some(change.address.clone());
            }
            if add {
                user.login_ids.push(change.address.clone());
            }
            // Re-inserting maps every login id, the new one included.
            st.insert_user(user);
            Ok(user_id)
        }
    }
}

pub(super) async fn verify(
    auth: Auth,
    ClientIp(ip): ClientIp,
    Path(method): Path<String>,
    JsonBody(body): JsonBody<OtpVerifyRequest>,
) -> Result<Response, ApiError> {
    // The method in the path is not matched against the one the code went by (spec-notes).
    delivery_method(&method)?;
    let login_id = body.login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    if body.code.secret().trim().is_empty() {
        return Err(ApiError::missing_field("code"));
    }
    let project = &auth.project;
    let now = project.now();
    let (user_id, pending) = {
        let mut st = project.lock();
        let mut pending = take_pending(&mut st, login_id, body.code.secret(), now)?;
        let user_id = apply(&mut st, login_id, &mut pending, now)?;
        (user_id, pending)
    };
    let amr = match pending.prior {
        Some(prior) if prior.user_id != user_id => return Err(other_user()),
        Some(prior) => prior.amr,
        None => Vec::new(),
    };
    let grant = Grant {
        user_id,
        amr: with_method(amr, "otp"),
        dct: pending.dct,
        custom_claims: pending.custom_claims,
        ip,
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}
