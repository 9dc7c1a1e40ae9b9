//! The management API (feature `management`): request snapshots checked against the official
//! SDKs' captured requests, the key and license rules, and end-to-end tests against
//! descope-emulator over both HTTP backends.

#[path = "../common/mod.rs"]
mod common;
#[path = "../methods/harness.rs"]
mod harness;

mod e2e;
mod e2e_jwt_audit;
mod e2e_tenants;
mod jwt_audit;
mod key_and_license;
mod roles;
mod roles_e2e;
mod tenants;
mod test_users;
mod user_ops;
mod users;

use common::{PROJECT_ID, TENANT_ID};
use descope_flows::Client;
use descope_transport::CapturingTransport;
use descope_types::ManagementKey;
use serde_json::{Value, json};

/// The key the official SDKs were driven with in the captures.
pub const MANAGEMENT_KEY: &str = "K2oracleManagementKey0001";

/// A user as the canned answers return it.
pub fn canned_user() -> Value {
    json!({
        "loginIds": ["mgmt-user@example.com"], "userId": "U2b603f5e19cf95cc407cbd52bfa",
        "email": "mgmt-user@example.com", "roleNames": ["admin"], "status": "enabled",
        "userTenants": [{"tenantId": TENANT_ID, "roleNames": ["tenant-admin"]}],
    })
}

/// The canned answer of a management path.
pub fn canned(path: &str) -> (u16, Value) {
    match path {
        "/v1/mgmt/license" => (200, json!({"rateLimitTier": "tier4"})),
        "/v2/mgmt/user/search" | "/v2/mgmt/user/search/test" => {
            (200, json!({"users": [canned_user()], "total": 1}))
        }
        "/v1/mgmt/user/delete" | "/v1/mgmt/user/test/delete/all" => (200, json!({})),
        _ => (200, json!({"user": canned_user()})),
    }
}

/// A client with the captures' management key whose transport records every request.
pub fn recording_client() -> (Client, CapturingTransport) {
    recording_client_with(canned)
}

/// Like [`recording_client`], answering with `answer(path)`.
pub fn recording_client_with(
    answer: impl Fn(&str) -> (u16, Value) + Send + Sync + 'static,
) -> (Client, CapturingTransport) {
    let transport = CapturingTransport::new(move |request| {
        let (status, body) = answer(request.uri.path());
        Ok(CapturingTransport::response(
            status,
            serde_json::to_vec(&body).unwrap(),
        ))
    });
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport.clone())
        .management_key(ManagementKey::new(MANAGEMENT_KEY))
        .build()
        .unwrap();
    (client, transport)
}
