//! OneTap (Google One Tap): the provider's client id for the browser prompt, and the ID
//! token the prompt yields, verified by Descope. Only the Node SDK has these calls.

use serde::{Deserialize, Serialize};

use crate::options::{LoginOptions, OAuthProvider};
use crate::secret::{ExchangeCode, IdToken};

/// Answer of `GET /v1/auth/onetap/clientid/{provider}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneTapClientIdResponse {
    /// The provider's OAuth client id configured in the project.
    #[serde(default)]
    pub client_id: String,
}

/// Body of `POST /v1/auth/onetap/idtoken/verify` and `POST /v1/auth/onetap/idtoken/exchange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneTapIdTokenRequest {
    /// The provider that issued the ID token (e.g. `google`).
    pub provider: OAuthProvider,
    /// The provider's ID token (secret).
    pub id_token: IdToken,
    /// The nonce the prompt was started with; the ID token must carry it.
    pub nonce: String,
    /// Login options (custom claims, a tenant to select...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
}

/// Answer of `POST /v1/auth/onetap/idtoken/verify`: a one-time code for
/// `POST /v1/auth/oauth/exchange`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneTapCodeResponse {
    /// The code to exchange for the session (secret).
    #[serde(default)]
    pub code: ExchangeCode,
}
