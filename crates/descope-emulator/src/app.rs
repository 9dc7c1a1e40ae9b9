//! State shared by every handler.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::faults::Faults;
use crate::projects::Projects;
use crate::ratelimit::RateLimiter;

pub(crate) struct Shared {
    pub(crate) config: Arc<EmulatorConfig>,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) clock: Arc<Clock>,
    pub(crate) projects: Projects,
    pub(crate) faults: Faults,
    pub(crate) rate_limiter: Option<RateLimiter>,
    /// HMAC key of the emulated native providers' ID tokens.
    pub(crate) provider_secret: [u8; 32],
}

pub(crate) type App = Arc<Shared>;
