//! The mutable state of a project and lookups over it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use descope_types::{TenantClaims, UserResponse};

use super::flows::{Flow, NativeGrant, NativeState, PendingCode};
use super::sessions::RefreshSession;
use super::users::{TotpState, User, user_response};
use crate::config::{Seed, SeedAccessKey, SeedTenant, SeedUserTenant};

/// Entries of each short-lived map before expired ones are swept.
const SWEEP_AT: usize = 1024;

#[derive(Debug, Default)]
pub(crate) struct State {
    users: HashMap<String, User>,
    /// Lower-cased login id → user id.
    logins: HashMap<String, String>,
    pub(crate) tenants: Vec<SeedTenant>,
    roles: HashMap<String, Vec<String>>,
    pub(crate) access_keys: Vec<SeedAccessKey>,
    pub(crate) oauth_defaults: BTreeMap<String, String>,
    pub(crate) flows: HashMap<String, Flow>,
    pub(crate) codes: HashMap<String, PendingCode>,
    pub(crate) native_states: HashMap<String, NativeState>,
    pub(crate) native_grants: HashMap<String, NativeGrant>,
    pub(crate) sessions: HashMap<String, RefreshSession>,
}

/// Roles, permissions and per-tenant claims of a user or access key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Authz {
    pub(crate) roles: Vec<String>,
    pub(crate) permissions: Vec<String>,
    pub(crate) tenants: BTreeMap<String, TenantClaims>,
}

impl State {
    pub(crate) fn from_seed(seed: &Seed, now: i64) -> Self {
        let mut state = Self {
            tenants: seed.tenants.clone(),
            roles: seed
                .roles
                .iter()
                .map(|r| (r.name.clone(), r.permissions.clone()))
                .collect(),
            access_keys: seed.access_keys.clone(),
            oauth_defaults: seed.oauth_defaults_lowercase(),
            ..Self::default()
        };
        for seed_user in &seed.users {
            let mut user = User::new(&seed_user.login_id, seed_user.user_id.clone(), now);
            user.name = seed_user.name.clone();
            user.given_name = seed_user.given_name.clone();
            user.middle_name = seed_user.middle_name.clone();
            user.family_name = seed_user.family_name.clone();
            if seed_user.email.is_some() {
                user.email = seed_user.email.clone();
            }
            user.phone = seed_user.phone.clone();
            user.roles = seed_user.roles.clone();
            user.tenants = seed_user.tenants.clone();
            user.custom_attributes = seed_user.custom_attributes.clone();
            user.totp = seed_user
                .totp_secret
                .as_ref()
                .and_then(|k| crate::totp::base32_decode(k.secret()))
                .map(TotpState::new);
            state.insert_user(user);
        }
        state
    }

    pub(crate) fn insert_user(&mut self, user: User) {
        for login in &user.login_ids {
            self.logins
                .insert(login.to_lowercase(), user.user_id.clone());
        }
        self.users.insert(user.user_id.clone(), user);
    }

    pub(crate) fn user(&self, user_id: &str) -> Option<&User> {
        self.users.get(user_id)
    }

    pub(crate) fn user_mut(&mut self, user_id: &str) -> Option<&mut User> {
        self.users.get_mut(user_id)
    }

    pub(crate) fn user_id_by_login(&self, login_id: &str) -> Option<String> {
        self.logins.get(&login_id.to_lowercase()).cloned()
    }

    /// The user with this login id, created (with defaults) if missing.
    pub(crate) fn find_or_create(&mut self, login_id: &str, now: i64) -> &mut User {
        let id = match self.user_id_by_login(login_id) {
            Some(id) => id,
            None => {
                let user = User::new(login_id, None, now);
                let id = user.user_id.clone();
                self.insert_user(user);
                id
            }
        };
        self.users.entry(id).or_default()
    }

    pub(crate) fn all_users(&self) -> Vec<&User> {
        let mut users: Vec<&User> = self.users.values().collect();
        users.sort_by_key(|u| (u.created_time, u.login_id().to_owned()));
        users
    }

    pub(crate) fn tenant(&self, id: &str) -> Option<&SeedTenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// A tenant by id, by name (any case), or by an email's (or bare) domain in its SSO
    /// domains.
    pub(crate) fn resolve_tenant(&self, ident: &str) -> Option<&SeedTenant> {
        let ident = ident.trim();
        if let Some(t) = self.tenant(ident) {
            return Some(t);
        }
        if let Some(t) = self
            .tenants
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(ident))
        {
            return Some(t);
        }
        let domain = ident.rsplit_once('@').map_or(ident, |(_, d)| d);
        self.tenants
            .iter()
            .find(|t| t.sso_domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))
    }

    /// Union of the permissions the roles grant, sorted.
    pub(crate) fn permissions_of(&self, roles: &[String]) -> Vec<String> {
        roles
            .iter()
            .filter_map(|r| self.roles.get(r))
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    pub(crate) fn authz(&self, roles: &[String], tenants: &[SeedUserTenant]) -> Authz {
        Authz {
            roles: roles.to_vec(),
            permissions: self.permissions_of(roles),
            tenants: tenants
                .iter()
                .map(|t| {
                    (
                        t.tenant_id.clone(),
                        TenantClaims {
                            roles: t.roles.clone(),
                            permissions: self.permissions_of(&t.roles),
                            extra: Default::default(),
                        },
                    )
                })
                .collect(),
        }
    }

    pub(crate) fn user_response(&self, user: &User) -> UserResponse {
        user_response(
            user,
            |id| self.tenant(id).map(|t| t.name.clone()),
            |roles| self.permissions_of(roles),
        )
    }

    /// Drops expired flows, codes and native states once the maps grow.
    pub(crate) fn sweep(&mut self, now: i64) {
        if self.flows.len() >= SWEEP_AT {
            self.flows.retain(|_, f| f.exp > now);
        }
        if self.codes.len() >= SWEEP_AT {
            self.codes.retain(|_, c| c.exp > now);
        }
        if self.native_states.len() >= SWEEP_AT {
            self.native_states.retain(|_, s| s.exp > now);
        }
        if self.native_grants.len() >= SWEEP_AT {
            self.native_grants.retain(|_, g| g.exp > now);
        }
    }
}

impl Seed {
    fn oauth_defaults_lowercase(&self) -> BTreeMap<String, String> {
        self.oauth_default_users
            .iter()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect()
    }
}
