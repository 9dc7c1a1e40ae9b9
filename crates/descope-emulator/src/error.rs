//! The library API's error type (starting, configuring). HTTP answers use
//! [`ApiError`](crate::api_error::ApiError) instead.

use std::error::Error as StdError;
use std::fmt;

/// What kind of failure an [`EmulatorError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EmulatorErrorKind {
    /// Binding or serving the socket failed.
    Io,
    /// The configuration (or the config file) is invalid.
    Config,
    /// Key generation or another cryptographic operation failed.
    Crypto,
}

/// The error of [`Emulator::start`](crate::Emulator::start) and config loading.
#[derive(Debug)]
pub struct EmulatorError {
    kind: EmulatorErrorKind,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl EmulatorError {
    pub(crate) fn new(kind: EmulatorErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        kind: EmulatorErrorKind,
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> EmulatorErrorKind {
        self.kind
    }

    /// A human-readable description (never contains secrets).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for EmulatorError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
