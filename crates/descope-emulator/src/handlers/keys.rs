//! JWKS: `/v2/keys/{pid}` (object), `/v1/keys/{pid}` (bare array),
//! `/{pid}/.well-known/jwks.json` (object).

use axum::Json;
use axum::extract::{Path, State};
use descope_types::{Jwk, JwkSet, ProjectId};

use crate::api_error::ApiError;
use crate::app::App;

pub(super) async fn v2(
    State(app): State<App>,
    Path(project): Path<String>,
) -> Result<Json<JwkSet>, ApiError> {
    let keys = app.projects.get(&ProjectId::new(project)?).await?.jwks();
    Ok(Json(JwkSet { keys }))
}

pub(super) async fn v1(
    State(app): State<App>,
    Path(project): Path<String>,
) -> Result<Json<Vec<Jwk>>, ApiError> {
    Ok(Json(
        app.projects.get(&ProjectId::new(project)?).await?.jwks(),
    ))
}

pub(super) async fn well_known(
    state: State<App>,
    path: Path<String>,
) -> Result<Json<JwkSet>, ApiError> {
    v2(state, path).await
}
