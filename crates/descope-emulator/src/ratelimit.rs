//! Optional fixed-window rate limit per client IP on the Descope endpoints: 429 `E130429`
//! with `Retry-After`. Windows follow the emulator clock, so tests can skip them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use descope_types::Clock as _;

use crate::api_error::ApiError;
use crate::clock::OffsetClock;
use crate::config::RateLimit;
use crate::conn::ClientConn;

pub(crate) struct RateLimiter {
    limit: RateLimit,
    clock: Arc<OffsetClock>,
    /// Window start and count per IP.
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit, clock: Arc<OffsetClock>) -> Self {
        Self {
            limit,
            clock,
            windows: Mutex::default(),
        }
    }

    /// `Err(seconds to wait)` when over the limit.
    fn check(&self, ip: IpAddr, now: i64) -> Result<(), u64> {
        let window = i64::try_from(self.limit.window_seconds).unwrap_or(i64::MAX);
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.saturating_sub(entry.0) >= window || now < entry.0 {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit.requests {
            let wait = entry.0.saturating_add(window).saturating_sub(now);
            return Err(u64::try_from(wait).unwrap_or(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

pub(crate) async fn middleware(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<ClientConn>>()
        .map(|c| c.0.addr.ip());
    if let Some(ip) = ip.filter(|_| !req.uri().path().starts_with("/emulator/"))
        && let Err(wait) = limiter.check(ip, limiter.clock.now_unix())
    {
        return ApiError::rate_limited(wait).into_response();
    }
    next.run(req).await
}
