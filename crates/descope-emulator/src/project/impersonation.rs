//! Session JWTs the management API issues on its own: a re-issued JWT with more claims
//! (`/v1/mgmt/jwt/update`) and impersonation (`/v1/mgmt/impersonate`, `/stop/impersonation`).
//! These have no refresh session behind them: the answer is a session JWT only.

use descope_types::{Audience, Claims, DRN_SESSION};
use serde_json::{Map, Value, json};

use super::Project;
use super::audit::{AuditEvent, LOGIN_SUCCEED};
use super::sessions::RESERVED;
use crate::api_error::ApiError;

/// The permission an impersonator must hold (project level or in any tenant).
const IMPERSONATE_PERMISSION: &str = "Impersonate";

/// What to add to an issued session JWT.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) tenant: Option<String>,
    /// Lifetime, seconds; `None` or 0: the project's session lifetime.
    pub(crate) ttl: Option<u64>,
}

fn merge(claims: &mut Claims, custom: Map<String, Value>) {
    claims.custom.extend(
        custom
            .into_iter()
            .filter(|(k, _)| !RESERVED.contains(&k.as_str()) && k != "act"),
    );
}

impl Project {
    fn ttl_of(&self, extra: &Extra) -> i64 {
        let seconds = extra
            .ttl
            .filter(|t| *t > 0)
            .unwrap_or(self.config.session_ttl_seconds);
        i64::try_from(seconds).unwrap_or(i64::MAX)
    }

    /// A live session JWT of this project: its claims.
    fn live_session(&self, token: &str) -> Result<Claims, ApiError> {
        let claims: Claims = self
            .verify(token)
            .map_err(|e| ApiError::invalid_token(e.reason()))?;
        if !claims.is_session() {
            return Err(ApiError::invalid_token("not a session token"));
        }
        if claims.exp.is_none_or(|exp| exp <= self.now()) {
            return Err(ApiError::invalid_token("token expired"));
        }
        Ok(claims)
    }

    /// `/v1/mgmt/jwt/update`: the same session, re-signed with the extra claims.
    pub(crate) fn update_jwt(&self, token: &str, extra: Extra) -> Result<String, ApiError> {
        let mut claims = self.live_session(token)?;
        let now = self.now();
        claims.iat = Some(now);
        claims.exp = Some(now.saturating_add(self.ttl_of(&extra)));
        merge(&mut claims, extra.custom_claims);
        Ok(self.current_key().sign_jwt(&claims)?)
    }

    /// A fresh session JWT for `user_id` (roles, permissions, tenants from the state).
    fn mint_for(
        &self,
        user_id: &str,
        extra: Extra,
        act: Option<Value>,
        method: &str,
        data: Map<String, Value>,
    ) -> Result<String, ApiError> {
        let now = self.now();
        let exp = now.saturating_add(self.ttl_of(&extra));
        let authz = {
            let mut st = self.lock();
            let user = st.user(user_id).ok_or_else(ApiError::mgmt_user_not_found)?;
            if user.managed.disabled {
                return Err(ApiError::user_disabled());
            }
            if let Some(tenant) = extra.tenant.as_deref()
                && !user.in_tenant(tenant)
            {
                return Err(ApiError::not_a_member());
            }
            let authz = st.authz(&user.roles, &user.tenants);
            let event = AuditEvent {
                user_id: user_id.to_owned(),
                action: LOGIN_SUCCEED,
                method: method.to_owned(),
                login_ids: user.login_ids.clone(),
                tenants: extra.tenant.iter().cloned().collect(),
                data,
                ..AuditEvent::default()
            };
            self.audit(&mut st, event);
            authz
        };
        let mut claims = Claims {
            sub: Some(user_id.to_owned()),
            iss: Some(self.issuer.clone()),
            iat: Some(now),
            exp: Some(exp),
            aud: self.config.audience.clone().map(Audience::One),
            drn: Some(DRN_SESSION.to_owned()),
            roles: authz.roles,
            permissions: authz.permissions,
            tenants: authz.tenants.into(),
            dct: extra.tenant.clone(),
            ..Claims::default()
        };
        merge(&mut claims, extra.custom_claims);
        if let Some(act) = act {
            claims.custom.insert("act".to_owned(), act);
        }
        Ok(self.current_key().sign_jwt(&claims)?)
    }

    /// `/v1/mgmt/impersonate`: a session JWT of `login_id` whose `act` names the
    /// impersonator, who must hold the `Impersonate` permission.
    pub(crate) fn impersonate(
        &self,
        impersonator_id: &str,
        login_id: &str,
        extra: Extra,
    ) -> Result<String, ApiError> {
        let target = {
            let st = self.lock();
            // A user id, as the SDKs document; a login id is accepted too (tolerant).
            let impersonator = st
                .user(impersonator_id)
                .or_else(|| {
                    st.user_id_by_login(impersonator_id)
                        .and_then(|id| st.user(&id))
                })
                .ok_or_else(ApiError::mgmt_user_not_found)?;
            let allowed = st
                .permissions_of(&impersonator.roles)
                .iter()
                .chain(
                    impersonator
                        .tenants
                        .iter()
                        .flat_map(|t| st.permissions_of(&t.roles))
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .any(|p| p == IMPERSONATE_PERMISSION);
            if !allowed {
                return Err(ApiError::impersonation_not_allowed());
            }
            st.user_id_by_login(login_id)
                .ok_or_else(ApiError::mgmt_user_not_found)?
        };
        let act = json!({ "sub": impersonator_id });
        let data = Map::from_iter([("impersonatorId".to_owned(), Value::from(impersonator_id))]);
        self.mint_for(&target, extra, Some(act), "Impersonate", data)
    }

    /// `/v1/mgmt/stop/impersonation`: a session JWT of the impersonator named in the
    /// token's `act`.
    pub(crate) fn stop_impersonation(&self, token: &str, extra: Extra) -> Result<String, ApiError> {
        let claims = self.live_session(token)?;
        let impersonator = claims
            .custom
            .get("act")
            .and_then(|act| act.get("sub"))
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::invalid_argument("The token is not an impersonation token"))?
            .to_owned();
        let user_id = {
            let st = self.lock();
            if st.user(&impersonator).is_some() {
                impersonator
            } else {
                st.user_id_by_login(&impersonator)
                    .ok_or_else(ApiError::mgmt_user_not_found)?
            }
        };
        self.mint_for(&user_id, extra, None, "Impersonate", Map::new())
    }
}
