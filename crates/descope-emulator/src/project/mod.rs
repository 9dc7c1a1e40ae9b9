//! One project: its signing keys and its isolated state (users, tenants, pending flows and
//! codes, refresh sessions).

mod access_keys;
mod audit;
mod authz;
mod enchanted;
mod expiring;
mod flows;
mod impersonation;
mod links;
mod otp;
mod outbox;
mod sessions;
mod state;
mod tenants;
mod users;
mod webauthn;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use descope_types::{Clock as _, Jwk};
use serde::de::DeserializeOwned;

pub(crate) use access_keys::StoredKey;
pub(crate) use audit::{AuditEvent, LOGIN_FAILED};
pub(crate) use authz::{Permission, Role};
pub(crate) use enchanted::{Enchanted, EnchantedPurpose, PendingEnchanted, SentLink};
pub(crate) use flows::{Flow, FlowKind, NativeGrant, NativeState, PendingCode, Prior};
pub(crate) use impersonation::Extra;
pub(crate) use links::{LinkPurpose, PasswordState, PendingLink};
pub(crate) use otp::{
    AddressUpdate, OTP_MAX_FAILURES, OTP_TTL_SECONDS, OtpPurpose, PendingOtp, new_code, otp_key,
};
pub(crate) use outbox::{Channel, Message, MessageKind, link_with_token, masked_answer};
pub(crate) use sessions::{Grant, with_method};
pub(crate) use state::State;
pub(crate) use tenants::MAX_TENANTS;
pub(crate) use users::{TotpState, User, user_value};
pub(crate) use webauthn::{Ceremony, MAX_CREDENTIALS, Purpose, StoredPasskey, Transaction};

use crate::clock::OffsetClock;
use crate::config::EmulatorConfig;
use crate::jwt::{self, TokenError};
use crate::keys::{KeyInfo, KeyRing, SigningKey};

pub(crate) struct Project {
    pub(crate) id: String,
    /// `iss` of its tokens: `<base_url>/<project id>`.
    pub(crate) issuer: String,
    pub(crate) config: Arc<EmulatorConfig>,
    clock: Arc<OffsetClock>,
    keys: RwLock<KeyRing>,
    state: Mutex<State>,
}

impl Project {
    pub(crate) fn new(
        id: &str,
        key: SigningKey,
        config: Arc<EmulatorConfig>,
        clock: Arc<OffsetClock>,
        base_url: &str,
    ) -> Self {
        let now = clock.now_unix();
        let state = State::from_seed(&config.seed, now);
        Self {
            id: id.to_owned(),
            issuer: format!("{base_url}/{id}"),
            config,
            clock,
            keys: RwLock::new(KeyRing::new(key, now)),
            state: Mutex::new(state),
        }
    }

    /// The state, locked. Never hold it across an await or while signing.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    pub(crate) fn current_key(&self) -> Arc<SigningKey> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .current()
    }

    pub(crate) fn jwks(&self) -> Vec<Jwk> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .jwks(self.now())
    }

    /// The served keys, current first (for the web console).
    pub(crate) fn key_infos(&self) -> Vec<KeyInfo> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .infos(self.now())
    }

    /// Makes `key` current; the old key stays valid for `grace_seconds`. Returns the old kid.
    pub(crate) fn rotate_key(&self, key: SigningKey, grace_seconds: i64) -> String {
        let now = self.now();
        let old = self
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .rotate(key, now.saturating_add(grace_seconds), now);
        old.kid().to_owned()
    }

    /// Verifies one of this project's RS256 tokens (signature only).
    pub(crate) fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<C, TokenError> {
        let now = self.now();
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        jwt::verify_rs256(&keys, token, now)
    }

    /// Back to the seed data; keys are kept so cached JWKS stay valid.
    pub(crate) fn reset(&self) {
        let fresh = State::from_seed(&self.config.seed, self.now());
        let old = std::mem::replace(&mut *self.lock(), fresh);
        // Freed after the lock is released: a full project holds hundreds of thousands of
        // entries.
        drop(old);
    }
}
