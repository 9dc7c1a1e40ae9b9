//! Secrets given on the command line: an argument, an environment variable (clap fills it
//! in), or `-` for one line of stdin. They are never echoed.

use std::io::Read;

use crate::error::CliError;

/// The secret `value`, reading stdin for `-`; `what` names it in errors, `env` is the
/// variable that could have supplied it.
pub fn secret(value: Option<&str>, what: &str, env: &str) -> Result<String, CliError> {
    let Some(value) = value else {
        return Err(CliError::Input(format!(
            "no {what}: pass it as an argument, `-` to read it from stdin, or set {env}"
        )));
    };
    let value = if value == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|_| CliError::Input(format!("cannot read the {what} from stdin")))?;
        text
    } else {
        value.to_owned()
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(CliError::Input(format!("the {what} is empty")));
    }
    Ok(value.to_owned())
}
