//! State shared by every handler.

use std::sync::Arc;

use crate::clock::OffsetClock;
use crate::config::EmulatorConfig;
use crate::counter::RequestCounts;
use crate::faults::Faults;
use crate::projects::Projects;

pub(crate) struct Shared {
    pub(crate) config: Arc<EmulatorConfig>,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) clock: Arc<OffsetClock>,
    pub(crate) projects: Projects,
    pub(crate) faults: Arc<Faults>,
    pub(crate) requests: Arc<RequestCounts>,
    /// HMAC key of the emulated native providers' ID tokens.
    pub(crate) provider_secret: [u8; 32],
}

pub(crate) type App = Arc<Shared>;
