//! SSO settings of a tenant: `/v2/mgmt/sso/settings` (load), `/v1/mgmt/sso/{oidc,saml,
//! saml/metadata,mapping}` (configure) and `DELETE /v1/mgmt/sso/settings`.
//!
//! Configure and load spell some fields differently (`entityId` is read back as
//! `idpEntityId`, `idpUrl` as `idpSSOUrl`, `idpCert` as `idpCertificate`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::nullable;
use super::tenants::Tenant;
use crate::secret::secret_type;

secret_type!(
    /// An OIDC identity provider's client secret (sent when configuring; never read back).
    OidcClientSecret
);

/// Which IdP groups give which role (`{groups, role}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleMapping {
    /// IdP group names.
    #[serde(default, deserialize_with = "nullable")]
    pub groups: Vec<String>,
    /// The role given to members of any of the groups (the Python SDK sends `roleName`).
    #[serde(default, alias = "roleName")]
    pub role: String,
}

/// Which SAML assertion attribute fills which user field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SamlAttributeMapping {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Groups (matched by role mappings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Custom attribute → assertion attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

/// Which OIDC claim fills which user field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcAttributeMapping {
    /// Login id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
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
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<String>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
}

/// An OIDC identity provider: the `settings` of `POST /v1/mgmt/sso/oidc`, and the `oidc` of
/// a load (without the client secret).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoOidcSettings {
    /// A name for the provider.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The client id at the provider.
    #[serde(default, deserialize_with = "nullable")]
    pub client_id: String,
    /// The client secret (configure only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<OidcClientSecret>,
    /// Where the provider redirects back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    /// Token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// User info endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data_url: Option<String>,
    /// Scopes asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<String>>,
    /// The provider's key set.
    #[serde(
        default,
        rename = "JWKsUrl",
        alias = "jwksUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub jwks_url: Option<String>,
    /// Claim → user field (Node's type calls it `attributeMapping`).
    #[serde(
        default,
        alias = "attributeMapping",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_attr_mapping: Option<OidcAttributeMapping>,
    /// Whether Descope keeps the provider's tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_provider_tokens: Option<bool>,
    /// Domain of the callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_domain: Option<String>,
    /// `prompt` values sent to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Vec<String>>,
    /// Grant type (`authorization_code`, `implicit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
    /// The provider's issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Group names, most important first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_priority: Option<Vec<String>>,
    /// Whether PKCE is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_pkce: Option<bool>,
    /// Roles given to every SSO user (load only; set them with a mapping).
    #[serde(
        default,
        rename = "defaultSSORoles",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_sso_roles: Option<Vec<String>>,
    /// Group → role mappings (load only; set them with a mapping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_mapping: Option<Vec<GroupsMapping>>,
}

/// A SAML identity provider given by values: the `settings` of `POST /v1/mgmt/sso/saml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoSamlSettings {
    /// The IdP's SSO URL.
    #[serde(default, deserialize_with = "nullable")]
    pub idp_url: String,
    /// The IdP's entity id.
    #[serde(default, deserialize_with = "nullable")]
    pub entity_id: String,
    /// The IdP's signing certificate (PEM body).
    #[serde(default, deserialize_with = "nullable")]
    pub idp_cert: String,
    /// More IdP certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_additional_certs: Option<Vec<String>>,
    /// Assertion attribute → user field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_mapping: Option<SamlAttributeMapping>,
    /// Group → role mappings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_mappings: Option<Vec<RoleMapping>>,
    /// Roles given to every SSO user.
    #[serde(
        default,
        rename = "defaultSSORoles",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_sso_roles: Option<Vec<String>>,
    /// Group names, most important first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_priority: Option<Vec<String>>,
    /// Service provider ACS URL (only to migrate an existing setup).
    #[serde(default, rename = "spACSUrl", skip_serializing_if = "Option::is_none")]
    pub sp_acs_url: Option<String>,
    /// Service provider entity id (only to migrate an existing setup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_entity_id: Option<String>,
    /// Whether AuthnRequests go unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_sign_request: Option<bool>,
}

/// A SAML identity provider given by its metadata: the `settings` of
/// `POST /v1/mgmt/sso/saml/metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoSamlMetadataSettings {
    /// Where the IdP publishes its metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub idp_metadata_url: String,
    /// The IdP's entity id, when the metadata names several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Assertion attribute → user field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_mapping: Option<SamlAttributeMapping>,
    /// Group → role mappings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_mappings: Option<Vec<RoleMapping>>,
    /// Roles given to every SSO user.
    #[serde(
        default,
        rename = "defaultSSORoles",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_sso_roles: Option<Vec<String>>,
    /// Group names, most important first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_priority: Option<Vec<String>>,
    /// Service provider ACS URL (only to migrate an existing setup).
    #[serde(default, rename = "spACSUrl", skip_serializing_if = "Option::is_none")]
    pub sp_acs_url: Option<String>,
    /// Service provider entity id (only to migrate an existing setup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_entity_id: Option<String>,
    /// Whether AuthnRequests go unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_sign_request: Option<bool>,
}

/// Body of `POST /v1/mgmt/sso/oidc`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtSsoOidcRequest {
    /// The tenant.
    pub tenant_id: String,
    /// The provider.
    pub settings: SsoOidcSettings,
    /// SSO domains of the tenant (replace the current ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Which of the tenant's SSO configurations (default: its only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_id: Option<String>,
}

/// Body of `POST /v1/mgmt/sso/saml` (`S` = [`SsoSamlSettings`]) and
/// `/v1/mgmt/sso/saml/metadata` (`S` = [`SsoSamlMetadataSettings`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtSsoSamlRequest<S> {
    /// The tenant.
    pub tenant_id: String,
    /// The provider.
    pub settings: S,
    /// Where users land after signing in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// SSO domains of the tenant (replace the current ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Which of the tenant's SSO configurations (default: its only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_id: Option<String>,
}

/// Body of `POST /v1/mgmt/sso/mapping`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtSsoMappingRequest {
    /// The tenant.
    pub tenant_id: String,
    /// Group → role mappings (replace the current ones).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_mappings: Vec<RoleMapping>,
    /// Assertion attribute → user field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_mapping: Option<SamlAttributeMapping>,
    /// Roles given to every SSO user of the tenant.
    #[serde(
        default,
        rename = "defaultSSORoles",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_sso_roles: Option<Vec<String>>,
    /// Which of the tenant's SSO configurations (default: its only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_id: Option<String>,
}

/// A role as a loaded mapping names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedRole {
    /// Role id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Role name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
}

/// A group → role mapping as loaded (`{role: {id, name}, groups}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsMapping {
    /// The role.
    #[serde(default)]
    pub role: MappedRole,
    /// IdP group names.
    #[serde(default, deserialize_with = "nullable")]
    pub groups: Vec<String>,
}

/// The SAML part of a load (`saml`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoSamlSettingsResponse {
    /// The IdP's entity id.
    #[serde(default, deserialize_with = "nullable")]
    pub idp_entity_id: String,
    /// The IdP's SSO URL.
    #[serde(default, rename = "idpSSOUrl", deserialize_with = "nullable")]
    pub idp_sso_url: String,
    /// The IdP's certificate.
    #[serde(default, deserialize_with = "nullable")]
    pub idp_certificate: String,
    /// The IdP's metadata URL.
    #[serde(default, deserialize_with = "nullable")]
    pub idp_metadata_url: String,
    /// Service provider entity id.
    #[serde(default, deserialize_with = "nullable")]
    pub sp_entity_id: String,
    /// Service provider ACS URL.
    #[serde(default, rename = "spACSUrl", deserialize_with = "nullable")]
    pub sp_acs_url: String,
    /// Service provider certificate.
    #[serde(default, deserialize_with = "nullable")]
    pub sp_certificate: String,
    /// Assertion attribute → user field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_mapping: Option<SamlAttributeMapping>,
    /// Group → role mappings.
    #[serde(default, deserialize_with = "nullable")]
    pub groups_mapping: Vec<GroupsMapping>,
    /// Roles given to every SSO user.
    #[serde(default, rename = "defaultSSORoles", deserialize_with = "nullable")]
    pub default_sso_roles: Vec<String>,
    /// Group names, most important first.
    #[serde(default, deserialize_with = "nullable")]
    pub groups_priority: Vec<String>,
    /// Where users land after signing in.
    #[serde(default, deserialize_with = "nullable")]
    pub redirect_url: String,
}

/// Answer of `GET /v2/mgmt/sso/settings`: the tenant and its SAML or OIDC provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoTenantSettings {
    /// The tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
    /// The SAML provider, if one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml: Option<SsoSamlSettingsResponse>,
    /// The OIDC provider, if one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<SsoOidcSettings>,
    /// Which SSO configuration this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_id: Option<String>,
}
