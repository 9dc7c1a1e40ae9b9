//! The authenticator app's side of a TOTP enrollment, for the demo: totp-rs computes the
//! RFC 6238 codes, with the digits and period the provisioning URL gives.

use totp_rs::{Rfc6238, Secret, TOTP};

/// An authenticator for the base32 `key`, with the `digits` and `period` of the
/// provisioning URL (6 and 30 when it omits them). Only SHA1, what Descope issues, is
/// accepted. The errors are fixed strings: the URL and the key are secrets.
pub fn authenticator(key: &str, provisioning_url: &str) -> Result<TOTP, &'static str> {
    let (mut digits, mut period) = (6, 30);
    if let Ok(url) = url::Url::parse(provisioning_url) {
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "digits" => digits = value.parse().map_err(|_| "unsupported TOTP digits")?,
                // 0 would divide by zero in totp-rs.
                "period" => {
                    period = value
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
    }
    // Keys are also written in lowercase, in groups, or padded; totp-rs takes bare RFC 4648.
    let key: String = key
        .chars()
        .filter(|c| *c != '=' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let secret = Secret::Encoded(key)
        .to_bytes()
        .map_err(|_| "the TOTP key is not base32")?;
    // Built through `Rfc6238` rather than `TOTP::new`, whose arguments change with totp-rs's
    // `otpauth` feature (which another crate of the workspace may turn on).
    let mut rfc = Rfc6238::with_defaults(secret).map_err(|_| "the TOTP key is too short")?;
    rfc.digits(digits).map_err(|_| "unsupported TOTP digits")?;
    let mut totp = TOTP::from_rfc6238(rfc).map_err(|_| "invalid TOTP parameters")?;
    totp.step = period;
    Ok(totp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA1 seed, `12345678901234567890`, in base32.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA1 seed, 8 digits.
        let totp = authenticator(RFC_KEY, "otpauth://totp/x?digits=8&period=30").unwrap();
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.generate(time), expected, "t={time}");
        }
    }

    #[test]
    fn base32_key() {
        let url = "otpauth://totp/x";
        let lenient = authenticator("gezdgnbv gy3tqojq gezdgnbv gy3tqojq====", url).unwrap();
        assert_eq!(lenient.secret, b"12345678901234567890");
        assert!(authenticator("not base32!", url).is_err());
        // Shorter than RFC 4226's 128 bits.
        assert!(authenticator("GEZDGNBVGY3TQOJQ", url).is_err());
    }

    #[test]
    fn params_from_url() {
        let url = "otpauth://totp/Descope:ada?secret=ABC&issuer=Descope&digits=8&period=60";
        let totp = authenticator(RFC_KEY, url).unwrap();
        assert_eq!((totp.digits, totp.step), (8, 60));
        for refused in ["algorithm=SHA512", "digits=9", "digits=x", "period=0"] {
            let url = format!("otpauth://totp/x?{refused}");
            assert!(authenticator(RFC_KEY, &url).is_err(), "{refused}");
        }
        let defaults = authenticator(RFC_KEY, "otpauth://totp/x?algorithm=sha1").unwrap();
        assert_eq!((defaults.digits, defaults.step), (6, 30));
    }
}
