//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::path::Path;
use std::process::Command;

use crate::metadata::Workspace;
use crate::version::Bump;
use crate::{Error, ErrorKind, release, tidy, util};

/// A step of `ci`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `cargo xtask tidy`.
    Tidy,
    /// `cargo fmt --all -- --check`.
    Fmt,
    /// `cargo clippy --workspace --all-targets --all-features -- -D warnings`.
    Clippy,
    /// `cargo test --workspace --all-features`.
    Test,
    /// `cargo doc --workspace --all-features --no-deps` with `RUSTDOCFLAGS="-D warnings"`.
    Doc,
    /// `cargo xtask release patch --dry-run --no-ci`, which must leave `git status` as it was.
    Release,
    /// `cargo xtask compat`: the official SDKs against the emulator.
    Compat,
}

impl Step {
    /// Every step, in the order they run.
    pub const ALL: [Step; 7] = [
        Step::Tidy,
        Step::Fmt,
        Step::Clippy,
        Step::Test,
        Step::Doc,
        Step::Compat,
        Step::Release,
    ];

    /// The name used by `--skip`.
    pub fn name(self) -> &'static str {
        match self {
            Step::Tidy => "tidy",
            Step::Fmt => "fmt",
            Step::Clippy => "clippy",
            Step::Test => "test",
            Step::Doc => "doc",
            Step::Release => "release",
            Step::Compat => "compat",
        }
    }

    /// The step called `name`.
    pub fn from_name(name: &str) -> Result<Step, Error> {
        Step::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Step::ALL.iter().map(|s| s.name()).collect();
                Error::new(
                    ErrorKind::Usage,
                    format!("unknown ci step `{name}`; steps: {}", names.join(", ")),
                )
            })
    }

    fn command(self, root: &Path) -> Option<Command> {
        let mut cmd = util::cargo();
        cmd.current_dir(root);
        match self {
            Step::Fmt => cmd.args(["fmt", "--all", "--", "--check"]),
            Step::Clippy => cmd.args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ]),
            Step::Test => cmd.args(["test", "--workspace", "--all-features"]),
            Step::Doc => cmd.env("RUSTDOCFLAGS", "-D warnings").args([
                "doc",
                "--workspace",
                "--all-features",
                "--no-deps",
            ]),
            Step::Tidy | Step::Release | Step::Compat => return None,
        };
        Some(cmd)
    }
}

/// Runs every step but `skip` in the repository at `root`.
pub fn run(root: &Path, skip: &[Step]) -> Result<(), Error> {
    let steps: Vec<Step> = Step::ALL
        .into_iter()
        .filter(|s| !skip.contains(s))
        .collect();
    for (i, step) in steps.iter().enumerate() {
        eprintln!("\n==> ci [{}/{}] {}\n", i + 1, steps.len(), step.name());
        let result = match step {
            Step::Tidy => run_tidy(root),
            Step::Release => rehearse_release(root),
            Step::Compat => crate::compat::run(root),
            _ => match step.command(root) {
                Some(mut cmd) => util::run(&mut cmd),
                None => Ok(()),
            },
        };
        result.map_err(|err| {
            Error::new(
                err.kind(),
                format!("ci step `{}` failed: {}", step.name(), err.message()),
            )
        })?;
    }
    eprintln!("\n==> ci: all {} steps passed", steps.len());
    Ok(())
}

/// `tidy`, printing every violation; fails when there is any.
pub fn run_tidy(root: &Path) -> Result<(), Error> {
    let ws = Workspace::load(root)?;
    let violations = tidy::check(&ws)?;
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

fn rehearse_release(root: &Path) -> Result<(), Error> {
    let before = util::git_status(root)?;
    let mut options = release::Options::new(Bump::Patch);
    options.dry_run = true;
    options.run_ci = false;
    // A work-in-progress tree still gets its release rehearsed; a real release refuses it.
    options.allow_dirty = !before.is_empty();
    if options.allow_dirty {
        eprintln!("ci: the tree is dirty; rehearsing the release with --allow-dirty");
    }
    release::run(root, &options)?;
    let after = util::git_status(root)?;
    if before != after {
        return Err(Error::failed(format!(
            "`release --dry-run` changed `git status`:\nbefore:\n{before}\nafter:\n{after}"
        )));
    }
    Ok(())
}
