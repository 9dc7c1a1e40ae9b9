//! The command line's errors and their exit codes.

use std::error::Error as StdError;
use std::fmt;
use std::process::ExitCode;

use descope_flows::ErrorKind;
use serde_json::{Value, json};

/// Exit codes, one per kind of failure (also in `--help` and docs/cli.md).
pub mod code {
    /// A demo step failed, or an unexpected failure.
    pub const FAILURE: u8 = 1;
    /// Command-line usage error (clap).
    pub const USAGE: u8 = 2;
    /// Configuration: no project id, a bad base URL, an unreadable emulator config.
    pub const CONFIG: u8 = 3;
    /// Bad input, rejected before any request: a missing or empty token, code or argument.
    pub const INPUT: u8 = 4;
    /// Descope (or the base URL) could not be reached: connection, TLS, timeout; or a
    /// custom key source could not supply the signing keys.
    pub const UNREACHABLE: u8 = 5;
    /// Descope answered with an error (its code and description are printed).
    pub const API: u8 = 6;
    /// A token failed local validation (malformed, expired, bad signature...).
    pub const TOKEN: u8 = 7;
    /// An answer could not be understood.
    pub const DECODE: u8 = 8;
}

/// The help text listing the exit codes.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  a demo step failed, or an unexpected failure
  2  usage error (unknown option, missing argument)
  3  configuration error (no project id, bad base URL, bad emulator config)
  4  bad input rejected before any request (missing/empty token, code or argument)
  5  Descope unreachable (connection refused, DNS, TLS, timeout, key source failed)
  6  Descope answered with an error (its error code and description are printed)
  7  a token failed local validation (malformed, expired, bad signature, wrong project)
  8  an answer from Descope could not be decoded";

/// Every failure of a command.
pub enum CliError {
    /// From the client.
    Flows(descope_flows::Error),
    /// Configuration the command line checks itself.
    Config(String),
    /// Input the command line checks itself.
    Input(String),
    /// The demo failed (each step already printed its own error).
    Demo,
    /// Anything else.
    Other(String),
}

impl From<descope_flows::Error> for CliError {
    fn from(error: descope_flows::Error) -> Self {
        Self::Flows(error)
    }
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Flows(e) => flows_code(e),
            Self::Config(_) => code::CONFIG,
            Self::Input(_) => code::INPUT,
            Self::Demo | Self::Other(_) => code::FAILURE,
        })
    }

    /// The error as JSON for `--json` (printed on stderr).
    pub fn to_json(&self) -> Value {
        match self {
            Self::Flows(e) => {
                let mut value = json!({ "kind": kind_name(e.kind()), "message": e.to_string() });
                if let Some(api) = e.api_error() {
                    value["status"] = json!(api.status);
                    value["code"] = json!(api.code.to_string());
                    value["description"] = json!(api.description);
                }
                if let Some(reason) = e.token_reason() {
                    value["reason"] = json!(format!("{reason:?}"));
                }
                json!({ "error": value })
            }
            Self::Config(m) => json!({ "error": { "kind": "configuration", "message": m } }),
            Self::Input(m) => json!({ "error": { "kind": "input", "message": m } }),
            Self::Demo => json!({ "error": { "kind": "demo", "message": "a demo step failed" } }),
            Self::Other(m) => json!({ "error": { "kind": "other", "message": m } }),
        }
    }
}

fn flows_code(error: &descope_flows::Error) -> u8 {
    match error.kind() {
        ErrorKind::Configuration => code::CONFIG,
        ErrorKind::InvalidArgument => code::INPUT,
        // A failed key source leaves the signing keys unavailable, as an unreachable Descope does.
        ErrorKind::Transport | ErrorKind::KeySource => code::UNREACHABLE,
        ErrorKind::Api => code::API,
        ErrorKind::TokenValidation => code::TOKEN,
        ErrorKind::Decode => code::DECODE,
        _ => code::FAILURE,
    }
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Configuration => "configuration",
        ErrorKind::InvalidArgument => "input",
        ErrorKind::Transport | ErrorKind::KeySource => "unreachable",
        ErrorKind::Api => "api",
        ErrorKind::TokenValidation => "token",
        ErrorKind::Decode => "decode",
        _ => "other",
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flows(e) => match e.kind() {
                ErrorKind::Api => match e.api_error() {
                    Some(api) if !api.code.to_string().is_empty() => {
                        write!(
                            f,
                            "Descope refused the request (HTTP {}): {} {}",
                            api.status, api.code, api.description
                        )?;
                        if let Some(m) = api.message.as_deref().filter(|m| !m.is_empty()) {
                            write!(f, " ({m})")?;
                        }
                        if e.is_management_key_rejected() {
                            write!(
                                f,
                                "; the management key was rejected (DESCOPE_MANAGEMENT_KEY)"
                            )?;
                        }
                        Ok(())
                    }
                    _ => write!(f, "{e}"),
                },
                ErrorKind::Transport => {
                    write!(f, "cannot reach Descope: {e}")?;
                    // The transport error's own causes say why (refused, DNS, TLS...).
                    causes(f, e.transport_error().and_then(StdError::source))
                }
                ErrorKind::KeySource => {
                    write!(f, "cannot get the signing keys: {e}")?;
                    causes(f, e.source())
                }
                _ => write!(f, "{e}"),
            },
            Self::Config(m) | Self::Input(m) | Self::Other(m) => f.write_str(m),
            Self::Demo => f.write_str("a demo step failed"),
        }
    }
}

/// Writes `: cause` for `first` and each of its sources.
fn causes(f: &mut fmt::Formatter<'_>, first: Option<&dyn StdError>) -> fmt::Result {
    let mut source = first;
    while let Some(cause) = source {
        write!(f, ": {cause}")?;
        source = cause.source();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Unreadable;

    impl fmt::Display for Unreadable {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("key file unreadable")
        }
    }

    impl StdError for Unreadable {}

    #[test]
    fn a_failed_key_source_is_unreachable_with_its_cause() {
        let error = CliError::from(descope_flows::Error::key_source(Unreadable));
        assert_eq!(error.exit_code(), ExitCode::from(code::UNREACHABLE));
        assert_eq!(error.to_json()["error"]["kind"], "unreachable");
        let message = error.to_string();
        assert!(
            message.starts_with("cannot get the signing keys"),
            "{message}"
        );
        assert!(message.ends_with(": key file unreadable"), "{message}");
    }
}
