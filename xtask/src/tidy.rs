//! `cargo xtask tidy`: repository conventions that the compiler does not check.

pub mod api;
pub mod cycles;
pub mod tokens;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::manifest::{self, Field};
use crate::metadata::{Package, Workspace};
use crate::version::Version;
use crate::{Error, changelog, util};

/// The `[package]` fields every member takes from `[workspace.package]`.
pub const INHERITED_FIELDS: [&str; 5] = [
    "version",
    "edition",
    "rust-version",
    "license",
    "repository",
];

/// Macros that must not ship in library code.
pub const FORBIDDEN_MACROS: [&str; 3] = ["dbg", "todo", "unimplemented"];

/// The crates whose public functions take optional inputs through builders, never as a
/// positional `Option` (see [`api`]).
pub const CLIENT_CRATES: [&str; 2] = ["descope-flows", "descope-management"];

/// One broken convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file concerned, relative to the workspace root.
    pub path: PathBuf,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// Runs every check on the workspace at `root`, printing every violation; fails when there
/// is any.
pub fn run(root: &Path) -> Result<(), Error> {
    let ws = Workspace::load(root)?;
    let violations = check(&ws)?;
    for violation in &violations {
        eprintln!("tidy: {violation}");
    }
    if violations.is_empty() {
        eprintln!("tidy: ok");
        Ok(())
    } else {
        Err(Error::failed(format!(
            "{} tidy violation(s)",
            violations.len()
        )))
    }
}

/// Runs every check on the workspace and returns all violations (empty when tidy).
pub fn check(ws: &Workspace) -> Result<Vec<Violation>, Error> {
    let mut out = Vec::new();
    let relative = |path: &Path| path.strip_prefix(&ws.root).unwrap_or(path).to_path_buf();
    for package in &ws.members {
        let mut violation = |path: &Path, message: String| {
            out.push(Violation {
                path: relative(path),
                message,
            });
        };
        let text = util::read(&package.manifest_path)?;
        let package_manifest = manifest::parse(&package.manifest_path, &text)?;
        for key in INHERITED_FIELDS {
            if manifest::package_field(&package_manifest, key) != Field::Inherited {
                violation(
                    &package.manifest_path,
                    format!("`{key}` is not inherited: write `{key}.workspace = true`"),
                );
            }
        }
        for target in package.targets.iter().filter(|t| {
            t.kind
                .iter()
                .any(|k| matches!(k.as_str(), "lib" | "bin" | "proc-macro"))
        }) {
            let source = util::read(&target.src_path)?;
            if !has_crate_docs(&source) {
                violation(
                    &target.src_path,
                    "no crate-level docs: start the file with `//!` comments".to_owned(),
                );
            }
        }
        check_sources(package, &mut violation)?;
        if package.publishable {
            check_readme(package, &mut violation);
        }
    }
    check_root(ws, &mut out)?;
    Ok(out)
}

/// The rules on a member's `src/`: forbidden macros (publishable crates), positional
/// `Option` parameters (client crates) and module cycles (every crate).
fn check_sources(
    package: &Package,
    violation: &mut impl FnMut(&Path, String),
) -> Result<(), Error> {
    let src = package.dir().join("src");
    let is_client = CLIENT_CRATES.contains(&package.name.as_str());
    let mut modules = Vec::new();
    for file in rust_files(&src)? {
        let source = util::read(&file)?;
        if package.publishable {
            for (line, name) in forbidden_macros(&source) {
                violation(&file, format!("line {line}: `{name}!` in library code"));
            }
        }
        if is_client {
            for found in api::option_parameters(&source) {
                violation(
                    &file,
                    format!(
                        "line {}: public fn `{}` takes `{}`: give the call a builder instead of a positional Option",
                        found.line, found.function, found.parameter
                    ),
                );
            }
        }
        let module = file.strip_prefix(&src).ok().and_then(cycles::module_name);
        if let Some(module) = module {
            modules.push((module, source));
        }
    }
    for cycle in cycles::cycles(&modules) {
        let edges: Vec<String> = cycle
            .edges
            .iter()
            .map(|e| {
                let file = e.from.replace("::", "/");
                format!("{} -> {} ({file}.rs:{})", e.from, e.to, e.line)
            })
            .collect();
        violation(
            &src,
            format!(
                "module cycle between `{}` through `crate::` paths: {}",
                cycle.modules.join("`, `"),
                edges.join(", ")
            ),
        );
    }
    Ok(())
}

fn check_readme(package: &Package, violation: &mut impl FnMut(&Path, String)) {
    let readme = package.readme.as_deref().unwrap_or("README.md");
    let path = package.dir().join(readme);
    if !path.is_file() {
        violation(
            &path,
            format!("publishable crate `{}` has no README", package.name),
        );
    }
}

fn check_root(ws: &Workspace, out: &mut Vec<Violation>) -> Result<(), Error> {
    let mut violation = |file: &str, message: String| {
        out.push(Violation {
            path: PathBuf::from(file),
            message,
        });
    };
    let root_path = ws.root.join("Cargo.toml");
    let root_manifest = manifest::parse(&root_path, &util::read(&root_path)?)?;
    let declared =
        manifest::string_value(&root_manifest, &["workspace", "package"], "rust-version");
    match declared.map(Version::parse_rust_version) {
        None => violation(
            "Cargo.toml",
            "no `rust-version` in `[workspace.package]`".to_owned(),
        ),
        Some(Err(err)) => violation("Cargo.toml", format!("`rust-version`: {err}")),
        Some(Ok(declared_version)) => match std::fs::read_to_string(ws.root.join("README.md")) {
            Err(_) => violation("README.md", "missing (it states the MSRV)".to_owned()),
            Ok(readme) => {
                let stated = readme_msrv(&readme);
                if stated.is_empty() {
                    violation(
                        "README.md",
                        "does not state the MSRV (a line like `MSRV: Rust 1.88`)".to_owned(),
                    );
                }
                for (line, version) in stated {
                    if Version::parse_rust_version(&version).ok() != Some(declared_version) {
                        violation(
                            "README.md",
                            format!(
                                "line {line}: MSRV {version} does not match `rust-version = \"{}\"` in Cargo.toml",
                                declared.unwrap_or_default()
                            ),
                        );
                    }
                }
            }
        },
    }
    match std::fs::read_to_string(ws.root.join("CHANGELOG.md")) {
        Err(_) => violation("CHANGELOG.md", "missing".to_owned()),
        Ok(text) if !changelog::has_unreleased(&text) => {
            violation("CHANGELOG.md", "no `## [Unreleased]` section".to_owned())
        }
        Ok(_) => {}
    }
    Ok(())
}

/// Whether a crate root starts (after blank lines) with inner doc comments or a `#![doc]`.
pub fn has_crate_docs(source: &str) -> bool {
    source
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with("//!") || l.starts_with("#![doc"))
}

/// The MSRVs a README states: `(line number, version)` for the first version after "MSRV" on
/// each line that mentions it, or on the first non-blank line after a heading that does.
pub fn readme_msrv(readme: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.to_ascii_lowercase().find("msrv") else {
            continue;
        };
        let mut version = first_version(&line[at..]).map(|v| (i, v));
        if version.is_none() && line.trim_start().starts_with('#') {
            version = (i + 1..lines.len())
                .find(|&j| !lines[j].trim().is_empty())
                .and_then(|j| first_version(lines[j]).map(|v| (j, v)));
        }
        found.extend(version.map(|(line, v)| (line + 1, v)));
    }
    found
}

/// The first token like `1.88` or `1.88.0` (not part of a longer dotted number).
fn first_version(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|token| token.trim_matches('.'))
        .find(|token| {
            let parts: Vec<&str> = token.split('.').collect();
            (parts.len() == 2 || parts.len() == 3) && parts.iter().all(|p| !p.is_empty())
        })
        .map(str::to_owned)
}

/// `(line number, macro)` for every `dbg!`, `todo!` or `unimplemented!` outside comments
/// and outside items marked `#[cfg(test)]`.
pub fn forbidden_macros(source: &str) -> Vec<(usize, &'static str)> {
    tokens::code(source)
        .windows(3)
        .filter_map(|w| {
            let name = FORBIDDEN_MACROS.into_iter().find(|m| w[0].is(m))?;
            let call = w[1].is("!") && ["(", "[", "{"].iter().any(|open| w[2].is(open));
            call.then_some((w[0].line, name))
        })
        .collect()
}

/// Every `.rs` file under `dir`, sorted, except test modules (`tests.rs`, `tests/`).
pub fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(Error::io(format!("cannot list {}", dir.display()), err)),
        };
        for entry in entries {
            let path = entry
                .map_err(|err| Error::io(format!("cannot list {}", dir.display()), err))?
                .path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                if name != "tests" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_forbidden_macros_outside_tests_and_comments() {
        let source = r#"//! Docs mention todo!() harmlessly.
pub fn a() {
    dbg!(1);
    let _ = my_todo!();
    // todo!() in a comment
    let s = "x"; // unimplemented!() trailing comment
    unimplemented! ()
}

#[cfg(test)]
mod tests {
    fn t() {
        todo!()
    }
}

#[cfg(test)]
use std::fmt;

pub fn b() { todo![] }
"#;
        assert_eq!(
            forbidden_macros(source),
            vec![(3, "dbg"), (7, "unimplemented"), (20, "todo")]
        );
    }

    #[test]
    fn crate_docs_must_come_first() {
        assert!(has_crate_docs("\n//! Docs\nfn main() {}"));
        assert!(has_crate_docs("#![doc = include_str!(\"../README.md\")]"));
        assert!(!has_crate_docs("use x;\n//! late"));
        assert!(!has_crate_docs("/// item docs\nfn f() {}"));
        assert!(!has_crate_docs(""));
    }

    #[test]
    fn reads_the_msrv_from_a_readme() {
        assert_eq!(
            readme_msrv("# X\n\nMSRV: Rust 1.88 (see policy)\n"),
            vec![(3, "1.88".to_owned())]
        );
        assert_eq!(
            readme_msrv("## MSRV\n\nThe minimum supported Rust version is 1.88.0.\n"),
            vec![(3, "1.88.0".to_owned())]
        );
        assert_eq!(readme_msrv("Rust 1.88 is used\n"), vec![]);
        assert_eq!(readme_msrv("MSRV policy below\n"), vec![]);
        assert_eq!(
            readme_msrv("Built on 1.95; msrv 1.90, tested on 1.95.0\n"),
            vec![(1, "1.90".to_owned())]
        );
    }
}
