//! The OAuth web and SSO/SAML redirect chain: start → provider/IdP page → redirect with a
//! one-time code → exchange.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use descope_types::{CodeExchangeRequest, IdpResponse, LoginOptions, UrlResponse};
use serde_json::json;

use super::{check_selected_tenant, jwt_json};
use crate::api_error::ApiError;
use crate::app::App;
use crate::extract::{Auth, ClientIp, JsonBody, QueryMap};
use crate::project::{Flow, FlowKind, Grant, Prior, Project, State as ProjectState};
use crate::random;

/// Which user an OAuth start may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    SignUpOrIn,
    SignUp,
    SignIn,
    Update,
}

pub(super) async fn oauth_start(
    State(app): State<App>,
    auth: Auth,
    query: QueryMap,
    JsonBody(options): JsonBody<LoginOptions>,
) -> Result<Json<UrlResponse>, ApiError> {
    oauth(&app, &auth, &query, options, Variant::SignUpOrIn)
}

pub(super) async fn oauth_signup(
    State(app): State<App>,
    auth: Auth,
    query: QueryMap,
    JsonBody(options): JsonBody<LoginOptions>,
) -> Result<Json<UrlResponse>, ApiError> {
    oauth(&app, &auth, &query, options, Variant::SignUp)
}

pub(super) async fn oauth_signin(
    State(app): State<App>,
    auth: Auth,
    query: QueryMap,
    JsonBody(options): JsonBody<LoginOptions>,
) -> Result<Json<UrlResponse>, ApiError> {
    oauth(&app, &auth, &query, options, Variant::SignIn)
}

pub(super) async fn oauth_update(
    State(app): State<App>,
    auth: Auth,
    query: QueryMap,
    JsonBody(options): JsonBody<LoginOptions>,
) -> Result<Json<UrlResponse>, ApiError> {
    oauth(&app, &auth, &query, options, Variant::Update)
}

fn oauth(
    app: &App,
    auth: &Auth,
    query: &QueryMap,
    options: LoginOptions,
    variant: Variant,
) -> Result<Json<UrlResponse>, ApiError> {
    let provider = query.require("provider")?.to_owned();
    let login_hint = query.get(&["loginHint"]).map(str::to_owned);
    if let Some(hint) = &login_hint {
        let exists = auth.project.lock().user_id_by_login(hint).is_some();
        match variant {
            Variant::SignUp if exists => {
                return Err(ApiError::user_already_exists());
            }
            Variant::SignIn if !exists => return Err(ApiError::user_not_found()),
            _ => {}
        }
    }
    begin(
        app,
        auth,
        query,
        options,
        FlowKind::OAuth { provider },
        login_hint,
        variant == Variant::Update,
    )
}

/// The current session a start call builds on, when step-up/MFA/update asks for one.
pub(super) fn prior_session(
    auth: &Auth,
    options: &LoginOptions,
    required: bool,
) -> Result<Option<Prior>, ApiError> {
    if !(required || options.requires_refresh_token()) {
        return Ok(None);
    }
    let (_, session) = auth.project.refresh_session(auth.token()?)?;
    Ok(Some(Prior {
        user_id: session.user_id,
        amr: session.amr,
    }))
}

/// Records a flow and answers `{url}` pointing at the emulator's provider/IdP page.
pub(super) fn begin(
    app: &App,
    auth: &Auth,
    query: &QueryMap,
    options: LoginOptions,
    kind: FlowKind,
    login_hint: Option<String>,
    require_prior: bool,
) -> Result<Json<UrlResponse>, ApiError> {
    let project = &auth.project;
    let prior = prior_session(auth, &options, require_prior)?;
    let redirect_url = query
        .get(&["redirectURL", "redirectUrl"])
        .unwrap_or(&app.config.default_redirect_url)
        .to_owned();
    let state = random::token("st_")?;
    let now = project.now();
    let (realm, name) = match &kind {
        FlowKind::OAuth { provider } => ("provider", provider.clone()),
        FlowKind::Sso { tenant_id, .. } => ("idp", tenant_id.clone()),
    };
    {
        let mut st = project.lock();
        st.sweep(now);
        st.flows.insert(
            state.clone(),
            Flow {
                kind,
                redirect_url,
                login_hint,
                prior,
                custom_claims: options.custom_claims.unwrap_or_default(),
                dct: options.tenant_id,
                exp: now.saturating_add(ttl(project)),
            },
        );
    }
    let mut url = url::Url::parse(&app.base_url)
        .map_err(|_| ApiError::internal("the emulator's base URL is invalid"))?;
    url.path_segments_mut()
        .map_err(|_| ApiError::internal("the emulator's base URL is invalid"))?
        .extend(["emulator", realm, &project.id, &name, "authorize"]);
    url.query_pairs_mut().append_pair("state", &state);
    Ok(Json(UrlResponse {
        url: url.into(),
        error_id: None,
    }))
}

pub(super) fn ttl(project: &Project) -> i64 {
    i64::try_from(project.config.code_ttl_seconds).unwrap_or(i64::MAX)
}

/// The login id a flow signs in when nobody chose one.
pub(super) fn default_login(st: &ProjectState, kind: &FlowKind) -> String {
    match kind {
        FlowKind::OAuth { provider } => st
            .oauth_defaults
            .get(&provider.to_lowercase())
            .cloned()
            .unwrap_or_else(|| format!("{provider}-user@example.com")),
        FlowKind::Sso { tenant_id, .. } => {
            let tenant = st.tenant(tenant_id);
            tenant
                .and_then(|t| t.default_user.clone())
                .unwrap_or_else(|| {
                    let domain = tenant
                        .and_then(|t| t.sso_domains.first().cloned())
                        .unwrap_or_else(|| format!("{}.example", tenant_id.to_lowercase()));
                    format!("sso-user@{domain}")
                })
        }
    }
}

pub(super) async fn oauth_exchange(
    auth: Auth,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<CodeExchangeRequest>,
) -> Result<Response, ApiError> {
    exchange(&auth, ip, &body, false)
}

/// Redeems a one-time code (single use, unexpired, issued by this family of flows).
pub(super) fn exchange(
    auth: &Auth,
    ip: String,
    body: &CodeExchangeRequest,
    sso: bool,
) -> Result<Response, ApiError> {
    let project = &auth.project;
    if body.code.secret().is_empty() {
        return Err(ApiError::missing_field("code"));
    }
    let now = project.now();
    let (grant, kind) = {
        let mut st = project.lock();
        let pending = st
            .codes
            .remove(body.code.secret())
            .ok_or(ApiError::bad_code(
                "The code is unknown or was already used",
            ))?;
        if pending.exp <= now {
            return Err(ApiError::bad_code("The code has expired"));
        }
        if matches!(pending.kind, FlowKind::Sso { .. }) != sso {
            return Err(ApiError::bad_code(
                "The code was issued for another kind of flow",
            ));
        }
        let joining = match &pending.kind {
            FlowKind::Sso { tenant_id, .. } => Some(tenant_id.as_str()),
            FlowKind::OAuth { .. } => None,
        };
        check_selected_tenant(
            &st,
            pending.prior.as_ref(),
            &pending.login_id,
            pending.dct.as_deref(),
            joining,
        )?;
        // Roles a management SSO mapping gives every user signing in by this tenant's SSO.
        let sso_roles = match &pending.kind {
            FlowKind::Sso { tenant_id, .. } => st
                .tenant_extras
                .get(tenant_id)
                .map(|e| e.default_sso_roles.clone())
                .unwrap_or_default(),
            FlowKind::OAuth { .. } => Vec::new(),
        };
        let user = match &pending.prior {
            Some(prior) => st
                .user_mut(&prior.user_id)
                .ok_or(ApiError::invalid_token("the user no longer exists"))?,
            None => st.find_or_create(&pending.login_id, now),
        };
        let method = match &pending.kind {
            FlowKind::OAuth { provider } => {
                user.oauth.insert(provider.clone(), true);
                "oauth"
            }
            FlowKind::Sso { tenant_id, .. } => {
                user.saml = true;
                user.join_tenant(tenant_id);
                if let Some(membership) =
                    user.tenants.iter_mut().find(|t| &t.tenant_id == tenant_id)
                {
                    for role in sso_roles {
                        if !membership.roles.contains(&role) {
                            membership.roles.push(role);
                        }
                    }
                }
                "fed"
            }
        };
        let amr = pending
            .prior
            .as_ref()
            .map(|p| p.amr.clone())
            .unwrap_or_default();
        let grant = Grant {
            user_id: user.user_id.clone(),
            amr: crate::project::with_method(amr, method),
            dct: pending.dct,
            custom_claims: pending.custom_claims,
            ip,
        };
        (grant, (pending.kind, pending.login_id))
    };
    let mut response = project.sign_in(grant)?;
    if let (FlowKind::Sso { sso_id, .. }, login_id) = kind {
        response.tenant_sso_id = Some(sso_id);
        response.idp_response = Some(IdpResponse {
            idp_groups: Vec::new(),
            idp_saml_attributes: Some(json!({ "email": [login_id] })),
            idp_oidc_claims: Some(json!({ "email": login_id })),
            ..IdpResponse::default()
        });
    }
    Ok(jwt_json(&response))
}
