//! Versions: `MAJOR.MINOR.PATCH` parsing, ordering and bumping.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A release version, `MAJOR.MINOR.PATCH`. Pre-release and build suffixes are not used by
/// this workspace and are refused when parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Incompatible API changes.
    pub major: u64,
    /// Compatible additions (and, before 1.0, incompatible changes).
    pub minor: u64,
    /// Fixes.
    pub patch: u64,
}

impl Version {
    /// A version from its three parts.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// Parses a Rust version as written in `rust-version` fields (`1.88` or `1.88.0`); a
    /// missing patch counts as 0.
    pub fn parse_rust_version(text: &str) -> Result<Self, Error> {
        let parts = split_numbers(text)?;
        match parts.as_slice() {
            [major, minor] => Ok(Version::new(*major, *minor, 0)),
            [major, minor, patch] => Ok(Version::new(*major, *minor, *patch)),
            _ => Err(Error::parse(format!(
                "`{text}` is not a Rust version (expected like 1.88 or 1.88.0)"
            ))),
        }
    }
}

fn split_numbers(text: &str) -> Result<Vec<u64>, Error> {
    text.split('.')
        .map(|part| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::parse(format!(
                    "`{text}` is not a version: `{part}` is not a number"
                )));
            }
            part.parse::<u64>()
                .map_err(|_| Error::parse(format!("`{text}`: `{part}` is too large")))
        })
        .collect()
}

impl FromStr for Version {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        if text.contains(['-', '+']) {
            return Err(Error::parse(format!(
                "`{text}`: pre-release and build versions are not supported; use MAJOR.MINOR.PATCH"
            )));
        }
        match split_numbers(text)?.as_slice() {
            [major, minor, patch] => Ok(Version::new(*major, *minor, *patch)),
            _ => Err(Error::parse(format!(
                "`{text}` is not a version: expected MAJOR.MINOR.PATCH"
            ))),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How to choose the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// `X.Y.Z` -> `X+1.0.0`.
    Major,
    /// `X.Y.Z` -> `X.Y+1.0`.
    Minor,
    /// `X.Y.Z` -> `X.Y.Z+1`.
    Patch,
    /// This exact version.
    Exact(Version),
}

impl Bump {
    /// The version after `current`. Whether it increases is checked by the caller, which can
    /// explain the refusal.
    pub fn apply(self, current: &Version) -> Version {
        match self {
            Bump::Major => Version::new(current.major + 1, 0, 0),
            Bump::Minor => Version::new(current.major, current.minor + 1, 0),
            Bump::Patch => Version::new(current.major, current.minor, current.patch + 1),
            Bump::Exact(version) => version,
        }
    }
}

impl FromStr for Bump {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "major" => Ok(Bump::Major),
            "minor" => Ok(Bump::Minor),
            "patch" => Ok(Bump::Patch),
            _ => text.parse().map(Bump::Exact).map_err(|err| {
                Error::new(
                    crate::ErrorKind::Usage,
                    format!("expected major, minor, patch or X.Y.Z: {err}"),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let v: Version = "1.20.300".parse().unwrap();
        assert_eq!(v, Version::new(1, 20, 300));
        assert_eq!(v.to_string(), "1.20.300");
    }

    #[test]
    fn rejects_malformed_versions() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1..3",
            "a.b.c",
            "1.2.x",
            " 1.2.3",
            "1.2.3-rc.1",
            "1.2.3+b",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn orders_numerically_not_lexically() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("0.99.99"));
        assert!(v("0.1.10") > v("0.1.9"));
    }

    #[test]
    fn bumps() {
        let current = Version::new(0, 1, 9);
        let next = |b: &str| b.parse::<Bump>().unwrap().apply(&current).to_string();
        assert_eq!(next("patch"), "0.1.10");
        assert_eq!(next("minor"), "0.2.0");
        assert_eq!(next("major"), "1.0.0");
        assert_eq!(next("0.1.5"), "0.1.5");
        assert_eq!(next("3.0.0"), "3.0.0");
    }

    #[test]
    fn bump_rejects_unknown_words() {
        let err = "micro".parse::<Bump>().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Usage);
        assert!(err.message().contains("major, minor, patch"));
    }

    #[test]
    fn rust_versions_accept_two_or_three_parts() {
        assert_eq!(
            Version::parse_rust_version("1.88").unwrap(),
            Version::new(1, 88, 0)
        );
        assert_eq!(
            Version::parse_rust_version("1.88.1").unwrap(),
            Version::new(1, 88, 1)
        );
        assert!(Version::parse_rust_version("1").is_err());
        assert!(Version::parse_rust_version("1.x").is_err());
    }
}
