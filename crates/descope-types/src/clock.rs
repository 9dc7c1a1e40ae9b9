//! The one clock abstraction of the workspace: the client's token checks, the transport's
//! `Retry-After` dates and the emulator's controllable time all read a [`Clock`].

use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Tells the current time. Injected wherever time decides an outcome, so tests move time
/// instead of sleeping.
pub trait Clock: Send + Sync + Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in whole seconds since the unix epoch (0 before the epoch, saturated
    /// far in the future).
    fn now_unix(&self) -> i64 {
        unix_seconds(self.now())
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Whole seconds since the unix epoch: 0 before it, `i64::MAX` past what fits.
pub fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The time `seconds` after the unix epoch (negative values clamp to the epoch).
pub fn from_unix_seconds(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_round_trip() {
        assert_eq!(
            unix_seconds(from_unix_seconds(1_700_000_000)),
            1_700_000_000
        );
        assert_eq!(unix_seconds(from_unix_seconds(-5)), 0);
        assert!(SystemClock.now_unix() > 1_700_000_000);
    }
}
