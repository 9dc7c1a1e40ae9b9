//! `cargo xtask release`: a lockstep release of every publishable crate.
//!
//! The plan (new version, file edits, publishing order) is computed in memory. It is then
//! applied to a scratch copy of the repository, where the result is checked with
//! `cargo package` for every crate in publishing order; only then, and only without
//! `--dry-run`, are the edits written, committed and tagged.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::manifest::{self, Field};
use crate::metadata::{DependencyKind, Workspace};
use crate::version::{Bump, Version};
use crate::{Error, ErrorKind, changelog, util};

/// What `release` should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How to pick the new version.
    pub bump: Bump,
    /// Print the plan and run the package checks without writing anything.
    pub dry_run: bool,
    /// After committing and tagging, `cargo publish` every crate in order.
    pub publish: bool,
    /// Accept a dirty tree; only with `dry_run` (used by `ci` on a work-in-progress tree).
    pub allow_dirty: bool,
    /// Let `cargo package` build every packaged crate (off: `--no-verify`).
    pub verify: bool,
    /// Pass `--offline` to Cargo.
    pub offline: bool,
    /// The release date for the changelog, `YYYY-MM-DD`.
    pub date: String,
}

impl Options {
    /// The defaults for `bump`: a real release, packages verified, dated today.
    pub fn new(bump: Bump) -> Self {
        Options {
            bump,
            dry_run: false,
            publish: false,
            allow_dirty: false,
            verify: true,
            offline: false,
            date: util::today(),
        }
    }
}

/// One file's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Relative to the workspace root.
    pub path: PathBuf,
    /// The current text.
    pub old: String,
    /// The text after the release.
    pub new: String,
}

/// Everything a release will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The version now.
    pub current: Version,
    /// The version after the release.
    pub next: Version,
    /// Publishable crates in publishing order.
    pub order: Vec<String>,
    /// File changes, in a stable order.
    pub edits: Vec<Edit>,
    /// Things worth knowing that do not block a dry run.
    pub warnings: Vec<String>,
}

impl Plan {
    /// The release's tag, `vX.Y.Z`.
    pub fn tag(&self) -> String {
        format!("v{}", self.next)
    }

    /// A readable description: versions, order, diffs and the remaining steps.
    pub fn render(&self, publish: bool) -> String {
        let mut out = format!(
            "release {} -> {} (lockstep: every publishable crate gets {})\n\npublishing order (cargo metadata, normal and build dependencies):\n",
            self.current, self.next, self.next
        );
        for (i, name) in self.order.iter().enumerate() {
            out.push_str(&format!("  {}. {name}\n", i + 1));
        }
        out.push_str("\nfile changes:\n");
        for edit in &self.edits {
            out.push_str(&format!(
                "  {}\n{}",
                edit.path.display(),
                util::diff(&edit.old, &edit.new)
            ));
        }
        out.push_str(&format!(
            "\nthen: cargo package ({}) in a scratch copy; write the files; git commit -am \"release {tag}\"; git tag -a {tag}\n",
            self.order.join(", "),
            tag = self.tag()
        ));
        if publish {
            out.push_str("      cargo publish -p <crate>, in the order above\n");
        }
        for warning in &self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        out
    }
}

/// Computes the release of `ws` from the files on disk, refusing (with every reason at once)
/// when a crate cannot be released.
pub fn plan(ws: &Workspace, bump: Bump, date: &str) -> Result<Plan, Error> {
    let root_path = ws.root.join("Cargo.toml");
    let root_text = util::read(&root_path)?;
    let mut root_manifest = manifest::parse(&root_path, &root_text)?;
    let current: Version =
        manifest::string_value(&root_manifest, &["workspace", "package"], "version")
            .ok_or_else(|| {
                Error::refused(
                    "the root Cargo.toml has no `version` in `[workspace.package]`: lockstep releases bump that one version",
                )
            })?
            .parse()?;
    let next = bump.apply(&current);
    if next <= current {
        return Err(Error::refused(format!(
            "version {next} does not increase: the workspace is at {current}"
        )));
    }

    let mut problems = Vec::new();
    let mut bumped = BTreeSet::new();
    let mut manifests = Vec::new();
    for package in &ws.members {
        let text = util::read(&package.manifest_path)?;
        let member_manifest = manifest::parse(&package.manifest_path, &text)?;
        let inherits_version =
            manifest::package_field(&member_manifest, "version") == Field::Inherited;
        if inherits_version {
            bumped.insert(package.name.clone());
        }
        manifests.push((package, text, member_manifest));
        if !package.publishable {
            continue;
        }
        if !inherits_version {
            problems.push(format!(
                "`{}` sets its own version; lockstep releases need `version.workspace = true`",
                package.name
            ));
        }
        if let Some(readme) = &package.readme
            && !package.dir().join(readme).is_file()
        {
            problems.push(format!(
                "`{}`: its readme `{readme}` does not exist",
                package.name
            ));
        }
        for (field, present) in [
            ("description", package.description.is_some()),
            ("license", package.license.is_some()),
            ("repository", package.repository.is_some()),
            ("readme", package.readme.is_some()),
        ] {
            if !present {
                problems.push(format!(
                    "`{}` is missing `{field}` (crates.io needs it; inherited workspace fields count)",
                    package.name
                ));
            }
        }
        for dep in &package.dependencies {
            if dep.path.is_none() || dep.kind == DependencyKind::Dev {
                continue;
            }
            if dep.req == "*" {
                problems.push(format!(
                    "`{}` depends on `{}` by path without a version: crates.io needs a requirement (add `version = \"{current}\"`)",
                    package.name, dep.name
                ));
            }
            if ws.member(&dep.name).is_some_and(|m| !m.publishable) {
                problems.push(format!(
                    "`{}` depends on `{}`, which is `publish = false`",
                    package.name, dep.name
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::refused(format!(
            "cannot release:\n  - {}",
            problems.join("\n  - ")
        )));
    }

    let mut edits = Vec::new();
    let mut push = |path: PathBuf, old: String, new: String| {
        if old != new {
            edits.push(Edit { path, old, new });
        }
    };
    // The version was read above, so this cannot miss it.
    manifest::set_workspace_version(&mut root_manifest, &next);
    manifest::bump_requirements(&mut root_manifest, &bumped, &next);
    push(
        PathBuf::from("Cargo.toml"),
        root_text,
        root_manifest.to_string(),
    );
    for (package, text, mut member_manifest) in manifests {
        manifest::bump_requirements(&mut member_manifest, &bumped, &next);
        let path = package
            .manifest_path
            .strip_prefix(&ws.root)
            .unwrap_or(&package.manifest_path)
            .to_path_buf();
        push(path, text, member_manifest.to_string());
    }
    let lock_path = ws.root.join("Cargo.lock");
    if lock_path.is_file() {
        let text = util::read(&lock_path)?;
        let mut lock = manifest::parse(&lock_path, &text)?;
        manifest::bump_lockfile(&mut lock, &bumped, &current, &next);
        push(PathBuf::from("Cargo.lock"), text, lock.to_string());
    }
    let changelog_text = util::read(&ws.root.join("CHANGELOG.md"))?;
    let released = changelog::release(&changelog_text, &next, date)?;
    let mut warnings = Vec::new();
    if !released.had_entries {
        warnings.push(
            "CHANGELOG.md's Unreleased section is empty: a real release refuses this".to_owned(),
        );
    }
    push(PathBuf::from("CHANGELOG.md"), changelog_text, released.text);
    edits.sort_by(|a, b| a.path.cmp(&b.path));

    Ok(Plan {
        current,
        next,
        order: ws
            .publish_order()?
            .into_iter()
            .map(|p| p.name.clone())
            .collect(),
        edits,
        warnings,
    })
}

/// Refuses contradictory options and a dirty tree: what `run` checks before anything else,
/// and what is worth checking before running CI ahead of a release.
pub fn preflight(root: &Path, options: &Options) -> Result<(), Error> {
    if options.allow_dirty && !options.dry_run {
        return Err(Error::new(
            ErrorKind::Usage,
            "--allow-dirty is only accepted with --dry-run",
        ));
    }
    if options.publish && options.dry_run {
        return Err(Error::new(
            ErrorKind::Usage,
            "--publish and --dry-run exclude each other",
        ));
    }
    let status = util::git_status(root)?;
    if !status.is_empty() && !options.allow_dirty {
        return Err(Error::refused(format!(
            "the working tree is not clean; commit or stash first:\n{status}"
        )));
    }
    Ok(())
}

/// Runs a release of the repository at `root` (see the module docs). Returns the plan.
/// Running CI first is the caller's business (`cargo xtask release` does, unless `--no-ci`).
pub fn run(root: &Path, options: &Options) -> Result<Plan, Error> {
    preflight(root, options)?;
    let ws = Workspace::load(root)?;
    let plan = plan(&ws, options.bump, &options.date)?;
    if util::git_tag_exists(root, &plan.tag())? {
        return Err(Error::refused(format!("tag {} already exists", plan.tag())));
    }
    if !options.dry_run && plan.warnings.iter().any(|w| w.contains("Unreleased")) {
        return Err(Error::refused(
            "CHANGELOG.md's Unreleased section is empty: describe the release first",
        ));
    }
    println!("{}", plan.render(options.publish));

    check_packages(root, &ws, &plan, options)?;

    if options.dry_run {
        println!(
            "dry run: every check passed; nothing was written, committed, tagged or published"
        );
        return Ok(plan);
    }
    for edit in &plan.edits {
        util::write(&root.join(&edit.path), &edit.new)?;
    }
    let tag = plan.tag();
    util::run(util::git(root).args(["commit", "-am", &format!("release {tag}")]))?;
    util::run(util::git(root).args(["tag", "-a", &tag, "-m", &format!("release {tag}")]))?;
    if options.publish {
        for name in &plan.order {
            let mut cmd = util::cargo();
            cmd.current_dir(root)
                .args(["publish", "--locked", "-p", name]);
            if options.offline {
                cmd.arg("--offline");
            }
            util::run(&mut cmd).map_err(|err| {
                Error::failed(format!(
                    "{err}\npublishing stopped at `{name}`; the crates before it in the order are published. Fix the problem and run `cargo publish -p <crate>` for the rest, in order"
                ))
            })?;
        }
        println!("published {tag}; push the commit and the tag: git push && git push origin {tag}");
    } else {
        println!(
            "released {tag} locally; push with `git push && git push origin {tag}`, then publish with `cargo publish -p <crate>` in the order above (or rerun with --publish next time)"
        );
    }
    Ok(plan)
}

/// Applies the plan to a scratch copy of the repository and checks it there: the bumped
/// manifests agree with each other, and `cargo package` succeeds for every publishable crate
/// (one invocation, so crates resolve each other's new versions locally).
fn check_packages(
    root: &Path,
    ws: &Workspace,
    plan: &Plan,
    options: &Options,
) -> Result<(), Error> {
    let scratch = util::TempDir::new("release")?;
    let listed = util::capture(util::git(root).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))?;
    let files: Vec<PathBuf> = listed
        .split('\0')
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .filter(|f| root.join(f).is_file())
        .collect();
    util::copy_files(root, scratch.path(), &files)?;
    for edit in &plan.edits {
        util::write(&scratch.path().join(&edit.path), &edit.new)?;
    }

    let bumped = Workspace::load(scratch.path())?;
    let names: BTreeSet<&str> = bumped.members.iter().map(|m| m.name.as_str()).collect();
    let next = plan.next.to_string();
    let mut problems = Vec::new();
    for package in bumped.publishable() {
        if package.version != next {
            problems.push(format!(
                "`{}` would be at {}",
                package.name, package.version
            ));
        }
        for dep in &package.dependencies {
            let ours = dep.path.is_some() && names.contains(dep.name.as_str());
            if ours && dep.req != "*" && !dep.req.ends_with(&next) {
                problems.push(format!(
                    "`{}` would require `{} {}`",
                    package.name, dep.name, dep.req
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::failed(format!(
            "the bumped manifests disagree with {next}:\n  - {}",
            problems.join("\n  - ")
        )));
    }

    if options.verify {
        forget_unpacked(&plan.order, &plan.next.to_string())?;
        forget_built(&plan.order, &ws.target_directory)?;
    }
    let mut cmd = util::cargo();
    cmd.current_dir(scratch.path())
        .args(["package", "--locked", "--allow-dirty"])
        .arg("--target-dir")
        .arg(&ws.target_directory);
    if !options.verify {
        cmd.arg("--no-verify");
    }
    if options.offline {
        cmd.arg("--offline");
    }
    for name in &plan.order {
        cmd.args(["-p", name]);
    }
    eprintln!(
        "release: checking the packages of {} in a scratch copy ({})",
        plan.next,
        if options.verify {
            "each packaged crate is built"
        } else {
            "--no-verify: contents only"
        }
    );
    util::run(&mut cmd)
}

/// Removes the build fingerprints of our crates from `target` (`<profile>/.fingerprint/
/// <name>-<16 hex>`). Cargo never re-checks a registry package's sources, so an earlier
/// rehearsal's build of `descope-types <version>` would otherwise be linked against this
/// one's packages. Our path crates lose theirs too and rebuild once; dependencies keep theirs.
fn forget_built(names: &[String], target: &std::path::Path) -> Result<(), Error> {
    let Ok(profiles) = std::fs::read_dir(target) else {
        return Ok(());
    };
    for profile in profiles.flatten() {
        let Ok(entries) = std::fs::read_dir(profile.path().join(".fingerprint")) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            let ours = file.rsplit_once('-').is_some_and(|(name, hash)| {
                hash.len() == 16
                    && hash.bytes().all(|b| b.is_ascii_hexdigit())
                    && names.iter().any(|n| n == name)
            });
            if ours {
                std::fs::remove_dir_all(entry.path()).map_err(|e| {
                    Error::io(format!("cannot remove {}", entry.path().display()), e)
                })?;
            }
        }
    }
    Ok(())
}

/// Removes our crates' unpacked copies at `version` from cargo's local-registry source
/// directories (`$CARGO_HOME/registry/src/-<hash>/`, named after the scratch registry's path).
/// `cargo package` unpacks the crates it just packaged there to verify them, and reuses a copy
/// that already exists: a second rehearsal with the same target directory and version would
/// build against the first one's sources.
fn forget_unpacked(names: &[String], version: &str) -> Result<(), Error> {
    let home = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".cargo"),
            None => return Ok(()),
        },
    };
    let Ok(sources) = std::fs::read_dir(home.join("registry").join("src")) else {
        return Ok(());
    };
    for source in sources.flatten() {
        // crates.io's own directory is `index.crates.io-<hash>`; local registries start with `-`.
        if !source.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for name in names {
            let unpacked = source.path().join(format!("{name}-{version}"));
            if unpacked.exists() {
                std::fs::remove_dir_all(&unpacked)
                    .map_err(|e| Error::io(format!("cannot remove {}", unpacked.display()), e))?;
            }
        }
    }
    Ok(())
}
