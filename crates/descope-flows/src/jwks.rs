//! Public keys for session validation: where they come from ([`KeySource`]), which
//! algorithms they may verify ([`SigningAlgorithm`]), and the cache in front of the source.
//!
//! The cache fetches lazily, serves every known `kid` from memory, refetches on an unknown
//! `kid` at most once per interval, shares one fetch among all concurrent callers, and keeps
//! serving the keys it has when a refetch fails. A fetch runs on its own task: a caller that
//! gives up (a dropped request) neither cancels it nor escapes the throttle. Each JWK is parsed into aws-lc-rs public keys
//! once, when it enters the cache, so a validation only checks the signature.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_types::{Clock, Jwk, JwkSet};

use crate::error::{Error, TokenErrorReason};

/// Where the validator gets the project's public keys.
///
/// The client implements it with `GET /v2/keys/{projectId}`; a [`JwkSet`] is a source that
/// always answers with itself (keys pinned in configuration or loaded from a file). A custom
/// source reports its own failures with [`Error::key_source`] (any `std::error::Error`), or
/// a transport failure with `?`.
#[async_trait]
pub trait KeySource: Send + Sync + fmt::Debug + 'static {
    /// Fetches the current key set.
    async fn fetch_keys(&self) -> Result<JwkSet, Error>;
}

#[async_trait]
impl KeySource for JwkSet {
    async fn fetch_keys(&self) -> Result<JwkSet, Error> {
        Ok(self.clone())
    }
}

/// An asymmetric JWS algorithm a session token may be signed with.
///
/// `none` and the HMAC algorithms (`HS256`...) have no variant: a token naming them is
/// always rejected, whatever the configuration says.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (what Descope signs with).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
}

impl SigningAlgorithm {
    /// Parses a JOSE `alg` name; `None` for `none`, HMAC and unknown names.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            "EdDSA" => Self::EdDSA,
            _ => return None,
        })
    }

    /// The JOSE `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The bit of this algorithm in an [`AlgorithmSet`].
    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    const ALL: [Self; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// aws-lc-rs's verifier; RSA keys must have 2048 to 8192 bits.
    fn verification(self) -> &'static dyn VerificationAlgorithm {
        match self {
            Self::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            Self::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
            Self::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
            Self::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
            Self::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
            Self::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
            Self::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
            Self::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
            Self::EdDSA => &sig::ED25519,
        }
    }

    /// The kind of key that can verify this algorithm.
    fn key_kind(self) -> KeyKind {
        match self {
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyKind::Rsa
            }
            Self::ES256 => KeyKind::P256,
            Self::ES384 => KeyKind::P384,
            Self::EdDSA => KeyKind::Ed25519,
        }
    }
}

/// A set of allowed algorithms, as a bit mask (checked on every validation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlgorithmSet(u16);

impl AlgorithmSet {
    pub(crate) fn new(algorithms: &[SigningAlgorithm]) -> Self {
        Self(algorithms.iter().fold(0, |mask, alg| mask | alg.bit()))
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn contains(self, alg: SigningAlgorithm) -> bool {
        self.0 & alg.bit() != 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// One public key, parsed once for each algorithm it may verify.
pub(crate) struct VerifyingKey {
    /// One entry when the JWK names its `alg`; every algorithm of the key type otherwise.
    parsed: Vec<(SigningAlgorithm, ParsedPublicKey)>,
    /// The JWK it came from, to reuse this parse when a refetch returns the same key.
    jwk: Jwk,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.jwk.kid)
            .field(
                "algorithms",
                &self.parsed.iter().map(|(alg, _)| alg).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// Parses a JWK; `None` for keys that cannot verify session tokens (symmetric keys,
    /// `use` other than `sig`, an `alg` that is HMAC, `none`, unknown or does not fit the key
    /// type, missing or bad parameters, RSA keys under 2048 bits).
    pub(crate) fn from_jwk(jwk: &Jwk) -> Option<Self> {
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return None;
        }
        let decode = |field: &Option<String>| URL_SAFE_NO_PAD.decode(field.as_deref()?).ok();
        let (kind, public_key) = match jwk.kty.as_str() {
            "RSA" => {
                let components = aws_lc_rs::rsa::PublicKeyComponents {
                    n: decode(&jwk.n)?,
                    e: decode(&jwk.e)?,
                };
                let der = components.as_der().ok()?;
                (KeyKind::Rsa, der.as_ref().to_vec())
            }
            "EC" => {
                let (kind, len) = match jwk.crv.as_deref()? {
                    "P-256" => (KeyKind::P256, 32),
                    "P-384" => (KeyKind::P384, 48),
                    _ => return None,
                };
                let (x, y) = (decode(&jwk.x)?, decode(&jwk.y)?);
                if x.len() != len || y.len() != len {
                    return None;
                }
                // The uncompressed point encoding.
                (kind, [&[4u8][..], &x, &y].concat())
            }
            "OKP" if jwk.crv.as_deref() == Some("Ed25519") => (KeyKind::Ed25519, decode(&jwk.x)?),
            _ => return None,
        };
        let algorithms: Vec<SigningAlgorithm> = match jwk.alg.as_deref() {
            Some(name) => vec![SigningAlgorithm::from_name(name)?],
            None => SigningAlgorithm::ALL.to_vec(),
        };
        let parsed = algorithms
            .into_iter()
            .filter(|alg| alg.key_kind() == kind)
            .map(|alg| {
                Some((
                    alg,
                    ParsedPublicKey::new(alg.verification(), &public_key).ok()?,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        if parsed.is_empty() {
            return None;
        }
        Some(Self {
            parsed,
            jwk: jwk.clone(),
        })
    }

    fn parsed(&self, alg: SigningAlgorithm) -> Option<&ParsedPublicKey> {
        self.parsed
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, key)| key)
    }

    /// Whether a token whose header names `alg` may be verified with this key: the JWK's
    /// `alg` must be the same, or, when the JWK names none, the key must be of the right type.
    pub(crate) fn accepts(&self, alg: SigningAlgorithm) -> bool {
        self.parsed(alg).is_some()
    }

    /// Verifies `signature` over `message` (the first two token segments, as sent).
    pub(crate) fn verify(&self, alg: SigningAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        self.parsed(alg)
            .is_some_and(|key| key.verify_sig(message, signature).is_ok())
    }
}

type KeyMap = HashMap<String, Arc<VerifyingKey>>;

/// Minimum wait before retrying a key-set fetch that failed (capped by the configured refetch
/// interval): a down key endpoint sees at most one request per second from this cache.
const FAILED_FETCH_RETRY_SECS: i64 = 1;

/// The cache of a project's key set, in front of a [`KeySource`].
pub(crate) struct KeyCache {
    source: Arc<dyn KeySource>,
    clock: Arc<dyn Clock>,
    min_refetch_secs: i64,
    keys: RwLock<Arc<KeyMap>>,
    /// Held by the task running a fetch from before it starts until its outcome is recorded.
    fetch: Arc<tokio::sync::Mutex<FetchState>>,
    /// Completed fetch attempts: a caller that waited for the fetch lock shares the outcome
    /// of the fetch it waited for instead of starting another.
    completed_fetches: AtomicU64,
    /// Bumped whenever a refetch drops or changes a key, so tokens verified with the old key
    /// stop being served from the verified-token cache.
    epoch: AtomicU64,
}

#[derive(Default)]
struct FetchState {
    last_attempt: Option<i64>,
    /// The last fetch's error, while it is the latest outcome.
    last_failure: Option<Error>,
}

impl FetchState {
    fn outcome_without_key(&self) -> Error {
        self.last_failure
            .clone()
            .unwrap_or_else(|| Error::token(TokenErrorReason::UnknownKey))
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("source", &self.source)
            .field("min_refetch_secs", &self.min_refetch_secs)
            .field("kids", &self.read().keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl KeyCache {
    pub(crate) fn new(
        source: Arc<dyn KeySource>,
        clock: Arc<dyn Clock>,
        min_refetch_secs: i64,
    ) -> Self {
        Self {
            source,
            clock,
            min_refetch_secs,
            keys: RwLock::new(Arc::new(KeyMap::new())),
            fetch: Arc::new(tokio::sync::Mutex::new(FetchState::default())),
            completed_fetches: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
        }
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    fn read(&self) -> Arc<KeyMap> {
        // A poisoned lock still holds a consistent map: writers only swap the Arc.
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn lookup(&self, kid: &str) -> Option<Arc<VerifyingKey>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    /// The key with this `kid`, fetching the key set when it is unknown (see the module docs
    /// for the throttling and sharing rules). `unthrottled`: the token came from Descope's
    /// own answer, so an unknown `kid` is a rotation, not an attack: skip the interval.
    pub(crate) async fn get(
        self: &Arc<Self>,
        kid: &str,
        unthrottled: bool,
    ) -> Result<Arc<VerifyingKey>, Error> {
        if let Some(key) = self.lookup(kid) {
            return Ok(key);
        }
        let seen = self.completed_fetches.load(Ordering::Acquire);
        let state = Arc::clone(&self.fetch).lock_owned().await;
        if let Some(key) = self.lookup(kid) {
            return Ok(key);
        }
        if self.completed_fetches.load(Ordering::Acquire) != seen {
            // A fetch finished while this caller waited: its outcome is this caller's.
            return Err(state.outcome_without_key());
        }
        let now = self.clock.now_unix();
        if let Some(last) = state.last_attempt.filter(|_| !unthrottled) {
            let wait = if state.last_failure.is_some() {
                self.min_refetch_secs.min(FAILED_FETCH_RETRY_SECS)
            } else {
                self.min_refetch_secs
            };
            // A clock that went backwards does not block fetching.
            if (0..wait).contains(&now.saturating_sub(last)) {
                return Err(state.outcome_without_key());
            }
        }
        // The fetch owns the lock and runs to completion on its own task, recording its
        // outcome even when every caller waiting for it is dropped.
        let cache = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut state = state;
            let outcome = cache.source.fetch_keys().await;
            state.last_attempt = Some(now);
            let result = match outcome {
                Ok(set) => {
                    state.last_failure = None;
                    cache.install(&set);
                    Ok(())
                }
                Err(error) => {
                    tracing::warn!(error = %error, "fetching the session signing keys failed");
                    state.last_failure = Some(error.clone());
                    Err(error)
                }
            };
            cache.completed_fetches.fetch_add(1, Ordering::AcqRel);
            result
        });
        match task.await {
            Ok(Ok(())) => self
                .lookup(kid)
                .ok_or_else(|| Error::token(TokenErrorReason::UnknownKey)),
            Ok(Err(error)) => Err(error),
            Err(join) => Err(Error::key_source(join.to_string())),
        }
    }

    /// Replaces the key map with `set`, reusing the parse of every unchanged key.
    fn install(&self, set: &JwkSet) {
        let old = self.read();
        let mut map = KeyMap::with_capacity(set.keys.len());
        for jwk in &set.keys {
            let Some(kid) = jwk.kid.as_deref() else {
                continue;
            };
            let key = match old.get(kid) {
                Some(existing) if existing.jwk == *jwk => Arc::clone(existing),
                _ => match VerifyingKey::from_jwk(jwk) {
                    Some(key) => Arc::new(key),
                    None => {
                        tracing::debug!(kid, "skipping a key that cannot verify session tokens");
                        continue;
                    }
                },
            };
            map.insert(kid.to_owned(), key);
        }
        let dropped = old
            .iter()
            .any(|(kid, key)| map.get(kid).is_none_or(|new| !Arc::ptr_eq(new, key)));
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(map);
        if dropped {
            self.epoch.fetch_add(1, Ordering::AcqRel);
        }
    }
}
