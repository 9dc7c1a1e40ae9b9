//! Local validation of Descope session and refresh JWTs.
//!
//! The rules are stricter than the official SDKs' (see `docs/security.md`): the header `alg`
//! must be allowed and equal the key's; `none` and HMAC are never accepted; `exp`, `iss` and
//! a subject are required; `iss` must name this project; `drn` must match the token type;
//! `nbf` and `iat` must not be in the future; `aud` is checked when configured.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_types::{Claims, Jwk, RefreshToken, SessionToken};
use serde::Deserialize;

use descope_types::{Clock, SystemClock};

use crate::error::{Error, TokenErrorReason};
use crate::jwks::{AlgorithmSet, KeyCache, KeySource, SigningAlgorithm, VerifyingKey};
use crate::session::{Fingerprint, RefreshSession, Session, TokenKind, Verified};

/// Default JWT leeway applied to `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

/// Default minimum time between two key-set fetches caused by tokens naming an unknown `kid`.
pub const DEFAULT_KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// Default number of verified tokens remembered per token type.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: usize = 10_000;

/// How session tokens are validated.
///
/// Build it with [`ValidationConfig::new`] and adjust the public fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidationConfig {
    /// The project id: `iss` must name it.
    pub project_id: String,
    /// Algorithms a token may be signed with (default: RS256 only). `none` and HMAC cannot be
    /// expressed, so are never allowed.
    pub algorithms: Vec<SigningAlgorithm>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in whole seconds
    /// (default [`DEFAULT_LEEWAY`]).
    pub leeway: Duration,
    /// When non-empty, a session token's `aud` must contain one of these.
    pub audiences: Vec<String>,
    /// The time source (default: the system clock).
    pub clock: Arc<dyn Clock>,
    /// A pinned public key. When set it is the only key used (the key source is never
    /// asked), and a token naming another `kid` is rejected, as in the Go and Node SDKs.
    pub public_key: Option<Jwk>,
    /// Minimum time between two key-set fetches caused by unknown `kid`s
    /// (default [`DEFAULT_KEY_REFETCH_INTERVAL`]).
    pub min_refetch_interval: Duration,
    /// How many verified tokens (per token type) are remembered, so that validating a token
    /// again skips the signature check (default [`DEFAULT_TOKEN_CACHE_CAPACITY`]; 0
    /// disables the cache).
    pub token_cache_capacity: usize,
}

impl ValidationConfig {
    /// The defaults for a project.
    pub fn new(project_id: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            algorithms: vec![SigningAlgorithm::RS256],
            leeway: DEFAULT_LEEWAY,
            audiences: Vec::new(),
            clock: Arc::new(SystemClock),
            public_key: None,
            min_refetch_interval: DEFAULT_KEY_REFETCH_INTERVAL,
            token_cache_capacity: DEFAULT_TOKEN_CACHE_CAPACITY,
        }
    }
}

/// Validates Descope session and refresh tokens locally, against the project's public keys.
///
/// Cheap to clone; clones share the key cache and the verified-token cache.
///
/// ```
/// use std::sync::Arc;
/// use descope_flows::{SessionValidator, TokenErrorReason, ValidationConfig};
/// use descope_types::{JwkSet, SessionToken};
///
/// # async fn demo() -> Result<(), descope_flows::Error> {
/// // Keys usually come from the client (`GET /v2/keys/{projectId}`); any `KeySource` works.
/// let keys: JwkSet = serde_json::from_str(r#"{"keys": []}"#).unwrap();
/// let validator = SessionValidator::new(ValidationConfig::new("P2abc"), Arc::new(keys))?;
///
/// let error = validator
///     .validate_session(&SessionToken::new("not.a.jwt"))
///     .await
///     .unwrap_err();
/// assert_eq!(error.token_reason(), Some(TokenErrorReason::Malformed));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct SessionValidator {
    inner: Arc<Inner>,
}

struct Inner {
    project_id: Arc<str>,
    algorithms: AlgorithmSet,
    leeway: i64,
    audiences: Vec<String>,
    clock: Arc<dyn Clock>,
    keys: Keys,
    sessions: TokenCache<SessionToken>,
    refreshes: TokenCache<RefreshToken>,
}

enum Keys {
    /// A pinned key: exclusive.
    Static {
        kid: Option<String>,
        key: Arc<VerifyingKey>,
    },
    Fetched(Arc<KeyCache>),
}

impl Keys {
    fn epoch(&self) -> u64 {
        match self {
            Self::Static { .. } => 0,
            Self::Fetched(cache) => cache.epoch(),
        }
    }

    async fn get(&self, kid: Option<&str>, source: Source) -> Result<Arc<VerifyingKey>, Error> {
        match (self, kid) {
            (Self::Static { kid: own, key }, kid) => match (own, kid) {
                (Some(own), Some(kid)) if own != kid => {
                    Err(Error::token(TokenErrorReason::UnknownKey))
                }
                _ => Ok(Arc::clone(key)),
            },
            (Self::Fetched(cache), Some(kid)) => cache.get(kid, source == Source::Descope).await,
            // Without a pinned key, the `kid` is what selects the key.
            (Self::Fetched(_), None) => Err(Error::token(TokenErrorReason::UnknownKey)),
        }
    }
}

impl fmt::Debug for SessionValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("SessionValidator")
            .field("project_id", &inner.project_id)
            .field("algorithms", &inner.algorithms)
            .field("leeway", &inner.leeway)
            .field("audiences", &inner.audiences)
            .field("pinned_key", &matches!(inner.keys, Keys::Static { .. }))
            .finish_non_exhaustive()
    }
}

/// Where a token came from: the caller (untrusted: an unknown `kid` fetches keys at most
/// once per interval) or Descope's answer to this client (an unknown `kid` means the keys
/// rotated: fetch now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Caller,
    Descope,
}

/// The token header fields validation reads.
#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(default, borrow)]
    kid: Option<Cow<'a, str>>,
}

impl SessionValidator {
    /// A validator for `config`'s project, with keys from `keys` (unused when
    /// `config.public_key` is set).
    ///
    /// Fails with [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when the
    /// project id is empty, no algorithm is allowed, or the pinned key cannot verify any
    /// allowed algorithm.
    pub fn new(config: ValidationConfig, keys: Arc<dyn KeySource>) -> Result<Self, Error> {
        if config.project_id.trim().is_empty() {
            return Err(Error::configuration("the project id is empty"));
        }
        let algorithms = AlgorithmSet::new(&config.algorithms);
        if algorithms.is_empty() {
            return Err(Error::configuration("no signing algorithm is allowed"));
        }
        let keys = match &config.public_key {
            Some(jwk) => {
                let key = VerifyingKey::from_jwk(jwk)
                    .filter(|key| config.algorithms.iter().any(|alg| key.accepts(*alg)))
                    .ok_or(Error::configuration(
                        "the public key cannot verify any allowed algorithm",
                    ))?;
                Keys::Static {
                    kid: jwk.kid.clone(),
                    key: Arc::new(key),
                }
            }
            None => Keys::Fetched(Arc::new(KeyCache::new(
                keys,
                Arc::clone(&config.clock),
                secs(config.min_refetch_interval),
            ))),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                project_id: Arc::from(config.project_id),
                algorithms,
                leeway: secs(config.leeway),
                audiences: config.audiences,
                clock: config.clock,
                keys,
                sessions: TokenCache::new(config.token_cache_capacity),
                refreshes: TokenCache::new(config.token_cache_capacity),
            }),
        })
    }

    /// Validates a session token (`drn: "DS"`).
    pub async fn validate_session(&self, token: &SessionToken) -> Result<Session, Error> {
        let verified = self
            .validate(token, &self.inner.sessions, Source::Caller)
            .await?;
        Ok(Session::from_verified(token, verified))
    }

    /// Validates a refresh token (`drn: "DSR"`). The configured audience does not apply.
    pub async fn validate_refresh(&self, token: &RefreshToken) -> Result<RefreshSession, Error> {
        let verified = self
            .validate(token, &self.inner.refreshes, Source::Caller)
            .await?;
        Ok(RefreshSession::from_verified(token, verified))
    }

    /// Validates a session token Descope just issued in answer to this client: a `kid` the
    /// cache does not know means the keys rotated, so the key set is fetched at once,
    /// whatever the refetch throttle says (the credential that bought these tokens may
    /// already be spent).
    pub(crate) async fn validate_issued_session(
        &self,
        token: &SessionToken,
    ) -> Result<Session, Error> {
        let verified = self
            .validate(token, &self.inner.sessions, Source::Descope)
            .await?;
        Ok(Session::from_verified(token, verified))
    }

    /// Like [`validate_issued_session`](Self::validate_issued_session), for a refresh token.
    pub(crate) async fn validate_issued_refresh(
        &self,
        token: &RefreshToken,
    ) -> Result<RefreshSession, Error> {
        let verified = self
            .validate(token, &self.inner.refreshes, Source::Descope)
            .await?;
        Ok(RefreshSession::from_verified(token, verified))
    }

    async fn validate<T: TokenKind>(
        &self,
        token: &T,
        cache: &TokenCache<T>,
        source: Source,
    ) -> Result<Arc<Verified<T>>, Error> {
        let inner = &*self.inner;
        let raw = token.raw();
        if raw.is_empty() {
            return Err(Error::token(TokenErrorReason::Empty));
        }
        // Read before the key lookup: a key dropped meanwhile invalidates this entry.
        let epoch = inner.keys.epoch();
        let fingerprint = cache.enabled().then(|| Fingerprint::of(raw));
        if let Some(hit) = fingerprint.and_then(|f| cache.get(&f, epoch)) {
            return match self.check_claims::<T>(&hit.claims, inner.clock.now_unix()) {
                Ok(()) => Ok(hit),
                Err(error) => {
                    cache.remove(&hit.fingerprint);
                    Err(error)
                }
            };
        }

        // Every structural check runs before a key lookup, so garbage never causes a fetch.
        let (message, signature) = raw
            .rsplit_once('.')
            .ok_or(Error::token(TokenErrorReason::Malformed))?;
        let (header, payload) = message
            .split_once('.')
            .ok_or(Error::token(TokenErrorReason::Malformed))?;
        let header = b64(header)?;
        let header: Header<'_> = serde_json::from_slice(&header)
            .map_err(|_| Error::token(TokenErrorReason::Malformed))?;
        let alg = SigningAlgorithm::from_name(&header.alg)
            .filter(|alg| inner.algorithms.contains(*alg))
            .ok_or(Error::token(TokenErrorReason::DisallowedAlgorithm))?;
        let payload = b64(payload)?;
        let signature = b64(signature)?;

        let key = inner.keys.get(header.kid.as_deref(), source).await?;
        if !key.accepts(alg) {
            return Err(Error::token(TokenErrorReason::DisallowedAlgorithm));
        }
        if !key.verify(alg, message.as_bytes(), &signature) {
            return Err(Error::token(TokenErrorReason::BadSignature));
        }

        let claims: Claims = serde_json::from_slice(&payload)
            .map_err(|_| Error::token(TokenErrorReason::Malformed))?;
        // Read only now that the key is in hand: a fetch may have taken a while, and a token
        // that expired meanwhile must not pass.
        let now = inner.clock.now_unix();
        self.check_claims::<T>(&claims, now)?;
        let verified = Arc::new(Verified {
            fingerprint: fingerprint.unwrap_or(Fingerprint([0; 32])),
            claims,
            project_id: Arc::clone(&inner.project_id),
            key_epoch: epoch,
            kind: PhantomData,
        });
        if fingerprint.is_some() {
            cache.insert(&verified, now, inner.leeway);
        }
        Ok(verified)
    }

    /// The claim rules, run on every validation, including cache hits.
    fn check_claims<T: TokenKind>(&self, claims: &Claims, now: i64) -> Result<(), Error> {
        let inner = &*self.inner;
        let fail = |reason| Err(Error::token(reason));
        let Some(exp) = claims.exp else {
            return fail(TokenErrorReason::MissingExpiry);
        };
        if is_expired(exp, now, inner.leeway) {
            return fail(TokenErrorReason::Expired);
        }
        let not_yet = |t: Option<i64>| t.is_some_and(|t| t > now.saturating_add(inner.leeway));
        if not_yet(claims.nbf) || not_yet(claims.iat) {
            return fail(TokenErrorReason::NotYetValid);
        }
        let Some(iss) = claims.iss.as_deref() else {
            return fail(TokenErrorReason::MissingIssuer);
        };
        if !issuer_names_project(iss, &inner.project_id) {
            return fail(TokenErrorReason::WrongIssuer);
        }
        if claims.drn.as_deref() != Some(T::DRN) {
            return fail(TokenErrorReason::WrongTokenType);
        }
        if claims.user_id().is_none_or(str::is_empty) {
            return fail(TokenErrorReason::MissingSubject);
        }
        if T::CHECKS_AUDIENCE && !inner.audiences.is_empty() {
            let matches = claims
                .aud
                .as_ref()
                .is_some_and(|aud| inner.audiences.iter().any(|a| aud.contains(a)));
            if !matches {
                return fail(TokenErrorReason::WrongAudience);
            }
        }
        Ok(())
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

fn b64(segment: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Error::token(TokenErrorReason::Malformed))
}

/// Expired once `now` reaches `exp + leeway` (RFC 7519: valid only *before* `exp`).
fn is_expired(exp: i64, now: i64, leeway: i64) -> bool {
    now >= exp.saturating_add(leeway)
}

/// Whether `iss` names the project: equal to its id, or a URL or `/`-separated path whose
/// last or second-to-last non-empty segment is the id (as the Node SDK accepts).
fn issuer_names_project(iss: &str, project_id: &str) -> bool {
    if iss == project_id {
        return true;
    }
    // For a URL only the path counts: a host equal to the id does not name the project.
    let path = match iss.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => iss,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.rsplit('/').filter(|s| !s.is_empty());
    segments.next() == Some(project_id) || segments.next() == Some(project_id)
}

/// Verified tokens by the SHA-256 of their text, so a token seen before skips the signature
/// check and JSON parse. Bounded; entries die at the token's `exp` (the claim rules run on
/// every hit).
struct TokenCache<T> {
    capacity: usize,
    map: RwLock<HashMap<u64, Arc<Verified<T>>>>,
}

impl<T: TokenKind> TokenCache<T> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            map: RwLock::new(HashMap::new()),
        }
    }

    fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn get(&self, fingerprint: &Fingerprint, epoch: u64) -> Option<Arc<Verified<T>>> {
        let entry = self
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&fingerprint.bucket())
            .cloned()?;
        // The bucket only picks the entry; the whole fingerprint must match.
        (entry.key_epoch == epoch && entry.fingerprint.matches(fingerprint)).then_some(entry)
    }

    fn insert(&self, verified: &Arc<Verified<T>>, now: i64, leeway: i64) {
        let bucket = verified.fingerprint.bucket();
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= self.capacity && !map.contains_key(&bucket) {
            map.retain(|_, v| !is_expired(v.claims.exp.unwrap_or(i64::MIN), now, leeway));
            // Still crowded with live tokens: drop arbitrary ones (iteration order is random
            // per process) down to three quarters, so this scan runs once per many inserts.
            let target = self.capacity - self.capacity / 4 - 1;
            if map.len() > target {
                let excess = map.len() - target;
                let victims: Vec<u64> = map.keys().take(excess).copied().collect();
                for victim in victims {
                    map.remove(&victim);
                }
            }
        }
        map.insert(bucket, Arc::clone(verified));
    }

    fn remove(&self, fingerprint: &Fingerprint) {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&fingerprint.bucket());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_forms() {
        let pid = "P2abc";
        for ok in [
            "P2abc",
            "https://api.descope.com/P2abc",
            "https://api.descope.com/P2abc/",
            "https://api.descope.com/v1/apps/P2abc/mcp",
            "https://api.descope.com/P2abc?x=1",
            "descope/P2abc",
        ] {
            assert!(issuer_names_project(ok, pid), "{ok}");
        }
        for bad in [
            "",
            "P2abcd",
            "https://P2abc",
            "https://P2abc/other",
            "https://api.descope.com/P2abc/a/b",
            "https://api.descope.com/other?P2abc",
            "https://api.descope.com/x#/P2abc",
            "p2abc",
        ] {
            assert!(!issuer_names_project(bad, pid), "{bad}");
        }
    }

    #[test]
    fn expiry_edge() {
        assert!(!is_expired(100, 104, 5));
        assert!(is_expired(100, 105, 5));
        assert!(!is_expired(i64::MAX, i64::MAX - 1, 5));
    }

    fn verified(raw: &str, exp: i64) -> Arc<Verified<SessionToken>> {
        Arc::new(Verified {
            fingerprint: Fingerprint::of(raw),
            claims: Claims {
                exp: Some(exp),
                ..Claims::default()
            },
            project_id: Arc::from("P"),
            key_epoch: 0,
            kind: PhantomData,
        })
    }

    fn get(cache: &TokenCache<SessionToken>, raw: &str, epoch: u64) -> bool {
        cache.get(&Fingerprint::of(raw), epoch).is_some()
    }

    #[test]
    fn token_cache_is_bounded_and_evicts_expired_entries_first() {
        let cache = TokenCache::<SessionToken>::new(8);
        let len = || cache.map.read().unwrap().len();
        for i in 0..4 {
            let raw = format!("expired-{i}");
            cache.insert(&verified(&raw, 50), 0, 5);
        }
        for i in 0..4 {
            let raw = format!("live-{i}");
            cache.insert(&verified(&raw, 1_000), 0, 5);
        }
        assert_eq!(len(), 8);
        // Full at t=100: the four expired entries make room, the live ones stay.
        cache.insert(&verified("new", 1_000), 100, 5);
        assert_eq!(len(), 5);
        for i in 0..4 {
            assert!(get(&cache, &format!("live-{i}"), 0));
            assert!(!get(&cache, &format!("expired-{i}"), 0));
        }
        // Full of live tokens: it trims, never grows past capacity.
        for i in 0..100 {
            let raw = format!("more-{i}");
            cache.insert(&verified(&raw, 1_000), 100, 5);
            assert!(len() <= 8);
        }
        assert!(get(&cache, "more-99", 0));
        // Another key epoch misses.
        assert!(!get(&cache, "more-99", 1));
    }

    #[test]
    fn fingerprints_compare_whole_tokens() {
        let a = Fingerprint::of("abc");
        assert!(a.matches(&Fingerprint::of("abc")));
        assert!(!a.matches(&Fingerprint::of("abd")));
        assert!(!a.matches(&Fingerprint::of("abcd")));
        assert_ne!(a.bucket(), Fingerprint::of("abd").bucket());
    }
}
