//! The audit trail: one record per authentication event the emulator served (sign-in,
//! refresh, logout, failure) plus custom events, bounded (the oldest dropped first).

use std::collections::VecDeque;

use descope_types::{AuditRecord, MgmtAuditSearchRequest};
use serde_json::{Map, Value};

/// Records a project keeps; past this the oldest is dropped.
pub(crate) const MAX_AUDIT: usize = 10_000;

/// Action names, as Descope's audit trail spells them.
pub(crate) const LOGIN_SUCCEED: &str = "LoginSucceed";
pub(crate) const LOGIN_FAILED: &str = "LoginFailed";
pub(crate) const USER_REFRESH: &str = "UserRefresh";
pub(crate) const LOGOUT: &str = "Logout";

impl super::Project {
    /// Records an authentication event in `st` (the caller holds the lock).
    pub(crate) fn audit(&self, st: &mut super::State, event: AuditEvent) {
        let now_ms = descope_types::Clock::now(&*self.clock)
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        st.audit.push(&self.id, event, now_ms);
    }
}

/// One event to record; `occurred` is set by [`AuditLog::push`].
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditEvent {
    pub(crate) user_id: String,
    pub(crate) action: &'static str,
    pub(crate) method: String,
    pub(crate) login_ids: Vec<String>,
    pub(crate) tenants: Vec<String>,
    pub(crate) remote_address: String,
    pub(crate) data: Map<String, Value>,
}

/// The bounded log, oldest first.
#[derive(Debug, Default)]
pub(crate) struct AuditLog {
    records: VecDeque<AuditRecord>,
}

impl AuditLog {
    /// Appends a record; drops the oldest when full.
    pub(crate) fn push_record(&mut self, record: AuditRecord) {
        if self.records.len() >= MAX_AUDIT {
            self.records.pop_front();
        }
        self.records.push_back(record);
    }

    /// Records an authentication event at `now_ms` (unix milliseconds).
    pub(crate) fn push(&mut self, project_id: &str, event: AuditEvent, now_ms: i64) {
        self.push_record(AuditRecord {
            project_id: project_id.to_owned(),
            user_id: event.user_id,
            action: event.action.to_owned(),
            occurred: now_ms,
            device: "Unknown".to_owned(),
            method: event.method,
            geo: String::new(),
            remote_address: event.remote_address,
            external_ids: event.login_ids,
            tenants: event.tenants,
            actor_id: None,
            event_type: None,
            data: event.data,
        });
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The records matching `filter`, newest first.
    pub(crate) fn search(&self, filter: &MgmtAuditSearchRequest) -> Vec<AuditRecord> {
        self.records
            .iter()
            .rev()
            .filter(|r| matches(r, filter))
            .cloned()
            .collect()
    }
}

/// Empty lists match everything; a list matches when it holds the value (any case).
fn any_of(wanted: &[String], value: &str) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(value))
}

fn matches(r: &AuditRecord, f: &MgmtAuditSearchRequest) -> bool {
    let text_hit = |text: &str| {
        let text = text.to_lowercase();
        [&r.action, &r.user_id, &r.method, &r.remote_address]
            .iter()
            .any(|v| v.to_lowercase().contains(&text))
            || r.external_ids
                .iter()
                .any(|v| v.to_lowercase().contains(&text))
            || Value::Object(r.data.clone())
                .to_string()
                .to_lowercase()
                .contains(&text)
    };
    any_of(&f.user_ids, &r.user_id)
        && any_of(&f.actions, &r.action)
        && !f.excluded_actions.iter().any(|a| a.eq_ignore_ascii_case(&r.action))
        && any_of(&f.devices, &r.device)
        && any_of(&f.methods, &r.method)
        && any_of(&f.geos, &r.geo)
        && any_of(&f.remote_addresses, &r.remote_address)
        && (f.external_ids.is_empty()
            || r.external_ids
                .iter()
                .any(|id| f.external_ids.iter().any(|w| w.eq_ignore_ascii_case(id))))
        && (f.tenants.is_empty() || r.tenants.iter().any(|t| f.tenants.contains(t)))
        && (!f.no_tenants || r.tenants.is_empty())
        && f.from.is_none_or(|from| r.occurred >= from)
        // `to: 0` is what the Go SDK sends for an unset time.
        && f.to.filter(|to| *to > 0).is_none_or(|to| r.occurred <= to)
        && f.text.as_deref().filter(|t| !t.is_empty()).is_none_or(text_hit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(user: &str, action: &'static str) -> AuditEvent {
        AuditEvent {
            user_id: user.to_owned(),
            action,
            ..AuditEvent::default()
        }
    }

    #[test]
    fn the_log_is_capped_and_drops_its_oldest() {
        let mut log = AuditLog::default();
        for i in 0..MAX_AUDIT + 5 {
            log.push("P", event(&format!("U{i}"), LOGIN_SUCCEED), i as i64);
        }
        assert_eq!(log.len(), MAX_AUDIT);
        let all = log.search(&MgmtAuditSearchRequest::default());
        assert_eq!(all.first().map(|r| r.user_id.as_str()), Some("U10004"));
        assert_eq!(all.last().map(|r| r.user_id.as_str()), Some("U5"));
    }

    #[test]
    fn filters_combine() {
        let mut log = AuditLog::default();
        log.push("P", event("U1", LOGIN_SUCCEED), 1_000);
        log.push("P", event("U1", LOGIN_FAILED), 2_000);
        log.push("P", event("U2", LOGOUT), 3_000);
        let find = |f: MgmtAuditSearchRequest| {
            log.search(&f)
                .into_iter()
                .map(|r| r.action)
                .collect::<Vec<_>>()
        };
        let by_user = MgmtAuditSearchRequest {
            user_ids: vec!["U1".to_owned()],
            ..Default::default()
        };
        assert_eq!(find(by_user), [LOGIN_FAILED, LOGIN_SUCCEED]);
        let excluded = MgmtAuditSearchRequest {
            excluded_actions: vec![LOGIN_FAILED.to_owned()],
            ..Default::default()
        };
        assert_eq!(find(excluded), [LOGOUT, LOGIN_SUCCEED]);
        let window = MgmtAuditSearchRequest {
            from: Some(1_500),
            to: Some(2_500),
            ..Default::default()
        };
        assert_eq!(find(window), [LOGIN_FAILED]);
        let text = MgmtAuditSearchRequest {
            text: Some("logout".to_owned()),
            ..Default::default()
        };
        assert_eq!(find(text), [LOGOUT]);
    }
}
