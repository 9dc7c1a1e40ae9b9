//! A software passkey authenticator with the browser's part around it: takes the `options`
//! of a WebAuthn start call and answers with the credential JSON a web page would post to
//! the finish call. For tests and demos, where no browser or security key is at hand.
//!
//! Written here on aws-lc-rs (ES256) with a few lines of CBOR, not on the relying party's
//! crate: the two sides share no code, so each checks the other. (1Password's passkey-rs
//! would do as well, but it turns on serde_json's `preserve_order` for every crate built
//! with it, which changes the key order of every JSON value in the workspace.)

use std::fmt;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use url::Url;

use crate::error::{EmulatorError, EmulatorErrorKind};

/// COSE algorithm ES256 (ECDSA P-256 with SHA-256).
const ES256: i64 = -7;
/// Authenticator data flags: user present, user verified, attested credential data.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// One credential: the RP it is scoped to, the user handle and the key.
struct Credential {
    id: [u8; 16],
    rp_id: String,
    user_handle: Vec<u8>,
    key: EcdsaKeyPair,
    counter: u32,
}

/// A software passkey authenticator holding ES256 credentials in memory, with sign
/// counters, "none" attestation, and a user that is always present and verified. Like a
/// browser, it refuses an origin that is not a secure context (`https`, or `localhost`), an
/// RP id the origin is not on, and an IP address origin.
///
/// ```
/// # async fn demo(options: &str) -> Result<(), descope_emulator::EmulatorError> {
/// use descope_emulator::SoftAuthenticator;
///
/// let mut authenticator = SoftAuthenticator::new();
/// // `options` from a sign-up start: the credential JSON for the finish call.
/// let credential = authenticator.create(options, "http://localhost:3000").await?;
/// # let _ = credential; Ok(()) }
/// ```
#[derive(Default)]
pub struct SoftAuthenticator {
    credentials: Vec<Credential>,
}

impl fmt::Debug for SoftAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftAuthenticator")
            .field("credentials", &self.credentials.len())
            .finish_non_exhaustive()
    }
}

fn failure(message: impl Into<String>) -> EmulatorError {
    EmulatorError::new(EmulatorErrorKind::Crypto, message)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

/// The CBOR values an attestation object needs (RFC 8949, definite lengths).
enum Cbor<'a> {
    Int(i64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Map(Vec<(Cbor<'a>, Cbor<'a>)>),
}

impl Cbor<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        fn head(out: &mut Vec<u8>, major: u8, n: u64) {
            let major = major << 5;
            match n {
                0..24 => out.push(major | n as u8),
                24..256 => out.extend([major | 24, n as u8]),
                256..65536 => {
                    out.push(major | 25);
                    out.extend((n as u16).to_be_bytes());
                }
                _ => {
                    out.push(major | 26);
                    out.extend((n as u32).to_be_bytes());
                }
            }
        }
        match self {
            Self::Int(n) if *n >= 0 => head(out, 0, n.unsigned_abs()),
            Self::Int(n) => head(out, 1, (-1 - n).unsigned_abs()),
            Self::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Self::Text(t) => {
                head(out, 3, t.len() as u64);
                out.extend_from_slice(t.as_bytes());
            }
            Self::Map(entries) => {
                head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.encode(out);
                    v.encode(out);
                }
            }
        }
    }

    fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// The `publicKey` options of a start answer: the whole `options` string
/// (`{"publicKey": {...}}`) or the bare inner object.
fn public_key(options: &str) -> Result<Value, EmulatorError> {
    let value: Value =
        serde_json::from_str(options).map_err(|_| failure("the options are not JSON"))?;
    Ok(match value.get("publicKey") {
        Some(inner) => inner.clone(),
        None => value,
    })
}

/// Checks `origin` as a browser does and returns the RP id to use (`rp_id`, else the
/// origin's host).
fn rp_id_for(origin: &str, rp_id: Option<&str>) -> Result<String, EmulatorError> {
    let url = Url::parse(origin).map_err(|_| failure("the origin is not a URL"))?;
    let host = url
        .domain()
        .ok_or_else(|| failure("WebAuthn needs a domain origin, not an IP address"))?;
    if url.scheme() != "https" && host != "localhost" {
        return Err(failure("the origin is not a secure context"));
    }
    let rp_id = rp_id.unwrap_or(host);
    if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
        return Err(failure(
            "the RP id is not the origin's domain or a parent of it",
        ));
    }
    Ok(rp_id.to_owned())
}

fn client_data(kind: &str, options: &Value, origin: &str) -> Result<Vec<u8>, EmulatorError> {
    let challenge = options["challenge"]
        .as_str()
        .filter(|c| unb64(c).is_some_and(|c| c.len() >= 16))
        .ok_or_else(|| failure("the options have no challenge"))?;
    let origin = Url::parse(origin)
        .map_err(|_| failure("the origin is not a URL"))?
        .origin()
        .ascii_serialization();
    Ok(
        json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
            .to_string()
            .into_bytes(),
    )
}

fn credential_ids(options: &Value, key: &str) -> Vec<Vec<u8>> {
    options[key]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|c| c["id"].as_str().and_then(unb64))
                .collect()
        })
        .unwrap_or_default()
}

impl SoftAuthenticator {
    /// An authenticator with no credential. It signs with counters (each use counts one up).
    pub fn new() -> Self {
        Self::default()
    }

    /// How many credentials it holds.
    pub fn len(&self) -> usize {
        self.credentials.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty()
    }

    /// `navigator.credentials.create()` on a page at `origin`: makes an ES256 credential
    /// from a start answer's `options` and returns it as the JSON a page posts to the finish
    /// call (binary fields base64url).
    pub async fn create(&mut self, options: &str, origin: &str) -> Result<String, EmulatorError> {
        let options = public_key(options)?;
        let rp_id = rp_id_for(origin, options["rp"]["id"].as_str())?;
        let es256 = options["pubKeyCredParams"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["alg"].as_i64() == Some(ES256)));
        if !es256 {
            return Err(failure("the relying party does not accept ES256"));
        }
        let user_handle = options["user"]["id"]
            .as_str()
            .and_then(unb64)
            .ok_or_else(|| failure("the options have no user id"))?;
        let excluded = credential_ids(&options, "excludeCredentials");
        if self
            .credentials
            .iter()
            .any(|c| c.rp_id == rp_id && excluded.iter().any(|id| id[..] == c.id))
        {
            return Err(failure(
                "this authenticator already holds an excluded credential",
            ));
        }
        let client_data = client_data("webauthn.create", &options, origin)?;
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING)
            .map_err(|_| failure("key generation failed"))?;
        let id: [u8; 16] = crate::random::bytes().map_err(|_| failure("no randomness"))?;
        // Uncompressed point: 0x04 || x || y.
        let point = key.public_key().as_ref();
        let (x, y) = point
            .get(1..33)
            .zip(point.get(33..65))
            .ok_or_else(|| failure("unexpected public key encoding"))?;
        let cose_key = Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),
            (Cbor::Int(3), Cbor::Int(ES256)),
            (Cbor::Int(-1), Cbor::Int(1)),
            (Cbor::Int(-2), Cbor::Bytes(x)),
            (Cbor::Int(-3), Cbor::Bytes(y)),
        ])
        .to_vec();
        let counter = 0u32;
        let mut auth_data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        auth_data.push(UP | UV | AT);
        auth_data.extend(counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID: none
        auth_data.extend((id.len() as u16).to_be_bytes());
        auth_data.extend(id);
        auth_data.extend(cose_key);
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(Vec::new())),
            (Cbor::Text("authData"), Cbor::Bytes(&auth_data)),
        ])
        .to_vec();
        self.credentials.push(Credential {
            id,
            rp_id,
            user_handle,
            key,
            counter,
        });
        Ok(json!({
            "id": b64(&id),
            "rawId": b64(&id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
        .to_string())
    }

    /// `navigator.credentials.get()` on a page at `origin`: signs a start answer's
    /// challenge with a credential it allows (or, with none listed, any for the RP) and
    /// returns the assertion JSON for the finish call.
    pub async fn get(&mut self, options: &str, origin: &str) -> Result<String, EmulatorError> {
        let options = public_key(options)?;
        let rp_id = rp_id_for(origin, options["rpId"].as_str())?;
        let allowed = credential_ids(&options, "allowCredentials");
        let client_data = client_data("webauthn.get", &options, origin)?;
        let credential = self
            .credentials
            .iter_mut()
            .find(|c| {
                c.rp_id == rp_id && (allowed.is_empty() || allowed.iter().any(|id| id[..] == c.id))
            })
            .ok_or_else(|| failure("no credential for this relying party"))?;
        credential.counter = credential.counter.wrapping_add(1);
        let mut auth_data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        auth_data.push(UP | UV);
        auth_data.extend(credential.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(digest(&SHA256, &client_data).as_ref());
        let signature = credential
            .key
            .sign(&SystemRandom::new(), &signed)
            .map_err(|_| failure("signing failed"))?;
        Ok(json!({
            "id": b64(&credential.id),
            "rawId": b64(&credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.as_ref()),
                "userHandle": b64(&credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
        .to_string())
    }

    /// Sets every credential's sign counter, as a cloned or restored authenticator would
    /// present it (for testing that a relying party refuses a counter that goes back).
    pub fn set_counters(&mut self, counter: u32) {
        for credential in &mut self.credentials {
            credential.counter = counter;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_encodes_the_canonical_forms() {
        let cases: [(Cbor<'_>, &[u8]); 7] = [
            (Cbor::Int(2), &[0x02]),
            (Cbor::Int(-7), &[0x26]),
            (Cbor::Int(-1), &[0x20]),
            (Cbor::Int(500), &[0x19, 0x01, 0xf4]),
            (Cbor::Text("fmt"), &[0x63, b'f', b'm', b't']),
            (Cbor::Bytes(&[1, 2]), &[0x42, 1, 2]),
            (
                Cbor::Map(vec![(Cbor::Int(1), Cbor::Int(2))]),
                &[0xa1, 0x01, 0x02],
            ),
        ];
        for (value, bytes) in cases {
            assert_eq!(value.to_vec(), bytes);
        }
        assert_eq!(Cbor::Bytes(&[0; 30]).to_vec()[..2], [0x58, 30]);
    }

    #[test]
    fn origins_are_checked_as_a_browser_does() {
        assert_eq!(
            rp_id_for("http://localhost:3000", None).unwrap(),
            "localhost"
        );
        assert_eq!(
            rp_id_for("https://app.example.com", Some("example.com")).unwrap(),
            "example.com"
        );
        for (origin, rp) in [
            ("http://127.0.0.1:3000", None),
            ("http://app.example.com", None),
            ("https://example.com", Some("other.com")),
            ("https://badexample.com", Some("example.com")),
        ] {
            assert!(rp_id_for(origin, rp).is_err(), "{origin} {rp:?}");
        }
    }
}
