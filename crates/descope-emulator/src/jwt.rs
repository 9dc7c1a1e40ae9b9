//! Parsing and verifying compact JWTs: the emulator's own RS256 tokens (against a project's
//! key ring) and the HS256 ID tokens of the emulated native OAuth providers.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::keys::KeyRing;

/// Why a token was refused. The message never contains the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    UnknownKey,
    BadSignature,
}

impl TokenError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Malformed => "token is malformed",
            Self::UnknownKey => "token is signed by an unknown key",
            Self::BadSignature => "token signature is invalid",
        }
    }
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    alg: String,
    #[serde(default)]
    kid: String,
}

struct Parts<'a> {
    signed: &'a str,
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

fn split(token: &str) -> Result<Parts<'_>, TokenError> {
    let (signed, sig) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let (header, payload) = signed.split_once('.').ok_or(TokenError::Malformed)?;
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).map_err(|_| TokenError::Malformed);
    let header: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| TokenError::Malformed)?;
    Ok(Parts {
        signed,
        header,
        payload: decode(payload)?,
        signature: decode(sig)?,
    })
}

/// Verifies an RS256 token against the ring's live keys and decodes its claims. Time
/// claims are the caller's business.
pub(crate) fn verify_rs256<C: DeserializeOwned>(
    ring: &KeyRing,
    token: &str,
    now: i64,
) -> Result<C, TokenError> {
    let parts = split(token)?;
    if parts.header.alg != "RS256" {
        return Err(TokenError::Malformed);
    }
    let key = ring
        .find(&parts.header.kid, now)
        .ok_or(TokenError::UnknownKey)?;
    if !key.verify(parts.signed.as_bytes(), &parts.signature) {
        return Err(TokenError::BadSignature);
    }
    serde_json::from_slice(&parts.payload).map_err(|_| TokenError::Malformed)
}

/// Signs claims as an HS256 JWT (the emulated providers' ID tokens).
pub(crate) fn sign_hs256(secret: &[u8], kid: &str, claims: &impl Serialize) -> Option<String> {
    let header =
        serde_json::to_vec(&serde_json::json!({"alg": "HS256", "kid": kid, "typ": "JWT"})).ok()?;
    let payload = serde_json::to_vec(claims).ok()?;
    let mut token = URL_SAFE_NO_PAD.encode(header);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(tag.as_ref(), &mut token);
    Some(token)
}

/// Verifies an HS256 token and decodes its claims.
pub(crate) fn verify_hs256<C: DeserializeOwned>(
    secret: &[u8],
    token: &str,
) -> Result<C, TokenError> {
    let parts = split(token)?;
    if parts.header.alg != "HS256" {
        return Err(TokenError::Malformed);
    }
    hmac::verify(
        &hmac::Key::new(hmac::HMAC_SHA256, secret),
        parts.signed.as_bytes(),
        &parts.signature,
    )
    .map_err(|_| TokenError::BadSignature)?;
    serde_json::from_slice(&parts.payload).map_err(|_| TokenError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;
    use serde_json::{Value, json};

    #[test]
    fn rs256_round_trip_and_rejections() {
        let ring = KeyRing::new(SigningKey::generate().unwrap(), 0);
        let token = ring.current().sign_jwt(&json!({"sub": "U1"})).unwrap();
        let claims: Value = verify_rs256(&ring, &token, 0).unwrap();
        assert_eq!(claims["sub"], "U1");

        // Flip one character of the payload: signature no longer matches.
        let mut forged: Vec<char> = token.chars().collect();
        let dot = token.find('.').unwrap() + 2;
        forged[dot] = if forged[dot] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        assert!(verify_rs256::<Value>(&ring, &forged, 0).is_err());

        let other = SigningKey::generate().unwrap();
        let foreign = other.sign_jwt(&json!({"sub": "U1"})).unwrap();
        assert_eq!(
            verify_rs256::<Value>(&ring, &foreign, 0).unwrap_err(),
            TokenError::UnknownKey
        );
        assert_eq!(
            verify_rs256::<Value>(&ring, "a.b", 0).unwrap_err(),
            TokenError::Malformed
        );
    }

    #[test]
    fn hs256_round_trip() {
        let token = sign_hs256(b"secret", "k", &json!({"nonce": "n"})).unwrap();
        let claims: Value = verify_hs256(b"secret", &token).unwrap();
        assert_eq!(claims["nonce"], "n");
        assert_eq!(
            verify_hs256::<Value>(b"other", &token).unwrap_err(),
            TokenError::BadSignature
        );
    }
}
