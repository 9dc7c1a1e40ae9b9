//! Session management: refresh, logout, logout-all, me, my tenants, history, tenant
//! selection, validate and access-key exchange.

use axum::Json;
use axum::response::{IntoResponse, Response};
use descope_types::{
    AccessKeyExchangeRequest, AccessKeyExchangeResponse, Claims, ErrorCode, JwtResponse,
    MyTenantsRequest, MyTenantsResponse, RefreshRequest, RefreshToken, SelectTenantRequest,
    SessionToken, TenantInfo, UserHistoryResponse, ValidateResponse,
};
use http::StatusCode;
use serde_json::Value;

use super::jwt_json;
use crate::api_error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::project::user_value;

pub(super) async fn refresh(
    auth: Auth,
    JsonBody(_): JsonBody<RefreshRequest>,
) -> Result<Response, ApiError> {
    Ok(jwt_json(&auth.project.refresh(auth.token()?, None)?))
}

/// Like refresh, but no token is not an error: `{}`.
pub(super) async fn try_refresh(
    auth: Auth,
    JsonBody(_): JsonBody<RefreshRequest>,
) -> Result<Response, ApiError> {
    match auth.token.as_deref() {
        None => Ok(Json(serde_json::json!({})).into_response()),
        Some(token) => Ok(jwt_json(&auth.project.refresh(token, None)?)),
    }
}

/// "A JWTResponse with all user tokens and fields empty, so the client removes cookies."
fn emptied() -> Response {
    jwt_json(&JwtResponse {
        session_jwt: Some(SessionToken::new("")),
        refresh_jwt: Some(RefreshToken::new("")),
        cookie_domain: Some(String::new()),
        cookie_path: Some("/".to_owned()),
        cookie_max_age: Some(0),
        cookie_expiration: Some(0),
        ..JwtResponse::default()
    })
}

pub(super) async fn logout(auth: Auth) -> Result<Response, ApiError> {
    auth.project.logout(auth.token()?, false)?;
    Ok(emptied())
}

pub(super) async fn logout_all(auth: Auth) -> Result<Response, ApiError> {
    auth.project.logout(auth.token()?, true)?;
    Ok(emptied())
}

pub(super) async fn me(auth: Auth) -> Result<Json<Value>, ApiError> {
    let (_, session) = auth.project.refresh_session(auth.token()?)?;
    let st = auth.project.lock();
    let user = st
        .user(&session.user_id)
        .ok_or(ApiError::invalid_token("the user no longer exists"))?;
    Ok(Json(user_value(&st.user_response(user))))
}

pub(super) async fn my_tenants(
    auth: Auth,
    JsonBody(body): JsonBody<MyTenantsRequest>,
) -> Result<Json<MyTenantsResponse>, ApiError> {
    let (_, session) = auth.project.refresh_session(auth.token()?)?;
    let st = auth.project.lock();
    let user = st
        .user(&session.user_id)
        .ok_or(ApiError::invalid_token("the user no longer exists"))?;
    let wanted: Vec<String> = if body.dct == Some(true) {
        session.dct.into_iter().collect()
    } else if let Some(ids) = body.ids.filter(|ids| !ids.is_empty()) {
        ids
    } else {
        // Neither given: the SDKs refuse locally; answer all memberships (tolerant).
        user.tenants.iter().map(|t| t.tenant_id.clone()).collect()
    };
    let tenants = wanted
        .iter()
        .filter(|id| user.in_tenant(id))
        .filter_map(|id| st.tenant(id))
        .map(|t| TenantInfo {
            id: t.id.clone(),
            name: t.name.clone(),
            custom_attributes: t.custom_attributes.clone(),
        })
        .collect();
    Ok(Json(MyTenantsResponse { tenants }))
}

pub(super) async fn history(auth: Auth) -> Result<Json<UserHistoryResponse>, ApiError> {
    let (_, session) = auth.project.refresh_session(auth.token()?)?;
    let st = auth.project.lock();
    let user = st
        .user(&session.user_id)
        .ok_or(ApiError::invalid_token("the user no longer exists"))?;
    Ok(Json(UserHistoryResponse(user.history())))
}

pub(super) async fn select_tenant(
    auth: Auth,
    JsonBody(body): JsonBody<SelectTenantRequest>,
) -> Result<Response, ApiError> {
    if body.tenant.is_empty() {
        return Err(ApiError::missing_field("tenant"));
    }
    Ok(jwt_json(
        &auth.project.refresh(auth.token()?, Some(&body.tenant))?,
    ))
}

/// Server-side validation of a session JWT (docs only; no SDK calls it): signature, `drn:
/// DS`, expiry, and a live sign-in behind it (not logged out, not forgotten by a reset).
pub(super) async fn validate(auth: Auth) -> Result<Json<ValidateResponse>, ApiError> {
    let token = auth.token()?;
    let project = &auth.project;
    let claims: Claims = project
        .verify(token)
        .map_err(|e| ApiError::invalid_token(e.reason()))?;
    if !claims.is_session() {
        return Err(ApiError::invalid_token("not a session token"));
    }
    if claims.exp.is_none_or(|exp| exp <= project.now()) {
        return Err(ApiError::invalid_token("token expired"));
    }
    match claims.custom.get("sid").and_then(Value::as_str) {
        Some(sid) => project.live_sign_in(sid)?,
        // Access-key sessions have no refresh session: the key must still exist.
        None => {
            // ... and be active and unexpired.
            let st = project.lock();
            let now = project.now();
            if !claims
                .sub
                .as_deref()
                .and_then(|id| st.access_keys.get(id))
                .is_some_and(|k| k.active && !k.expired(now))
            {
                return Err(ApiError::invalid_token("unknown session"));
            }
        }
    }
    let parsed = match serde_json::to_value(&claims) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        _ => return Err(ApiError::internal("claims encoding failed")),
    };
    Ok(Json(ValidateResponse { parsed_jwt: parsed }))
}

pub(super) async fn access_key(
    auth: Auth,
    JsonBody(body): JsonBody<AccessKeyExchangeRequest>,
) -> Result<Json<AccessKeyExchangeResponse>, ApiError> {
    let secret = auth.token.as_deref().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::MissingAccessKey,
            "Missing access key",
            "Send Authorization: Bearer <projectId>:<accessKey>",
        )
    })?;
    let options = body.login_options.unwrap_or_default();
    let now = auth.project.now();
    let (key_id, authz, mut claims) = {
        let st = auth.project.lock();
        // A deleted key is an unknown one.
        let key = st
            .access_keys
            .by_secret(secret)
            .ok_or_else(|| ApiError::access_key_refused("The access key is unknown"))?;
        if !key.active {
            return Err(ApiError::access_key_refused(
                "The access key is deactivated",
            ));
        }
        if key.expired(now) {
            return Err(ApiError::access_key_refused("The access key has expired"));
        }
        // Like a user's tenant at sign-in, the selected tenant must be one of the key's.
        if let Some(tenant) = &options.selected_tenant
            && !key.tenants.iter().any(|t| t.tenant_id == *tenant)
        {
            return Err(ApiError::not_a_member());
        }
        (
            key.id.clone(),
            st.authz(&key.roles, &key.tenants),
            key.custom_claims.clone(),
        )
    };
    // The key's own claims, then the exchange's (which win).
    claims.extend(options.custom_claims.unwrap_or_default());
    let (token, expiration) =
        auth.project
            .mint_access_key_session(&key_id, authz, options.selected_tenant, claims)?;
    Ok(Json(AccessKeyExchangeResponse {
        key_id,
        session_jwt: SessionToken::new(token),
        expiration: Some(expiration),
    }))
}
