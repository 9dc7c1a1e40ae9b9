//! `descope users ...`: the management API's user calls for real projects, authorized by the
//! management key in `DESCOPE_MANAGEMENT_KEY` (or `--management-key`).

use clap::{Args, Subcommand, ValueEnum};
use descope_types::{MgmtUserSearchResponse, Password, UserResponse};
use serde_json::{Value, json};

use crate::commands::{Out, waiting};
use crate::error::CliError;
use crate::input::secret;
use crate::mgmt::{ManagementKeyArg, confirm};
use crate::output::table;

/// `descope users ...`
#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(flatten)]
    key: ManagementKeyArg,
    #[command(subcommand)]
    command: UsersCommand,
}

/// What `create` and `update` set.
#[derive(Debug, Args)]
struct Fields {
    /// Email.
    #[arg(long)]
    email: Option<String>,
    /// Phone (E.164).
    #[arg(long)]
    phone: Option<String>,
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// A project-level role (repeat for more).
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// A tenant membership, `TENANT_ID` or `TENANT_ID:role1,role2` (repeat for more).
    #[arg(long = "tenant", value_name = "TENANT[:ROLES]")]
    tenants: Vec<String>,
}

/// The user subcommands.
#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create a user (no invitation is sent).
    Create {
        /// The login id (usually an email).
        login_id: String,
        #[command(flatten)]
        fields: Fields,
        /// Create a test user.
        #[arg(long)]
        test: bool,
    },
    /// Show a user.
    Load {
        /// The login id (or the user id with --user-id).
        login_id: String,
        /// The argument is a user id.
        #[arg(long)]
        user_id: bool,
    },
    /// Search users (one page, or every page with --all).
    Search {
        /// Only these emails (repeat for more).
        #[arg(long = "email", value_name = "EMAIL")]
        emails: Vec<String>,
        /// Only users with one of these roles.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// Only users in one of these tenants.
        #[arg(long = "tenant", value_name = "TENANT_ID")]
        tenants: Vec<String>,
        /// Only users with one of these statuses (enabled, disabled, invited).
        #[arg(long = "status", value_name = "STATUS")]
        statuses: Vec<String>,
        /// Free text (names, emails, phones, login ids).
        #[arg(long)]
        text: Option<String>,
        /// Include test users.
        #[arg(long)]
        with_test_users: bool,
        /// Users per page.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// The page, from 0.
        #[arg(long, default_value_t = 0)]
        page: u32,
        /// Every page from --page on.
        #[arg(long)]
        all: bool,
    },
    /// Replace a user: what is not given is cleared (roles and tenants included).
    Update {
        /// The login id.
        login_id: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Delete a user (asks first on a terminal; --yes to skip).
    Delete {
        /// The login id (or the user id with --user-id).
        login_id: String,
        /// The argument is a user id.
        #[arg(long)]
        user_id: bool,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Enable a user.
    Activate {
        /// The login id.
        login_id: String,
    },
    /// Disable a user: it can no longer sign in.
    Deactivate {
        /// The login id.
        login_id: String,
    },
    Invite(crate::user_invite::InviteArgs),
    /// Change a login id: the old one stops signing in, the new one signs in.
    SetLoginId {
        /// The current login id.
        login_id: String,
        /// The new login id.
        new_login_id: String,
    },
    /// Change the email (empty removes it).
    SetEmail {
        /// The login id.
        login_id: String,
        /// The new email.
        email: String,
        /// Mark it verified.
        #[arg(long)]
        verified: bool,
        /// Refuse if another user has it.
        #[arg(long)]
        fail_on_conflict: bool,
    },
    /// Change the phone (empty removes it).
    SetPhone {
        /// The login id.
        login_id: String,
        /// The new phone (E.164).
        phone: String,
        /// Mark it verified.
        #[arg(long)]
        verified: bool,
        /// Refuse if another user has it.
        #[arg(long)]
        fail_on_conflict: bool,
    },
    /// Change the display name (and, if given, the other names).
    SetName {
        /// The login id.
        login_id: String,
        /// The display name.
        name: String,
        /// Given name.
        #[arg(long)]
        given: Option<String>,
        /// Middle name.
        #[arg(long)]
        middle: Option<String>,
        /// Family name.
        #[arg(long)]
        family: Option<String>,
    },
    /// Change the picture URL.
    SetPicture {
        /// The login id.
        login_id: String,
        /// The picture URL.
        url: String,
    },
    /// Set one custom attribute (VALUE is read as JSON when it parses, else as text).
    SetAttribute {
        /// The login id.
        login_id: String,
        /// The attribute's key.
        key: String,
        /// The value.
        value: String,
    },
    /// Change the user's roles (project-level, or in a tenant with --tenant).
    Roles {
        /// set, add or remove.
        action: RoleAction,
        /// The login id.
        login_id: String,
        /// The roles.
        #[arg(required = true)]
        roles: Vec<String>,
        /// The tenant whose roles change.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Set the user's password (active; temporary with --temporary: it must be replaced
    /// before it signs in).
    SetPassword {
        /// The login id.
        login_id: String,
        /// The password, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// A temporary password.
        #[arg(long)]
        temporary: bool,
    },
    /// Expire the password: it no longer signs in until replaced or reset.
    ExpirePassword {
        /// The login id.
        login_id: String,
    },
    /// Remove every passkey of the user (asks first; --yes to skip).
    RemovePasskeys {
        /// The login id.
        login_id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Remove the user's TOTP seed (asks first; --yes to skip).
    RemoveTotp {
        /// The login id.
        login_id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Sign the user out everywhere: every refresh token stops working.
    Logout {
        /// The login id (or the user id with --user-id).
        login_id: String,
        /// The argument is a user id.
        #[arg(long)]
        user_id: bool,
    },
}

/// What `users roles` does.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleAction {
    /// Replace the roles.
    Set,
    /// Add roles.
    Add,
    /// Remove roles.
    Remove,
}

/// Prints what a void command did.
fn done(out: &Out, what: &str, login_id: &str) {
    if out.json {
        println!("{}", json!({ what: login_id }));
    } else {
        println!("{what}: {login_id}");
    }
}

/// `TENANT_ID[:role1,role2]`.
fn tenant_roles(spec: &str) -> (String, Vec<String>) {
    match spec.split_once(':') {
        Some((tenant, roles)) => (
            tenant.trim().to_owned(),
            roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        None => (spec.trim().to_owned(), Vec::new()),
    }
}

/// Applies `Fields` to a create or update builder (both have the same setters).
macro_rules! apply_fields {
    ($builder:expr, $fields:expr) => {{
        let mut builder = $builder;
        let fields = $fields;
        if let Some(email) = fields.email {
            builder = builder.email(email);
        }
        if let Some(phone) = fields.phone {
            builder = builder.phone(phone);
        }
        if let Some(name) = fields.name {
            builder = builder.name(name);
        }
        if !fields.roles.is_empty() {
            builder = builder.roles(fields.roles);
        }
        for spec in &fields.tenants {
            let (tenant, roles) = tenant_roles(spec);
            builder = builder.tenant(tenant, roles);
        }
        builder
    }};
}

impl UsersArgs {
    /// Runs the command.
    pub async fn run(self, global: &crate::Global, out: &Out) -> Result<(), CliError> {
        let client = self.key.client(global)?;
        let users = client.management().users();
        match self.command {
            UsersCommand::Invite(args) => args.run(&users, out).await?,
            UsersCommand::Create {
                login_id,
                fields,
                test,
            } => {
                let create = if test {
                    users.create_test_user(login_id)
                } else {
                    users.create(login_id)
                };
                let user = waiting("creating", apply_fields!(create, fields)).await?;
                print_user(&user, out);
            }
            UsersCommand::Load { login_id, user_id } => {
                let load = if user_id {
                    users.load_by_user_id(login_id)
                } else {
                    users.load(login_id)
                };
                print_user(&waiting("loading", load).await?, out);
            }
            UsersCommand::Search {
                emails,
                roles,
                tenants,
                statuses,
                text,
                with_test_users,
                limit,
                page,
                all,
            } => {
                let mut search = users
                    .search()
                    .emails(emails)
                    .roles(roles)
                    .tenant_ids(tenants)
                    .statuses(statuses)
                    .with_test_users(with_test_users)
                    .limit(limit)
                    .page(page);
                if let Some(text) = text {
                    search = search.text(text);
                }
                if all {
                    let mut pages = search.pages();
                    let mut found = MgmtUserSearchResponse::default();
                    while let Some(next) = waiting("searching", pages.next_page()).await {
                        let next = next?;
                        found.total = next.total;
                        found.users.extend(next.users);
                    }
                    print_users(&found, out);
                } else {
                    print_users(&waiting("searching", search).await?, out);
                }
            }
            UsersCommand::Update { login_id, fields } => {
                let user =
                    waiting("updating", apply_fields!(users.update(login_id), fields)).await?;
                print_user(&user, out);
            }
            UsersCommand::Delete {
                login_id,
                user_id,
                yes,
            } => {
                if !yes {
                    confirm(&format!("Delete user {login_id}?"))?;
                }
                let delete = if user_id {
                    users.delete_by_user_id(&login_id)
                } else {
                    users.delete(&login_id)
                };
                waiting("deleting", delete).await?;
                if out.json {
                    println!("{}", json!({ "deleted": login_id }));
                } else {
                    println!("deleted {login_id}");
                }
            }
            UsersCommand::Activate { login_id } => {
                print_user(&waiting("activating", users.activate(login_id)).await?, out);
            }
            UsersCommand::Deactivate { login_id } => {
                print_user(
                    &waiting("deactivating", users.deactivate(login_id)).await?,
                    out,
                );
            }
            command => return run_more(&users, command, out).await,
        }
        Ok(())
    }
}

/// The single-field updates, roles, credentials and sessions.
async fn run_more(
    users: &descope_flows::management::Users<'_>,
    command: UsersCommand,
    out: &Out,
) -> Result<(), CliError> {
    let user = match command {
        UsersCommand::SetLoginId {
            login_id,
            new_login_id,
        } => waiting("updating", users.update_login_id(login_id, new_login_id)).await?,
        UsersCommand::SetEmail {
            login_id,
            email,
            verified,
            fail_on_conflict,
        } => {
            let mut call = users.update_email(login_id, email).verified(verified);
            if fail_on_conflict {
                call = call.fail_on_conflict(true);
            }
            waiting("updating", call).await?
        }
        UsersCommand::SetPhone {
            login_id,
            phone,
            verified,
            fail_on_conflict,
        } => {
            let mut call = users.update_phone(login_id, phone).verified(verified);
            if fail_on_conflict {
                call = call.fail_on_conflict(true);
            }
            waiting("updating", call).await?
        }
        UsersCommand::SetName {
            login_id,
            name,
            given,
            middle,
            family,
        } => {
            let mut call = users.update_display_name(login_id, name);
            if let Some(given) = given {
                call = call.given_name(given);
            }
            if let Some(middle) = middle {
                call = call.middle_name(middle);
            }
            if let Some(family) = family {
                call = call.family_name(family);
            }
            waiting("updating", call).await?
        }
        UsersCommand::SetPicture { login_id, url } => {
            waiting("updating", users.update_picture(login_id, url)).await?
        }
        UsersCommand::SetAttribute {
            login_id,
            key,
            value,
        } => {
            // `3`, `true` or `{"a":1}` as JSON; anything else as the text it is.
            let value = serde_json::from_str::<Value>(&value).unwrap_or(Value::String(value));
            waiting(
                "updating",
                users.update_custom_attribute(login_id, key, value),
            )
            .await?
        }
        UsersCommand::Roles {
            action,
            login_id,
            roles,
            tenant,
        } => {
            let mut call = match action {
                RoleAction::Set => users.set_roles(login_id, roles),
                RoleAction::Add => users.add_roles(login_id, roles),
                RoleAction::Remove => users.remove_roles(login_id, roles),
            };
            if let Some(tenant) = tenant {
                call = call.tenant(tenant);
            }
            waiting("updating", call).await?
        }
        UsersCommand::SetPassword {
            login_id,
            password,
            temporary,
        } => {
            let password =
                Password::new(secret(password.as_deref(), "password", "DESCOPE_PASSWORD")?);
            let call = if temporary {
                users.set_temporary_password(&login_id, &password)
            } else {
                users.set_active_password(&login_id, &password)
            };
            waiting("setting the password", call).await?;
            done(out, "password set", &login_id);
            return Ok(());
        }
        UsersCommand::ExpirePassword { login_id } => {
            waiting("expiring", users.expire_password(&login_id)).await?;
            done(out, "password expired", &login_id);
            return Ok(());
        }
        UsersCommand::RemovePasskeys { login_id, yes } => {
            if !yes {
                confirm(&format!("Remove every passkey of {login_id}?"))?;
            }
            waiting("removing", users.remove_all_passkeys(&login_id)).await?;
            done(out, "passkeys removed", &login_id);
            return Ok(());
        }
        UsersCommand::RemoveTotp { login_id, yes } => {
            if !yes {
                confirm(&format!("Remove the TOTP seed of {login_id}?"))?;
            }
            waiting("removing", users.remove_totp_seed(&login_id)).await?;
            done(out, "totp removed", &login_id);
            return Ok(());
        }
        UsersCommand::Logout { login_id, user_id } => {
            let call = if user_id {
                users.logout_user_by_user_id(&login_id)
            } else {
                users.logout_user(&login_id)
            };
            waiting("signing out", call).await?;
            done(out, "logged out", &login_id);
            return Ok(());
        }
        // Handled by `UsersArgs::run`.
        _ => return Ok(()),
    };
    print_user(&user, out);
    Ok(())
}

fn user_rows(user: &UserResponse) -> Vec<(String, String)> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let tenants = user
        .user_tenants
        .iter()
        .map(|t| {
            if t.role_names.is_empty() {
                t.tenant_id.clone()
            } else {
                format!("{} ({})", t.tenant_id, t.role_names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        ("login ids".to_owned(), user.login_ids.join(", ")),
        ("user id".to_owned(), user.user_id.clone()),
        ("name".to_owned(), text(&user.name)),
        ("email".to_owned(), text(&user.email)),
        ("phone".to_owned(), text(&user.phone)),
        ("status".to_owned(), text(&user.status)),
        ("roles".to_owned(), user.role_names.join(", ")),
        ("tenants".to_owned(), tenants),
        (
            "test user".to_owned(),
            if user.test == Some(true) { "yes" } else { "no" }.to_owned(),
        ),
    ]
}

fn print_user(user: &UserResponse, out: &Out) {
    if out.json {
        println!("{}", json!({ "user": user }));
    } else {
        print!("{}", table(&user_rows(user), ""));
    }
}

fn print_users(found: &MgmtUserSearchResponse, out: &Out) {
    if out.json {
        println!("{}", json!({ "users": found.users, "total": found.total }));
        return;
    }
    let rows: Vec<(String, String)> = found
        .users
        .iter()
        .map(|u| {
            let status = u.status.clone().unwrap_or_default();
            (
                u.login_ids.first().cloned().unwrap_or_default(),
                format!("{}  {status}  {}", u.user_id, u.role_names.join(",")),
            )
        })
        .collect();
    print!("{}", table(&rows, ""));
    println!("{} of {} users", found.users.len(), found.total);
}
