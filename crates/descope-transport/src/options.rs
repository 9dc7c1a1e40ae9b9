//! Per-request overrides of the policy, carried in the request's extensions.

use std::time::Duration;

/// Per-request overrides of a [`Policy`](crate::Policy), carried in the request's extensions
/// (`request.extensions_mut().insert(options)`): the client sets them for each call.
///
/// ```
/// use std::time::Duration;
/// use descope_transport::{RequestOptions, Resend};
///
/// // A call that spends a one-time code: a 10 s limit, never resent once it may have
/// // reached the server.
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(10))
///     .resend(Resend::UnsentOnly);
/// let mut request = http::Request::new(bytes::Bytes::new());
/// request.extensions_mut().insert(options);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// `None`: the policy's; `Some(None)`: no timeout.
    pub(crate) timeout: Option<Option<Duration>>,
    resend: Resend,
}

impl RequestOptions {
    /// No overrides: the policy decides.
    pub const fn new() -> Self {
        Self {
            timeout: None,
            resend: Resend::Policy,
        }
    }

    /// The time allowed for each attempt of this request.
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// No per-attempt timeout for this request.
    pub const fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// Which failures of this request may be resent.
    pub const fn resend(mut self, resend: Resend) -> Self {
        self.resend = resend;
        self
    }

    /// The resend rule.
    pub const fn get_resend(&self) -> Resend {
        self.resend
    }
}

/// Which failed attempts of a request may be sent again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resend {
    /// Whatever the [`RetryPolicy`](crate::RetryPolicy) retries (the default).
    #[default]
    Policy,
    /// Only attempts that provably never reached Descope: connection failures that sent
    /// nothing, and the gateway statuses that say the origin was never reached (521, 522,
    /// 523, 530). For calls that spend a one-time credential (a code exchange, an OTP or
    /// TOTP verify, a rotating refresh): a 520, a 524, a 429 or a reset mid-exchange may mean
    /// the credential was spent, so it is never resent.
    UnsentOnly,
    /// No resend at all.
    Never,
}
