//! Session calls over HTTP: refresh, logout, me, tenants, history, access keys.

use descope_types::{
    AccessKey, AccessKeyExchangeRequest, AccessKeyExchangeResponse, AccessKeyLoginOptions,
    JwtResponse, LogoutRequest, MyTenantsRequest, MyTenantsResponse, RefreshRequest, RefreshToken,
    SelectTenantRequest, SessionToken, TenantInfo, UserHistoryEntry, UserHistoryResponse,
    UserResponse,
};

use crate::auth_info::{AuthenticationInfo, CookieData};
use crate::client::{Bearer, Call, Client, Excerpt, require};
use crate::error::{DecodeError, Error, ErrorKind};
use crate::{RefreshSession, Session};

/// Which of the user's tenants [`Client::my_tenants`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantSelection<'a> {
    /// The currently selected tenant (`dct`).
    Current,
    /// These tenant ids (must not be empty).
    Ids(&'a [String]),
}

/// The outcome of [`Client::validate_and_refresh`].
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum SessionStatus {
    /// The session token was valid; nothing was sent.
    Valid(Session),
    /// The session token was not valid, and a refresh produced a new session.
    Refreshed(Box<AuthenticationInfo>),
}

impl SessionStatus {
    /// The valid session, either way.
    pub fn session(&self) -> &Session {
        match self {
            Self::Valid(session) => session,
            Self::Refreshed(info) => &info.session,
        }
    }
}

/// An access key exchanged for a session: [`Client::exchange_access_key`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccessKeyInfo {
    /// The access key's id.
    pub key_id: String,
    /// The validated session issued for the key.
    pub session: Session,
    /// Expiry, unix seconds, when the answer says.
    pub expiration: Option<i64>,
}

fn refresh_bearer(refresh: &RefreshToken) -> Result<Bearer<'_>, Error> {
    require(refresh.secret(), "refresh token is empty")?;
    Ok(Bearer::With(refresh.secret()))
}

impl Client {
    /// Validates a session token locally (signature against the project's keys, expiry,
    /// issuer, `drn: DS`, audience when configured). No request unless the key set must be
    /// fetched.
    pub async fn validate_session(&self, token: &SessionToken) -> Result<Session, Error> {
        self.inner.validator.validate_session(token).await
    }

    /// Validates a refresh token locally, the same way with `drn: DSR`.
    pub async fn validate_refresh(&self, token: &RefreshToken) -> Result<RefreshSession, Error> {
        self.inner.validator.validate_refresh(token).await
    }

    /// Gets a new session token (`POST /v1/auth/refresh`). The refresh token is validated
    /// locally first, as the official SDKs do; when the answer carries no new refresh token
    /// (rotation off) the one sent is kept.
    pub async fn refresh(&self, refresh: &RefreshToken) -> Result<AuthenticationInfo, Error> {
        let bearer = refresh_bearer(refresh)?;
        let refresh_session = self.validate_refresh(refresh).await?;
        let call = Call::post("/v1/auth/refresh", bearer, &RefreshRequest::default())?;
        self.authenticate(call, Some(refresh_session)).await
    }

    /// Validates the session token; when it is not valid (expired, wrong key, ...) refreshes
    /// with the refresh token. Errors other than token validation (such as a failure to
    /// fetch the key set) are returned as they are.
    pub async fn validate_and_refresh(
        &self,
        session: &SessionToken,
        refresh: &RefreshToken,
    ) -> Result<SessionStatus, Error> {
        if !session.is_empty() {
            match self.validate_session(session).await {
                Ok(valid) => return Ok(SessionStatus::Valid(valid)),
                Err(e) if e.kind() == ErrorKind::TokenValidation => {}
                Err(e) => return Err(e),
            }
        }
        let info = self.refresh(refresh).await?;
        Ok(SessionStatus::Refreshed(Box::new(info)))
    }

    async fn logout_at(&self, path: &str, refresh: &RefreshToken) -> Result<CookieData, Error> {
        let call = Call::post(path, refresh_bearer(refresh)?, &LogoutRequest::default())?;
        let response = self.send(call).await?;
        // The answer is a JWT response with empty values; only its cookie data matters.
        let body: JwtResponse = if response.body().is_empty() {
            JwtResponse::default()
        } else {
            crate::client::decode(&response, Excerpt::Never)?
        };
        Ok(CookieData::from_response(&body))
    }

    /// Ends the session of this refresh token (`POST /v1/auth/logout`). Returns the
    /// cookie data to clear `DS`/`DSR` with.
    pub async fn logout(&self, refresh: &RefreshToken) -> Result<CookieData, Error> {
        self.logout_at("/v1/auth/logout", refresh).await
    }

    /// Ends every session of the user (`POST /v1/auth/logoutall`).
    pub async fn logout_all(&self, refresh: &RefreshToken) -> Result<CookieData, Error> {
        self.logout_at("/v1/auth/logoutall", refresh).await
    }

    /// The signed-in user (`GET /v1/auth/me`).
    pub async fn me(&self, refresh: &RefreshToken) -> Result<UserResponse, Error> {
        let call = Call::get("/v1/auth/me", refresh_bearer(refresh)?);
        Ok(self.json(call, Excerpt::Never).await?.0)
    }

    /// Selects a tenant for the session (`POST /v1/auth/tenant/select`): the new session
    /// token carries it as `dct`.
    pub async fn select_tenant(
        &self,
        tenant: &str,
        refresh: &RefreshToken,
    ) -> Result<AuthenticationInfo, Error> {
        require(tenant, "tenant is empty")?;
        let bearer = refresh_bearer(refresh)?;
        let body = SelectTenantRequest {
            tenant: tenant.to_owned(),
        };
        let call = Call::post("/v1/auth/tenant/select", bearer, &body)?;
        self.authenticate(call, None).await
    }

    /// The user's tenants (`POST /v1/auth/me/tenants`): the selected one, or some by id.
    pub async fn my_tenants(
        &self,
        which: TenantSelection<'_>,
        refresh: &RefreshToken,
    ) -> Result<Vec<TenantInfo>, Error> {
        let body = match which {
            TenantSelection::Current => MyTenantsRequest {
                dct: Some(true),
                ids: None,
            },
            TenantSelection::Ids(ids) => {
                if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
                    return Err(Error::invalid_argument("tenant ids are empty"));
                }
                MyTenantsRequest {
                    dct: None,
                    ids: Some(ids.to_vec()),
                }
            }
        };
        let call = Call::post("/v1/auth/me/tenants", refresh_bearer(refresh)?, &body)?;
        let (body, _): (MyTenantsResponse, _) = self.json(call, Excerpt::Allowed).await?;
        Ok(body.tenants)
    }

    /// The user's recent sign-ins (`GET /v1/auth/me/history`).
    pub async fn history(&self, refresh: &RefreshToken) -> Result<Vec<UserHistoryEntry>, Error> {
        let call = Call::get("/v1/auth/me/history", refresh_bearer(refresh)?);
        let (body, _): (UserHistoryResponse, _) = self.json(call, Excerpt::Never).await?;
        Ok(body.0)
    }

    /// Exchanges an access key for a validated session token
    /// (`POST /v1/auth/accesskey/exchange`).
    pub async fn exchange_access_key(
        &self,
        key: &AccessKey,
        options: Option<&AccessKeyLoginOptions>,
    ) -> Result<AccessKeyInfo, Error> {
        require(key.secret(), "access key is empty")?;
        let body = AccessKeyExchangeRequest {
            login_options: options.cloned(),
        };
        let call = Call::post(
            "/v1/auth/accesskey/exchange",
            Bearer::With(key.secret()),
            &body,
        )?;
        let response = self.send(call).await?;
        let status = response.status().as_u16();
        let body: AccessKeyExchangeResponse = crate::client::decode(&response, Excerpt::Never)?;
        if body.session_jwt.is_empty() {
            return Err(Error::decode(DecodeError {
                status,
                excerpt: String::new(),
            }));
        }
        let session = self.validate_session(&body.session_jwt).await?;
        Ok(AccessKeyInfo {
            key_id: body.key_id,
            session,
            expiration: body.expiration,
        })
    }
}
