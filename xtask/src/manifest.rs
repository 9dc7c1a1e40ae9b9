//! Reading and format-preserving editing of `Cargo.toml` and `Cargo.lock` with `toml_edit`.
//!
//! Edits replace string values only and keep each value's surrounding whitespace and
//! comments, so a release diff shows nothing but the version numbers that changed.

use std::collections::BTreeSet;
use std::path::Path;

use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::Error;
use crate::version::Version;

/// The tables whose entries are dependencies, wherever they appear (`[workspace.…]`,
/// `[target.'cfg(…)'.…]`).
const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// How a `[package]` field is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `key.workspace = true` or `key = { workspace = true }`.
    Inherited,
    /// A value of its own (as TOML, like `"MIT"`).
    Own(String),
    /// Not set.
    Missing,
}

/// Parses `text`, read from `path` (named in the error).
pub fn parse(path: &Path, text: &str) -> Result<DocumentMut, Error> {
    text.parse()
        .map_err(|err| Error::parse(format!("{}: invalid TOML: {err}", path.display())))
}

/// How `key` is set in the `[package]` table of a crate manifest.
pub fn package_field(manifest: &DocumentMut, key: &str) -> Field {
    match manifest.get("package").and_then(|p| p.get(key)) {
        None => Field::Missing,
        Some(item) if item.get("workspace").and_then(Item::as_bool) == Some(true) => {
            Field::Inherited
        }
        Some(item) => Field::Own(match item.as_value() {
            Some(value) => value.clone().decorated("", "").to_string(),
            None => item.to_string().trim().to_owned(),
        }),
    }
}

/// The string value of `key` in the table `table` (like `["workspace", "package"]`).
pub fn string_value<'a>(manifest: &'a DocumentMut, table: &[&str], key: &str) -> Option<&'a str> {
    let mut item = manifest.as_item();
    for segment in table {
        item = item.get(segment)?;
    }
    item.get(key)?.as_str()
}

/// Sets `version` in `[workspace.package]` to `new`; `false` if the manifest has none.
pub fn set_workspace_version(manifest: &mut DocumentMut, new: &Version) -> bool {
    let version = manifest
        .get_mut("workspace")
        .and_then(|w| w.get_mut("package"))
        .and_then(|p| p.get_mut("version"))
        .and_then(Item::as_value_mut)
        .filter(|v| v.is_str());
    match version {
        Some(value) => {
            set_string(value, &new.to_string());
            true
        }
        None => false,
    }
}

/// Rewrites every dependency requirement on one of `crates` that states a `version`, in any
/// dependency table (`[workspace.dependencies]`, `[dependencies]`, `[dev-dependencies]`,
/// `[build-dependencies]`, their `[target.*.…]` forms and `[dependencies.name]` sub-tables),
/// to `new`. Renamed dependencies count by their `package`. An operator prefix (`=`, `^`,
/// `~`) is kept. Returns how many requirements changed.
pub fn bump_requirements(
    manifest: &mut DocumentMut,
    crates: &BTreeSet<String>,
    new: &Version,
) -> usize {
    bump_tables(manifest.as_table_mut(), crates, &new.to_string())
}

fn bump_tables(table: &mut dyn TableLike, crates: &BTreeSet<String>, new: &str) -> usize {
    let mut count = 0;
    for (key, item) in table.iter_mut() {
        let Some(inner) = item.as_table_like_mut() else {
            continue;
        };
        if DEPENDENCY_TABLES.contains(&key.get()) {
            for (name, dependency) in inner.iter_mut() {
                count += usize::from(bump_dependency(name.get(), dependency, crates, new));
            }
        } else {
            count += bump_tables(inner, crates, new);
        }
    }
    count
}

/// Bumps `version` of the dependency entry `name = { ... }` (or `[….name]`) if it is ours.
fn bump_dependency(name: &str, entry: &mut Item, crates: &BTreeSet<String>, new: &str) -> bool {
    let Some(entry) = entry.as_table_like_mut() else {
        return false;
    };
    let package = entry.get("package").and_then(Item::as_str).unwrap_or(name);
    if !crates.contains(package) {
        return false;
    }
    let Some(version) = entry.get_mut("version").and_then(Item::as_value_mut) else {
        return false;
    };
    let Some(requirement) = version.as_str() else {
        return false;
    };
    let operator_len =
        requirement.len() - requirement.trim_start_matches(['=', '^', '~', ' ']).len();
    let bumped = format!("{}{new}", &requirement[..operator_len]);
    set_string(version, &bumped);
    true
}

/// Sets the version of the workspace packages `crates` (entries without a `source`) from
/// `old` to `new` in a `Cargo.lock`, including version-qualified references to them in
/// `dependencies` arrays.
pub fn bump_lockfile(
    lock: &mut DocumentMut,
    crates: &BTreeSet<String>,
    old: &Version,
    new: &Version,
) {
    let (old, new) = (old.to_string(), new.to_string());
    let Some(packages) = lock
        .get_mut("package")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return;
    };
    for package in packages.iter_mut() {
        let ours = package.get("source").is_none()
            && package
                .get("name")
                .and_then(Item::as_str)
                .is_some_and(|n| crates.contains(n));
        if ours
            && let Some(version) = package.get_mut("version").and_then(Item::as_value_mut)
            && version.as_str() == Some(old.as_str())
        {
            set_string(version, &new);
        }
        let Some(dependencies) = package.get_mut("dependencies").and_then(Item::as_array_mut)
        else {
            continue;
        };
        for dependency in dependencies.iter_mut() {
            let Some((name, version)) = dependency.as_str().and_then(|d| d.split_once(' ')) else {
                continue;
            };
            if version == old && crates.contains(name) {
                let bumped = format!("{name} {new}");
                set_string(dependency, &bumped);
            }
        }
    }
}

/// Replaces a value with the string `text`, keeping the whitespace and comments around it.
fn set_string(value: &mut Value, text: &str) {
    let decor = value.decor().clone();
    *value = Value::from(text);
    *value.decor_mut() = decor;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crates(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn doc(text: &str) -> DocumentMut {
        parse(Path::new("Cargo.toml"), text).unwrap()
    }

    /// `bump_requirements` on text: the new text and the count.
    fn bump(text: &str, set: &BTreeSet<String>, new: &Version) -> (String, usize) {
        let mut manifest = doc(text);
        let count = bump_requirements(&mut manifest, set, new);
        (manifest.to_string(), count)
    }

    const ROOT: &str = r#"[workspace]
members = ["crates/*"]

[workspace.package]
# Lockstep: every crate has this version.
version = "0.1.0"   # bumped by cargo xtask release
rust-version = "1.88"

[workspace.dependencies]
# Our own crates.
alpha = { path = "crates/alpha", version = "0.1.0" }
beta = { path = "crates/beta", version = "=0.1.0", default-features = false }
"gamma" = {version="^0.1.0",path="crates/gamma"}
renamed = { package = "alpha", path = "crates/alpha", version = "0.1.0" }
no-version = { path = "crates/nv" }
serde = { version = "1", features = ["derive", "version"] }
other = "0.1.0"

[workspace.dependencies.delta]
path = "crates/delta"
version = "0.1.0" # keep me
"#;

    #[test]
    fn reads_workspace_values() {
        let root = doc(ROOT);
        assert_eq!(
            string_value(&root, &["workspace", "package"], "rust-version"),
            Some("1.88")
        );
        assert_eq!(
            string_value(&root, &["workspace", "package"], "version"),
            Some("0.1.0")
        );
        assert_eq!(string_value(&root, &["package"], "version"), None);
    }

    #[test]
    fn sets_the_workspace_version_and_keeps_comments() {
        let mut root = doc(ROOT);
        assert!(set_workspace_version(&mut root, &Version::new(0, 2, 0)));
        let expected = ROOT.replace(
            "version = \"0.1.0\"   # bumped",
            "version = \"0.2.0\"   # bumped",
        );
        assert_eq!(root.to_string(), expected);
        let mut crate_manifest = doc("[package]\nversion = \"1.0.0\"\n");
        assert!(!set_workspace_version(
            &mut crate_manifest,
            &Version::new(2, 0, 0)
        ));
        assert_eq!(
            crate_manifest.to_string(),
            "[package]\nversion = \"1.0.0\"\n"
        );
    }

    #[test]
    fn bumps_only_workspace_crate_requirements() {
        let set = crates(&["alpha", "beta", "gamma", "delta", "no-version"]);
        let (new, count) = bump(ROOT, &set, &Version::new(0, 1, 1));
        assert_eq!(count, 5);
        let expected = ROOT
            .replace(
                r#"alpha = { path = "crates/alpha", version = "0.1.0" }"#,
                r#"alpha = { path = "crates/alpha", version = "0.1.1" }"#,
            )
            .replace(
                r#"version = "=0.1.0", default"#,
                r#"version = "=0.1.1", default"#,
            )
            .replace(r#"{version="^0.1.0",path"#, r#"{version="^0.1.1",path"#)
            .replace(
                r#"renamed = { package = "alpha", path = "crates/alpha", version = "0.1.0" }"#,
                r#"renamed = { package = "alpha", path = "crates/alpha", version = "0.1.1" }"#,
            )
            .replace(
                r#"version = "0.1.0" # keep me"#,
                r#"version = "0.1.1" # keep me"#,
            );
        assert_eq!(new, expected);
        // The workspace's own version line is not a requirement.
        assert!(new.contains("version = \"0.1.0\"   # bumped"));
    }

    #[test]
    fn an_empty_bump_keeps_every_byte() {
        let (new, count) = bump(ROOT, &crates(&[]), &Version::new(9, 9, 9));
        assert_eq!((new.as_str(), count), (ROOT, 0));
    }

    #[test]
    fn bumps_crate_local_and_target_tables() {
        let manifest = r#"[package]
name = "beta"
version.workspace = true

[dependencies]
alpha = { version = "0.1.0", path = "../alpha" }
alpha-like = { version = "0.1.0" }

[target.'cfg(target_os = "linux")'.dependencies]
alpha = { path = "../alpha", version = "0.1.0" }

[dev-dependencies.alpha]
version = "~0.1.0"
path = "../alpha"

[features]
version = ["alpha/x"]
"#;
        let (new, count) = bump(manifest, &crates(&["alpha"]), &Version::new(1, 0, 0));
        assert_eq!(count, 3);
        assert!(new.contains(r#"alpha = { version = "1.0.0", path = "../alpha" }"#));
        assert!(new.contains(r#"alpha-like = { version = "0.1.0" }"#));
        assert!(new.contains(r#"alpha = { path = "../alpha", version = "1.0.0" }"#));
        assert!(new.contains("version = \"~1.0.0\"\npath"));
        assert!(new.contains(r#"version = ["alpha/x"]"#));
    }

    #[test]
    fn reads_package_field_inheritance() {
        let manifest = doc(r#"[package]
name = "x"
version.workspace = true
edition = { workspace = true }
license = "MIT"
[dependencies]
rust-version.workspace = true
"#);
        assert_eq!(package_field(&manifest, "version"), Field::Inherited);
        assert_eq!(package_field(&manifest, "edition"), Field::Inherited);
        assert_eq!(
            package_field(&manifest, "license"),
            Field::Own("\"MIT\"".into())
        );
        assert_eq!(package_field(&manifest, "rust-version"), Field::Missing);
    }

    #[test]
    fn bumps_the_lockfile() {
        let lock = r#"version = 4

[[package]]
name = "alpha"
version = "0.1.0"

[[package]]
name = "alpha"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "beta"
version = "0.1.0"
dependencies = [
 "alpha 0.1.0",
 "alpha 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "serde",
]

[[package]]
name = "tool"
version = "0.1.0"
"#;
        let mut new = doc(lock);
        bump_lockfile(
            &mut new,
            &crates(&["alpha", "beta"]),
            &Version::new(0, 1, 0),
            &Version::new(0, 2, 0),
        );
        let expected = r#"version = 4

[[package]]
name = "alpha"
version = "0.2.0"

[[package]]
name = "alpha"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "beta"
version = "0.2.0"
dependencies = [
 "alpha 0.2.0",
 "alpha 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "serde",
]

[[package]]
name = "tool"
version = "0.1.0"
"#;
        assert_eq!(new.to_string(), expected);
    }

    #[test]
    fn invalid_toml_names_the_file() {
        let err = parse(Path::new("crates/x/Cargo.toml"), "[package\n").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Parse);
        assert!(
            err.message()
                .starts_with("crates/x/Cargo.toml: invalid TOML"),
            "{err}"
        );
    }
}
