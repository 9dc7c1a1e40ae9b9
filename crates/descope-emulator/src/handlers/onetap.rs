//! OneTap: the provider's client id, and an ID token of the emulated provider (from
//! `POST /emulator/native/authorize`, with the prompt's nonce) verified for a one-time code
//! (`verify`, redeemed by `POST /v1/auth/oauth/exchange`) or for the session (`exchange`).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use descope_types::{
    ExchangeCode, OneTapClientIdResponse, OneTapCodeResponse, OneTapIdTokenRequest,
};

use super::jwt_json;
use super::native::{ProviderClaims, check_id_token, client_id};
use super::redirect::{prior_session, ttl};
use crate::api_error::ApiError;
use crate::app::App;
use crate::extract::{Auth, ClientIp, JsonBody};
use crate::project::{FlowKind, Grant, PendingCode, Prior, with_method};
use crate::random;

pub(super) async fn client_id_of(
    _auth: Auth,
    Path(provider): Path<String>,
) -> Json<OneTapClientIdResponse> {
    Json(OneTapClientIdResponse {
        client_id: client_id(&provider),
    })
}

/// The checked ID token, the session it builds on (step-up, MFA) and the login options.
struct Checked {
    provider: String,
    claims: ProviderClaims,
    prior: Option<Prior>,
    custom_claims: serde_json::Map<String, serde_json::Value>,
    dct: Option<String>,
}

fn check(app: &App, auth: &Auth, body: OneTapIdTokenRequest) -> Result<Checked, ApiError> {
    let provider = body.provider.as_str().to_owned();
    if provider.is_empty() {
        return Err(ApiError::missing_field("provider"));
    }
    if body.id_token.is_empty() {
        return Err(ApiError::missing_field("idToken"));
    }
    let now = auth.project.now();
    let claims = check_id_token(
        app,
        body.id_token.secret(),
        &client_id(&provider),
        &body.nonce,
        now,
    )?;
    let options = body.login_options.unwrap_or_default();
    let prior = prior_session(auth, &options, false)?;
    Ok(Checked {
        provider,
        claims,
        prior,
        custom_claims: options.custom_claims.unwrap_or_default(),
        dct: options.tenant_id,
    })
}

/// The user of the ID token, created on first sign-in (with the provider's name).
fn user_of(auth: &Auth, checked: &Checked) -> Result<String, ApiError> {
    let now = auth.project.now();
    let mut st = auth.project.lock();
    let user = match &checked.prior {
        Some(prior) => st
            .user_mut(&prior.user_id)
            .ok_or(ApiError::invalid_token("the user no longer exists"))?,
        None => st.find_or_create(&checked.claims.email, now),
    };
    if user.logins == 0 && user.name.is_none() {
        user.name = checked.claims.name.clone();
    }
    user.oauth.insert(checked.provider.clone(), true);
    Ok(user.user_id.clone())
}

pub(super) async fn verify(
    State(app): State<App>,
    auth: Auth,
    JsonBody(body): JsonBody<OneTapIdTokenRequest>,
) -> Result<Json<OneTapCodeResponse>, ApiError> {
    let checked = check(&app, &auth, body)?;
    user_of(&auth, &checked)?;
    let code = random::token("otc_")?;
    let project = &auth.project;
    let now = project.now();
    {
        let mut st = project.lock();
        st.sweep(now);
        st.codes.insert(
            code.clone(),
            PendingCode {
                kind: FlowKind::OAuth {
                    provider: checked.provider,
                },
                login_id: checked.claims.email,
                prior: checked.prior,
                custom_claims: checked.custom_claims,
                dct: checked.dct,
                exp: now.saturating_add(ttl(project)),
            },
        );
    }
    Ok(Json(OneTapCodeResponse {
        code: ExchangeCode::new(code),
    }))
}

pub(super) async fn exchange(
    State(app): State<App>,
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<OneTapIdTokenRequest>,
) -> Result<Response, ApiError> {
    let checked = check(&app, &auth, body)?;
    let user_id = user_of(&auth, &checked)?;
    {
        let st = auth.project.lock();
        super::check_selected_tenant(
            &st,
            checked.prior.as_ref(),
            &checked.claims.email,
            checked.dct.as_deref(),
            None,
        )?;
    }
    let amr = checked.prior.map(|p| p.amr).unwrap_or_default();
    let grant = Grant {
        user_id,
        amr: with_method(amr, "oauth"),
        dct: checked.dct,
        custom_claims: checked.custom_claims,
        ip,
    };
    Ok(jwt_json(&auth.project.sign_in(grant)?))
}
