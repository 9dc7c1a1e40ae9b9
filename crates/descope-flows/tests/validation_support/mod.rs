//! Shared helpers of the validation tests: real RSA/EC keys, token minting, a manual clock
//! and a counting key source.
#![allow(dead_code)] // each test file uses a different subset

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_flows::{Clock, Error, KeySource, SessionValidator, ValidationConfig};
use descope_transport::{TransportError, TransportErrorKind};
use descope_types::{Jwk, JwkSet};
use serde_json::{Value, json};

pub const PID: &str = "P2validationTestProject";
/// A fixed "now" for the manual clock.
pub const NOW: i64 = 1_800_000_000;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An RSA-2048 signing key and its public JWK.
pub struct RsaKey {
    pub kid: String,
    pair: KeyPair,
}

impl RsaKey {
    pub fn generate(kid: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            pair: KeyPair::generate(KeySize::Rsa2048).unwrap(),
        }
    }

    pub fn jwk(&self) -> Jwk {
        let public = self.pair.public_key();
        Jwk {
            kty: "RSA".into(),
            kid: Some(self.kid.clone()),
            alg: Some("RS256".into()),
            use_: Some("sig".into()),
            n: Some(b64(public.modulus().big_endian_without_leading_zero())),
            e: Some(b64(public.exponent().big_endian_without_leading_zero())),
            ..Jwk::default()
        }
    }

    /// The public key as PKCS#1 DER: what an HS256 key-confusion attack signs with.
    pub fn public_der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut sig,
            )
            .unwrap();
        sig
    }

    /// A token with this header and claims, RS256-signed by this key.
    pub fn mint_with_header(&self, header: &Value, claims: &Value) -> String {
        let message = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = self.sign(message.as_bytes());
        format!("{message}.{}", b64(&sig))
    }

    /// A token with the usual header (`alg: RS256`, this `kid`).
    pub fn mint(&self, claims: &Value) -> String {
        self.mint_with_header(
            &json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"}),
            claims,
        )
    }
}

/// Keys are slow to generate: each test binary makes them once.
pub fn key_a() -> &'static RsaKey {
    static KEY: OnceLock<RsaKey> = OnceLock::new();
    KEY.get_or_init(|| RsaKey::generate("kid-a"))
}

pub fn key_b() -> &'static RsaKey {
    static KEY: OnceLock<RsaKey> = OnceLock::new();
    KEY.get_or_init(|| RsaKey::generate("kid-b"))
}

/// An ES256 key and its JWK.
pub struct EcKey {
    pub kid: String,
    pair: EcdsaKeyPair,
}

impl EcKey {
    pub fn generate(kid: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            pair: EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
        }
    }

    pub fn jwk(&self) -> Jwk {
        let point = self.pair.public_key().as_ref();
        assert_eq!(point.len(), 65);
        Jwk {
            kty: "EC".into(),
            kid: Some(self.kid.clone()),
            alg: Some("ES256".into()),
            use_: Some("sig".into()),
            crv: Some("P-256".into()),
            x: Some(b64(&point[1..33])),
            y: Some(b64(&point[33..])),
            ..Jwk::default()
        }
    }

    pub fn mint(&self, claims: &Value) -> String {
        let header = json!({"alg": "ES256", "kid": self.kid});
        let message = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = self
            .pair
            .sign(&SystemRandom::new(), message.as_bytes())
            .unwrap();
        format!("{message}.{}", b64(sig.as_ref()))
    }
}

/// Valid session claims at [`NOW`].
pub fn session_claims() -> Value {
    json!({
        "sub": "U2user",
        "iss": PID,
        "iat": NOW - 10,
        "exp": NOW + 600,
        "drn": "DS",
        "amr": ["oauth"],
        "roles": ["admin", "viewer"],
        "permissions": ["read"],
    })
}

/// Valid refresh claims at [`NOW`].
pub fn refresh_claims() -> Value {
    json!({
        "sub": "U2user",
        "iss": format!("https://api.descope.com/{PID}"),
        "iat": NOW - 10,
        "exp": NOW + 86_400,
        "drn": "DSR",
    })
}

/// Sets `claims[name] = value` (`Value::Null` removes it).
pub fn with(mut claims: Value, name: &str, value: Value) -> Value {
    let map = claims.as_object_mut().unwrap();
    if value.is_null() {
        map.remove(name);
    } else {
        map.insert(name.to_owned(), value);
    }
    claims
}

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(now: i64) -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(now)))
    }
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> std::time::SystemTime {
        descope_types::clock::from_unix_seconds(self.0.load(Ordering::SeqCst))
    }
}

/// A key source whose answer the test changes, counting the fetches.
#[derive(Debug, Default)]
pub struct CountingSource {
    pub fetches: AtomicUsize,
    pub answer: Mutex<Option<JwkSet>>,
    /// When set, fetches wait for this before answering (to pile up concurrent callers).
    pub gate: Option<tokio::sync::Semaphore>,
}

impl CountingSource {
    pub fn serving(keys: Vec<Jwk>) -> Arc<Self> {
        let source = Self::default();
        source.set(Some(keys));
        Arc::new(source)
    }

    /// `None` makes fetches fail with a connect error.
    pub fn set(&self, keys: Option<Vec<Jwk>>) {
        *self.answer.lock().unwrap() = keys.map(|keys| JwkSet { keys });
    }

    pub fn count(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl KeySource for CountingSource {
    async fn fetch_keys(&self) -> Result<JwkSet, Error> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            let _permit = gate.acquire().await.unwrap();
        }
        let answer = self.answer.lock().unwrap().clone();
        // What the client reports for a refused connection.
        answer.ok_or_else(|| TransportError::new(TransportErrorKind::Connect).into())
    }
}

/// A config at [`NOW`] on a manual clock.
pub fn config(clock: &Arc<ManualClock>) -> ValidationConfig {
    let mut config = ValidationConfig::new(PID);
    config.clock = clock.clone();
    config
}

pub fn validator(config: ValidationConfig, source: Arc<dyn KeySource>) -> SessionValidator {
    SessionValidator::new(config, source).unwrap()
}
