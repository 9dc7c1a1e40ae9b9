//! Native OAuth: start → (the app signs in at the provider; here the emulated provider's
//! `POST /emulator/native/authorize`) → finish with the provider's ID token or code.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use descope_types::{NativeFinishRequest, NativeStartRequest, NativeStartResponse, NativeUser};
use serde::{Deserialize, Serialize};

use super::redirect::{prior_session, ttl};
use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::app::App;
use crate::extract::{Auth, ClientIp, ControlProject, JsonBody};
use crate::jwt;
use crate::project::{Grant, NativeGrant, NativeState, with_method};
use crate::random;

/// `kid` of the emulated providers' ID tokens.
const PROVIDER_KID: &str = "emulator-provider";

/// The client id of an emulated provider (what OneTap's client-id call answers, too).
pub(super) fn client_id(provider: &str) -> String {
    format!("emulator-{provider}-client")
}

pub(super) async fn start(
    auth: Auth,
    JsonBody(body): JsonBody<NativeStartRequest>,
) -> Result<Json<NativeStartResponse>, ApiError> {
    let provider = body.provider.as_str().to_owned();
    if provider.is_empty() {
        return Err(ApiError::missing_field("provider"));
    }
    let options = body.login_options.unwrap_or_default();
    let prior = prior_session(&auth, &options, false)?;
    let state_id = random::token("ns_")?;
    let nonce = random::token("")?;
    let implicit = body.implicit.unwrap_or(false);
    let project = &auth.project;
    let now = project.now();
    let client_id = client_id(&provider);
    {
        let mut st = project.lock();
        st.sweep(now);
        st.native_states.insert(
            state_id.clone(),
            NativeState {
                provider,
                client_id: client_id.clone(),
                nonce: nonce.clone(),
                implicit,
                prior,
                custom_claims: options.custom_claims.unwrap_or_default(),
                dct: options.tenant_id,
                exp: now.saturating_add(ttl(project)),
            },
        );
    }
    Ok(Json(NativeStartResponse {
        client_id,
        state_id,
        nonce,
        implicit,
    }))
}

/// Body of `POST /emulator/native/authorize`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct AuthorizeRequest {
    provider: String,
    nonce: String,
    #[serde(default)]
    login_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AuthorizeResponse {
    code: String,
    id_token: String,
}

/// Claims of an emulated provider's ID token.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ProviderClaims {
    iss: String,
    aud: String,
    sub: String,
    pub(super) email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    nonce: String,
    iat: i64,
    exp: i64,
}

/// Checks an ID token of the emulated provider: signature, audience (`client_id`), nonce
/// and expiry.
pub(super) fn check_id_token(
    app: &App,
    token: &str,
    client_id: &str,
    nonce: &str,
    now: i64,
) -> Result<ProviderClaims, ApiError> {
    let claims: ProviderClaims = jwt::verify_hs256(&app.provider_secret, token)
        .map_err(|e| ApiError::invalid_token(e.reason()))?;
    if claims.aud != client_id || claims.nonce != nonce {
        return Err(ApiError::invalid_token(
            "ID token audience or nonce mismatch",
        ));
    }
    if claims.exp <= now {
        return Err(ApiError::invalid_token("ID token expired"));
    }
    Ok(claims)
}

/// The emulated provider signs a user in: a one-time code and an ID token, both bound to
/// the nonce from native start.
pub(super) async fn authorize(
    State(app): State<App>,
    ControlProject(project): ControlProject,
    JsonBody(body): JsonBody<AuthorizeRequest>,
) -> Result<Json<AuthorizeResponse>, ApiError> {
    if body.provider.is_empty() {
        return Err(ApiError::missing_field("provider"));
    }
    if body.nonce.is_empty() {
        return Err(ApiError::missing_field("nonce"));
    }
    let login_id = body
        .login_id
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| format!("{}-user@example.com", body.provider));
    let now = project.now();
    let exp = now.saturating_add(ttl(&project));
    let claims = ProviderClaims {
        iss: format!("{}/emulator/provider/{}", app.base_url, body.provider),
        aud: client_id(&body.provider),
        sub: format!("{}-{}", body.provider, login_id.to_lowercase()),
        email: login_id.clone(),
        name: body.name.clone(),
        nonce: body.nonce.clone(),
        iat: now,
        exp,
    };
    let id_token = jwt::sign_hs256(&app.provider_secret, PROVIDER_KID, &claims)
        .ok_or(ApiError::internal("ID token encoding failed"))?;
    let code = random::token("nc_")?;
    {
        let mut st = project.lock();
        st.sweep(now);
        st.native_grants.insert(
            code.clone(),
            NativeGrant {
                provider: body.provider,
                nonce: body.nonce,
                login_id,
                name: body.name,
                exp,
            },
        );
    }
    Ok(Json(AuthorizeResponse { code, id_token }))
}

pub(super) async fn finish(
    State(app): State<App>,
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<NativeFinishRequest>,
) -> Result<Response, ApiError> {
    if body.state_id.is_empty() {
        return Err(ApiError::missing_field("stateId"));
    }
    let project = &auth.project;
    let now = project.now();
    let state = {
        let mut st = project.lock();
        st.native_states
            .remove(&body.state_id)
            .filter(|s| s.exp > now)
            .ok_or(ApiError::invalid_argument(
                "The stateId is unknown, already used or expired",
            ))?
    };
    if state.provider != body.provider.as_str() {
        return Err(ApiError::invalid_argument(
            "The provider does not match the one of native start",
        ));
    }
    let id_token = body.id_token.as_ref().filter(|t| !t.is_empty());
    let code = body.code.as_ref().filter(|c| !c.is_empty());
    // The credential the start asked for; the other one when only that was sent.
    let (login_id, name) = match (id_token, code) {
        (Some(token), _) if state.implicit || code.is_none() => {
            let claims = check_id_token(&app, token.secret(), &state.client_id, &state.nonce, now)?;
            (claims.email, claims.name)
        }
        (_, Some(code)) => {
            let grant = project
                .lock()
                .native_grants
                .remove(code.secret())
                .filter(|g| g.exp > now)
                .ok_or(ApiError::bad_code("The code is unknown, used or expired"))?;
            if grant.provider != state.provider || grant.nonce != state.nonce {
                return Err(ApiError::bad_code(
                    "The code was issued for another sign-in",
                ));
            }
            (grant.login_id, grant.name)
        }
        _ => return Err(ApiError::missing_field("idToken")),
    };
    let details = body
        .user
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(NativeUser::from_wire)
        .transpose()
        .map_err(|_| ApiError::invalid_argument("user must be a JSON string of an object"))?;
    let grant = {
        let mut st = project.lock();
        check_selected_tenant(
            &st,
            state.prior.as_ref(),
            &login_id,
            state.dct.as_deref(),
            None,
        )?;
        let user = match &state.prior {
            Some(prior) => st
                .user_mut(&prior.user_id)
                .ok_or(ApiError::invalid_token("the user no longer exists"))?,
            None => st.find_or_create(&login_id, now),
        };
        if user.logins == 0 {
            if user.name.is_none() {
                user.name = name;
            }
            if let Some(details) = details {
                if let Some(parts) = details.name {
                    user.given_name = parts.first_name.or(user.given_name.take());
                    user.middle_name = parts.middle_name.or(user.middle_name.take());
                    user.family_name = parts.last_name.or(user.family_name.take());
                    let full: Vec<&str> = [&user.given_name, &user.middle_name, &user.family_name]
                        .into_iter()
                        .filter_map(|p| p.as_deref())
                        .collect();
                    if !full.is_empty() {
                        user.name = Some(full.join(" "));
                    }
                }
                if user.email.is_none() {
                    user.email = details.email;
                }
            }
        }
        user.oauth.insert(state.provider.clone(), true);
        let amr = state
            .prior
            .as_ref()
            .map(|p| p.amr.clone())
            .unwrap_or_default();
        Grant {
            user_id: user.user_id.clone(),
            amr: with_method(amr, "oauth"),
            dct: state.dct,
            custom_claims: state.custom_claims,
            ip,
        }
    };
    Ok(jwt_json(&project.sign_in(grant)?))
}
