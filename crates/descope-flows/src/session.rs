//! Validated sessions, and the role and permission helpers.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use descope_types::{Claims, DRN_REFRESH, DRN_SESSION, RefreshToken, SessionToken, TenantsClaim};
use serde_json::Value;

/// A token type the validator knows: which `drn` it must carry.
pub(crate) trait TokenKind: Clone + Send + Sync + 'static {
    /// The `drn` claim tokens of this type carry.
    const DRN: &'static str;
    /// Whether the configured audience applies (to session tokens only, as in the Node SDK:
    /// refresh tokens are meant for Descope, not for the application).
    const CHECKS_AUDIENCE: bool;
    /// The token text.
    fn raw(&self) -> &str;
}

impl TokenKind for SessionToken {
    const DRN: &'static str = DRN_SESSION;
    const CHECKS_AUDIENCE: bool = true;
    fn raw(&self) -> &str {
        self.secret()
    }
}

impl TokenKind for RefreshToken {
    const DRN: &'static str = DRN_REFRESH;
    const CHECKS_AUDIENCE: bool = false;
    fn raw(&self) -> &str {
        self.secret()
    }
}

/// The SHA-256 of a token's text: what the verified-token cache keeps instead of the token
/// (32 bytes, not a kilobyte), compared in constant time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint(pub(crate) [u8; 32]);

impl Fingerprint {
    pub(crate) fn of(raw: &str) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, raw.as_bytes());
        let mut bytes = [0; 32];
        bytes.copy_from_slice(digest.as_ref());
        Self(bytes)
    }

    /// The cache bucket: a slice of a cryptographic hash, so nobody can aim tokens at one.
    pub(crate) fn bucket(&self) -> u64 {
        let mut head = [0; 8];
        head.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(head)
    }

    /// Equal in time that does not depend on where the fingerprints differ.
    pub(crate) fn matches(&self, other: &Self) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(&self.0, &other.0).is_ok()
    }
}

/// A verified token's claims, shared by the verified-token cache and every session handed
/// out for it.
pub(crate) struct Verified<T> {
    pub(crate) fingerprint: Fingerprint,
    pub(crate) claims: Claims,
    pub(crate) project_id: Arc<str>,
    /// The key cache's epoch when the token was verified (see `KeyCache::epoch`).
    pub(crate) key_epoch: u64,
    pub(crate) kind: PhantomData<fn() -> T>,
}

/// The accessors shared by [`Session`] and [`RefreshSession`].
macro_rules! claim_accessors {
    ($token:ty) => {
        /// The token itself (redacted in `Debug`).
        pub fn token(&self) -> &$token {
            &self.token
        }

        /// The user id: `dsub` when present, else `sub` (validation requires one of them).
        pub fn user_id(&self) -> &str {
            self.inner.claims.user_id().unwrap_or_default()
        }

        /// The project id the token was issued by (its `iss` names it).
        pub fn project_id(&self) -> &str {
            &self.inner.project_id
        }

        /// Expiry (`exp`), unix seconds.
        pub fn expires_at(&self) -> i64 {
            self.inner.claims.exp.unwrap_or_default()
        }

        /// Issue time (`iat`), unix seconds, when the token carries it.
        pub fn issued_at(&self) -> Option<i64> {
            self.inner.claims.iat
        }

        /// Project-level roles.
        pub fn roles(&self) -> &[String] {
            &self.inner.claims.roles
        }

        /// Project-level permissions.
        pub fn permissions(&self) -> &[String] {
            &self.inner.claims.permissions
        }

        /// Roles and permissions per tenant, by tenant id.
        pub fn tenants(&self) -> &TenantsClaim {
            &self.inner.claims.tenants
        }

        /// The selected tenant (`dct`), after a tenant selection.
        pub fn current_tenant(&self) -> Option<&str> {
            self.inner.claims.dct.as_deref()
        }

        /// Authentication methods used (`amr`: `oauth`, `totp`, `fed`...).
        pub fn amr(&self) -> &[String] {
            &self.inner.claims.amr
        }

        /// Whether more than one authentication method was used (as the Go SDK's `IsMFA`).
        pub fn is_mfa(&self) -> bool {
            self.inner.claims.amr.len() > 1
        }

        /// A claim that [`Claims`] does not model (custom claims, JWT template claims).
        pub fn claim(&self, name: &str) -> Option<&Value> {
            self.inner.claims.custom.get(name)
        }

        /// All claims.
        pub fn claims(&self) -> &Claims {
            &self.inner.claims
        }
    };
}

/// A locally validated session token and its claims.
///
/// Cheap to clone. `Debug` never prints the token.
#[derive(Clone)]
pub struct Session {
    token: Arc<SessionToken>,
    inner: Arc<Verified<SessionToken>>,
}

impl Session {
    pub(crate) fn from_verified(token: &SessionToken, inner: Arc<Verified<SessionToken>>) -> Self {
        Self {
            token: Arc::new(token.clone()),
            inner,
        }
    }

    claim_accessors!(SessionToken);

    /// Whether the user belongs to `tenant`: the `tenants` claim names it, or it is the
    /// selected tenant (`dct`), as in the Go SDK.
    pub fn is_associated_with_tenant(&self, tenant: &str) -> bool {
        is_associated(&self.inner.claims, tenant)
    }

    /// Whether the user has every one of `roles` at project level.
    pub fn validate_roles<S: AsRef<str>>(&self, roles: &[S]) -> bool {
        all_granted(Some(&self.inner.claims.roles[..]), roles)
    }

    /// Which of `roles` the user has at project level, in the order asked.
    pub fn get_matched_roles<'r, S: AsRef<str>>(&self, roles: &'r [S]) -> Vec<&'r str> {
        matched(Some(&self.inner.claims.roles[..]), roles)
    }

    /// Whether the user has every one of `permissions` at project level.
    pub fn validate_permissions<S: AsRef<str>>(&self, permissions: &[S]) -> bool {
        all_granted(Some(&self.inner.claims.permissions[..]), permissions)
    }

    /// Which of `permissions` the user has at project level, in the order asked.
    pub fn get_matched_permissions<'r, S: AsRef<str>>(&self, permissions: &'r [S]) -> Vec<&'r str> {
        matched(Some(&self.inner.claims.permissions[..]), permissions)
    }

    /// Whether the user belongs to `tenant` and has every one of `roles` in it.
    ///
    /// The roles come from `tenants[tenant]`; when the token has no `tenants` claim and
    /// `tenant` is the selected tenant (`dct`), from the project-level `roles` (Go SDK rule).
    /// An empty `roles` list is granted to any member of the tenant.
    pub fn validate_tenant_roles<S: AsRef<str>>(&self, tenant: &str, roles: &[S]) -> bool {
        all_granted(tenant_items(&self.inner.claims, tenant, Item::Roles), roles)
    }

    /// Which of `roles` the user has in `tenant` (see
    /// [`validate_tenant_roles`](Self::validate_tenant_roles)), in the order asked.
    pub fn get_matched_tenant_roles<'r, S: AsRef<str>>(
        &self,
        tenant: &str,
        roles: &'r [S],
    ) -> Vec<&'r str> {
        matched(tenant_items(&self.inner.claims, tenant, Item::Roles), roles)
    }

    /// Whether the user belongs to `tenant` and has every one of `permissions` in it (same
    /// rules as [`validate_tenant_roles`](Self::validate_tenant_roles)).
    pub fn validate_tenant_permissions<S: AsRef<str>>(
        &self,
        tenant: &str,
        permissions: &[S],
    ) -> bool {
        all_granted(
            tenant_items(&self.inner.claims, tenant, Item::Permissions),
            permissions,
        )
    }

    /// Which of `permissions` the user has in `tenant`, in the order asked.
    pub fn get_matched_tenant_permissions<'r, S: AsRef<str>>(
        &self,
        tenant: &str,
        permissions: &'r [S],
    ) -> Vec<&'r str> {
        matched(
            tenant_items(&self.inner.claims, tenant, Item::Permissions),
            permissions,
        )
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_verified(f, "Session", &self.inner)
    }
}

/// A locally validated refresh token and its claims.
///
/// Cheap to clone. `Debug` never prints the token.
#[derive(Clone)]
pub struct RefreshSession {
    token: Arc<RefreshToken>,
    inner: Arc<Verified<RefreshToken>>,
}

impl RefreshSession {
    pub(crate) fn from_verified(token: &RefreshToken, inner: Arc<Verified<RefreshToken>>) -> Self {
        Self {
            token: Arc::new(token.clone()),
            inner,
        }
    }

    claim_accessors!(RefreshToken);
}

impl fmt::Debug for RefreshSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_verified(f, "RefreshSession", &self.inner)
    }
}

fn debug_verified<T>(f: &mut fmt::Formatter<'_>, name: &str, v: &Verified<T>) -> fmt::Result {
    f.debug_struct(name)
        .field("token", &"[redacted]")
        .field("user_id", &v.claims.user_id())
        .field("project_id", &v.project_id)
        .field("expires_at", &v.claims.exp)
        .field("current_tenant", &v.claims.dct)
        .finish_non_exhaustive()
}

#[derive(Clone, Copy)]
enum Item {
    Roles,
    Permissions,
}

fn is_associated(claims: &Claims, tenant: &str) -> bool {
    claims.tenants.contains_key(tenant) || claims.dct.as_deref() == Some(tenant)
}

/// The roles or permissions granted in `tenant`; `None` when the user is not in it.
fn tenant_items<'c>(claims: &'c Claims, tenant: &str, item: Item) -> Option<&'c [String]> {
    let pick = |roles: &'c Vec<String>, permissions: &'c Vec<String>| match item {
        Item::Roles => roles.as_slice(),
        Item::Permissions => permissions.as_slice(),
    };
    if let Some(entry) = claims.tenants.get(tenant) {
        return Some(pick(&entry.roles, &entry.permissions));
    }
    if claims.dct.as_deref() != Some(tenant) {
        return None;
    }
    if claims.tenants.is_empty() {
        Some(pick(&claims.roles, &claims.permissions))
    } else {
        Some(&[])
    }
}

fn all_granted<S: AsRef<str>>(granted: Option<&[String]>, wanted: &[S]) -> bool {
    granted.is_some_and(|granted| {
        wanted
            .iter()
            .all(|w| granted.iter().any(|g| g == w.as_ref()))
    })
}

fn matched<'r, S: AsRef<str>>(granted: Option<&[String]>, wanted: &'r [S]) -> Vec<&'r str> {
    let Some(granted) = granted else {
        return Vec::new();
    };
    wanted
        .iter()
        .map(AsRef::as_ref)
        .filter(|w| granted.iter().any(|g| g == w))
        .collect()
}
