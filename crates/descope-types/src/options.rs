//! Login options and the query parameters of the start calls.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Options for a sign-in (the JSON body of start calls, `loginOptions` elsewhere).
///
/// Every field is optional and omitted from the JSON when unset. `stepup` and `mfa` are
/// `Option<bool>` so that a body carrying an explicit `false` (as the Python SDK sends)
/// round-trips unchanged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOptions {
    /// Step-up: raise the authentication level of an existing session. Requires the
    /// current refresh token in the bearer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stepup: Option<bool>,
    /// Add a second factor to an existing session. Requires the current refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Extra claims to put in the issued session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// Revoke the user's other sessions on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions: Option<bool>,
    /// Which kinds of other sessions to revoke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions_types: Option<Vec<String>>,
    /// Message template to use (email/SMS methods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Tenant to select in the issued session (`dct`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Locale for messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// SSO application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_app_id: Option<String>,
    /// PKCE challenge (enchanted links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce_challenge: Option<String>,
}

impl LoginOptions {
    /// Options asking for step-up.
    pub fn stepup() -> Self {
        Self {
            stepup: Some(true),
            ..Self::default()
        }
    }

    /// Options asking for MFA.
    pub fn mfa() -> Self {
        Self {
            mfa: Some(true),
            ..Self::default()
        }
    }

    /// Whether these options need the current refresh token in the bearer
    /// (`stepup` or `mfa` is set).
    pub fn requires_refresh_token(&self) -> bool {
        self.stepup == Some(true) || self.mfa == Some(true)
    }
}

/// Login options for an access-key exchange.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyLoginOptions {
    /// Extra claims for the issued session JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// Tenant to select in the issued session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_tenant: Option<String>,
}

/// An OAuth provider. Unknown names (custom providers) are kept as [`OAuthProvider::Custom`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthProvider {
    /// `google`
    Google,
    /// `apple`
    Apple,
    /// `facebook`
    Facebook,
    /// `github`
    Github,
    /// `gitlab`
    Gitlab,
    /// `microsoft`
    Microsoft,
    /// `slack`
    Slack,
    /// `discord`
    Discord,
    /// `linkedin`
    Linkedin,
    /// Any other (custom) provider, by its configured name.
    Custom(String),
}

impl OAuthProvider {
    /// The provider's wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Google => "google",
            Self::Apple => "apple",
            Self::Facebook => "facebook",
            Self::Github => "github",
            Self::Gitlab => "gitlab",
            Self::Microsoft => "microsoft",
            Self::Slack => "slack",
            Self::Discord => "discord",
            Self::Linkedin => "linkedin",
            Self::Custom(name) => name,
        }
    }

    /// The provider for a wire name; built-in names map to their variant, anything else to
    /// `Custom`.
    pub fn from_name(name: &str) -> Self {
        match name {
            "google" => Self::Google,
            "apple" => Self::Apple,
            "facebook" => Self::Facebook,
            "github" => Self::Github,
            "gitlab" => Self::Gitlab,
            "microsoft" => Self::Microsoft,
            "slack" => Self::Slack,
            "discord" => Self::Discord,
            "linkedin" => Self::Linkedin,
            other => Self::Custom(other.to_owned()),
        }
    }
}

impl fmt::Display for OAuthProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OAuthProvider {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_name(s))
    }
}

impl From<&str> for OAuthProvider {
    fn from(s: &str) -> Self {
        Self::from_name(s)
    }
}

impl Serialize for OAuthProvider {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OAuthProvider {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Self::from_name(&name))
    }
}

/// Query parameters of `POST /v1/auth/oauth/authorize[/signup|/signin|/update]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthStartParams {
    /// The provider to sign in with.
    pub provider: OAuthProvider,
    /// Where the provider sends the browser back with `code`. Sent as `redirectURL`
    /// (the OpenAPI document and the Swift SDK spell it `redirectUrl`; both are accepted).
    #[serde(
        rename = "redirectURL",
        alias = "redirectUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_url: Option<String>,
    /// Hint of the login id to preselect at the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// `/authorize/update` only: allow merging with any existing user.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bool_from_str_or_bool"
    )]
    pub allow_all_merge: Option<bool>,
}

impl OAuthStartParams {
    /// Parameters for a provider, with nothing else set.
    pub fn new(provider: impl Into<OAuthProvider>) -> Self {
        Self {
            provider: provider.into(),
            redirect_url: None,
            login_hint: None,
            allow_all_merge: None,
        }
    }

    /// The query pairs, in the order the official SDKs send them, unset ones omitted.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("provider", self.provider.as_str().to_owned())];
        push_opt(&mut pairs, "redirectURL", &self.redirect_url);
        push_opt(&mut pairs, "loginHint", &self.login_hint);
        if self.allow_all_merge == Some(true) {
            pairs.push(("allowAllMerge", "true".to_owned()));
        }
        pairs
    }
}

/// Query parameters of `POST /v1/auth/sso/authorize` and the legacy
/// `POST /v1/auth/saml/authorize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoStartParams {
    /// Tenant id, tenant name, or an email whose domain selects the tenant.
    pub tenant: String,
    /// Where the IdP flow returns with `code` (also accepted as `redirectUrl`).
    #[serde(
        rename = "redirectURL",
        alias = "redirectUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_url: Option<String>,
    /// OIDC `prompt` passed to the IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Which of the tenant's SSO configurations to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_id: Option<String>,
    /// Login hint passed to the IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// Force the IdP to authenticate again.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bool_from_str_or_bool"
    )]
    pub force_authn: Option<bool>,
    /// The email that initiated the flow (Node SDK `enforceInitiatedEmail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_email: Option<String>,
}

impl SsoStartParams {
    /// Parameters for a tenant (id, name or email), with nothing else set.
    pub fn new(tenant: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            redirect_url: None,
            prompt: None,
            sso_id: None,
            login_hint: None,
            force_authn: None,
            initiated_email: None,
        }
    }

    /// The query pairs, in the order the official SDKs send them, unset ones omitted.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("tenant", self.tenant.clone())];
        push_opt(&mut pairs, "redirectURL", &self.redirect_url);
        push_opt(&mut pairs, "prompt", &self.prompt);
        push_opt(&mut pairs, "ssoId", &self.sso_id);
        push_opt(&mut pairs, "loginHint", &self.login_hint);
        if let Some(force) = self.force_authn {
            pairs.push(("forceAuthn", force.to_string()));
        }
        push_opt(&mut pairs, "initiatedEmail", &self.initiated_email);
        pairs
    }
}

fn push_opt(pairs: &mut Vec<(&'static str, String)>, key: &'static str, value: &Option<String>) {
    if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
        pairs.push((key, v.clone()));
    }
}

/// Query strings carry booleans as text; JSON carries them as booleans. Accept both.
fn bool_from_str_or_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Option::<Flag>::deserialize(d)? {
        None => Ok(None),
        Some(Flag::Bool(b)) => Ok(Some(b)),
        Some(Flag::Text(t)) => match t.as_str() {
            "true" | "True" | "1" => Ok(Some(true)),
            "false" | "False" | "0" | "" => Ok(Some(false)),
            other => Err(serde::de::Error::custom(format_args!(
                "expected a boolean, got {other:?}"
            ))),
        },
    }
}
