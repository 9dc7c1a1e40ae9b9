//! Random identifiers and secrets from the system CSPRNG.

use aws_lc_rs::error::Unspecified;
use aws_lc_rs::rand;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `n` random bytes.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], Unspecified> {
    let mut out = [0u8; N];
    rand::fill(&mut out)?;
    Ok(out)
}

/// A random URL-safe token of 24 bytes (192 bits) with a readable prefix.
pub(crate) fn token(prefix: &str) -> Result<String, Unspecified> {
    let raw = bytes::<24>()?;
    let mut out = String::with_capacity(prefix.len() + 32);
    out.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(raw, &mut out);
    Ok(out)
}
