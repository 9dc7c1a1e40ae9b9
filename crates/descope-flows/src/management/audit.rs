//! The audit trail: `client.management().audit()`.

use std::time::{SystemTime, UNIX_EPOCH};

use descope_types::{
    AuditEventType, MgmtAuditEventRequest, MgmtAuditSearchRequest, MgmtAuditSearchResponse,
};
use serde_json::{Map, Value};

use super::{strings, void_call};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::Error;
use crate::pipeline::Request;

/// Unix milliseconds of `time` (before 1970: 0).
fn millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The audit calls; see [`Management::audit`](super::Management::audit).
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    client: &'a Client,
}

impl<'a> Audit<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Searches the audit trail (`POST /v1/mgmt/audit/search`). Without filters: every
    /// record Descope keeps (the last 30 days). Descope answers the whole result at once
    /// (the search takes no page), so there is no `pages()`.
    pub fn search(&self) -> SearchAudit<'a> {
        SearchAudit {
            client: self.client,
            body: MgmtAuditSearchRequest::default(),
            call: CallOptions::new(),
        }
    }

    /// Records a custom event (`POST /v1/mgmt/audit/event`): what happened (`action`), its
    /// type, who did it (`actor_id`) and in which tenant.
    pub fn create_event(
        &self,
        action: impl Into<String>,
        event_type: AuditEventType,
        actor_id: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> CreateAuditEvent<'a> {
        CreateAuditEvent {
            client: self.client,
            body: MgmtAuditEventRequest {
                action: action.into(),
                event_type,
                actor_id: actor_id.into(),
                tenant_id: tenant_id.into(),
                user_id: None,
                data: None,
            },
            call: CallOptions::new(),
        }
    }
}

/// An audit search: [`Audit::search`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SearchAudit<'a> {
    client: &'a Client,
    body: MgmtAuditSearchRequest,
    call: CallOptions,
}

impl SearchAudit<'_> {
    /// Only records about these users (user ids).
    pub fn user_ids(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.user_ids = strings(ids);
        self
    }

    /// Only these actions (e.g. `LoginSucceed`, `LoginFailed`).
    pub fn actions(mut self, actions: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.actions = strings(actions);
        self
    }

    /// Leaves these actions out.
    pub fn excluded_actions(
        mut self,
        actions: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body.excluded_actions = strings(actions);
        self
    }

    /// Only these devices (`Bot`, `Mobile`, `Desktop`, `Tablet`, `Unknown`).
    pub fn devices(mut self, devices: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.devices = strings(devices);
        self
    }

    /// Only these authentication methods (`otp`, `totp`, `magiclink`, `oauth`...).
    pub fn methods(mut self, methods: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.methods = strings(methods);
        self
    }

    /// Only these countries (geo-IP).
    pub fn geos(mut self, geos: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.geos = strings(geos);
        self
    }

    /// Only these client IP addresses.
    pub fn remote_addresses(
        mut self,
        addresses: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body.remote_addresses = strings(addresses);
        self
    }

    /// Only records about these login ids (`externalIds` on the wire).
    pub fn login_ids(mut self, login_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.external_ids = strings(login_ids);
        self
    }

    /// Only records in these tenants.
    pub fn tenants(mut self, tenant_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.tenants = strings(tenant_ids);
        self
    }

    /// Only records in no tenant.
    pub fn no_tenants(mut self, no_tenants: bool) -> Self {
        self.body.no_tenants = no_tenants;
        self
    }

    /// Free text, matched against the records' fields.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.body.text = Some(text.into());
        self
    }

    /// Records at or after `time`.
    pub fn from(mut self, time: SystemTime) -> Self {
        self.body.from = Some(millis(time));
        self
    }

    /// Records at or before `time`.
    pub fn to(mut self, time: SystemTime) -> Self {
        self.body.to = Some(millis(time));
        self
    }

    /// Sends the call; returns the matching records, newest first.
    pub async fn send(self) -> Result<MgmtAuditSearchResponse, Error> {
        self.client
            .management_call(&self.call, |bearer| {
                Ok(Request::post("/v1/mgmt/audit/search", bearer, &self.body)?.excerpt_allowed())
            })
            .await
    }
}

operation!(SearchAudit => MgmtAuditSearchResponse);

/// A custom audit event: [`Audit::create_event`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CreateAuditEvent<'a> {
    client: &'a Client,
    body: MgmtAuditEventRequest,
    call: CallOptions,
}

impl CreateAuditEvent<'_> {
    /// The user the event is about (a user id).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.user_id = Some(user_id.into());
        self
    }

    /// Adds one detail to the event's data.
    pub fn data(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .data
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        void_call(self.client, &self.call, |bearer| {
            Request::post("/v1/mgmt/audit/event", bearer, &self.body)
        })
        .await
    }
}

operation!(CreateAuditEvent => ());
