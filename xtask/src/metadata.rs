//! The workspace as `cargo metadata --format-version 1` describes it, and the publishing
//! order derived from it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{Error, util};

/// A dependency as declared in a member's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The depended-on package's name (not the rename).
    pub name: String,
    /// The version requirement; `*` when the manifest gives none.
    pub req: String,
    /// `normal`, `dev` or `build`.
    pub kind: DependencyKind,
    /// Set for path dependencies.
    pub path: Option<PathBuf>,
}

/// The kind of a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DependencyKind {
    /// `[dependencies]`.
    Normal,
    /// `[dev-dependencies]`: stripped or ignored when a crate is used from crates.io.
    Dev,
    /// `[build-dependencies]`.
    Build,
}

/// A target (library, binary...) of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its kinds, like `lib`, `bin`, `test`, `bench`, `example`.
    pub kind: Vec<String>,
    /// The root source file.
    pub src_path: PathBuf,
}

/// A workspace member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The package name.
    pub name: String,
    /// Its version as Cargo resolved it (inherited fields already applied).
    pub version: String,
    /// The `Cargo.toml` path.
    pub manifest_path: PathBuf,
    /// `false` when `publish = false` (or an empty registry list).
    pub publishable: bool,
    /// `description`.
    pub description: Option<String>,
    /// `license` or `license-file`.
    pub license: Option<String>,
    /// `repository`.
    pub repository: Option<String>,
    /// `readme` (Cargo fills in `README.md` when the file exists and the key is absent).
    pub readme: Option<String>,
    /// Declared dependencies.
    pub dependencies: Vec<Dependency>,
    /// Its targets.
    pub targets: Vec<Target>,
}

impl Package {
    /// The directory holding `Cargo.toml`.
    pub fn dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }
}

/// The workspace: its root and members, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The directory of the root `Cargo.toml`.
    pub root: PathBuf,
    /// The members, sorted by name.
    pub members: Vec<Package>,
    /// Cargo's target directory for this workspace.
    pub target_directory: PathBuf,
}

impl Workspace {
    /// Runs `cargo metadata --no-deps` in `root` and reads the result.
    pub fn load(root: &Path) -> Result<Self, Error> {
        let json = util::capture(
            util::cargo()
                .args(["metadata", "--format-version", "1", "--no-deps"])
                .current_dir(root),
        )?;
        Self::from_json(&json)
    }

    /// Reads the output of `cargo metadata --format-version 1` (with or without `--no-deps`).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(json)
            .map_err(|err| Error::parse(format!("cargo metadata printed invalid JSON: {err}")))?;
        let root = value["workspace_root"]
            .as_str()
            .ok_or_else(|| Error::parse("cargo metadata: no workspace_root"))?;
        let member_ids: BTreeSet<&str> = value["workspace_members"]
            .as_array()
            .ok_or_else(|| Error::parse("cargo metadata: no workspace_members"))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut members = value["packages"]
            .as_array()
            .ok_or_else(|| Error::parse("cargo metadata: no packages"))?
            .iter()
            .filter(|p| p["id"].as_str().is_some_and(|id| member_ids.contains(id)))
            .map(parse_package)
            .collect::<Result<Vec<_>, _>>()?;
        members.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Workspace {
            root: PathBuf::from(root),
            members,
            target_directory: PathBuf::from(value["target_directory"].as_str().unwrap_or_default()),
        })
    }

    /// The members that can be published.
    pub fn publishable(&self) -> impl Iterator<Item = &Package> {
        self.members.iter().filter(|p| p.publishable)
    }

    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&Package> {
        self.members.iter().find(|p| p.name == name)
    }

    /// The publishable members in an order where every crate comes after the workspace crates
    /// it needs at build time (normal and build dependencies; dev-dependencies are not
    /// needed to use a published crate). Depth-first, visiting members and their
    /// dependencies by name, so the order is deterministic.
    pub fn publish_order(&self) -> Result<Vec<&Package>, Error> {
        let mut order = Vec::new();
        let mut state = BTreeMap::new();
        for package in self.publishable() {
            self.visit(package, &mut state, &mut order)?;
        }
        Ok(order)
    }

    fn visit<'a>(
        &'a self,
        package: &'a Package,
        state: &mut BTreeMap<&'a str, bool>,
        order: &mut Vec<&'a Package>,
    ) -> Result<(), Error> {
        match state.get(package.name.as_str()) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(Error::refused(format!(
                    "dependency cycle through `{}`",
                    package.name
                )));
            }
            None => {}
        }
        state.insert(&package.name, false);
        let mut deps: Vec<&Package> = package
            .dependencies
            .iter()
            .filter(|d| d.kind != DependencyKind::Dev && d.path.is_some())
            .filter_map(|d| self.member(&d.name))
            .collect();
        deps.sort_by(|a, b| a.name.cmp(&b.name));
        deps.dedup_by(|a, b| a.name == b.name);
        for dep in deps {
            if dep.publishable {
                self.visit(dep, state, order)?;
            }
        }
        state.insert(&package.name, true);
        order.push(package);
        Ok(())
    }
}

fn parse_package(p: &Value) -> Result<Package, Error> {
    let string = |key: &str| p[key].as_str().map(str::to_owned);
    let name =
        string("name").ok_or_else(|| Error::parse("cargo metadata: package without name"))?;
    let dependencies = p["dependencies"]
        .as_array()
        .map(|deps| {
            deps.iter()
                .map(|d| Dependency {
                    name: d["name"].as_str().unwrap_or_default().to_owned(),
                    req: d["req"].as_str().unwrap_or("*").to_owned(),
                    kind: match d["kind"].as_str() {
                        Some("dev") => DependencyKind::Dev,
                        Some("build") => DependencyKind::Build,
                        _ => DependencyKind::Normal,
                    },
                    path: d["path"].as_str().map(PathBuf::from),
                })
                .collect()
        })
        .unwrap_or_default();
    let targets = p["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .map(|t| Target {
                    kind: t["kind"]
                        .as_array()
                        .map(|k| {
                            k.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                    src_path: PathBuf::from(t["src_path"].as_str().unwrap_or_default()),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Package {
        version: string("version").unwrap_or_default(),
        manifest_path: PathBuf::from(string("manifest_path").unwrap_or_default()),
        // `null` means any registry; `[]` is how `publish = false` appears.
        publishable: p["publish"].as_array().is_none_or(|r| !r.is_empty()),
        description: string("description"),
        license: string("license").or_else(|| string("license_file")),
        repository: string("repository"),
        readme: string("readme"),
        dependencies,
        targets,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(dependency, kind)`; `None` is a normal dependency.
    type Deps<'a> = &'a [(&'a str, Option<&'a str>)];

    /// Metadata shaped like descope-rs's: `(name, publishable, dependencies)`.
    fn metadata(packages: &[(&str, bool, Deps<'_>)]) -> String {
        let packages: Vec<Value> = packages
            .iter()
            .map(|(name, publish, deps)| {
                serde_json::json!({
                    "name": name,
                    "version": "0.1.0",
                    "id": format!("path+file:///ws/crates/{name}#0.1.0"),
                    "manifest_path": format!("/ws/crates/{name}/Cargo.toml"),
                    "publish": if *publish { Value::Null } else { serde_json::json!([]) },
                    "license": "MIT",
                    "dependencies": deps.iter().map(|(dep, kind)| serde_json::json!({
                        "name": dep, "req": "^0.1.0", "kind": kind,
                        "path": format!("/ws/crates/{dep}"),
                    })).chain([serde_json::json!({"name": "serde", "req": "^1", "kind": null})])
                    .collect::<Vec<_>>(),
                    "targets": [{"kind": ["lib"], "src_path": format!("/ws/crates/{name}/src/lib.rs")}],
                })
            })
            .collect();
        let ids: Vec<Value> = packages.iter().map(|p| p["id"].clone()).collect();
        serde_json::json!({"packages": packages, "workspace_members": ids, "workspace_root": "/ws"})
            .to_string()
    }

    fn descope_like() -> Workspace {
        Workspace::from_json(&metadata(&[
            ("xtask", false, &[]),
            (
                "descope-cli",
                true,
                &[("descope-flows", None), ("descope-emulator", None)],
            ),
            (
                "descope-axum",
                true,
                &[("descope-flows", None), ("descope-emulator", Some("dev"))],
            ),
            ("descope-emulator", true, &[("descope-types", None)]),
            (
                "descope",
                true,
                &[
                    ("descope-types", None),
                    ("descope-transport", None),
                    ("descope-flows", None),
                ],
            ),
            (
                "descope-flows",
                true,
                &[
                    ("descope-types", None),
                    ("descope-transport", None),
                    ("descope-emulator", Some("dev")),
                ],
            ),
            ("descope-transport", true, &[("descope-types", None)]),
            ("descope-types", true, &[]),
        ]))
        .unwrap()
    }

    fn names(order: Vec<&Package>) -> Vec<&str> {
        order.into_iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn orders_descope_crates_by_dependencies() {
        let ws = descope_like();
        assert_eq!(
            names(ws.publish_order().unwrap()),
            [
                "descope-types",
                "descope-transport",
                "descope-flows",
                "descope",
                "descope-axum",
                "descope-emulator",
                "descope-cli"
            ]
        );
    }

    #[test]
    fn every_crate_follows_its_build_dependencies() {
        let ws = descope_like();
        let order = names(ws.publish_order().unwrap());
        for package in ws.publishable() {
            let at = order.iter().position(|n| *n == package.name).unwrap();
            for dep in package
                .dependencies
                .iter()
                .filter(|d| d.kind != DependencyKind::Dev && d.path.is_some())
            {
                let dep_at = order.iter().position(|n| *n == dep.name).unwrap();
                assert!(dep_at < at, "{} before {}", dep.name, package.name);
            }
        }
        assert!(!order.contains(&"xtask"));
    }

    #[test]
    fn ties_are_broken_by_name_whatever_the_input_order() {
        let forward = metadata(&[
            ("b", true, &[]),
            ("a", true, &[]),
            ("c", true, &[("b", None)]),
        ]);
        let reverse = metadata(&[
            ("c", true, &[("b", None)]),
            ("a", true, &[]),
            ("b", true, &[]),
        ]);
        for json in [forward, reverse] {
            let ws = Workspace::from_json(&json).unwrap();
            assert_eq!(names(ws.publish_order().unwrap()), ["a", "b", "c"]);
        }
    }

    #[test]
    fn build_dependencies_count_and_cycles_are_reported() {
        let ws = Workspace::from_json(&metadata(&[
            ("a", true, &[("b", Some("build"))]),
            ("b", true, &[]),
        ]))
        .unwrap();
        assert_eq!(names(ws.publish_order().unwrap()), ["b", "a"]);

        let cyclic = Workspace::from_json(&metadata(&[
            ("a", true, &[("b", None)]),
            ("b", true, &[("a", None)]),
        ]))
        .unwrap();
        let err = cyclic.publish_order().unwrap_err();
        assert!(err.message().contains("cycle"), "{err}");
    }

    #[test]
    fn reads_package_fields() {
        let ws = descope_like();
        let xtask = ws.member("xtask").unwrap();
        assert!(!xtask.publishable);
        let types = ws.member("descope-types").unwrap();
        assert!(types.publishable);
        assert_eq!(types.license.as_deref(), Some("MIT"));
        assert_eq!(types.description, None);
        assert_eq!(types.dir(), Path::new("/ws/crates/descope-types"));
        assert_eq!(ws.members.first().unwrap().name, "descope");
        assert!(Workspace::from_json("{").is_err());
        assert!(Workspace::from_json("{}").is_err());
    }
}
