//! Session calls: validate, refresh, logout, me, tenants, history, access keys.

use descope_types::{
    AccessKey, AccessKeyExchangeRequest, AccessKeyExchangeResponse, AccessKeyLoginOptions,
    JwtResponse, LogoutRequest, MyTenantsRequest, MyTenantsResponse, RefreshRequest, RefreshToken,
    SelectTenantRequest, SessionToken, TenantInfo, UserHistoryEntry, UserHistoryResponse,
    UserResponse,
};

use crate::auth_info::{AuthenticationInfo, CookieData};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, DecodeError, Error, ErrorKind};
use crate::pipeline::{Bearer, Excerpt, Request, decode, require};
use crate::session::{RefreshSession, Session};

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
    require(refresh.secret(), Argument::RefreshToken)?;
    Ok(Bearer::Refresh(refresh.secret()))
}

impl Client {
    /// Validates a session token locally (signature against the project's keys, expiry,
    /// issuer, `drn: DS`, audience when configured). No request unless the key set must be
    /// fetched.
    pub async fn validate_session(&self, token: &SessionToken) -> Result<Session, Error> {
        self.validator().validate_session(token).await
    }

    /// Validates a refresh token locally, the same way with `drn: DSR`.
    pub async fn validate_refresh(&self, token: &RefreshToken) -> Result<RefreshSession, Error> {
        self.validator().validate_refresh(token).await
    }

    /// Gets a new session token (`POST /v1/auth/refresh`). The refresh token is validated
    /// locally first, as the official SDKs do; when the answer carries no new refresh token
    /// (rotation off) the one sent is kept. With rotation on the call spends the refresh
    /// token, so it is never resent once it may have reached Descope.
    pub fn refresh(&self, refresh: &RefreshToken) -> Refresh<'_> {
        Refresh {
            client: self,
            refresh: refresh.clone(),
            call: CallOptions::one_time(),
        }
    }

    /// Validates the session token; when it is not valid (expired, wrong key, ...) refreshes
    /// with the refresh token. Errors other than token validation (such as a failure to
    /// fetch the key set) are returned as they are.
    pub fn validate_and_refresh(
        &self,
        session: &SessionToken,
        refresh: &RefreshToken,
    ) -> ValidateAndRefresh<'_> {
        ValidateAndRefresh {
            session: session.clone(),
            refresh: self.refresh(refresh),
        }
    }

    /// Ends the session of this refresh token (`POST /v1/auth/logout`). The answer is the
    /// cookie data to clear `DS`/`DSR` with.
    pub fn logout(&self, refresh: &RefreshToken) -> Logout<'_> {
        Logout::new(self, "/v1/auth/logout", refresh)
    }

    /// Ends every session of the user (`POST /v1/auth/logoutall`).
    pub fn logout_all(&self, refresh: &RefreshToken) -> Logout<'_> {
        Logout::new(self, "/v1/auth/logoutall", refresh)
    }

    /// The signed-in user (`GET /v1/auth/me`).
    pub fn me(&self, refresh: &RefreshToken) -> Me<'_> {
        Me {
            client: self,
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// The user's recent sign-ins (`GET /v1/auth/me/history`).
    pub fn history(&self, refresh: &RefreshToken) -> History<'_> {
        History {
            client: self,
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// Selects a tenant for the session (`POST /v1/auth/tenant/select`): the new session
    /// token carries it as `dct`.
    pub fn select_tenant(
        &self,
        tenant: impl Into<String>,
        refresh: &RefreshToken,
    ) -> SelectTenant<'_> {
        SelectTenant {
            client: self,
            tenant: tenant.into(),
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// The user's tenants (`POST /v1/auth/me/tenants`): the selected one (`dct`), or
    /// [`ids`](MyTenants::ids) to ask for some by id.
    pub fn my_tenants(&self, refresh: &RefreshToken) -> MyTenants<'_> {
        MyTenants {
            client: self,
            refresh: refresh.clone(),
            ids: None,
            call: CallOptions::new(),
        }
    }

    /// Exchanges an access key for a validated session token
    /// (`POST /v1/auth/accesskey/exchange`).
    pub fn exchange_access_key(&self, key: &AccessKey) -> AccessKeyExchange<'_> {
        AccessKeyExchange {
            client: self,
            key: key.clone(),
            login_options: None,
            call: CallOptions::new(),
        }
    }
}

/// A refresh: [`Client::refresh`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct Refresh<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    call: CallOptions,
}

impl Refresh<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        let bearer = refresh_bearer(&self.refresh)?;
        let refresh_session = self.client.validate_refresh(&self.refresh).await?;
        let request = Request::post("/v1/auth/refresh", bearer, &RefreshRequest::default())?
            .options(self.call.request_options());
        self.client
            .authenticate(request, Some(refresh_session))
            .await
    }
}

operation!(Refresh => AuthenticationInfo);

/// Validate, else refresh: [`Client::validate_and_refresh`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct ValidateAndRefresh<'a> {
    session: SessionToken,
    /// The refresh call, sent only when the session token is not valid.
    refresh: Refresh<'a>,
}

impl ValidateAndRefresh<'_> {
    /// The time allowed for each attempt of the refresh, if one is sent.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.refresh = self.refresh.timeout(timeout);
        self
    }

    /// Whether a failed refresh attempt may be sent again (see [`Refresh::retries`]).
    pub fn retries(mut self, enabled: bool) -> Self {
        self.refresh = self.refresh.retries(enabled);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<SessionStatus, Error> {
        if !self.session.is_empty() {
            match self.refresh.client.validate_session(&self.session).await {
                Ok(valid) => return Ok(SessionStatus::Valid(valid)),
                Err(e) if e.kind() == ErrorKind::TokenValidation => {}
                Err(e) => return Err(e),
            }
        }
        let info = self.refresh.send().await?;
        Ok(SessionStatus::Refreshed(Box::new(info)))
    }
}

impl<'a> std::future::IntoFuture for ValidateAndRefresh<'a> {
    type Output = Result<SessionStatus, Error>;
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A logout: [`Client::logout`] and [`Client::logout_all`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct Logout<'a> {
    client: &'a Client,
    path: &'static str,
    refresh: RefreshToken,
    call: CallOptions,
}

impl<'a> Logout<'a> {
    fn new(client: &'a Client, path: &'static str, refresh: &RefreshToken) -> Self {
        Self {
            client,
            path,
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// Sends the call.
    pub async fn send(self) -> Result<CookieData, Error> {
        let request = Request::post(
            self.path,
            refresh_bearer(&self.refresh)?,
            &LogoutRequest::default(),
        )?
        .options(self.call.request_options());
        let response = self.client.pipeline().send(request).await?;
        // The answer is a JWT response with empty values; only its cookie data matters.
        let body: JwtResponse = if response.body().is_empty() {
            JwtResponse::default()
        } else {
            decode(&response, Excerpt::Never)?
        };
        Ok(CookieData::from_response(&body))
    }
}

operation!(Logout => CookieData);

/// The signed-in user: [`Client::me`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct Me<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    call: CallOptions,
}

impl Me<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<UserResponse, Error> {
        let request = Request::get("/v1/auth/me", refresh_bearer(&self.refresh)?)
            .options(self.call.request_options());
        Ok(self.client.pipeline().json(request).await?.value)
    }
}

operation!(Me => UserResponse);

/// The user's sign-in history: [`Client::history`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct History<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    call: CallOptions,
}

impl History<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<Vec<UserHistoryEntry>, Error> {
        let request = Request::get("/v1/auth/me/history", refresh_bearer(&self.refresh)?)
            .options(self.call.request_options());
        let decoded = self
            .client
            .pipeline()
            .json::<UserHistoryResponse>(request)
            .await?;
        Ok(decoded.value.0)
    }
}

operation!(History => Vec<UserHistoryEntry>);

/// A tenant selection: [`Client::select_tenant`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SelectTenant<'a> {
    client: &'a Client,
    tenant: String,
    refresh: RefreshToken,
    call: CallOptions,
}

impl SelectTenant<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.tenant, Argument::Tenant)?;
        let bearer = refresh_bearer(&self.refresh)?;
        let body = SelectTenantRequest {
            tenant: self.tenant.clone(),
        };
        let request = Request::post("/v1/auth/tenant/select", bearer, &body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(SelectTenant => AuthenticationInfo);

/// The user's tenants: [`Client::my_tenants`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MyTenants<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    ids: Option<Vec<String>>,
    call: CallOptions,
}

impl MyTenants<'_> {
    /// Asks for these tenants (by id) instead of the selected one.
    pub fn ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<Vec<TenantInfo>, Error> {
        let body = match &self.ids {
            None => MyTenantsRequest {
                dct: Some(true),
                ids: None,
            },
            Some(ids) => {
                if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
                    return Err(Error::empty(Argument::TenantIds));
                }
                MyTenantsRequest {
                    dct: None,
                    ids: Some(ids.clone()),
                }
            }
        };
        let request = Request::post("/v1/auth/me/tenants", refresh_bearer(&self.refresh)?, &body)?
            .options(self.call.request_options())
            .excerpt_allowed();
        let decoded = self
            .client
            .pipeline()
            .json::<MyTenantsResponse>(request)
            .await?;
        Ok(decoded.value.tenants)
    }
}

operation!(MyTenants => Vec<TenantInfo>);

/// An access-key exchange: [`Client::exchange_access_key`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct AccessKeyExchange<'a> {
    client: &'a Client,
    key: AccessKey,
    login_options: Option<AccessKeyLoginOptions>,
    call: CallOptions,
}

impl AccessKeyExchange<'_> {
    /// Custom claims and a tenant to select in the issued session.
    pub fn login_options(mut self, options: AccessKeyLoginOptions) -> Self {
        self.login_options = Some(options);
        self
    }

    /// Extra claims for the issued session JWT (`loginOptions.customClaims`).
    pub fn custom_claims(mut self, claims: serde_json::Map<String, serde_json::Value>) -> Self {
        self.login_options
            .get_or_insert_with(AccessKeyLoginOptions::default)
            .custom_claims = Some(claims);
        self
    }

    /// The tenant to select in the issued session (`loginOptions.selectedTenant`; the key
    /// must belong to it).
    pub fn selected_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.login_options
            .get_or_insert_with(AccessKeyLoginOptions::default)
            .selected_tenant = Some(tenant_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AccessKeyInfo, Error> {
        require(self.key.secret(), Argument::AccessKey)?;
        let body = AccessKeyExchangeRequest {
            login_options: self.login_options.clone(),
        };
        let request = Request::post(
            "/v1/auth/accesskey/exchange",
            Bearer::AccessKey(self.key.secret()),
            &body,
        )?
        .options(self.call.request_options());
        let decoded = self
            .client
            .pipeline()
            .json::<AccessKeyExchangeResponse>(request)
            .await?;
        let body = decoded.value;
        if body.session_jwt.is_empty() {
            return Err(Error::decode(DecodeError::new(decoded.status)));
        }
        let session = self
            .client
            .validator()
            .validate_issued_session(&body.session_jwt)
            .await?;
        Ok(AccessKeyInfo {
            key_id: body.key_id,
            session,
            expiration: body.expiration,
        })
    }
}

operation!(AccessKeyExchange => AccessKeyInfo);
