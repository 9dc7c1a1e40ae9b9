//! WebAuthn state: started ceremonies (single-use, expiring) and the index of registered
//! credential ids (a credential belongs to one user only).

use std::collections::HashMap;

use descope_types::SignUpUser;
use serde_json::{Map, Value};
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication, PasskeyRegistration};

use super::expiring::{Expires, Expiring};
use super::flows::Prior;

/// Started ceremonies a project holds; when full, the oldest is dropped (as if expired).
pub(crate) const MAX_TRANSACTIONS: usize = 1 << 16;
/// Registered passkeys a project holds (all users together); registrations beyond are
/// refused.
pub(crate) const MAX_CREDENTIALS: usize = 1 << 18;

/// A registered passkey and the last sign counter seen for it. The counter is kept here,
/// under the state lock, so two ceremonies started before either finished cannot both pass
/// with the same counter.
#[derive(Debug, Clone)]
pub(crate) struct StoredPasskey {
    pub(crate) passkey: Passkey,
    pub(crate) counter: u32,
}

impl StoredPasskey {
    pub(crate) fn new(passkey: Passkey) -> Self {
        Self {
            passkey,
            counter: 0,
        }
    }
}

/// What a finished ceremony does.
#[derive(Debug)]
pub(crate) enum Purpose {
    /// Creates the user (details from the start) with this passkey, then signs in.
    SignUp {
        login_id: String,
        details: Option<SignUpUser>,
    },
    /// Signs the user in.
    SignIn { user_id: String },
    /// Adds the passkey to the user; `mfa`: answer with a session too.
    Update { user_id: String, mfa: bool },
}

/// The relying party's half of the ceremony (challenge, allowed credentials...).
#[derive(Debug)]
pub(crate) enum Ceremony {
    Register(Box<PasskeyRegistration>),
    Authenticate(Box<PasskeyAuthentication>),
}

/// A started ceremony, waiting for the browser's answer.
#[derive(Debug)]
pub(crate) struct Transaction {
    pub(crate) purpose: Purpose,
    pub(crate) ceremony: Ceremony,
    /// The origin the start named (or the default one): the answer must come from it.
    pub(crate) origin: String,
    pub(crate) prior: Option<Prior>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) dct: Option<String>,
    pub(crate) exp: i64,
}

impl Expires for Transaction {
    fn exp(&self) -> i64 {
        self.exp
    }
}

/// A project's WebAuthn state.
#[derive(Default)]
pub(crate) struct WebAuthnState {
    pub(crate) transactions: Expiring<Transaction, MAX_TRANSACTIONS>,
    /// Credential id → user id, over every user's passkeys.
    pub(crate) credentials: HashMap<Vec<u8>, String>,
}

impl WebAuthnState {
    pub(crate) fn sweep(&mut self, now: i64) {
        self.transactions.sweep(now);
    }
}
