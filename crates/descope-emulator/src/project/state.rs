//! The mutable state of a project and lookups over it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use descope_types::{TenantClaims, UserResponse};

use super::access_keys::AccessKeys;
use super::audit::AuditLog;
use super::authz::Authorization;
use super::enchanted::Enchanted;
use super::expiring::Expiring;
use super::flows::{Flow, NativeGrant, NativeState, PendingCode};
use super::links::PendingLink;
use super::otp::PendingOtp;
use super::outbox::Outbox;
use super::sessions::RefreshSession;
use super::tenants::TenantExtra;
use super::users::{TotpState, User, user_response};
use super::webauthn::WebAuthnState;
use crate::config::{Seed, SeedManagementKey, SeedTenant, SeedUserTenant};

/// Pending flows, codes, native states and native grants a project holds, each; when full,
/// the oldest is dropped (as if expired). Above the 200,000 pending flows the authorize
/// benchmark holds.
pub(crate) const MAX_PENDING: usize = 1 << 18;
/// Refresh sessions a project holds (~450 bytes each); when full, the oldest is dropped (its
/// refresh token then answers 401, as an unknown session). Sessions live for weeks, so in a
/// long-running emulator this cap, not expiry, is what bounds them.
pub(crate) const MAX_SESSIONS: usize = 1 << 15;

/// No `Debug`: the code maps are keyed by one-time codes.
#[derive(Default)]
pub(crate) struct State {
    /// Boxed: the table keeps spare slots, so they are kept small.
    users: HashMap<String, Box<User>>,
    /// Lower-cased login id → user id.
    logins: HashMap<String, String>,
    pub(crate) tenants: Vec<SeedTenant>,
    /// Management-only fields of tenants, by tenant id (one per tenant at most).
    pub(crate) tenant_extras: HashMap<String, TenantExtra>,
    /// Roles and permissions (bounded tables).
    pub(crate) roles: Authorization,
    /// Access keys (a bounded table).
    pub(crate) access_keys: AccessKeys,
    pub(crate) management_keys: Vec<SeedManagementKey>,
    pub(crate) oauth_defaults: BTreeMap<String, String>,
    pub(crate) flows: Expiring<Flow, MAX_PENDING>,
    pub(crate) codes: Expiring<PendingCode, MAX_PENDING>,
    pub(crate) native_states: Expiring<NativeState, MAX_PENDING>,
    pub(crate) native_grants: Expiring<NativeGrant, MAX_PENDING>,
    pub(crate) sessions: Expiring<RefreshSession, MAX_SESSIONS>,
    /// Magic-link and password-reset tokens, single use.
    pub(crate) links: Expiring<PendingLink, MAX_PENDING>,
    /// What Descope would have sent (email, SMS, ...), for tests to read.
    pub(crate) outbox: Outbox,
    /// Enchanted links: sent tokens and pending references.
    pub(crate) enchanted: Enchanted,
    /// nOTP (WhatsApp): pending references and the tokens of the messages to send back.
    pub(crate) notp: Enchanted,
    /// Pending OTP codes, by lower-cased login id.
    pub(crate) otp_codes: Expiring<PendingOtp, MAX_PENDING>,
    /// WebAuthn ceremonies in progress and the credential index.
    pub(crate) webauthn: WebAuthnState,
    /// The audit trail (bounded: the oldest record goes first).
    pub(crate) audit: AuditLog,
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
            roles: Authorization::from_seed(&seed.permissions, &seed.roles, now),
            access_keys: AccessKeys::from_seed(&seed.access_keys, now),
            management_keys: seed.management_keys.clone(),
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
        self.users.insert(user.user_id.clone(), Box::new(user));
    }

    /// Removes a user and its login ids; its sessions then fail as a missing user's.
    pub(crate) fn remove_user(&mut self, user_id: &str) -> Option<User> {
        let user = self.users.remove(user_id)?;
        for login in &user.login_ids {
            self.logins.remove(&login.to_lowercase());
        }
        Some(*user)
    }

    pub(crate) fn user(&self, user_id: &str) -> Option<&User> {
        self.users.get(user_id).map(|u| &**u)
    }

    pub(crate) fn user_mut(&mut self, user_id: &str) -> Option<&mut User> {
        self.users.get_mut(user_id).map(|u| &mut **u)
    }

    /// Adds a login id to a user (no-op when it is already theirs); false when another user
    /// has it.
    pub(crate) fn add_login_id(&mut self, user_id: &str, login_id: &str) -> bool {
        match self.user_id_by_login(login_id) {
            Some(owner) => owner == user_id,
            None => {
                let Some(user) = self.users.get_mut(user_id) else {
                    return false;
                };
                user.login_ids.push(login_id.to_owned());
                self.logins
                    .insert(login_id.to_lowercase(), user_id.to_owned());
                true
            }
        }
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
        let mut users: Vec<&User> = self.users.values().map(|u| &**u).collect();
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

    /// The management fields of tenant `id`, or the defaults when management never set any.
    pub(crate) fn tenant_extra(&self, id: &str) -> Cow<'_, TenantExtra> {
        self.tenant_extras
            .get(id)
            .map_or_else(|| Cow::Owned(TenantExtra::default()), Cow::Borrowed)
    }

    /// Removes a tenant, its management fields and every membership of it; with `cascade`,
    /// the users left in no tenant go too. False when there was no such tenant.
    pub(crate) fn remove_tenant(&mut self, id: &str, cascade: bool) -> bool {
        let Some(at) = self.tenants.iter().position(|t| t.id == id) else {
            return false;
        };
        self.tenants.remove(at);
        self.tenant_extras.remove(id);
        let members: Vec<String> = self
            .users
            .values()
            .filter(|u| u.in_tenant(id))
            .map(|u| u.user_id.clone())
            .collect();
        for user_id in members {
            let Some(user) = self.user_mut(&user_id) else {
                continue;
            };
            user.tenants.retain(|t| t.tenant_id != id);
            if cascade && user.tenants.is_empty() {
                self.remove_user(&user_id);
            }
        }
        true
    }

    /// Union of the permissions the (project-level) roles grant, sorted.
    pub(crate) fn permissions_of(&self, roles: &[String]) -> Vec<String> {
        self.roles.permissions_of(None, roles)
    }

    /// Every user, for edits that follow a role rename or deletion.
    pub(crate) fn users_mut(&mut self) -> impl Iterator<Item = &mut User> {
        self.users.values_mut().map(|u| &mut **u)
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
                            permissions: self.roles.permissions_of(Some(&t.tenant_id), &t.roles),
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

    /// Drops whatever has expired: flows, codes, native states and grants, sessions. Costs
    /// O(log n) per expired entry and nothing per live one.
    pub(crate) fn sweep(&mut self, now: i64) {
        self.flows.sweep(now);
        self.codes.sweep(now);
        self.native_states.sweep(now);
        self.native_grants.sweep(now);
        self.sessions.sweep(now);
        self.enchanted.sweep(now);
        self.notp.sweep(now);
        self.otp_codes.sweep(now);
        self.links.sweep(now);
        self.webauthn.sweep(now);
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

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::project::{FlowKind, NativeGrant};

    fn flow(exp: i64) -> Flow {
        Flow {
            kind: FlowKind::OAuth {
                provider: "google".to_owned(),
            },
            redirect_url: "http://localhost/cb".to_owned(),
            login_hint: None,
            prior: None,
            custom_claims: Map::new(),
            dct: None,
            exp,
        }
    }

    fn code(exp: i64) -> PendingCode {
        PendingCode {
            kind: FlowKind::OAuth {
                provider: "google".to_owned(),
            },
            login_id: "ada@example.com".to_owned(),
            prior: None,
            custom_claims: Map::new(),
            dct: None,
            exp,
        }
    }

    fn grant(exp: i64) -> NativeGrant {
        NativeGrant {
            provider: "apple".to_owned(),
            nonce: "n".to_owned(),
            login_id: "ada@example.com".to_owned(),
            name: None,
            exp,
        }
    }

    fn state(exp: i64) -> NativeState {
        NativeState {
            provider: "apple".to_owned(),
            client_id: "c".to_owned(),
            nonce: "n".to_owned(),
            implicit: false,
            prior: None,
            custom_claims: Map::new(),
            dct: None,
            exp,
        }
    }

    fn session(exp: i64) -> RefreshSession {
        RefreshSession {
            user_id: "U2".to_owned(),
            sid: "S1".to_owned(),
            amr: Vec::new(),
            dct: None,
            custom_claims: Map::new(),
            created: 0,
            exp,
            revoked: false,
        }
    }

    #[test]
    fn sweep_drops_expired_entries_of_every_map_however_few() {
        let mut st = State::default();
        for i in 0..10 {
            st.flows.insert(format!("old{i}"), flow(100));
            st.codes.insert(format!("old{i}"), code(100));
            st.native_states.insert(format!("old{i}"), state(100));
            st.native_grants.insert(format!("old{i}"), grant(100));
            st.sessions.insert(format!("old{i}"), session(100));
        }
        st.flows.insert("live".to_owned(), flow(1000));
        st.codes.insert("live".to_owned(), code(1000));
        st.native_states.insert("live".to_owned(), state(1000));
        st.native_grants.insert("live".to_owned(), grant(1000));
        st.sessions.insert("live".to_owned(), session(1000));
        st.sweep(100);
        assert_eq!(st.flows.len(), 1);
        assert_eq!(st.codes.len(), 1);
        assert_eq!(st.native_states.len(), 1);
        assert_eq!(st.native_grants.len(), 1);
        assert_eq!(st.sessions.len(), 1);
        assert!(st.flows.get("live").is_some());
        assert!(st.sessions.get("live").is_some());
    }

    fn cap<V, const CAP: usize>(_: &Expiring<V, CAP>) -> usize {
        CAP
    }

    #[test]
    fn every_map_is_capped_and_evicts_its_oldest() {
        let mut st = State::default();
        let over = 3;
        for i in 0..MAX_PENDING + over {
            // Later insertions expire later, as with one lifetime and a running clock.
            st.flows.insert(format!("k{i}"), flow(1_000 + i as i64));
        }
        for i in 0..MAX_SESSIONS + over {
            st.sessions
                .insert(format!("k{i}"), session(1_000 + i as i64));
        }
        assert_eq!(st.flows.len(), MAX_PENDING);
        assert_eq!(st.sessions.len(), MAX_SESSIONS);
        for i in 0..over {
            assert!(st.flows.get(&format!("k{i}")).is_none());
            assert!(st.sessions.get(&format!("k{i}")).is_none());
        }
        assert!(st.flows.get(&format!("k{over}")).is_some());
        assert!(st.sessions.get(&format!("k{over}")).is_some());
        // The other maps are the same type with the same cap.
        assert_eq!(cap(&st.codes), MAX_PENDING);
        assert_eq!(cap(&st.native_states), MAX_PENDING);
        assert_eq!(cap(&st.native_grants), MAX_PENDING);
    }
}
