//! Management API wire types (feature `management`): the license handshake, users, roles,
//! permissions and access keys.
//!
//! Request bodies omit unset fields and empty lists, as the Node SDK does; the Python SDK's
//! explicit `null`s and `[]`s mean the same to Descope.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Password;
use crate::user::UserResponse;

mod invite;
pub use invite::*;
mod sso;
mod tenants;

pub use sso::*;
pub use tenants::*;
mod access_keys;
mod roles;

pub use access_keys::*;
pub use roles::*;
mod audit;
mod jwt;

pub use audit::*;
pub use jwt::*;

/// Reads an explicit `null` as the default: the Python SDK sends `null` for unset lists.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Answer of `GET /v1/mgmt/license`: the rate-limit tier the SDKs send back in
/// `x-descope-license` on later management calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseResponse {
    /// The tier, e.g. `tier4`.
    #[serde(default)]
    pub rate_limit_tier: String,
}

/// A tenant membership with its roles, as management requests carry it (`userTenants`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRoles {
    /// The tenant id.
    pub tenant_id: String,
    /// Roles in the tenant.
    #[serde(default, deserialize_with = "nullable")]
    pub role_names: Vec<String>,
}

/// Body of `POST /v1/mgmt/user/create`, `/v1/mgmt/user/create/test` and
/// `/v1/mgmt/user/update` (which replaces the whole user with it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserRequest {
    /// The login id.
    pub login_id: String,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
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
    /// Project-level roles.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_names: Vec<String>,
    /// Tenant memberships and their roles.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub user_tenants: Vec<TenantRoles>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Whether the phone is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// Further login ids.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub additional_login_ids: Vec<String>,
    /// SSO application ids (Node's spelling; Python sends `ssoAppIDs`).
    #[serde(
        default,
        alias = "ssoAppIDs",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sso_app_ids: Vec<String>,
    /// A test user (`/v1/mgmt/user/create/test` sends `true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    /// Send an invitation (the SDKs' `invite`); off unless set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invite: bool,
}

/// Body of `PATCH /v1/mgmt/user/patch`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserPatchRequest {
    /// The login id of the user to patch.
    pub login_id: String,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
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
    /// Project-level roles (replace the current ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_names: Option<Vec<String>>,
    /// Tenant memberships (replace the current ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_tenants: Option<Vec<TenantRoles>>,
    /// Custom attributes (replace the named ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Whether the phone is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// `enabled` or `disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Answer of the management calls that return one user: `{"user": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtUserResponse {
    /// The user.
    #[serde(default)]
    pub user: UserResponse,
}

/// One sort key of a user search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSearchSort {
    /// The field, e.g. `email` or `createdTime`.
    pub field: String,
    /// Descending.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub desc: bool,
}

/// Body of `POST /v2/mgmt/user/search` (and `/v2/mgmt/user/search/test`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserSearchRequest {
    /// Only users with one of these login ids.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub login_ids: Vec<String>,
    /// Only users with one of these emails.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub emails: Vec<String>,
    /// Only users with one of these phones.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub phones: Vec<String>,
    /// Only users with one of these project-level roles.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_names: Vec<String>,
    /// Only users in one of these tenants.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenant_ids: Vec<String>,
    /// Only users with one of these statuses (`enabled`, `disabled`, `invited`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub statuses: Vec<String>,
    /// Only users whose custom attributes hold these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Include test users.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_test_user: bool,
    /// Only test users.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test_users_only: bool,
    /// Free text matched against the users' names, emails, phones and login ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Page number, from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Users per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Sort keys, in order.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sort: Vec<UserSearchSort>,
}

/// Answer of a user search: one page and the total count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtUserSearchResponse {
    /// The users of this page.
    #[serde(default)]
    pub users: Vec<UserResponse>,
    /// Users matching the search, across pages.
    #[serde(default)]
    pub total: u64,
}

/// Body of `POST /v1/mgmt/user/update/status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserStatusRequest {
    /// The login id.
    pub login_id: String,
    /// `enabled` or `disabled`.
    pub status: String,
}

/// Body of the role calls (`/v1/mgmt/user/update/role/set`, `/v2/.../role/add`,
/// `/v1/.../role/remove`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserRolesRequest {
    /// The login id.
    pub login_id: String,
    /// Role names.
    #[serde(default, deserialize_with = "nullable")]
    pub role_names: Vec<String>,
    /// The tenant whose roles change; project-level roles when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// Body of `POST /v1/mgmt/user/update/tenant/{add,remove}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserTenantRequest {
    /// The login id.
    pub login_id: String,
    /// The tenant id.
    pub tenant_id: String,
}

/// Body of `POST /v1/mgmt/user/delete`: by login id or by user id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserDeleteRequest {
    /// The login id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// The user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Body of `POST /v1/mgmt/user/update/loginid`: the login id changes in place; the old
/// one stops working.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserLoginIdUpdateRequest {
    /// The current login id.
    pub login_id: String,
    /// The new login id (empty: removes `login_id` from a user that has others).
    #[serde(default, deserialize_with = "nullable")]
    pub new_login_id: String,
}

/// Body of `POST /v1/mgmt/user/update/email`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserEmailUpdateRequest {
    /// The login id.
    pub login_id: String,
    /// The new email (empty removes it).
    #[serde(default, deserialize_with = "nullable")]
    pub email: String,
    /// Whether the email is verified (Python sends `null` when unset).
    #[serde(default, deserialize_with = "nullable")]
    pub verified: bool,
    /// Refuse the change when another user has this email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_conflict: Option<bool>,
}

/// Body of `POST /v1/mgmt/user/update/phone`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserPhoneUpdateRequest {
    /// The login id.
    pub login_id: String,
    /// The new phone (empty removes it).
    #[serde(default, deserialize_with = "nullable")]
    pub phone: String,
    /// Whether the phone is verified.
    #[serde(default, deserialize_with = "nullable")]
    pub verified: bool,
    /// Refuse the change when another user has this phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_conflict: Option<bool>,
}

/// Body of `POST /v1/mgmt/user/update/name`: the names present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserNameUpdateRequest {
    /// The login id.
    pub login_id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

/// Body of `POST /v1/mgmt/user/update/picture`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserPictureUpdateRequest {
    /// The login id.
    pub login_id: String,
    /// Picture URL (empty removes it).
    #[serde(default, deserialize_with = "nullable")]
    pub picture: String,
}

/// Body of `POST /v1/mgmt/user/update/customAttribute`: one attribute set, the others kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserCustomAttributeRequest {
    /// The login id.
    pub login_id: String,
    /// The attribute's key.
    pub attribute_key: String,
    /// Its new value (any JSON value).
    #[serde(default)]
    pub attribute_value: Value,
}

/// Body of `POST /v1/mgmt/user/password/set/temporary`, `/set/active` and the deprecated
/// `/set`. `Debug` redacts the password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserSetPasswordRequest {
    /// The login id.
    pub login_id: String,
    /// The password.
    pub password: Password,
    /// `true` on `/set/active` (Python and Go send it; Node does not, the path says it).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub set_active: bool,
}

/// Body of the calls that name a user by login id only: `POST /v1/mgmt/user/password/expire`,
/// `/v1/mgmt/user/passkeys/delete`, `/v1/mgmt/user/totp/delete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserLoginIdRequest {
    /// The login id.
    pub login_id: String,
}

/// Body of `POST /v1/mgmt/user/logout`: every session of the user, by login id or user id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserLogoutRequest {
    /// The login id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// The user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Body of `POST /v1/mgmt/users/load`: several users by user id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUsersLoadRequest {
    /// The user ids.
    #[serde(default, deserialize_with = "nullable")]
    pub user_ids: Vec<String>,
    /// Include disabled users (left out otherwise).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub include_invalid_users: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_are_omitted_and_empty_answers_parse() {
        let body = MgmtUserRequest {
            login_id: "ada".into(),
            ..MgmtUserRequest::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"loginId":"ada"}"#
        );
        let patch = MgmtUserPatchRequest {
            login_id: "ada".into(),
            role_names: Some(Vec::new()),
            ..MgmtUserPatchRequest::default()
        };
        // An empty list in a patch is a change (no roles), so it is sent.
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"loginId":"ada","roleNames":[]}"#
        );
        let python: MgmtUserRequest =
            serde_json::from_str(r#"{"loginId":"a","ssoAppIDs":["x"],"email":null}"#).unwrap();
        assert_eq!(python.sso_app_ids, ["x"]);
        let python: MgmtUserRequest = serde_json::from_str(
            r#"{"loginId":"a","ssoAppIDs":null,"additionalLoginIds":null,"roleNames":[]}"#,
        )
        .unwrap();
        assert!(python.sso_app_ids.is_empty() && python.additional_login_ids.is_empty());
        let tenants: MgmtUserRequest = serde_json::from_str(
            r#"{"customAttributes":{"a":1,"b":2},"displayName":"Lin","loginId":"lin","userTenants":[{"roleNames":[],"tenantId":"T"}]}"#,
        )
        .unwrap();
        assert_eq!(tenants.user_tenants[0].tenant_id, "T");
        let _: MgmtUserResponse = serde_json::from_str("{}").unwrap();
        let _: MgmtUserSearchResponse = serde_json::from_str("{}").unwrap();
        let _: LicenseResponse = serde_json::from_str("{}").unwrap();
    }

    #[test]
    fn user_operation_bodies_read_both_sdks_and_hide_passwords() {
        // Python sends `null` for unset flags.
        let email: MgmtUserEmailUpdateRequest = serde_json::from_str(
            r#"{"loginId":"a","email":"b@x.io","verified":null,"failOnConflict":null}"#,
        )
        .unwrap();
        assert!(!email.verified && email.fail_on_conflict.is_none());
        let python: MgmtUserSetPasswordRequest =
            serde_json::from_str(r#"{"loginId":"a","password":"Tmp!Passw0rd","setActive":false}"#)
                .unwrap();
        assert!(!python.set_active);
        assert!(!format!("{python:?}").contains("Tmp!"));
        assert_eq!(
            serde_json::to_string(&python).unwrap(),
            r#"{"loginId":"a","password":"Tmp!Passw0rd"}"#
        );
        let load: MgmtUsersLoadRequest =
            serde_json::from_str(r#"{"userIds":["U1"],"includeInvalidUsers":true}"#).unwrap();
        assert!(load.include_invalid_users);
        let attr: MgmtUserCustomAttributeRequest =
            serde_json::from_str(r#"{"loginId":"a","attributeKey":"tier","attributeValue":3}"#)
                .unwrap();
        assert_eq!(attr.attribute_value, 3);
    }
}
