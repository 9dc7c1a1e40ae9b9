//! JWT: `client.management().jwt()`: re-issuing a session JWT with custom claims,
//! impersonation, and sessions issued by the management API.

use descope_types::{
    JwtResponse, MgmtImpersonateRequest, MgmtJwtResponse, MgmtJwtUpdateRequest, MgmtSignInRequest,
    MgmtSignUpRequest, MgmtSignUpUser, MgmtStopImpersonationRequest, SessionToken,
};
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};
use crate::session::Session;

/// The management JWT calls; see [`Management::jwt`](super::Management::jwt).
#[derive(Debug, Clone, Copy)]
pub struct Jwt<'a> {
    client: &'a Client,
}

impl<'a> Jwt<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Re-issues a session JWT with more claims (`POST /v1/mgmt/jwt/update`). The answer is
    /// validated locally like any session token.
    pub fn update(&self, jwt: &SessionToken) -> UpdateJwt<'a> {
        UpdateJwt {
            client: self.client,
            body: MgmtJwtUpdateRequest {
                jwt: jwt.clone(),
                custom_claims: None,
                refresh_duration: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Signs in as `login_id` on behalf of `impersonator_id` (a user id holding the
    /// `Impersonate` permission) (`POST /v1/mgmt/impersonate`). The session JWT carries the
    /// impersonator in its `act` claim.
    pub fn impersonate(
        &self,
        impersonator_id: impl Into<String>,
        login_id: impl Into<String>,
    ) -> Impersonate<'a> {
        Impersonate {
            client: self.client,
            body: MgmtImpersonateRequest {
                impersonator_id: impersonator_id.into(),
                login_id: login_id.into(),
                ..MgmtImpersonateRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Ends an impersonation (`POST /v1/mgmt/stop/impersonation`): a session JWT of the
    /// impersonator again.
    pub fn stop_impersonation(&self, jwt: &SessionToken) -> StopImpersonation<'a> {
        StopImpersonation {
            client: self.client,
            body: MgmtStopImpersonationRequest {
                jwt: jwt.clone(),
                ..MgmtStopImpersonationRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Signs an existing user in without any credential (`POST /v1/mgmt/auth/signin`): a
    /// full session (its refresh token works with
    /// [`Client::refresh`](crate::Client::refresh)).
    pub fn sign_in(&self, login_id: impl Into<String>) -> MgmtSignIn<'a> {
        MgmtSignIn {
            client: self.client,
            body: MgmtSignInRequest {
                login_id: login_id.into(),
                ..MgmtSignInRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Creates a user and signs them in (`POST /v1/mgmt/auth/signup`).
    pub fn sign_up(&self, login_id: impl Into<String>) -> MgmtSignUp<'a> {
        self.sign_up_at("/v1/mgmt/auth/signup", login_id.into())
    }

    /// Signs a user in, creating them first if needed (`POST /v1/mgmt/auth/signup-in`).
    pub fn sign_up_or_in(&self, login_id: impl Into<String>) -> MgmtSignUp<'a> {
        self.sign_up_at("/v1/mgmt/auth/signup-in", login_id.into())
    }

    fn sign_up_at(&self, path: &'static str, login_id: String) -> MgmtSignUp<'a> {
        MgmtSignUp {
            client: self.client,
            path,
            body: MgmtSignUpRequest {
                login_id,
                ..MgmtSignUpRequest::default()
            },
            user: MgmtSignUpUser::default(),
            call: CallOptions::new(),
        }
    }
}

/// Setters shared by every builder whose body has `customClaims` and `refreshDuration`.
macro_rules! claims_setters {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Adds a custom claim to the session JWT (reserved claims such as `sub` or
            /// `exp` are ignored by Descope).
            pub fn custom_claim(
                mut self,
                name: impl Into<String>,
                value: impl Into<Value>,
            ) -> Self {
                self.body
                    .custom_claims
                    .get_or_insert_with(Map::new)
                    .insert(name.into(), value.into());
                self
            }

            /// Adds custom claims to the session JWT.
            pub fn custom_claims(mut self, claims: Map<String, Value>) -> Self {
                self.body
                    .custom_claims
                    .get_or_insert_with(Map::new)
                    .extend(claims);
                self
            }

            /// Lifetime of the issued session, seconds (default: the project's).
            pub fn refresh_duration(mut self, seconds: u64) -> Self {
                self.body.refresh_duration = Some(seconds);
                self
            }
        }
    };
}

/// Sends a call answering `{"jwt": ...}` and validates the session JWT.
async fn jwt_call(
    client: &Client,
    call: &CallOptions,
    path: &'static str,
    body: &impl serde::Serialize,
) -> Result<Session, Error> {
    let answer: MgmtJwtResponse = client
        .management_call(call, |bearer| Request::post(path, bearer, body))
        .await?;
    require(answer.jwt.secret(), Argument::SessionToken)?;
    client
        .validator()
        .validate_issued_session(&answer.jwt)
        .await
}

/// Sends a call answering a JWT response and validates both tokens.
async fn auth_call(
    client: &Client,
    call: &CallOptions,
    path: &'static str,
    body: &impl serde::Serialize,
) -> Result<AuthenticationInfo, Error> {
    let answer: JwtResponse = client
        .management_call(call, |bearer| Request::post(path, bearer, body))
        .await?;
    // The management answer is JSON only: no cookies to read.
    client
        .authentication_info(answer, 200, &HeaderMap::new(), None)
        .await
}

/// Re-issuing a session JWT: [`Jwt::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UpdateJwt<'a> {
    client: &'a Client,
    body: MgmtJwtUpdateRequest,
    call: CallOptions,
}

claims_setters!(UpdateJwt);

impl UpdateJwt<'_> {
    /// Sends the call; returns the new session, validated.
    pub async fn send(self) -> Result<Session, Error> {
        require(self.body.jwt.secret(), Argument::SessionToken)?;
        jwt_call(self.client, &self.call, "/v1/mgmt/jwt/update", &self.body).await
    }
}

operation!(UpdateJwt => Session);

/// An impersonation: [`Jwt::impersonate`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct Impersonate<'a> {
    client: &'a Client,
    body: MgmtImpersonateRequest,
    call: CallOptions,
}

claims_setters!(Impersonate);

impl Impersonate<'_> {
    /// Whether the impersonated user must have consented to impersonation (default
    /// `false`).
    pub fn validate_consent(mut self, validate: bool) -> Self {
        self.body.validate_consent = validate;
        self
    }

    /// Selects a tenant in the session JWT (`dct`).
    pub fn selected_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.body.selected_tenant = Some(tenant_id.into());
        self
    }

    /// Sends the call; returns the impersonation session, validated.
    pub async fn send(self) -> Result<Session, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        jwt_call(self.client, &self.call, "/v1/mgmt/impersonate", &self.body).await
    }
}

operation!(Impersonate => Session);

/// Ending an impersonation: [`Jwt::stop_impersonation`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct StopImpersonation<'a> {
    client: &'a Client,
    body: MgmtStopImpersonationRequest,
    call: CallOptions,
}

claims_setters!(StopImpersonation);

impl StopImpersonation<'_> {
    /// Selects a tenant in the session JWT (`dct`).
    pub fn selected_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.body.selected_tenant = Some(tenant_id.into());
        self
    }

    /// Sends the call; returns the impersonator's session, validated.
    pub async fn send(self) -> Result<Session, Error> {
        require(self.body.jwt.secret(), Argument::SessionToken)?;
        jwt_call(
            self.client,
            &self.call,
            "/v1/mgmt/stop/impersonation",
            &self.body,
        )
        .await
    }
}

operation!(StopImpersonation => Session);

/// A management sign-in: [`Jwt::sign_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MgmtSignIn<'a> {
    client: &'a Client,
    body: MgmtSignInRequest,
    call: CallOptions,
}

claims_setters!(MgmtSignIn);

impl MgmtSignIn<'_> {
    /// Step-up of the session in [`jwt`](Self::jwt).
    pub fn stepup(mut self, stepup: bool) -> Self {
        self.body.stepup = Some(stepup);
        self
    }

    /// MFA on top of the session in [`jwt`](Self::jwt).
    pub fn mfa(mut self, mfa: bool) -> Self {
        self.body.mfa = Some(mfa);
        self
    }

    /// Revokes the user's other sessions.
    pub fn revoke_other_sessions(mut self, revoke: bool) -> Self {
        self.body.revoke_other_sessions = Some(revoke);
        self
    }

    /// The user's current session JWT (for step-up or MFA).
    pub fn jwt(mut self, jwt: &SessionToken) -> Self {
        self.body.jwt = Some(jwt.clone());
        self
    }

    /// Sends the call; returns the new session.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        auth_call(self.client, &self.call, "/v1/mgmt/auth/signin", &self.body).await
    }
}

operation!(MgmtSignIn => AuthenticationInfo);

/// A management sign-up (or sign-up-or-in): [`Jwt::sign_up`], [`Jwt::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MgmtSignUp<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtSignUpRequest,
    user: MgmtSignUpUser,
    call: CallOptions,
}

claims_setters!(MgmtSignUp);

impl MgmtSignUp<'_> {
    /// Display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.user.name = Some(name.into());
        self
    }

    /// Given name.
    pub fn given_name(mut self, name: impl Into<String>) -> Self {
        self.user.given_name = Some(name.into());
        self
    }

    /// Middle name.
    pub fn middle_name(mut self, name: impl Into<String>) -> Self {
        self.user.middle_name = Some(name.into());
        self
    }

    /// Family name.
    pub fn family_name(mut self, name: impl Into<String>) -> Self {
        self.user.family_name = Some(name.into());
        self
    }

    /// Phone (E.164).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.user.phone = Some(phone.into());
        self
    }

    /// Email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.user.email = Some(email.into());
        self
    }

    /// Marks the email verified (or not).
    pub fn email_verified(mut self, verified: bool) -> Self {
        self.user.email_verified = Some(verified);
        self
    }

    /// Marks the phone verified (or not).
    pub fn phone_verified(mut self, verified: bool) -> Self {
        self.user.phone_verified = Some(verified);
        self
    }

    /// The SSO application the user signs up to.
    pub fn sso_app_id(mut self, id: impl Into<String>) -> Self {
        self.user.sso_app_id = Some(id.into());
        self
    }

    /// Sends the call; returns the new session.
    pub async fn send(mut self) -> Result<AuthenticationInfo, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        if !self.user.is_empty() {
            self.body.user = Some(self.user.clone());
        }
        auth_call(self.client, &self.call, self.path, &self.body).await
    }
}

operation!(MgmtSignUp => AuthenticationInfo);
