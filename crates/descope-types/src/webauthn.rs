//! WebAuthn (passkeys): the start and finish bodies of `/v1/auth/webauthn/*` and the start
//! answer.
//!
//! A ceremony has two calls. *Start* names the user and the page's origin and answers with a
//! transaction id and the options for the browser's `navigator.credentials.create()` (sign-up,
//! update) or `.get()` (sign-in), as a JSON **string**. *Finish* sends the transaction id and
//! the browser's credential, also as a JSON string.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::options::LoginOptions;
use crate::requests::SignUpUser;

/// The id of a started WebAuthn ceremony (`transactionId`).
///
/// With the challenge from the options it completes the ceremony, so it is kept out of
/// `Debug`; read it with [`secret`](Self::secret).
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebAuthnTransactionId(String);

impl WebAuthnTransactionId {
    /// Wraps a transaction id.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The id. Never log it.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Whether the id is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for WebAuthnTransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebAuthnTransactionId([redacted])")
    }
}

impl From<&str> for WebAuthnTransactionId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for WebAuthnTransactionId {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// `authenticatorSelection` of [`PasskeyOptions`]: which authenticators may be used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSelection {
    /// `platform` (built into the device) or `cross-platform` (a security key, a phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// `discouraged`, `preferred` or `required`: whether the credential is discoverable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_key: Option<String>,
    /// The older boolean form of `residentKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_resident_key: Option<bool>,
    /// `discouraged`, `preferred` or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
}

/// `passkeyOptions` of the start calls (sent by the Node SDK): preferences for the
/// credential options Descope builds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyOptions {
    /// Which authenticators may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelection>,
    /// Attestation conveyance: `none`, `indirect`, `direct` or `enterprise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// User verification: `discouraged`, `preferred` or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
}

/// The `user` of a WebAuthn sign-up: the login id plus optional details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnUser {
    /// The new user's login id.
    #[serde(default)]
    pub login_id: String,
    /// Name, email, phone...
    #[serde(flatten)]
    pub details: SignUpUser,
}

/// Body of `POST /v1/auth/webauthn/signup/start`.
///
/// The Python and Node SDKs send the login id inside `user`; the Go SDK also sends it at the
/// top level (`loginId`), which is accepted and omitted when unset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnSignUpStartRequest {
    /// The login id, at the top level (Go SDK); usually unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// The new user.
    pub user: WebAuthnUser,
    /// The origin of the page running the ceremony (`https://app.example.com`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// Login options (custom claims...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// Credential preferences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_options: Option<PasskeyOptions>,
}

/// Body of `POST /v1/auth/webauthn/signin/start` and `/v1/auth/webauthn/signup-in/start`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnSignInStartRequest {
    /// The user's login id.
    #[serde(default)]
    pub login_id: String,
    /// The origin of the page running the ceremony.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// Login options (step-up, MFA, custom claims...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// Credential preferences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_options: Option<PasskeyOptions>,
}

/// Body of `POST /v1/auth/webauthn/update/start` (adds a passkey to the signed-in user; the
/// refresh token is the bearer).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnUpdateStartRequest {
    /// The signed-in user's login id.
    #[serde(default)]
    pub login_id: String,
    /// The origin of the page running the ceremony (the Python SDK omits an empty one).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// Credential preferences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_options: Option<PasskeyOptions>,
    /// `true`: the finish answers with a session whose `amr` adds `webauthn` to the
    /// signed-in session's (sent only when true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Login options (the Go SDK's form of `mfa`); usually unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
}

/// Body of `POST /v1/auth/webauthn/{signup,signin,update}/finish`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnFinishRequest {
    /// From the start answer.
    #[serde(default)]
    pub transaction_id: WebAuthnTransactionId,
    /// The browser's credential (`PublicKeyCredential`, binary fields base64url) as a JSON
    /// string.
    #[serde(default)]
    pub response: String,
}

/// Answer of every WebAuthn start call.
///
/// `Debug` leaves out the transaction id and the options (they carry the challenge).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnStartResponse {
    /// Names the ceremony in the finish call.
    #[serde(default)]
    pub transaction_id: WebAuthnTransactionId,
    /// `{"publicKey": {...}}` for `navigator.credentials.create()` (when `create`) or
    /// `.get()`, binary fields base64url, as a JSON string.
    #[serde(default)]
    pub options: String,
    /// `true`: a new credential is to be created (`create()`); `false`: an existing one is
    /// to be used (`get()`).
    #[serde(default)]
    pub create: bool,
}

impl fmt::Debug for WebAuthnStartResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebAuthnStartResponse")
            .field("transaction_id", &self.transaction_id)
            .field("options", &format_args!("<{} bytes>", self.options.len()))
            .field("create", &self.create)
            .finish()
    }
}

/// Answer of `POST /v1/auth/webauthn/update/finish`: `{}`, or, when the start asked for
/// MFA, the new session under `jwt`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnUpdateFinishResponse {
    /// The session (MFA updates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<crate::responses::JwtResponse>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sign_up_start_shapes() {
        // Node's body.
        let node: WebAuthnSignUpStartRequest = serde_json::from_value(json!({
            "user": {"loginId": "wa@example.com", "name": "Wa"},
            "origin": "http://localhost:3000",
            "passkeyOptions": {"authenticatorSelection": {"authenticatorAttachment": "platform"},
                "attestation": "none", "userVerification": "preferred"}
        }))
        .unwrap();
        assert_eq!(node.user.login_id, "wa@example.com");
        assert_eq!(node.user.details.name.as_deref(), Some("Wa"));
        assert_eq!(
            serde_json::to_value(&node).unwrap()["user"],
            json!({"loginId": "wa@example.com", "name": "Wa"})
        );
        // Go's top-level login id.
        let go: WebAuthnSignUpStartRequest = serde_json::from_value(json!({
            "loginId": "wa@example.com", "user": {}, "origin": "http://localhost:3000"
        }))
        .unwrap();
        assert_eq!(go.login_id.as_deref(), Some("wa@example.com"));
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let start: WebAuthnStartResponse = serde_json::from_value(json!({
            "transactionId": "tx-secret", "options": "{\"publicKey\":{\"challenge\":\"c\"}}",
            "create": true
        }))
        .unwrap();
        let debug = format!("{start:?}");
        assert!(
            !debug.contains("tx-secret") && !debug.contains("challenge"),
            "{debug}"
        );
        assert_eq!(start.transaction_id.secret(), "tx-secret");
        let empty: WebAuthnStartResponse = serde_json::from_str("{}").unwrap();
        assert!(empty.transaction_id.is_empty() && !empty.create);
        let finish = WebAuthnFinishRequest {
            transaction_id: "tx-secret".into(),
            response: "{}".to_owned(),
        };
        assert!(!format!("{finish:?}").contains("tx-secret"));
    }
}
