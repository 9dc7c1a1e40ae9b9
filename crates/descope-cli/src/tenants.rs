//! `descope tenants ...`: the management API's tenant calls and a tenant's SSO settings
//! (`descope tenants sso ...`; `descope sso` is the sign-in flow), authorized by the
//! management key in `DESCOPE_MANAGEMENT_KEY` (or `--management-key`).

use clap::{Args, Subcommand};
use descope_types::{SsoTenantSettings, Tenant, TenantSettings};
use serde_json::json;

use crate::commands::{Out, waiting};
use crate::error::CliError;
use crate::mgmt::{ManagementKeyArg, confirm};
use crate::output::table;

/// `descope tenants ...`
#[derive(Debug, Args)]
pub struct TenantsArgs {
    #[command(flatten)]
    key: ManagementKeyArg,
    #[command(subcommand)]
    command: TenantsCommand,
}

/// What `create` and `update` set.
#[derive(Debug, Args)]
struct Fields {
    /// A self-provisioning domain (repeat for more).
    #[arg(long = "self-provisioning-domain", value_name = "DOMAIN")]
    self_provisioning_domains: Vec<String>,
    /// Users must sign in by SSO.
    #[arg(long)]
    enforce_sso: bool,
    /// Disable the tenant.
    #[arg(long)]
    disabled: bool,
}

/// The tenant subcommands.
#[derive(Debug, Subcommand)]
enum TenantsCommand {
    /// Create a tenant (Descope picks the id unless --id).
    Create {
        /// The tenant's name.
        name: String,
        /// The tenant id.
        #[arg(long)]
        id: Option<String>,
        /// The parent tenant's id.
        #[arg(long)]
        parent: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Show a tenant.
    Load {
        /// The tenant id.
        id: String,
    },
    /// List every tenant.
    List,
    /// Search tenants (every criterion given must match).
    Search {
        /// Only these ids (repeat for more).
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
        /// Only these names (repeat for more).
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Only tenants with one of these self-provisioning domains.
        #[arg(long = "self-provisioning-domain", value_name = "DOMAIN")]
        domains: Vec<String>,
    },
    /// Rename a tenant and set what is given (the rest is kept).
    Update {
        /// The tenant id.
        id: String,
        /// The (new) name.
        name: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Delete a tenant (asks first on a terminal; --yes to skip).
    Delete {
        /// The tenant id.
        id: String,
        /// Also delete the users that belong to this tenant only.
        #[arg(long)]
        cascade: bool,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Show a tenant's settings (SSO domains, session settings).
    Settings {
        /// The tenant id.
        id: String,
    },
    /// A tenant's SSO settings.
    #[command(subcommand)]
    Sso(SsoCommand),
}

/// `descope tenants sso ...`
#[derive(Debug, Subcommand)]
enum SsoCommand {
    /// Show a tenant's SSO settings.
    Load {
        /// The tenant id.
        tenant_id: String,
        /// Which SSO configuration.
        #[arg(long)]
        sso_id: Option<String>,
    },
    /// Remove a tenant's SSO settings (asks first on a terminal; --yes to skip).
    Delete {
        /// The tenant id.
        tenant_id: String,
        /// Which SSO configuration.
        #[arg(long)]
        sso_id: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
}

/// Applies `Fields` to a create or update builder (both have the same setters).
macro_rules! apply_fields {
    ($builder:expr, $fields:expr) => {{
        let mut builder = $builder;
        let fields = $fields;
        if !fields.self_provisioning_domains.is_empty() {
            builder = builder.self_provisioning_domains(fields.self_provisioning_domains);
        }
        if fields.enforce_sso {
            builder = builder.enforce_sso(true);
        }
        if fields.disabled {
            builder = builder.disabled(true);
        }
        builder
    }};
}

fn done(out: &Out, what: &str, id: &str) {
    if out.json {
        println!("{}", json!({ what: id }));
    } else {
        println!("{what} {id}");
    }
}

impl TenantsArgs {
    /// Runs the command.
    pub async fn run(self, global: &crate::Global, out: &Out) -> Result<(), CliError> {
        let client = self.key.client(global)?;
        let tenants = client.management().tenants();
        match self.command {
            TenantsCommand::Create {
                name,
                id,
                parent,
                fields,
            } => {
                let mut create = match id {
                    Some(id) => tenants.create_with_id(id, name),
                    None => tenants.create(name),
                };
                if let Some(parent) = parent {
                    create = create.parent(parent);
                }
                let created = waiting("creating", apply_fields!(create, fields)).await?;
                done(out, "created", &created.id);
            }
            TenantsCommand::Load { id } => {
                print_tenant(&waiting("loading", tenants.load(id)).await?, out);
            }
            TenantsCommand::List => {
                print_tenants(&waiting("loading", tenants.load_all()).await?, out);
            }
            TenantsCommand::Search {
                ids,
                names,
                domains,
            } => {
                let search = tenants
                    .search()
                    .ids(ids)
                    .names(names)
                    .self_provisioning_domains(domains);
                print_tenants(&waiting("searching", search).await?, out);
            }
            TenantsCommand::Update { id, name, fields } => {
                waiting("updating", apply_fields!(tenants.update(&id, name), fields)).await?;
                print_tenant(&waiting("loading", tenants.load(id)).await?, out);
            }
            TenantsCommand::Delete { id, cascade, yes } => {
                if !yes {
                    let also = if cascade {
                        " and the users in it only"
                    } else {
                        ""
                    };
                    confirm(&format!("Delete tenant {id}{also}?"))?;
                }
                waiting("deleting", tenants.delete(&id).cascade(cascade)).await?;
                done(out, "deleted", &id);
            }
            TenantsCommand::Settings { id } => {
                print_settings(&waiting("loading", tenants.load_settings(id)).await?, out);
            }
            TenantsCommand::Sso(SsoCommand::Load { tenant_id, sso_id }) => {
                let mut load = client.management().sso().load(tenant_id);
                if let Some(sso_id) = sso_id {
                    load = load.sso_id(sso_id);
                }
                print_sso(&waiting("loading", load).await?, out);
            }
            TenantsCommand::Sso(SsoCommand::Delete {
                tenant_id,
                sso_id,
                yes,
            }) => {
                if !yes {
                    confirm(&format!("Delete the SSO settings of tenant {tenant_id}?"))?;
                }
                let mut delete = client.management().sso().delete(&tenant_id);
                if let Some(sso_id) = sso_id {
                    delete = delete.sso_id(sso_id);
                }
                waiting("deleting", delete).await?;
                done(out, "deleted SSO settings of", &tenant_id);
            }
        }
        Ok(())
    }
}

fn tenant_rows(tenant: &Tenant) -> Vec<(String, String)> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    vec![
        ("id".to_owned(), tenant.id.clone()),
        ("name".to_owned(), tenant.name.clone()),
        ("SSO".to_owned(), tenant.auth_type.clone()),
        ("SSO domains".to_owned(), tenant.domains.join(", ")),
        (
            "self-provisioning".to_owned(),
            tenant.self_provisioning_domains.join(", "),
        ),
        ("enforce SSO".to_owned(), yes_no(tenant.enforce_sso)),
        ("disabled".to_owned(), yes_no(tenant.disabled)),
        ("parent".to_owned(), tenant.parent.clone()),
        (
            "custom attributes".to_owned(),
            if tenant.custom_attributes.is_empty() {
                String::new()
            } else {
                serde_json::Value::Object(tenant.custom_attributes.clone()).to_string()
            },
        ),
    ]
}

fn print_tenant(tenant: &Tenant, out: &Out) {
    if out.json {
        println!("{}", json!({ "tenant": tenant }));
    } else {
        print!("{}", table(&tenant_rows(tenant), ""));
    }
}

fn print_tenants(tenants: &[Tenant], out: &Out) {
    if out.json {
        println!("{}", json!({ "tenants": tenants }));
        return;
    }
    let rows: Vec<(String, String)> = tenants
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                format!("{}  {}  {}", t.name, t.auth_type, t.domains.join(",")),
            )
        })
        .collect();
    print!("{}", table(&rows, ""));
    println!("{} tenants", tenants.len());
}

fn print_settings(settings: &TenantSettings, out: &Out) {
    if out.json {
        println!("{}", json!({ "settings": settings }));
        return;
    }
    let lifetime = |n: i64, unit: &str| {
        if n == 0 {
            String::new()
        } else {
            format!("{n} {unit}")
        }
    };
    let rows = vec![
        ("tenant".to_owned(), settings.tenant_id.clone()),
        ("SSO".to_owned(), settings.auth_type.clone()),
        ("SSO domains".to_owned(), settings.domains.join(", ")),
        (
            "self-provisioning".to_owned(),
            settings.self_provisioning_domains.join(", "),
        ),
        (
            "own session settings".to_owned(),
            if settings.session_settings_enabled {
                "yes"
            } else {
                "no"
            }
            .to_owned(),
        ),
        (
            "session token".to_owned(),
            lifetime(
                settings.session_token_expiration,
                &settings.session_token_expiration_unit,
            ),
        ),
        (
            "refresh token".to_owned(),
            lifetime(
                settings.refresh_token_expiration,
                &settings.refresh_token_expiration_unit,
            ),
        ),
        (
            "inactivity".to_owned(),
            if settings.enable_inactivity {
                lifetime(settings.inactivity_time, &settings.inactivity_time_unit)
            } else {
                String::new()
            },
        ),
    ];
    print!("{}", table(&rows, ""));
}

fn print_sso(loaded: &SsoTenantSettings, out: &Out) {
    if out.json {
        println!("{}", json!({ "sso": loaded }));
        return;
    }
    let mut rows = vec![
        (
            "tenant".to_owned(),
            loaded
                .tenant
                .as_ref()
                .map(|t| t.id.clone())
                .unwrap_or_default(),
        ),
        (
            "SSO id".to_owned(),
            loaded.sso_id.clone().unwrap_or_default(),
        ),
    ];
    if let Some(saml) = &loaded.saml {
        rows.push(("kind".to_owned(), "SAML".to_owned()));
        rows.push(("IdP entity id".to_owned(), saml.idp_entity_id.clone()));
        rows.push(("IdP SSO URL".to_owned(), saml.idp_sso_url.clone()));
        rows.push(("IdP metadata URL".to_owned(), saml.idp_metadata_url.clone()));
        let mappings = saml
            .groups_mapping
            .iter()
            .map(|m| format!("{} <- {}", m.role.name, m.groups.join(",")))
            .collect::<Vec<_>>()
            .join("; ");
        rows.push(("role mappings".to_owned(), mappings));
        rows.push((
            "default SSO roles".to_owned(),
            saml.default_sso_roles.join(", "),
        ));
    } else if let Some(oidc) = &loaded.oidc {
        rows.push(("kind".to_owned(), "OIDC".to_owned()));
        rows.push(("provider".to_owned(), oidc.name.clone()));
        rows.push(("client id".to_owned(), oidc.client_id.clone()));
        rows.push((
            "authorization URL".to_owned(),
            oidc.auth_url.clone().unwrap_or_default(),
        ));
    } else {
        rows.push(("kind".to_owned(), "none configured".to_owned()));
    }
    print!("{}", table(&rows, ""));
}
