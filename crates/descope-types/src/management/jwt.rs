//! Management JWT wire types: updating a session JWT, impersonation, and management-issued
//! sessions (`/v1/mgmt/auth/signin`, `/signup`, `/signup-in`).
//!
//! Every field but the login id is optional: the Python SDK sends unset ones as `null`, the
//! Node SDK leaves them out, and both parse here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::SessionToken;

/// Body of `POST /v1/mgmt/jwt/update`: a session JWT to re-issue with more claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtJwtUpdateRequest {
    /// The session JWT to re-issue.
    #[serde(default)]
    pub jwt: SessionToken,
    /// Claims to add (reserved claims such as `sub` or `exp` are ignored by Descope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// Lifetime of the new session JWT, seconds (`0` or absent: the project's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_duration: Option<u64>,
}

/// Body of `POST /v1/mgmt/impersonate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtImpersonateRequest {
    /// The user doing the impersonation (a user id); must hold the `Impersonate` permission.
    #[serde(default)]
    pub impersonator_id: String,
    /// The user to impersonate (a login id).
    #[serde(default)]
    pub login_id: String,
    /// Whether the impersonated user must have consented.
    #[serde(default)]
    pub validate_consent: bool,
    /// Claims to add to the new session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// The tenant to select (`dct`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_tenant: Option<String>,
    /// Lifetime of the new session JWT, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_duration: Option<u64>,
    /// Step-up (Python SDK only; Node uses `/v1/mgmt/impersonate/stepup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stepup: Option<bool>,
}

/// Body of `POST /v1/mgmt/stop/impersonation`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtStopImpersonationRequest {
    /// The impersonation session JWT (the one carrying `act`).
    #[serde(default)]
    pub jwt: SessionToken,
    /// Claims to add to the new session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// The tenant to select (`dct`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_tenant: Option<String>,
    /// Lifetime of the new session JWT, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_duration: Option<u64>,
}

/// Answer of the JWT update and impersonation calls: `{"jwt": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtJwtResponse {
    /// The new session JWT.
    #[serde(default)]
    pub jwt: SessionToken,
}

/// Body of `POST /v1/mgmt/auth/signin` (the Python SDK's `MgmtLoginOptions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtSignInRequest {
    /// The user's login id.
    #[serde(default)]
    pub login_id: String,
    /// Step-up of the session in `jwt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stepup: Option<bool>,
    /// MFA on top of the session in `jwt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Revoke the user's other sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions: Option<bool>,
    /// Claims to add to the session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// The current session JWT (for step-up or MFA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<SessionToken>,
    /// Lifetime of the session, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_duration: Option<u64>,
}

/// The new user of a management sign-up (`user` of `/v1/mgmt/auth/signup` and `/signup-in`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtSignUpUser {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Phone (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Whether the phone is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// SSO application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_app_id: Option<String>,
}

impl MgmtSignUpUser {
    /// Whether no field is set (the request then leaves `user` out, as the Node SDK does).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Body of `POST /v1/mgmt/auth/signup` and `/v1/mgmt/auth/signup-in`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtSignUpRequest {
    /// The new user's login id.
    #[serde(default)]
    pub login_id: String,
    /// Details of the new user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<MgmtSignUpUser>,
    /// Claims to add to the session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// Lifetime of the session, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_duration: Option<u64>,
    /// Python repeats `user.emailVerified` here.
    #[serde(default, skip_serializing)]
    pub email_verified: Option<bool>,
    /// Python repeats `user.phoneVerified` here.
    #[serde(default, skip_serializing)]
    pub phone_verified: Option<bool>,
    /// Python repeats `user.ssoAppId` here.
    #[serde(default, skip_serializing)]
    pub sso_app_id: Option<String>,
}
