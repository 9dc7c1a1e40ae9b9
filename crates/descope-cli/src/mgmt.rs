//! What every management subcommand shares: the client (project id, base URL and management
//! key from the global flags and `DESCOPE_MANAGEMENT_KEY`) and the confirmation that
//! destructive commands ask for unless `--yes`.

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use descope_flows::Client;
use descope_types::ManagementKey;

use crate::commands::cli_policy;
use crate::error::CliError;

/// `--management-key`, or `DESCOPE_MANAGEMENT_KEY`: flattened into every management command.
#[derive(Debug, Args)]
pub(crate) struct ManagementKeyArg {
    /// The management key [env: DESCOPE_MANAGEMENT_KEY].
    #[arg(
        long,
        env = "DESCOPE_MANAGEMENT_KEY",
        hide_env_values = true,
        global = true
    )]
    management_key: Option<String>,
}

impl ManagementKeyArg {
    /// The client for `--project-id`/`--base-url`, with this key.
    pub(crate) fn client(&self, global: &crate::Global) -> Result<Client, CliError> {
        client(global, self.management_key.as_deref())
    }
}

/// Asks on the terminal; refuses when stdin is not one (scripts pass `--yes`).
pub(crate) fn confirm(question: &str) -> Result<(), CliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::Input(
            "refusing to delete without confirmation: pass --yes".to_owned(),
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|_| CliError::Input("cannot read the answer".to_owned()))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Input("not confirmed: nothing deleted".to_owned()))
    }
}

/// The client for `--project-id`/`--base-url`, with the management key.
fn client(global: &crate::Global, key: Option<&str>) -> Result<Client, CliError> {
    let project_id = global
        .project_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            CliError::Config(
                "no project id: pass --project-id or set DESCOPE_PROJECT_ID".to_owned(),
            )
        })?;
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            CliError::Config(
                "no management key: set DESCOPE_MANAGEMENT_KEY or pass --management-key".to_owned(),
            )
        })?;
    let mut builder = Client::builder(project_id)
        .policy(cli_policy())
        .management_key(ManagementKey::new(key));
    if let Some(url) = global.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}
