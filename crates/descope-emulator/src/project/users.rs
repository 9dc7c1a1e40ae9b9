//! Users: the stored record, its wire form, and the roles/permissions/tenants it carries.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use aws_lc_rs::digest;
use descope_types::{UserHistoryEntry, UserResponse, UserTenant};
use serde_json::{Map, Value};

use crate::config::SeedUserTenant;

/// A user's TOTP enrolment. `Debug` leaves the secret out.
#[derive(Clone)]
pub(crate) struct TotpState {
    pub(crate) secret: Vec<u8>,
    /// The last step a code was accepted for (replay guard).
    pub(crate) last_step: Option<i64>,
    pub(crate) failures: u32,
    pub(crate) last_failure: i64,
}

impl std::fmt::Debug for TotpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpState")
            .field("last_step", &self.last_step)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl TotpState {
    pub(crate) fn new(secret: Vec<u8>) -> Self {
        Self {
            secret,
            last_step: None,
            failures: 0,
            last_failure: 0,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct User {
    pub(crate) user_id: String,
    pub(crate) login_ids: Vec<String>,
    pub(crate) name: Option<String>,
    pub(crate) given_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) family_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) tenants: Vec<SeedUserTenant>,
    pub(crate) created_time: i64,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
    pub(crate) totp: Option<TotpState>,
    pub(crate) password: Option<super::links::PasswordState>,
    /// WebAuthn credentials (at most `webauthn.max_passkeys_per_user`).
    pub(crate) passkeys: Vec<super::webauthn::StoredPasskey>,
    pub(crate) oauth: Providers,
    pub(crate) saml: bool,
    /// Completed sign-ins (`firstSeen` is true on the first).
    pub(crate) logins: u64,
    /// Fields only the management API sets (status, test flag, picture, verification).
    pub(crate) managed: Managed,
    history: VecDeque<Login>,
}

/// What the management API sets on a user beyond what sign-ins do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Managed {
    /// Deactivated: every sign-in is refused.
    pub(crate) disabled: bool,
    /// A test user (`/v1/mgmt/user/create/test`).
    pub(crate) test: bool,
    pub(crate) picture: Option<String>,
    /// `None`: verified when present (what a sign-in through it proves).
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
}

/// History kept per user.
const HISTORY_LIMIT: usize = 100;

/// One sign-in of the history, without what the user record already holds (its id) and the
/// geo-IP fields the emulator leaves empty.
#[derive(Debug, Clone)]
struct Login {
    time: i64,
    /// Shared with the previous entry when equal: repeated sign-ins come from one address.
    ip: Arc<str>,
    tenant: Option<Box<str>>,
}

/// The OAuth providers a user signed in with (`UserResponse.oauth`): a sorted vector, as a
/// `BTreeMap` would allocate a whole node (~290 bytes) for the usual one or two entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Providers(Vec<(String, bool)>);

impl Providers {
    /// Like `BTreeMap::insert`.
    pub(crate) fn insert(&mut self, provider: String, linked: bool) -> Option<bool> {
        match self.0.binary_search_by(|(p, _)| p.as_str().cmp(&provider)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, linked)),
            Err(i) => {
                self.0.reserve_exact(1);
                self.0.insert(i, (provider, linked));
                None
            }
        }
    }

    fn to_map(&self) -> BTreeMap<String, bool> {
        self.0.iter().cloned().collect()
    }
}

impl User {
    /// A new user for a login id; email defaults to the login id when it looks like one.
    pub(crate) fn new(login_id: &str, user_id: Option<String>, now: i64) -> Self {
        Self {
            user_id: user_id.unwrap_or_else(|| derive_user_id(login_id)),
            login_ids: vec![login_id.to_owned()],
            email: login_id.contains('@').then(|| login_id.to_owned()),
            created_time: now,
            ..Self::default()
        }
    }

    pub(crate) fn login_id(&self) -> &str {
        self.login_ids
            .first()
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Counts a sign-in and adds it to the history; true on the first.
    pub(crate) fn record_login(&mut self, time: i64, ip: &str, tenant: Option<&str>) -> bool {
        let first = self.logins == 0;
        self.logins += 1;
        if self.history.len() >= HISTORY_LIMIT {
            self.history.pop_front();
        }
        let ip = match self.history.back() {
            Some(last) if *last.ip == *ip => Arc::clone(&last.ip),
            _ => Arc::from(ip),
        };
        if self.history.len() == self.history.capacity() {
            // Most users sign in a few times: grow from one entry, not the default four.
            let more = self
                .history
                .len()
                .clamp(1, HISTORY_LIMIT - self.history.len());
            self.history.reserve_exact(more);
        }
        self.history.push_back(Login {
            time,
            ip,
            tenant: tenant.map(Box::from),
        });
        first
    }

    /// The sign-in history, oldest first, in its wire form.
    pub(crate) fn history(&self) -> Vec<UserHistoryEntry> {
        self.history
            .iter()
            .map(|l| UserHistoryEntry {
                user_id: self.user_id.clone(),
                login_time: l.time,
                city: String::new(),
                country: String::new(),
                ip: l.ip.to_string(),
                selected_tenant: l.tenant.as_deref().map(str::to_owned),
            })
            .collect()
    }

    /// Adds a tenant membership unless present.
    pub(crate) fn join_tenant(&mut self, tenant_id: &str) {
        if !self.tenants.iter().any(|t| t.tenant_id == tenant_id) {
            self.tenants.push(SeedUserTenant {
                tenant_id: tenant_id.to_owned(),
                roles: Vec::new(),
            });
        }
    }

    pub(crate) fn in_tenant(&self, tenant_id: &str) -> bool {
        self.tenants.iter().any(|t| t.tenant_id == tenant_id)
    }
}

/// `U2` + 26 base32 characters of SHA-256(lower-cased login id): stable across resets.
pub(crate) fn derive_user_id(login_id: &str) -> String {
    let hash = digest::digest(&digest::SHA256, login_id.to_lowercase().as_bytes());
    let mut id = String::from("U2");
    id.push_str(&crate::totp::base32_encode(hash.as_ref())[..26]);
    id
}

/// The wire form of a user with every key Descope sends present, including the list keys
/// that [`UserResponse`] omits when empty (`permissions`, `externalIds`, `ssoAppIds`).
pub(crate) fn user_value(user: &UserResponse) -> Value {
    let mut value = serde_json::to_value(user).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for key in ["permissions", "externalIds", "ssoAppIds"] {
            map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
        }
    }
    value
}

/// Builds the wire user; `tenant_name` and `permissions_of` come from the project state.
pub(crate) fn user_response(
    user: &User,
    tenant_name: impl Fn(&str) -> Option<String>,
    permissions_of: impl Fn(&[String]) -> Vec<String>,
) -> UserResponse {
    let text = |v: &Option<String>| Some(v.clone().unwrap_or_default());
    UserResponse {
        login_ids: user.login_ids.clone(),
        user_id: user.user_id.clone(),
        name: text(&user.name),
        email: text(&user.email),
        phone: text(&user.phone),
        given_name: text(&user.given_name),
        middle_name: text(&user.middle_name),
        family_name: text(&user.family_name),
        verified_email: Some(user.managed.verified_email.unwrap_or(user.email.is_some())),
        verified_phone: Some(user.managed.verified_phone.unwrap_or(user.phone.is_some())),
        role_names: user.roles.clone(),
        user_tenants: user
            .tenants
            .iter()
            .map(|t| UserTenant {
                tenant_id: t.tenant_id.clone(),
                tenant_name: tenant_name(&t.tenant_id),
                role_names: t.roles.clone(),
                permissions: permissions_of(&t.roles),
            })
            .collect(),
        status: Some(
            if user.managed.disabled {
                "disabled"
            } else {
                "enabled"
            }
            .to_owned(),
        ),
        external_ids: user.login_ids.clone(),
        picture: Some(user.managed.picture.clone().unwrap_or_default()),
        test: Some(user.managed.test),
        custom_attributes: Some(user.custom_attributes.clone().unwrap_or_default()),
        created_time: Some(user.created_time),
        totp: Some(user.totp.is_some()),
        saml: Some(user.saml),
        oauth: Some(user.oauth.to_map()),
        scim: Some(false),
        webauthn: Some(!user.passkeys.is_empty()),
        password: Some(user.password.is_some()),
        permissions: permissions_of(&user.roles),
        ..UserResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_last_hundred_oldest_first() {
        let mut user = User::new("ada@example.com", None, 0);
        assert!(user.record_login(1, "10.0.0.1", None));
        assert!(!user.record_login(2, "10.0.0.1", Some("T1")));
        for t in 3..=150 {
            user.record_login(t, "10.0.0.2", None);
        }
        let history = user.history();
        assert_eq!(history.len(), HISTORY_LIMIT);
        assert_eq!(history[0].login_time, 51);
        assert_eq!(history[99].login_time, 150);
        assert!(history.iter().all(|h| h.user_id == user.user_id));
        assert_eq!(user.logins, 150);
        assert!(user.history.capacity() <= HISTORY_LIMIT);
        // Equal addresses share one allocation.
        assert!(Arc::ptr_eq(&user.history[0].ip, &user.history[99].ip));

        let mut user = User::new("grace@example.com", None, 0);
        user.record_login(7, "10.0.0.1", Some("T1"));
        let entry = &user.history()[0];
        assert_eq!(
            (entry.ip.as_str(), entry.selected_tenant.as_deref()),
            ("10.0.0.1", Some("T1"))
        );
    }

    #[test]
    fn providers_behave_as_a_sorted_map() {
        let mut providers = Providers::default();
        assert_eq!(providers.insert("google".to_owned(), true), None);
        assert_eq!(providers.insert("apple".to_owned(), true), None);
        assert_eq!(providers.insert("google".to_owned(), true), Some(true));
        let map = providers.to_map();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["apple", "google"]);
    }
}
