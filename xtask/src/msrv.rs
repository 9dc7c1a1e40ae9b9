//! `cargo xtask msrv`: checks the declared `rust-version`.
//!
//! With the toolchain installed (or installable with `--install`), the workspace is checked
//! with it. Otherwise, with the toolchain at hand: every dependency a user builds declares a
//! `rust-version` no newer than ours, and clippy's `incompatible_msrv` lint (which reads our
//! `rust-version`) finds uses of standard library items stabilised after it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::version::Version;
use crate::{Error, manifest, util};

/// Runs the check; `install` allows `rustup toolchain install` (needs network access to
/// static.rust-lang.org).
pub fn run(root: &Path, install: bool) -> Result<(), Error> {
    let root_path = root.join("Cargo.toml");
    let root_manifest = manifest::parse(&root_path, &util::read(&root_path)?)?;
    let declared =
        manifest::string_value(&root_manifest, &["workspace", "package"], "rust-version")
            .ok_or_else(|| Error::refused("no `rust-version` in `[workspace.package]`"))?
            .to_owned();
    let msrv = Version::parse_rust_version(&declared)?;
    println!("msrv: declared rust-version = {declared}");

    let listed =
        util::capture(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    let mut toolchain = find_toolchain(&listed, &declared);
    if toolchain.is_none() && install {
        util::run(Command::new("rustup").args([
            "toolchain",
            "install",
            &declared,
            "--profile",
            "minimal",
        ]))?;
        toolchain = Some(declared.clone());
    }
    if let Some(toolchain) = toolchain {
        println!("msrv: toolchain {toolchain} is installed; checking the workspace with it");
        return util::run(Command::new("rustup").current_dir(root).args([
            "run",
            &toolchain,
            "cargo",
            "check",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--locked",
        ]));
    }

    println!(
        "msrv: toolchain {declared} is not installed (`rustup toolchain list` has: {}).\n\
         Installing it needs static.rust-lang.org, which is not reachable from this environment\n\
         (only crates.io is); where it is, run `cargo xtask msrv --install`.\n\
         Falling back to the current toolchain:\n\
         \x20 1. every dependency built by users (normal and build, all features) must declare\n\
         \x20    a rust-version <= {declared};\n\
         \x20 2. `cargo clippy` with `incompatible_msrv` denied: no standard library API newer\n\
         \x20    than {declared} in our code.",
        if listed.trim().is_empty() {
            "nothing".to_owned()
        } else {
            listed
                .lines()
                .filter_map(|l| l.split_whitespace().next())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let json = util::capture(util::cargo().current_dir(root).args([
        "metadata",
        "--format-version",
        "1",
        "--all-features",
        "--locked",
    ]))?;
    let report = dependency_report(&json, &msrv)?;
    println!(
        "msrv: {} dependencies checked; the newest declared rust-version is {}",
        report.checked,
        report.newest.map_or("none".to_owned(), |v| v.to_string())
    );
    for (name, version) in &report.dev_only_too_new {
        println!(
            "msrv: note: dev-dependency {name} needs Rust {version} (tests only; not a user-facing MSRV)"
        );
    }
    if !report.too_new.is_empty() {
        let lines: Vec<String> = report
            .too_new
            .iter()
            .map(|(name, version)| format!("{name} needs Rust {version}"))
            .collect();
        return Err(Error::failed(format!(
            "dependencies newer than the MSRV {declared}:\n  - {}\npin older versions (`cargo update -p <crate> --precise <version>`) or raise rust-version",
            lines.join("\n  - ")
        )));
    }
    util::run(util::cargo().current_dir(root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--locked",
        "--",
        "-A",
        "clippy::all",
        "-D",
        "clippy::incompatible_msrv",
    ]))?;
    println!(
        "msrv: ok for Rust {declared} (dependency declarations and std API use; language features need the real toolchain)"
    );
    Ok(())
}

/// The installed toolchain for `version` (`1.88` matches `1.88-…` and `1.88.0-…`).
pub fn find_toolchain(rustup_list: &str, version: &str) -> Option<String> {
    let full = if version.matches('.').count() == 1 {
        format!("{version}.0")
    } else {
        version.to_owned()
    };
    rustup_list
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .find(|name| {
            [version, full.as_str()]
                .iter()
                .any(|v| *name == *v || name.starts_with(&format!("{v}-")))
        })
        .map(str::to_owned)
}

/// What [`dependency_report`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Packages looked at (dependencies of publishable members, all kinds).
    pub checked: usize,
    /// The newest `rust-version` among normal and build dependencies.
    pub newest: Option<Version>,
    /// Normal/build dependencies that need a newer Rust than ours: `(name version, rust)`.
    pub too_new: Vec<(String, Version)>,
    /// Dependencies reached only through dev-dependencies that need a newer Rust.
    pub dev_only_too_new: Vec<(String, Version)>,
}

/// Reads full `cargo metadata` output and compares every dependency's `rust_version` with
/// `msrv`, following the resolve graph from the publishable workspace members.
pub fn dependency_report(json: &str, msrv: &Version) -> Result<Report, Error> {
    let value: Value = serde_json::from_str(json)
        .map_err(|err| Error::parse(format!("cargo metadata printed invalid JSON: {err}")))?;
    let members: BTreeSet<&str> = value["workspace_members"]
        .as_array()
        .ok_or_else(|| Error::parse("cargo metadata: no workspace_members"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let packages: BTreeMap<&str, &Value> = value["packages"]
        .as_array()
        .ok_or_else(|| Error::parse("cargo metadata: no packages"))?
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    // Edges: (from, to, build-relevant).
    let mut edges: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    for node in value["resolve"]["nodes"]
        .as_array()
        .ok_or_else(|| Error::parse("cargo metadata: no resolve graph (was --no-deps used?)"))?
    {
        let Some(id) = node["id"].as_str() else {
            continue;
        };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let Some(to) = dep["pkg"].as_str() else {
                continue;
            };
            let for_users = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].as_str() != Some("dev"));
            edges.entry(id).or_default().push((to, for_users));
        }
    }
    let publishable = |id: &str| {
        packages
            .get(id)
            .is_some_and(|p| p["publish"].as_array().is_none_or(|r| !r.is_empty()))
    };
    let roots: Vec<&str> = members
        .iter()
        .copied()
        .filter(|id| publishable(id))
        .collect();
    let user = reachable(&roots, &edges, true);
    let all = reachable(&roots, &edges, false);

    let rust_version = |id: &str| -> Option<(String, Version)> {
        let p = packages.get(id)?;
        let version = Version::parse_rust_version(p["rust_version"].as_str()?).ok()?;
        Some((
            format!("{} {}", p["name"].as_str()?, p["version"].as_str()?),
            version,
        ))
    };
    let mut report = Report {
        checked: 0,
        newest: None,
        too_new: Vec::new(),
        dev_only_too_new: Vec::new(),
    };
    for id in all.iter().filter(|id| !members.contains(**id)) {
        report.checked += 1;
        let Some((name, version)) = rust_version(id) else {
            continue;
        };
        if user.contains(id) {
            report.newest = report.newest.max(Some(version));
            if version > *msrv {
                report.too_new.push((name, version));
            }
        } else if version > *msrv {
            report.dev_only_too_new.push((name, version));
        }
    }
    Ok(report)
}

fn reachable<'a>(
    roots: &[&'a str],
    edges: &BTreeMap<&'a str, Vec<(&'a str, bool)>>,
    users_only: bool,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = roots.to_vec();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for (to, for_users) in edges.get(id).into_iter().flatten() {
            if *for_users || !users_only {
                stack.push(to);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_installed_toolchains() {
        let list = "stable-x86_64-unknown-linux-gnu (active, default)\nnightly-x86_64-unknown-linux-gnu\n1.88.0-x86_64-unknown-linux-gnu\n";
        assert_eq!(
            find_toolchain(list, "1.88").as_deref(),
            Some("1.88.0-x86_64-unknown-linux-gnu")
        );
        assert_eq!(
            find_toolchain(list, "1.88.0").as_deref(),
            Some("1.88.0-x86_64-unknown-linux-gnu")
        );
        assert_eq!(find_toolchain(list, "1.8"), None);
        assert_eq!(find_toolchain(list, "1.87"), None);
        assert_eq!(find_toolchain("", "1.88"), None);
    }

    #[test]
    fn reports_dependencies_newer_than_the_msrv() {
        let package = |id: &str, rust: Option<&str>, publish: Option<Value>| serde_json::json!({"id": id, "name": id, "version": "1.0.0", "rust_version": rust, "publish": publish});
        let json = serde_json::json!({
            "workspace_members": ["app", "tool"],
            "packages": [
                package("app", Some("1.88"), None),
                package("tool", Some("1.88"), Some(serde_json::json!([]))),
                package("old", Some("1.60"), None),
                package("new", Some("1.90.1"), None),
                package("none", None, None),
                package("devnew", Some("1.91"), None),
                package("toolonly", Some("1.95"), None),
            ],
            "resolve": {"nodes": [
                {"id": "app", "deps": [
                    {"pkg": "old", "dep_kinds": [{"kind": null}]},
                    {"pkg": "new", "dep_kinds": [{"kind": "build"}]},
                    {"pkg": "devnew", "dep_kinds": [{"kind": "dev"}]},
                ]},
                {"id": "old", "deps": [{"pkg": "none", "dep_kinds": [{"kind": null}]}]},
                {"id": "tool", "deps": [{"pkg": "toolonly", "dep_kinds": [{"kind": null}]}]},
            ]},
        })
        .to_string();
        let report = dependency_report(&json, &Version::new(1, 88, 0)).unwrap();
        assert_eq!(report.checked, 4);
        assert_eq!(report.newest, Some(Version::new(1, 90, 1)));
        assert_eq!(
            report.too_new,
            vec![("new 1.0.0".to_owned(), Version::new(1, 90, 1))]
        );
        assert_eq!(
            report.dev_only_too_new,
            vec![("devnew 1.0.0".to_owned(), Version::new(1, 91, 0))]
        );
        let relaxed = dependency_report(&json, &Version::new(1, 91, 0)).unwrap();
        assert!(relaxed.too_new.is_empty());
        assert!(dependency_report("{}", &Version::new(1, 88, 0)).is_err());
    }
}
