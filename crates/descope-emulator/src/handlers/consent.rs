//! The emulated provider/IdP page a start `url` points at. Auto-consent (default): a GET
//! redirects at once to the redirect URL with `code`. Interactive: the GET serves a sign-in
//! form whose submit (POST) produces the same redirect.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use descope_types::ProjectId;
use http::{StatusCode, header};
use serde::Deserialize;

use super::redirect::{default_login, ttl};
use crate::api_error::ApiError;
use crate::app::App;
use crate::console::escape;
use crate::extract::QueryMap;
use crate::project::{FlowKind, PendingCode, Project};
use crate::random;

/// Form of the interactive page.
#[derive(Debug, Deserialize)]
pub(super) struct ConsentForm {
    state: String,
    #[serde(rename = "loginId", default)]
    login_id: String,
}

pub(super) async fn page(
    State(app): State<App>,
    Path((project_id, _)): Path<(String, String)>,
    query: QueryMap,
) -> Result<Response, ApiError> {
    let project = app.projects.get(&ProjectId::new(project_id)?).await?;
    let state = query.require("state")?;
    if app.config.interactive {
        return sign_in_page(&project, state);
    }
    complete(&project, state, None)
}

pub(super) async fn submit(
    State(app): State<App>,
    Path((project_id, _)): Path<(String, String)>,
    Form(form): Form<ConsentForm>,
) -> Result<Response, ApiError> {
    let project = app.projects.get(&ProjectId::new(project_id)?).await?;
    let login = form.login_id.trim();
    if login.is_empty() {
        return Err(ApiError::missing_field("loginId"));
    }
    complete(&project, &form.state, Some(login.to_owned()))
}

fn expired_flow() -> ApiError {
    ApiError::bad_code("The sign-in flow is unknown, already completed or expired")
}

/// Ends the flow: a one-time code for the chosen user, and a 302 to the redirect URL.
fn complete(project: &Project, state: &str, chosen: Option<String>) -> Result<Response, ApiError> {
    let code = random::token("")?;
    let now = project.now();
    let location = {
        let mut st = project.lock();
        let flow = st.flows.remove(state).ok_or_else(expired_flow)?;
        if flow.exp <= now {
            return Err(expired_flow());
        }
        let login_id = match &flow.prior {
            Some(prior) => st
                .user(&prior.user_id)
                .map(|u| u.login_id().to_owned())
                .unwrap_or_default(),
            None => chosen
                .or_else(|| flow.login_hint.clone())
                .unwrap_or_else(|| default_login(&st, &flow.kind)),
        };
        let location = with_code(&flow.redirect_url, &code);
        st.codes.insert(
            code,
            PendingCode {
                kind: flow.kind,
                login_id,
                prior: flow.prior,
                custom_claims: flow.custom_claims,
                dct: flow.dct,
                exp: now.saturating_add(ttl(project)),
            },
        );
        location
    };
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// The redirect URL with `code=` added to its query.
fn with_code(redirect_url: &str, code: &str) -> String {
    match url::Url::parse(redirect_url) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("code", code);
            url.into()
        }
        // Not an absolute URL (e.g. a path): append by hand.
        Err(_) => {
            let separator = if redirect_url.contains('?') { '&' } else { '?' };
            format!("{redirect_url}{separator}code={code}")
        }
    }
}

fn sign_in_page(project: &Project, state: &str) -> Result<Response, ApiError> {
    let st = project.lock();
    let flow = st.flows.get(state).ok_or_else(expired_flow)?;
    if flow.exp <= project.now() {
        return Err(expired_flow());
    }
    let title = match &flow.kind {
        FlowKind::OAuth { provider } => format!("Sign in with {provider}"),
        FlowKind::Sso { tenant_id, .. } => {
            let name = st
                .tenant(tenant_id)
                .map_or(tenant_id.as_str(), |t| t.name.as_str());
            format!("Single sign-on: {name}")
        }
    };
    let prefill = flow
        .login_hint
        .clone()
        .unwrap_or_else(|| default_login(&st, &flow.kind));
    let (title, state_attr) = (escape(&title), escape(state));
    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - Descope emulator</title>\
         <link rel=\"stylesheet\" href=\"/emulator/style.css\"></head>\n<body>\n<main class=\"card\">\n<h1>{title}</h1>\n\
         <form method=\"post\">\n<input type=\"hidden\" name=\"state\" value=\"{state_attr}\">\n\
         <label class=\"block\" for=\"loginId\">Email <input type=\"email\" id=\"loginId\" name=\"loginId\" value=\"{}\" autocomplete=\"username\" required></label>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n",
        escape(&prefill)
    );
    let users = st.all_users();
    if !users.is_empty() {
        html.push_str("<h2>Or choose a user</h2>\n");
    }
    for user in users {
        let login = escape(user.login_id());
        html.push_str(&format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"state\" value=\"{state_attr}\">\
             <input type=\"hidden\" name=\"loginId\" value=\"{login}\">\
             <button type=\"submit\" class=\"choice\">{login}</button></form>\n"
        ));
    }
    html.push_str("</main>\n</body></html>\n");
    Ok(Html(html).into_response())
}
