//! The descope-rs maintenance tasks behind `cargo xtask` (in the style of rust-analyzer's
//! xtask: plain Rust with `clap`, `serde_json` and `toml_edit`, no build scripts or shell).
//!
//! The binary (`xtask/src/main.rs`) only parses arguments (with clap) and composes the
//! tasks (`release` runs `ci` first); the logic lives here so it can be unit-tested and run
//! against a fixture workspace in `xtask/tests/`.
//!
//! * [`tidy`]: repository conventions (READMEs, crate docs, inherited package fields, no
//!   `dbg!`/`todo!`/`unimplemented!` in shipped code, no positional `Option` parameters in
//!   the client crates' public functions, no module cycles, MSRV stated consistently).
//! * [`release`]: lockstep version bump, changelog rewrite, packaging in dependency order,
//!   commit and tag, and publishing behind an explicit flag.
//! * [`msrv`]: checks the declared `rust-version`.
//! * [`ci`]: every check CI runs, in order, stopping at the first failure.
//! * [`compat`]: the official Python and Node SDKs against the emulator.
//!
//! ```
//! use xtask::version::{Bump, Version};
//!
//! let current: Version = "0.1.9".parse().unwrap();
//! let next = "minor".parse::<Bump>().unwrap().apply(&current);
//! assert_eq!(next.to_string(), "0.2.0");
//! ```

pub mod changelog;
pub mod ci;
pub mod compat;
pub mod manifest;
pub mod metadata;
pub mod msrv;
pub mod release;
pub mod tidy;
pub mod util;
pub mod version;

use std::fmt;

/// What went wrong in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The command line was wrong.
    Usage,
    /// A precondition does not hold (dirty tree, version not increasing, missing metadata...):
    /// the task refused to start.
    Refused,
    /// A step (an external command or a check) ran and failed.
    Failed,
    /// Reading or writing a file, or starting a process, failed.
    Io,
    /// A file or a command's output could not be understood.
    Parse,
}

/// The error of every task: a kind and a message meant for the person at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` explained by `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Refused, message)
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Failed, message)
    }

    pub(crate) fn parse(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Parse, message)
    }

    pub(crate) fn io(what: impl fmt::Display, err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, format!("{what}: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The result of every task.
pub type Result<T, E = Error> = std::result::Result<T, E>;
