//! Extractors: the required session, the optional session, and type-level guards.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use descope_flows::Session;
use http::request::Parts;

use crate::error::Error;
use crate::layer::Resolution;

/// The validated session of a request; rejects with 401 (JSON) when there is none.
///
/// Needs [`Descope::layer`](crate::Descope::layer) (or `require_session`) in front of the
/// handler; without it every request is answered 500. `Option<Authenticated>` gives `None`
/// instead of a 401 (for pages that work signed in or not).
///
/// Dereferences to [`Session`]: roles, permissions, tenants, claims.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Session);

impl Deref for Authenticated {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.0
    }
}

impl Authenticated {
    /// The session.
    pub fn into_session(self) -> Session {
        self.0
    }

    /// `Ok` when the user has every one of `roles` at project level, else 403.
    pub fn require_roles<S: AsRef<str>>(&self, roles: &[S]) -> Result<(), Error> {
        check(self.0.validate_roles(roles), "missing role")
    }

    /// `Ok` when the user has every one of `permissions` at project level, else 403.
    pub fn require_permissions<S: AsRef<str>>(&self, permissions: &[S]) -> Result<(), Error> {
        check(
            self.0.validate_permissions(permissions),
            "missing permission",
        )
    }

    /// `Ok` when the user belongs to `tenant` (its `tenants` claim or the selected tenant),
    /// else 403.
    pub fn require_tenant(&self, tenant: &str) -> Result<(), Error> {
        check(
            self.0.is_associated_with_tenant(tenant),
            "not a member of the tenant",
        )
    }

    /// `Ok` when the user has every one of `roles` in `tenant`, else 403.
    pub fn require_tenant_roles<S: AsRef<str>>(
        &self,
        tenant: &str,
        roles: &[S],
    ) -> Result<(), Error> {
        check(
            self.0.validate_tenant_roles(tenant, roles),
            "missing tenant role",
        )
    }

    /// `Ok` when the user has every one of `permissions` in `tenant`, else 403.
    pub fn require_tenant_permissions<S: AsRef<str>>(
        &self,
        tenant: &str,
        permissions: &[S],
    ) -> Result<(), Error> {
        check(
            self.0.validate_tenant_permissions(tenant, permissions),
            "missing tenant permission",
        )
    }
}

fn check(granted: bool, message: &'static str) -> Result<(), Error> {
    if granted {
        Ok(())
    } else {
        Err(Error::forbidden(message))
    }
}

fn resolution(parts: &Parts) -> Result<&Resolution, Error> {
    parts
        .extensions
        .get::<Resolution>()
        .ok_or_else(Error::missing_layer)
}

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        match &resolution(parts)?.0 {
            Ok(session) => Ok(Self(session.clone())),
            Err(error) => Err(error.clone()),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Authenticated {
    type Rejection = Error;

    /// `None` for any failure to authenticate; only a missing layer is an error.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Error> {
        Ok(resolution(parts)?.0.as_ref().ok().cloned().map(Self))
    }
}

/// A condition on the session, checked by [`Guarded`] (403 when it fails).
///
/// ```
/// use descope_axum::{Guarded, Requirement};
/// use descope_flows::Session;
///
/// /// Project role `admin`.
/// struct Admin;
///
/// impl Requirement for Admin {
///     fn allows(session: &Session) -> bool {
///         session.validate_roles(&["admin"])
///     }
/// }
///
/// async fn admin_only(admin: Guarded<Admin>) -> String {
///     format!("hello admin {}", admin.user_id())
/// }
/// # let _ = axum::Router::<()>::new().route("/admin", axum::routing::get(admin_only));
/// ```
pub trait Requirement: Send + Sync + 'static {
    /// Whether the session meets the requirement.
    fn allows(session: &Session) -> bool;
}

/// A session that meets the [`Requirement`] `R`: 401 without a session, 403 when `R`
/// refuses. Dereferences to [`Session`].
pub struct Guarded<R> {
    session: Session,
    requirement: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for Guarded<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Guarded").field(&self.session).finish()
    }
}

impl<R> Guarded<R> {
    /// The session.
    pub fn into_session(self) -> Session {
        self.session
    }
}

impl<R> Deref for Guarded<R> {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl<S: Send + Sync, R: Requirement> FromRequestParts<S> for Guarded<R> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let Authenticated(session) =
            <Authenticated as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        check(R::allows(&session), "requirement not met")?;
        Ok(Self {
            session,
            requirement: PhantomData,
        })
    }
}
