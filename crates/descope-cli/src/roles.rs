//! `descope roles ...` and `descope permissions ...`: the management API's role and
//! permission calls, authorized by the management key in `DESCOPE_MANAGEMENT_KEY` (or
//! `--management-key`).

use clap::{Args, Subcommand};
use descope_types::{PermissionResponse, RoleResponse};
use serde_json::json;

use crate::commands::{Out, waiting};
use crate::error::CliError;
use crate::mgmt::{ManagementKeyArg, confirm};
use crate::output::table;

/// `descope roles ...`
#[derive(Debug, Args)]
pub struct RolesArgs {
    #[command(flatten)]
    key: ManagementKeyArg,
    #[command(subcommand)]
    command: RolesCommand,
}

/// What `create` and `update` set.
#[derive(Debug, Args)]
struct RoleFields {
    /// Description.
    #[arg(long)]
    description: Option<String>,
    /// A permission the role grants (repeat for more).
    #[arg(long = "permission", value_name = "PERMISSION")]
    permissions: Vec<String>,
    /// Make it a role of this tenant.
    #[arg(long)]
    tenant: Option<String>,
    /// Give it to new users by default.
    #[arg(long)]
    default: bool,
    /// Hide it from tenant admins.
    #[arg(long)]
    private: bool,
}

/// The role subcommands.
#[derive(Debug, Subcommand)]
enum RolesCommand {
    /// Create a role.
    Create {
        /// The role name.
        name: String,
        #[command(flatten)]
        fields: RoleFields,
    },
    /// Replace a role: rename it (--new-name) and set its description and permissions
    /// (what is not given is cleared).
    Update {
        /// The role name.
        name: String,
        /// The new name (default: keep the name).
        #[arg(long)]
        new_name: Option<String>,
        #[command(flatten)]
        fields: RoleFields,
    },
    /// Delete a role (asks first on a terminal; --yes to skip).
    Delete {
        /// The role name.
        name: String,
        /// The tenant of a tenant role.
        #[arg(long)]
        tenant: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// List every role.
    List,
    /// Search roles.
    Search {
        /// Only roles of these tenants (repeat for more).
        #[arg(long = "tenant", value_name = "TENANT_ID")]
        tenants: Vec<String>,
        /// Only roles with these names (repeat for more).
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Only roles whose name contains this text.
        #[arg(long)]
        name_like: Option<String>,
        /// Only roles granting one of these permissions (repeat for more).
        #[arg(long = "permission", value_name = "PERMISSION")]
        permissions: Vec<String>,
        /// With --tenant: project-level roles as well.
        #[arg(long)]
        include_project_roles: bool,
    },
}

/// Applies `RoleFields` to a create or update builder (both have the same setters).
macro_rules! apply_role_fields {
    ($builder:expr, $fields:expr) => {{
        let mut builder = $builder.permissions($fields.permissions);
        if let Some(description) = $fields.description {
            builder = builder.description(description);
        }
        if let Some(tenant) = $fields.tenant {
            builder = builder.tenant(tenant);
        }
        if $fields.default {
            builder = builder.default(true);
        }
        if $fields.private {
            builder = builder.private(true);
        }
        builder
    }};
}

fn done(out: &Out, what: &str, name: &str) {
    if out.json {
        println!("{}", json!({ what: name }));
    } else {
        println!("{what} {name}");
    }
}

impl RolesArgs {
    /// Runs the command.
    pub async fn run(self, global: &crate::Global, out: &Out) -> Result<(), CliError> {
        let client = self.key.client(global)?;
        let roles = client.management().roles();
        match self.command {
            RolesCommand::Create { name, fields } => {
                waiting("creating", apply_role_fields!(roles.create(&name), fields)).await?;
                done(out, "created", &name);
            }
            RolesCommand::Update {
                name,
                new_name,
                fields,
            } => {
                let new_name = new_name.unwrap_or_else(|| name.clone());
                let update = apply_role_fields!(roles.update(&name, &new_name), fields);
                waiting("updating", update).await?;
                done(out, "updated", &new_name);
            }
            RolesCommand::Delete { name, tenant, yes } => {
                if !yes {
                    confirm(&format!("Delete role {name}?"))?;
                }
                let mut delete = roles.delete(&name);
                if let Some(tenant) = tenant {
                    delete = delete.tenant(tenant);
                }
                waiting("deleting", delete).await?;
                done(out, "deleted", &name);
            }
            RolesCommand::List => print_roles(&waiting("loading", roles.load_all()).await?, out),
            RolesCommand::Search {
                tenants,
                names,
                name_like,
                permissions,
                include_project_roles,
            } => {
                let mut search = roles
                    .search()
                    .tenant_ids(tenants)
                    .names(names)
                    .permissions(permissions)
                    .include_project_roles(include_project_roles);
                if let Some(like) = name_like {
                    search = search.name_like(like);
                }
                print_roles(&waiting("searching", search).await?, out);
            }
        }
        Ok(())
    }
}

fn print_roles(roles: &[RoleResponse], out: &Out) {
    if out.json {
        println!("{}", json!({ "roles": roles }));
        return;
    }
    let rows: Vec<(String, String)> = roles
        .iter()
        .map(|r| {
            let name = if r.tenant_id.is_empty() {
                r.name.clone()
            } else {
                format!("{} [{}]", r.name, r.tenant_id)
            };
            (name, r.permission_names.join(", "))
        })
        .collect();
    print!("{}", table(&rows, ""));
    println!("{} roles", roles.len());
}

/// `descope permissions ...`
#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    key: ManagementKeyArg,
    #[command(subcommand)]
    command: PermissionsCommand,
}

/// The permission subcommands.
#[derive(Debug, Subcommand)]
enum PermissionsCommand {
    /// Create a permission.
    Create {
        /// The permission name.
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Rename a permission (--new-name) and set its description.
    Update {
        /// The permission name.
        name: String,
        /// The new name (default: keep the name).
        #[arg(long)]
        new_name: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a permission; roles stop granting it (asks first on a terminal; --yes to skip).
    Delete {
        /// The permission name.
        name: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// List every permission.
    List,
}

impl PermissionsArgs {
    /// Runs the command.
    pub async fn run(self, global: &crate::Global, out: &Out) -> Result<(), CliError> {
        let client = self.key.client(global)?;
        let permissions = client.management().permissions();
        match self.command {
            PermissionsCommand::Create { name, description } => {
                let mut create = permissions.create(&name);
                if let Some(description) = description {
                    create = create.description(description);
                }
                waiting("creating", create).await?;
                done(out, "created", &name);
            }
            PermissionsCommand::Update {
                name,
                new_name,
                description,
            } => {
                let new_name = new_name.unwrap_or_else(|| name.clone());
                let mut update = permissions.update(&name, &new_name);
                if let Some(description) = description {
                    update = update.description(description);
                }
                waiting("updating", update).await?;
                done(out, "updated", &new_name);
            }
            PermissionsCommand::Delete { name, yes } => {
                if !yes {
                    confirm(&format!("Delete permission {name}?"))?;
                }
                waiting("deleting", permissions.delete(&name)).await?;
                done(out, "deleted", &name);
            }
            PermissionsCommand::List => {
                print_permissions(&waiting("loading", permissions.load_all()).await?, out);
            }
        }
        Ok(())
    }
}

fn print_permissions(permissions: &[PermissionResponse], out: &Out) {
    if out.json {
        println!("{}", json!({ "permissions": permissions }));
        return;
    }
    let rows: Vec<(String, String)> = permissions
        .iter()
        .map(|p| (p.name.clone(), p.description.clone()))
        .collect();
    print!("{}", table(&rows, ""));
    println!("{} permissions", permissions.len());
}
