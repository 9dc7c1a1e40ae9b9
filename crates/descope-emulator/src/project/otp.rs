//! Pending one-time codes (OTP by email, SMS, voice, WhatsApp): one per login id, single
//! use, expiring, burned after too many wrong attempts.

use descope_types::{DeliveryMethod, SignUpUser};
use serde_json::{Map, Value};

use super::expiring::Expires;
use super::flows::Prior;

/// How long a code lives, on the emulator's clock.
pub(crate) const OTP_TTL_SECONDS: i64 = 300;
/// Wrong attempts that burn the pending code.
pub(crate) const OTP_MAX_FAILURES: u32 = 5;

/// What verifying the code does.
pub(crate) enum OtpPurpose {
    /// Creates the user (details from the sign-up), then signs it in.
    SignUp(Box<SignUpUser>),
    /// Signs an existing user in.
    SignIn,
    /// Sets a new email (or phone) of the user, then signs it in.
    Update(Box<AddressUpdate>),
}

/// A new address waiting for its code.
pub(crate) struct AddressUpdate {
    pub(crate) address: String,
    pub(crate) email: bool,
    pub(crate) add_to_login_ids: bool,
    pub(crate) on_merge_use_existing: bool,
}

/// A code sent and not yet used. Deliberately no `Debug`: it holds the code.
pub(crate) struct PendingOtp {
    pub(crate) code: String,
    pub(crate) method: DeliveryMethod,
    pub(crate) purpose: OtpPurpose,
    pub(crate) prior: Option<Prior>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) dct: Option<String>,
    pub(crate) failures: u32,
    pub(crate) exp: i64,
}

impl Expires for PendingOtp {
    fn exp(&self) -> i64 {
        self.exp
    }
}

/// The key of a login id's pending code: a new code replaces the old one.
pub(crate) fn otp_key(login_id: &str) -> String {
    login_id.trim().to_lowercase()
}

/// A random 6-digit code.
pub(crate) fn new_code(random: [u8; 8]) -> String {
    // 64 random bits modulo 10^6: the bias is below 10^-13.
    format!("{:06}", u64::from_le_bytes(random) % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(new_code([0; 8]), "000000");
        assert_eq!(new_code([0xff; 8]).len(), 6);
        assert_eq!(otp_key(" Ada@Example.com "), "ada@example.com");
    }
}
