//! Magic-link and password-reset tokens (single use, expiring) and stored passwords
//! (PBKDF2-HMAC-SHA256, compared in constant time by aws-lc-rs).

use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;
use serde_json::{Map, Value};

use super::expiring::Expires;
use super::flows::Prior;

/// An expired token is kept this long past its expiry, so verifying it answers "expired"
/// rather than "not found"; the map stays capped either way.
const EXPIRED_GRACE_SECONDS: i64 = 3600;

/// What verifying a link does.
pub(crate) enum LinkPurpose {
    /// Signs in (sign-ups create the user when the link is sent).
    SignIn {
        prior: Option<Prior>,
        custom_claims: Map<String, Value>,
        dct: Option<String>,
    },
    /// Sets the user's email to the address the link went to.
    UpdateEmail {
        email: String,
        add_to_login_ids: bool,
    },
    /// Sets the user's phone to the number the link went to.
    UpdatePhone {
        phone: String,
        add_to_login_ids: bool,
    },
    /// A password reset: signs in, so the session can set a new password.
    PasswordReset,
}

/// A sent link, waiting for its token. No `Debug`: kept in maps keyed by the token.
pub(crate) struct PendingLink {
    /// The login id the link signs in (the existing one for updates).
    pub(crate) login_id: String,
    pub(crate) purpose: LinkPurpose,
    /// Unix seconds after which the token is refused as expired.
    pub(crate) expires_at: i64,
}

impl Expires for PendingLink {
    fn exp(&self) -> i64 {
        self.expires_at.saturating_add(EXPIRED_GRACE_SECONDS)
    }
}

/// Iterations: modest, so tests stay fast; this is an emulator, not a password store.
const ITERATIONS: NonZeroU32 = match NonZeroU32::new(1_000) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// A user's password, hashed. `Debug` leaves the hash out.
#[derive(Clone)]
pub(crate) struct PasswordState {
    salt: [u8; 16],
    hash: [u8; 32],
    /// Wrong passwords in a row; at the configured maximum the password is locked until
    /// a reset.
    pub(crate) failures: u32,
    /// Expired or temporary (set so by the management API): it signs in to nothing, but
    /// still proves the user to a replace.
    pub(crate) expired: bool,
}

impl std::fmt::Debug for PasswordState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordState")
            .field("failures", &self.failures)
            .field("expired", &self.expired)
            .finish_non_exhaustive()
    }
}

impl PasswordState {
    /// Hashes `password` with a fresh random salt.
    pub(crate) fn new(password: &str) -> Result<Self, aws_lc_rs::error::Unspecified> {
        let salt = crate::random::bytes::<16>()?;
        let mut hash = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            ITERATIONS,
            &salt,
            password.as_bytes(),
            &mut hash,
        );
        Ok(Self {
            salt,
            hash,
            failures: 0,
            expired: false,
        })
    }

    /// Whether `password` is this one (constant-time comparison inside aws-lc-rs).
    pub(crate) fn matches(&self, password: &str) -> bool {
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            ITERATIONS,
            &self.salt,
            password.as_bytes(),
            &self.hash,
        )
        .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_salted_and_checked() {
        let a = PasswordState::new("Secr3t!Pass").unwrap();
        let b = PasswordState::new("Secr3t!Pass").unwrap();
        assert_ne!(a.hash, b.hash, "salted");
        assert!(a.matches("Secr3t!Pass"));
        assert!(!a.matches("Secr3t!pass"));
        assert!(!a.matches(""));
        assert!(!format!("{a:?}").contains("hash"));
    }

    #[test]
    fn expired_links_outlive_their_expiry_by_the_grace() {
        let link = PendingLink {
            login_id: "a@x.io".to_owned(),
            purpose: LinkPurpose::PasswordReset,
            expires_at: 100,
        };
        assert_eq!(link.exp(), 100 + EXPIRED_GRACE_SECONDS);
    }
}
