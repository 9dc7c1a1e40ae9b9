//! Error classification and request checks shared by the built-in backends.

use std::error::Error as StdError;

use crate::{TransportError, TransportErrorKind};

/// The kind for a failure during the exchange, from the hyper error in `error`'s chain.
pub(crate) fn exchange_kind(error: &(dyn StdError + 'static)) -> TransportErrorKind {
    let mut current = Some(error);
    while let Some(err) = current {
        if let Some(hyper_err) = err.downcast_ref::<hyper::Error>() {
            if hyper_err.is_timeout() {
                return TransportErrorKind::Timeout;
            }
            if hyper_err.is_parse() || hyper_err.is_parse_status() {
                return TransportErrorKind::InvalidResponse;
            }
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return TransportErrorKind::Timeout;
        }
        current = err.source();
    }
    TransportErrorKind::Io
}

/// Rejects what no backend can send, before anything touches the network.
pub(crate) fn check_uri(uri: &http::Uri) -> Result<(), TransportError> {
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.authority().is_none() {
        return Err(TransportError::new(TransportErrorKind::InvalidRequest)
            .with_may_have_been_sent(false)
            .with_context("the URI must be absolute http or https"));
    }
    Ok(())
}
