//! Tenants: `/v1/mgmt/tenant/*` (create, update, delete, load, load all, search, settings).
//!
//! Request lists are `Option`s: `None` leaves the field out (Node's way), `Some(vec![])` sends
//! `[]` (which clears it on update).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::nullable;

/// Body of `POST /v1/mgmt/tenant/create` and `/v1/mgmt/tenant/update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTenantRequest {
    /// The tenant id: set on update and on create with an id; unset, Descope generates one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The tenant's name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Email domains whose users join the tenant when they sign up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_provisioning_domains: Option<Vec<String>>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Whether the tenant's users must sign in by SSO.
    #[serde(
        default,
        rename = "enforceSSO",
        skip_serializing_if = "Option::is_none"
    )]
    pub enforce_sso: Option<bool>,
    /// Login ids exempt from `enforceSSO`.
    #[serde(
        default,
        rename = "enforceSSOExclusions",
        skip_serializing_if = "Option::is_none"
    )]
    pub enforce_sso_exclusions: Option<Vec<String>>,
    /// Federated (SSO) applications the tenant uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_app_ids: Option<Vec<String>>,
    /// Whether the tenant is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// The parent tenant's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// How roles are inherited from the parent (`none`, `userOnly`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_inheritance: Option<String>,
}

/// Answer of `POST /v1/mgmt/tenant/create`: the new tenant's id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantCreated {
    /// The tenant id (generated when the request named none).
    #[serde(default)]
    pub id: String,
}

/// Body of `POST /v1/mgmt/tenant/delete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MgmtTenantDeleteRequest {
    /// The tenant id.
    pub id: String,
    /// Also delete the users that belong to this tenant only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cascade: bool,
}

/// Body of `POST /v1/mgmt/tenant/search`: every criterion given must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTenantSearchRequest {
    /// Tenant ids.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenant_ids: Vec<String>,
    /// Tenant names.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenant_names: Vec<String>,
    /// Self-provisioning domains.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenant_self_provisioning_domains: Vec<String>,
    /// Custom attribute values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// The parent tenant's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_tenant_id: Option<String>,
}

/// A tenant, as `GET /v1/mgmt/tenant`, `/v1/mgmt/tenant/all` and search answer it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// Tenant id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Self-provisioning domains.
    #[serde(default, deserialize_with = "nullable")]
    pub self_provisioning_domains: Vec<String>,
    /// SSO domains: emails of these domains sign in by the tenant's SSO.
    #[serde(default, deserialize_with = "nullable")]
    pub domains: Vec<String>,
    /// Custom attributes.
    #[serde(default, deserialize_with = "nullable")]
    pub custom_attributes: Map<String, Value>,
    /// SSO kind configured: `none`, `saml` or `oidc`.
    #[serde(default, deserialize_with = "nullable")]
    pub auth_type: String,
    /// Creation time (Unix seconds).
    #[serde(default, deserialize_with = "nullable")]
    pub created_time: i64,
    /// Whether the tenant is disabled.
    #[serde(default, deserialize_with = "nullable")]
    pub disabled: bool,
    /// Whether its users must sign in by SSO.
    #[serde(default, rename = "enforceSSO", deserialize_with = "nullable")]
    pub enforce_sso: bool,
    /// Login ids exempt from `enforceSSO`.
    #[serde(
        default,
        rename = "enforceSSOExclusions",
        deserialize_with = "nullable"
    )]
    pub enforce_sso_exclusions: Vec<String>,
    /// Federated applications.
    #[serde(default, deserialize_with = "nullable")]
    pub federated_app_ids: Vec<String>,
    /// Parent tenant id (empty for none).
    #[serde(default, deserialize_with = "nullable")]
    pub parent: String,
    /// Role inheritance from the parent.
    #[serde(default, deserialize_with = "nullable")]
    pub role_inheritance: String,
    /// Ids of the tenants whose parent this is.
    #[serde(default, deserialize_with = "nullable")]
    pub successor_tenant_ids: Vec<String>,
    /// Roles given to new members.
    #[serde(default, deserialize_with = "nullable")]
    pub default_roles: Vec<String>,
}

/// Answer of `GET /v1/mgmt/tenant/all` and `POST /v1/mgmt/tenant/search`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtTenantsResponse {
    /// The tenants.
    #[serde(default, deserialize_with = "nullable")]
    pub tenants: Vec<Tenant>,
}

/// Body of `POST /v1/mgmt/tenant/settings`: only the fields set change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTenantSettingsRequest {
    /// The tenant id.
    pub tenant_id: String,
    /// SSO domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Self-provisioning domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_provisioning_domains: Option<Vec<String>>,
    /// SSO kind: `none`, `saml` or `oidc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// Whether the tenant's own session settings apply (`sessionSettingsEnabled` when read).
    #[serde(
        default,
        alias = "sessionSettingsEnabled",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// Refresh token lifetime, in `refreshTokenExpirationUnit`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expiration: Option<i64>,
    /// `minutes`, `hours`, `days` or `weeks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expiration_unit: Option<String>,
    /// Session token lifetime, in `sessionTokenExpirationUnit`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token_expiration: Option<i64>,
    /// `minutes`, `hours`, `days` or `weeks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token_expiration_unit: Option<String>,
    /// Step-up token lifetime, in `stepupTokenExpirationUnit`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stepup_token_expiration: Option<i64>,
    /// `minutes`, `hours`, `days` or `weeks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stepup_token_expiration_unit: Option<String>,
    /// Whether inactive users are signed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_inactivity: Option<bool>,
    /// Inactivity allowed (Node's type spells it `InactivityTime`).
    #[serde(
        default,
        alias = "InactivityTime",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactivity_time: Option<i64>,
    /// Unit of `inactivityTime` (Node: `InactivityTimeUnit`).
    #[serde(
        default,
        alias = "InactivityTimeUnit",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactivity_time_unit: Option<String>,
    /// Whether SSO just-in-time provisioning is off.
    #[serde(
        default,
        rename = "JITDisabled",
        skip_serializing_if = "Option::is_none"
    )]
    pub jit_disabled: Option<bool>,
    /// Whether users must sign in by SSO.
    #[serde(
        default,
        rename = "enforceSSO",
        skip_serializing_if = "Option::is_none"
    )]
    pub enforce_sso: Option<bool>,
    /// Login ids exempt from `enforceSSO`.
    #[serde(
        default,
        rename = "enforceSSOExclusions",
        skip_serializing_if = "Option::is_none"
    )]
    pub enforce_sso_exclusions: Option<Vec<String>>,
}

/// Answer of `GET /v1/mgmt/tenant/settings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantSettings {
    /// The tenant id.
    #[serde(default, deserialize_with = "nullable")]
    pub tenant_id: String,
    /// SSO domains.
    #[serde(default, deserialize_with = "nullable")]
    pub domains: Vec<String>,
    /// Self-provisioning domains.
    #[serde(default, deserialize_with = "nullable")]
    pub self_provisioning_domains: Vec<String>,
    /// SSO kind: `none`, `saml` or `oidc`.
    #[serde(default, deserialize_with = "nullable")]
    pub auth_type: String,
    /// Whether the tenant's own session settings apply. (Go's SDK reads `enabled`, which
    /// the emulator answers too; the captures name this one.)
    #[serde(default, deserialize_with = "nullable")]
    pub session_settings_enabled: bool,
    /// Refresh token lifetime.
    #[serde(default, deserialize_with = "nullable")]
    pub refresh_token_expiration: i64,
    /// Its unit.
    #[serde(default, deserialize_with = "nullable")]
    pub refresh_token_expiration_unit: String,
    /// Session token lifetime.
    #[serde(default, deserialize_with = "nullable")]
    pub session_token_expiration: i64,
    /// Its unit.
    #[serde(default, deserialize_with = "nullable")]
    pub session_token_expiration_unit: String,
    /// Step-up token lifetime.
    #[serde(default, deserialize_with = "nullable")]
    pub stepup_token_expiration: i64,
    /// Its unit.
    #[serde(default, deserialize_with = "nullable")]
    pub stepup_token_expiration_unit: String,
    /// Whether inactive users are signed out.
    #[serde(default, deserialize_with = "nullable")]
    pub enable_inactivity: bool,
    /// Inactivity allowed.
    #[serde(default, deserialize_with = "nullable")]
    pub inactivity_time: i64,
    /// Its unit.
    #[serde(default, deserialize_with = "nullable")]
    pub inactivity_time_unit: String,
    /// Whether SSO just-in-time provisioning is off.
    #[serde(default, rename = "JITDisabled", deserialize_with = "nullable")]
    pub jit_disabled: bool,
    /// Whether users must sign in by SSO.
    #[serde(default, rename = "enforceSSO", deserialize_with = "nullable")]
    pub enforce_sso: bool,
    /// Login ids exempt from `enforceSSO`.
    #[serde(
        default,
        rename = "enforceSSOExclusions",
        deserialize_with = "nullable"
    )]
    pub enforce_sso_exclusions: Vec<String>,
    /// Federated applications.
    #[serde(default, deserialize_with = "nullable")]
    pub federated_app_ids: Vec<String>,
    /// SSO setup suite settings, as Descope sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_setup_suite_settings: Option<Value>,
}
