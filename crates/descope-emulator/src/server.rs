//! [`Emulator`]: binds, serves, and stops on `shutdown` or drop.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use descope_types::ProjectId;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::Shared;
use crate::clock::OffsetClock;
use crate::config::EmulatorConfig;
use crate::conn::{ClientConn, FaultListener};
use crate::counter::RequestCounts;
use crate::error::{EmulatorError, EmulatorErrorKind};
use crate::projects::Projects;

/// A running emulator. Cheap to query; stops when [`shutdown`](Self::shutdown) is awaited
/// or when dropped.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    project_id: String,
    issuer: String,
    /// The first seeded management key (printed in the start-up banner).
    management_key: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds (`127.0.0.1:0` unless `config.listen` says otherwise), creates the default
    /// project's signing key and starts serving on the current Tokio runtime.
    pub async fn start(config: EmulatorConfig) -> Result<Self, EmulatorError> {
        config.validate()?;
        let address = config
            .listen
            .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let listener = TcpListener::bind(address).await.map_err(|e| {
            EmulatorError::with_source(EmulatorErrorKind::Io, format!("cannot bind {address}"), e)
        })?;
        let local = listener.local_addr().map_err(|e| {
            EmulatorError::with_source(EmulatorErrorKind::Io, "cannot read the bound address", e)
        })?;
        let base_url = format!("http://{local}");
        let default_id = ProjectId::new(&config.project_id)
            .map_err(|e| EmulatorError::new(EmulatorErrorKind::Config, e.to_string()))?;
        let config = Arc::new(config);
        let clock = Arc::new(OffsetClock::default());
        let provider_secret = crate::random::bytes::<32>()
            .map_err(|_| EmulatorError::new(EmulatorErrorKind::Crypto, "no randomness"))?;
        let shared = Arc::new(Shared {
            projects: Projects::new(Arc::clone(&config), Arc::clone(&clock), base_url.clone()),
            faults: Arc::default(),
            requests: Arc::new(RequestCounts::new(default_id.clone())),
            config: Arc::clone(&config),
            base_url: base_url.clone(),
            clock,
            provider_secret,
        });
        let project =
            shared.projects.get(&default_id).await.map_err(|_| {
                EmulatorError::new(EmulatorErrorKind::Crypto, "key generation failed")
            })?;
        let issuer = project.issuer.clone();
        let router = crate::handlers::router(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let serve = axum::serve(
            FaultListener(listener),
            router.into_make_service_with_connect_info::<ClientConn>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        let task = tokio::spawn(async move {
            if let Err(error) = serve.await {
                tracing::error!(%error, "emulator server stopped");
            }
        });
        tracing::info!(%base_url, project_id = %config.project_id, "Descope emulator started");
        Ok(Self {
            base_url,
            project_id: config.project_id.clone(),
            management_key: config
                .seed
                .management_keys
                .first()
                .map(|k| k.key.secret().to_owned()),
            issuer,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): the base URL to give an SDK.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The default project's id.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The first management key of the seed (the demo seed has one), for
    /// `Authorization: Bearer <projectId>:<managementKey>` on `/v1/mgmt/*` calls.
    pub fn management_key(&self) -> Option<&str> {
        self.management_key.as_deref()
    }

    /// The `iss` claim of the default project's tokens: `<base_url>/<project_id>`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Stops accepting, lets in-flight requests finish (up to 5 s), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
