//! `cargo xtask`: descope-rs maintenance tasks (see `cargo xtask --help`).

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::version::Bump;
use xtask::{Error, ErrorKind, ci, msrv, release};

const HELP: &str = "\
cargo xtask: descope-rs maintenance tasks

USAGE:
    cargo xtask <COMMAND> [OPTIONS]

COMMANDS:
    ci        Run every CI check in order, stopping at the first failure
    tidy      Check repository conventions (READMEs, crate docs, inherited fields, MSRV...)
    msrv      Check the declared rust-version
    compat    Run Descope's official Python and Node SDKs against the emulator
    release   Bump every crate in lockstep, update CHANGELOG.md, package, commit and tag
    help      Print this help, or a command's: cargo xtask help <COMMAND>

Every command accepts --help. See docs/releasing.md for the release process.
";

const CI_HELP: &str = "\
cargo xtask ci: run every CI check, in order, stopping at the first failure

USAGE:
    cargo xtask ci [--skip <STEP>]...

STEPS:
    tidy      cargo xtask tidy
    fmt       cargo fmt --all -- --check
    clippy    cargo clippy --workspace --all-targets --all-features -- -D warnings
    test      cargo test --workspace --all-features
    doc       RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --all-features --no-deps
    compat    cargo xtask compat (the official SDKs against the emulator)
    release   cargo xtask release patch --dry-run --no-ci; `git status` must not change
              (on a dirty tree the rehearsal runs with --allow-dirty)

OPTIONS:
    --skip <STEP>   Leave a step out (repeatable)
    -h, --help      Print this help
";

const TIDY_HELP: &str = "\
cargo xtask tidy: check repository conventions and print every violation

USAGE:
    cargo xtask tidy

CHECKS:
    - every publishable crate has a README (its `readme` field, or README.md);
    - every library and binary crate root starts with crate-level docs (`//!`);
    - every member's Cargo.toml inherits version, edition, rust-version, license and
      repository from [workspace.package] (`key.workspace = true`);
    - no dbg!, todo! or unimplemented! in publishable crates' src/ (outside #[cfg(test)]
      items, tests.rs files and comments);
    - the MSRV README.md states (a line like `MSRV: Rust 1.88`) equals the root Cargo.toml's
      rust-version;
    - CHANGELOG.md exists and has a `## [Unreleased]` section.

Exits non-zero when anything is violated.
";

const MSRV_HELP: &str = "\
cargo xtask msrv: check the workspace against its declared rust-version

USAGE:
    cargo xtask msrv [--install]

If `rustup toolchain list` has the declared version, runs
`cargo check --workspace --all-targets --all-features` with it. Otherwise explains why, and
with the current toolchain checks that every normal and build dependency declares a
rust-version no newer than ours (from cargo metadata) and runs clippy with
`incompatible_msrv` denied (standard library APIs newer than the MSRV).

OPTIONS:
    --install    Try `rustup toolchain install <version>` first (needs static.rust-lang.org)
    -h, --help   Print this help
";

const COMPAT_HELP: &str = "\
cargo xtask compat: Descope's official SDKs, unchanged, against descope-emulator

USAGE:
    cargo xtask compat

Installs the Python SDK (descope==2.16.1, with pip) and the Node SDK
(@descope/node-sdk@2.13.0, with npm) into target/compat/, starts the emulator binary on a
free loopback port, and runs tests/compat/python_sdk.py and tests/compat/node_sdk.mjs:
OAuth, SSO, SAML, native OAuth, TOTP, validate, refresh, me, select tenant, logout.
Needs python3 with pip, and node with npm.
";

const RELEASE_HELP: &str = "\
cargo xtask release: release every publishable crate with one version (lockstep)

USAGE:
    cargo xtask release <major|minor|patch|X.Y.Z> [OPTIONS]

STEPS:
    1. refuse a dirty tree (`git status --porcelain` not empty);
    2. run `cargo xtask ci` (its own release rehearsal left out);
    3. plan: the new version (must increase), [workspace.package] version, every
       intra-workspace `version = \"...\"` requirement, Cargo.lock, and CHANGELOG.md's
       Unreleased section moved under `## [X.Y.Z] - <today>`; refuse crates missing
       description/license/repository/readme and path dependencies without a version;
    4. print the plan: publishing order (from cargo metadata) and the diff of every file;
    5. apply it to a scratch copy and run `cargo package` for every crate in that order;
    6. write the files, `git commit -am \"release vX.Y.Z\"`, `git tag -a vX.Y.Z`;
    7. with --publish, `cargo publish -p <crate>` in order.

OPTIONS:
    --dry-run       Steps 1-5 only: nothing on disk changes
    --publish       Publish to crates.io after tagging (not with --dry-run)
    --no-ci         Skip step 2 (`ci` uses this for its rehearsal)
    --no-verify     Package without building each packaged crate
    --allow-dirty   Accept a dirty tree (only with --dry-run)
    --offline       Pass --offline to cargo
    -h, --help      Print this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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

fn usage(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, message)
}

fn help_for(command: &str) -> Result<&'static str, Error> {
    Ok(match command {
        "ci" => CI_HELP,
        "tidy" => TIDY_HELP,
        "msrv" => MSRV_HELP,
        "release" => RELEASE_HELP,
        "compat" => COMPAT_HELP,
        other => return Err(usage(format!("unknown command `{other}`"))),
    })
}

fn run(args: &[String]) -> Result<(), Error> {
    let Some((command, rest)) = args.split_first() else {
        print!("{HELP}");
        return Err(usage("no command given"));
    };
    match command.as_str() {
        "-h" | "--help" => {
            print!("{HELP}");
            return Ok(());
        }
        "help" => {
            print!("{}", rest.first().map_or(Ok(HELP), |c| help_for(c))?);
            return Ok(());
        }
        _ => {}
    }
    let help = help_for(command)?;
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        print!("{help}");
        return Ok(());
    }
    let root = workspace_root();
    match command.as_str() {
        "ci" => {
            let mut skip = Vec::new();
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--skip" => {
                        let step = rest
                            .next()
                            .ok_or_else(|| usage("--skip needs a step name"))?;
                        skip.push(ci::Step::from_name(step)?);
                    }
                    other => return Err(usage(format!("unexpected argument `{other}` for ci"))),
                }
            }
            ci::run(&root, &skip)
        }
        "compat" => match rest.first() {
            Some(other) => Err(usage(format!("unexpected argument `{other}` for compat"))),
            None => xtask::compat::run(&root),
        },
        "tidy" => match rest.first() {
            Some(other) => Err(usage(format!("unexpected argument `{other}` for tidy"))),
            None => ci::run_tidy(&root),
        },
        "msrv" => match rest {
            [] => msrv::run(&root, false),
            [flag] if flag == "--install" => msrv::run(&root, true),
            [other, ..] => Err(usage(format!("unexpected argument `{other}` for msrv"))),
        },
        "release" => {
            let mut bump = None;
            let mut flags = Vec::new();
            for arg in rest {
                if arg.starts_with("--") {
                    flags.push(arg.as_str());
                } else if bump.is_none() {
                    bump = Some(arg.parse::<Bump>()?);
                } else {
                    return Err(usage(format!("unexpected argument `{arg}` for release")));
                }
            }
            let bump = bump.ok_or_else(|| usage("release needs major, minor, patch or X.Y.Z"))?;
            let mut options = release::Options::new(bump);
            for flag in flags {
                match flag {
                    "--dry-run" => options.dry_run = true,
                    "--publish" => options.publish = true,
                    "--no-ci" => options.run_ci = false,
                    "--no-verify" => options.verify = false,
                    "--allow-dirty" => options.allow_dirty = true,
                    "--offline" => options.offline = true,
                    other => return Err(usage(format!("unknown option `{other}` for release"))),
                }
            }
            release::run(&root, &options).map(drop)
        }
        _ => Err(usage(format!("unknown command `{command}`"))),
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
