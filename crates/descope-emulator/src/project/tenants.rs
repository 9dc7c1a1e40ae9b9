//! What management keeps about a tenant beyond its seed fields: the tenant settings, the SSO
//! provider and its mappings. Keyed by tenant id in `State::tenant_extras`, which holds at
//! most one entry per tenant (entries go with their tenant), so `MAX_TENANTS` bounds it.

use descope_types::{RoleMapping, SsoOidcSettings, SsoSamlSettingsResponse, TenantSettings};

/// Tenants a project holds (seeded and created); creating one more fails with
/// `ApiError::tenants_full`.
pub(crate) const MAX_TENANTS: usize = 1 << 12;

/// Management-only fields of a tenant.
#[derive(Debug, Clone, Default)]
pub(crate) struct TenantExtra {
    /// Unix seconds (0 for seeded tenants).
    pub(crate) created_time: i64,
    pub(crate) self_provisioning_domains: Vec<String>,
    pub(crate) enforce_sso: bool,
    pub(crate) enforce_sso_exclusions: Vec<String>,
    pub(crate) federated_app_ids: Vec<String>,
    pub(crate) disabled: bool,
    pub(crate) parent: String,
    pub(crate) role_inheritance: String,
    /// Session settings and `authType` as last written (domains live on the tenant).
    pub(crate) settings: TenantSettings,
    pub(crate) saml: Option<SsoSamlSettingsResponse>,
    /// Without the client secret, which is never read back.
    pub(crate) oidc: Option<SsoOidcSettings>,
    pub(crate) role_mappings: Vec<RoleMapping>,
    /// Roles every user signing in by this tenant's SSO gets in it.
    pub(crate) default_sso_roles: Vec<String>,
}

impl TenantExtra {
    /// `saml`, `oidc`, or what the settings say (`none` by default).
    pub(crate) fn auth_type(&self) -> String {
        if self.saml.is_some() {
            "saml".to_owned()
        } else if self.oidc.is_some() {
            "oidc".to_owned()
        } else if self.settings.auth_type.is_empty() {
            "none".to_owned()
        } else {
            self.settings.auth_type.clone()
        }
    }
}
