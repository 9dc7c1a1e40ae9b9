//! The one error type of this crate.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use descope_transport::TransportError;
use descope_types::ErrorCode;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Descope answered with an error (non-2xx): see [`Error::api`].
    Api,
    /// The HTTP exchange failed: see [`Error::transport`].
    Transport,
    /// A 2xx answer whose body could not be decoded: see [`Error::decode`].
    Decode,
    /// A token failed local validation: see [`Error::token_reason`].
    TokenValidation,
    /// An argument was rejected before any request was sent (empty code, missing refresh
    /// token for step-up, ...).
    InvalidArgument,
    /// The client is misconfigured (no project id, bad base URL, bad public key).
    Configuration,
}

/// Why a token was rejected by local validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenErrorReason {
    /// Not three base64url segments of JSON, or a claim of the wrong type.
    Malformed,
    /// The header's `alg` is not allowed (`none`, HMAC, or not in the configured list) or
    /// differs from the key's `alg`.
    DisallowedAlgorithm,
    /// No key with the token's `kid`, even after refetching the key set.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `exp` is missing.
    MissingExpiry,
    /// `nbf` or `iat` is in the future (beyond the leeway).
    NotYetValid,
    /// `iss` is missing.
    MissingIssuer,
    /// `iss` names another project.
    WrongIssuer,
    /// `aud` does not contain the configured audience.
    WrongAudience,
    /// A refresh token where a session token was expected, or the reverse (`drn`).
    WrongTokenType,
    /// Neither `sub` nor `dsub` names the user.
    MissingSubject,
    /// The token is empty.
    Empty,
}

impl TokenErrorReason {
    fn describe(self) -> &'static str {
        match self {
            Self::Malformed => "malformed token",
            Self::DisallowedAlgorithm => "token algorithm not allowed",
            Self::UnknownKey => "token signed by an unknown key",
            Self::BadSignature => "token signature does not verify",
            Self::Expired => "token expired",
            Self::MissingExpiry => "token has no expiry",
            Self::NotYetValid => "token not yet valid",
            Self::MissingIssuer => "token has no issuer",
            Self::WrongIssuer => "token issued for another project",
            Self::WrongAudience => "token audience does not match",
            Self::WrongTokenType => "wrong token type",
            Self::MissingSubject => "token has no subject",
            Self::Empty => "empty token",
        }
    }
}

/// An error answer from Descope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Descope's error code (`E` + 6 digits); [`ErrorCode::Other`] with an empty string when
    /// the body had none.
    pub code: ErrorCode,
    /// Descope's short description.
    pub description: String,
    /// Descope's longer message, when given.
    pub message: Option<String>,
    /// `Retry-After` of a 429, when given.
    pub retry_after: Option<Duration>,
}

/// A 2xx answer that could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// The HTTP status.
    pub status: u16,
    /// The start of the body (at most 200 bytes, lossily decoded). Bodies that carry tokens
    /// are never excerpted.
    pub excerpt: String,
}

enum Repr {
    Api(ApiError),
    Transport(TransportError),
    Decode(DecodeError),
    Token(TokenErrorReason),
    InvalidArgument(&'static str),
    Configuration(&'static str),
}

/// The error of every fallible operation in this crate.
///
/// Opaque: inspect it with [`kind`](Self::kind) and the accessors. Its `Debug` and `Display`
/// never contain a token, key or code.
pub struct Error {
    repr: Box<Repr>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    fn from_repr(repr: Repr) -> Self {
        Self {
            repr: Box::new(repr),
            source: None,
        }
    }

    /// An API error.
    pub(crate) fn api(error: ApiError) -> Self {
        Self::from_repr(Repr::Api(error))
    }

    /// A transport error.
    pub(crate) fn transport(error: TransportError) -> Self {
        Self::from_repr(Repr::Transport(error))
    }

    /// A decode error.
    pub(crate) fn decode(error: DecodeError) -> Self {
        Self::from_repr(Repr::Decode(error))
    }

    /// A token validation error.
    pub(crate) fn token(reason: TokenErrorReason) -> Self {
        Self::from_repr(Repr::Token(reason))
    }

    /// An invalid argument; `what` is a static description such as "exchange code is empty".
    pub(crate) fn invalid_argument(what: &'static str) -> Self {
        Self::from_repr(Repr::InvalidArgument(what))
    }

    /// A configuration error; `what` is a static description.
    pub(crate) fn configuration(what: &'static str) -> Self {
        Self::from_repr(Repr::Configuration(what))
    }

    /// Attaches a cause (must not carry secrets in its `Display`).
    #[cfg_attr(not(any(feature = "reqwest", feature = "hyper")), allow(dead_code))]
    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match &*self.repr {
            Repr::Api(_) => ErrorKind::Api,
            Repr::Transport(_) => ErrorKind::Transport,
            Repr::Decode(_) => ErrorKind::Decode,
            Repr::Token(_) => ErrorKind::TokenValidation,
            Repr::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Repr::Configuration(_) => ErrorKind::Configuration,
        }
    }

    /// The API error, when Descope answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match &*self.repr {
            Repr::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The transport error, when the exchange failed.
    pub fn transport_error(&self) -> Option<&TransportError> {
        match &*self.repr {
            Repr::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// The decode error, when a 2xx body could not be decoded.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match &*self.repr {
            Repr::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// Why a token was rejected, for token validation errors.
    pub fn token_reason(&self) -> Option<TokenErrorReason> {
        match &*self.repr {
            Repr::Token(r) => Some(*r),
            _ => None,
        }
    }

    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<u16> {
        match &*self.repr {
            Repr::Api(e) => Some(e.status),
            Repr::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// Descope's error code, for API errors.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.api_error().map(|e| &e.code)
    }

    /// `Retry-After` of a rate-limited (429) answer.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.repr {
            Repr::Api(e) => {
                write!(
                    f,
                    "descope error (HTTP {}) [{}] {}",
                    e.status, e.code, e.description
                )?;
                if let Some(m) = e.message.as_deref().filter(|m| !m.is_empty()) {
                    write!(f, ": {m}")?;
                }
                Ok(())
            }
            Repr::Transport(e) => write!(f, "transport error: {e}"),
            Repr::Decode(e) => write!(f, "could not decode the response (HTTP {})", e.status),
            Repr::Token(r) => write!(f, "invalid token: {}", r.describe()),
            Repr::InvalidArgument(what) => write!(f, "invalid argument: {what}"),
            Repr::Configuration(what) => write!(f, "configuration error: {what}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind());
        match &*self.repr {
            Repr::Api(e) => d.field("api", e),
            Repr::Transport(e) => d.field("transport", e),
            Repr::Decode(e) => d.field("decode", e),
            Repr::Token(r) => d.field("reason", r),
            Repr::InvalidArgument(w) | Repr::Configuration(w) => d.field("what", w),
        };
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &*self.repr {
            Repr::Transport(e) => Some(e),
            _ => self
                .source
                .as_deref()
                .map(|s| s as &(dyn StdError + 'static)),
        }
    }
}
