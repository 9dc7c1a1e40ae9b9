//! The one error type of this crate: every rejection the layer, extractors, guards and
//! login routes answer with.

use std::fmt;

use axum::Json;
use axum::response::{IntoResponse, Response};
use descope_flows::{ErrorKind as FlowsErrorKind, TokenErrorReason};
use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, StatusCode};
use serde::Serialize;

/// What kind of failure an [`Error`] is; decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No session token (no `Authorization: Bearer`, no `DS` cookie, no `DSR` cookie): 401.
    Unauthenticated,
    /// A token was present but is not valid (expired without a usable refresh token,
    /// malformed, bad signature, revoked refresh token...): 401.
    InvalidSession,
    /// Signed in, but a role, permission or tenant guard refused: 403.
    Forbidden,
    /// The request is not acceptable (missing `code`, redirect target not allowed, login
    /// flow not started by this browser): 400.
    BadRequest,
    /// Descope could not be reached or failed (transport error, 5xx, 429), or a token names
    /// a signing key not known yet (right after a rotation): 503. The cookies are kept.
    Upstream,
    /// The integration is misconfigured (no session layer in front of an extractor, no app
    /// URL for the login routes, bad client configuration): 500.
    Configuration,
}

impl ErrorKind {
    /// The HTTP status this kind is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::InvalidSession => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Upstream => StatusCode::SERVICE_UNAVAILABLE,
            Self::Configuration => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable `error` field of the JSON body.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidSession => "invalid_session",
            Self::Forbidden => "forbidden",
            Self::BadRequest => "bad_request",
            Self::Upstream => "upstream_unavailable",
            Self::Configuration => "configuration",
        }
    }
}

/// The error of this crate. It is also the rejection of every extractor and guard:
/// as a response it is `{"error": <code>, "message": <text>}` with the kind's status (and
/// `WWW-Authenticate: Bearer` on 401).
///
/// Cheap to clone; its `Debug`, `Display` and JSON never contain a token or a code.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: &'static str,
    token_reason: Option<TokenErrorReason>,
}

impl Error {
    pub(crate) const fn new(kind: ErrorKind, message: &'static str) -> Self {
        Self {
            kind,
            message,
            token_reason: None,
        }
    }

    pub(crate) const fn unauthenticated() -> Self {
        Self::new(ErrorKind::Unauthenticated, "no session token")
    }

    pub(crate) const fn forbidden(message: &'static str) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub(crate) const fn bad_request(message: &'static str) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub(crate) const fn missing_layer() -> Self {
        Self::new(
            ErrorKind::Configuration,
            "the descope session layer is not installed in front of this handler",
        )
    }

    /// Maps a flows error met while validating or refreshing a session (or exchanging a
    /// code): bad tokens and 4xx answers are the caller's problem (401), the rest is
    /// Descope's (503).
    pub(crate) fn from_flows(error: &descope_flows::Error) -> Self {
        match error.kind() {
            // A reason that may pass later with the same token (a `kid` the key cache has
            // not seen yet, right after a rotation) is not a dead session: treating it as
            // one would delete cookies that are about to work.
            FlowsErrorKind::TokenValidation
                if error.token_reason().is_some_and(|r| !r.is_final()) =>
            {
                Self {
                    kind: ErrorKind::Upstream,
                    message: "session signing key not available yet",
                    token_reason: error.token_reason(),
                }
            }
            FlowsErrorKind::TokenValidation => {
                let reason = error.token_reason();
                Self {
                    kind: ErrorKind::InvalidSession,
                    message: match reason {
                        Some(TokenErrorReason::Expired) => "session expired",
                        Some(TokenErrorReason::Malformed) => "malformed token",
                        _ => "invalid token",
                    },
                    token_reason: reason,
                }
            }
            FlowsErrorKind::InvalidArgument => {
                Self::new(ErrorKind::InvalidSession, "invalid token")
            }
            FlowsErrorKind::Api
                if error
                    .status()
                    .is_some_and(|s| (400..500).contains(&s) && s != 429) =>
            {
                Self::new(ErrorKind::InvalidSession, "session rejected by Descope")
            }
            FlowsErrorKind::Configuration => {
                Self::new(ErrorKind::Configuration, "Descope client misconfigured")
            }
            _ => Self::new(ErrorKind::Upstream, "Descope is unavailable"),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status the error is answered with.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// Why the token was rejected, when local validation rejected it.
    pub fn token_reason(&self) -> Option<TokenErrorReason> {
        self.token_reason
    }

    /// A short description, safe to show to users.
    pub fn message(&self) -> &'static str {
        self.message
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("token_reason", &self.token_reason)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Error {}

#[derive(Serialize)]
struct Body {
    error: &'static str,
    message: &'static str,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let body = Body {
            error: self.kind.code(),
            message: self.message,
        };
        let mut response = (self.status(), Json(body)).into_response();
        if self.status() == StatusCode::UNAUTHORIZED {
            let challenge = if self.kind == ErrorKind::InvalidSession {
                "Bearer error=\"invalid_token\""
            } else {
                "Bearer"
            };
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}
