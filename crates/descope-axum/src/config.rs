//! [`Descope`]: the client plus the cookie and redirect settings, shared by the layer, the
//! guards and the login routes.

use std::fmt;
use std::sync::Arc;

use descope_flows::{Client, REFRESH_COOKIE_NAME, SESSION_COOKIE_NAME};

use crate::error::{Error, ErrorKind};

/// The integration's settings around a [`Client`]. Cheap to clone (an `Arc` inside).
///
/// Build it with [`Descope::new`] (defaults) or [`Descope::builder`].
#[derive(Clone)]
pub struct Descope {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: Client,
    pub(crate) secure_cookies: bool,
    /// The app's own origin (`scheme://host[:port]`), for callback URLs.
    pub(crate) app_origin: Option<String>,
    /// Origins absolute redirect targets may point at (the app's own included).
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) routes_prefix: String,
    pub(crate) default_redirect: String,
}

impl fmt::Debug for Descope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Descope")
            .field("client", &self.inner.client)
            .field("secure_cookies", &self.inner.secure_cookies)
            .field("app_origin", &self.inner.app_origin)
            .field("allowed_origins", &self.inner.allowed_origins)
            .field("routes_prefix", &self.inner.routes_prefix)
            .finish_non_exhaustive()
    }
}

impl Descope {
    /// The defaults: `Secure` cookies, no app URL (the layer and extractors work; the login
    /// routes need [`DescopeBuilder::app_url`]).
    pub fn new(client: Client) -> Self {
        Self::builder(client).build_unchecked()
    }

    /// Starts building with non-default settings.
    pub fn builder(client: Client) -> DescopeBuilder {
        DescopeBuilder {
            client,
            secure_cookies: true,
            app_url: None,
            allowed_origins: Vec::new(),
            routes_prefix: "/auth".to_owned(),
            default_redirect: "/".to_owned(),
        }
    }

    /// The Descope client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Name of the session cookie.
    pub fn session_cookie_name(&self) -> &'static str {
        SESSION_COOKIE_NAME
    }

    /// Name of the refresh cookie.
    pub fn refresh_cookie_name(&self) -> &'static str {
        REFRESH_COOKIE_NAME
    }
}

/// Builds a [`Descope`]; see [`Descope::builder`].
#[derive(Debug)]
#[must_use]
pub struct DescopeBuilder {
    client: Client,
    secure_cookies: bool,
    app_url: Option<String>,
    allowed_origins: Vec<String>,
    routes_prefix: String,
    default_redirect: String,
}

impl DescopeBuilder {
    /// Whether `DS`/`DSR` carry `Secure` (default `true`). Turn it off only for plain-HTTP
    /// development servers.
    pub fn secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The app's public URL (`https://app.example.com`); its origin is where the identity
    /// provider sends the browser back (`<origin><prefix>/oauth/callback`). Required by the
    /// login routes.
    pub fn app_url(mut self, url: impl Into<String>) -> Self {
        self.app_url = Some(url.into());
        self
    }

    /// Another origin (`https://admin.example.com`) that the login routes may redirect back
    /// to. Relative paths and the app's own origin are always allowed; nothing else is.
    pub fn allow_redirect_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Where the login routes are mounted (default `/auth`).
    pub fn routes_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.routes_prefix = prefix.into();
        self
    }

    /// Where the login routes send the browser when the request names no target
    /// (default `/`). Must be a relative path.
    pub fn default_redirect(mut self, path: impl Into<String>) -> Self {
        self.default_redirect = path.into();
        self
    }

    /// Checks the settings and builds.
    ///
    /// Fails with [`ErrorKind::Configuration`] when the app URL or an allowed origin is not
    /// an absolute http(s) URL, the prefix does not start with `/`, or the default redirect
    /// is not a relative path.
    pub fn build(self) -> Result<Descope, Error> {
        let config = |message| Error::new(ErrorKind::Configuration, message);
        if let Some(url) = &self.app_url {
            origin_of(url).ok_or_else(|| config("app URL is not an absolute http(s) URL"))?;
        }
        if self.allowed_origins.iter().any(|o| origin_of(o).is_none()) {
            return Err(config("an allowed redirect origin is not an http(s) URL"));
        }
        let prefix = self.routes_prefix.trim_end_matches('/');
        if !prefix.starts_with('/') || prefix.contains(['?', '#']) {
            return Err(config("routes prefix must be a path starting with '/'"));
        }
        if !is_relative_path(&self.default_redirect) {
            return Err(config("default redirect must be a relative path"));
        }
        Ok(self.build_unchecked())
    }

    fn build_unchecked(self) -> Descope {
        let app_origin = self.app_url.as_deref().and_then(origin_of);
        let mut allowed_origins: Vec<String> = self
            .allowed_origins
            .iter()
            .filter_map(|o| origin_of(o))
            .collect();
        allowed_origins.extend(app_origin.clone());
        let prefix = self.routes_prefix.trim_end_matches('/');
        let routes_prefix = if prefix.starts_with('/') {
            prefix.to_owned()
        } else {
            format!("/{prefix}")
        };
        Descope {
            inner: Arc::new(Inner {
                client: self.client,
                secure_cookies: self.secure_cookies,
                app_origin,
                allowed_origins,
                routes_prefix,
                default_redirect: self.default_redirect,
            }),
        }
    }
}

/// `scheme://host[:port]` of an absolute http(s) URL (default ports dropped).
pub(crate) fn origin_of(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// A same-origin path: starts with one `/`, no `//` or `/\` (protocol-relative, which
/// browsers resolve to another host), no backslash, no control characters or spaces.
pub(crate) fn is_relative_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && !target.contains('\\')
        && !target.bytes().any(|b| b.is_ascii_control() || b == b' ')
}

impl Descope {
    /// The redirect target if it is allowed: a relative path, or an absolute URL on the
    /// app's origin or an allowed one.
    pub(crate) fn allowed_redirect(&self, target: &str) -> Option<String> {
        if is_relative_path(target) {
            return Some(target.to_owned());
        }
        let origin = origin_of(target)?;
        if target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return None;
        }
        self.inner
            .allowed_origins
            .contains(&origin)
            .then(|| target.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descope() -> Descope {
        let client = Client::builder("P2test")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        Descope::builder(client)
            .app_url("https://app.example.com/some/path")
            .allow_redirect_origin("https://admin.example.com")
            .build()
            .unwrap()
    }

    #[test]
    fn redirect_targets() {
        let d = descope();
        for ok in [
            "/",
            "/me?tab=1",
            "https://app.example.com/me",
            "https://admin.example.com:443/x",
        ] {
            assert!(d.allowed_redirect(ok).is_some(), "{ok}");
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "https://app.example.com.evil.example/",
            "http://app.example.com/",
            "https://user@app.example.com/",
            "javascript:alert(1)",
            "me",
            "/\tx",
            "",
        ] {
            assert!(d.allowed_redirect(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bad_settings() {
        let client = Client::builder("P2test").build().unwrap();
        let err = Descope::builder(client.clone())
            .app_url("not a url")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(
            Descope::builder(client.clone())
                .default_redirect("https://x")
                .build()
                .is_err()
        );
        assert!(
            Descope::builder(client)
                .routes_prefix("auth")
                .build()
                .is_err()
        );
    }
}
