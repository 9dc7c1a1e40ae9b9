//! The web console at `GET /emulator/`: the outbox (updating itself), users with their
//! sessions, tenants, roles, access keys, signing keys, the clock and fault rules, for the
//! project the control API would choose.
//!
//! Pages are plain server-rendered HTML with one stylesheet and one small script, both
//! served by the emulator (a strict Content-Security-Policy allows nothing else). Every
//! button is a form POST to the control API, behind the same guard (see `guard.rs`): the
//! console adds no action of its own. Nothing secret beyond the outbox's codes and links is
//! shown: no refresh or session tokens, no management or access key secrets.

mod page;
mod view;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::request::Parts;
use http::{HeaderValue, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::app::App;
use crate::extract::{ControlProject, parse_json};

pub(crate) use page::escape;

/// The console's stylesheet, shared with the provider/IdP sign-in pages.
pub(crate) const STYLE: &str = include_str!("style.css");
/// The console's script: live outbox, copy buttons, confirmations.
const SCRIPT: &str = include_str!("console.js");

/// Pages and the assets they use: nothing else may load (no network, no inline script), and
/// no page may frame the console (its buttons act).
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `GET /emulator/style.css` (unguarded: the provider pages, reached cross-site, use it).
pub(crate) async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// `GET /emulator/console.js`.
pub(crate) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

/// An HTML answer with the console's security headers.
pub(crate) fn html(body: String) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // Not `no-referrer`: under it Chromium sends `Origin: null` with the console's own
            // form posts, which the guard (rightly) refuses. Links out carry `noreferrer`.
            (header::REFERRER_POLICY, "same-origin"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// How a control call answers: JSON, or for a form posted by the console a 303 back to the
/// console page named by `?return=` (only a path under `/emulator/`).
pub(crate) struct Reply {
    form: bool,
    back: String,
}

impl Reply {
    /// `json` for API callers; a redirect back for the console's forms.
    pub(crate) fn answer(self, json: Value) -> Response {
        if self.form {
            Redirect::to(&self.back).into_response()
        } else {
            axum::Json(json).into_response()
        }
    }
}

/// A path the console may be sent back to: under `/emulator/`, never another host.
fn safe_return(path: &str) -> bool {
    path.starts_with("/emulator/")
        && !path.contains("//")
        && !path.contains('\\')
        && !path.bytes().any(|b| b.is_ascii_control())
}

fn is_form(parts_headers: &http::HeaderMap) -> bool {
    parts_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

impl<S: Send + Sync> FromRequestParts<S> for Reply {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let back = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "return")
            .map(|(_, v)| v.into_owned())
            .filter(|v| safe_return(v))
            .unwrap_or_else(|| "/emulator/".to_owned());
        Ok(Self {
            form: is_form(&parts.headers),
            back,
        })
    }
}

/// A control call's body: JSON (as before), or a form the console posted (the guard has
/// already checked it came from the emulator's own origin).
pub(crate) struct ControlBody<T>(pub(crate) T);

impl<S, T> FromRequest<S> for ControlBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let form = is_form(req.headers());
        let bytes = bytes::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::invalid_request("The request body could not be read"))?;
        if form {
            let pairs: serde_json::Map<String, Value> = url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), form_value(&v)))
                .collect();
            serde_json::from_value(Value::Object(pairs))
                .map(ControlBody)
                .map_err(|_| ApiError::invalid_request("A field of the form has an invalid value"))
        } else {
            parse_json(&bytes).map(ControlBody)
        }
    }
}

/// A form field as JSON: integers become numbers (the console's forms send only ids and
/// numbers), anything else stays text.
fn form_value(text: &str) -> Value {
    text.parse::<i64>()
        .map_or_else(|_| Value::String(text.to_owned()), Value::from)
}

/// `GET /emulator/` and the console's other pages.
pub(crate) async fn outbox_page(
    State(app): State<App>,
    ControlProject(project): ControlProject,
) -> Response {
    let rows = view::outbox(&project.lock());
    html(page::outbox(&page::Frame::new(&app, &project), &rows))
}

/// `GET /emulator/console/outbox`: the outbox rows alone, polled by the page.
pub(crate) async fn outbox_rows(ControlProject(project): ControlProject) -> Response {
    let rows = view::outbox(&project.lock());
    html(page::outbox_rows(&project.id, &rows))
}

pub(crate) async fn users_page(
    State(app): State<App>,
    ControlProject(project): ControlProject,
) -> Response {
    let (rows, total) = view::users(&project.lock());
    html(page::users(&page::Frame::new(&app, &project), &rows, total))
}

pub(crate) async fn user_page(
    State(app): State<App>,
    ControlProject(project): ControlProject,
    Path(user_id): Path<String>,
) -> Result<Response, ApiError> {
    let now = project.now();
    let (user, sessions, audit) = {
        let st = project.lock();
        let user = view::user(&st, &user_id).ok_or_else(ApiError::user_not_found)?;
        (
            user,
            view::sessions(&st, &user_id, now),
            view::user_audit(&st, &user_id),
        )
    };
    Ok(html(page::user(
        &page::Frame::new(&app, &project),
        &user,
        &sessions,
        &audit,
    )))
}

pub(crate) async fn directory_page(
    State(app): State<App>,
    ControlProject(project): ControlProject,
) -> Response {
    let directory = view::directory(&project.lock());
    html(page::directory(
        &page::Frame::new(&app, &project),
        &directory,
    ))
}

pub(crate) async fn system_page(
    State(app): State<App>,
    ControlProject(project): ControlProject,
) -> Response {
    let system = view::System {
        keys: project.key_infos(),
        offset_seconds: app.clock.offset(),
        now: project.now(),
        faults: app.faults.list(),
    };
    html(page::system(&page::Frame::new(&app, &project), &system))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_only_to_console_paths() {
        assert!(safe_return("/emulator/"));
        assert!(safe_return("/emulator/console/users?projectId=P"));
        assert!(!safe_return("//attacker.test/emulator/"));
        assert!(!safe_return("/emulator//attacker.test"));
        assert!(!safe_return("/emulator/\\attacker.test"));
        assert!(!safe_return("https://attacker.test/emulator/"));
        assert!(!safe_return("/v1/auth/me"));
    }

    #[test]
    fn form_values() {
        assert_eq!(form_value("3600"), Value::from(3600));
        assert_eq!(form_value("-86400"), Value::from(-86400));
        assert_eq!(form_value("U2ABC"), Value::from("U2ABC"));
    }
}
