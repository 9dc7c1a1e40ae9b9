//! Request bodies. Unset optional fields are omitted from the JSON.

use serde::{Deserialize, Serialize};

use crate::options::{AccessKeyLoginOptions, LoginOptions, OAuthProvider};
use crate::secret::{ExchangeCode, ExternalToken, IdToken, TotpCode};

/// Body of `POST /v1/auth/{oauth,sso,saml}/exchange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeExchangeRequest {
    /// The one-time code the redirect URL received.
    pub code: ExchangeCode,
}

/// Body of `POST /v1/auth/oauth/native/start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeStartRequest {
    /// The provider (e.g. `apple`, `google`).
    pub provider: OAuthProvider,
    /// Login options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// `true`: the app will finish with the provider's ID token; `false`: with a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implicit: Option<bool>,
}

/// Body of `POST /v1/auth/oauth/native/finish`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeFinishRequest {
    /// The provider used at start.
    pub provider: OAuthProvider,
    /// The `stateId` returned by native start.
    pub state_id: String,
    /// User details as a JSON-encoded *string* (see [`NativeUser::to_wire`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The provider's authorization code (non-implicit flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ExchangeCode>,
    /// The provider's ID token (implicit flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<IdToken>,
}

/// User details for native finish; sent JSON-encoded as a string in
/// [`NativeFinishRequest::user`] (Apple gives names only on first authorization).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeUser {
    /// Name parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<NativeUserName>,
    /// Email, when the provider gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Name parts of a [`NativeUser`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeUserName {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

impl NativeUser {
    /// The JSON string that goes into [`NativeFinishRequest::user`].
    pub fn to_wire(&self) -> String {
        // A struct of strings always serializes.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Parses the `user` string of a native finish request.
    pub fn from_wire(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}

/// User details sent with a sign-up (`user` in TOTP sign-up).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpUser {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Body of `POST /v1/auth/totp/signup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpSignUpRequest {
    /// The new user's login id.
    pub login_id: String,
    /// Optional user details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignUpUser>,
}

/// Body of `POST /v1/auth/totp/verify`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpVerifyRequest {
    /// The user's login id.
    pub login_id: String,
    /// The code from the authenticator app.
    pub code: TotpCode,
    /// Login options (step-up, MFA, custom claims...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
}

/// Body of `POST /v1/auth/totp/update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpUpdateRequest {
    /// The signed-in user's login id.
    pub login_id: String,
}

/// Body of `POST /v1/auth/refresh` (usually `{}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    /// An external token to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_token: Option<ExternalToken>,
}

/// Body of `POST /v1/auth/logout` and `/v1/auth/logoutall` (usually `{}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoutRequest {
    /// Which kinds of sessions to log out (unused by the SDKs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logout_type: Option<Vec<String>>,
}

/// Body of `POST /v1/auth/tenant/select`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectTenantRequest {
    /// The tenant id to select (becomes `dct` in the new session).
    pub tenant: String,
}

/// Body of `POST /v1/auth/me/tenants`: either `dct: true` (the selected tenant) or `ids`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MyTenantsRequest {
    /// Ask for the currently selected tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dct: Option<bool>,
    /// Ask for these tenant ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
}

/// Body of `POST /v1/auth/accesskey/exchange`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyExchangeRequest {
    /// Login options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<AccessKeyLoginOptions>,
}
