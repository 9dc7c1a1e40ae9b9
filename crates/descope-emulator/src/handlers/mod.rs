//! HTTP handlers, one module per area, and the router.

mod consent;
mod control;
mod enchantedlink;
mod keys;
mod magiclink;
mod management;
mod mgmt_access_keys;
mod mgmt_audit;
mod mgmt_jwt;
mod mgmt_roles;
mod mgmt_tenants;
mod mgmt_test_users;
mod native;
mod notp;
mod onetap;
mod otp;
mod password;
mod redirect;
mod session;
mod sso;
mod totp;
mod webauthn;

use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use descope_types::{ErrorCode, JwtResponse};
use http::{StatusCode, header};
use serde_json::Value;

use crate::api_error::ApiError;
use crate::app::App;
use crate::console;
use crate::guard::ControlGuard;
use crate::project::{Prior, State as ProjectState, user_value};
use crate::ratelimit::RateLimiter;

pub(crate) fn router(app: App) -> Router {
    let router = Router::new()
        .route("/v1/auth/oauth/authorize", post(redirect::oauth_start))
        .route(
            "/v1/auth/oauth/authorize/signup",
            post(redirect::oauth_signup),
        )
        .route(
            "/v1/auth/oauth/authorize/signin",
            post(redirect::oauth_signin),
        )
        .route(
            "/v1/auth/oauth/authorize/update",
            post(redirect::oauth_update),
        )
        .route("/v1/auth/oauth/exchange", post(redirect::oauth_exchange))
        .route("/v1/auth/oauth/native/start", post(native::start))
        .route("/v1/auth/oauth/native/finish", post(native::finish))
        .route("/v1/auth/sso/authorize", post(sso::start))
        .route("/v1/auth/sso/exchange", post(sso::exchange))
        .route("/v1/auth/saml/authorize", post(sso::start))
        .route("/v1/auth/saml/exchange", post(sso::exchange))
        .route("/v1/auth/totp/signup", post(totp::signup))
        .route("/v1/auth/totp/verify", post(totp::verify))
        .route("/v1/auth/totp/update", post(totp::update))
        .route("/v1/auth/notp/whatsapp/signup", post(notp::signup))
        .route("/v1/auth/notp/whatsapp/signin", post(notp::signin))
        .route("/v1/auth/notp/whatsapp/signup-in", post(notp::signup_in))
        .route("/v1/auth/notp/pending-session", post(notp::pending_session))
        .route(
            "/v1/auth/onetap/clientid/{provider}",
            get(onetap::client_id_of),
        )
        .route("/v1/auth/onetap/idtoken/verify", post(onetap::verify))
        .route("/v1/auth/onetap/idtoken/exchange", post(onetap::exchange))
        .route(
            "/v1/auth/enchantedlink/signup/{method}",
            post(enchantedlink::signup),
        )
        .route(
            "/v1/auth/enchantedlink/signin/{method}",
            post(enchantedlink::signin),
        )
        .route(
            "/v1/auth/enchantedlink/signup-in/{method}",
            post(enchantedlink::signup_or_in),
        )
        .route("/v1/auth/enchantedlink/verify", post(enchantedlink::verify))
        .route(
            "/v1/auth/enchantedlink/pending-session",
            post(enchantedlink::pending_session),
        )
        .route(
            "/v1/auth/enchantedlink/update/email",
            post(enchantedlink::update_email),
        )
        .route(
            "/v1/auth/enchantedlink/update/phone/{method}",
            post(enchantedlink::update_phone),
        )
        .route("/v1/auth/otp/signup/{method}", post(otp::signup))
        .route("/v1/auth/otp/signin/{method}", post(otp::signin))
        .route("/v1/auth/otp/signup-in/{method}", post(otp::signup_in))
        .route("/v1/auth/otp/verify/{method}", post(otp::verify))
        .route("/v1/auth/otp/update/email", post(otp::update_email))
        .route(
            "/v1/auth/otp/update/phone/{method}",
            post(otp::update_phone),
        )
        .route(
            "/v1/auth/magiclink/signup/{method}",
            post(magiclink::signup),
        )
        .route(
            "/v1/auth/magiclink/signin/{method}",
            post(magiclink::signin),
        )
        .route(
            "/v1/auth/magiclink/signup-in/{method}",
            post(magiclink::signup_in),
        )
        .route("/v1/auth/magiclink/verify", post(magiclink::verify))
        .route(
            "/v1/auth/magiclink/update/email",
            post(magiclink::update_email),
        )
        .route(
            "/v1/auth/magiclink/update/phone",
            post(magiclink::update_phone_bare),
        )
        .route(
            "/v1/auth/magiclink/update/phone/{method}",
            post(magiclink::update_phone),
        )
        .route("/v1/auth/password/signup", post(password::signup))
        .route("/v1/auth/password/signin", post(password::signin))
        .route("/v1/auth/password/replace", post(password::replace))
        .route("/v1/auth/password/reset", post(password::reset))
        .route("/v1/auth/password/update", post(password::update))
        .route("/v1/auth/password/policy", get(password::policy))
        .route(
            "/v1/auth/webauthn/signup/start",
            post(webauthn::signup_start),
        )
        .route(
            "/v1/auth/webauthn/signup/finish",
            post(webauthn::signup_finish),
        )
        .route(
            "/v1/auth/webauthn/signin/start",
            post(webauthn::signin_start),
        )
        .route(
            "/v1/auth/webauthn/signin/finish",
            post(webauthn::signin_finish),
        )
        .route(
            "/v1/auth/webauthn/signup-in/start",
            post(webauthn::signup_in_start),
        )
        .route(
            "/v1/auth/webauthn/update/start",
            post(webauthn::update_start),
        )
        .route(
            "/v1/auth/webauthn/update/finish",
            post(webauthn::update_finish),
        )
        .route("/v1/mgmt/license", get(management::license))
        // Invitations are creates with `invite: true`: mgmt_test_users sends them.
        .route(
            "/v1/mgmt/user/create",
            post(mgmt_test_users::create_or_invite),
        )
        .route("/v1/mgmt/user/create/test", post(management::create_test))
        .route("/v1/mgmt/user/update", post(management::update))
        .route("/v1/mgmt/user/patch", patch(management::patch))
        .route("/v1/mgmt/user", get(management::load))
        .route("/v1/mgmt/user/delete", post(management::delete))
        .route(
            "/v1/mgmt/user/test/delete/all",
            delete(management::delete_all_test_users),
        )
        .route("/v2/mgmt/user/search", post(management::search))
        .route("/v2/mgmt/user/search/test", post(management::search_test))
        .route("/v1/mgmt/user/update/status", post(management::status))
        .route("/v1/mgmt/user/update/role/set", post(management::set_roles))
        .route("/v2/mgmt/user/update/role/add", post(management::add_roles))
        .route("/v1/mgmt/user/update/role/add", post(management::add_roles))
        .route(
            "/v1/mgmt/user/update/role/remove",
            post(management::remove_roles),
        )
        .route(
            "/v1/mgmt/user/update/tenant/add",
            post(management::add_tenant),
        )
        .route(
            "/v1/mgmt/user/update/tenant/remove",
            post(management::remove_tenant),
        )
        .route(
            "/v1/mgmt/user/create/batch",
            post(mgmt_test_users::create_batch),
        )
        .route(
            "/v1/mgmt/tests/generate/otp",
            post(mgmt_test_users::generate_otp),
        )
        .route(
            "/v1/mgmt/tests/generate/magiclink",
            post(mgmt_test_users::generate_magic_link),
        )
        .route(
            "/v1/mgmt/tests/generate/enchantedlink",
            post(mgmt_test_users::generate_enchanted_link),
        )
        .route(
            "/v1/mgmt/user/signin/embeddedlink",
            post(mgmt_test_users::embedded_link),
        )
        // Tenants and their SSO settings (management).
        .route("/v1/mgmt/tenant/create", post(mgmt_tenants::create))
        .route("/v1/mgmt/tenant/update", post(mgmt_tenants::update))
        .route("/v1/mgmt/tenant/delete", post(mgmt_tenants::delete))
        .route("/v1/mgmt/tenant", get(mgmt_tenants::load))
        .route("/v1/mgmt/tenant/all", get(mgmt_tenants::load_all))
        .route("/v1/mgmt/tenant/search", post(mgmt_tenants::search))
        .route(
            "/v1/mgmt/tenant/settings",
            get(mgmt_tenants::load_settings).post(mgmt_tenants::update_settings),
        )
        .route("/v2/mgmt/sso/settings", get(mgmt_tenants::load_sso))
        .route(
            "/v1/mgmt/sso/settings",
            get(mgmt_tenants::legacy_load)
                .post(mgmt_tenants::legacy_configure)
                .delete(mgmt_tenants::delete_sso),
        )
        .route(
            "/v1/mgmt/sso/metadata",
            post(mgmt_tenants::legacy_configure),
        )
        .route("/v1/mgmt/sso/oidc", post(mgmt_tenants::configure_oidc))
        .route("/v1/mgmt/sso/saml", post(mgmt_tenants::configure_saml))
        .route(
            "/v1/mgmt/sso/saml/metadata",
            post(mgmt_tenants::configure_saml_metadata),
        )
        .route(
            "/v1/mgmt/sso/mapping",
            post(mgmt_tenants::configure_mapping),
        )
        .route(
            "/v1/mgmt/user/update/loginid",
            post(management::update_login_id),
        )
        .route("/v1/mgmt/user/update/email", post(management::update_email))
        .route("/v1/mgmt/user/update/phone", post(management::update_phone))
        .route("/v1/mgmt/user/update/name", post(management::update_name))
        .route(
            "/v1/mgmt/user/update/picture",
            post(management::update_picture),
        )
        .route(
            "/v1/mgmt/user/update/customAttribute",
            post(management::update_custom_attribute),
        )
        .route(
            "/v1/mgmt/user/password/set/temporary",
            post(management::set_temporary_password),
        )
        .route(
            "/v1/mgmt/user/password/set/active",
            post(management::set_active_password),
        )
        .route(
            "/v1/mgmt/user/password/set",
            post(management::set_password_deprecated),
        )
        .route(
            "/v1/mgmt/user/password/expire",
            post(management::expire_password),
        )
        .route(
            "/v1/mgmt/user/passkeys/delete",
            post(management::remove_all_passkeys),
        )
        .route(
            "/v1/mgmt/user/totp/delete",
            post(management::remove_totp_seed),
        )
        .route("/v1/mgmt/user/logout", post(management::logout_user))
        .route("/v1/mgmt/users/load", post(management::load_users))
        .route("/v1/mgmt/role/create", post(mgmt_roles::create_role))
        .route("/v1/mgmt/role/update", post(mgmt_roles::update_role))
        .route("/v1/mgmt/role/delete", post(mgmt_roles::delete_role))
        .route("/v1/mgmt/role/all", get(mgmt_roles::all_roles))
        .route("/v1/mgmt/role/search", post(mgmt_roles::search_roles))
        .route(
            "/v1/mgmt/permission/create",
            post(mgmt_roles::create_permission),
        )
        .route(
            "/v1/mgmt/permission/update",
            post(mgmt_roles::update_permission),
        )
        .route(
            "/v1/mgmt/permission/delete",
            post(mgmt_roles::delete_permission),
        )
        .route("/v1/mgmt/permission/all", get(mgmt_roles::all_permissions))
        .route("/v1/mgmt/accesskey/create", post(mgmt_access_keys::create))
        .route("/v1/mgmt/accesskey", get(mgmt_access_keys::load))
        .route("/v1/mgmt/accesskey/search", post(mgmt_access_keys::search))
        .route("/v1/mgmt/accesskey/update", post(mgmt_access_keys::update))
        .route(
            "/v1/mgmt/accesskey/activate",
            post(mgmt_access_keys::activate),
        )
        .route(
            "/v1/mgmt/accesskey/deactivate",
            post(mgmt_access_keys::deactivate),
        )
        .route("/v1/mgmt/accesskey/delete", post(mgmt_access_keys::delete))
        .route("/v1/mgmt/user/history", post(mgmt_audit::history))
        .route("/v1/mgmt/jwt/update", post(mgmt_jwt::update))
        .route("/v1/mgmt/impersonate", post(mgmt_jwt::impersonate))
        .route(
            "/v1/mgmt/stop/impersonation",
            post(mgmt_jwt::stop_impersonation),
        )
        .route("/v1/mgmt/auth/signin", post(mgmt_jwt::sign_in))
        .route("/v1/mgmt/auth/signup", post(mgmt_jwt::sign_up))
        .route("/v1/mgmt/auth/signup-in", post(mgmt_jwt::sign_up_or_in))
        .route("/v1/mgmt/audit/search", post(mgmt_audit::search))
        .route("/v1/mgmt/audit/event", post(mgmt_audit::create_event))
        .route("/v1/auth/refresh", post(session::refresh))
        .route("/v1/auth/try-refresh", post(session::try_refresh))
        .route("/v1/auth/logout", post(session::logout))
        .route("/v1/auth/logoutall", post(session::logout_all))
        .route("/v1/auth/me", get(session::me))
        .route("/v1/auth/me/tenants", post(session::my_tenants))
        .route("/v1/auth/me/history", get(session::history))
        .route("/v1/auth/tenant/select", post(session::select_tenant))
        .route("/v1/auth/validate", post(session::validate))
        .route("/v1/auth/accesskey/exchange", post(session::access_key))
        .route("/v2/keys/{project}", get(keys::v2))
        .route("/v1/keys/{project}", get(keys::v1))
        .route("/{project}/.well-known/jwks.json", get(keys::well_known))
        // Browser pages of the OAuth/SSO chain: reached cross-site by design, so unguarded.
        .route(
            "/emulator/provider/{project}/{provider}/authorize",
            get(consent::page).post(consent::submit),
        )
        .route(
            "/emulator/idp/{project}/{tenant}/authorize",
            get(consent::page).post(consent::submit),
        )
        // The console's assets: public, static, and used by the provider pages too.
        .route("/emulator/style.css", get(console::style))
        .route("/emulator/console.js", get(console::script))
        .route(
            "/emulator",
            get(|| async { axum::response::Redirect::permanent("/emulator/") }),
        )
        .merge(control_routes(&app))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(app.config.max_body_bytes))
        .layer(from_fn(json_errors))
        .layer(from_fn_with_state(app.clone(), mgmt_audit::record_failures));
    // Each middleware gets only its own state. Later layers run first: count, read the body,
    // faults, limits.
    let router = match app.config.rate_limit.clone() {
        Some(limit) => {
            let limiter = Arc::new(RateLimiter::new(limit, Arc::clone(&app.clock)));
            router.layer(from_fn_with_state(limiter, crate::ratelimit::middleware))
        }
        None => router,
    };
    router
        .layer(from_fn_with_state(
            Arc::clone(&app.faults),
            crate::faults::middleware,
        ))
        .layer(from_fn_with_state(app.config.max_body_bytes, read_body))
        .layer(from_fn_with_state(
            Arc::clone(&app.requests),
            crate::counter::middleware,
        ))
        .with_state(app)
}

/// The control API: only for loopback (or configured) hosts, same-site callers and JSON
/// bodies.
fn control_routes(app: &App) -> Router<App> {
    let guard = Arc::new(ControlGuard::new(&app.config));
    Router::new()
        .route("/emulator/reset", post(control::reset))
        .route("/emulator/users", get(control::users))
        .route("/emulator/users/{user_id}", delete(control::delete_user))
        .route(
            "/emulator/users/{user_id}/deactivate",
            post(control::deactivate_user),
        )
        .route(
            "/emulator/users/{user_id}/activate",
            post(control::activate_user),
        )
        .route(
            "/emulator/users/{user_id}/logout",
            post(control::logout_user),
        )
        .route(
            "/emulator/users/{user_id}/delete",
            post(control::delete_user),
        )
        .route("/emulator/keys", get(control::keys))
        .route("/emulator/keys/rotate", post(control::rotate))
        .route("/emulator/clock", post(control::clock))
        .route("/emulator/clock/advance", post(control::advance_clock))
        .route(
            "/emulator/faults",
            get(control::faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route("/emulator/faults/clear", post(control::clear_faults))
        .route(
            "/emulator/requests",
            get(control::requests).delete(control::clear_requests),
        )
        .route(
            "/emulator/outbox",
            get(control::outbox).delete(control::clear_outbox),
        )
        .route("/emulator/outbox/clear", post(control::clear_outbox))
        // The web console: its pages show codes and users, so they are guarded too.
        .route("/emulator/", get(console::outbox_page))
        .route("/emulator/console/outbox", get(console::outbox_rows))
        .route("/emulator/console/users", get(console::users_page))
        .route("/emulator/console/users/{user_id}", get(console::user_page))
        .route("/emulator/console/directory", get(console::directory_page))
        .route("/emulator/console/system", get(console::system_page))
        .route("/emulator/native/authorize", post(native::authorize))
        .route("/emulator/notp/tap", get(notp::tap))
        .route_layer(from_fn_with_state(guard, crate::guard::middleware))
}

/// Reads the whole request body before anything answers. An answer given with the body
/// unread (a 401 for a missing bearer, a route that takes no body, a 429) makes hyper close
/// the connection under a client still sending it, which then sees a broken pipe instead of
/// the answer. A body over the limit is drained (up to 16 times the limit) and answered 413.
async fn read_body(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let (parts, mut body) = req.into_parts();
    let drain_cap = limit.saturating_mul(16);
    let mut data = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return ApiError::invalid_request("The request body could not be read").into_response();
        };
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(chunk.len());
        if total > drain_cap {
            break;
        }
        if total <= limit {
            data.extend_from_slice(&chunk);
        }
    }
    if total > limit {
        return ApiError::too_large().into_response();
    }
    next.run(Request::from_parts(parts, Body::from(data))).await
}

/// Safety net: any error answer that is not JSON (an extractor's plain-text rejection)
/// becomes a Descope-shaped one. The original text is dropped: it may echo input.
async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::not_found(),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::method_not_allowed(),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
        s if s.is_client_error() => ApiError::new(
            s,
            ErrorCode::InvalidRequest,
            "Request is invalid",
            "The request could not be parsed",
        ),
        s => ApiError::new(
            s,
            ErrorCode::Other("E010000".to_owned()),
            "Internal error",
            "The request failed",
        ),
    };
    error.into_response()
}

/// Refuses a tenant chosen at sign-in (`loginOptions.tenantId`) that the signing-in user (the
/// prior session's, else the login id's; a new user is in none) is not a member of, as
/// `/v1/auth/tenant/select` does. `joining`: the tenant an SSO sign-in adds. Called before
/// the sign-in changes anything.
pub(crate) fn check_selected_tenant(
    st: &ProjectState,
    prior: Option<&Prior>,
    login_id: &str,
    dct: Option<&str>,
    joining: Option<&str>,
) -> Result<(), ApiError> {
    let Some(tenant) = dct.filter(|t| joining != Some(*t)) else {
        return Ok(());
    };
    let user_id = match prior {
        Some(prior) => Some(prior.user_id.clone()),
        None => st.user_id_by_login(login_id),
    };
    let member = user_id
        .as_deref()
        .and_then(|id| st.user(id))
        .is_some_and(|user| user.in_tenant(tenant));
    if member {
        Ok(())
    } else {
        Err(ApiError::not_a_member())
    }
}

/// A JWTResponse as JSON, with the user object's keys all present.
pub(crate) fn jwt_json(response: &JwtResponse) -> Response {
    let mut value = serde_json::to_value(response).unwrap_or(Value::Null);
    if let Some(user) = response.user.as_ref() {
        value["user"] = user_value(user);
    }
    axum::Json(value).into_response()
}
