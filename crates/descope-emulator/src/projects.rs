//! The project registry: any project id seen is served (unless strict), each with its own
//! state and key, created once (key generation runs off the async threads).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use descope_types::ErrorCode;
use http::StatusCode;
use tokio::sync::OnceCell;

use crate::api_error::ApiError;
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::keys::SigningKey;
use crate::project::Project;

/// More projects than this in one emulator is a runaway client, not a test.
const MAX_PROJECTS: usize = 1000;

/// Project ids: 1-128 characters of `A-Z a-z 0-9 _ - .`.
pub(crate) fn valid_project_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

type Cell = Arc<OnceCell<Arc<Project>>>;

pub(crate) struct Projects {
    cells: Mutex<HashMap<String, Cell>>,
    config: Arc<EmulatorConfig>,
    clock: Arc<Clock>,
    base_url: String,
}

impl Projects {
    pub(crate) fn new(config: Arc<EmulatorConfig>, clock: Arc<Clock>, base_url: String) -> Self {
        Self {
            cells: Mutex::default(),
            config,
            clock,
            base_url,
        }
    }

    fn known(&self, id: &str) -> bool {
        id == self.config.project_id || self.config.projects.iter().any(|p| p == id)
    }

    /// The project, created on first use.
    pub(crate) async fn get(&self, id: &str) -> Result<Arc<Project>, ApiError> {
        if !valid_project_id(id) {
            return Err(ApiError::missing_bearer("The project id is malformed"));
        }
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
            Arc::clone(cells.entry(id.to_owned()).or_default())
        };
        let project = cell
            .get_or_try_init(|| async {
                let key = tokio::task::spawn_blocking(SigningKey::generate)
                    .await
                    .map_err(|_| ApiError::internal("key generation was interrupted"))??;
                Ok::<_, ApiError>(Arc::new(Project::new(
                    id,
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
