//! The emulator's clock: a base [`Clock`] plus an offset that tests set through the control
//! API, so they can expire tokens and codes without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use descope_types::{Clock, SystemClock};

/// Largest offset accepted either way (100 years): far enough for any expiry, near enough
/// that shifted times never overflow.
pub(crate) const MAX_OFFSET_SECONDS: i64 = 100 * 366 * 24 * 3600;

#[derive(Debug)]
pub(crate) struct OffsetClock {
    base: Arc<dyn Clock>,
    offset: AtomicI64,
}

impl Default for OffsetClock {
    fn default() -> Self {
        Self::new(Arc::new(SystemClock))
    }
}

impl OffsetClock {
    pub(crate) fn new(base: Arc<dyn Clock>) -> Self {
        Self {
            base,
            offset: AtomicI64::new(0),
        }
    }

    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Sets the offset, clamped to ±[`MAX_OFFSET_SECONDS`].
    pub(crate) fn set_offset(&self, seconds: i64) {
        let seconds = seconds.clamp(-MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS);
        self.offset.store(seconds, Ordering::Relaxed);
    }
}

impl Clock for OffsetClock {
    /// The base clock's time, offset applied.
    fn now(&self) -> SystemTime {
        let base = self.base.now();
        let offset = self.offset();
        let shift = Duration::from_secs(offset.unsigned_abs());
        let shifted = if offset >= 0 {
            base.checked_add(shift)
        } else {
            base.checked_sub(shift)
        };
        // Unreachable with a bounded offset and a real date; the base time is the sane answer.
        shifted.unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descope_types::clock::from_unix_seconds;

    #[derive(Debug)]
    struct Fixed(i64);

    impl Clock for Fixed {
        fn now(&self) -> SystemTime {
            from_unix_seconds(self.0)
        }
    }

    #[test]
    fn offsets_the_base_clock_both_ways_and_clamps() {
        let clock = OffsetClock::new(Arc::new(Fixed(1_700_000_000)));
        assert_eq!(clock.now_unix(), 1_700_000_000);
        clock.set_offset(61);
        assert_eq!(clock.now_unix(), 1_700_000_061);
        clock.set_offset(-3600);
        assert_eq!(clock.now_unix(), 1_699_996_400);
        clock.set_offset(i64::MAX);
        assert_eq!(clock.offset(), MAX_OFFSET_SECONDS);
        assert_eq!(clock.now_unix(), 1_700_000_000 + MAX_OFFSET_SECONDS);
        clock.set_offset(i64::MIN);
        assert_eq!(clock.now_unix(), 0, "before the epoch reads as 0");
    }
}
