//! Password: the bodies of `/v1/auth/password/*`.
//!
//! Sign-up, sign-in and replace answer a [`JwtResponse`](crate::JwtResponse).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{LoginOptions, Password, SignUpUser};

/// Body of `POST /v1/auth/password/signup`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordSignUpRequest {
    /// The new user's login id.
    pub login_id: String,
    /// The password.
    pub password: Password,
    /// Details of the new user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignUpUser>,
    /// Sign-up options (custom claims, templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// The messaging provider (Node SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/password/signin`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordSignInRequest {
    /// The user's login id.
    pub login_id: String,
    /// The password.
    pub password: Password,
    /// Login options (custom claims, tenant...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// The messaging provider (Node SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/password/replace`: the old password proves the user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordReplaceRequest {
    /// The user's login id.
    pub login_id: String,
    /// The current password.
    pub old_password: Password,
    /// The new password.
    pub new_password: Password,
}

/// Body of `POST /v1/auth/password/reset`: sends a reset link.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetRequest {
    /// The user's login id.
    pub login_id: String,
    /// Where the reset link leads (the token is added as `t`); the project's default when
    /// unset (the Python SDK sends `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
}

/// Answer of `POST /v1/auth/password/reset`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordResetResponse {
    /// How the reset is done (`magiclink`, `enchantedlink`, `em`).
    pub reset_method: String,
    /// Enchanted-link resets: the pending reference to poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_ref: Option<String>,
    /// Enchanted-link resets: the link to click.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// Where the reset message went, masked.
    pub masked_email: String,
}

/// Body of `POST /v1/auth/password/update` (bearer: the refresh token).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordUpdateRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new password.
    pub new_password: Password,
}

/// The project's password policy (`GET /v1/auth/password/policy`).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordPolicy {
    /// Minimum number of characters.
    pub min_length: u32,
    /// At least one lower-case letter.
    pub lowercase: bool,
    /// At least one upper-case letter.
    pub uppercase: bool,
    /// At least one digit.
    pub number: bool,
    /// At least one character that is neither a letter nor a digit.
    pub non_alphanumeric: bool,
}

/// A test of one character (a policy rule).
type CharTest = fn(char) -> bool;

impl PasswordPolicy {
    /// The rules `password` breaks, in words (empty when it complies). Counts characters,
    /// not bytes.
    pub fn violations(&self, password: &str) -> Vec<&'static str> {
        let mut broken = Vec::new();
        let length = password.chars().count();
        if usize::try_from(self.min_length).is_ok_and(|min| length < min) {
            broken.push("too short");
        }
        let rules: [(bool, CharTest, &'static str); 4] = [
            (self.lowercase, char::is_lowercase, "no lower-case letter"),
            (self.uppercase, char::is_uppercase, "no upper-case letter"),
            (self.number, char::is_numeric, "no digit"),
            (
                self.non_alphanumeric,
                |c: char| !c.is_alphanumeric(),
                "no character other than letters and digits",
            ),
        ];
        for (required, test, message) in rules {
            if required && !password.chars().any(test) {
                broken.push(message);
            }
        }
        broken
    }
}

impl fmt::Debug for PasswordPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordPolicy")
            .field("min_length", &self.min_length)
            .field("lowercase", &self.lowercase)
            .field("uppercase", &self.uppercase)
            .field("number", &self.number)
            .field("non_alphanumeric", &self.non_alphanumeric)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn passwords_stay_out_of_debug() {
        let body = PasswordReplaceRequest {
            login_id: "a@x.io".into(),
            old_password: Password::new("old-Secret1"),
            new_password: Password::new("new-Secret2"),
        };
        let debug = format!("{body:?}");
        assert!(!debug.contains("Secret"), "{debug}");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"loginId": "a@x.io", "oldPassword": "old-Secret1", "newPassword": "new-Secret2"})
        );
    }

    #[test]
    fn policy_rules() {
        let policy: PasswordPolicy = serde_json::from_value(json!({
            "minLength": 8, "lowercase": true, "uppercase": true, "number": true,
            "nonAlphanumeric": true
        }))
        .unwrap();
        assert!(policy.violations("Secr3t!Pass").is_empty());
        assert_eq!(
            policy.violations("short"),
            [
                "too short",
                "no upper-case letter",
                "no digit",
                "no character other than letters and digits"
            ]
        );
        assert_eq!(PasswordPolicy::default().violations(""), Vec::<&str>::new());
        let reset: PasswordResetResponse = serde_json::from_str("{}").unwrap();
        assert_eq!(reset.masked_email, "");
    }
}
