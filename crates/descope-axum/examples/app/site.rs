//! The example app's pages (shared with the browser end-to-end test).

use axum::Router;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use descope_axum::{Authenticated, Descope};

/// The app: home and login pages with the sign-in links, the protected `/me`, the JSON
/// `/api/me`, and the login routes under `/auth`.
pub fn router(descope: &Descope, sso_tenant: &str) -> Router {
    let links = sign_in_links(sso_tenant);
    let login_links = links.clone();
    Router::new()
        .route(
            "/",
            get(move |session: Option<Authenticated>| async move { home(session, &links) }),
        )
        .route(
            "/login",
            get(move || async move { page("Sign in", &login_links) }),
        )
        .route("/me", get(me))
        .route(
            "/api/me",
            get(|session: Authenticated| async move { axum::Json(session.claims().clone()) }),
        )
        .layer(descope.layer())
        .merge(descope.routes())
}

fn sign_in_links(sso_tenant: &str) -> String {
    let tenant: String = url::form_urlencoded::byte_serialize(sso_tenant.as_bytes()).collect();
    format!(
        "<p><a href=\"/auth/oauth/google?redirect=/me\">Sign in with Google</a></p>\n\
         <p><a href=\"/auth/sso?tenant={tenant}&amp;redirect=/me\">Sign in with SSO</a> \
         (tenant {})</p>\n\
         <form method=\"post\" action=\"/auth/magiclink?redirect=/me\">\
         <input name=\"loginId\" type=\"email\" placeholder=\"you@example.com\" required> \
         <button id=\"magic-link\" type=\"submit\">Email me a sign-in link</button></form>\n\
         <p><small>Against the emulator, the link is in its outbox \
         (<code>GET /emulator/outbox</code>).</small></p>\n",
        escape(sso_tenant)
    )
}

fn home(session: Option<Authenticated>, links: &str) -> Html<String> {
    match session {
        Some(session) => page(
            "Home",
            &format!(
                "<p>Signed in as <code>{}</code>. <a href=\"/me\">Your claims</a></p>\n{}",
                escape(session.user_id()),
                LOGOUT
            ),
        ),
        None => page("Home", links),
    }
}

const LOGOUT: &str = "<form method=\"post\" action=\"/auth/logout\">\
                      <button id=\"logout\" type=\"submit\">Log out</button></form>\n";

async fn me(session: Option<Authenticated>) -> Response {
    let Some(session) = session else {
        return Redirect::to("/login").into_response();
    };
    let claims = serde_json::to_string_pretty(session.claims()).unwrap_or_default();
    page(
        "Me",
        &format!(
            "<p>User id: <code id=\"user-id\">{}</code></p>\n\
             <p>Roles: <code id=\"roles\">{}</code></p>\n\
             <h2>Claims</h2>\n<pre id=\"claims\">{}</pre>\n{}<p><a href=\"/\">Home</a></p>\n",
            escape(session.user_id()),
            escape(&session.roles().join(", ")),
            escape(&claims),
            LOGOUT
        ),
    )
    .into_response()
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title} - descope-axum example</title></head>\n\
         <body>\n<h1>{title}</h1>\n{body}</body></html>\n"
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
