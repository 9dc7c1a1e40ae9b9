//! `descope_transport::retry_after` over any `Retry-After` bytes at any time. Never a
//! panic; delta-seconds read exactly; an HTTP date gives the time left (never negative).
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::RETRY_AFTER;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (clock, value) = data.split_at(8);
    // Any time from 1970 to about 2554.
    let seconds = u64::from_le_bytes(clock.try_into().unwrap()) % (1 << 34);
    let now = UNIX_EPOCH + Duration::from_secs(seconds);
    let Ok(value) = HeaderValue::from_bytes(value) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(RETRY_AFTER, value.clone());
    let wait = descope_transport::retry_after(&headers, now);
    let text = value.to_str().map(str::trim).unwrap_or_default();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        assert_eq!(wait, text.parse::<u64>().ok().map(Duration::from_secs));
    } else if let Some(wait) = wait {
        // A date: at most the distance from now to the date.
        let at = now + wait;
        assert!(at >= now && at <= SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_800));
    }
});
