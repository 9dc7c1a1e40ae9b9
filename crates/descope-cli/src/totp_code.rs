//! RFC 6238 codes, computed from the enrollment key as an authenticator app would.

use aws_lc_rs::hmac;

/// Time-based code parameters, read from an `otpauth://` provisioning URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpParams {
    pub digits: u32,
    pub period: u64,
}

impl Default for TotpParams {
    fn default() -> Self {
        Self {
            digits: 6,
            period: 30,
        }
    }
}

impl TotpParams {
    /// `digits` and `period` from the URL's query, defaults for what it omits. Only SHA1 is
    /// supported (what Descope issues); other algorithms are refused.
    pub fn from_provisioning_url(provisioning_url: &str) -> Result<Self, &'static str> {
        let mut params = Self::default();
        let Ok(url) = url::Url::parse(provisioning_url) else {
            return Ok(params);
        };
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "digits" => {
                    params.digits = value
                        .parse()
                        .ok()
                        .filter(|d| (6..=8).contains(d))
                        .ok_or("unsupported TOTP digits")?;
                }
                "period" => {
                    params.period = value
                        .parse()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or("unsupported TOTP period")?;
                }
                "algorithm" if !value.eq_ignore_ascii_case("SHA1") => {
                    return Err("unsupported TOTP algorithm");
                }
                _ => {}
            }
        }
        Ok(params)
    }
}

/// Decodes RFC 4648 base32 (case-insensitive, padding and spaces ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u64 = 0;
    let mut bits = 0u32;
    for c in text.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The code for `unix_seconds` (RFC 6238 over RFC 4226 HOTP with HMAC-SHA1).
pub fn code_at(secret: &[u8], params: TotpParams, unix_seconds: u64) -> String {
    let counter = unix_seconds / params.period;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let digest = tag.as_ref();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    let value = binary % 10u32.pow(params.digits);
    format!("{value:0width$}", width = params.digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA1 seed, 8 digits.
        let secret = b"12345678901234567890";
        let eight = TotpParams {
            digits: 8,
            period: 30,
        };
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(secret, eight, time), expected, "t={time}");
        }
    }

    #[test]
    fn base32() {
        assert_eq!(base32_decode("GEZDGNBVGY3TQOJQ").unwrap(), b"1234567890");
        assert_eq!(base32_decode("mzxw6ytb oi======").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn params_from_url() {
        let url = "otpauth://totp/Descope:ada?secret=ABC&issuer=Descope&digits=8&period=60";
        assert_eq!(
            TotpParams::from_provisioning_url(url).unwrap(),
            TotpParams {
                digits: 8,
                period: 60
            }
        );
        assert!(TotpParams::from_provisioning_url("otpauth://totp/x?algorithm=SHA512").is_err());
        assert_eq!(
            TotpParams::from_provisioning_url("otpauth://totp/x").unwrap(),
            TotpParams::default()
        );
    }
}
