//! [`Guard`]: role, permission and tenant checks as a layer (`route_layer`), for routes whose
//! handlers don't need the session themselves.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use descope_flows::Session;
use http::Request;
use tower::{Layer, Service};

use crate::error::Error;
use crate::layer::Resolution;

#[derive(Debug)]
enum Rule {
    Roles(Vec<String>),
    Permissions(Vec<String>),
    Tenant(String),
    TenantRoles(String, Vec<String>),
    TenantPermissions(String, Vec<String>),
}

/// A layer that lets a request through only when its session meets a rule: 401 without a
/// session, 403 when the rule refuses. Put it *inside* the session layer:
///
/// ```
/// use axum::{Router, routing::get};
/// use descope_axum::{Descope, Guard};
///
/// fn admin_routes(descope: &Descope) -> Router {
///     Router::new()
///         .route("/admin", get(|| async { "admins only" }))
///         .route_layer(Guard::roles(["admin"]))
///         .layer(descope.layer())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Guard {
    rule: Arc<Rule>,
}

fn strings<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

impl Guard {
    fn new(rule: Rule) -> Self {
        Self {
            rule: Arc::new(rule),
        }
    }

    /// Every one of these project-level roles.
    pub fn roles<I: IntoIterator<Item = S>, S: Into<String>>(roles: I) -> Self {
        Self::new(Rule::Roles(strings(roles)))
    }

    /// Every one of these project-level permissions.
    pub fn permissions<I: IntoIterator<Item = S>, S: Into<String>>(permissions: I) -> Self {
        Self::new(Rule::Permissions(strings(permissions)))
    }

    /// Membership of this tenant (its `tenants` claim or the selected tenant `dct`).
    pub fn tenant(tenant: impl Into<String>) -> Self {
        Self::new(Rule::Tenant(tenant.into()))
    }

    /// Every one of these roles in this tenant.
    pub fn tenant_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        tenant: impl Into<String>,
        roles: I,
    ) -> Self {
        Self::new(Rule::TenantRoles(tenant.into(), strings(roles)))
    }

    /// Every one of these permissions in this tenant.
    pub fn tenant_permissions<I: IntoIterator<Item = S>, S: Into<String>>(
        tenant: impl Into<String>,
        permissions: I,
    ) -> Self {
        Self::new(Rule::TenantPermissions(tenant.into(), strings(permissions)))
    }

    /// Checks a session against the rule.
    pub fn check(&self, session: &Session) -> Result<(), Error> {
        let (granted, message) = match &*self.rule {
            Rule::Roles(r) => (session.validate_roles(r), "missing role"),
            Rule::Permissions(p) => (session.validate_permissions(p), "missing permission"),
            Rule::Tenant(t) => (
                session.is_associated_with_tenant(t),
                "not a member of the tenant",
            ),
            Rule::TenantRoles(t, r) => (session.validate_tenant_roles(t, r), "missing tenant role"),
            Rule::TenantPermissions(t, p) => (
                session.validate_tenant_permissions(t, p),
                "missing tenant permission",
            ),
        };
        if granted {
            Ok(())
        } else {
            Err(Error::forbidden(message))
        }
    }
}

impl<S> Layer<S> for Guard {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GuardService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of a [`Guard`].
#[derive(Debug, Clone)]
pub struct GuardService<S> {
    inner: S,
    guard: Guard,
}

impl<S, B> Service<Request<B>> for GuardService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let verdict = match request.extensions().get::<Resolution>() {
            None => Err(Error::missing_layer()),
            Some(Resolution(Err(error))) => Err(error.clone()),
            Some(Resolution(Ok(session))) => self.guard.check(session),
        };
        match verdict {
            Ok(()) => {
                let future = self.inner.call(request);
                Box::pin(future)
            }
            Err(error) => Box::pin(async move { Ok(error.into_response()) }),
        }
    }
}
