//! `CHANGELOG.md` in the Keep a Changelog format: moving "Unreleased" under a version.

use crate::Error;
use crate::version::Version;

/// The result of [`release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// The new changelog text.
    pub text: String,
    /// Whether the Unreleased section had any content (a real release needs some).
    pub had_entries: bool,
}

/// Moves the body of `## [Unreleased]` under a new `## [version] - date` heading and leaves
/// an empty Unreleased section above it. Refuses a changelog without an Unreleased section or
/// one that already has this version.
pub fn release(changelog: &str, version: &Version, date: &str) -> Result<Released, Error> {
    let lines: Vec<&str> = changelog.lines().collect();
    let unreleased = lines
        .iter()
        .position(|l| l.trim().to_ascii_lowercase().starts_with("## [unreleased]"))
        .ok_or_else(|| {
            Error::refused("CHANGELOG.md has no `## [Unreleased]` section to release")
        })?;
    let heading = format!("## [{version}]");
    if lines.iter().any(|l| l.trim_start().starts_with(&heading)) {
        return Err(Error::refused(format!(
            "CHANGELOG.md already has a `{heading}` section"
        )));
    }
    let end = lines[unreleased + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || is_link_definition(l))
        .map_or(lines.len(), |i| unreleased + 1 + i);
    let body: Vec<&str> = trim_blank(&lines[unreleased + 1..end]);
    let mut out: Vec<String> = lines[..=unreleased]
        .iter()
        .map(|l| (*l).to_owned())
        .collect();
    out.push(String::new());
    out.push(format!("{heading} - {date}"));
    if !body.is_empty() {
        out.push(String::new());
        out.extend(body.iter().map(|l| (*l).to_owned()));
    }
    if end < lines.len() {
        out.push(String::new());
        out.extend(lines[end..].iter().map(|l| (*l).to_owned()));
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(Released {
        text,
        had_entries: !body.is_empty(),
    })
}

/// Whether the file has an Unreleased section (for `tidy`).
pub fn has_unreleased(changelog: &str) -> bool {
    changelog
        .lines()
        .any(|l| l.trim().to_ascii_lowercase().starts_with("## [unreleased]"))
}

fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

fn trim_blank<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].to_vec(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Version = Version::new(0, 2, 0);

    #[test]
    fn moves_unreleased_under_the_version() {
        let before = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- alpha: a thing\n\n## [0.1.0] - 2025-01-02\n\n- first\n";
        let after = release(before, &V, "2026-05-06").unwrap();
        assert!(after.had_entries);
        assert_eq!(
            after.text,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.2.0] - 2026-05-06\n\n### Added\n\n- alpha: a thing\n\n## [0.1.0] - 2025-01-02\n\n- first\n"
        );
    }

    #[test]
    fn last_section_before_link_definitions() {
        let before = "## [Unreleased]\n- x\n\n[Unreleased]: https://example.com\n";
        let after = release(before, &V, "2026-01-01").unwrap();
        assert_eq!(
            after.text,
            "## [Unreleased]\n\n## [0.2.0] - 2026-01-01\n\n- x\n\n[Unreleased]: https://example.com\n"
        );
    }

    #[test]
    fn empty_unreleased_is_reported() {
        let after = release("# C\n\n## [Unreleased]\n\n", &V, "2026-01-01").unwrap();
        assert!(!after.had_entries);
        assert_eq!(
            after.text,
            "# C\n\n## [Unreleased]\n\n## [0.2.0] - 2026-01-01\n"
        );
    }

    #[test]
    fn refuses_missing_section_and_duplicate_versions() {
        let err = release("# C\n", &V, "2026-01-01").unwrap_err();
        assert!(err.message().contains("Unreleased"));
        let err = release("## [Unreleased]\n## [0.2.0] - 2025-01-01\n", &V, "d").unwrap_err();
        assert!(err.message().contains("already"));
        assert!(has_unreleased("x\n## [unreleased]\n"));
        assert!(!has_unreleased("x\n"));
    }
}
