//! The example app's pages (shared with the browser end-to-end test).

use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use descope_axum::{Authenticated, Descope};
use descope_types::WebAuthnTransactionId;
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::json;

/// The app: home and login pages with the sign-in links, the passkey page and its JSON
/// routes, the protected `/me`, the JSON `/api/me`, and the login routes under `/auth`.
pub fn router(descope: &Descope, sso_tenant: &str) -> Router {
    let links = sign_in_links(sso_tenant);
    let login_links = links.clone();
    let (start_with, finish_with) = (descope.clone(), descope.clone());
    Router::new()
        .route("/passkey", get(|| async { page("Passkeys", PASSKEY_PAGE) }))
        .route(
            "/passkey/start",
            post(
                move |headers: HeaderMap, Json(body): Json<PasskeyStart>| async move {
                    passkey_start(&start_with, &headers, body).await
                },
            ),
        )
        .route(
            "/passkey/finish",
            post(move |Json(body): Json<PasskeyFinish>| async move {
                passkey_finish(&finish_with, body).await
            }),
        )
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
         (<code>GET /emulator/outbox</code>).</small></p>\n\
         <p><a href=\"/passkey\">Sign up or in with a passkey</a></p>\n",
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

/// `POST /passkey/start`: `{loginId, mode: "signup" | "signin"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PasskeyStart {
    login_id: String,
    mode: String,
}

/// `POST /passkey/finish`: the start's transaction and the browser's credential (JSON).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PasskeyFinish {
    transaction_id: String,
    response: String,
    create: bool,
}

fn failed(error: &descope_flows::Error) -> Response {
    // The message names the failure only (no token, code or credential).
    let status = match error.status() {
        Some(400..=499) => StatusCode::BAD_REQUEST,
        _ => StatusCode::BAD_GATEWAY,
    };
    (status, Json(json!({ "error": error.to_string() }))).into_response()
}

/// The page's origin, as the browser sends it on a `fetch` POST (the relying party checks
/// it against its allowed origins, and the credential against it).
fn request_origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn passkey_start(descope: &Descope, headers: &HeaderMap, body: PasskeyStart) -> Response {
    let Some(origin) = request_origin(headers) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "no Origin"}))).into_response();
    };
    let webauthn = descope.client().webauthn();
    let started = match body.mode.as_str() {
        "signup" => webauthn.sign_up_start(body.login_id, origin).await,
        _ => webauthn.sign_in_start(body.login_id, origin).await,
    };
    match started {
        Ok(start) => Json(json!({
            "transactionId": start.transaction_id.secret(),
            "options": start.options,
            "create": start.create,
        }))
        .into_response(),
        Err(error) => failed(&error),
    }
}

async fn passkey_finish(descope: &Descope, body: PasskeyFinish) -> Response {
    let webauthn = descope.client().webauthn();
    let tx = WebAuthnTransactionId::new(body.transaction_id);
    let finished = if body.create {
        webauthn.sign_up_finish(&tx, body.response).await
    } else {
        webauthn.sign_in_finish(&tx, body.response).await
    };
    match finished {
        Ok(info) => {
            let mut response = Json(json!({ "ok": true })).into_response();
            for cookie in descope.session_cookies(&info) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(error) => failed(&error),
    }
}

/// The passkey page: the start answer's options (base64url fields decoded) go to
/// `navigator.credentials`, the credential (base64url fields encoded) to the finish route.
const PASSKEY_PAGE: &str = r#"<p><label>Email <input id="login" type="email" autocomplete="username webauthn"></label></p>
<p><button id="passkey-signup" type="button">Sign up with a passkey</button>
<button id="passkey-signin" type="button">Sign in with a passkey</button></p>
<p id="passkey-status"></p>
<script>
const fromB64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const toB64u = (b) => btoa(String.fromCharCode(...new Uint8Array(b)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const post = (path, body) => fetch(path, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
async function passkey(mode) {
  const status = document.getElementById('passkey-status');
  try {
    const loginId = document.getElementById('login').value;
    const started = await post('/passkey/start', { loginId, mode });
    const start = await started.json();
    if (!started.ok) throw new Error(start.error);
    const options = JSON.parse(start.options).publicKey;
    options.challenge = fromB64u(options.challenge);
    for (const c of options.excludeCredentials || []) c.id = fromB64u(c.id);
    for (const c of options.allowCredentials || []) c.id = fromB64u(c.id);
    let credential;
    if (start.create) {
      options.user.id = fromB64u(options.user.id);
      const made = await navigator.credentials.create({ publicKey: options });
      credential = { id: made.id, rawId: toB64u(made.rawId), type: made.type,
        response: { clientDataJSON: toB64u(made.response.clientDataJSON),
                    attestationObject: toB64u(made.response.attestationObject) },
        clientExtensionResults: made.getClientExtensionResults() };
    } else {
      const got = await navigator.credentials.get({ publicKey: options });
      credential = { id: got.id, rawId: toB64u(got.rawId), type: got.type,
        response: { clientDataJSON: toB64u(got.response.clientDataJSON),
                    authenticatorData: toB64u(got.response.authenticatorData),
                    signature: toB64u(got.response.signature),
                    userHandle: got.response.userHandle ? toB64u(got.response.userHandle) : null },
        clientExtensionResults: got.getClientExtensionResults() };
    }
    const finished = await post('/passkey/finish', {
      transactionId: start.transactionId, create: start.create, response: JSON.stringify(credential),
    });
    if (!finished.ok) throw new Error((await finished.json()).error);
    location.href = '/me';
  } catch (e) {
    status.textContent = 'Passkey failed: ' + e;
  }
}
document.getElementById('passkey-signup').onclick = () => passkey('signup');
document.getElementById('passkey-signin').onclick = () => passkey('signin');
</script>
"#;
