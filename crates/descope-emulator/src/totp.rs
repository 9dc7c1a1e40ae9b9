//! TOTP as Descope serves it (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, ±1 step window),
//! computed by the `totp-rs` crate, and the `otpauth://` provisioning URL.
//!
//! `totp-rs` is used without its `otpauth` feature: features unify across the workspace, and
//! that one changes the signature of `TOTP::new` that other crates' tests call.

use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per step.
const STEP: u64 = 30;
/// Digits of a code.
const DIGITS: usize = 6;

/// RFC 4648 base32, upper case, no padding.
pub(crate) fn base32_encode(data: &[u8]) -> String {
    Secret::Raw(data.to_vec()).to_encoded().to_string()
}

/// Decodes base32 (either case, `=` padding and spaces ignored); `None` on other characters.
pub(crate) fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .chars()
        .filter(|c| !matches!(c, '=' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Secret::Encoded(normalized).to_bytes().ok()
}

/// The generator for one secret. Unchecked: seeded secrets may be shorter than the 128 bits
/// `TOTP::new` insists on, and Descope-issued ones are always 160.
fn generator(secret: &[u8]) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP, secret.to_vec())
}

/// The step (within ±1 of `now`'s) whose code is `code`, if any. The caller refuses steps at
/// or before the last accepted one, which makes each code single-use.
pub(crate) fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = u64::try_from(now).ok()? / STEP;
    let totp = generator(secret);
    // Skew 0 and one call per step: totp-rs compares in constant time, and the step that
    // matched is what the replay guard records.
    [
        Some(current),
        current.checked_sub(1),
        current.checked_add(1),
    ]
    .into_iter()
    .flatten()
    .find(|step| step.checked_mul(STEP).is_some_and(|t| totp.check(code, t)))
    .and_then(|step| i64::try_from(step).ok())
}

/// `otpauth://totp/<issuer>:<loginId>?secret=<key>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30`
/// with the label parts and issuer percent-encoded. The parameters are spelled out (unlike
/// `totp-rs`'s URL, which omits defaults) so the URL states what verify expects.
pub(crate) fn provisioning_url(issuer: &str, login_id: &str, key: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={key}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        percent_encode(login_id)
    )
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B, SHA1 rows (8 digits): the crate is configured as the RFC says.
    #[test]
    fn rfc6238_sha1_vectors() {
        let totp = TOTP::new_unchecked(Algorithm::SHA1, 8, 0, STEP, RFC_SECRET.to_vec());
        for (time, expected) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.generate(time), expected, "t={time}");
        }
    }

    /// RFC 4226 appendix D: step `n` of a 30 s TOTP is HOTP counter `n`.
    #[test]
    fn rfc4226_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        let totp = generator(RFC_SECRET);
        for (counter, code) in (0u64..).zip(expected) {
            assert_eq!(totp.generate(counter * STEP), code);
            assert_eq!(
                matching_step(RFC_SECRET, code, (counter * STEP) as i64),
                Some(counter as i64)
            );
        }
    }

    #[test]
    fn base32_rfc4648_vectors_and_round_trip() {
        for (raw, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(raw.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), raw.as_bytes());
        }
        assert_eq!(base32_decode("mzxw6ytboi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW 6YTB OI").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
        let secret: Vec<u8> = (0u8..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
        assert_eq!(base32_encode(&secret).len(), 32);
    }

    #[test]
    fn window_is_plus_minus_one_step() {
        let totp = generator(RFC_SECRET);
        let now = 1_700_000_015i64;
        let step = now / 30;
        for delta in [-1i64, 0, 1] {
            let code = totp.generate(((step + delta) * 30) as u64);
            assert_eq!(matching_step(RFC_SECRET, &code, now), Some(step + delta));
        }
        for delta in [-2i64, 2] {
            let code = totp.generate(((step + delta) * 30) as u64);
            assert_eq!(matching_step(RFC_SECRET, &code, now), None);
        }
        assert_eq!(matching_step(RFC_SECRET, "12345", now), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now), None);
        // Step 0 has no step before it; negative times match nothing.
        assert_eq!(
            matching_step(RFC_SECRET, &totp.generate(0), 10),
            Some(0),
            "no underflow at the epoch"
        );
        assert_eq!(matching_step(RFC_SECRET, &totp.generate(0), -10), None);
    }

    #[test]
    fn provisioning_url_format() {
        assert_eq!(
            provisioning_url("Descope", "ada@example.com", "ABC"),
            "otpauth://totp/Descope:ada%40example.com?secret=ABC&issuer=Descope&algorithm=SHA1&digits=6&period=30"
        );
        assert!(
            provisioning_url("My App", "x:y", "K").starts_with("otpauth://totp/My%20App:x%3Ay?")
        );
    }
}
