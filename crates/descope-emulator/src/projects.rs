//! The project registry: any project id seen is served (unless strict), each with its own
//! state and key, created once (key generation runs off the async threads).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use descope_types::{ErrorCode, ProjectId};
use http::StatusCode;
use tokio::sync::OnceCell;

use crate::api_error::ApiError;
use crate::clock::OffsetClock;
use crate::config::EmulatorConfig;
use crate::keys::SigningKey;
use crate::project::Project;

/// More projects than this in one emulator is a runaway client, not a test.
pub(crate) const MAX_PROJECTS: usize = 1000;

type Cell = Arc<OnceCell<Arc<Project>>>;

pub(crate) struct Projects {
    cells: Mutex<HashMap<ProjectId, Cell>>,
    config: Arc<EmulatorConfig>,
    clock: Arc<OffsetClock>,
    base_url: String,
}

impl Projects {
    pub(crate) fn new(
        config: Arc<EmulatorConfig>,
        clock: Arc<OffsetClock>,
        base_url: String,
    ) -> Self {
        Self {
            cells: Mutex::default(),
            config,
            clock,
            base_url,
        }
    }

    fn known(&self, id: &ProjectId) -> bool {
        let id = id.as_str();
        id == self.config.project_id || self.config.projects.iter().any(|p| p == id)
    }

    /// The configured projects and those created since, sorted (the console's switcher).
    pub(crate) fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .cells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .map(|id| id.as_str().to_owned())
            .chain(std::iter::once(self.config.project_id.clone()))
            .chain(self.config.projects.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The project, created on first use.
    pub(crate) async fn get(&self, id: &ProjectId) -> Result<Arc<Project>, ApiError> {
        if self.config.strict_projects && !self.known(id) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidArguments,
                "Unknown project",
                "This emulator serves only its configured projects",
            ));
        }
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            if !cells.contains_key(id) && cells.len() >= MAX_PROJECTS {
                return Err(ApiError::bad_request("Too many projects in one emulator"));
            }
            Arc::clone(cells.entry(id.clone()).or_default())
        };
        let project = cell
            .get_or_try_init(|| async {
                let key = tokio::task::spawn_blocking(SigningKey::generate)
                    .await
                    .map_err(|_| ApiError::internal("key generation was interrupted"))??;
                Ok::<_, ApiError>(Arc::new(Project::new(
                    id.as_str(),
                    key,
                    Arc::clone(&self.config),
                    Arc::clone(&self.clock),
                    &self.base_url,
                )))
            })
            .await?;
        Ok(Arc::clone(project))
    }
}
