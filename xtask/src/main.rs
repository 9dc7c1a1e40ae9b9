//! `cargo xtask`: descope-rs maintenance tasks (see `cargo xtask --help`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use xtask::version::Bump;
use xtask::{Error, ErrorKind, ci, compat, msrv, release, tidy};

/// descope-rs maintenance tasks.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    after_help = "Every command accepts --help. See docs/releasing.md for the release process."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every CI check in order, stopping at the first failure
    ///
    /// The steps, in order, are the values of --skip below.
    Ci {
        /// Leave a step out (repeatable)
        #[arg(long, value_enum, value_name = "STEP")]
        skip: Vec<ci::Step>,
    },
    /// Check repository conventions and print every violation
    ///
    /// Every publishable crate has a README; every library and binary crate root starts with
    /// `//!` docs; every member inherits version, edition, rust-version, license and
    /// repository from [workspace.package]; no dbg!, todo! or unimplemented! in publishable
    /// crates' src/; no public fn of a client crate (descope-flows, descope-management) takes
    /// an `Option<...>` parameter (give the call a builder); no module cycles through
    /// `crate::` paths inside a crate; README.md's MSRV equals rust-version; CHANGELOG.md has
    /// a `## [Unreleased]` section. Test modules and comments are ignored. Exits non-zero when
    /// anything is violated.
    Tidy,
    /// Check the workspace against its declared rust-version
    ///
    /// With the declared toolchain installed, runs `cargo check --workspace --all-targets
    /// --all-features` with it. Otherwise explains why, checks that every normal and build
    /// dependency declares a rust-version no newer than ours and runs clippy with
    /// `incompatible_msrv` denied.
    Msrv {
        /// Try `rustup toolchain install <version>` first (needs static.rust-lang.org)
        #[arg(long)]
        install: bool,
    },
    /// Run Descope's official Python and Node SDKs against the emulator
    ///
    /// Installs the pinned SDKs into target/compat/ (needs python3 with pip and node with
    /// npm), starts the emulator on a free loopback port and runs tests/compat/.
    Compat,
    /// Bump every crate in lockstep, update CHANGELOG.md, package, commit and tag
    ///
    /// Refuses a dirty tree; runs `cargo xtask ci` first (not with --dry-run or --no-ci);
    /// plans the new version, manifest, Cargo.lock and CHANGELOG.md edits and prints them
    /// with the publishing order; checks them with `cargo package` in a scratch copy; then
    /// writes, commits and tags (`release vX.Y.Z`, `vX.Y.Z`), and publishes with --publish.
    Release(ReleaseArgs),
}

#[derive(Debug, Args)]
struct ReleaseArgs {
    /// The new version: major, minor, patch or an exact X.Y.Z
    #[arg(value_name = "major|minor|patch|X.Y.Z")]
    bump: Bump,
    /// Plan and check only (no CI run): nothing on disk changes
    #[arg(long)]
    dry_run: bool,
    /// Publish to crates.io after tagging
    #[arg(long, conflicts_with = "dry_run")]
    publish: bool,
    /// Do not run `cargo xtask ci` before the release
    #[arg(long)]
    no_ci: bool,
    /// Package without building each packaged crate
    #[arg(long)]
    no_verify: bool,
    /// Accept a dirty tree (with --dry-run only)
    #[arg(long, requires = "dry_run")]
    allow_dirty: bool,
    /// Pass --offline to cargo
    #[arg(long)]
    offline: bool,
}

impl ReleaseArgs {
    fn options(&self) -> release::Options {
        let mut options = release::Options::new(self.bump);
        options.dry_run = self.dry_run;
        options.publish = self.publish;
        options.verify = !self.no_verify;
        options.allow_dirty = self.allow_dirty;
        options.offline = self.offline;
        options
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if err.kind() == ErrorKind::Usage {
                eprintln!("\n(see `cargo xtask --help`)");
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(command: Command) -> Result<(), Error> {
    let root = workspace_root();
    match command {
        Command::Ci { skip } => ci::run(&root, &skip),
        Command::Tidy => tidy::run(&root),
        Command::Msrv { install } => msrv::run(&root, install),
        Command::Compat => compat::run(&root),
        Command::Release(args) => {
            let options = args.options();
            if !args.dry_run && !args.no_ci {
                // Cheap refusals first, then CI without its own release rehearsal (the
                // release checks its packages itself).
                release::preflight(&root, &options)?;
                eprintln!("release: running `cargo xtask ci` first (--no-ci skips it)");
                ci::run(&root, &[ci::Step::Release])?;
            }
            release::run(&root, &options).map(drop)
        }
    }
}

/// The repository root: xtask lives in `<root>/xtask`. `cargo run` sets CARGO_MANIFEST_DIR
/// at run time; prefer it to the build-time value so that checkouts sharing a target
/// directory (and so one binary) each act on their own tree.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map_or(manifest_dir.clone(), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(["cargo xtask"].iter().chain(args)).map(|cli| cli.command)
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn documented_invocations_parse() {
        assert!(matches!(parse(&["ci"]), Ok(Command::Ci { skip }) if skip.is_empty()));
        assert!(matches!(
            parse(&["ci", "--skip", "compat", "--skip", "release"]),
            Ok(Command::Ci { skip }) if skip == [ci::Step::Compat, ci::Step::Release]
        ));
        assert!(matches!(parse(&["tidy"]), Ok(Command::Tidy)));
        assert!(matches!(parse(&["compat"]), Ok(Command::Compat)));
        assert!(matches!(
            parse(&["msrv", "--install"]),
            Ok(Command::Msrv { install: true })
        ));
        let Ok(Command::Release(args)) = parse(&["release", "--dry-run", "patch"]) else {
            panic!("release --dry-run patch did not parse");
        };
        assert_eq!(args.bump, Bump::Patch);
        assert!(args.dry_run && !args.publish && !args.no_ci);
        let Ok(Command::Release(args)) = parse(&["release", "1.2.3", "--publish", "--no-ci"])
        else {
            panic!("release 1.2.3 --publish --no-ci did not parse");
        };
        assert_eq!(args.bump, "1.2.3".parse::<Bump>().unwrap());
        let options = args.options();
        assert!(options.publish && !options.dry_run && options.verify);
    }

    #[test]
    fn bad_invocations_are_usage_errors() {
        for args in [
            &[][..],
            &["lint"],
            &["ci", "--skip", "lint"],
            &["tidy", "extra"],
            &["release"],
            &["release", "micro"],
            &["release", "patch", "minor"],
            &["release", "patch", "--dry-run", "--publish"],
            &["release", "patch", "--allow-dirty"],
            &["msrv", "--frobnicate"],
        ] {
            let err = parse(args).expect_err(&format!("{args:?} parsed"));
            assert_eq!(err.exit_code(), 2, "{args:?}: {err}");
        }
    }
}
