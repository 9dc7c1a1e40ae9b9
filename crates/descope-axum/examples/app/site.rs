//! The example app's pages (shared with the browser end-to-end test).

use axum::body::Bytes;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use descope_axum::{Authenticated, Descope};
use descope_types::{DeliveryMethod, OtpCode, WebAuthnTransactionId};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use serde_json::json;

/// The app: home and login pages with the sign-in links, the passkey page and its JSON
/// routes, the email-code (OTP) form routes, the protected `/me`, the JSON `/api/me`, and
/// the login routes under `/auth`.
pub fn router(descope: &Descope, sso_tenant: &str) -> Router {
    let links = sign_in_links(sso_tenant);
    let login_links = links.clone();
    let (start_with, finish_with) = (descope.clone(), descope.clone());
    let (otp_start_with, otp_verify_with) = (descope.clone(), descope.clone());
    Router::new()
        .route(
            "/otp/start",
            post(move |headers: HeaderMap, body: Bytes| async move {
                otp_start(&otp_start_with, &headers, &body).await
            }),
        )
        .route(
            "/otp/verify",
            post(move |headers: HeaderMap, body: Bytes| async move {
                otp_verify(&otp_verify_with, &headers, &body).await
            }),
        )
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
         <form method=\"post\" action=\"/otp/start\">\
         <input id=\"otp-email\" name=\"email\" type=\"email\" placeholder=\"you@example.com\" \
         autocomplete=\"email\" required> \
         <button id=\"otp-start\" type=\"submit\">Email me a sign-in code</button></form>\n\
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

// ---- email one-time codes (OTP) ----------------------------------------------------------
// Two plain HTML forms: the first sends a code to the address, the second exchanges it for a
// session. Both are form POSTs a page on another site could also send (login CSRF: signing
// the victim in as the attacker), so both refuse cross-site requests as the library's
// logout and magic-link routes do. The code is never echoed into a page or a log.

/// A field of a `application/x-www-form-urlencoded` body, trimmed; `None` when empty.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn otp_page(status: StatusCode, body: &str) -> Response {
    let mut response = (status, page("Sign in with an email code", body)).into_response();
    // Carries the address; not for shared caches.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

fn cross_site_refused() -> Response {
    otp_page(
        StatusCode::FORBIDDEN,
        "<p>Cross-site sign-in request refused.</p>\n",
    )
}

/// The form for the code; the address rides along in a hidden field.
fn otp_code_form(email: &str, note: &str) -> String {
    format!(
        "{note}<form method=\"post\" action=\"/otp/verify\">\
         <input type=\"hidden\" name=\"email\" value=\"{}\">\
         <label>Code <input id=\"otp-code\" name=\"code\" inputmode=\"numeric\" \
         autocomplete=\"one-time-code\" required></label> \
         <button id=\"otp-verify\" type=\"submit\">Sign in</button></form>\n\
         <p><small>Against the emulator, the code is in its outbox \
         (<code>GET /emulator/outbox?loginId=&lt;email&gt;</code>).</small></p>\n\
         <p><a href=\"/\">Start again</a></p>\n",
        escape(email)
    )
}

/// `POST /otp/start` (form `email=<address>`): emails a code, signing the address up if
/// new, and answers the form for the code.
async fn otp_start(descope: &Descope, headers: &HeaderMap, body: &[u8]) -> Response {
    if descope.cross_site(headers) {
        return cross_site_refused();
    }
    let Some(email) = form_field(body, "email") else {
        return otp_page(
            StatusCode::BAD_REQUEST,
            "<p>An email address is required.</p>\n<p><a href=\"/\">Back</a></p>\n",
        );
    };
    match descope
        .client()
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, email.as_str())
        .await
    {
        Ok(sent) => {
            let to = if sent.masked_address.is_empty() {
                email.as_str()
            } else {
                sent.masked_address.as_str()
            };
            let note = format!(
                "<p id=\"otp-sent\">A sign-in code was sent to <code>{}</code>.</p>\n",
                escape(to)
            );
            otp_page(StatusCode::OK, &otp_code_form(&email, &note))
        }
        Err(error) => {
            let status = match error.status() {
                Some(400..=499) => StatusCode::BAD_REQUEST,
                _ => StatusCode::BAD_GATEWAY,
            };
            // The message names the failure only (the request carried no secret).
            let body = format!(
                "<p id=\"otp-error\">Could not send a code: {}</p>\n<p><a href=\"/\">Back</a></p>\n",
                escape(&error.to_string())
            );
            otp_page(status, &body)
        }
    }
}

/// `POST /otp/verify` (form `email=<address>&code=<code>`): exchanges the code for a
/// session, sets `DS`/`DSR` and sends the browser to `/me` (`303`, so the reload does not
/// post the spent code again). A rejected code answers the form again, without the code.
async fn otp_verify(descope: &Descope, headers: &HeaderMap, body: &[u8]) -> Response {
    if descope.cross_site(headers) {
        return cross_site_refused();
    }
    let (Some(email), Some(code)) = (form_field(body, "email"), form_field(body, "code")) else {
        return otp_page(
            StatusCode::BAD_REQUEST,
            "<p>The email address and the code are required.</p>\n<p><a href=\"/\">Back</a></p>\n",
        );
    };
    let code = OtpCode::new(code);
    match descope
        .client()
        .otp()
        .verify(DeliveryMethod::Email, email.as_str(), &code)
        .await
    {
        Ok(info) => {
            // Same-origin form POST, so the SameSite=Strict cookies go with the redirect.
            let mut response = Redirect::to("/me").into_response();
            let out = response.headers_mut();
            for cookie in descope.session_cookies(&info) {
                out.append(header::SET_COOKIE, cookie);
            }
            out.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(error) => {
            let status = match error.status() {
                Some(400..=499) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_GATEWAY,
            };
            let note = if status == StatusCode::UNAUTHORIZED {
                "<p id=\"otp-error\">That code was not accepted (wrong, expired or already \
                 used). Try again or start over.</p>\n"
            } else {
                "<p id=\"otp-error\">Descope could not be reached; try again.</p>\n"
            };
            otp_page(status, &otp_code_form(&email, note))
        }
    }
}
