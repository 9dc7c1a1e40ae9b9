//! The layer, extractors, guards and login routes, driven with tower `oneshot` against a
//! real emulator on loopback (no browser).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use descope_axum::{Authenticated, Descope, Guard, Guarded, Requirement};
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{AuthenticationInfo, Client, ClientBuilder, Clock, Session, SystemClock};
use descope_types::ExchangeCode;
use http::HeaderName;
use http::header::{AUTHORIZATION, CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Env {
    emulator: Emulator,
    client: Client,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Self {
        Self::start_with(EmulatorConfig::default()).await
    }

    async fn start_with(config: EmulatorConfig) -> Self {
        let emulator = Emulator::start(config).await.unwrap();
        let client = Client::builder(emulator.project_id())
            .base_url(emulator.base_url())
            .build()
            .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            emulator,
            client,
            http,
        }
    }

    /// Moves the emulator's clock (tokens it issues from now on are dated accordingly).
    async fn clock(&self, offset_seconds: i64) {
        let response = self
            .http
            .post(format!("{}/emulator/clock", self.emulator.base_url()))
            .header("content-type", "application/json")
            .body(json!({ "offsetSeconds": offset_seconds }).to_string())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// Gives the project a new signing key (the old one stays valid).
    async fn rotate_keys(&self) {
        let response = self
            .http
            .post(format!("{}/emulator/keys/rotate", self.emulator.base_url()))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// A client of its own (own key cache) for the emulator's project.
    fn client_builder(&self) -> ClientBuilder {
        Client::builder(self.emulator.project_id()).base_url(self.emulator.base_url())
    }

    /// Follows an emulator provider URL (auto-consent) and returns the redirect target.
    async fn consent(&self, url: &str) -> String {
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 302, "provider page should redirect");
        response.headers()[LOCATION].to_str().unwrap().to_owned()
    }

    /// Signs `login` in through the OAuth redirect flow.
    async fn sign_in(&self, login: &str) -> AuthenticationInfo {
        self.sign_in_with(&self.client, login).await
    }

    async fn sign_in_with(&self, client: &Client, login: &str) -> AuthenticationInfo {
        let url = client
            .oauth()
            .start("google")
            .redirect_url("http://app.test/callback")
            .login_hint(login)
            .await
            .unwrap();
        let location = url::Url::parse(&self.consent(url.as_str()).await).unwrap();
        let code = location
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        client
            .oauth()
            .exchange(&ExchangeCode::new(code))
            .await
            .unwrap()
    }

    /// A session whose token has expired (issued 700 s ago, lifetime 600 s) with a
    /// still-valid refresh token.
    async fn expired_sign_in(&self, login: &str) -> AuthenticationInfo {
        // The signing-in client lives in the same past, so the exchange's own validation
        // accepts the tokens.
        let past = self.client_builder().clock(Past).build().unwrap();
        self.clock(-700).await;
        let info = self.sign_in_with(&past, login).await;
        self.clock(0).await;
        info
    }

    fn descope(&self) -> Descope {
        Descope::builder(self.client.clone())
            .app_url("http://app.test")
            .build()
            .unwrap()
    }
}

/// A clock 700 s behind.
#[derive(Debug)]
struct Past;

impl Clock for Past {
    fn now(&self) -> SystemTime {
        SystemClock.now() - Duration::from_secs(700)
    }
}

/// A clock the test moves forward.
#[derive(Debug, Clone, Default)]
struct Ahead(Arc<AtomicU64>);

impl Ahead {
    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
}

impl Clock for Ahead {
    fn now(&self) -> SystemTime {
        SystemClock.now() + Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

struct Admin;

impl Requirement for Admin {
    fn allows(session: &Session) -> bool {
        session.validate_roles(&["admin"])
    }
}

fn app(descope: &Descope) -> Router {
    let guarded = Router::new()
        .route("/guard/admin", get(|| async { "admin" }))
        .route_layer(Guard::roles(["admin"]))
        .merge(
            Router::new()
                .route("/guard/globex", get(|| async { "globex" }))
                .route_layer(Guard::tenant("T2EmulatorTenantGlobex")),
        )
        .merge(
            Router::new()
                .route("/guard/acme-admin", get(|| async { "acme admin" }))
                .route_layer(Guard::tenant_roles(
                    "T2EmulatorTenantAcme",
                    ["tenant-admin"],
                )),
        )
        .merge(
            Router::new()
                .route("/guard/write", get(|| async { "write" }))
                .route_layer(Guard::permissions(["write"])),
        );
    Router::new()
        .route(
            "/me",
            get(|s: Authenticated| async move {
                Json(json!({ "user": s.user_id(), "roles": s.roles() }))
            }),
        )
        .route(
            "/maybe",
            get(|s: Option<Authenticated>| async move {
                s.map_or_else(|| "anonymous".to_owned(), |s| s.user_id().to_owned())
            }),
        )
        .route(
            "/admin",
            get(|s: Guarded<Admin>| async move { format!("admin {}", s.user_id()) }),
        )
        .route(
            "/admin-inline",
            get(|s: Authenticated| async move {
                s.require_roles(&["admin"])?;
                Ok::<_, descope_axum::Error>("inline admin")
            }),
        )
        .merge(guarded)
        .layer(descope.layer())
        .merge(descope.routes())
}

/// Cache fields that CDNs obey over `Cache-Control`.
const CDN_CACHE_CONTROL: HeaderName = HeaderName::from_static("cdn-cache-control");
const SURROGATE_CONTROL: HeaderName = HeaderName::from_static("surrogate-control");

fn get_req(path: &str) -> http::request::Builder {
    Request::get(path)
}

async fn send(app: &Router, request: http::request::Builder) -> Response {
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_json(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value of the `Set-Cookie` named `name`.
fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        let (n, rest) = c.split_once('=')?;
        (n == name).then(|| rest.split(';').next().unwrap().to_owned())
    })
}

fn bearer(info: &AuthenticationInfo) -> String {
    format!("Bearer {}", info.session_token().secret())
}

#[tokio::test]
async fn no_token_is_401_json() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let response = send(&app, get_req("/me")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = body_json(response).await;
    assert_eq!(body["error"], "unauthenticated");

    // Guards answer 401 too when there is no session at all.
    assert_eq!(send(&app, get_req("/admin")).await.status(), 401);
    assert_eq!(send(&app, get_req("/guard/admin")).await.status(), 401);
    // The optional extractor does not reject.
    assert_eq!(
        body_text(send(&app, get_req("/maybe")).await).await,
        "anonymous"
    );
}

#[tokio::test]
async fn malformed_token_is_401() {
    let env = Env::start().await;
    let app = app(&env.descope());
    for request in [
        get_req("/me").header(AUTHORIZATION, "Bearer not.a.jwt"),
        get_req("/me").header(COOKIE, "DS=garbage"),
    ] {
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer error=\"invalid_token\""
        );
        let body = body_json(response).await;
        assert_eq!(body["error"], "invalid_session");
        assert_eq!(body["message"], "malformed token");
    }
    let response = send(
        &app,
        get_req("/maybe").header(AUTHORIZATION, "Bearer x.y.z"),
    )
    .await;
    assert_eq!(body_text(response).await, "anonymous");
}

#[tokio::test]
async fn token_in_header_or_cookie() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.sign_in("ada@example.com").await;
    let user = ada.session.user_id().to_owned();
    let session = ada.session_token().secret();

    let by_header = send(&app, get_req("/me").header(AUTHORIZATION, bearer(&ada))).await;
    assert_eq!(by_header.status(), 200);
    assert!(
        set_cookies(&by_header).is_empty(),
        "a valid session sets no cookie"
    );
    let body = body_json(by_header).await;
    assert_eq!(body["user"], user.as_str());
    assert_eq!(body["roles"], json!(["admin"]));

    let by_cookie = send(
        &app,
        get_req("/me").header(COOKIE, format!("theme=dark; DS={session}")),
    )
    .await;
    assert_eq!(by_cookie.status(), 200);
    assert_eq!(body_json(by_cookie).await["user"], user.as_str());

    // The header wins over the cookie, both ways.
    let header_wins = send(
        &app,
        get_req("/me")
            .header(AUTHORIZATION, bearer(&ada))
            .header(COOKIE, "DS=garbage"),
    )
    .await;
    assert_eq!(header_wins.status(), 200);
    let bad_header = send(
        &app,
        get_req("/me")
            .header(AUTHORIZATION, "Bearer garbage")
            .header(COOKIE, format!("DS={session}")),
    )
    .await;
    assert_eq!(bad_header.status(), 401);
    // A non-Bearer Authorization header is ignored: the cookie is used.
    let basic = send(
        &app,
        get_req("/me")
            .header(AUTHORIZATION, "Basic dXNlcjpwYXNz")
            .header(COOKIE, format!("DS={session}")),
    )
    .await;
    assert_eq!(basic.status(), 200);
}

#[tokio::test]
async fn expired_session_without_refresh_is_401() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.expired_sign_in("ada@example.com").await;
    let response = send(&app, get_req("/me").header(AUTHORIZATION, bearer(&ada))).await;
    assert_eq!(response.status(), 401);
    assert!(set_cookies(&response).is_empty());
    let body = body_json(response).await;
    assert_eq!(body["message"], "session expired");
}

#[tokio::test]
async fn expired_session_with_valid_refresh_is_refreshed() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.expired_sign_in("ada@example.com").await;
    let (session, refresh) = (ada.session_token().secret(), ada.refresh_token().secret());
    let response = send(
        &app,
        get_req("/me").header(COOKIE, format!("DS={session}; DSR={refresh}")),
    )
    .await;
    assert_eq!(response.status(), 200);
    let cookies = set_cookies(&response);
    assert_eq!(body_json(response).await["user"], ada.session.user_id());

    let new_session = cookie_value(&cookies, "DS").expect("a new DS cookie");
    assert_ne!(new_session, session);
    assert!(cookie_value(&cookies, "DSR").is_some());
    for cookie in &cookies {
        assert!(cookie.contains("; Path=/"), "{cookie}");
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("; Max-Age="), "{cookie}");
    }
    // The new session token is valid on its own.
    let fresh = env
        .client
        .validate_session(&descope_types::SessionToken::new(new_session.clone()))
        .await
        .unwrap();
    assert_eq!(fresh.user_id(), ada.session.user_id());

    // Only the refresh cookie (the browser dropped DS): refreshed as well.
    let response = send(
        &app,
        get_req("/me").header(COOKIE, format!("DSR={refresh}")),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(cookie_value(&set_cookies(&response), "DS").is_some());

    // Secure can be turned off for plain-HTTP development.
    let insecure = Descope::builder(env.client.clone())
        .secure_cookies(false)
        .build()
        .unwrap();
    let response = send(
        &app_with(&insecure),
        get_req("/me").header(COOKIE, format!("DS={session}; DSR={refresh}")),
    )
    .await;
    assert_eq!(response.status(), 200);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2);
    assert!(cookies.iter().all(|c| !c.contains("Secure")));
}

fn app_with(descope: &Descope) -> Router {
    Router::new()
        .route(
            "/me",
            get(|s: Authenticated| async move { s.user_id().to_owned() }),
        )
        .layer(descope.layer())
}

#[tokio::test]
async fn responses_that_set_session_cookies_are_never_cached() {
    let env = Env::start().await;
    let descope = env.descope();
    // A handler that asks shared caches (and a CDN) to keep its page.
    let cached_page = || async {
        (
            [
                (CACHE_CONTROL, "public, s-maxage=600"),
                (CDN_CACHE_CONTROL, "max-age=600"),
                (SURROGATE_CONTROL, "max-age=600"),
            ],
            "page",
        )
    };
    let app: Router = Router::new()
        .route("/page", get(cached_page))
        .layer(descope.layer());
    let no_store = |response: &Response| {
        assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
        assert!(response.headers().get(CDN_CACHE_CONTROL).is_none());
        assert!(response.headers().get(SURROGATE_CONTROL).is_none());
    };

    // A valid session sets no cookie: the handler's caching is its own business.
    let ada = env.sign_in("ada@example.com").await;
    let response = send(&app, get_req("/page").header(AUTHORIZATION, bearer(&ada))).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(response.headers()[CACHE_CONTROL], "public, s-maxage=600");

    // A refresh puts the user's new tokens in the response: never stored by a cache.
    let expired = env.expired_sign_in("ada@example.com").await;
    let refresh = expired.refresh_token().secret();
    let response = send(
        &app,
        get_req("/page").header(COOKIE, format!("DSR={refresh}")),
    )
    .await;
    assert!(cookie_value(&set_cookies(&response), "DS").is_some());
    no_store(&response);

    // Nor is a response deleting them.
    let response = send(&app, get_req("/page").header(COOKIE, "DSR=not.a.jwt")).await;
    assert_eq!(set_cookies(&response).len(), 2);
    no_store(&response);

    // The login routes: start (flow cookie), callback (tokens), logout (deletions).
    let routes = descope.routes();
    let start = send(&routes, get_req("/auth/oauth/google")).await;
    assert_eq!(start.headers()[CACHE_CONTROL], "private, no-store");
    let (callback, flow_cookie) = start_flow(&env, &routes, "/auth/oauth/google").await;
    let response = send(&routes, get_req(&callback).header(COOKIE, &flow_cookie)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
    let response = send(&routes, Request::post("/auth/logout")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
}

#[tokio::test]
async fn revoked_refresh_is_401_and_clears_cookies() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.expired_sign_in("ada@example.com").await;
    env.client.logout(ada.refresh_token()).await.unwrap();
    let (session, refresh) = (ada.session_token().secret(), ada.refresh_token().secret());
    let response = send(
        &app,
        get_req("/me").header(COOKIE, format!("DS={session}; DSR={refresh}")),
    )
    .await;
    assert_eq!(response.status(), 401);
    let cookies = set_cookies(&response);
    for name in ["DS", "DSR"] {
        let cleared = cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=;")))
            .unwrap_or_else(|| panic!("{name} is cleared: {cookies:?}"));
        assert!(cleared.contains("Max-Age=0"));
    }
    assert_eq!(body_json(response).await["error"], "invalid_session");

    // A forged refresh token is rejected locally the same way.
    let response = send(&app, get_req("/me").header(COOKIE, "DSR=not.a.jwt")).await;
    assert_eq!(response.status(), 401);
    assert_eq!(set_cookies(&response).len(), 2);
}

#[tokio::test]
async fn unknown_signing_key_keeps_the_session() {
    // Rotating refresh tokens: cookies dropped now could never be replaced.
    let env = Env::start_with(EmulatorConfig {
        refresh_rotation: true,
        ..EmulatorConfig::default()
    })
    .await;
    // The app refetches keys for an unknown `kid` at most every 5 minutes.
    let clock = Ahead::default();
    let client = env
        .client_builder()
        .key_refetch_interval(Duration::from_secs(300))
        .clock(clock.clone())
        .build()
        .unwrap();
    let app = app(&Descope::new(client));
    // The app's key cache is filled before the rotation.
    let before = env.sign_in("ada@example.com").await;
    let response = send(&app, get_req("/me").header(AUTHORIZATION, bearer(&before))).await;
    assert_eq!(response.status(), 200);

    env.rotate_keys().await;
    // Signed in elsewhere (a client that fetches the new key) right after the rotation.
    let fresh = env.client_builder().build().unwrap();
    let ada = env.sign_in_with(&fresh, "ada@example.com").await;
    let (session, refresh) = (ada.session_token().secret(), ada.refresh_token().secret());
    for request in [
        get_req("/me").header(COOKIE, format!("DS={session}; DSR={refresh}")),
        get_req("/me").header(COOKIE, format!("DSR={refresh}")),
        get_req("/me").header(AUTHORIZATION, bearer(&ada)),
    ] {
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(set_cookies(&response).is_empty(), "the cookies are kept");
        assert_eq!(body_json(response).await["error"], "upstream_unavailable");
    }

    // Once the cache may refetch, the very same cookies work.
    clock.advance(Duration::from_secs(301));
    let response = send(
        &app,
        get_req("/me").header(COOKIE, format!("DS={session}; DSR={refresh}")),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(body_json(response).await["user"], ada.session.user_id());
}

#[tokio::test]
async fn guards_answer_403() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.sign_in("ada@example.com").await; // admin; Acme tenant-admin
    let grace = env.sign_in("grace@acme.example").await; // viewer; Acme tenant-member

    let status = |info: &AuthenticationInfo, path: &'static str| {
        let app = app.clone();
        let auth = bearer(info);
        async move {
            send(&app, get_req(path).header(AUTHORIZATION, auth))
                .await
                .status()
        }
    };
    for path in [
        "/admin",
        "/admin-inline",
        "/guard/admin",
        "/guard/write",
        "/guard/acme-admin",
    ] {
        assert_eq!(status(&ada, path).await, 200, "ada {path}");
        assert_eq!(status(&grace, path).await, 403, "grace {path}");
    }
    assert_eq!(status(&ada, "/guard/globex").await, 403);

    let response = send(
        &app,
        get_req("/admin").header(AUTHORIZATION, bearer(&grace)),
    )
    .await;
    let body = body_json(response).await;
    assert_eq!(body["error"], "forbidden");
}

#[tokio::test]
async fn require_session_layer_stops_the_request() {
    let env = Env::start().await;
    let descope = env.descope();
    let app: Router = Router::new()
        .route("/", get(|| async { "inside" }))
        .layer(descope.require_session());
    assert_eq!(send(&app, get_req("/")).await.status(), 401);
    let ada = env.sign_in("ada@example.com").await;
    let response = send(&app, get_req("/").header(AUTHORIZATION, bearer(&ada))).await;
    assert_eq!(body_text(response).await, "inside");
}

#[tokio::test]
async fn extractor_without_layer_is_500() {
    let app: Router = Router::new().route("/", get(|_: Authenticated| async { "" }));
    let response = send(&app, get_req("/")).await;
    assert_eq!(response.status(), 500);
    assert_eq!(body_json(response).await["error"], "configuration");
}

/// Runs a start route and the provider consent; returns the callback request's path and
/// query plus the flow cookie.
async fn start_flow(env: &Env, app: &Router, start: &str) -> (String, String) {
    let response = send(app, get_req(start)).await;
    assert_eq!(response.status(), StatusCode::FOUND, "{start}");
    let provider = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(provider.starts_with(env.emulator.base_url()), "{provider}");
    let flow_cookie = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("DSFLOW="))
        .unwrap();
    assert!(flow_cookie.contains("SameSite=Lax") && flow_cookie.contains("HttpOnly"));
    let flow_cookie = flow_cookie.split(';').next().unwrap().to_owned();
    let callback = env.consent(&provider).await;
    let path = callback.strip_prefix("http://app.test").unwrap().to_owned();
    (path, flow_cookie)
}

#[tokio::test]
async fn oauth_and_sso_login_routes() {
    let env = Env::start().await;
    let app = app(&env.descope());
    for (start, user) in [
        (
            "/auth/oauth/google?redirect=%2Fme%3Ftab%3D1&loginHint=ada%40example.com",
            "ada@example.com",
        ),
        (
            "/auth/sso?tenant=acme.example&redirect=/me%3Ftab%3D1&loginHint=grace%40acme.example",
            "grace@acme.example",
        ),
    ] {
        let (callback, flow_cookie) = start_flow(&env, &app, start).await;
        assert!(callback.contains("/callback?flow="), "{callback}");
        assert!(callback.contains("code="), "{callback}");

        // Without the flow cookie (a callback link sent to someone else): refused.
        let response = send(&app, get_req(&callback)).await;
        assert_eq!(response.status(), 400);
        // With another flow's cookie (the nonce differs in one digit): refused too.
        let (nonce, target) = flow_cookie["DSFLOW=".len()..].split_once('.').unwrap();
        let other = if nonce.starts_with('0') { "1" } else { "0" };
        let forged = format!("DSFLOW={other}{}.{target}", &nonce[1..]);
        let response = send(&app, get_req(&callback).header(COOKIE, forged)).await;
        assert_eq!(response.status(), 400);

        let response = send(&app, get_req(&callback).header(COOKIE, &flow_cookie)).await;
        assert_eq!(response.status(), 200, "{start}");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        let cookies = set_cookies(&response);
        let session = cookie_value(&cookies, "DS").unwrap();
        assert!(cookie_value(&cookies, "DSR").is_some());
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("DSFLOW=;") && c.contains("Max-Age=0"))
        );
        let page = body_text(response).await;
        assert!(page.contains("url=/me?tab=1"), "{page}");

        // The cookie signs the user in.
        let users: Value = env
            .http
            .get(format!("{}/emulator/users", env.emulator.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let user_id = users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["loginIds"][0] == user)
            .unwrap()["userId"]
            .clone();
        let me = send(&app, get_req("/me").header(COOKIE, format!("DS={session}"))).await;
        assert_eq!(body_json(me).await["user"], user_id);

        // The code is single-use.
        let again = send(&app, get_req(&callback).header(COOKIE, &flow_cookie)).await;
        assert_eq!(again.status(), 401);
    }
}

#[tokio::test]
async fn login_routes_refuse_open_redirects() {
    let env = Env::start().await;
    let app = app(&env.descope());
    for target in [
        "%2F%2Fevil.example%2F",
        "https%3A%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
        "http%3A%2F%2Fapp.test.evil.example%2F",
        "javascript%3Aalert(1)",
    ] {
        let response = send(
            &app,
            get_req(&format!("/auth/oauth/google?redirect={target}")),
        )
        .await;
        assert_eq!(response.status(), 400, "{target}");
        assert!(response.headers().get(LOCATION).is_none());
    }
    // The app's own origin is fine.
    let ok = send(
        &app,
        get_req("/auth/oauth/google?redirect=http%3A%2F%2Fapp.test%2Fme"),
    )
    .await;
    assert_eq!(ok.status(), 302);
    // A tampered flow cookie carrying a foreign target falls back to the default.
    let (callback, flow_cookie) = start_flow(&env, &app, "/auth/oauth/google").await;
    let nonce = flow_cookie
        .trim_start_matches("DSFLOW=")
        .split('.')
        .next()
        .unwrap();
    let evil: String = b"//evil.example"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let response = send(
        &app,
        get_req(&callback).header(COOKIE, format!("DSFLOW={nonce}.{evil}")),
    )
    .await;
    assert_eq!(response.status(), 200);
    let page = body_text(response).await;
    assert!(page.contains("url=/\""), "{page}");
    assert!(!page.contains("evil"));
}

#[tokio::test]
async fn logout_revokes_and_clears() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.sign_in("ada@example.com").await;
    let refresh = ada.refresh_token().secret();
    let response = send(
        &app,
        Request::post("/auth/logout?redirect=%2Fbye").header(COOKIE, format!("DSR={refresh}")),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/bye");
    let cookies = set_cookies(&response);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("DS=;") && c.contains("Max-Age=0"))
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("DSR=;") && c.contains("Max-Age=0"))
    );
    // Revoked at Descope: refreshing with it fails.
    assert!(env.client.refresh(ada.refresh_token()).await.is_err());

    // An external target is not followed.
    let response = send(
        &app,
        Request::post("/auth/logout?redirect=https%3A%2F%2Fevil.example"),
    )
    .await;
    assert_eq!(response.headers()[LOCATION], "/");
}

#[tokio::test]
async fn cross_site_logout_is_refused() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let ada = env.sign_in("ada@example.com").await;
    let refresh = ada.refresh_token().secret();
    // A form on another site posting to our logout (the browser adds the cookies).
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "http://app.test.evil.example"),
        ("origin", "null"),
    ] {
        let request = Request::post("/auth/logout")
            .header(COOKIE, format!("DSR={refresh}"))
            .header(name, value);
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(set_cookies(&response).is_empty(), "{name}: {value}");
        assert_eq!(body_json(response).await["error"], "forbidden");
    }
    // Both headers, as a browser sends them from another site.
    let request = Request::post("/auth/logout")
        .header(COOKIE, format!("DSR={refresh}"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example");
    assert_eq!(send(&app, request).await.status(), StatusCode::FORBIDDEN);
    // Nothing was revoked.
    assert!(env.client.refresh(ada.refresh_token()).await.is_ok());

    // Same origin, a navigation the user started, the app's Origin, or no browser at all.
    for headers in [
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://app.test"),
        ][..],
        &[("sec-fetch-site", "none")],
        &[("origin", "http://app.test")],
        &[
            ("origin", "http://localhost:3000"),
            ("host", "localhost:3000"),
        ],
        &[],
    ] {
        let mut request = Request::post("/auth/logout");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{headers:?}");
        assert_eq!(set_cookies(&response).len(), 2, "{headers:?}");
    }
    // A same-origin logout does revoke.
    let request = Request::post("/auth/logout")
        .header(COOKIE, format!("DSR={refresh}"))
        .header("sec-fetch-site", "same-origin");
    assert_eq!(send(&app, request).await.status(), StatusCode::SEE_OTHER);
    assert!(env.client.refresh(ada.refresh_token()).await.is_err());
}

/// The newest outbox link for `login`, as a path on the app (`http://app.test` removed).
async fn outbox_link(env: &Env, login: &str) -> String {
    let outbox: Value = env
        .http
        .get(format!(
            "{}/emulator/outbox?loginId={}",
            env.emulator.base_url(),
            login.replace('@', "%40")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = outbox["messages"].as_array().unwrap().last().unwrap()["link"]
        .as_str()
        .unwrap()
        .to_owned();
    link.strip_prefix("http://app.test").unwrap().to_owned()
}

fn magic_link_request(query: &str, body: &str) -> Request<Body> {
    Request::post(format!("/auth/magiclink{query}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn magic_link_routes_send_then_verify_once() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let login = "ml-axum@example.com";
    let response = app
        .clone()
        .oneshot(magic_link_request(
            "?redirect=%2Fme%3Ftab%3D1",
            "loginId=ml-axum%40example.com",
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty());
    let page = body_text(response).await;
    assert!(page.contains("m***@example.com"), "{page}");

    let callback = outbox_link(&env, login).await;
    assert!(
        callback.starts_with("/auth/magiclink/callback?redirect=%2Fme%3Ftab%3D1&t="),
        "{callback}"
    );
    let response = send(&app, get_req(&callback)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let cookies = set_cookies(&response);
    let session = cookie_value(&cookies, "DS").unwrap();
    assert!(cookie_value(&cookies, "DSR").is_some());
    let page = body_text(response).await;
    assert!(page.contains("url=/me?tab=1"), "{page}");
    let me = send(&app, get_req("/me").header(COOKIE, format!("DS={session}"))).await;
    assert_eq!(me.status(), 200);

    // The token is single use.
    let again = send(&app, get_req(&callback)).await;
    assert_eq!(again.status(), 401);
    assert!(set_cookies(&again).is_empty());
    // No token at all.
    let none = send(&app, get_req("/auth/magiclink/callback")).await;
    assert_eq!(none.status(), 400);
}

#[tokio::test]
async fn magic_link_routes_refuse_open_redirects_and_cross_site_posts() {
    let env = Env::start().await;
    let app = app(&env.descope());
    let login = "ml-redirect@example.com";
    // The start route refuses a foreign target before sending anything.
    let response = app
        .clone()
        .oneshot(magic_link_request(
            "?redirect=https%3A%2F%2Fevil.example%2F",
            "loginId=ml-redirect%40example.com",
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // A cross-site form post is refused (someone else's page mailing links to users).
    let mut request = magic_link_request("", "loginId=ml-redirect%40example.com");
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 403);
    let response = app
        .clone()
        .oneshot(magic_link_request("", "other=1"))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let response = app
        .clone()
        .oneshot(magic_link_request("", "loginId=ml-redirect%40example.com"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let callback = outbox_link(&env, login).await;
    let token = callback.rsplit_once("t=").unwrap().1.to_owned();
    // A link edited to point elsewhere is refused without spending the token.
    for target in [
        "%2F%2Fevil.example%2F",
        "https%3A%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
        "javascript%3Aalert(1)",
    ] {
        let response = send(
            &app,
            get_req(&format!(
                "/auth/magiclink/callback?t={token}&redirect={target}"
            )),
        )
        .await;
        assert_eq!(response.status(), 400, "{target}");
        assert!(set_cookies(&response).is_empty());
    }
    let response = send(&app, get_req(&callback)).await;
    assert_eq!(response.status(), 200);
    let page = body_text(response).await;
    assert!(page.contains("url=/\""), "the default target: {page}");
}
