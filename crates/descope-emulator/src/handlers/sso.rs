//! SSO start and exchange, served on both `/v1/auth/sso/*` and the legacy
//! `/v1/auth/saml/*` with the same semantics (Node's `sso.*` uses the SAML paths).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use descope_types::{CodeExchangeRequest, LoginOptions, UrlResponse};

use super::redirect::{begin, exchange as redeem};
use crate::api_error::ApiError;
use crate::app::App;
use crate::extract::{Auth, ClientIp, JsonBody, QueryMap};
use crate::project::FlowKind;

pub(super) async fn start(
    State(app): State<App>,
    auth: Auth,
    query: QueryMap,
    JsonBody(options): JsonBody<LoginOptions>,
) -> Result<Json<UrlResponse>, ApiError> {
    let ident = query.require("tenant")?;
    let (tenant_id, default_sso_id) = {
        let st = auth.project.lock();
        let tenant = st.resolve_tenant(ident).ok_or_else(|| {
            ApiError::bad_request("No tenant matches the tenant id, name or email domain")
        })?;
        (
            tenant.id.clone(),
            tenant
                .sso_id
                .clone()
                .unwrap_or_else(|| format!("{}-sso", tenant.id)),
        )
    };
    let sso_id = query.get(&["ssoId"]).map_or(default_sso_id, str::to_owned);
    // An email in `tenant` (or `initiatedEmail`) names the user too, unless a hint does.
    let login_hint = query
        .get(&["loginHint", "initiatedEmail"])
        .map(str::to_owned)
        .or_else(|| ident.contains('@').then(|| ident.to_owned()));
    begin(
        &app,
        &auth,
        &query,
        options,
        FlowKind::Sso { tenant_id, sso_id },
        login_hint,
        false,
    )
}

pub(super) async fn exchange(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<CodeExchangeRequest>,
) -> Result<Response, ApiError> {
    redeem(&auth, ip, &body, true)
}
