//! Reading the request's `Cookie` header and writing `Set-Cookie` values, by hand: the
//! values are JWTs (base64url and dots) or our own hex nonces, so no quoting is needed.

use descope_flows::CookieData;
use http::header::{CACHE_CONTROL, COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

/// Cache fields that CDNs obey over `Cache-Control` (RFC 9213's `CDN-Cache-Control`, and
/// `Surrogate-Control`).
const TARGETED_CACHE_CONTROLS: [HeaderName; 2] = [
    HeaderName::from_static("cdn-cache-control"),
    HeaderName::from_static("surrogate-control"),
];

/// The value of the request cookie `name` (the first non-empty one). The header is split as
/// bytes: one cookie with a non-ASCII value (another app's on the same site) must not hide
/// the others.
pub(crate) fn request_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b';'))
        .filter_map(|pair| std::str::from_utf8(pair).ok()?.trim().split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.trim_matches('"'))
}

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SameSite {
    Strict,
    /// Only for the short-lived login-flow cookie, which must come back on the provider's
    /// cross-site redirect to the callback.
    Lax,
}

/// Where a cookie lives and how long.
#[derive(Clone, Copy)]
pub(crate) struct Attributes<'a> {
    pub(crate) path: &'a str,
    pub(crate) domain: Option<&'a str>,
    pub(crate) max_age: Option<i64>,
    pub(crate) secure: bool,
    pub(crate) same_site: SameSite,
}

impl<'a> Attributes<'a> {
    /// Path and domain from Descope's cookie data, lifetime from its refresh max-age (as the
    /// official SDKs set both cookies).
    pub(crate) fn from_data(data: &'a CookieData, secure: bool) -> Self {
        Self {
            path: &data.path,
            domain: data.domain.as_deref(),
            max_age: data.max_age.filter(|age| *age > 0),
            secure,
            same_site: SameSite::Strict,
        }
    }
}

/// A `Set-Cookie` value, marked sensitive. `None` when the value or an attribute has
/// characters a cookie cannot carry (never from Descope's JWTs).
pub(crate) fn set_cookie(name: &str, value: &str, attrs: &Attributes<'_>) -> Option<HeaderValue> {
    let cookie_safe = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
    };
    if !cookie_safe(value) || !cookie_safe(attrs.path) || !attrs.domain.is_none_or(cookie_safe) {
        return None;
    }
    let mut text = format!("{name}={value}; Path={}", attrs.path);
    if let Some(domain) = attrs.domain {
        text.push_str("; Domain=");
        text.push_str(domain);
    }
    if let Some(age) = attrs.max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    text.push_str("; HttpOnly");
    text.push_str(match attrs.same_site {
        SameSite::Strict => "; SameSite=Strict",
        SameSite::Lax => "; SameSite=Lax",
    });
    if attrs.secure {
        text.push_str("; Secure");
    }
    let mut header = HeaderValue::from_str(&text).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// A `Set-Cookie` value that deletes `name`.
pub(crate) fn clear_cookie(name: &str, attrs: &Attributes<'_>) -> Option<HeaderValue> {
    set_cookie(
        name,
        "",
        &Attributes {
            max_age: Some(0),
            ..*attrs
        },
    )
    .or_else(|| {
        // An unusable path or domain from Descope: still clear the host-only cookie.
        set_cookie(
            name,
            "",
            &Attributes {
                path: "/",
                domain: None,
                max_age: Some(0),
                ..*attrs
            },
        )
    })
}

/// Adds `Set-Cookie` values to a response and, when there are any, keeps it out of every
/// cache whatever the handler asked: it carries one user's tokens (or deletes them), which
/// a shared cache would hand to the next visitor.
pub(crate) fn append_set_cookies(
    headers: &mut HeaderMap,
    cookies: impl IntoIterator<Item = HeaderValue>,
) {
    let mut any = false;
    for cookie in cookies {
        headers.append(SET_COOKIE, cookie);
        any = true;
    }
    if any {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        for name in TARGETED_CACHE_CONTROLS {
            headers.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; DS=; DSR=r.e.f"));
        headers.append(COOKIE, HeaderValue::from_static("DS=s.e.s"));
        assert_eq!(request_cookie(&headers, "DS"), Some("s.e.s"));
        assert_eq!(request_cookie(&headers, "DSR"), Some("r.e.f"));
        assert_eq!(request_cookie(&headers, "D"), None);
    }

    #[test]
    fn non_ascii_cookies_do_not_hide_the_others() {
        // Found by tests/properties.rs: a UTF-8 (or Latin-1) value next to `DS` made the
        // whole header unreadable, and the user looked signed out.
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_bytes(b"DS=s.e.s; pref=\xf0\x9f\x98\x80; x=\xe9");
        headers.append(COOKIE, value.unwrap());
        headers.append(
            COOKIE,
            HeaderValue::from_bytes(b"y=\xff; DSR=r.e.f").unwrap(),
        );
        assert_eq!(request_cookie(&headers, "DS"), Some("s.e.s"));
        assert_eq!(request_cookie(&headers, "DSR"), Some("r.e.f"));
        assert_eq!(request_cookie(&headers, "pref"), Some("\u{1f600}"));
    }

    #[test]
    fn writes_cookies() {
        let attrs = Attributes {
            path: "/",
            domain: Some("example.com"),
            max_age: Some(60),
            secure: true,
            same_site: SameSite::Strict,
        };
        let value = set_cookie("DS", "a.b.c", &attrs).unwrap();
        assert_eq!(
            value,
            "DS=a.b.c; Path=/; Domain=example.com; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(value.is_sensitive());
        assert!(set_cookie("DS", "a;b", &attrs).is_none());
        let cleared = clear_cookie("DS", &attrs).unwrap();
        assert!(
            cleared
                .to_str()
                .unwrap()
                .starts_with("DS=; Path=/; Domain=example.com; Max-Age=0")
        );
    }
}
