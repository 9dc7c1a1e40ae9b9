//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::fmt;
use std::path::Path;

use clap::ValueEnum;

use crate::version::Bump;
use crate::{Error, release, tidy, util};

/// A step of `ci`, declared in the order they run; `--skip` names them in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    /// `cargo xtask compat`: the official SDKs against the emulator.
    Compat,
    /// `cargo xtask release patch --dry-run` (with `--allow-dirty` on a dirty tree), which
    /// must leave `git status` as it was.
    Release,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_possible_value() {
            Some(value) => f.write_str(value.get_name()),
            None => Ok(()),
        }
    }
}

impl Step {
    fn run(self, root: &Path) -> Result<(), Error> {
        let mut cmd = util::cargo();
        cmd.current_dir(root);
        match self {
            Step::Tidy => return tidy::run(root),
            Step::Compat => return crate::compat::run(root),
            Step::Release => return rehearse_release(root),
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
        };
        util::run(&mut cmd)
    }
}

/// Runs every step but `skip` in the repository at `root`.
pub fn run(root: &Path, skip: &[Step]) -> Result<(), Error> {
    let steps: Vec<Step> = Step::value_variants()
        .iter()
        .copied()
        .filter(|s| !skip.contains(s))
        .collect();
    for (i, step) in steps.iter().enumerate() {
        eprintln!("\n==> ci [{}/{}] {step}\n", i + 1, steps.len());
        step.run(root).map_err(|err| {
            Error::new(
                err.kind(),
                format!("ci step `{step}` failed: {}", err.message()),
            )
        })?;
    }
    eprintln!("\n==> ci: all {} steps passed", steps.len());
    Ok(())
}

fn rehearse_release(root: &Path) -> Result<(), Error> {
    let before = util::git_status(root)?;
    let mut options = release::Options::new(Bump::Patch);
    options.dry_run = true;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_order_and_are_named_for_skip() {
        let names: Vec<String> = Step::value_variants().iter().map(Step::to_string).collect();
        assert_eq!(
            names,
            ["tidy", "fmt", "clippy", "test", "doc", "compat", "release"]
        );
        assert_eq!(Step::from_str("compat", false), Ok(Step::Compat));
        assert!(Step::from_str("lint", false).is_err());
    }
}
