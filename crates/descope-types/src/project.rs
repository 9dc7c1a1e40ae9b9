//! Project ids: which characters they may hold, and the API host a region-bearing id selects.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The default API host, for project ids without a region.
pub const DEFAULT_BASE_URL: &str = "https://api.descope.com";

/// Longest project id accepted.
pub const MAX_PROJECT_ID_LEN: usize = 128;

/// A Descope project id: 1 to 128 characters of `A-Z a-z 0-9 _ - .`.
///
/// The one place the project-id rules live: the client derives its API host from it, and the
/// emulator accepts the same ids.
///
/// ```
/// use descope_types::ProjectId;
///
/// let id = ProjectId::new("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z").unwrap();
/// assert_eq!(id.base_url(), "https://api.use1.descope.com");
/// assert_eq!(ProjectId::new("P2abc").unwrap().base_url(), "https://api.descope.com");
/// assert!(ProjectId::new("bad id").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(String);

/// Why a string is not a [`ProjectId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidProjectId {
    /// Empty (or only white space).
    Empty,
    /// Longer than [`MAX_PROJECT_ID_LEN`].
    TooLong,
    /// A character outside `A-Z a-z 0-9 _ - .`.
    BadCharacter,
}

impl fmt::Display for InvalidProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "project id is empty",
            Self::TooLong => "project id is longer than 128 characters",
            Self::BadCharacter => "project id has a character outside A-Z a-z 0-9 _ - .",
        })
    }
}

impl std::error::Error for InvalidProjectId {}

impl ProjectId {
    /// Checks `id` (surrounding white space is ignored).
    pub fn new(id: impl AsRef<str>) -> Result<Self, InvalidProjectId> {
        let id = id.as_ref().trim();
        if id.is_empty() {
            return Err(InvalidProjectId::Empty);
        }
        if id.len() > MAX_PROJECT_ID_LEN {
            return Err(InvalidProjectId::TooLong);
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            return Err(InvalidProjectId::BadCharacter);
        }
        Ok(Self(id.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region the id carries: ids of 32 or more characters hold it in characters 1..5
    /// (`Puse1…` → `use1`).
    pub fn region(&self) -> Option<&str> {
        (self.0.len() >= 32).then(|| &self.0[1..5])
    }

    /// The API base URL for this project: `https://api.<region>.descope.com` when the id
    /// carries a region, else [`DEFAULT_BASE_URL`].
    pub fn base_url(&self) -> String {
        match self.region() {
            Some(region) => format!("https://api.{region}.descope.com"),
            None => DEFAULT_BASE_URL.to_owned(),
        }
    }
}

impl fmt::Debug for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ProjectId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for ProjectId {
    type Err = InvalidProjectId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for ProjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ProjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::new(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(
            ProjectId::new("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z")
                .unwrap()
                .region(),
            Some("use1")
        );
        assert_eq!(
            ProjectId::new("P2abcdefghijklmnopqrstuvwxyz")
                .unwrap()
                .region(),
            None
        );
        assert_eq!(ProjectId::new("  P2x \n").unwrap().as_str(), "P2x");
        assert_eq!(ProjectId::new(""), Err(InvalidProjectId::Empty));
        assert_eq!(ProjectId::new(" "), Err(InvalidProjectId::Empty));
        assert_eq!(ProjectId::new("a/b"), Err(InvalidProjectId::BadCharacter));
        assert_eq!(ProjectId::new("é"), Err(InvalidProjectId::BadCharacter));
        assert_eq!(
            ProjectId::new("x".repeat(129)),
            Err(InvalidProjectId::TooLong)
        );
        assert!(ProjectId::new("x".repeat(128)).is_ok());
        assert!(serde_json::from_str::<ProjectId>("\"a b\"").is_err());
    }
}
