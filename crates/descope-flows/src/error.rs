//! The one error type of this crate.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use descope_transport::TransportError;
use descope_types::ErrorCode;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Descope answered with an error (non-2xx): see [`Error::api_error`].
    Api,
    /// The HTTP exchange failed: see [`Error::transport_error`].
    Transport,
    /// A 2xx answer whose body could not be decoded: see [`Error::decode_error`].
    Decode,
    /// A token failed local validation: see [`Error::token_reason`].
    TokenValidation,
    /// An argument was rejected before any request was sent: see
    /// [`Error::invalid_argument`].
    InvalidArgument,
    /// The client is misconfigured (bad project id, bad base URL, bad public key).
    Configuration,
    /// A custom [`KeySource`](crate::KeySource) failed: see [`Error::key_source`].
    KeySource,
    /// A polling wait (an enchanted link's
    /// [`wait_for_session`](crate::EnchantedLink::wait_for_session)) reached its deadline
    /// while the answer was still pending.
    WaitTimeout,
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

    /// Whether the token itself is bad for good (expired, forged, malformed, ...), as opposed
    /// to a reason that may pass later with no change to the token ([`UnknownKey`]: the key
    /// set may not have caught up with a rotation yet).
    ///
    /// [`UnknownKey`]: Self::UnknownKey
    pub fn is_final(self) -> bool {
        !matches!(self, Self::UnknownKey)
    }
}

/// Which argument of a call was rejected (see [`Error::invalid_argument`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Argument {
    /// The login id.
    LoginId,
    /// A one-time code (TOTP code, exchange code).
    Code,
    /// The refresh token (empty, or missing for step-up or MFA).
    RefreshToken,
    /// The session token.
    SessionToken,
    /// The OAuth provider.
    Provider,
    /// The tenant (id, name or email).
    Tenant,
    /// The tenant ids of a tenants query.
    TenantIds,
    /// The native flow's state id.
    StateId,
    /// The native finish credential: an ID token or a code is required.
    NativeCredential,
    /// The access key.
    AccessKey,
    /// A request body that could not be serialized.
    Body,
    /// An enchanted link's pending reference.
    PendingRef,
    /// A link's token (magic link, enchanted link, password reset).
    Token,
    /// A password.
    Password,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A new email address or phone number (OTP updates).
    Address,
    /// The delivery method of a message (e.g. email where a phone is expected).
    DeliveryMethod,
    /// The origin of the page running a WebAuthn ceremony.
    Origin,
    /// A WebAuthn transaction id.
    TransactionId,
    /// A WebAuthn credential (the browser's answer, as JSON).
    Credential,
    /// A tenant's name.
    TenantName,
    /// A user id (management calls by user id).
    UserId,
    /// A custom attribute's key.
    AttributeKey,
    /// A role name (management).
    Role,
    /// A permission name (management).
    Permission,
    /// An access key's id (management).
    AccessKeyId,
    /// An access key's name (management).
    AccessKeyName,
}

impl Argument {
    fn describe(self) -> &'static str {
        match self {
            Self::LoginId => "login id",
            Self::Code => "code",
            Self::RefreshToken => "refresh token",
            Self::SessionToken => "session token",
            Self::Provider => "OAuth provider",
            Self::Tenant => "tenant",
            Self::TenantIds => "tenant ids",
            Self::StateId => "native state id",
            Self::NativeCredential => "native ID token or code",
            Self::AccessKey => "access key",
            Self::Body => "request body",
            Self::PendingRef => "pending reference",
            Self::Token => "link token",
            Self::Password => "password",
            Self::Email => "email address",
            Self::Phone => "phone number",
            Self::Address => "email address or phone number",
            Self::DeliveryMethod => "delivery method",
            Self::Origin => "origin",
            Self::TransactionId => "WebAuthn transaction id",
            Self::Credential => "WebAuthn credential",
            Self::TenantName => "tenant name",
            Self::UserId => "user id",
            Self::AttributeKey => "custom attribute key",
            Self::Role => "role name",
            Self::Permission => "permission name",
            Self::AccessKeyId => "access key id",
            Self::AccessKeyName => "access key name",
        }
    }
}

/// An error answer from Descope.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// Why the body was not Descope's error JSON, when it was not.
    pub(crate) source: Option<Arc<serde_json::Error>>,
}

impl PartialEq for ApiError {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status
            && self.code == other.code
            && self.description == other.description
            && self.message == other.message
            && self.retry_after == other.retry_after
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "descope error (HTTP {}) [{}] {}",
            self.status, self.code, self.description
        )?;
        if let Some(m) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl StdError for ApiError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// A 2xx answer that could not be decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status.
    pub status: u16,
    /// The start of the body (at most 200 bytes, lossily decoded). Bodies that carry tokens
    /// are never excerpted.
    pub excerpt: String,
    /// The JSON error, when the body was not the expected JSON.
    pub(crate) source: Option<Arc<serde_json::Error>>,
}

impl DecodeError {
    pub(crate) fn new(status: u16) -> Self {
        Self {
            status,
            excerpt: String::new(),
            source: None,
        }
    }
}

impl PartialEq for DecodeError {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status && self.excerpt == other.excerpt
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode the response (HTTP {})", self.status)
    }
}

impl StdError for DecodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// The cause attached to a management call's 401: the key was sent and refused. Its text
/// names no key.
#[derive(Debug)]
#[cfg_attr(not(feature = "management"), allow(dead_code))]
pub(crate) struct ManagementKeyRejected;

impl fmt::Display for ManagementKeyRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the management key was rejected (wrong, revoked, or of another project)")
    }
}

impl StdError for ManagementKeyRejected {}

#[derive(Debug)]
enum Repr {
    Api(ApiError),
    Transport(TransportError),
    Decode(DecodeError),
    Token(TokenErrorReason),
    InvalidArgument(Argument, &'static str),
    Configuration(&'static str),
    KeySource,
    WaitTimeout(Duration),
}

type Source = Arc<dyn StdError + Send + Sync + 'static>;

struct Inner {
    repr: Repr,
    source: Option<Source>,
}

/// The error of every fallible operation in this crate.
///
/// Opaque: inspect it with [`kind`](Self::kind) and the accessors. Cheap to clone (an `Arc`
/// inside), and a clone keeps the whole cause chain, so a failure shared by many callers
/// (one key fetch awaited by a thousand validations) reaches each of them intact. Its
/// `Debug` and `Display` never contain a token, key or code.
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

impl Error {
    fn from_repr(repr: Repr) -> Self {
        Self {
            inner: Arc::new(Inner { repr, source: None }),
        }
    }

    pub(crate) fn api(error: ApiError) -> Self {
        Self::from_repr(Repr::Api(error))
    }

    pub(crate) fn transport(error: TransportError) -> Self {
        Self::from_repr(Repr::Transport(error))
    }

    pub(crate) fn decode(error: DecodeError) -> Self {
        Self::from_repr(Repr::Decode(error))
    }

    pub(crate) fn token(reason: TokenErrorReason) -> Self {
        Self::from_repr(Repr::Token(reason))
    }

    /// `argument` was rejected before any request; `why` says how ("is empty").
    pub(crate) fn argument(argument: Argument, why: &'static str) -> Self {
        Self::from_repr(Repr::InvalidArgument(argument, why))
    }

    /// `argument` is empty.
    pub(crate) fn empty(argument: Argument) -> Self {
        Self::argument(argument, "is empty")
    }

    /// A configuration error; `what` is a static description.
    pub(crate) fn configuration(what: &'static str) -> Self {
        Self::from_repr(Repr::Configuration(what))
    }

    /// A polling wait gave up after `waited`.
    pub(crate) fn wait_timeout(waited: Duration) -> Self {
        Self::from_repr(Repr::WaitTimeout(waited))
    }

    /// A failure of a custom [`KeySource`](crate::KeySource): keeps `cause` as the
    /// [`source`](StdError::source). Its `Display` must not carry secrets.
    pub fn key_source(cause: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        Self::from_repr(Repr::KeySource).with_source(cause)
    }

    /// Attaches a cause (must not carry secrets in its `Display`).
    pub(crate) fn with_source(
        self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        let source: Source = Arc::from(source.into());
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => Self {
                inner: Arc::new(Inner {
                    repr: inner.repr,
                    source: Some(source),
                }),
            },
            // Only fresh errors get a source; a shared one is returned as it is.
            Err(inner) => Self { inner },
        }
    }

    /// Whether Descope refused the management key of a management call (HTTP 401): the key
    /// was sent and is wrong, revoked or of another project. A call made with no key at all
    /// fails before any request with [`ErrorKind::Configuration`] instead.
    pub fn is_management_key_rejected(&self) -> bool {
        self.inner
            .source
            .as_deref()
            .is_some_and(|s| s.is::<ManagementKeyRejected>())
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match &self.inner.repr {
            Repr::Api(_) => ErrorKind::Api,
            Repr::Transport(_) => ErrorKind::Transport,
            Repr::Decode(_) => ErrorKind::Decode,
            Repr::Token(_) => ErrorKind::TokenValidation,
            Repr::InvalidArgument(..) => ErrorKind::InvalidArgument,
            Repr::Configuration(_) => ErrorKind::Configuration,
            Repr::KeySource => ErrorKind::KeySource,
            Repr::WaitTimeout(_) => ErrorKind::WaitTimeout,
        }
    }

    /// The API error, when Descope answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.inner.repr {
            Repr::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The transport error, when the exchange failed.
    pub fn transport_error(&self) -> Option<&TransportError> {
        match &self.inner.repr {
            Repr::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// The decode error, when a 2xx body could not be decoded.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match &self.inner.repr {
            Repr::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// Why a token was rejected, for token validation errors.
    pub fn token_reason(&self) -> Option<TokenErrorReason> {
        match &self.inner.repr {
            Repr::Token(r) => Some(*r),
            _ => None,
        }
    }

    /// Which argument was rejected, for invalid-argument errors.
    pub fn invalid_argument(&self) -> Option<Argument> {
        match &self.inner.repr {
            Repr::InvalidArgument(argument, _) => Some(*argument),
            _ => None,
        }
    }

    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.repr {
            Repr::Api(e) => Some(e.status),
            Repr::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// Descope's error code, for API errors.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.api_error().map(|e| &e.code)
    }

    /// Whether Descope answered that the enchanted link was not clicked yet
    /// ([`ErrorCode::EnchantedLinkPending`], `E062503`, HTTP 401): poll again later.
    pub fn is_enchanted_link_pending(&self) -> bool {
        self.code() == Some(&ErrorCode::EnchantedLinkPending)
    }

    /// Whether a polling wait reached its deadline with the answer still pending
    /// ([`ErrorKind::WaitTimeout`]).
    pub fn is_wait_timeout(&self) -> bool {
        self.kind() == ErrorKind::WaitTimeout
    }

    /// `Retry-After` of a rate-limited (429) answer.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// Whether the request may have reached Descope: `false` only when it provably did not
    /// (rejected before sending, or a connection that sent nothing). A call that spends a
    /// one-time credential must not be repeated when this is `true`.
    pub fn may_have_been_sent(&self) -> bool {
        match &self.inner.repr {
            Repr::Transport(e) => e.may_have_been_sent(),
            Repr::InvalidArgument(..) | Repr::Configuration(_) | Repr::Token(_) => false,
            Repr::Api(_) | Repr::Decode(_) | Repr::KeySource | Repr::WaitTimeout(_) => true,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.repr {
            Repr::Api(e) if self.is_management_key_rejected() => {
                write!(f, "{e} (the management key was rejected)")
            }
            Repr::Api(e) => e.fmt(f),
            Repr::Transport(e) => write!(f, "transport error: {e}"),
            Repr::Decode(e) => e.fmt(f),
            Repr::Token(r) => write!(f, "invalid token: {}", r.describe()),
            Repr::InvalidArgument(argument, why) => {
                write!(f, "invalid argument: {} {why}", argument.describe())
            }
            Repr::Configuration(what) => write!(f, "configuration error: {what}"),
            Repr::KeySource => f.write_str("the key source failed"),
            Repr::WaitTimeout(waited) => write!(
                f,
                "still pending after waiting {} ms: gave up",
                waited.as_millis()
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind());
        match &self.inner.repr {
            Repr::Api(e) => d.field("api", e),
            Repr::Transport(e) => d.field("transport", e),
            Repr::Decode(e) => d.field("decode", e),
            Repr::Token(r) => d.field("reason", r),
            Repr::InvalidArgument(argument, why) => d.field("argument", argument).field("why", why),
            Repr::Configuration(w) => d.field("what", w),
            Repr::KeySource => &mut d,
            Repr::WaitTimeout(waited) => d.field("waited", waited),
        };
        if let Some(source) = &self.inner.source {
            d.field("source", &format_args!("{source}"));
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.inner.repr {
            Repr::Transport(e) => Some(e),
            Repr::Api(e) if e.source.is_some() => Some(e),
            Repr::Decode(e) if e.source.is_some() => Some(e),
            _ => self.inner.source.as_deref().map(|s| s as _),
        }
    }
}

/// Lets a custom [`KeySource`](crate::KeySource) report a failed exchange with `?`.
impl From<TransportError> for Error {
    fn from(error: TransportError) -> Self {
        Error::transport(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Disk;
    impl fmt::Display for Disk {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("key file unreadable")
        }
    }
    impl StdError for Disk {}

    #[test]
    fn clones_keep_the_cause() {
        let error = Error::key_source(Disk);
        let copy = error.clone();
        assert_eq!(copy.kind(), ErrorKind::KeySource);
        assert_eq!(
            copy.source().map(ToString::to_string).as_deref(),
            Some("key file unreadable")
        );
        assert!(format!("{copy:?}").contains("key file unreadable"));
    }

    #[test]
    fn invalid_argument_is_typed() {
        let error = Error::empty(Argument::LoginId);
        assert_eq!(error.invalid_argument(), Some(Argument::LoginId));
        assert_eq!(error.to_string(), "invalid argument: login id is empty");
        assert!(!error.may_have_been_sent());
    }

    #[test]
    fn decode_error_keeps_the_json_error() {
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        let error = Error::decode(DecodeError {
            source: Some(Arc::new(json)),
            ..DecodeError::new(200)
        });
        let decode = error.source().expect("decode error");
        assert!(decode.source().is_some(), "serde error kept");
    }
}
