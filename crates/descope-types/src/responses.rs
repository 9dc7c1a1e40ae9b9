//! Response bodies. Every field is optional and unknown fields are ignored, so older and
//! newer servers both parse.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::secret::{DeviceToken, ExternalToken, RefreshToken, SessionToken, TotpKey};
use crate::user::UserResponse;

/// A JSON value kept as the text it arrived as; decoding it is left to whoever reads it.
///
/// ```
/// use descope_types::JwtResponse;
///
/// let answer: JwtResponse = serde_json::from_str(r#"{"claims": {"sub": "U2abc"}}"#)?;
/// let claims = answer.claims.expect("present");
/// assert_eq!(claims.get(), r#"{"sub": "U2abc"}"#);
/// assert_eq!(claims.to_map().expect("an object")["sub"], "U2abc");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<RawValue>);

/// Serialized as the value it holds, for any serializer (serde_json's own `RawValue` turns
/// into a private marker struct under other serializers).
impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::from_str::<Value>(self.get())
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl RawJson {
    /// The JSON text of `value`; `None` if it cannot be encoded as JSON.
    pub fn from_value(value: &impl Serialize) -> Option<Self> {
        serde_json::value::to_raw_value(value).ok().map(Self)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The value decoded as a JSON object; `None` when it is another kind of value.
    pub fn to_map(&self) -> Option<Map<String, Value>> {
        serde_json::from_str(self.get()).ok()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

/// `{url}`: the answer of OAuth, SSO and SAML start calls.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlResponse {
    /// Where to send the browser.
    #[serde(default)]
    pub url: String,
    /// Error id (OpenAPI), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

/// Answer of `POST /v1/auth/oauth/native/start`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeStartResponse {
    /// The provider client id to run the platform sign-in with.
    #[serde(default)]
    pub client_id: String,
    /// Pass back to native finish.
    #[serde(default)]
    pub state_id: String,
    /// Hand to the provider; its ID token must carry it.
    #[serde(default)]
    pub nonce: String,
    /// Whether to finish with the ID token (`true`) or a code (`false`).
    #[serde(default)]
    pub implicit: bool,
}

/// Answer of TOTP sign-up and update: what an authenticator app needs.
///
/// Every field carries the shared secret (the URL's `secret=`, the QR code of that URL, the
/// key), so `Debug` prints none of them.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TotpResponse {
    /// `otpauth://` URL that opens an authenticator app.
    #[serde(rename = "provisioningURL", alias = "provisioningUrl", default)]
    pub provisioning_url: String,
    /// Standard base64 of a QR-code image of the provisioning URL (no `data:` prefix).
    #[serde(default)]
    pub image: String,
    /// The shared secret, base32, to type in manually.
    #[serde(default)]
    pub key: TotpKey,
}

impl std::fmt::Debug for TotpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpResponse")
            .field("provisioning_url", &"[redacted]")
            .field(
                "image",
                &format_args!("<{} base64 chars>", self.image.len()),
            )
            .field("key", &self.key)
            .finish()
    }
}

/// Data from the identity provider in an SSO exchange.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdpResponse {
    /// The raw SAML response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_response: Option<String>,
    /// User generated from SAML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_generated_user: Option<String>,
    /// Roles generated from SAML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_generated_roles: Option<String>,
    /// The raw OIDC response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_response: Option<String>,
    /// User generated from OIDC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_generated_user: Option<String>,
    /// Roles generated from OIDC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_generated_roles: Option<String>,
    /// Groups the IdP reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub idp_groups: Vec<String>,
    /// SAML attributes (an object; the OpenAPI document types it as a boolean).
    #[serde(
        rename = "idpSAMLAttributes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub idp_saml_attributes: Option<Value>,
    /// OIDC claims.
    #[serde(
        rename = "idpOIDCClaims",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub idp_oidc_claims: Option<Value>,
}

/// The answer of every call that signs a user in or changes a session: exchange, TOTP
/// verify, native finish, refresh, select tenant, and (with empty values) logout.
///
/// In "tokens in cookies" mode `session_jwt`/`refresh_jwt` may be absent and the tokens
/// arrive in `Set-Cookie` headers instead. Logout answers with empty strings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtResponse {
    /// The session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_jwt: Option<SessionToken>,
    /// The refresh JWT (on refresh: only when rotation is on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_jwt: Option<RefreshToken>,
    /// Cookie domain for the tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_domain: Option<String>,
    /// Cookie path for the tokens (clients default to `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_path: Option<String>,
    /// Refresh cookie max-age, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_max_age: Option<i64>,
    /// Refresh cookie expiry, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_expiration: Option<i64>,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserResponse>,
    /// Whether this is the user's first sign-in (the Python SDK assumes `true` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<bool>,
    /// IdP data (SSO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_response: Option<IdpResponse>,
    /// The SSO configuration used (SSO).
    #[serde(
        rename = "tenantSSOID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tenant_sso_id: Option<String>,
    /// Session expiry, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_expiration: Option<i64>,
    /// The session's claims, as the server sees them: kept as JSON text and decoded only on
    /// request ([`RawJson::to_map`]), since clients read the claims of the validated token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<RawJson>,
    /// Name of the refresh cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_name: Option<String>,
    /// Name of the session cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_cookie_name: Option<String>,
    /// Domain of the session cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_cookie_domain: Option<String>,
    /// Trusted-device JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_device_jwt: Option<DeviceToken>,
    /// Known-device JWT (core-js only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_device_jwt: Option<DeviceToken>,
    /// Seconds until the client should refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_refresh_seconds: Option<i64>,
    /// External token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_token: Option<ExternalToken>,
    /// Unsaved SSO configuration test.
    #[serde(
        rename = "unsavedSSO",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub unsaved_sso: Option<bool>,
}

/// One tenant in the answer of `POST /v1/auth/me/tenants`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    /// Tenant id.
    #[serde(default)]
    pub id: String,
    /// Tenant name.
    #[serde(default)]
    pub name: String,
    /// Custom attributes, arbitrary JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

/// Answer of `POST /v1/auth/me/tenants`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MyTenantsResponse {
    /// The tenants.
    #[serde(default)]
    pub tenants: Vec<TenantInfo>,
}

/// One login in the user's history.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserHistoryEntry {
    /// The user id.
    #[serde(default)]
    pub user_id: String,
    /// When, unix seconds.
    #[serde(default)]
    pub login_time: i64,
    /// City (geo-IP).
    #[serde(default)]
    pub city: String,
    /// Country (geo-IP).
    #[serde(default)]
    pub country: String,
    /// Client IP.
    #[serde(default)]
    pub ip: String,
    /// Tenant selected at the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_tenant: Option<String>,
}

/// Answer of `GET /v1/auth/me/history`.
///
/// Go and Python read a bare JSON array; the OpenAPI document wraps it as
/// `{"authHistory": [...]}`. Both parse; it serializes as the bare array.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct UserHistoryResponse(pub Vec<UserHistoryEntry>);

impl<'de> Deserialize<'de> for UserHistoryResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bare(Vec<UserHistoryEntry>),
            Wrapped {
                #[serde(rename = "authHistory", default)]
                auth_history: Vec<UserHistoryEntry>,
            },
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Bare(v) => Self(v),
            Either::Wrapped { auth_history } => Self(auth_history),
        })
    }
}

/// Answer of `POST /v1/auth/accesskey/exchange`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyExchangeResponse {
    /// The access key's id.
    #[serde(default)]
    pub key_id: String,
    /// The issued session JWT.
    #[serde(default)]
    pub session_jwt: SessionToken,
    /// Expiry, unix seconds (core-js type and docs; not in the OpenAPI schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<i64>,
}

/// Answer of `POST /v1/auth/validate` (docs only).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ValidateResponse {
    /// The parsed claims.
    #[serde(rename = "parsedJWT", default)]
    pub parsed_jwt: BTreeMap<String, Value>,
}
