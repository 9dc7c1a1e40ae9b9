//! Claims of Descope session and refresh JWTs.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// `drn` of a session token.
pub const DRN_SESSION: &str = "DS";
/// `drn` of a refresh token.
pub const DRN_REFRESH: &str = "DSR";

/// The `aud` claim: one string or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// A single audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `aud` names this audience.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Self::One(a) => a == audience,
            Self::Many(list) => list.iter().any(|a| a == audience),
        }
    }
}

/// Roles and permissions of one tenant in the `tenants` claim.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TenantClaims {
    /// Roles in the tenant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Permissions in the tenant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
    /// Anything else the tenant entry carries.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The claims of a Descope JWT (session `drn: "DS"` or refresh `drn: "DSR"`).
///
/// Time claims accept integers and floats (truncated to whole seconds) and serialize as
/// integers. Claims not listed here are kept in `custom`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user id (or access-key id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Alternative subject, preferred over `sub` by the Go and Python SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsub: Option<String>,
    /// Issuer: the project id, or a URL whose last path segment is the project id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Expiry, unix seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub exp: Option<i64>,
    /// Issued at, unix seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub iat: Option<i64>,
    /// Not before, unix seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub nbf: Option<i64>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Descope resource name: `DS` (session) or `DSR` (refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drn: Option<String>,
    /// Authentication methods used (`oauth`, `totp`, `fed`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// Project-level roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Project-level permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
    /// Per-tenant roles and permissions, by tenant id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tenants: BTreeMap<String, TenantClaims>,
    /// The selected ("current") tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dct: Option<String>,
    /// Every other claim (custom claims, templates, `cnf`, ...).
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

impl Claims {
    /// The user id: `dsub` when present, else `sub` (as the Go and Python SDKs do).
    pub fn user_id(&self) -> Option<&str> {
        self.dsub.as_deref().or(self.sub.as_deref())
    }

    /// Whether `drn` says this is a session token.
    pub fn is_session(&self) -> bool {
        self.drn.as_deref() == Some(DRN_SESSION)
    }

    /// Whether `drn` says this is a refresh token.
    pub fn is_refresh(&self) -> bool {
        self.drn.as_deref() == Some(DRN_REFRESH)
    }
}

/// JWT NumericDate: an integer or a float number of seconds.
fn numeric_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(value) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(i) = value.as_i64() {
        return Ok(Some(i));
    }
    match value.as_f64() {
        // Saturating cast: an absurd float gives an absurd but valid time.
        Some(f) if f.is_finite() => Ok(Some(f as i64)),
        _ => Err(serde::de::Error::custom("time claim out of range")),
    }
}
