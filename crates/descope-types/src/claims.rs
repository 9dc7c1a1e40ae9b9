//! Claims of Descope session and refresh JWTs.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
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

/// The `tenants` claim: roles and permissions per tenant id, sorted by id.
///
/// A map on the wire; one vector in memory, because a token names a handful of tenants and
/// every validated session is cached (a tree node per token would cost a kilobyte each).
#[derive(Clone, PartialEq, Default)]
pub struct TenantsClaim(Vec<(String, TenantClaims)>);

impl TenantsClaim {
    fn position(&self, tenant: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(id, _)| id.as_str().cmp(tenant))
    }

    /// The entry of a tenant.
    pub fn get(&self, tenant: &str) -> Option<&TenantClaims> {
        self.position(tenant).ok().map(|i| &self.0[i].1)
    }

    /// Whether the claim names this tenant.
    pub fn contains_key(&self, tenant: &str) -> bool {
        self.position(tenant).is_ok()
    }

    /// Adds or replaces a tenant's entry; returns the replaced one.
    pub fn insert(&mut self, tenant: String, claims: TenantClaims) -> Option<TenantClaims> {
        match self.position(&tenant) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, claims)),
            Err(i) => {
                self.0.insert(i, (tenant, claims));
                None
            }
        }
    }

    /// How many tenants the claim names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the claim names no tenant.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tenant ids, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(id, _)| id.as_str())
    }

    /// The entries, sorted by tenant id.
    pub fn iter(&self) -> TenantsIter<'_> {
        TenantsIter(self.0.iter())
    }
}

/// The entries of a [`TenantsClaim`], sorted by tenant id.
#[derive(Debug, Clone)]
pub struct TenantsIter<'a>(std::slice::Iter<'a, (String, TenantClaims)>);

impl<'a> Iterator for TenantsIter<'a> {
    type Item = (&'a str, &'a TenantClaims);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(id, claims)| (id.as_str(), claims))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<'a> IntoIterator for &'a TenantsClaim {
    type Item = (&'a str, &'a TenantClaims);
    type IntoIter = TenantsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::ops::Index<&str> for TenantsClaim {
    type Output = TenantClaims;
    /// Panics when the tenant is absent, like a map's index; use [`get`](Self::get).
    fn index(&self, tenant: &str) -> &TenantClaims {
        #[allow(clippy::expect_used)]
        self.get(tenant).expect("tenant not in the tenants claim")
    }
}

impl From<BTreeMap<String, TenantClaims>> for TenantsClaim {
    fn from(map: BTreeMap<String, TenantClaims>) -> Self {
        // Already sorted and unique.
        Self(map.into_iter().collect())
    }
}

impl FromIterator<(String, TenantClaims)> for TenantsClaim {
    fn from_iter<I: IntoIterator<Item = (String, TenantClaims)>>(entries: I) -> Self {
        // Later duplicates win, as in a map.
        BTreeMap::from_iter(entries).into()
    }
}

impl fmt::Debug for TenantsClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for TenantsClaim {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for TenantsClaim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, TenantClaims>::deserialize(deserializer)?;
        let mut claim = Self::from(map);
        claim.0.shrink_to_fit();
        Ok(claim)
    }
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
    #[serde(default, skip_serializing_if = "TenantsClaim::is_empty")]
    pub tenants: TenantsClaim,
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
