//! Access keys: the seeded ones and those the management API creates, looked up by the
//! exchange (`/v1/auth/accesskey/exchange`) with a constant-time comparison of the secret.

use std::collections::BTreeMap;

use aws_lc_rs::constant_time::verify_slices_are_equal;
use descope_types::AccessKey;
use serde_json::{Map, Value};

use crate::api_error::ApiError;
use crate::config::{SeedAccessKey, SeedUserTenant};

/// Access keys a project holds; creating more is refused.
pub(crate) const MAX_ACCESS_KEYS: usize = 1 << 12;

/// A stored access key. No `Debug`: it holds the secret.
#[derive(Clone, Default)]
pub(crate) struct StoredKey {
    pub(crate) id: String,
    pub(crate) secret: AccessKey,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) roles: Vec<String>,
    pub(crate) tenants: Vec<SeedUserTenant>,
    pub(crate) active: bool,
    pub(crate) created_time: i64,
    /// Unix seconds; 0 for never.
    pub(crate) expire_time: i64,
    pub(crate) created_by: String,
    pub(crate) bound_user_id: String,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) permitted_ips: Vec<String>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
}

impl StoredKey {
    pub(crate) fn from_seed(seed: &SeedAccessKey, now: i64) -> Self {
        Self {
            id: seed.id.clone(),
            secret: seed.secret.clone(),
            name: seed.id.clone(),
            roles: seed.roles.clone(),
            tenants: seed.tenants.clone(),
            active: true,
            created_time: now,
            created_by: "seed".to_owned(),
            ..Self::default()
        }
    }

    pub(crate) fn expired(&self, now: i64) -> bool {
        self.expire_time > 0 && now >= self.expire_time
    }
}

/// The access-key table, by id, capped.
#[derive(Default)]
pub(crate) struct AccessKeys {
    keys: BTreeMap<String, StoredKey>,
}

impl AccessKeys {
    pub(crate) fn from_seed(seed: &[SeedAccessKey], now: i64) -> Self {
        Self {
            keys: seed
                .iter()
                .map(|k| (k.id.clone(), StoredKey::from_seed(k, now)))
                .collect(),
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&StoredKey> {
        self.keys.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut StoredKey> {
        self.keys.get_mut(id)
    }

    /// Every key, by id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &StoredKey> {
        self.keys.values()
    }

    /// Every key, for edits that follow a role rename or deletion.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut StoredKey> {
        self.keys.values_mut()
    }

    pub(crate) fn insert(&mut self, key: StoredKey) -> Result<(), ApiError> {
        if self.keys.len() >= MAX_ACCESS_KEYS {
            return Err(ApiError::limit_reached("access keys", MAX_ACCESS_KEYS));
        }
        if self.keys.contains_key(&key.id) {
            return Err(ApiError::already_exists("Access key already exists"));
        }
        self.keys.insert(key.id.clone(), key);
        Ok(())
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<StoredKey> {
        self.keys.remove(id)
    }

    /// The key whose secret is `secret`. Every key is compared, in constant time each, so
    /// the answer's timing tells nothing about which bytes matched.
    pub(crate) fn by_secret(&self, secret: &str) -> Option<&StoredKey> {
        let mut found = None;
        for key in self.keys.values() {
            if verify_slices_are_equal(key.secret.secret().as_bytes(), secret.as_bytes()).is_ok() {
                found = Some(key);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, secret: &str) -> StoredKey {
        StoredKey {
            id: id.to_owned(),
            secret: AccessKey::new(secret),
            active: true,
            ..StoredKey::default()
        }
    }

    #[test]
    fn keys_are_found_by_secret_and_the_table_is_capped() {
        let mut keys = AccessKeys::default();
        keys.insert(key("K1", "one")).unwrap();
        keys.insert(key("K2", "two")).unwrap();
        assert_eq!(keys.by_secret("two").map(|k| k.id.as_str()), Some("K2"));
        assert!(keys.by_secret("tw").is_none());
        assert!(keys.by_secret("").is_none());
        assert!(keys.insert(key("K1", "again")).is_err());
        for i in 2..MAX_ACCESS_KEYS {
            keys.insert(key(&format!("K{i}x"), "s")).unwrap();
        }
        let full = keys.insert(key("Kfull", "s")).err().unwrap();
        assert_eq!(full.body().error_code.as_str(), "E011004");
        let mut expiring = key("K", "s");
        expiring.expire_time = 100;
        assert!(!expiring.expired(99) && expiring.expired(100));
        expiring.expire_time = 0;
        assert!(!expiring.expired(i64::MAX));
    }
}
