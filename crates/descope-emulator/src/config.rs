//! Configuration: [`EmulatorConfig`] and the seed data every project starts from.
//!
//! A config file (TOML or JSON) has the same shape as [`EmulatorConfig`]; every field is
//! optional. See `docs/emulator.md` for an example.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use descope_types::{AccessKey, ManagementKey, PasswordPolicy, ProjectId, TotpKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{EmulatorError, EmulatorErrorKind};

/// The demo seed's management key (printed at start-up as `management key: <key>`).
pub const DEMO_MANAGEMENT_KEY: &str = "K2EmulatorManagementKey0001";

/// The default project id (28 characters, so SDKs derive no region from it).
pub const DEFAULT_PROJECT_ID: &str = "P2EmulatorDefaultProject0000";

/// How the emulator behaves. Every field has a default ([`EmulatorConfig::default`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// The default project: used when a control request names none, and reported by
    /// [`Emulator::project_id`](crate::Emulator::project_id).
    pub project_id: String,
    /// Further project ids known up front (any id is served unless `strict_projects`).
    pub projects: Vec<String>,
    /// Serve only `project_id` and `projects`; other ids get a 401.
    pub strict_projects: bool,
    /// Address to listen on. `None`: `127.0.0.1:0` (loopback, any free port).
    pub listen: Option<SocketAddr>,
    /// Host names the control API (`/emulator/*`) answers besides loopback ones and the
    /// `listen` address, e.g. a docker-compose service name. Requests naming other hosts get
    /// a 403 (a defence against DNS rebinding).
    pub control_hosts: Vec<String>,
    /// Session JWT lifetime in seconds (default 600).
    pub session_ttl_seconds: u64,
    /// Refresh JWT lifetime in seconds (default 4 weeks).
    pub refresh_ttl_seconds: u64,
    /// Issue a new refresh JWT on every refresh and revoke the old one.
    pub refresh_rotation: bool,
    /// Lifetime of OAuth/SSO exchange codes, redirect flows and native states (default 300).
    pub code_ttl_seconds: u64,
    /// Serve an HTML sign-in page at the provider/IdP URL instead of redirecting at once.
    pub interactive: bool,
    /// `aud` claim of session JWTs; none when unset.
    pub audience: Option<String>,
    /// Where OAuth/SSO flows return when the start call names no `redirectURL`.
    pub default_redirect_url: String,
    /// Issuer shown in TOTP provisioning URLs.
    pub totp_issuer: String,
    /// Wrong TOTP codes in a row before `E061103` (default 5).
    pub totp_max_failures: u32,
    /// Seconds a TOTP lockout lasts after the last failure (default 300).
    pub totp_lockout_seconds: u64,
    /// Where magic links and password-reset links lead when the call names no URL (default
    /// `http://localhost:3000/verify`); the token is added as `t`.
    pub magic_link_redirect_url: String,
    /// Lifetime of magic-link and password-reset tokens in seconds (default 600).
    pub magic_link_ttl_seconds: u64,
    /// The password policy sign-up, replace and update enforce, and
    /// `GET /v1/auth/password/policy` answers.
    pub password_policy: PasswordPolicy,
    /// Wrong passwords in a row before the password is locked until a reset (default 5).
    pub password_max_failures: u32,
    /// Seconds a rotated-out signing key stays in the JWKS when the rotate call names no
    /// `graceSeconds` (default 3600).
    pub key_grace_seconds: u64,
    /// Maximum request body size in bytes (default 64 KiB); larger bodies get a 413.
    pub max_body_bytes: usize,
    /// Optional per-client-IP rate limit on the Descope endpoints.
    pub rate_limit: Option<RateLimit>,
    /// The WebAuthn relying party (passkeys): RP id, name and the origins allowed.
    pub webauthn: WebAuthnConfig,
    /// Users, tenants, roles and access keys every project starts with (and returns to on
    /// reset). Defaults to [`Seed::demo`].
    pub seed: Seed,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            projects: Vec::new(),
            strict_projects: false,
            listen: None,
            control_hosts: Vec::new(),
            session_ttl_seconds: 600,
            refresh_ttl_seconds: 4 * 7 * 24 * 3600,
            refresh_rotation: false,
            code_ttl_seconds: 300,
            interactive: false,
            audience: None,
            default_redirect_url: "http://localhost:3000/auth/callback".to_owned(),
            totp_issuer: "Descope".to_owned(),
            totp_max_failures: 5,
            totp_lockout_seconds: 300,
            magic_link_redirect_url: "http://localhost:3000/verify".to_owned(),
            magic_link_ttl_seconds: 600,
            password_policy: PasswordPolicy {
                min_length: 8,
                lowercase: true,
                uppercase: true,
                number: true,
                non_alphanumeric: false,
            },
            password_max_failures: 5,
            key_grace_seconds: 3600,
            max_body_bytes: 64 * 1024,
            rate_limit: None,
            webauthn: WebAuthnConfig::default(),
            seed: Seed::demo(),
        }
    }
}

impl EmulatorConfig {
    /// Parses a TOML config.
    pub fn from_toml_str(text: &str) -> Result<Self, EmulatorError> {
        toml::from_str(text).map_err(|e| {
            EmulatorError::new(
                EmulatorErrorKind::Config,
                format!("invalid TOML config: {e}"),
            )
        })
    }

    /// Parses a JSON config.
    pub fn from_json_str(text: &str) -> Result<Self, EmulatorError> {
        serde_json::from_str(text).map_err(|e| {
            EmulatorError::new(
                EmulatorErrorKind::Config,
                format!("invalid JSON config: {e}"),
            )
        })
    }

    /// Reads a config file: JSON when the name ends in `.json`, TOML otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, EmulatorError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            EmulatorError::with_source(
                EmulatorErrorKind::Config,
                format!("cannot read config file {}", path.display()),
                e,
            )
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::from_json_str(&text)
        } else {
            Self::from_toml_str(&text)
        }
    }

    /// Checks the values that would make the emulator misbehave.
    pub fn validate(&self) -> Result<(), EmulatorError> {
        let fail = |m: &str| Err(EmulatorError::new(EmulatorErrorKind::Config, m));
        // Exactly as written: ids are compared verbatim with the ones requests carry.
        let valid = |id: &str| ProjectId::new(id).is_ok_and(|p| p.as_str() == id);
        if !valid(&self.project_id) {
            return fail("project_id must be 1-128 characters of A-Z a-z 0-9 _ - .");
        }
        if let Some(bad) = self.projects.iter().find(|p| !valid(p)) {
            return Err(EmulatorError::new(
                EmulatorErrorKind::Config,
                format!("invalid project id in projects: {bad:?}"),
            ));
        }
        if let Some(bad) = self.control_hosts.iter().find(|h| {
            h.is_empty()
                || !h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }) {
            return Err(EmulatorError::new(
                EmulatorErrorKind::Config,
                format!("control_hosts takes host names without ports: {bad:?}"),
            ));
        }
        if self.session_ttl_seconds == 0 || self.refresh_ttl_seconds == 0 {
            return fail("token lifetimes must be positive");
        }
        if self.code_ttl_seconds == 0 {
            return fail("code_ttl_seconds must be positive");
        }
        if self.magic_link_ttl_seconds == 0 {
            return fail("magic_link_ttl_seconds must be positive");
        }
        if self.password_max_failures == 0 {
            return fail("password_max_failures must be positive");
        }
        if self.totp_max_failures == 0 {
            return fail("totp_max_failures must be positive");
        }
        if self.max_body_bytes == 0 {
            return fail("max_body_bytes must be positive");
        }
        if let Some(limit) = &self.rate_limit
            && (limit.requests == 0 || limit.window_seconds == 0)
        {
            return fail("rate_limit needs positive requests and window_seconds");
        }
        self.webauthn.validate()?;
        self.seed.validate()
    }
}

/// A fixed-window rate limit per client IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length in seconds.
    pub window_seconds: u64,
}

/// Data a project starts with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    /// Permission names.
    pub permissions: Vec<String>,
    /// Roles and the permissions they grant.
    pub roles: Vec<SeedRole>,
    /// Tenants.
    pub tenants: Vec<SeedTenant>,
    /// Users.
    pub users: Vec<SeedUser>,
    /// Access keys for `/v1/auth/accesskey/exchange`.
    pub access_keys: Vec<SeedAccessKey>,
    /// Management keys that authorize `/v1/mgmt/*` calls
    /// (`Authorization: Bearer <projectId>:<key>`).
    pub management_keys: Vec<SeedManagementKey>,
    /// Login id signed in by an OAuth flow without `loginHint`, by provider name.
    /// Unlisted providers use `<provider>-user@example.com`.
    pub oauth_default_users: BTreeMap<String, String>,
}

impl Seed {
    /// The built-in demo data: users `ada@example.com` (role `admin`, tenant Acme as
    /// `tenant-admin`) and `grace@acme.example` (role `viewer`, tenant Acme as
    /// `tenant-member`); tenants Acme (`T2EmulatorTenantAcme`, SSO domain `acme.example`) and
    /// Globex (`T2EmulatorTenantGlobex`, `globex.example`); one access key.
    pub fn demo() -> Self {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let role = |name: &str, perms: &[&str]| SeedRole {
            name: name.to_owned(),
            permissions: strings(perms),
            ..SeedRole::default()
        };
        let membership = |tenant: &str, roles: &[&str]| SeedUserTenant {
            tenant_id: tenant.to_owned(),
            roles: strings(roles),
        };
        Self {
            permissions: strings(&[
                "read",
                "write",
                "tenant-read",
                "tenant-write",
                "Impersonate",
            ]),
            roles: vec![
                role("admin", &["read", "write"]),
                role("viewer", &["read"]),
                role("tenant-admin", &["tenant-read", "tenant-write"]),
                role("tenant-member", &["tenant-read"]),
                // Held by no seeded user: give it to one to try impersonation.
                role("support", &["read", "Impersonate"]),
            ],
            tenants: vec![
                SeedTenant {
                    id: "T2EmulatorTenantAcme".to_owned(),
                    name: "Acme".to_owned(),
                    sso_domains: strings(&["acme.example"]),
                    ..SeedTenant::default()
                },
                SeedTenant {
                    id: "T2EmulatorTenantGlobex".to_owned(),
                    name: "Globex".to_owned(),
                    sso_domains: strings(&["globex.example"]),
                    ..SeedTenant::default()
                },
            ],
            users: vec![
                SeedUser {
                    login_id: "ada@example.com".to_owned(),
                    name: Some("Ada Lovelace".to_owned()),
                    given_name: Some("Ada".to_owned()),
                    family_name: Some("Lovelace".to_owned()),
                    email: Some("ada@example.com".to_owned()),
                    roles: strings(&["admin"]),
                    tenants: vec![membership("T2EmulatorTenantAcme", &["tenant-admin"])],
                    ..SeedUser::default()
                },
                SeedUser {
                    login_id: "grace@acme.example".to_owned(),
                    name: Some("Grace Hopper".to_owned()),
                    given_name: Some("Grace".to_owned()),
                    family_name: Some("Hopper".to_owned()),
                    email: Some("grace@acme.example".to_owned()),
                    roles: strings(&["viewer"]),
                    tenants: vec![membership("T2EmulatorTenantAcme", &["tenant-member"])],
                    ..SeedUser::default()
                },
            ],
            access_keys: vec![SeedAccessKey {
                id: "K2EmulatorAccessKey0001".to_owned(),
                secret: AccessKey::new("emulator-access-key-0001"),
                roles: strings(&["viewer"]),
                tenants: Vec::new(),
            }],
            management_keys: vec![SeedManagementKey {
                name: "demo".to_owned(),
                key: ManagementKey::new(DEMO_MANAGEMENT_KEY),
            }],
            oauth_default_users: BTreeMap::new(),
        }
    }

    fn validate(&self) -> Result<(), EmulatorError> {
        let fail = |m: String| Err(EmulatorError::new(EmulatorErrorKind::Config, m));
        for user in &self.users {
            if user.login_id.trim().is_empty() {
                return fail("a seed user has an empty login_id".to_owned());
            }
            if let Some(key) = &user.totp_secret
                && crate::totp::base32_decode(key.secret()).is_none_or(|k| k.is_empty())
            {
                return fail(format!(
                    "seed user {:?}: totp_secret is not base32",
                    user.login_id
                ));
            }
            for t in &user.tenants {
                if !self.tenants.iter().any(|x| x.id == t.tenant_id) {
                    return fail(format!(
                        "seed user {:?}: unknown tenant {:?}",
                        user.login_id, t.tenant_id
                    ));
                }
            }
        }
        for key in &self.management_keys {
            let secret = key.key.secret();
            // Sent after `<projectId>:` in a header: no colon, no blank, visible ASCII.
            if secret.is_empty() || !secret.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return fail(format!(
                    "management key {:?}: the key must be visible ASCII without ':'",
                    key.name
                ));
            }
        }
        for role in &self.roles {
            if role.name.trim().is_empty() {
                return fail("a seed role has an empty name".to_owned());
            }
            if let Some(tenant) = &role.tenant_id
                && !self.tenants.iter().any(|t| t.id == *tenant)
            {
                return fail(format!(
                    "seed role {:?}: unknown tenant {tenant:?}",
                    role.name
                ));
            }
        }
        if let Some(t) = self.tenants.iter().find(|t| t.id.is_empty()) {
            return fail(format!("tenant {:?} has an empty id", t.name));
        }
        Ok(())
    }
}

/// A role.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedRole {
    /// Role name.
    pub name: String,
    /// Permissions granted (names not in `permissions` are created with the role).
    pub permissions: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// A role of this (seeded) tenant: in that tenant's claims it wins over a project role
    /// of the same name. Project-level when unset.
    pub tenant_id: Option<String>,
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedTenant {
    /// Tenant id.
    pub id: String,
    /// Tenant name (SSO start accepts it in `tenant`).
    pub name: String,
    /// Email domains that select this tenant in SSO start.
    pub sso_domains: Vec<String>,
    /// `tenantSSOID` reported when the start call names no `ssoId` (default: `<id>-sso`).
    pub sso_id: Option<String>,
    /// Login id signed in by SSO without `loginHint` (default: `sso-user@<first domain>`).
    pub default_user: Option<String>,
    /// Custom attributes, returned by `/v1/auth/me/tenants`.
    pub custom_attributes: Option<Map<String, Value>>,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedUser {
    /// Login id (usually the email).
    pub login_id: String,
    /// User id; derived from the login id when unset.
    pub user_id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Email (default: the login id when it contains `@`).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Project-level roles.
    pub roles: Vec<String>,
    /// Tenant memberships.
    pub tenants: Vec<SeedUserTenant>,
    /// A TOTP secret (base32) so tests can compute codes without signing up.
    pub totp_secret: Option<TotpKey>,
    /// Custom attributes.
    pub custom_attributes: Option<Map<String, Value>>,
}

/// A user's (or access key's) membership in a tenant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedUserTenant {
    /// Tenant id.
    pub tenant_id: String,
    /// Roles in the tenant.
    pub roles: Vec<String>,
}

/// A management key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedManagementKey {
    /// A name for people (never sent).
    pub name: String,
    /// The key sent as `Bearer <pid>:<key>` (visible ASCII, no `:`).
    pub key: ManagementKey,
}

/// An access key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedAccessKey {
    /// Key id (`keyId`, `sub` of the issued session JWT).
    pub id: String,
    /// The cleartext key sent as `Bearer <pid>:<secret>`.
    pub secret: AccessKey,
    /// Project-level roles.
    pub roles: Vec<String>,
    /// Tenant memberships.
    pub tenants: Vec<SeedUserTenant>,
}

/// The WebAuthn relying party the emulator plays (`[webauthn]` in a config file).
///
/// A start call's `origin` must be `origin`, one of `extra_origins`, an `https` origin on
/// `rp_id` or a subdomain of it, or (when `rp_id` is `localhost`) `localhost` on any port;
/// the browser's answer must then come from that same origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebAuthnConfig {
    /// The RP id credentials are scoped to: a domain (default `localhost`).
    pub rp_id: String,
    /// The RP name shown by authenticators (default `Descope Emulator`).
    pub rp_name: String,
    /// The origin used when a start call sends none (default `http://localhost:3000`). Its
    /// host must be `rp_id` or a subdomain of it.
    pub origin: String,
    /// Further origins allowed exactly (scheme, host and port), e.g. an app on a random
    /// test port.
    pub extra_origins: Vec<String>,
    /// Passkeys one user may hold (default 16); more are refused.
    pub max_passkeys_per_user: usize,
}

impl Default for WebAuthnConfig {
    fn default() -> Self {
        Self {
            rp_id: "localhost".to_owned(),
            rp_name: "Descope Emulator".to_owned(),
            origin: "http://localhost:3000".to_owned(),
            extra_origins: Vec::new(),
            max_passkeys_per_user: 16,
        }
    }
}

impl WebAuthnConfig {
    fn validate(&self) -> Result<(), EmulatorError> {
        let fail = |m: String| Err(EmulatorError::new(EmulatorErrorKind::Config, m));
        let rp_id = self.rp_id.trim();
        if rp_id.is_empty()
            || !rp_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return fail(format!("webauthn.rp_id must be a domain: {:?}", self.rp_id));
        }
        let origin = match url::Url::parse(&self.origin) {
            Ok(url) => url,
            Err(_) => return fail(format!("webauthn.origin is not a URL: {:?}", self.origin)),
        };
        let on_rp = origin
            .domain()
            .is_some_and(|d| d == rp_id || d.ends_with(&format!(".{rp_id}")));
        if !on_rp {
            return fail(format!(
                "webauthn.origin {:?} is not on webauthn.rp_id {rp_id:?}",
                self.origin
            ));
        }
        if let Some(bad) = self
            .extra_origins
            .iter()
            .find(|o| url::Url::parse(o).map_or(true, |u| u.host().is_none()))
        {
            return fail(format!("webauthn.extra_origins has a non-origin: {bad:?}"));
        }
        if self.max_passkeys_per_user == 0 {
            return fail("webauthn.max_passkeys_per_user must be positive".to_owned());
        }
        Ok(())
    }
}
