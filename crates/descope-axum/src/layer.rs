//! The session layer: finds the tokens, validates (refreshing when needed), records the
//! outcome for the extractors and guards, and adds the new cookies to the response.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use descope_flows::{Session, SessionStatus};
use descope_types::{RefreshToken, SessionToken};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue, Request};
use tower::{Layer, Service};

use crate::config::Descope;
use crate::cookies::{
    Attributes, SameSite, append_set_cookies, clear_cookie, request_cookie, set_cookie,
};
use crate::error::{Error, ErrorKind};

/// What the layer found, stored in the request extensions for the extractors and guards.
#[derive(Clone)]
pub(crate) struct Resolution(pub(crate) Result<Session, Error>);

/// The result of authenticating one request.
pub(crate) struct Outcome {
    pub(crate) resolution: Resolution,
    /// `Set-Cookie` values for the response (new tokens after a refresh, or deletions).
    pub(crate) cookies: Vec<HeaderValue>,
}

/// The session JWT of `Authorization: Bearer <jwt>`, if that is the header's scheme.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl Descope {
    /// Authenticates a request from its headers: the session JWT from `Authorization:
    /// Bearer` (preferred) or the `DS` cookie, the refresh JWT from the `DSR` cookie.
    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Outcome {
        let session =
            bearer(headers).or_else(|| request_cookie(headers, self.session_cookie_name()));
        let refresh = request_cookie(headers, self.refresh_cookie_name());
        let client = self.client();
        let result = match (session, refresh) {
            (None, None) => Err(Error::unauthenticated()),
            (Some(session), None) => client
                .validate_session(&SessionToken::new(session))
                .await
                .map(SessionStatus::Valid)
                .map_err(|e| Error::from_flows(&e)),
            (session, Some(refresh)) => {
                let session = SessionToken::new(session.unwrap_or_default());
                match client
                    .validate_and_refresh(&session, &RefreshToken::new(refresh))
                    .await
                {
                    Ok(status) => Ok(status),
                    Err(e) => {
                        let error = Error::from_flows(&e);
                        // A refresh token that is expired, revoked or forged will never work
                        // again: drop both cookies so the browser stops sending them.
                        let dead = error.kind() == ErrorKind::InvalidSession;
                        let cookies = if dead {
                            self.clearing_cookies(None)
                        } else {
                            Vec::new()
                        };
                        return Outcome {
                            resolution: Resolution(Err(error)),
                            cookies,
                        };
                    }
                }
            }
        };
        match result {
            Ok(SessionStatus::Valid(session)) => Outcome {
                resolution: Resolution(Ok(session)),
                cookies: Vec::new(),
            },
            Ok(SessionStatus::Refreshed(info)) => {
                tracing::debug!(user_id = info.session.user_id(), "session refreshed");
                Outcome {
                    cookies: self.session_cookies(&info),
                    resolution: Resolution(Ok(info.session)),
                }
            }
            Err(error) => Outcome {
                resolution: Resolution(Err(error)),
                cookies: Vec::new(),
            },
        }
    }

    /// `Set-Cookie` values for both tokens of a new session, for a sign-in that ends in a
    /// route of your own (a passkey finish, a one-time code): append them to the response.
    pub fn session_cookies(&self, info: &descope_flows::AuthenticationInfo) -> Vec<HeaderValue> {
        let attrs = Attributes::from_data(&info.cookies, self.inner.secure_cookies);
        [
            set_cookie(
                self.session_cookie_name(),
                info.session_token().secret(),
                &attrs,
            ),
            set_cookie(
                self.refresh_cookie_name(),
                info.refresh_token().secret(),
                &attrs,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// `Set-Cookie` values deleting both tokens, at Descope's path and domain when known.
    pub(crate) fn clearing_cookies(
        &self,
        data: Option<&descope_flows::CookieData>,
    ) -> Vec<HeaderValue> {
        let attrs = Attributes {
            path: data.map_or("/", |d| d.path.as_str()),
            domain: data.and_then(|d| d.domain.as_deref()),
            max_age: None,
            secure: self.inner.secure_cookies,
            same_site: SameSite::Strict,
        };
        [self.session_cookie_name(), self.refresh_cookie_name()]
            .into_iter()
            .filter_map(|name| clear_cookie(name, &attrs))
            .collect()
    }

    /// The layer that authenticates every request and lets the extractors and guards
    /// decide: [`Authenticated`](crate::Authenticated) answers 401 without a session,
    /// `Option<Authenticated>` gets `None`.
    pub fn layer(&self) -> SessionLayer {
        SessionLayer {
            descope: self.clone(),
            required: false,
        }
    }

    /// The layer that answers 401 itself when the request has no valid session (after a
    /// refresh attempt), for routers where every route is protected.
    pub fn require_session(&self) -> SessionLayer {
        SessionLayer {
            descope: self.clone(),
            required: true,
        }
    }
}

/// Authenticates requests; see [`Descope::layer`] and [`Descope::require_session`].
#[derive(Debug, Clone)]
pub struct SessionLayer {
    descope: Descope,
    required: bool,
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            descope: self.descope.clone(),
            required: self.required,
        }
    }
}

/// The service of a [`SessionLayer`].
#[derive(Debug, Clone)]
pub struct SessionService<S> {
    inner: S,
    descope: Descope,
    required: bool,
}

impl<S, B> Service<Request<B>> for SessionService<S>
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

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The ready service handles this request; its clone waits for the next poll_ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let descope = self.descope.clone();
        let required = self.required;
        Box::pin(async move {
            let Outcome {
                resolution,
                cookies,
            } = descope.authenticate(request.headers()).await;
            let mut response = match (&resolution.0, required) {
                (Err(error), true) => error.clone().into_response(),
                _ => {
                    request.extensions_mut().insert(resolution);
                    inner.call(request).await?
                }
            };
            append_set_cookies(response.headers_mut(), cookies);
            Ok(response)
        })
    }
}
