//! Pending redirect flows, exchange codes and native OAuth states: short-lived, single-use.

use serde_json::{Map, Value};

use super::expiring::Expires;

/// Who a flow or code signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FlowKind {
    OAuth { provider: String },
    Sso { tenant_id: String, sso_id: String },
}

/// The signed-in session a step-up/MFA/update flow builds on.
#[derive(Debug, Clone)]
pub(crate) struct Prior {
    pub(crate) user_id: String,
    pub(crate) amr: Vec<String>,
}

/// A started OAuth/SSO redirect flow, waiting at the provider/IdP page.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    pub(crate) kind: FlowKind,
    pub(crate) redirect_url: String,
    pub(crate) login_hint: Option<String>,
    pub(crate) prior: Option<Prior>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) dct: Option<String>,
    pub(crate) exp: i64,
}

/// A one-time code handed to the redirect URL.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) kind: FlowKind,
    pub(crate) login_id: String,
    pub(crate) prior: Option<Prior>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) dct: Option<String>,
    pub(crate) exp: i64,
}

/// A native OAuth start, waiting for finish.
#[derive(Debug, Clone)]
pub(crate) struct NativeState {
    pub(crate) provider: String,
    pub(crate) client_id: String,
    pub(crate) nonce: String,
    pub(crate) implicit: bool,
    pub(crate) prior: Option<Prior>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) dct: Option<String>,
    pub(crate) exp: i64,
}

/// An authorization code issued by an emulated native provider.
#[derive(Debug, Clone)]
pub(crate) struct NativeGrant {
    pub(crate) provider: String,
    pub(crate) nonce: String,
    pub(crate) login_id: String,
    pub(crate) name: Option<String>,
    pub(crate) exp: i64,
}

impl Expires for Flow {
    fn exp(&self) -> i64 {
        self.exp
    }
}

impl Expires for PendingCode {
    fn exp(&self) -> i64 {
        self.exp
    }
}

impl Expires for NativeState {
    fn exp(&self) -> i64 {
        self.exp
    }
}

impl Expires for NativeGrant {
    fn exp(&self) -> i64 {
        self.exp
    }
}
