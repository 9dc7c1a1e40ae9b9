//! The user object (`user` in a [`JwtResponse`](crate::JwtResponse), the body of `/v1/auth/me`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user's tenant membership.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTenant {
    /// Tenant id.
    #[serde(default)]
    pub tenant_id: String,
    /// Tenant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_name: Option<String>,
    /// Roles in the tenant.
    #[serde(default)]
    pub role_names: Vec<String>,
    /// Permissions in the tenant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
}

/// A Descope user, with the wire's exact casing: `TOTP`, `SAML`, `OAuth`, `SCIM`, `OIDC`
/// upper-case; `webauthn`, `password` lower-case. (Go's lower-case tags are accepted too.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    /// Login ids (email, phone, username...).
    #[serde(default)]
    pub login_ids: Vec<String>,
    /// The user id (`sub` of the user's tokens).
    #[serde(default)]
    pub user_id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Whether the phone is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// Project-level roles.
    #[serde(default)]
    pub role_names: Vec<String>,
    /// Tenant memberships.
    #[serde(default)]
    pub user_tenants: Vec<UserTenant>,
    /// `enabled`, `disabled` or `invited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// External ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Whether this is a test user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<bool>,
    /// Custom attributes, arbitrary JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Creation time, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<i64>,
    /// Last modification, unix seconds (Go only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_time: Option<i64>,
    /// Whether the user has TOTP set up.
    #[serde(
        rename = "TOTP",
        alias = "totp",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub totp: Option<bool>,
    /// Whether the user signed in with SAML.
    #[serde(
        rename = "SAML",
        alias = "saml",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub saml: Option<bool>,
    /// OAuth providers used, by name.
    #[serde(
        rename = "OAuth",
        alias = "oauth",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth: Option<BTreeMap<String, bool>>,
    /// Whether the user is provisioned by SCIM.
    #[serde(
        rename = "SCIM",
        alias = "scim",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub scim: Option<bool>,
    /// Whether the user signed in with OIDC SSO.
    #[serde(
        rename = "OIDC",
        alias = "oidc",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oidc: Option<bool>,
    /// Whether the user has a passkey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webauthn: Option<bool>,
    /// Whether the user has a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<bool>,
    /// Whether push is set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<bool>,
    /// SSO application ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sso_app_ids: Vec<String>,
    /// Whether the user can be edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
    /// Project-level permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
    /// Consent expiry, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_expiration: Option<i64>,
    /// Recovery email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_email: Option<String>,
    /// Whether the recovery email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_recovery_email: Option<bool>,
    /// Recovery phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_phone: Option<String>,
    /// Whether the recovery phone is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_recovery_phone: Option<bool>,
}
