//! Enchanted links: the one-time link tokens sent out, and the pending references the
//! starting device collects its session with once a link is clicked.

use descope_types::SignUpUser;
use serde_json::{Map, Value};

use super::expiring::{Expires, Expiring};
use super::flows::Prior;
use super::state::MAX_PENDING;

/// What clicking the link does.
#[derive(Debug, Clone)]
pub(crate) enum EnchantedPurpose {
    /// Signs in the login id's user; `signup` creates it first (with these details) when
    /// missing.
    SignIn { signup: Option<SignUpUser> },
    /// Sets a new address on the signed-in user.
    Update {
        email: Option<String>,
        phone: Option<String>,
        add_to_login_ids: bool,
    },
}

/// A started enchanted link, keyed by its pending reference.
#[derive(Debug, Clone)]
pub(crate) struct PendingEnchanted {
    pub(crate) purpose: EnchantedPurpose,
    pub(crate) login_id: String,
    pub(crate) prior: Option<Prior>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) dct: Option<String>,
    /// The user id, once the link was clicked (the user exists from then on).
    pub(crate) verified_user: Option<String>,
    pub(crate) exp: i64,
}

impl Expires for PendingEnchanted {
    fn exp(&self) -> i64 {
        self.exp
    }
}

/// A sent link's token → its pending reference. No `Debug`: keyed by tokens.
pub(crate) struct SentLink {
    pub(crate) pending_ref: String,
    pub(crate) exp: i64,
}

impl Expires for SentLink {
    fn exp(&self) -> i64 {
        self.exp
    }
}

/// The enchanted-link state of a project. No `Debug`: keyed by secrets.
#[derive(Default)]
pub(crate) struct Enchanted {
    pub(crate) tokens: Expiring<SentLink, MAX_PENDING>,
    pub(crate) pending: Expiring<PendingEnchanted, MAX_PENDING>,
}

impl Enchanted {
    pub(crate) fn sweep(&mut self, now: i64) {
        self.tokens.sweep(now);
        self.pending.sweep(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(exp: i64) -> PendingEnchanted {
        PendingEnchanted {
            purpose: EnchantedPurpose::SignIn { signup: None },
            login_id: "ada@example.com".to_owned(),
            prior: None,
            custom_claims: Map::new(),
            dct: None,
            verified_user: None,
            exp,
        }
    }

    #[test]
    fn sweep_drops_expired_tokens_and_refs() {
        let mut e = Enchanted::default();
        e.pending.insert("old".to_owned(), pending(100));
        e.pending.insert("live".to_owned(), pending(1000));
        e.tokens.insert(
            "old".to_owned(),
            SentLink {
                pending_ref: "old".to_owned(),
                exp: 100,
            },
        );
        e.sweep(100);
        assert_eq!(e.pending.len(), 1);
        assert_eq!(e.tokens.len(), 0);
        assert!(e.pending.get("live").is_some());
    }
}
