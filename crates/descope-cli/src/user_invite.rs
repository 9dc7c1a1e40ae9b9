//! `descope users invite <login-id>`: create a user and send it an invitation (a link that
//! signs it in), by email and, with `--send-sms`, by SMS.

use clap::Args;
use descope_flows::management::Users;
use serde_json::json;

use crate::commands::{Out, waiting};
use crate::error::CliError;
use crate::output::table;

/// Create a user and send it an invitation.
#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The login id (usually an email).
    login_id: String,
    /// Email.
    #[arg(long)]
    email: Option<String>,
    /// Phone (E.164), for --send-sms.
    #[arg(long)]
    phone: Option<String>,
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// A project-level role (repeat for more).
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// The page the invitation link leads to (default: the project's).
    #[arg(long, value_name = "URL")]
    invite_url: Option<String>,
    /// Send the invitation by email (Descope sends it by email by default).
    #[arg(long)]
    send_mail: bool,
    /// Also send the invitation by SMS.
    #[arg(long)]
    send_sms: bool,
}

impl InviteArgs {
    /// Runs `users invite`.
    pub async fn run(self, users: &Users<'_>, out: &Out) -> Result<(), CliError> {
        let mut invite = users.invite(self.login_id);
        if let Some(email) = self.email {
            invite = invite.email(email);
        }
        if let Some(phone) = self.phone {
            invite = invite.phone(phone);
        }
        if let Some(name) = self.name {
            invite = invite.name(name);
        }
        if !self.roles.is_empty() {
            invite = invite.roles(self.roles);
        }
        if let Some(url) = self.invite_url {
            invite = invite.invite_url(url);
        }
        // Only what was asked for is sent: an unset flag leaves Descope's default.
        if self.send_mail {
            invite = invite.send_mail(true);
        }
        if self.send_sms {
            invite = invite.send_sms(true);
        }
        let user = waiting("inviting", invite).await?;
        if out.json {
            println!("{}", json!({ "user": user, "invited": true }));
        } else {
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let rows = vec![
                ("login ids".to_owned(), user.login_ids.join(", ")),
                ("user id".to_owned(), user.user_id.clone()),
                ("email".to_owned(), text(&user.email)),
                ("phone".to_owned(), text(&user.phone)),
                ("status".to_owned(), text(&user.status)),
            ];
            print!("{}", table(&rows, ""));
            println!("invitation sent");
        }
        Ok(())
    }
}
