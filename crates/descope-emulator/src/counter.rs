//! Per-project counts of the requests the Descope API routes received, by route template
//! (`/v2/keys/{project}`), for `GET /emulator/requests`: tests assert how often a client
//! called. Requests a fault or the rate limit answered count too.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use descope_types::ProjectId;

use crate::bearer;
use crate::projects::MAX_PROJECTS;

/// The bucket of paths no route matches, so the table stays bounded.
pub(crate) const UNMATCHED: &str = "unmatched";

/// Bounded: at most [`MAX_PROJECTS`] projects, each with one entry per route plus
/// [`UNMATCHED`].
pub(crate) struct RequestCounts {
    default_project: ProjectId,
    counts: Mutex<HashMap<ProjectId, BTreeMap<String, u64>>>,
}

impl RequestCounts {
    pub(crate) fn new(default_project: ProjectId) -> Self {
        Self {
            default_project,
            counts: Mutex::default(),
        }
    }

    fn record(&self, project: ProjectId, route: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if !counts.contains_key(&project) && counts.len() >= MAX_PROJECTS {
            return;
        }
        let routes = counts.entry(project).or_default();
        // Allocates the key only on a route's first request.
        match routes.get_mut(route) {
            Some(count) => *count = count.saturating_add(1),
            None => {
                routes.insert(route.to_owned(), 1);
            }
        }
    }

    pub(crate) fn snapshot(&self, project: &ProjectId) -> BTreeMap<String, u64> {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(project).cloned().unwrap_or_default()
    }

    pub(crate) fn clear(&self, project: &ProjectId) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.remove(project);
    }

    /// The bearer's project, else the one in the path (JWKS routes), else the default.
    fn project_of(&self, req: &Request, route: Option<&str>) -> ProjectId {
        if let Ok(Some(bearer)) = bearer::parse(req.headers()) {
            return bearer.project_id;
        }
        route
            .and_then(|route| {
                route
                    .split('/')
                    .zip(req.uri().path().split('/'))
                    .find(|(part, _)| *part == "{project}")
            })
            .and_then(|(_, segment)| ProjectId::new(segment).ok())
            .unwrap_or_else(|| self.default_project.clone())
    }
}

/// Outermost layer, so faults and rate limits are counted as received.
pub(crate) async fn middleware(
    State(counts): State<Arc<RequestCounts>>,
    req: Request,
    next: Next,
) -> Response {
    if !req.uri().path().starts_with("/emulator/") {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str);
        let project = counts.project_of(&req, route);
        counts.record(project, route.unwrap_or(UNMATCHED));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_are_capped() {
        let counts = RequestCounts::new(ProjectId::new("P2Default").unwrap());
        for i in 0..MAX_PROJECTS + 5 {
            counts.record(ProjectId::new(format!("P{i}")).unwrap(), "/r");
        }
        counts.record(ProjectId::new("P0").unwrap(), "/r");
        assert_eq!(counts.counts.lock().unwrap().len(), MAX_PROJECTS);
        assert_eq!(counts.snapshot(&ProjectId::new("P0").unwrap())["/r"], 2);
        assert!(
            counts
                .snapshot(&ProjectId::new(format!("P{MAX_PROJECTS}")).unwrap())
                .is_empty()
        );
        counts.clear(&ProjectId::new("P0").unwrap());
        assert!(counts.snapshot(&ProjectId::new("P0").unwrap()).is_empty());
    }
}
