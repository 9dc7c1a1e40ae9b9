//! Audit trail wire types: search (`/v1/mgmt/audit/search`) and custom events
//! (`/v1/mgmt/audit/event`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::nullable;

/// Body of `POST /v1/mgmt/audit/search`. Every filter is optional; lists match any of their
/// values. `from`/`to` are unix milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtAuditSearchRequest {
    /// Users (user ids).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub user_ids: Vec<String>,
    /// Actions to include (e.g. `LoginSucceed`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub actions: Vec<String>,
    /// Actions to leave out.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub excluded_actions: Vec<String>,
    /// Devices (`Bot`, `Mobile`, `Desktop`, `Tablet`, `Unknown`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub devices: Vec<String>,
    /// Authentication methods (`otp`, `totp`, `oauth`...).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub methods: Vec<String>,
    /// Countries (geo-IP).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub geos: Vec<String>,
    /// Client IP addresses.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remote_addresses: Vec<String>,
    /// Login ids (the SDKs' `loginIds`, named `externalIds` on the wire).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub external_ids: Vec<String>,
    /// Tenants (tenant ids).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tenants: Vec<String>,
    /// Only records with no tenant.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub no_tenants: bool,
    /// Free text, matched against the record's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Earliest time, unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// Latest time, unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
}

/// One record of the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The project.
    #[serde(default)]
    pub project_id: String,
    /// The user the record is about.
    #[serde(default)]
    pub user_id: String,
    /// What happened (`LoginSucceed`, `LoginFailed`, `UserRefresh`, `Logout`, or a custom
    /// event's action).
    #[serde(default)]
    pub action: String,
    /// When, unix milliseconds (a decimal string on the wire; a number is read too).
    #[serde(
        default,
        serialize_with = "millis_as_string",
        deserialize_with = "millis_from_any"
    )]
    pub occurred: i64,
    /// Device class.
    #[serde(default)]
    pub device: String,
    /// Authentication method.
    #[serde(default)]
    pub method: String,
    /// Country (geo-IP).
    #[serde(default)]
    pub geo: String,
    /// Client IP address.
    #[serde(default)]
    pub remote_address: String,
    /// Login ids of the user (`externalIds` on the wire).
    #[serde(default, deserialize_with = "nullable")]
    pub external_ids: Vec<String>,
    /// Tenants of the event.
    #[serde(default, deserialize_with = "nullable")]
    pub tenants: Vec<String>,
    /// Who acted (custom events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// Event type of a custom event (`info`, `warn`, `error`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// More details (a failure's `error_message`, a custom event's data).
    #[serde(default, deserialize_with = "nullable")]
    pub data: Map<String, Value>,
}

fn millis_as_string<S: Serializer>(millis: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&millis.to_string())
}

fn millis_from_any<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(|f| f as i64)
            .map_err(serde::de::Error::custom),
        Some(Value::Number(n)) => Ok(n.as_f64().map_or(0, |f| f as i64)),
        _ => Ok(0),
    }
}

/// Answer of `POST /v1/mgmt/audit/search`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtAuditSearchResponse {
    /// The matching records, newest first.
    #[serde(default, deserialize_with = "nullable")]
    pub audits: Vec<AuditRecord>,
    /// How many records matched.
    #[serde(default)]
    pub total: u64,
}

/// The type of a custom audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AuditEventType {
    /// Information.
    Info,
    /// A warning.
    Warn,
    /// An error.
    Error,
}

/// Body of `POST /v1/mgmt/audit/event`: a custom audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtAuditEventRequest {
    /// The action name.
    #[serde(default)]
    pub action: String,
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: AuditEventType,
    /// Who acted.
    #[serde(default)]
    pub actor_id: String,
    /// The tenant.
    #[serde(default)]
    pub tenant_id: String,
    /// The user the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// More details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
}
