//! JSON Web Key sets, as served at `/v2/keys/{projectId}` (object) and `/v1/keys/{projectId}`
//! (bare array).

use serde::{Deserialize, Deserializer, Serialize};

/// One public key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type (`RSA`, `EC`).
    #[serde(default)]
    pub kty: String,
    /// Key id, matched against a token's `kid` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Algorithm the key is for (`RS256`...). Tokens must name the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use (`sig`).
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// RSA modulus, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA exponent, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// EC curve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x coordinate, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// X.509 certificate chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x5c: Vec<String>,
}

/// A key set. Parses both `{"keys": [...]}` (v2, `/.well-known/jwks.json`) and a bare array
/// (v1); serializes as the object.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

impl<'de> Deserialize<'de> for JwkSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Object {
                #[serde(default)]
                keys: Vec<Jwk>,
            },
            Bare(Vec<Jwk>),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Object { keys } | Either::Bare(keys) => Self { keys },
        })
    }
}
