//! The one error type of this crate.

use std::error::Error as StdError;
use std::fmt;

/// What kind of failure a [`TransportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request (or connecting) took longer than allowed.
    Timeout,
    /// No connection could be made: refused, DNS, TLS handshake.
    Connect,
    /// The connection failed while sending or receiving (reset, closed early, truncated).
    Io,
    /// The response body exceeded the configured cap.
    BodyTooLarge,
    /// The peer sent something that is not valid HTTP.
    InvalidResponse,
    /// The request could not be built or sent as given (bad URL, unsupported scheme).
    InvalidRequest,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Timeout => "request timed out",
            Self::Connect => "could not connect",
            Self::Io => "connection failed during the exchange",
            Self::BodyTooLarge => "response body too large",
            Self::InvalidResponse => "invalid HTTP response",
            Self::InvalidRequest => "invalid request",
            Self::Other => "transport error",
        }
    }
}

/// A failure to complete an HTTP exchange.
///
/// Opaque: inspect it with [`kind`](Self::kind), the predicates, and
/// [`may_have_been_sent`](Self::may_have_been_sent), which tells whether the server may have
/// received (and acted on) the request. Its `Debug` and `Display` never contain header
/// values, query values or bodies.
pub struct TransportError {
    kind: TransportErrorKind,
    may_have_been_sent: bool,
    context: Option<&'static str>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl TransportError {
    /// A new error. `may_have_been_sent` is `true` unless set otherwise: the safe default
    /// for retry decisions.
    pub fn new(kind: TransportErrorKind) -> Self {
        Self {
            kind,
            may_have_been_sent: true,
            context: None,
            source: None,
        }
    }

    /// Attaches the underlying cause. Custom transports must make sure the cause's own
    /// `Display` does not carry secrets (reqwest's and hyper's do not print headers or
    /// bodies; URLs are stripped by the built-in backends).
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Records whether the request may have reached the server.
    pub fn with_may_have_been_sent(mut self, may_have_been_sent: bool) -> Self {
        self.may_have_been_sent = may_have_been_sent;
        self
    }

    /// A short static description added to the message (never user data).
    pub fn with_context(mut self, context: &'static str) -> Self {
        self.context = Some(context);
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// Whether no connection could be made.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// Whether the response body exceeded the cap.
    pub fn is_body_too_large(&self) -> bool {
        self.kind == TransportErrorKind::BodyTooLarge
    }

    /// Whether the server may have received the request. When `false`, resending cannot
    /// cause a second effect (a one-time code is not spent twice).
    pub fn may_have_been_sent(&self) -> bool {
        self.may_have_been_sent
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if let Some(context) = self.context {
            write!(f, " ({context})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("may_have_been_sent", &self.may_have_been_sent)
            .field("context", &self.context)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}
