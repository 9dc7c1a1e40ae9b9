//! nOTP (WhatsApp "no OTP"): the start calls answer a link (and its QR code) that opens
//! WhatsApp with a message to send; once the user sends it, the device that started the
//! flow collects the session with the pending reference, as with an enchanted link. Only the
//! Node SDK has these calls.

use serde::{Deserialize, Serialize};

use crate::enchantedlink::PendingRef;
use crate::options::LoginOptions;
use crate::requests::SignUpUser;

/// Body of `POST /v1/auth/notp/whatsapp/signup`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotpSignUpRequest {
    /// The new user's login id (a phone number).
    pub login_id: String,
    /// Optional user details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignUpUser>,
    /// Sign-up options; the Node SDK always sends them (`{}` by default).
    #[serde(default)]
    pub login_options: LoginOptions,
    /// The messaging provider to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/notp/whatsapp/signin` and `POST /v1/auth/notp/whatsapp/signup-in`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotpSignInRequest {
    /// The user's login id (a phone number).
    pub login_id: String,
    /// Login options; the Node SDK always sends them (`{}` by default).
    #[serde(default)]
    pub login_options: LoginOptions,
    /// The messaging provider to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/notp/pending-session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotpPendingSessionRequest {
    /// The start call's `pendingRef`.
    pub pending_ref: PendingRef,
}

/// The answer of every nOTP start call.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotpResponse {
    /// The reference to collect the session with (secret).
    #[serde(default)]
    pub pending_ref: PendingRef,
    /// The link that opens WhatsApp with the message to send (for a phone's browser).
    #[serde(default)]
    pub redirect_url: String,
    /// The same link as a QR code image (base64), for a desktop browser.
    #[serde(default)]
    pub image: String,
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;
    use crate::onetap::OneTapIdTokenRequest;

    const NODE: &str =
        include_str!("../../../tests/fixtures/wire-captures/node-sdk-2.13.0-ext.jsonl");

    fn round_trip<T: Serialize + DeserializeOwned>(path: &str, body: &Value) {
        let parsed: T =
            serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{path}: {e}\n{body}"));
        assert_eq!(serde_json::to_value(&parsed).unwrap(), *body, "{path}");
    }

    /// Every nOTP and OneTap request of the Node SDK parses and re-serializes unchanged.
    #[test]
    fn captured_requests_round_trip() {
        let mut seen = 0;
        for line in NODE.lines() {
            let record: Value = serde_json::from_str(line).unwrap();
            let path = record["path"].as_str().unwrap_or_default();
            let body = &record["body"];
            match path {
                "/v1/auth/notp/whatsapp/signup" => round_trip::<NotpSignUpRequest>(path, body),
                "/v1/auth/notp/whatsapp/signin" | "/v1/auth/notp/whatsapp/signup-in" => {
                    round_trip::<NotpSignInRequest>(path, body)
                }
                "/v1/auth/notp/pending-session" => {
                    round_trip::<NotpPendingSessionRequest>(path, body)
                }
                "/v1/auth/onetap/idtoken/verify" | "/v1/auth/onetap/idtoken/exchange" => {
                    round_trip::<OneTapIdTokenRequest>(path, body)
                }
                _ => continue,
            }
            seen += 1;
        }
        assert_eq!(seen, 7);
    }

    #[test]
    fn response_parses_and_redacts() {
        let r: NotpResponse = serde_json::from_str(
            r#"{"pendingRef":"pref-secret","redirectUrl":"https://wa.me/1","image":"iVBOR"}"#,
        )
        .unwrap();
        assert_eq!(r.pending_ref.secret(), "pref-secret");
        assert_eq!(r.redirect_url, "https://wa.me/1");
        assert!(!format!("{r:?}").contains("pref-secret"));
        let empty: NotpResponse = serde_json::from_str("{}").unwrap();
        assert!(empty.pending_ref.is_empty());
    }
}
