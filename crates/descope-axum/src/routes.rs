//! Ready login routes: OAuth and SSO start and callback, and logout.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use descope_flows::{AuthenticationInfo, ErrorKind as FlowsErrorKind};
use descope_types::{DeliveryMethod, ExchangeCode, MagicLinkToken, RefreshToken};
use http::header::{CONTENT_TYPE, HOST, LOCATION, ORIGIN, REFERRER_POLICY};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Deserialize;

use crate::config::{Descope, origin_of};
use crate::cookies::{
    Attributes, SameSite, append_set_cookies, clear_cookie, request_cookie, set_cookie,
};
use crate::error::{Error, ErrorKind};

/// The cookie binding a callback to the browser that started the flow (login CSRF).
pub(crate) const FLOW_COOKIE_NAME: &str = "DSFLOW";
/// Where the browser says a request comes from (Fetch Metadata).
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
/// How long a started sign-in may take, seconds.
const FLOW_MAX_AGE: i64 = 600;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StartQuery {
    redirect: Option<String>,
    #[serde(rename = "loginHint")]
    login_hint: Option<String>,
    tenant: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CallbackQuery {
    code: Option<String>,
    flow: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LogoutQuery {
    redirect: Option<String>,
}

#[derive(Clone, Copy)]
enum Flow {
    OAuth,
    Sso,
}

impl Flow {
    fn path(self) -> &'static str {
        match self {
            Self::OAuth => "oauth",
            Self::Sso => "sso",
        }
    }
}

impl Descope {
    /// The login routes, under the prefix (default `/auth`); merge them into the app:
    ///
    /// - `GET /auth/oauth/{provider}?redirect=/path` redirects to the provider (through
    ///   Descope); `GET /auth/oauth/callback` exchanges the code, sets `DS`/`DSR` and sends
    ///   the browser to the redirect target.
    /// - `GET /auth/sso?tenant=<id, name or email>&redirect=/path` and
    ///   `GET /auth/sso/callback`: the same for SSO.
    /// - `POST /auth/magiclink?redirect=/path` (form body `loginId=<email>`) emails a
    ///   sign-in link; `GET /auth/magiclink/callback?t=<token>` verifies it, sets `DS`/`DSR`
    ///   and sends the browser to the target.
    /// - `POST /auth/logout?redirect=/path` revokes the refresh token, deletes the cookies
    ///   and answers `303` to the target; `403` when `Sec-Fetch-Site` or `Origin` says the
    ///   request comes from another site (logout CSRF).
    ///
    /// Redirect targets must be relative paths or URLs on the app's origin or an
    /// [allowed](crate::DescopeBuilder::allow_redirect_origin) one. The start routes need
    /// the [app URL](crate::DescopeBuilder::app_url).
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let prefix = &self.inner.routes_prefix;
        Router::new()
            .route(&format!("{prefix}/oauth/callback"), get(oauth_callback))
            .route(&format!("{prefix}/oauth/{{provider}}"), get(oauth_start))
            .route(&format!("{prefix}/sso/callback"), get(sso_callback))
            .route(&format!("{prefix}/sso"), get(sso_start))
            .route(&format!("{prefix}/logout"), post(logout))
            .route(&format!("{prefix}/magiclink"), post(magic_link_start))
            .route(
                &format!("{prefix}/magiclink/callback"),
                get(magic_link_callback),
            )
            .with_state(self.clone())
    }

    fn flow_attributes(&self, max_age: i64) -> Attributes<'_> {
        Attributes {
            path: &self.inner.routes_prefix,
            domain: None,
            max_age: Some(max_age),
            secure: self.inner.secure_cookies,
            // Sent on the top-level cross-site redirect from the provider to the callback.
            same_site: SameSite::Lax,
        }
    }

    /// Checks the target, records the flow in a cookie and builds the callback URL.
    fn begin(&self, flow: Flow, redirect: Option<String>) -> Result<(String, HeaderValue), Error> {
        let target = match redirect {
            None => self.inner.default_redirect.clone(),
            Some(target) => self
                .allowed_redirect(&target)
                .ok_or_else(|| Error::bad_request("redirect target not allowed"))?,
        };
        let origin = self.inner.app_origin.as_deref().ok_or(Error::new(
            ErrorKind::Configuration,
            "the login routes need the app URL",
        ))?;
        let nonce = random_hex()?;
        let callback = format!(
            "{origin}{}/{}/callback?flow={nonce}",
            self.inner.routes_prefix,
            flow.path()
        );
        let value = format!("{nonce}.{}", hex(target.as_bytes()));
        let cookie = set_cookie(
            FLOW_COOKIE_NAME,
            &value,
            &self.flow_attributes(FLOW_MAX_AGE),
        )
        .ok_or(Error::new(
            ErrorKind::Configuration,
            "routes prefix cannot be a cookie path",
        ))?;
        Ok((callback, cookie))
    }

    /// Checks that the callback belongs to a flow this browser started; returns the target.
    fn finish(&self, headers: &HeaderMap, flow: Option<&str>) -> Result<String, Error> {
        let not_ours = || Error::bad_request("sign-in was not started in this browser");
        let (nonce, target) = request_cookie(headers, FLOW_COOKIE_NAME)
            .and_then(|v| v.split_once('.'))
            .ok_or_else(not_ours)?;
        let flow = flow.ok_or_else(not_ours)?;
        if verify_slices_are_equal(nonce.as_bytes(), flow.as_bytes()).is_err() {
            return Err(not_ours());
        }
        Ok(unhex(target)
            .and_then(|t| String::from_utf8(t).ok())
            .and_then(|t| self.allowed_redirect(&t))
            .unwrap_or_else(|| self.inner.default_redirect.clone()))
    }

    /// Whether a browser sent this request from another site (logout or login CSRF: a page
    /// elsewhere posting a form here, with the user's cookies). `Sec-Fetch-Site` decides when
    /// present; else `Origin`, which must be the request's own host or a trusted origin (the
    /// app's, or one allowed as a redirect target). Requests with neither header do not come
    /// from a browser page (curl, server-to-server) and are not forgeries.
    ///
    /// The logout and magic-link routes refuse such requests with `403`; call it in your own
    /// state-changing form routes (a one-time-code sign-in, say) to do the same.
    pub fn cross_site(&self, headers: &HeaderMap) -> bool {
        let origin = headers.get(ORIGIN).map(|o| o.to_str().unwrap_or("null"));
        let trusted = origin
            .and_then(origin_of)
            .is_some_and(|o| self.inner.allowed_origins.contains(&o));
        match headers.get(SEC_FETCH_SITE).map(HeaderValue::as_bytes) {
            Some(b"same-origin" | b"none") => false,
            Some(_) => !trusted,
            None => origin.is_some_and(|origin| {
                let host = headers.get(HOST).and_then(|h| h.to_str().ok());
                let same_host = origin
                    .split_once("://")
                    .is_some_and(|(_, authority)| Some(authority) == host);
                !trusted && !same_host
            }),
        }
    }
}

fn start_error(error: &descope_flows::Error) -> Error {
    tracing::warn!(%error, "sign-in start failed");
    match error.kind() {
        FlowsErrorKind::Api
            if error
                .status()
                .is_some_and(|s| (400..500).contains(&s) && s != 429) =>
        {
            Error::bad_request("Descope refused to start the sign-in")
        }
        _ => Error::from_flows(error),
    }
}

fn exchange_error(error: &descope_flows::Error) -> Error {
    tracing::warn!(%error, "sign-in code exchange failed");
    match error.kind() {
        FlowsErrorKind::Api | FlowsErrorKind::InvalidArgument
            if error
                .status()
                .is_none_or(|s| (400..500).contains(&s) && s != 429) =>
        {
            Error::new(ErrorKind::InvalidSession, "sign-in code rejected")
        }
        _ => Error::from_flows(error),
    }
}

fn redirect_to(url: &str, flow_cookie: HeaderValue) -> Result<Response, Error> {
    let location = HeaderValue::from_str(url)
        .map_err(|_| Error::new(ErrorKind::Upstream, "Descope returned an unusable URL"))?;
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(LOCATION, location);
    append_set_cookies(headers, [flow_cookie]);
    Ok(response)
}

async fn oauth_start(
    State(descope): State<Descope>,
    Path(provider): Path<String>,
    Query(query): Query<StartQuery>,
) -> Result<Response, Error> {
    let valid = (1..=64).contains(&provider.len())
        && provider
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if !valid {
        return Err(Error::bad_request("unknown OAuth provider"));
    }
    let (callback, cookie) = descope.begin(Flow::OAuth, query.redirect)?;
    let mut start = descope
        .client()
        .oauth()
        .start(provider.as_str())
        .redirect_url(callback);
    if let Some(hint) = query.login_hint.filter(|h| !h.is_empty()) {
        start = start.login_hint(hint);
    }
    let url = start.await.map_err(|e| start_error(&e))?;
    redirect_to(url.as_str(), cookie)
}

async fn sso_start(
    State(descope): State<Descope>,
    Query(query): Query<StartQuery>,
) -> Result<Response, Error> {
    let tenant = query
        .tenant
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| Error::bad_request("tenant is required"))?;
    let (callback, cookie) = descope.begin(Flow::Sso, query.redirect)?;
    let mut start = descope.client().sso().start(tenant).redirect_url(callback);
    if let Some(hint) = query.login_hint.filter(|h| !h.is_empty()) {
        start = start.login_hint(hint);
    }
    let url = start.await.map_err(|e| start_error(&e))?;
    redirect_to(url.as_str(), cookie)
}

async fn oauth_callback(
    State(descope): State<Descope>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, Error> {
    callback(&descope, Flow::OAuth, &headers, query).await
}

async fn sso_callback(
    State(descope): State<Descope>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, Error> {
    callback(&descope, Flow::Sso, &headers, query).await
}

async fn callback(
    descope: &Descope,
    flow: Flow,
    headers: &HeaderMap,
    query: CallbackQuery,
) -> Result<Response, Error> {
    let code = query
        .code
        .filter(|c| !c.is_empty())
        .map(ExchangeCode::new)
        .ok_or_else(|| Error::bad_request("code is required"))?;
    let target = descope.finish(headers, query.flow.as_deref())?;
    let client = descope.client();
    let info: AuthenticationInfo = match flow {
        Flow::OAuth => client.oauth().exchange(&code).await,
        Flow::Sso => client.sso().exchange(&code).await,
    }
    .map_err(|e| exchange_error(&e))?;
    tracing::debug!(user_id = info.session.user_id(), "signed in");

    // A page that navigates on, rather than a 302: the browser arrived here from the
    // provider's site, and SameSite=Strict cookies are not sent on the rest of a redirect
    // chain that started cross-site. A navigation started by this page is same-site.
    let mut response = signed_in_page(&target).into_response();
    let out = response.headers_mut();
    let clear_flow = clear_cookie(FLOW_COOKIE_NAME, &descope.flow_attributes(0));
    append_set_cookies(
        out,
        descope.session_cookies(&info).into_iter().chain(clear_flow),
    );
    // The callback URL carries the one-time code.
    out.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

fn signed_in_page(target: &str) -> ([(http::HeaderName, HeaderValue); 1], String) {
    let target = escape(target);
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"refresh\" content=\"0;url={target}\"><title>Signed in</title></head>\
             <body><p>Signed in. <a href=\"{target}\">Continue</a></p></body></html>\n"
        ),
    )
}

async fn logout(
    State(descope): State<Descope>,
    headers: HeaderMap,
    Query(query): Query<LogoutQuery>,
) -> Response {
    if descope.cross_site(&headers) {
        return Error::forbidden("cross-site logout refused").into_response();
    }
    let mut cookies = Vec::new();
    if let Some(refresh) = request_cookie(&headers, descope.refresh_cookie_name()) {
        match descope.client().logout(&RefreshToken::new(refresh)).await {
            Ok(data) => cookies = descope.clearing_cookies(Some(&data)),
            // The cookies go either way: the user asked to sign out of this browser.
            Err(error) => tracing::warn!(%error, "logout: revoking the refresh token failed"),
        }
    }
    if cookies.is_empty() {
        cookies = descope.clearing_cookies(None);
    }
    let target = query
        .redirect
        .and_then(|t| descope.allowed_redirect(&t))
        .unwrap_or_else(|| descope.inner.default_redirect.clone());
    let mut response = StatusCode::SEE_OTHER.into_response();
    let out = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&target) {
        out.insert(LOCATION, location);
    }
    append_set_cookies(out, cookies);
    response
}

// ---- magic links -------------------------------------------------------------------------
// The magic-link callback is not bound to the browser that asked for the link (unlike the
// OAuth callback's flow cookie): a link is often opened on another device. Whoever holds the
// link holds the sign-in, as with any magic link.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MagicLinkStartQuery {
    redirect: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MagicLinkCallbackQuery {
    t: Option<String>,
    redirect: Option<String>,
}

impl Descope {
    /// The target of a sign-in: the allowed `redirect`, the default when none is given;
    /// a target not allowed is refused (before anything is spent).
    fn magic_link_target(&self, redirect: Option<String>) -> Result<String, Error> {
        match redirect.filter(|r| !r.is_empty()) {
            None => Ok(self.inner.default_redirect.clone()),
            Some(target) => self
                .allowed_redirect(&target)
                .ok_or_else(|| Error::bad_request("redirect target not allowed")),
        }
    }
}

fn html_page(body: String) -> Response {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// `POST {prefix}/magiclink?redirect=/path` with a form body `loginId=<email>`: sends a
/// sign-in link (signing the address up if new) whose callback is this app's
/// `{prefix}/magiclink/callback`.
async fn magic_link_start(
    State(descope): State<Descope>,
    headers: HeaderMap,
    Query(query): Query<MagicLinkStartQuery>,
    body: Bytes,
) -> Result<Response, Error> {
    if descope.cross_site(&headers) {
        return Err(Error::forbidden("cross-site sign-in request refused"));
    }
    let login_id = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "loginId")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::bad_request("loginId is required"))?;
    let target = descope.magic_link_target(query.redirect)?;
    let origin = descope.inner.app_origin.as_deref().ok_or(Error::new(
        ErrorKind::Configuration,
        "the login routes need the app URL",
    ))?;
    let target_query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("redirect", &target)
        .finish();
    let callback = format!(
        "{origin}{}/magiclink/callback?{target_query}",
        descope.inner.routes_prefix
    );
    let masked = descope
        .client()
        .magic_link()
        .sign_up_or_in(DeliveryMethod::Email, login_id, callback)
        .await
        .map_err(|e| start_error(&e))?;
    Ok(html_page(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Check your email</title>\
         </head><body><p>A sign-in link was sent to {}.</p></body></html>\n",
        escape(&masked)
    )))
}

/// `GET {prefix}/magiclink/callback?t=<token>&redirect=/path`: verifies the token, sets
/// `DS`/`DSR` and sends the browser on to the target.
async fn magic_link_callback(
    State(descope): State<Descope>,
    Query(query): Query<MagicLinkCallbackQuery>,
) -> Result<Response, Error> {
    let token = query
        .t
        .filter(|t| !t.is_empty())
        .map(MagicLinkToken::new)
        .ok_or_else(|| Error::bad_request("t is required"))?;
    let target = descope.magic_link_target(query.redirect)?;
    let info: AuthenticationInfo = descope
        .client()
        .magic_link()
        .verify(&token)
        .await
        .map_err(|e| exchange_error(&e))?;
    tracing::debug!(user_id = info.session.user_id(), "signed in by magic link");
    // A page that navigates on, as the OAuth callback does: the browser may arrive from a
    // mail client, and SameSite=Strict cookies are not sent on a redirect chain that started
    // cross-site.
    let mut response = signed_in_page(&target).into_response();
    let out = response.headers_mut();
    append_set_cookies(out, descope.session_cookies(&info));
    // The callback URL carries the one-time token.
    out.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

fn random_hex() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorKind::Configuration, "no system randomness"))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16);
    text.as_bytes()
        .chunks(2)
        .map(|pair| u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok())
        .collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(b"/me?x=1"), "2f6d653f783d31");
        assert_eq!(unhex("2f6d653f783d31").unwrap(), b"/me?x=1");
        assert!(unhex("2f6").is_none());
        assert!(unhex("zz").is_none());
    }
}
