//! Enchanted link: the start calls (sign-up, sign-in, sign-up-or-in, update email/phone),
//! the link's verification and the pending session the starting device polls for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::options::LoginOptions;
use crate::requests::SignUpUser;
use crate::secret::secret_type;

secret_type!(
    /// The reference an enchanted-link start returns (`pendingRef`): whoever holds it can
    /// collect the session once the link is clicked.
    PendingRef
);
secret_type!(
    /// The one-time token of an enchanted link (the `t` query parameter of the link).
    EnchantedLinkToken
);

/// Body of `POST /v1/auth/enchantedlink/signup/{email|sms}`.
///
/// The Python SDK (and Go, Java) also send the address at the top level (`email` or
/// `phone`); Node does not. Both forms are accepted by Descope.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkSignUpRequest {
    /// The new user's login id.
    pub login_id: String,
    /// Where the link leads (the page that verifies the token); empty: the project's
    /// configured URL.
    #[serde(rename = "URI", default)]
    pub uri: String,
    /// Optional user details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignUpUser>,
    /// The email address the link goes to (email delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number the link goes to (SMS delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Sign-up options (custom claims, templates, revoking other sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// The messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/enchantedlink/signin/{email|sms}` and
/// `POST /v1/auth/enchantedlink/signup-in/{email|sms}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkSignInRequest {
    /// The user's login id.
    pub login_id: String,
    /// Where the link leads; empty: the project's configured URL.
    #[serde(rename = "URI", default)]
    pub uri: String,
    /// Login options; both official SDKs always send them (`{}` by default).
    #[serde(default)]
    pub login_options: LoginOptions,
    /// The messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/enchantedlink/verify`: the token from the clicked link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkVerifyRequest {
    /// The link's token (`t`).
    pub token: EnchantedLinkToken,
}

/// Body of `POST /v1/auth/enchantedlink/pending-session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkPendingSessionRequest {
    /// The start call's `pendingRef`.
    pub pending_ref: PendingRef,
}

/// Body of `POST /v1/auth/enchantedlink/update/email`: sends a link to a new address; the
/// click adds it to the signed-in user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkUpdateEmailRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new email address.
    pub email: String,
    /// Where the link leads (Node sends it; Python does not).
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Also make the new address a login id.
    #[serde(
        rename = "addToLoginIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub add_to_login_ids: Option<bool>,
    /// When the address is another user's login id, merge into that existing user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_merge_use_existing: Option<bool>,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Message template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Add the address as a second factor of the session (Node only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
}

/// Body of `POST /v1/auth/enchantedlink/update/phone/sms` (the Python SDK's
/// `update_user_phone`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkUpdatePhoneRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new phone number.
    pub phone: String,
    /// Where the link leads.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Also make the new number a login id.
    #[serde(
        rename = "addToLoginIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub add_to_login_ids: Option<bool>,
    /// When the number is another user's login id, merge into that existing user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_merge_use_existing: Option<bool>,
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

/// The answer of every enchanted-link start call: which link to click, and the reference
/// to poll with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnchantedLinkResponse {
    /// The number shown to the user: of the links sent, the one to click.
    #[serde(default)]
    pub link_id: String,
    /// The reference to collect the session with (secret).
    #[serde(default)]
    pub pending_ref: PendingRef,
    /// The email address the link went to, masked (email delivery).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub masked_email: String,
    /// The phone number the link went to, masked (SMS delivery).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub masked_phone: String,
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;

    const CAPTURES: [&str; 2] = [
        include_str!("../../../tests/fixtures/wire-captures/python-sdk-2.16.1-ext.jsonl"),
        include_str!("../../../tests/fixtures/wire-captures/node-sdk-2.13.0-ext.jsonl"),
    ];

    fn without_nulls(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), without_nulls(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn round_trip<T: Serialize + DeserializeOwned>(path: &str, body: &Value) {
        let parsed: T =
            serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{path}: {e}\n{body}"));
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            without_nulls(body),
            "{path}"
        );
    }

    /// Every enchanted-link request of both SDKs parses and re-serializes unchanged.
    #[test]
    fn captured_requests_round_trip() {
        let mut seen = 0;
        for line in CAPTURES.iter().flat_map(|c| c.lines()) {
            let record: Value = serde_json::from_str(line).unwrap();
            let path = record["path"].as_str().unwrap_or_default();
            let Some(rest) = path.strip_prefix("/v1/auth/enchantedlink/") else {
                continue;
            };
            let body = &record["body"];
            match rest {
                "signup/email" | "signup/sms" => {
                    round_trip::<EnchantedLinkSignUpRequest>(path, body)
                }
                "signin/email" | "signin/sms" | "signup-in/email" | "signup-in/sms" => {
                    round_trip::<EnchantedLinkSignInRequest>(path, body)
                }
                "verify" => round_trip::<EnchantedLinkVerifyRequest>(path, body),
                "pending-session" => round_trip::<EnchantedLinkPendingSessionRequest>(path, body),
                "update/email" => round_trip::<EnchantedLinkUpdateEmailRequest>(path, body),
                "update/phone/sms" => round_trip::<EnchantedLinkUpdatePhoneRequest>(path, body),
                other => panic!("unexpected enchanted-link path {other}"),
            }
            seen += 1;
        }
        assert!(seen >= 20, "{seen}");
    }

    #[test]
    fn response_parses_and_redacts() {
        let r: EnchantedLinkResponse = serde_json::from_str(
            r#"{"linkId":"42","pendingRef":"pref-secret","maskedEmail":"a***@example.com"}"#,
        )
        .unwrap();
        assert_eq!(r.link_id, "42");
        assert_eq!(r.pending_ref.secret(), "pref-secret");
        assert!(!format!("{r:?}").contains("pref-secret"));
        let empty: EnchantedLinkResponse = serde_json::from_str("{}").unwrap();
        assert!(empty.pending_ref.is_empty());
        let verify = EnchantedLinkVerifyRequest {
            token: EnchantedLinkToken::new("tok-secret"),
        };
        assert!(!format!("{verify:?}").contains("tok-secret"));
        assert_eq!(
            serde_json::to_string(&verify).unwrap(),
            r#"{"token":"tok-secret"}"#
        );
    }
}
