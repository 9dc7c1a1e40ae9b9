//! Access keys: the bodies of `/v1/mgmt/accesskey/*`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{TenantRoles, nullable};
use crate::secret::AccessKey;

/// Body of `POST /v1/mgmt/accesskey/create`. `expireTime` is always sent (0: never expires),
/// as both official SDKs do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtAccessKeyCreateRequest {
    /// A name for people.
    pub name: String,
    /// Expiry, unix seconds; 0 for a key that never expires.
    #[serde(default, deserialize_with = "nullable")]
    pub expire_time: i64,
    /// Project-level roles.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_names: Vec<String>,
    /// Tenants and the key's roles in each.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub key_tenants: Vec<TenantRoles>,
    /// The user the key acts for (`boundUserId` in answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Claims added to every session JWT the key is exchanged for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// IP addresses or CIDR ranges the key may be used from.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub permitted_ips: Vec<String>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

/// Body of `POST /v1/mgmt/accesskey/update`: `id` and `name` always; every other field
/// replaces the key's when present and leaves it alone when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtAccessKeyUpdateRequest {
    /// The key id.
    pub id: String,
    /// The (new) name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Project-level roles (Node SDK only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_names: Option<Vec<String>>,
    /// Tenants and roles (Node SDK only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_tenants: Option<Vec<TenantRoles>>,
    /// Claims added to the key's session JWTs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// IP addresses or CIDR ranges the key may be used from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permitted_ips: Option<Vec<String>>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

/// Body of `POST /v1/mgmt/accesskey/search`: every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtAccessKeySearchRequest {
    /// Only keys in one of these tenants.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenant_ids: Vec<String>,
    /// Only keys bound to this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_user_id: Option<String>,
    /// Only keys created by this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating_user: Option<String>,
    /// Only keys whose custom attributes hold these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

/// Body of `POST /v1/mgmt/accesskey/{activate,deactivate,delete}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MgmtAccessKeyIdRequest {
    /// The key id.
    pub id: String,
}

/// A tenant of an access key, as answers carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyTenant {
    /// The tenant id.
    #[serde(default)]
    pub tenant_id: String,
    /// The tenant name, when the answer names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_name: Option<String>,
    /// The key's roles in the tenant (`roles` in the Go SDK's type).
    #[serde(default, alias = "roles", deserialize_with = "nullable")]
    pub role_names: Vec<String>,
}

/// An access key as the management API answers it: never its cleartext (only
/// [`MgmtAccessKeyCreateResponse`] carries that, once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyResponse {
    /// The key id (`keyId` and `sub` of the sessions it is exchanged for).
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Project-level roles.
    #[serde(default, deserialize_with = "nullable")]
    pub role_names: Vec<String>,
    /// Tenants and roles.
    #[serde(default, deserialize_with = "nullable")]
    pub key_tenants: Vec<AccessKeyTenant>,
    /// `active` or `inactive`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// Creation time, unix seconds.
    #[serde(default, deserialize_with = "nullable")]
    pub created_time: i64,
    /// Expiry, unix seconds; 0 when it never expires.
    #[serde(default, deserialize_with = "nullable")]
    pub expire_time: i64,
    /// Who created it.
    #[serde(default, deserialize_with = "nullable")]
    pub created_by: String,
    /// The client id of the key.
    #[serde(default, deserialize_with = "nullable")]
    pub client_id: String,
    /// The user the key acts for.
    #[serde(default, deserialize_with = "nullable")]
    pub bound_user_id: String,
    /// Claims added to the key's session JWTs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// IP addresses or CIDR ranges the key may be used from.
    #[serde(default, deserialize_with = "nullable")]
    pub permitted_ips: Vec<String>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

impl AccessKeyResponse {
    /// Whether the key can be exchanged (status `active`).
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// Answer of `POST /v1/mgmt/accesskey/create`: the key and its cleartext, which Descope
/// shows this once. `Debug` redacts the cleartext.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtAccessKeyCreateResponse {
    /// The new key.
    #[serde(default)]
    pub key: AccessKeyResponse,
    /// The secret to exchange (`Bearer <projectId>:<cleartext>`). Not shown again.
    pub cleartext: AccessKey,
}

/// Answer of `GET /v1/mgmt/accesskey` and `POST /v1/mgmt/accesskey/update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtAccessKeyResponse {
    /// The key.
    #[serde(default)]
    pub key: AccessKeyResponse,
}

/// Answer of `POST /v1/mgmt/accesskey/search`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtAccessKeysResponse {
    /// The keys.
    #[serde(default, deserialize_with = "nullable")]
    pub keys: Vec<AccessKeyResponse>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_bodies_and_the_cleartext_stays_out_of_debug() {
        let body = MgmtAccessKeyCreateRequest {
            name: "min-key".into(),
            ..MgmtAccessKeyCreateRequest::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"name":"min-key","expireTime":0}"#
        );
        let python: MgmtAccessKeyCreateRequest = serde_json::from_str(
            r#"{"name":"min-key","expireTime":0,"roleNames":[],"keyTenants":[],"userId":null,"customClaims":null,"description":null,"permittedIps":null,"customAttributes":null}"#,
        )
        .unwrap();
        assert_eq!(python, body);
        let created: MgmtAccessKeyCreateResponse = serde_json::from_str(
            r#"{"key":{"id":"K2x","keyTenants":[{"tenantId":"T","roles":["r"]}]},"cleartext":"very-secret-cleartext"}"#,
        )
        .unwrap();
        assert_eq!(created.cleartext.secret(), "very-secret-cleartext");
        assert_eq!(created.key.key_tenants[0].role_names, ["r"]);
        let debug = format!("{created:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        let _: MgmtAccessKeysResponse = serde_json::from_str(r#"{"keys":null}"#).unwrap();
        let update = MgmtAccessKeyUpdateRequest {
            id: "K".into(),
            name: "n".into(),
            ..MgmtAccessKeyUpdateRequest::default()
        };
        assert_eq!(
            serde_json::to_string(&update).unwrap(),
            r#"{"id":"K","name":"n"}"#
        );
    }
}
