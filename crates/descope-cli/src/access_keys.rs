//! `descope access-keys ...`: the management API's access-key calls, authorized by the
//! management key in `DESCOPE_MANAGEMENT_KEY` (or `--management-key`). `create` prints the
//! new key's cleartext once, on stdout; nothing else ever prints it.

use clap::{Args, Subcommand};
use descope_types::AccessKeyResponse;
use serde_json::json;

use crate::commands::{Out, waiting};
use crate::error::CliError;
use crate::mgmt::{ManagementKeyArg, confirm};
use crate::output::table;

/// `descope access-keys ...`
#[derive(Debug, Args)]
pub struct AccessKeysArgs {
    #[command(flatten)]
    key: ManagementKeyArg,
    #[command(subcommand)]
    command: AccessKeysCommand,
}

/// The access-key subcommands.
#[derive(Debug, Subcommand)]
enum AccessKeysCommand {
    /// Create a key and print its cleartext, which is never shown again.
    Create {
        /// A name for people.
        name: String,
        /// Expiry, unix seconds (default: never).
        #[arg(long, default_value_t = 0)]
        expire_time: i64,
        /// A project-level role (repeat for more).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// A tenant, `TENANT_ID` or `TENANT_ID:role1,role2` (repeat for more).
        #[arg(long = "tenant", value_name = "TENANT[:ROLES]")]
        tenants: Vec<String>,
        /// Bind the key to this user id.
        #[arg(long)]
        user_id: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// An IP address or CIDR range it may be used from (repeat for more).
        #[arg(long = "permitted-ip", value_name = "IP")]
        permitted_ips: Vec<String>,
    },
    /// Show a key (never its cleartext).
    Load {
        /// The key id.
        id: String,
    },
    /// Search keys.
    Search {
        /// Only keys in these tenants (repeat for more).
        #[arg(long = "tenant", value_name = "TENANT_ID")]
        tenants: Vec<String>,
        /// Only keys bound to this user id.
        #[arg(long)]
        bound_user_id: Option<String>,
        /// Only keys created by this user.
        #[arg(long)]
        creating_user: Option<String>,
    },
    /// Rename a key and change what is given (the rest is kept).
    Update {
        /// The key id.
        id: String,
        /// The (new) name.
        #[arg(long)]
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Replace the project-level roles (repeat for more).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// Replace the tenants, `TENANT_ID[:role1,role2]` (repeat for more).
        #[arg(long = "tenant", value_name = "TENANT[:ROLES]")]
        tenants: Vec<String>,
    },
    /// Let a deactivated key be exchanged again.
    Activate {
        /// The key id.
        id: String,
    },
    /// Stop a key from being exchanged until activated.
    Deactivate {
        /// The key id.
        id: String,
    },
    /// Delete a key for good (asks first on a terminal; --yes to skip).
    Delete {
        /// The key id.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
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

impl AccessKeysArgs {
    /// Runs the command.
    pub async fn run(self, global: &crate::Global, out: &Out) -> Result<(), CliError> {
        let client = self.key.client(global)?;
        let keys = client.management().access_keys();
        match self.command {
            AccessKeysCommand::Create {
                name,
                expire_time,
                roles,
                tenants,
                user_id,
                description,
                permitted_ips,
            } => {
                let mut create = keys
                    .create(name)
                    .expire_time(expire_time)
                    .roles(roles)
                    .permitted_ips(permitted_ips);
                for spec in &tenants {
                    let (tenant, roles) = tenant_roles(spec);
                    create = create.tenant(tenant, roles);
                }
                if let Some(user_id) = user_id {
                    create = create.user_id(user_id);
                }
                if let Some(description) = description {
                    create = create.description(description);
                }
                let created = waiting("creating", create).await?;
                eprintln!(
                    "warning: this is the only time the key's cleartext is shown; store it now"
                );
                if out.json {
                    println!(
                        "{}",
                        json!({ "key": created.key, "cleartext": created.cleartext.secret() })
                    );
                } else {
                    eprint!("{}", table(&key_rows(&created.key), ""));
                    // Alone on stdout, so `KEY=$(descope access-keys create ...)` works.
                    println!("{}", created.cleartext.secret());
                }
            }
            AccessKeysCommand::Load { id } => {
                print_key(&waiting("loading", keys.load(id)).await?, out);
            }
            AccessKeysCommand::Search {
                tenants,
                bound_user_id,
                creating_user,
            } => {
                let mut search = keys.search().tenant_ids(tenants);
                if let Some(user) = bound_user_id {
                    search = search.bound_user_id(user);
                }
                if let Some(user) = creating_user {
                    search = search.creating_user(user);
                }
                print_keys(&waiting("searching", search).await?, out);
            }
            AccessKeysCommand::Update {
                id,
                name,
                description,
                roles,
                tenants,
            } => {
                let mut update = keys.update(id, name);
                if let Some(description) = description {
                    update = update.description(description);
                }
                if !roles.is_empty() {
                    update = update.roles(roles);
                }
                for spec in &tenants {
                    let (tenant, roles) = tenant_roles(spec);
                    update = update.tenant(tenant, roles);
                }
                print_key(&waiting("updating", update).await?, out);
            }
            AccessKeysCommand::Activate { id } => {
                waiting("activating", keys.activate(&id)).await?;
                done(out, "activated", &id);
            }
            AccessKeysCommand::Deactivate { id } => {
                waiting("deactivating", keys.deactivate(&id)).await?;
                done(out, "deactivated", &id);
            }
            AccessKeysCommand::Delete { id, yes } => {
                if !yes {
                    confirm(&format!("Delete access key {id}?"))?;
                }
                waiting("deleting", keys.delete(&id)).await?;
                done(out, "deleted", &id);
            }
        }
        Ok(())
    }
}

fn done(out: &Out, what: &str, id: &str) {
    if out.json {
        println!("{}", json!({ what: id }));
    } else {
        println!("{what} {id}");
    }
}

fn key_rows(key: &AccessKeyResponse) -> Vec<(String, String)> {
    let tenants = key
        .key_tenants
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
    let expires = if key.expire_time == 0 {
        "never".to_owned()
    } else {
        key.expire_time.to_string()
    };
    vec![
        ("id".to_owned(), key.id.clone()),
        ("name".to_owned(), key.name.clone()),
        ("status".to_owned(), key.status.clone()),
        ("roles".to_owned(), key.role_names.join(", ")),
        ("tenants".to_owned(), tenants),
        ("expires".to_owned(), expires),
        ("description".to_owned(), key.description.clone()),
    ]
}

fn print_key(key: &AccessKeyResponse, out: &Out) {
    if out.json {
        println!("{}", json!({ "key": key }));
    } else {
        print!("{}", table(&key_rows(key), ""));
    }
}

fn print_keys(keys: &[AccessKeyResponse], out: &Out) {
    if out.json {
        println!("{}", json!({ "keys": keys }));
        return;
    }
    let rows: Vec<(String, String)> = keys
        .iter()
        .map(|k| {
            (
                k.id.clone(),
                format!("{}  {}  {}", k.name, k.status, k.role_names.join(",")),
            )
        })
        .collect();
    print!("{}", table(&rows, ""));
    println!("{} access keys", keys.len());
}
