//! An injectable clock, so token expiry can be tested without sleeping.

use std::fmt::Debug;
use std::time::{SystemTime, UNIX_EPOCH};

/// Tells the current time, in unix seconds.
pub trait Clock: Send + Sync + Debug + 'static {
    /// Seconds since the unix epoch.
    fn now_unix(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}
