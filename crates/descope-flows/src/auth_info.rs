//! What every JWT-returning call yields: locally validated tokens, the user, cookie data.

use descope_types::{IdpResponse, JwtResponse, RefreshToken, SessionToken, UserResponse};
use http::HeaderMap;
use http::header::SET_COOKIE;

use crate::client::Client;
use crate::error::{DecodeError, Error};
use crate::pipeline::{Excerpt, Request, decode};
use crate::session::{RefreshSession, Session};

/// Name of the session cookie.
pub const SESSION_COOKIE_NAME: &str = "DS";
/// Name of the refresh cookie.
pub const REFRESH_COOKIE_NAME: &str = "DSR";

/// A signed-in session: what exchange, verify, native finish, refresh and select-tenant
/// return.
///
/// Both tokens were validated locally (signature, expiry, issuer, `drn`) before this value
/// was made. `Debug` never prints a token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthenticationInfo {
    /// The validated session token: claims, roles, permissions, tenants.
    pub session: Session,
    /// The validated refresh token. On a refresh without rotation this is the token that
    /// was sent.
    pub refresh: RefreshSession,
    /// The user, when the answer carried one.
    pub user: Option<UserResponse>,
    /// Whether this was the user's first sign-in (`false` when the answer does not say).
    pub first_seen: bool,
    /// How to set the cookies for the tokens.
    pub cookies: CookieData,
    /// Data from the identity provider (SSO/SAML exchanges).
    pub idp_response: Option<IdpResponse>,
    /// The SSO configuration used (SSO exchanges).
    pub tenant_sso_id: Option<String>,
}

impl AuthenticationInfo {
    /// The session JWT.
    pub fn session_token(&self) -> &SessionToken {
        self.session.token()
    }

    /// The refresh JWT.
    pub fn refresh_token(&self) -> &RefreshToken {
        self.refresh.token()
    }
}

/// Cookie attributes from the answer, for setting `DS`/`DSR` on the app's response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieData {
    /// Cookie domain (`None`: host-only).
    pub domain: Option<String>,
    /// Cookie path (`/` when the answer does not say).
    pub path: String,
    /// Refresh cookie max-age, seconds.
    pub max_age: Option<i64>,
    /// Refresh cookie expiry, unix seconds.
    pub expiration: Option<i64>,
    /// Session expiry, unix seconds, when the answer says.
    pub session_expiration: Option<i64>,
    /// Name of the session cookie (`DS` unless the project renamed it).
    pub session_cookie_name: String,
    /// Name of the refresh cookie (`DSR` unless the project renamed it).
    pub refresh_cookie_name: String,
}

impl CookieData {
    pub(crate) fn from_response(response: &JwtResponse) -> Self {
        let name = |n: &Option<String>, default: &str| {
            n.clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        Self {
            domain: response.cookie_domain.clone().filter(|d| !d.is_empty()),
            path: name(&response.cookie_path, "/"),
            max_age: response.cookie_max_age,
            expiration: response.cookie_expiration,
            session_expiration: response.session_expiration,
            session_cookie_name: name(&response.session_cookie_name, SESSION_COOKIE_NAME),
            refresh_cookie_name: name(&response.cookie_name, REFRESH_COOKIE_NAME),
        }
    }
}

/// The value of the `Set-Cookie` cookie called `name`, if any.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(n, value)| n.trim() == name && !value.trim().is_empty())
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}

/// A token-free decode error (the body carries tokens, so nothing is quoted).
fn missing(status: u16) -> Error {
    Error::decode(DecodeError::new(status))
}

impl Client {
    /// Sends a JWT-returning call, takes the tokens from the body or (cookie mode) from
    /// `Set-Cookie`, and validates them. `known_refresh` is the already validated refresh
    /// token kept when the answer carries none (refresh without rotation).
    pub(crate) async fn authenticate(
        &self,
        request: Request<'_>,
        known_refresh: Option<RefreshSession>,
    ) -> Result<AuthenticationInfo, Error> {
        let response = self.pipeline().send(request).await?;
        let status = response.status().as_u16();
        let body: JwtResponse = decode(&response, Excerpt::Never)?;
        self.authentication_info(body, status, response.headers(), known_refresh)
            .await
    }

    /// [`authenticate`](Self::authenticate) for an answer already decoded (a JWT response
    /// nested in another answer).
    pub(crate) async fn authentication_info(
        &self,
        body: JwtResponse,
        status: u16,
        headers: &HeaderMap,
        known_refresh: Option<RefreshSession>,
    ) -> Result<AuthenticationInfo, Error> {
        let cookies = CookieData::from_response(&body);

        let session_token = body
            .session_jwt
            .clone()
            .filter(|t| !t.is_empty())
            .or_else(|| cookie_value(headers, &cookies.session_cookie_name).map(SessionToken::new))
            .ok_or_else(|| missing(status))?;
        let refresh_token = body
            .refresh_jwt
            .clone()
            .filter(|t| !t.is_empty())
            .or_else(|| cookie_value(headers, &cookies.refresh_cookie_name).map(RefreshToken::new));

        let session = self
            .validator()
            .validate_issued_session(&session_token)
            .await?;
        let refresh = match (refresh_token, known_refresh) {
            (Some(token), _) => self.validator().validate_issued_refresh(&token).await?,
            (None, Some(known)) => known,
            (None, None) => return Err(missing(status)),
        };
        Ok(AuthenticationInfo {
            session,
            refresh,
            user: body.user,
            first_seen: body.first_seen.unwrap_or(false),
            cookies,
            idp_response: body.idp_response,
            tenant_sso_id: body.tenant_sso_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn set_cookie_parsing() {
        let mut headers = HeaderMap::new();
        headers.append(SET_COOKIE, HeaderValue::from_static("other=1; Path=/"));
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("DSR=r.e.f; Path=/; HttpOnly; SameSite=Strict"),
        );
        headers.append(SET_COOKIE, HeaderValue::from_static("DS=s.e.s; Max-Age=60"));
        assert_eq!(cookie_value(&headers, "DS").as_deref(), Some("s.e.s"));
        assert_eq!(cookie_value(&headers, "DSR").as_deref(), Some("r.e.f"));
        assert_eq!(cookie_value(&headers, "D"), None);
        let mut cleared = HeaderMap::new();
        cleared.append(SET_COOKIE, HeaderValue::from_static("DS=; Max-Age=0"));
        assert_eq!(cookie_value(&cleared, "DS"), None);
    }

    #[test]
    fn cookie_defaults() {
        let data = CookieData::from_response(&JwtResponse::default());
        assert_eq!(data.path, "/");
        assert_eq!(data.session_cookie_name, "DS");
        assert_eq!(data.refresh_cookie_name, "DSR");
        assert_eq!(data.domain, None);
    }
}
