//! WebAuthn (passkeys) as a real relying party: sign-up, sign-in, sign-up-or-in and update,
//! each a start (options with a fresh challenge) and a finish (the browser's credential,
//! verified by webauthn-rs: signature, challenge, origin, RP id hash, user verification,
//! sign counter).

use std::time::Duration;

use axum::Json;
use axum::response::{IntoResponse, Response};
use descope_types::{
    ErrorCode, LoginOptions, SignUpUser, WebAuthnFinishRequest, WebAuthnSignInStartRequest,
    WebAuthnSignUpStartRequest, WebAuthnStartResponse, WebAuthnTransactionId,
    WebAuthnUpdateStartRequest,
};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};
use webauthn_rs::prelude::{
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
    WebauthnError,
};

use super::redirect::prior_session;
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::config::WebAuthnConfig;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{
    Ceremony, Grant, MAX_CREDENTIALS, Prior, Project, Purpose, State, StoredPasskey, Transaction,
    User, with_method,
};
use crate::random;

/// The `amr` entry of a passkey.
const AMR: &str = "webauthn";

fn not_allowed(message: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidArguments,
        "WebAuthn verification failed",
        message,
    )
}

fn counter_went_back() -> ApiError {
    not_allowed("The sign counter went backwards: the authenticator may be cloned")
}

fn unknown_transaction() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidArguments,
        "WebAuthn transaction not found",
        "The transaction is unknown, expired or already used",
    )
}

fn rp_failure() -> ApiError {
    ApiError::internal("The WebAuthn relying party could not be set up")
}

/// The origin a ceremony runs for, checked against the RP settings (the default origin
/// when the start sent none), in its serialized form (`scheme://host[:port]`).
fn allowed_origin(config: &WebAuthnConfig, origin: &str) -> Result<Url, ApiError> {
    let origin = match origin.trim() {
        "" => config.origin.as_str(),
        given => given,
    };
    let url = Url::parse(origin)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ApiError::invalid_argument("The origin is not an http(s) origin"))?;
    let same = |o: &str| Url::parse(o).is_ok_and(|o| o.origin() == url.origin());
    let rp_id = config.rp_id.as_str();
    let on_rp = url
        .domain()
        .is_some_and(|d| d == rp_id || d.ends_with(&format!(".{rp_id}")));
    let allowed = same(&config.origin)
        || config.extra_origins.iter().any(|o| same(o))
        || (on_rp && url.scheme() == "https")
        || (rp_id == "localhost" && url.domain() == Some("localhost"));
    if !allowed {
        return Err(ApiError::invalid_argument(
            "The origin is not allowed for this project's passkeys",
        ));
    }
    Url::parse(&url.origin().ascii_serialization()).map_err(|_| rp_failure())
}

/// The relying party for one ceremony: the configured RP, accepting `origin`.
fn relying_party(project: &Project, origin: &str) -> Result<Webauthn, ApiError> {
    let config = &project.config.webauthn;
    let default = Url::parse(&config.origin).map_err(|_| rp_failure())?;
    let origin = Url::parse(origin).map_err(|_| rp_failure())?;
    WebauthnBuilder::new(&config.rp_id, &default)
        .map_err(|_| rp_failure())?
        .rp_name(&config.rp_name)
        .append_allowed_origin(&origin)
        .timeout(Duration::from_secs(project.config.code_ttl_seconds))
        .build()
        .map_err(|_| rp_failure())
}

/// The WebAuthn user handle of a user: stable, derived from the user id.
fn user_handle(user_id: &str) -> Uuid {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, user_id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash.as_ref()[..16]);
    Uuid::from_bytes(bytes)
}

/// Stores a started ceremony and answers `{transactionId, options, create}`.
fn answer(
    project: &Project,
    st: &mut State,
    options: &impl Serialize,
    transaction: Transaction,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    let options = serde_json::to_string(options).map_err(|_| rp_failure())?;
    let id = random::token("wa_")?;
    let create = matches!(transaction.ceremony, Ceremony::Register(_));
    st.sweep(project.now());
    st.webauthn.transactions.insert(id.clone(), transaction);
    Ok(Json(WebAuthnStartResponse {
        transaction_id: WebAuthnTransactionId::new(id),
        options,
        create,
    }))
}

/// Options are checked here, not at finish: a tenant the user is not in is refused early.
struct Context {
    origin: Url,
    rp: Webauthn,
    prior: Option<Prior>,
    options: LoginOptions,
    exp: i64,
}

fn context(
    auth: &Auth,
    origin: &str,
    options: Option<LoginOptions>,
    require_prior: bool,
) -> Result<Context, ApiError> {
    let project = &auth.project;
    let options = options.unwrap_or_default();
    let origin = allowed_origin(&project.config.webauthn, origin)?;
    let rp = relying_party(project, origin.as_str())?;
    let prior = prior_session(auth, &options, require_prior)?;
    let ttl = i64::try_from(project.config.code_ttl_seconds).unwrap_or(i64::MAX);
    Ok(Context {
        origin,
        rp,
        prior,
        options,
        exp: project.now().saturating_add(ttl),
    })
}

fn transaction(ctx: Context, purpose: Purpose, ceremony: Ceremony) -> Transaction {
    Transaction {
        purpose,
        ceremony,
        origin: ctx.origin.origin().ascii_serialization(),
        prior: ctx.prior,
        custom_claims: ctx.options.custom_claims.unwrap_or_default(),
        dct: ctx.options.tenant_id,
        exp: ctx.exp,
    }
}

/// A registration for `user` (new or existing), excluding the passkeys it already has.
fn register(
    ctx: Context,
    user: &User,
    purpose: Purpose,
    project: &Project,
    st: &mut State,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    if user.passkeys.len() >= project.config.webauthn.max_passkeys_per_user {
        return Err(ApiError::invalid_argument(
            "The user has as many passkeys as allowed",
        ));
    }
    let exclude: Vec<_> = user
        .passkeys
        .iter()
        .map(|p| p.passkey.cred_id().clone())
        .collect();
    let name = user.login_id().to_owned();
    let display = user.name.clone().unwrap_or_else(|| name.clone());
    let (options, state) = ctx
        .rp
        .start_passkey_registration(
            user_handle(&user.user_id),
            &name,
            &display,
            (!exclude.is_empty()).then_some(exclude),
        )
        .map_err(|_| rp_failure())?;
    let ceremony = Ceremony::Register(Box::new(state));
    answer(project, st, &options, transaction(ctx, purpose, ceremony))
}

/// An authentication with the passkeys of `user_id`.
fn authenticate(
    ctx: Context,
    user_id: String,
    project: &Project,
    st: &mut State,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    let user = st.user(&user_id).ok_or_else(ApiError::user_not_found)?;
    if user.passkeys.is_empty() {
        return Err(ApiError::invalid_argument(
            "The user has no passkey; sign up or add one first",
        ));
    }
    let passkeys: Vec<_> = user.passkeys.iter().map(|p| p.passkey.clone()).collect();
    let (options, state) = ctx
        .rp
        .start_passkey_authentication(&passkeys)
        .map_err(|_| rp_failure())?;
    let ceremony = Ceremony::Authenticate(Box::new(state));
    let purpose = Purpose::SignIn { user_id };
    answer(project, st, &options, transaction(ctx, purpose, ceremony))
}

pub(super) async fn signup_start(
    auth: Auth,
    JsonBody(body): JsonBody<WebAuthnSignUpStartRequest>,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    let login_id = match body.user.login_id.trim() {
        "" => body.login_id.as_deref().unwrap_or_default().trim(),
        given => given,
    }
    .to_owned();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let ctx = context(&auth, &body.origin, body.login_options, false)?;
    let project = &auth.project;
    let mut st = project.lock();
    if st.user_id_by_login(&login_id).is_some() {
        return Err(user_exists());
    }
    check_selected_tenant(&st, None, &login_id, ctx.options.tenant_id.as_deref(), None)?;
    let mut user = User::new(&login_id, None, project.now());
    user.name = body.user.details.name.clone();
    let purpose = Purpose::SignUp {
        login_id,
        details: Some(body.user.details),
    };
    register(ctx, &user, purpose, project, &mut st)
}

fn user_exists() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::UserAlreadyExists,
        "User already exists",
        "A user with this login id already exists",
    )
}

pub(super) async fn signin_start(
    auth: Auth,
    JsonBody(body): JsonBody<WebAuthnSignInStartRequest>,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    let login_id = body.login_id.trim().to_owned();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let ctx = context(&auth, &body.origin, body.login_options, false)?;
    let project = &auth.project;
    let mut st = project.lock();
    let user_id = st
        .user_id_by_login(&login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if let Some(prior) = &ctx.prior
        && prior.user_id != user_id
    {
        return Err(ApiError::invalid_token(
            "the refresh token belongs to another user",
        ));
    }
    check_selected_tenant(
        &st,
        ctx.prior.as_ref(),
        &login_id,
        ctx.options.tenant_id.as_deref(),
        None,
    )?;
    authenticate(ctx, user_id, project, &mut st)
}

pub(super) async fn signup_in_start(
    auth: Auth,
    JsonBody(body): JsonBody<WebAuthnSignInStartRequest>,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    let login_id = body.login_id.trim().to_owned();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let ctx = context(&auth, &body.origin, body.login_options, false)?;
    let project = &auth.project;
    let mut st = project.lock();
    check_selected_tenant(
        &st,
        ctx.prior.as_ref(),
        &login_id,
        ctx.options.tenant_id.as_deref(),
        None,
    )?;
    match st.user_id_by_login(&login_id) {
        // An existing user without a passkey is not given one here: that would let anyone
        // add a credential to an account they cannot sign in to (update is for that).
        Some(user_id) => authenticate(ctx, user_id, project, &mut st),
        None => {
            let user = User::new(&login_id, None, project.now());
            let purpose = Purpose::SignUp {
                login_id,
                details: None,
            };
            register(ctx, &user, purpose, project, &mut st)
        }
    }
}

pub(super) async fn update_start(
    auth: Auth,
    JsonBody(body): JsonBody<WebAuthnUpdateStartRequest>,
) -> Result<Json<WebAuthnStartResponse>, ApiError> {
    let login_id = body.login_id.trim().to_owned();
    if login_id.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    let mut options = body.login_options.unwrap_or_default();
    let mfa = body.mfa == Some(true) || options.mfa == Some(true) || options.stepup == Some(true);
    // The refresh token is required whatever the options say.
    options.stepup = None;
    options.mfa = None;
    let ctx = context(&auth, &body.origin, Some(options), true)?;
    let project = &auth.project;
    let mut st = project.lock();
    let user_id = st
        .user_id_by_login(&login_id)
        .ok_or_else(ApiError::user_not_found)?;
    if ctx.prior.as_ref().is_none_or(|p| p.user_id != user_id) {
        return Err(ApiError::invalid_token(
            "the refresh token belongs to another user",
        ));
    }
    let user = st
        .user(&user_id)
        .ok_or_else(ApiError::user_not_found)?
        .clone();
    let purpose = Purpose::Update { user_id, mfa };
    register(ctx, &user, purpose, project, &mut st)
}

/// The origin in the credential's client data; it must be the one the start named.
fn client_origin(client_data_json: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(client_data_json).ok()?;
    value.get("origin")?.as_str().map(str::to_owned)
}

/// Takes the transaction (single use: a failed finish spends it too) and checks the
/// answer's origin against it.
fn take(project: &Project, id: &str, client_data_json: &[u8]) -> Result<Transaction, ApiError> {
    let tx = {
        let mut st = project.lock();
        st.sweep(project.now());
        st.webauthn.transactions.remove(id)
    }
    .ok_or_else(unknown_transaction)?;
    if client_origin(client_data_json).as_deref() != Some(tx.origin.as_str()) {
        return Err(not_allowed(
            "The credential was made for another origin than the one the start named",
        ));
    }
    Ok(tx)
}

fn parse<T: serde::de::DeserializeOwned>(body: &WebAuthnFinishRequest) -> Result<T, ApiError> {
    if body.transaction_id.secret().trim().is_empty() {
        return Err(ApiError::missing_field("transactionId"));
    }
    if body.response.trim().is_empty() {
        return Err(ApiError::missing_field("response"));
    }
    serde_json::from_str(&body.response)
        .map_err(|_| ApiError::invalid_argument("The response is not a WebAuthn credential"))
}

/// Finishes a registration: verifies the attestation, then stores the passkey on the user
/// (creating the user for a sign-up). Returns the user id.
fn finish_registration(
    project: &Project,
    body: &WebAuthnFinishRequest,
    want_sign_up: bool,
) -> Result<(String, Transaction), ApiError> {
    let credential: RegisterPublicKeyCredential = parse(body)?;
    let tx = take(
        project,
        body.transaction_id.secret(),
        &credential.response.client_data_json,
    )?;
    let Ceremony::Register(state) = &tx.ceremony else {
        return Err(unknown_transaction());
    };
    if matches!(tx.purpose, Purpose::SignUp { .. }) != want_sign_up {
        return Err(unknown_transaction());
    }
    let rp = relying_party(project, &tx.origin)?;
    let passkey = rp
        .finish_passkey_registration(&credential, state)
        .map_err(|_| not_allowed("The attestation could not be verified"))?;
    let mut st = project.lock();
    let cred_id = passkey.cred_id().to_vec();
    if st.webauthn.credentials.contains_key(&cred_id) {
        return Err(not_allowed("This credential is already registered"));
    }
    if st.webauthn.credentials.len() >= MAX_CREDENTIALS {
        return Err(ApiError::invalid_argument(
            "The project holds as many passkeys as the emulator keeps",
        ));
    }
    let max = project.config.webauthn.max_passkeys_per_user;
    let user_id = match &tx.purpose {
        Purpose::SignUp { login_id, details } => {
            if st.user_id_by_login(login_id).is_some() {
                return Err(user_exists());
            }
            let mut user = User::new(login_id, None, project.now());
            if let Some(details) = details {
                apply_details(&mut user, details.clone());
            }
            user.passkeys.push(StoredPasskey::new(passkey));
            let id = user.user_id.clone();
            st.insert_user(user);
            id
        }
        Purpose::Update { user_id, .. } => {
            let user = st.user_mut(user_id).ok_or_else(ApiError::user_not_found)?;
            if user.passkeys.len() >= max {
                return Err(ApiError::invalid_argument(
                    "The user has as many passkeys as allowed",
                ));
            }
            user.passkeys.push(StoredPasskey::new(passkey));
            user_id.clone()
        }
        Purpose::SignIn { .. } => return Err(unknown_transaction()),
    };
    st.webauthn.credentials.insert(cred_id, user_id.clone());
    Ok((user_id, tx))
}

fn apply_details(user: &mut User, details: SignUpUser) {
    user.name = details.name;
    user.given_name = details.given_name;
    user.middle_name = details.middle_name;
    user.family_name = details.family_name;
    user.email = details.email.or(user.email.take());
    user.phone = details.phone;
}

fn grant(user_id: String, tx: Transaction, ip: String) -> Result<Grant, ApiError> {
    let amr = match tx.prior {
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
        amr: with_method(amr, AMR),
        dct: tx.dct,
        custom_claims: tx.custom_claims,
        ip,
    })
}

pub(super) async fn signup_finish(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<WebAuthnFinishRequest>,
) -> Result<Response, ApiError> {
    let project = &auth.project;
    let (user_id, tx) = finish_registration(project, &body, true)?;
    Ok(jwt_json(&project.sign_in(grant(user_id, tx, ip)?)?))
}

pub(super) async fn update_finish(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<WebAuthnFinishRequest>,
) -> Result<Response, ApiError> {
    let project = &auth.project;
    let (user_id, tx) = finish_registration(project, &body, false)?;
    if !matches!(tx.purpose, Purpose::Update { mfa: true, .. }) {
        return Ok(Json(json!({})).into_response());
    }
    let response = project.sign_in(grant(user_id, tx, ip)?)?;
    let mut value = serde_json::to_value(&response).unwrap_or(Value::Null);
    if let Some(user) = response.user.as_ref() {
        value["user"] = crate::project::user_value(user);
    }
    Ok(Json(json!({ "jwt": value })).into_response())
}

pub(super) async fn signin_finish(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<WebAuthnFinishRequest>,
) -> Result<Response, ApiError> {
    let project = &auth.project;
    let credential: PublicKeyCredential = parse(&body)?;
    let tx = take(
        project,
        body.transaction_id.secret(),
        &credential.response.client_data_json,
    )?;
    let (Ceremony::Authenticate(state), Purpose::SignIn { user_id }) = (&tx.ceremony, &tx.purpose)
    else {
        return Err(unknown_transaction());
    };
    let user_id = user_id.clone();
    let rp = relying_party(project, &tx.origin)?;
    // Verified against the stored state (allowed credentials, challenge); the counter
    // check compares with the credential as it was at start, so it is checked again
    // below against the stored passkey.
    let result = rp
        .finish_passkey_authentication(&credential, state)
        .map_err(|e| match e {
            WebauthnError::CredentialPossibleCompromise => counter_went_back(),
            _ => not_allowed("The assertion could not be verified"),
        })?;
    {
        let mut st = project.lock();
        let user = st.user_mut(&user_id).ok_or_else(ApiError::user_not_found)?;
        let stored = user
            .passkeys
            .iter_mut()
            .find(|p| p.passkey.cred_id() == result.cred_id())
            .ok_or_else(|| not_allowed("The passkey is no longer registered"))?;
        if (result.counter() > 0 || stored.counter > 0) && result.counter() <= stored.counter {
            return Err(counter_went_back());
        }
        stored.counter = result.counter();
        stored.passkey.update_credential(&result);
    }
    Ok(jwt_json(&project.sign_in(grant(user_id, tx, ip)?)?))
}
