//! Minting session and refresh JWTs, and the refresh sessions behind refresh tokens
//! (refresh, rotation, logout, tenant selection).
//!
//! The state lock is held only to read and update records; signing happens after it is
//! released, with an `Arc` of the current key.

use descope_types::{
    Audience, Claims, DRN_REFRESH, DRN_SESSION, JwtResponse, RawJson, RefreshToken, SessionToken,
    UserResponse,
};
use serde_json::{Map, Value};

use super::Project;
use super::audit::{AuditEvent, LOGIN_SUCCEED, LOGOUT, USER_REFRESH};
use super::expiring::Expires;
use super::state::{Authz, State};
use super::users::User;
use crate::api_error::ApiError;
use crate::keys::SigningKey;
use crate::random;

/// The server side of one refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshSession {
    /// The sign-in this token continues (the first token's `jti`), kept across rotation;
    /// session JWTs carry it as `sid` so validate can tell whether they were logged out.
    pub(crate) sid: String,
    pub(crate) user_id: String,
    pub(crate) amr: Vec<String>,
    pub(crate) dct: Option<String>,
    pub(crate) custom_claims: Map<String, Value>,
    /// When the sign-in happened (kept across rotation).
    pub(crate) created: i64,
    pub(crate) exp: i64,
    pub(crate) revoked: bool,
}

impl Expires for RefreshSession {
    fn exp(&self) -> i64 {
        self.exp
    }
}

/// What a successful authentication grants.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grant {
    pub(crate) user_id: String,
    pub(crate) amr: Vec<String>,
    pub(crate) dct: Option<String>,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) ip: String,
}

/// Claims a caller may not override through `customClaims`.
pub(super) const RESERVED: &[&str] = &[
    "sub",
    "iss",
    "iat",
    "exp",
    "nbf",
    "aud",
    "drn",
    "amr",
    "roles",
    "permissions",
    "tenants",
    "dct",
    "dsub",
    "jti",
    "sid",
];

/// Everything needed to mint, copied out of the locked state.
struct Snapshot {
    subject: String,
    authz: Authz,
    amr: Vec<String>,
    dct: Option<String>,
    custom_claims: Map<String, Value>,
    user: Option<UserResponse>,
    /// `sid` claim; `None` for access keys (no refresh session).
    sid: Option<String>,
}

/// The audit record of a refresh or logout: the session's user and method.
fn refresh_event(action: &'static str, user: &User, session: &RefreshSession) -> AuditEvent {
    AuditEvent {
        user_id: session.user_id.clone(),
        action,
        method: session.amr.last().cloned().unwrap_or_default(),
        login_ids: user.login_ids.clone(),
        tenants: session.dct.iter().cloned().collect(),
        ..AuditEvent::default()
    }
}

/// Adds `method` to `amr` unless present.
pub(crate) fn with_method(mut amr: Vec<String>, method: &str) -> Vec<String> {
    if !amr.iter().any(|m| m == method) {
        amr.push(method.to_owned());
    }
    amr
}

/// The data of a `LoginSucceed` record: `firstSeen: true` on the user's first sign-in (a
/// sign-up, or a created user's first sign-in; see docs/spec-notes.md).
fn login_data(first_seen: bool) -> Map<String, Value> {
    let mut data = Map::new();
    if first_seen {
        data.insert("firstSeen".to_owned(), Value::Bool(true));
    }
    data
}

impl Project {
    fn ttl(seconds: u64) -> i64 {
        i64::try_from(seconds).unwrap_or(i64::MAX)
    }

    /// A completed sign-in: history, `firstSeen`, a new refresh session and both tokens.
    pub(crate) fn sign_in(&self, grant: Grant) -> Result<JwtResponse, ApiError> {
        let now = self.now();
        let jti = random::token("")?;
        let refresh_exp = now.saturating_add(Self::ttl(self.config.refresh_ttl_seconds));
        let (snapshot, first_seen) = {
            let mut st = self.lock();
            st.sweep(now);
            let user = st
                .user_mut(&grant.user_id)
                .ok_or_else(ApiError::user_not_found)?;
            // Every sign-in method ends here: a deactivated user gets no session from any.
            if user.managed.disabled {
                return Err(ApiError::user_disabled());
            }
            let first_seen = user.record_login(now, &grant.ip, grant.dct.as_deref());
            let login_ids = user.login_ids.clone();
            self.audit(
                &mut st,
                AuditEvent {
                    user_id: grant.user_id.clone(),
                    action: LOGIN_SUCCEED,
                    method: grant.amr.last().cloned().unwrap_or_default(),
                    login_ids,
                    tenants: grant.dct.iter().cloned().collect(),
                    remote_address: grant.ip.clone(),
                    data: login_data(first_seen),
                },
            );
            st.sessions.insert(
                jti.clone(),
                RefreshSession {
                    sid: jti.clone(),
                    user_id: grant.user_id.clone(),
                    amr: grant.amr.clone(),
                    dct: grant.dct.clone(),
                    custom_claims: grant.custom_claims.clone(),
                    created: now,
                    exp: refresh_exp,
                    revoked: false,
                },
            );
            let user = st
                .user(&grant.user_id)
                .ok_or_else(ApiError::user_not_found)?;
            let snapshot = Snapshot {
                subject: grant.user_id,
                authz: st.authz(&user.roles, &user.tenants),
                amr: grant.amr,
                dct: grant.dct,
                custom_claims: grant.custom_claims,
                user: Some(st.user_response(user)),
                sid: Some(jti.clone()),
            };
            (snapshot, first_seen)
        };
        let key = self.current_key();
        let refresh = self.mint_refresh(&key, &snapshot, &jti, now, refresh_exp)?;
        self.respond(&key, snapshot, now, refresh, refresh_exp, first_seen)
    }

    /// The live refresh session of a refresh JWT: signature, `drn: DSR`, expiry, not
    /// revoked.
    pub(crate) fn refresh_session(
        &self,
        token: &str,
    ) -> Result<(String, RefreshSession), ApiError> {
        let claims: Claims = self
            .verify(token)
            .map_err(|e| ApiError::invalid_token(e.reason()))?;
        if !claims.is_refresh() {
            return Err(ApiError::invalid_token("not a refresh token"));
        }
        if claims.exp.is_none_or(|exp| exp <= self.now()) {
            return Err(ApiError::invalid_token("token expired"));
        }
        let jti = claims
            .custom
            .get("jti")
            .and_then(Value::as_str)
            .ok_or(ApiError::invalid_token("unknown session"))?;
        let st = self.lock();
        let session = st
            .sessions
            .get(jti)
            .ok_or(ApiError::invalid_token("unknown session"))?;
        if session.revoked {
            return Err(ApiError::logged_out());
        }
        if st.user(&session.user_id).is_none() {
            return Err(ApiError::invalid_token("the user no longer exists"));
        }
        Ok((jti.to_owned(), session.clone()))
    }

    /// A new session JWT for a refresh JWT, optionally selecting a tenant (`dct`). Under
    /// rotation the refresh token is replaced; otherwise the same one is returned.
    pub(crate) fn refresh(
        &self,
        token: &str,
        select: Option<&str>,
    ) -> Result<JwtResponse, ApiError> {
        let (jti, _) = self.refresh_session(token)?;
        let now = self.now();
        let rotated = if self.config.refresh_rotation {
            Some(random::token("")?)
        } else {
            None
        };
        let (snapshot, refresh_exp) = {
            let mut st = self.lock();
            let mut session = st
                .sessions
                .get(&jti)
                .cloned()
                .ok_or(ApiError::invalid_token("unknown session"))?;
            // A concurrent logout may have won the race since the check above.
            if session.revoked {
                return Err(ApiError::logged_out());
            }
            let user = st
                .user(&session.user_id)
                .ok_or(ApiError::invalid_token("the user no longer exists"))?;
            // A deactivated user's existing sessions stop refreshing too.
            if user.managed.disabled {
                return Err(ApiError::user_disabled());
            }
            if let Some(tenant) = select {
                if !user.in_tenant(tenant) {
                    return Err(ApiError::invalid_argument(
                        "The user is not a member of this tenant",
                    ));
                }
                session.dct = Some(tenant.to_owned());
            }
            let snapshot = Snapshot {
                subject: session.user_id.clone(),
                authz: st.authz(&user.roles, &user.tenants),
                amr: session.amr.clone(),
                dct: session.dct.clone(),
                custom_claims: session.custom_claims.clone(),
                user: Some(st.user_response(user)),
                sid: Some(session.sid.clone()),
            };
            let event = refresh_event(USER_REFRESH, user, &session);
            self.audit(&mut st, event);
            let refresh_exp = match &rotated {
                Some(new_jti) => {
                    if let Some(old) = st.sessions.get_mut(&jti) {
                        old.revoked = true;
                    }
                    session.exp = now.saturating_add(Self::ttl(self.config.refresh_ttl_seconds));
                    let exp = session.exp;
                    st.sessions.insert(new_jti.clone(), session);
                    exp
                }
                None => {
                    let exp = session.exp;
                    // In place: the expiry, and so the place in the eviction order, stays.
                    if let Some(live) = st.sessions.get_mut(&jti) {
                        *live = session;
                    }
                    exp
                }
            };
            (snapshot, refresh_exp)
        };
        let key = self.current_key();
        let refresh = match &rotated {
            Some(new_jti) => self.mint_refresh(&key, &snapshot, new_jti, now, refresh_exp)?,
            None => token.to_owned(),
        };
        self.respond(&key, snapshot, now, refresh, refresh_exp, false)
    }

    /// `Ok` while the sign-in `sid` has a refresh session that is neither revoked nor
    /// expired (rotation continues a sign-in; logout ends it).
    pub(crate) fn live_sign_in(&self, sid: &str) -> Result<(), ApiError> {
        let now = self.now();
        let st = self.lock();
        let (mut found, mut revoked) = (false, false);
        for session in st.sessions.values().filter(|s| s.sid == sid) {
            if !session.revoked && session.exp > now {
                return Ok(());
            }
            found = true;
            revoked |= session.revoked;
        }
        Err(match (found, revoked) {
            (_, true) => ApiError::logged_out(),
            (true, false) => ApiError::invalid_token("the session expired"),
            (false, false) => ApiError::invalid_token("unknown session"),
        })
    }

    /// Revokes every session of a user (the console's "log out everywhere"); returns how
    /// many were live.
    pub(crate) fn logout_user(&self, user_id: &str) -> usize {
        let now = self.now();
        self.lock().revoke_sessions(user_id, now)
    }

    /// Revokes the refresh token's session, or (`all`) every session of its user.
    pub(crate) fn logout(&self, token: &str, all: bool) -> Result<(), ApiError> {
        let (jti, session) = self.refresh_session(token)?;
        let mut st = self.lock();
        if let Some(user) = st.user(&session.user_id) {
            let event = refresh_event(LOGOUT, user, &session);
            self.audit(&mut st, event);
        }
        if all {
            st.revoke_sessions(&session.user_id, 0);
        } else if let Some(s) = st.sessions.get_mut(&jti) {
            s.revoked = true;
        }
        Ok(())
    }

    /// A session JWT for an access key (no refresh token). Returns the token and its expiry.
    pub(crate) fn mint_access_key_session(
        &self,
        key_id: &str,
        authz: Authz,
        dct: Option<String>,
        custom_claims: Map<String, Value>,
    ) -> Result<(String, i64), ApiError> {
        let now = self.now();
        let snapshot = Snapshot {
            subject: key_id.to_owned(),
            authz,
            amr: vec!["accesskey".to_owned()],
            dct,
            custom_claims,
            user: None,
            sid: None,
        };
        let (token, claims) = self.mint_session(&self.current_key(), &snapshot, now)?;
        Ok((token, claims.exp.unwrap_or(now)))
    }

    fn base_claims(&self, subject: &str, now: i64, exp: i64, drn: &str, amr: &[String]) -> Claims {
        Claims {
            sub: Some(subject.to_owned()),
            iss: Some(self.issuer.clone()),
            iat: Some(now),
            exp: Some(exp),
            aud: self.config.audience.clone().map(Audience::One),
            drn: Some(drn.to_owned()),
            amr: amr.to_vec(),
            ..Claims::default()
        }
    }

    fn mint_session(
        &self,
        key: &SigningKey,
        snap: &Snapshot,
        now: i64,
    ) -> Result<(String, Claims), ApiError> {
        let exp = now.saturating_add(Self::ttl(self.config.session_ttl_seconds));
        let mut claims = self.base_claims(&snap.subject, now, exp, DRN_SESSION, &snap.amr);
        claims.roles = snap.authz.roles.clone();
        claims.permissions = snap.authz.permissions.clone();
        claims.tenants = snap.authz.tenants.clone().into();
        claims.dct = snap.dct.clone();
        claims.custom = snap
            .custom_claims
            .iter()
            .filter(|(k, _)| !RESERVED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(sid) = &snap.sid {
            claims
                .custom
                .insert("sid".to_owned(), Value::from(sid.as_str()));
        }
        let token = key.sign_jwt(&claims)?;
        Ok((token, claims))
    }

    fn mint_refresh(
        &self,
        key: &SigningKey,
        snap: &Snapshot,
        jti: &str,
        now: i64,
        exp: i64,
    ) -> Result<String, ApiError> {
        let mut claims = self.base_claims(&snap.subject, now, exp, DRN_REFRESH, &snap.amr);
        claims.custom.insert("jti".to_owned(), Value::from(jti));
        Ok(key.sign_jwt(&claims)?)
    }

    fn respond(
        &self,
        key: &SigningKey,
        snap: Snapshot,
        now: i64,
        refresh: String,
        refresh_exp: i64,
        first_seen: bool,
    ) -> Result<JwtResponse, ApiError> {
        let (session, claims) = self.mint_session(key, &snap, now)?;
        let session_expiration = claims.exp;
        let claims =
            RawJson::from_value(&claims).ok_or(ApiError::internal("claims encoding failed"))?;
        Ok(JwtResponse {
            session_jwt: Some(SessionToken::new(session)),
            refresh_jwt: Some(RefreshToken::new(refresh)),
            cookie_domain: Some(String::new()),
            cookie_path: Some("/".to_owned()),
            cookie_max_age: Some(refresh_exp.saturating_sub(now).max(0)),
            cookie_expiration: Some(refresh_exp),
            user: snap.user,
            first_seen: Some(first_seen),
            session_expiration,
            claims: Some(claims),
            cookie_name: Some(DRN_REFRESH.to_owned()),
            ..JwtResponse::default()
        })
    }
}

impl State {
    /// Revokes every refresh session of a user (logout-all, the management API's logout,
    /// `revokeOtherSessions`, the console); returns how many were live at `now`. A scan of
    /// the sessions, which only these calls pay.
    pub(crate) fn revoke_sessions(&mut self, user_id: &str, now: i64) -> usize {
        let mut live = 0;
        for session in self.sessions.values_mut().filter(|s| s.user_id == user_id) {
            if !session.revoked && session.exp > now {
                live += 1;
            }
            session.revoked = true;
        }
        live
    }
}
