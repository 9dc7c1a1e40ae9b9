//! What the console shows, read out of a project's [`State`] into plain rows. The only
//! place the console reads the state: pages render these rows and nothing else, so what
//! can appear on a page (and what cannot: refresh tokens, key secrets) is decided here.

use descope_types::MgmtAuditSearchRequest;
use serde_json::Value;

use crate::keys::KeyInfo;
use crate::project::State;

/// Outbox messages a page shows (the newest).
pub(crate) const MAX_OUTBOX_ROWS: usize = 200;
/// Users a page lists.
pub(crate) const MAX_USER_ROWS: usize = 500;

/// One outbox message: what the developer needs to finish the flow by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutboxRow {
    pub(crate) id: String,
    pub(crate) created_at: i64,
    pub(crate) channel: String,
    pub(crate) to: String,
    pub(crate) login_id: String,
    pub(crate) kind: String,
    /// The one-time code (OTP messages).
    pub(crate) code: Option<String>,
    /// The link (magic link, enchanted link, password reset, invitation).
    pub(crate) link: Option<String>,
}

/// One user, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserRow {
    pub(crate) user_id: String,
    pub(crate) login_ids: Vec<String>,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) enabled: bool,
    pub(crate) roles: Vec<String>,
    /// Tenant names (or ids when unknown), with the roles held in each.
    pub(crate) tenants: Vec<(String, Vec<String>)>,
    pub(crate) test: bool,
    /// Sign-in methods enrolled: `TOTP`, `passkeys (n)`, `password`, OAuth providers.
    pub(crate) methods: Vec<String>,
    pub(crate) created: i64,
}

/// One sign-in's refresh session: identifiers and times only, never a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionRow {
    /// The sign-in id (`sid` claim), not a credential.
    pub(crate) sid: String,
    pub(crate) created: i64,
    pub(crate) expires: i64,
    pub(crate) live: bool,
    pub(crate) methods: Vec<String>,
    pub(crate) tenant: Option<String>,
}

/// One audit record of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditRow {
    pub(crate) time: i64,
    pub(crate) action: String,
    pub(crate) detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TenantRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) sso_domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleRow {
    pub(crate) name: String,
    pub(crate) permissions: Vec<String>,
}

/// An access key without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessKeyRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) active: bool,
    pub(crate) roles: Vec<String>,
    pub(crate) tenants: Vec<String>,
}

/// Tenants, roles and access keys: read-only lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Directory {
    pub(crate) tenants: Vec<TenantRow>,
    pub(crate) roles: Vec<RoleRow>,
    pub(crate) access_keys: Vec<AccessKeyRow>,
}

/// Keys, clock and faults (emulator-wide but the keys, which are the project's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct System {
    pub(crate) keys: Vec<KeyInfo>,
    pub(crate) offset_seconds: i64,
    pub(crate) now: i64,
    /// Path, requests left, kind.
    pub(crate) faults: Vec<(String, u32, &'static str)>,
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The newest [`MAX_OUTBOX_ROWS`] messages, newest first.
pub(crate) fn outbox(st: &State) -> Vec<OutboxRow> {
    st.outbox
        .list(None)
        .into_iter()
        .rev()
        .take(MAX_OUTBOX_ROWS)
        .map(|m| OutboxRow {
            id: m.id.clone(),
            created_at: m.created_at,
            channel: name_of(&m.channel),
            to: m.to.clone(),
            login_id: m.login_id.clone(),
            kind: name_of(&m.kind),
            code: m.code.clone(),
            link: m.link.clone(),
        })
        .collect()
}

fn user_row(st: &State, user: &crate::project::User) -> UserRow {
    let wire = st.user_response(user);
    let mut methods = Vec::new();
    if user.totp.is_some() {
        methods.push("TOTP".to_owned());
    }
    if !user.passkeys.is_empty() {
        methods.push(format!("passkeys ({})", user.passkeys.len()));
    }
    if user.password.is_some() {
        methods.push("password".to_owned());
    }
    if user.saml {
        methods.push("SSO".to_owned());
    }
    methods.extend(
        wire.oauth
            .unwrap_or_default()
            .into_keys()
            .map(|p| format!("OAuth: {p}")),
    );
    UserRow {
        user_id: user.user_id.clone(),
        login_ids: user.login_ids.clone(),
        name: user.name.clone().unwrap_or_default(),
        email: user.email.clone().unwrap_or_default(),
        phone: user.phone.clone().unwrap_or_default(),
        enabled: !user.managed.disabled,
        roles: user.roles.clone(),
        tenants: wire
            .user_tenants
            .into_iter()
            .map(|t| (t.tenant_name.unwrap_or(t.tenant_id), t.role_names))
            .collect(),
        test: user.managed.test,
        methods,
        created: user.created_time,
    }
}

/// The first [`MAX_USER_ROWS`] users (oldest first) and how many there are.
pub(crate) fn users(st: &State) -> (Vec<UserRow>, usize) {
    let all = st.all_users();
    let total = all.len();
    let rows = all
        .into_iter()
        .take(MAX_USER_ROWS)
        .map(|u| user_row(st, u))
        .collect();
    (rows, total)
}

pub(crate) fn user(st: &State, user_id: &str) -> Option<UserRow> {
    st.user(user_id).map(|u| user_row(st, u))
}

/// A user's sign-ins, newest first: one row per `sid` (rotation keeps it), live when one
/// of its refresh sessions is neither revoked nor expired.
pub(crate) fn sessions(st: &State, user_id: &str, now: i64) -> Vec<SessionRow> {
    let mut rows: Vec<SessionRow> = Vec::new();
    for s in st.sessions.values().filter(|s| s.user_id == user_id) {
        let live = !s.revoked && s.exp > now;
        match rows.iter_mut().find(|r| r.sid == s.sid) {
            Some(row) => {
                row.live |= live;
                row.expires = row.expires.max(s.exp);
            }
            None => rows.push(SessionRow {
                sid: s.sid.clone(),
                created: s.created,
                expires: s.exp,
                live,
                methods: s.amr.clone(),
                tenant: s.dct.clone(),
            }),
        }
    }
    rows.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.sid.cmp(&b.sid)));
    rows
}

/// Audit records shown on a user's page at most.
const AUDIT_ROWS: usize = 100;

/// A user's audit records (sign-ins, refreshes, logouts, failures), newest first.
pub(crate) fn user_audit(st: &State, user_id: &str) -> Vec<AuditRow> {
    let filter = MgmtAuditSearchRequest {
        user_ids: vec![user_id.to_owned()],
        ..MgmtAuditSearchRequest::default()
    };
    st.audit
        .search(&filter)
        .into_iter()
        .take(AUDIT_ROWS)
        .map(|r| {
            let mut detail = vec![r.method];
            if !r.remote_address.is_empty() {
                detail.push(r.remote_address);
            }
            if let Some(Value::String(error)) = r.data.get("error_message") {
                detail.push(error.clone());
            }
            AuditRow {
                time: r.occurred / 1000,
                action: r.action,
                detail: detail.join(" · "),
            }
        })
        .collect()
}

pub(crate) fn directory(st: &State) -> Directory {
    let mut roles: Vec<RoleRow> = st
        .roles
        .roles()
        .map(|r| RoleRow {
            name: if r.tenant_id.is_empty() {
                r.name.clone()
            } else {
                format!("{} (tenant {})", r.name, r.tenant_id)
            },
            permissions: r.permissions.clone(),
        })
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    Directory {
        tenants: st
            .tenants
            .iter()
            .map(|t| TenantRow {
                id: t.id.clone(),
                name: t.name.clone(),
                sso_domains: t.sso_domains.clone(),
            })
            .collect(),
        roles,
        access_keys: st
            .access_keys
            .iter()
            .map(|k| AccessKeyRow {
                id: k.id.clone(),
                name: k.name.clone(),
                active: k.active,
                roles: k.roles.clone(),
                tenants: k.tenants.iter().map(|t| t.tenant_id.clone()).collect(),
            })
            .collect(),
    }
}
