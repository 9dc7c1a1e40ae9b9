//! Magic link: the bodies of `/v1/auth/magiclink/*`.
//!
//! The start calls answer a [`MaskedAddressResponse`](crate::MaskedAddressResponse); verify
//! answers a [`JwtResponse`](crate::JwtResponse).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{LoginOptions, MagicLinkToken, SignUpUser};

fn is_false(value: &bool) -> bool {
    !*value
}

/// Body of `POST /v1/auth/magiclink/signup/{method}`.
///
/// The Python SDK also puts the address at the top level, under the delivery method's name
/// (`email`, `phone`, `voice` or `whatsapp`); the fields are here so both shapes round-trip.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MagicLinkSignUpRequest {
    /// The new user's login id.
    pub login_id: String,
    /// Where the link leads (the token is added as `t`); the project's default when unset.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Details of the new user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignUpUser>,
    /// Sign-up options: custom claims, message template, revoking other sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// The messaging provider to send with (Node SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// The email address (email delivery, as the Python SDK sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number (SMS delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The phone number (voice delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    /// The phone number (WhatsApp delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp: Option<String>,
}

/// Body of `POST /v1/auth/magiclink/signin/{method}` and `/signup-in/{method}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MagicLinkSignInRequest {
    /// The user's login id.
    pub login_id: String,
    /// Where the link leads (the token is added as `t`); the project's default when unset.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Login options (step-up, MFA, custom claims, message template...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// The messaging provider to send with (Node SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/magiclink/verify`: the `t` of the link.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MagicLinkVerifyRequest {
    /// The one-time token from the link.
    pub token: MagicLinkToken,
}

/// Body of `POST /v1/auth/magiclink/update/email`: a link to the new address; verifying it
/// sets the address.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MagicLinkUpdateEmailRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new email address.
    pub email: String,
    /// Where the link leads (Node SDK); the project's default when unset.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Also make the new address a login id.
    #[serde(rename = "addToLoginIDs", default, skip_serializing_if = "is_false")]
    pub add_to_login_ids: bool,
    /// When the address is another user's login id, merge into that user.
    #[serde(default, skip_serializing_if = "is_false")]
    pub on_merge_use_existing: bool,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Message template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Treat the update as a second factor of the session (Node SDK).
    #[serde(default, skip_serializing_if = "is_false")]
    pub mfa: bool,
}

/// Body of `POST /v1/auth/magiclink/update/phone/{method}` (the Python SDK posts it to
/// `/v1/auth/magiclink/update/phone`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MagicLinkUpdatePhoneRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new phone number.
    pub phone: String,
    /// Where the link leads (Node SDK); the project's default when unset.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Also make the new number a login id.
    #[serde(rename = "addToLoginIDs", default, skip_serializing_if = "is_false")]
    pub add_to_login_ids: bool,
    /// When the number is another user's login id, merge into that user.
    #[serde(default, skip_serializing_if = "is_false")]
    pub on_merge_use_existing: bool,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Message template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wire_names() {
        let body = MagicLinkUpdateEmailRequest {
            login_id: "a@x.io".into(),
            email: "b@x.io".into(),
            uri: Some("http://l/v".into()),
            add_to_login_ids: true,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"loginId": "a@x.io", "email": "b@x.io", "URI": "http://l/v", "addToLoginIDs": true})
        );
        // Python's explicit `false`s and nulls parse.
        let parsed: MagicLinkUpdatePhoneRequest = serde_json::from_value(json!({
            "loginId": "a", "phone": "+1", "addToLoginIDs": false, "onMergeUseExisting": false,
            "templateOptions": null
        }))
        .unwrap();
        assert!(!parsed.add_to_login_ids);
        let verify = MagicLinkVerifyRequest {
            token: MagicLinkToken::new("tok-secret"),
        };
        assert!(!format!("{verify:?}").contains("tok-secret"));
        assert_eq!(
            serde_json::to_value(&verify).unwrap(),
            json!({"token": "tok-secret"})
        );
    }
}
