//! `Authorization: Bearer <pid>[:<token>[:<auth management key>]]`, the way every Descope API
//! call names its project.

use descope_types::ProjectId;
use http::{HeaderMap, header};

use crate::api_error::ApiError;

/// A parsed bearer. No `Debug`: the token is a credential.
pub(crate) struct Bearer {
    pub(crate) project_id: ProjectId,
    pub(crate) token: Option<String>,
}

/// The bearer, `None` without an `Authorization` header; 401 `E011002` when malformed.
pub(crate) fn parse(headers: &HeaderMap) -> Result<Option<Bearer>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || ApiError::missing_bearer("The Authorization header is malformed");
    let value = value.to_str().map_err(|_| malformed())?.trim();
    let (scheme, rest) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(malformed());
    }
    let mut parts = rest.trim().split(':');
    let project_id = ProjectId::new(parts.next().unwrap_or_default()).map_err(|_| malformed())?;
    let token = parts.next().filter(|t| !t.is_empty()).map(str::to_owned);
    Ok(Some(Bearer { project_id, token }))
}
