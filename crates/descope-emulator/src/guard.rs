//! Who may call the control API. Without this, any web page open in the developer's browser
//! could reset the emulator, move its clock or read its users: cross-site (a form post or a
//! `no-cors` fetch) or through DNS rebinding (the attacker's host name resolving to
//! 127.0.0.1, so the browser thinks the emulator is the attacker's own origin).
//!
//! A control call must name a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`; any port)
//! or one the emulator was configured with in `Host`; must not come from a cross-site page
//! (`Sec-Fetch-Site: cross-site`, or an `Origin` whose host fails the same rule); and any
//! body must be `application/json`, which browsers cannot send cross-origin without a CORS
//! preflight the emulator never grants. The one exception is the web console's own forms:
//! `application/x-www-form-urlencoded` is accepted only with an `Origin` equal to the
//! emulator's own (scheme aside, the `Host` the request names) and no `Sec-Fetch-Site` other
//! than `same-origin`, so a form on any other page, even another port of localhost, is
//! still refused.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use descope_types::ErrorCode;
use http::{HeaderMap, StatusCode, header};

use crate::api_error::ApiError;
use crate::config::EmulatorConfig;
use crate::conn::ClientConn;

/// The hosts the control API answers besides loopback ones.
#[derive(Debug, Default)]
pub(crate) struct ControlGuard {
    /// The configured listen address, when it is a specific non-loopback IP.
    listen_ip: Option<IpAddr>,
    /// Listening on `0.0.0.0` / `[::]`: the local IP each connection arrived on is accepted
    /// (an IP literal cannot be rebound; a name can).
    listen_any: bool,
    /// `control_hosts` from the config, lower-cased.
    names: Vec<String>,
}

impl ControlGuard {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let listen = config.listen.map(|a| a.ip());
        Self {
            listen_ip: listen.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()),
            listen_any: listen.is_some_and(|ip| ip.is_unspecified()),
            names: config
                .control_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether `host` (no port, IPv6 without brackets) may be named by a control call that
    /// arrived on `local`.
    fn allows(&self, host: &str, local: Option<SocketAddr>) -> bool {
        let host = host.to_ascii_lowercase();
        match host.parse::<IpAddr>() {
            Ok(ip) => {
                ip.is_loopback()
                    || Some(ip) == self.listen_ip
                    || (self.listen_any && local.is_some_and(|l| l.ip() == ip))
            }
            Err(_) => host == "localhost" || self.names.contains(&host),
        }
    }

    fn check(&self, req: &Request) -> Result<(), ApiError> {
        let headers = req.headers();
        let local = req
            .extensions()
            .get::<ConnectInfo<ClientConn>>()
            .and_then(|c| c.0.local);
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()));
        if !host
            .and_then(host_of_authority)
            .is_some_and(|h| self.allows(h, local))
        {
            return Err(forbidden(
                "The control API answers only requests to localhost or the configured host",
            ));
        }
        if text(headers, "sec-fetch-site").is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
            return Err(forbidden("The control API refuses cross-site requests"));
        }
        if let Some(origin) = headers.get(header::ORIGIN)
            && !origin_host(origin.to_str().unwrap_or_default())
                .is_some_and(|h| self.allows(&h, local))
        {
            return Err(forbidden("The control API refuses cross-site requests"));
        }
        if has_body(headers) && !is_json(headers) && !is_own_form(headers, host) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidRequest,
                "Request is invalid",
                "Control API bodies must be sent as Content-Type: application/json",
            ));
        }
        Ok(())
    }
}

fn forbidden(message: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::BadRequest,
        "Forbidden",
        message,
    )
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The host of `host[:port]` or `[v6][:port]`; `None` when malformed.
fn host_of_authority(authority: &str) -> Option<&str> {
    let port_ok = |port: &str| port.is_empty() || port.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => "",
            p => p.strip_prefix(':')?,
        };
        return port_ok(port).then_some(host);
    }
    match authority.split_once(':') {
        Some((host, port)) => port_ok(port).then_some(host),
        None => Some(authority),
    }
    .filter(|h| !h.is_empty())
}

/// The host of an `Origin` (`scheme://host[:port]`); `None` for `null` and anything else.
fn origin_host(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(match url.host()? {
        url::Host::Domain(name) => name.to_owned(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    })
}

fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || text(headers, "content-length").is_some_and(|n| n.trim() != "0")
}

fn content_type_is(headers: &HeaderMap, wanted: &str) -> bool {
    text(headers, "content-type").is_some_and(|v| {
        v.split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(wanted))
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    content_type_is(headers, "application/json")
}

/// A form posted by a page of the emulator itself (the console): form content type, an
/// `Origin` naming exactly the host and port the request was sent to, and a same-origin
/// fetch when the browser says which.
pub(crate) fn is_own_form(headers: &HeaderMap, host: Option<&str>) -> bool {
    if !content_type_is(headers, "application/x-www-form-urlencoded") {
        return false;
    }
    if text(headers, "sec-fetch-site").is_some_and(|s| !s.eq_ignore_ascii_case("same-origin")) {
        return false;
    }
    let (Some(origin), Some(host)) = (text(headers, "origin"), host) else {
        return false;
    };
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    if !matches!(origin.scheme(), "http" | "https") {
        return false;
    }
    // The Host as the same scheme would read it, so default ports compare equal.
    let Ok(own) = url::Url::parse(&format!("{}://{host}/", origin.scheme())) else {
        return false;
    };
    origin.host() == own.host() && origin.port_or_known_default() == own.port_or_known_default()
}

/// Layer of the control routes only: the Descope API routes serve SDKs from anywhere, and the
/// provider/IdP pages are reached cross-site by design (the app redirects the browser there).
pub(crate) async fn middleware(
    State(guard): State<Arc<ControlGuard>>,
    req: Request,
    next: Next,
) -> Response {
    match guard.check(&req) {
        Ok(()) => next.run(req).await,
        Err(error) => {
            tracing::debug!(path = req.uri().path(), "control call refused");
            error.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        assert_eq!(host_of_authority("localhost:4010"), Some("localhost"));
        assert_eq!(host_of_authority("127.0.0.1"), Some("127.0.0.1"));
        assert_eq!(host_of_authority("[::1]:80"), Some("::1"));
        assert_eq!(host_of_authority("[::1]"), Some("::1"));
        assert_eq!(host_of_authority("[::1]x"), None);
        assert_eq!(host_of_authority("host:port"), None);
        assert_eq!(host_of_authority("::1"), None);
        assert_eq!(host_of_authority(":80"), None);
        assert_eq!(origin_host("http://[::1]:3000").as_deref(), Some("::1"));
        assert_eq!(
            origin_host("https://LocalHost").as_deref(),
            Some("localhost")
        );
        assert_eq!(origin_host("null"), None);
        assert_eq!(origin_host("file:///x"), None);
    }

    fn form_headers(origin: Option<&str>, site: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().unwrap());
        }
        if let Some(site) = site {
            headers.insert("sec-fetch-site", site.parse().unwrap());
        }
        headers
    }

    #[test]
    fn forms_only_from_the_emulators_own_origin() {
        let host = Some("127.0.0.1:4010");
        let own = form_headers(Some("http://127.0.0.1:4010"), Some("same-origin"));
        assert!(is_own_form(&own, host));
        assert!(is_own_form(
            &form_headers(Some("http://127.0.0.1:4010"), None),
            host
        ));
        assert!(is_own_form(
            &form_headers(Some("http://localhost"), None),
            Some("localhost:80")
        ));
        // Another port of the same host is another origin (another local app).
        assert!(!is_own_form(
            &form_headers(Some("http://127.0.0.1:3000"), None),
            host
        ));
        assert!(!is_own_form(
            &form_headers(Some("http://localhost:4010"), None),
            host
        ));
        assert!(!is_own_form(&form_headers(None, None), host));
        assert!(!is_own_form(&form_headers(Some("null"), None), host));
        assert!(!is_own_form(
            &form_headers(Some("http://127.0.0.1:4010"), Some("same-site")),
            host
        ));
        assert!(!is_own_form(&own, None));
        let mut multipart = own.clone();
        multipart.insert(header::CONTENT_TYPE, "multipart/form-data".parse().unwrap());
        assert!(!is_own_form(&multipart, host));
    }

    #[test]
    fn configured_hosts_are_accepted_too() {
        let loopback = ControlGuard::new(&EmulatorConfig::default());
        assert!(loopback.allows("localhost", None));
        assert!(loopback.allows("127.0.0.2", None));
        assert!(loopback.allows("::1", None));
        assert!(!loopback.allows("192.0.2.10", None));
        assert!(!loopback.allows("emulator", None));

        let specific = ControlGuard::new(&EmulatorConfig {
            listen: Some("192.0.2.10:4010".parse().unwrap()),
            control_hosts: vec!["Emulator".to_owned()],
            ..EmulatorConfig::default()
        });
        assert!(specific.allows("192.0.2.10", None));
        assert!(specific.allows("emulator", None));
        assert!(specific.allows("localhost", None));
        assert!(!specific.allows("192.0.2.11", None));
        assert!(!specific.allows("attacker.test", None));

        let any = ControlGuard::new(&EmulatorConfig {
            listen: Some("0.0.0.0:4010".parse().unwrap()),
            ..EmulatorConfig::default()
        });
        let local = Some("192.0.2.10:4010".parse().unwrap());
        assert!(any.allows("192.0.2.10", local));
        assert!(!any.allows("192.0.2.11", local));
        assert!(!any.allows("0.0.0.0", local));
        assert!(!any.allows("attacker.test", local));
    }
}
