//! RSA-2048 signing keys, the per-project key ring (current key plus rotated-out keys in
//! their grace period) and their JWKs.

use std::sync::Arc;

use aws_lc_rs::digest;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_types::Jwk;
use serde::Serialize;

use crate::error::{EmulatorError, EmulatorErrorKind};

/// An RS256 signing key as the emulator uses it: an RSA-2048 key pair with its `kid` (the
/// RFC 7638 thumbprint) and public JWK.
///
/// Public so tests can mint tokens with a key the emulator does not know (a forged token)
/// and so the benchmark can measure the emulator's own signing path.
pub struct SigningKey {
    pair: KeyPair,
    /// Parsed once: verifying a refresh token must not re-parse the key.
    public: ParsedPublicKey,
    kid: String,
    jwk: Jwk,
    /// `base64url(header) + "."`, computed once: every token of this key starts with it.
    header_prefix: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a fresh RSA-2048 key (tens of milliseconds; reuse keys where you can).
    pub fn generate() -> Result<Self, EmulatorError> {
        let crypto = |m: &str| EmulatorError::new(EmulatorErrorKind::Crypto, m);
        let pair =
            KeyPair::generate(KeySize::Rsa2048).map_err(|_| crypto("RSA key generation failed"))?;
        let parsed = ParsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            pair.public_key().as_ref(),
        )
        .map_err(|_| crypto("RSA public key parsing failed"))?;
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        // RFC 7638: SHA-256 over the required members in lexicographic order.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()));
        let header = serde_json::to_vec(&Header {
            alg: "RS256",
            kid: &kid,
            typ: "JWT",
        })
        .map_err(|_| crypto("header encoding failed"))?;
        let mut header_prefix = URL_SAFE_NO_PAD.encode(header);
        header_prefix.push('.');
        let jwk = Jwk {
            kty: "RSA".to_owned(),
            kid: Some(kid.clone()),
            alg: Some("RS256".to_owned()),
            use_: Some("sig".to_owned()),
            n: Some(n),
            e: Some(e),
            ..Jwk::default()
        };
        Ok(Self {
            pair,
            public: parsed,
            kid,
            jwk,
            header_prefix,
        })
    }

    /// The key id (`kid` header of its tokens).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK (`alg`, `kid`, `kty`, `use`, `n`, `e`).
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Signs `claims` as a compact RS256 JWT with header `{alg, kid, typ}`.
    pub fn sign_jwt(&self, claims: &impl Serialize) -> Result<String, EmulatorError> {
        let payload = serde_json::to_vec(claims).map_err(|e| {
            EmulatorError::with_source(EmulatorErrorKind::Crypto, "claims encoding failed", e)
        })?;
        let mut token =
            String::with_capacity(self.header_prefix.len() + payload.len() * 4 / 3 + 350);
        token.push_str(&self.header_prefix);
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                token.as_bytes(),
                &mut signature,
            )
            .map_err(|_| EmulatorError::new(EmulatorErrorKind::Crypto, "RSA signing failed"))?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.public.verify_sig(message, signature).is_ok()
    }
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    kid: &'a str,
    typ: &'a str,
}

/// A project's keys: the one that signs, and rotated-out ones still served (and accepted)
/// until their grace period ends.
#[derive(Debug)]
pub(crate) struct KeyRing {
    current: Arc<SigningKey>,
    /// When the current key was made current (unix seconds).
    current_since: i64,
    retired: Vec<Retired>,
}

#[derive(Debug)]
struct Retired {
    key: Arc<SigningKey>,
    created: i64,
    until: i64,
}

/// A key as the web console lists it (public facts only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyInfo {
    pub(crate) kid: String,
    /// When it became the signing key (unix seconds).
    pub(crate) created: i64,
    /// `None` for the current key; else when its grace period ends.
    pub(crate) valid_until: Option<i64>,
}

impl KeyRing {
    pub(crate) fn new(key: SigningKey, now: i64) -> Self {
        Self {
            current: Arc::new(key),
            current_since: now,
            retired: Vec::new(),
        }
    }

    pub(crate) fn current(&self) -> Arc<SigningKey> {
        Arc::clone(&self.current)
    }

    /// Makes `key` current; the old one stays valid until `retire_until` (unix seconds).
    pub(crate) fn rotate(
        &mut self,
        key: SigningKey,
        retire_until: i64,
        now: i64,
    ) -> Arc<SigningKey> {
        let old = std::mem::replace(&mut self.current, Arc::new(key));
        let created = std::mem::replace(&mut self.current_since, now);
        self.retired.retain(|r| r.until > now);
        if retire_until > now {
            self.retired.push(Retired {
                key: Arc::clone(&old),
                created,
                until: retire_until,
            });
        }
        old
    }

    /// The key with this `kid`, if it is current or still in its grace period.
    pub(crate) fn find(&self, kid: &str, now: i64) -> Option<Arc<SigningKey>> {
        if self.current.kid == kid {
            return Some(self.current());
        }
        self.retired
            .iter()
            .find(|r| r.key.kid == kid && r.until > now)
            .map(|r| Arc::clone(&r.key))
    }

    fn live(&self, now: i64) -> impl Iterator<Item = &Retired> {
        self.retired.iter().filter(move |r| r.until > now)
    }

    /// The served JWKs: current first.
    pub(crate) fn jwks(&self, now: i64) -> Vec<Jwk> {
        std::iter::once(&self.current)
            .chain(self.live(now).map(|r| &r.key))
            .map(|k| k.jwk.clone())
            .collect()
    }

    /// The served keys, current first, with when they were made current and until when
    /// the retired ones are accepted.
    pub(crate) fn infos(&self, now: i64) -> Vec<KeyInfo> {
        std::iter::once(KeyInfo {
            kid: self.current.kid.clone(),
            created: self.current_since,
            valid_until: None,
        })
        .chain(self.live(now).map(|r| KeyInfo {
            kid: r.key.kid.clone(),
            created: r.created,
            valid_until: Some(r.until),
        }))
        .collect()
    }
}
