//! `descope audit ...`: the audit trail of a real project (management API), authorized by the
//! management key in `DESCOPE_MANAGEMENT_KEY` (or `--management-key`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use descope_types::MgmtAuditSearchResponse;
use serde_json::json;

use crate::commands::{Out, waiting};
use crate::error::CliError;
use crate::mgmt::ManagementKeyArg;
use crate::output::table;

/// `descope audit ...`
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    key: ManagementKeyArg,
    #[command(subcommand)]
    command: AuditCommand,
}

/// The audit subcommands.
#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Search the audit trail, newest first.
    Search {
        /// Only records about this user id (repeat for more).
        #[arg(long = "user", value_name = "USER_ID")]
        users: Vec<String>,
        /// Only these actions, e.g. LoginSucceed, LoginFailed (repeat for more).
        #[arg(long = "action", value_name = "ACTION")]
        actions: Vec<String>,
        /// Only records about this login id (repeat for more).
        #[arg(long = "login-id", value_name = "LOGIN_ID")]
        login_ids: Vec<String>,
        /// From this time: unix seconds, or an age such as 30m, 2h, 7d.
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Up to this time: unix seconds, or an age such as 30m, 2h, 7d.
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Free text.
        #[arg(long)]
        text: Option<String>,
    },
}

/// Unix seconds, or an age (`90s`, `15m`, `2h`, `7d`) before `now`.
fn parse_time(text: &str, now: SystemTime) -> Result<SystemTime, CliError> {
    let text = text.trim();
    let bad = || {
        CliError::Input(format!(
            "{text:?} is not a time: give unix seconds or an age such as 30m, 2h, 7d"
        ))
    };
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(UNIX_EPOCH + Duration::from_secs(seconds));
    }
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let age = Duration::from_secs(number.checked_mul(scale).ok_or_else(bad)?);
    Ok(now.checked_sub(age).unwrap_or(UNIX_EPOCH))
}

impl AuditArgs {
    /// Runs the command.
    pub async fn run(self, global: &crate::Global, out: &Out) -> Result<(), CliError> {
        let client = self.key.client(global)?;
        let audit = client.management().audit();
        match self.command {
            AuditCommand::Search {
                users,
                actions,
                login_ids,
                from,
                to,
                text,
            } => {
                let now = SystemTime::now();
                let mut search = audit
                    .search()
                    .user_ids(users)
                    .actions(actions)
                    .login_ids(login_ids);
                if let Some(from) = from {
                    search = search.from(parse_time(&from, now)?);
                }
                if let Some(to) = to {
                    search = search.to(parse_time(&to, now)?);
                }
                if let Some(text) = text {
                    search = search.text(text);
                }
                print_records(&waiting("searching", search).await?, out);
            }
        }
        Ok(())
    }
}

/// `occurred` (unix milliseconds) as `YYYY-MM-DD HH:MM:SS` UTC.
fn timestamp(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn print_records(found: &MgmtAuditSearchResponse, out: &Out) {
    if out.json {
        println!(
            "{}",
            json!({ "audits": found.audits, "total": found.total })
        );
        return;
    }
    let rows: Vec<(String, String)> = found
        .audits
        .iter()
        .map(|r| {
            (
                timestamp(r.occurred),
                format!(
                    "{:<14} {:<10} {}  {}",
                    r.action,
                    r.method,
                    r.external_ids.join(","),
                    r.user_id
                ),
            )
        })
        .collect();
    print!("{}", table(&rows, ""));
    println!("{} records", found.audits.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_unix_seconds_or_ages() {
        let now = UNIX_EPOCH + Duration::from_secs(10_000_000);
        assert_eq!(
            parse_time("1700000000", now).ok(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(
            parse_time("2h", now).ok(),
            Some(UNIX_EPOCH + Duration::from_secs(10_000_000 - 7200))
        );
        assert_eq!(
            parse_time("30d", now).ok(),
            Some(UNIX_EPOCH + Duration::from_secs(10_000_000 - 2_592_000))
        );
        assert!(parse_time("soon", now).is_err());
        assert!(parse_time("", now).is_err());
        assert!(parse_time("5y", now).is_err());
    }

    #[test]
    fn timestamps_are_utc() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(timestamp(1_704_067_200_123), "2024-01-01 00:00:00");
        assert_eq!(timestamp(1_709_210_096_000), "2024-02-29 12:34:56");
    }
}
