//! What every operation builder shares: per-call transport overrides, and `.await` on the
//! builder itself.

use std::time::Duration;

use descope_transport::{RequestOptions, Resend};

/// Per-call settings every builder carries (`.timeout(..)`, `.retries(..)`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallOptions {
    timeout: Option<Duration>,
    retries: bool,
    /// The call spends a one-time credential: never resent once it may have been delivered.
    one_time: bool,
}

impl CallOptions {
    /// An ordinary call: the client's policy decides retries.
    pub(crate) const fn new() -> Self {
        Self {
            timeout: None,
            retries: true,
            one_time: false,
        }
    }

    /// A call that spends a one-time credential (a code, a TOTP code, a rotating refresh
    /// token): resent only when it provably never reached Descope.
    pub(crate) const fn one_time() -> Self {
        Self {
            one_time: true,
            ..Self::new()
        }
    }

    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    pub(crate) fn set_retries(&mut self, retries: bool) {
        self.retries = retries;
    }

    /// The transport overrides for this call.
    pub(crate) fn request_options(&self) -> RequestOptions {
        let resend = match (self.retries, self.one_time) {
            (false, _) => Resend::Never,
            (true, true) => Resend::UnsentOnly,
            (true, false) => Resend::Policy,
        };
        let options = RequestOptions::new().resend(resend);
        match self.timeout {
            Some(timeout) => options.timeout(timeout),
            None => options,
        }
    }
}

/// Gives an operation builder (a struct with a `call: CallOptions` field and an
/// `async fn send(self) -> Result<$output, Error>`) the per-call setters and `IntoFuture`.
macro_rules! operation {
    ($builder:ident => $output:ty) => {
        impl<'a> $builder<'a> {
            /// The time allowed for each attempt of this call (default: the client's
            /// [`Policy`](descope_transport::Policy)).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.call.set_timeout(timeout);
                self
            }

            /// Whether failed attempts may be sent again (default `true`: the client's
            /// policy decides). Calls that spend a one-time credential are never resent
            /// once they may have reached Descope, whatever this says.
            pub fn retries(mut self, enabled: bool) -> Self {
                self.call.set_retries(enabled);
                self
            }
        }

        impl<'a> std::future::IntoFuture for $builder<'a> {
            type Output = Result<$output, crate::Error>;
            type IntoFuture =
                std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

pub(crate) use operation;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_calls_never_resend_after_delivery() {
        assert_eq!(
            CallOptions::new().request_options().get_resend(),
            Resend::Policy
        );
        assert_eq!(
            CallOptions::one_time().request_options().get_resend(),
            Resend::UnsentOnly
        );
        let mut off = CallOptions::one_time();
        off.set_retries(false);
        assert_eq!(off.request_options().get_resend(), Resend::Never);
    }
}
