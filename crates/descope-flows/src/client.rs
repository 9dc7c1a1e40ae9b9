//! The client: one shared, cheaply cloned handle; every operation hangs off it.

use std::fmt;
use std::sync::Arc;

use crate::config::{ClientBuilder, Config};
use crate::error::Error;
use crate::keys::HttpKeySource;
use crate::pipeline::Pipeline;
use crate::validation::SessionValidator;

/// The Descope client.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: build one and share it across tasks.
/// The flows hang off it: [`oauth`](Self::oauth), [`sso`](Self::sso), [`saml`](Self::saml),
/// [`totp`](Self::totp), and the session calls ([`validate_session`](Self::validate_session),
/// [`refresh`](Self::refresh), [`logout`](Self::logout), ...). Every call is a builder:
/// required inputs are the method's arguments, options are chained setters, and
/// `.send().await` (or plain `.await`) runs it.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    pipeline: Arc<Pipeline>,
    validator: SessionValidator,
    #[cfg(feature = "management")]
    management: crate::management::Shared,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("pipeline", &self.inner.pipeline)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Builds the client.
    ///
    /// Fails with [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when the
    /// project id is empty or has characters outside `A-Z a-z 0-9 _ - .`, the base URL is
    /// not an absolute http(s) URL, the public key is malformed, an extra header is invalid,
    /// or no transport is given and neither backend feature is on.
    pub fn build(self) -> Result<Client, Error> {
        Client::new(self.config()?)
    }
}

impl Client {
    /// Starts building a client for a project.
    pub fn builder(project_id: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(project_id)
    }

    /// A client configured from the environment (`DESCOPE_PROJECT_ID`, `DESCOPE_BASE_URL` or
    /// `DESCOPE_BASE_URI`, `DESCOPE_PUBLIC_KEY`); see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    fn new(config: Config) -> Result<Self, Error> {
        let pipeline = Arc::new(Pipeline::new(
            config.project_id,
            config.base_url,
            config.transport,
            config.headers,
            Arc::clone(&config.validation.clock),
        ));
        let keys = HttpKeySource::new(Arc::clone(&pipeline));
        let validator = SessionValidator::new(config.validation, Arc::new(keys))?;
        Ok(Self {
            inner: Arc::new(Inner {
                pipeline,
                validator,
                #[cfg(feature = "management")]
                management: crate::management::Shared::new(config.management_key),
            }),
        })
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        self.inner.pipeline.project_id().as_str()
    }

    /// The API base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.inner.pipeline.base_url()
    }

    /// The validator behind [`validate_session`](Self::validate_session), sharing the
    /// client's key cache (for middleware that only validates).
    pub fn validator(&self) -> &SessionValidator {
        &self.inner.validator
    }

    /// The transport every request goes through (the policy already applied).
    pub fn transport(&self) -> &Arc<dyn descope_transport::Transport> {
        self.inner.pipeline.transport()
    }

    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    #[cfg(feature = "management")]
    pub(crate) fn management_shared(&self) -> &crate::management::Shared {
        &self.inner.management
    }
}
