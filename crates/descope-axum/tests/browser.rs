//! Real-browser end-to-end test: headless Chromium (through chromedriver's WebDriver API,
//! spoken here over reqwest) signs in to the example app through the emulator's
//! interactive provider page, reads `/me`, and logs out; then signs up and in with a passkey
//! held by Chromium's virtual authenticator; then signs in with an emailed one-time code
//! (read from the emulator's outbox). `otp_forms_over_http` drives the same code forms
//! without a browser (and their cross-site refusal), so it runs where Chromium does not.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages (`CHROMIUM_BIN` and
//! `CHROMEDRIVER` override the paths). Without a browser binary the test is skipped with a
//! loud message; on failure a screenshot and the page source are saved under `target/`.

#[path = "../examples/app/site.rs"]
mod site;

#[path = "../../../tests/support/webdriver.rs"]
mod webdriver;

use descope_axum::Descope;
use descope_emulator::{Emulator, EmulatorConfig, WebAuthnConfig};
use descope_flows::Client;
use serde_json::{Value, json};
use webdriver::{Browser, WebDriver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_me_logout_in_headless_chromium() {
    let Some(browser) = Browser::start("descope-axum-e2e", &[]).await else {
        return;
    };
    let (driver, http) = (&browser.driver, &browser.driver.http);

    // The emulator in interactive mode and the example app, both on loopback. Passkeys run
    // on `localhost` (browsers refuse WebAuthn on an IP address origin), an origin the
    // emulator's relying party is told to allow.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_port = listener.local_addr().unwrap().port();
    let app_url = format!("http://127.0.0.1:{app_port}");
    let passkey_url = format!("http://localhost:{app_port}");
    let emulator = Emulator::start(EmulatorConfig {
        interactive: true,
        webauthn: WebAuthnConfig {
            extra_origins: vec![passkey_url.clone()],
            ..WebAuthnConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    let descope = Descope::builder(client)
        .app_url(&app_url)
        .secure_cookies(false)
        .build()
        .unwrap();
    let app = site::router(&descope, "acme.example");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ada_id = user_id(http, emulator.base_url(), "ada@example.com").await;
    let mut result = journey(driver, &app_url, emulator.base_url(), &ada_id).await;
    if result.is_ok() {
        result = passkey_journey(driver, &passkey_url).await;
    }
    if result.is_ok() {
        result = otp_journey(driver, http, &app_url, emulator.base_url()).await;
    }
    browser.finish(result).await;
}

async fn user_id(http: &reqwest::Client, emulator: &str, login: &str) -> String {
    let users: Value = http
        .get(format!("{emulator}/emulator/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["loginIds"][0] == login)
        .and_then(|u| u["userId"].as_str())
        .unwrap()
        .to_owned()
}

async fn journey(d: &WebDriver, app: &str, emulator: &str, ada_id: &str) -> Result<(), String> {
    // Open the app and sign in with "Google".
    d.goto(app).await?;
    d.click("//a[normalize-space()='Sign in with Google']")
        .await?;

    // The emulator's provider page: choose a user.
    d.wait_for("the provider page", |url, source| {
        url.starts_with(emulator) && source.contains("ada@example.com")
    })
    .await?;
    d.click("//button[normalize-space()='ada@example.com']")
        .await?;

    // Back in the app, signed in, on /me.
    let me = format!("{app}/me");
    d.wait_for("/me with the user", |url, source| {
        url == me && source.contains(ada_id)
    })
    .await?;
    let source = d.source().await?;
    if !source.contains("admin") {
        return Err("/me does not show the user's role".to_owned());
    }
    let cookies = d.cookies().await?;
    for name in ["DS", "DSR"] {
        let cookie = cookies
            .iter()
            .find(|c| c["name"] == name)
            .ok_or_else(|| format!("no {name} cookie after sign-in: {cookies:?}"))?;
        if cookie["httpOnly"] != true || cookie["sameSite"] != "Strict" {
            return Err(format!(
                "{name} is not HttpOnly + SameSite=Strict: {cookie}"
            ));
        }
    }
    if cookies.iter().any(|c| c["name"] == "DSFLOW") {
        return Err("the login-flow cookie was not cleared".to_owned());
    }

    // Log out: back home, cookies gone, /me sends to the login page.
    d.click("//button[@id='logout']").await?;
    let home = format!("{app}/");
    d.wait_for("home after logout", |url, source| {
        url == home && source.contains("Sign in with Google")
    })
    .await?;
    let cookies = d.cookies().await?;
    if cookies
        .iter()
        .any(|c| c["name"] == "DS" || c["name"] == "DSR")
    {
        return Err(format!("cookies left after logout: {cookies:?}"));
    }
    d.goto(&me).await?;
    let login = format!("{app}/login");
    d.wait_for("/me sending to login", |url, source| {
        url == login && source.contains("Sign in with SSO")
    })
    .await
}

/// Signs up with a passkey, logs out, signs in with it: Chromium's virtual authenticator
/// (WebDriver's WebAuthn extension) creates and uses the credential; the emulator verifies
/// both ceremonies.
async fn passkey_journey(d: &WebDriver, app: &str) -> Result<(), String> {
    let authenticator = d
        .post(
            "/webauthn/authenticator",
            json!({
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
                "hasUserVerification": true, "isUserVerified": true,
            }),
        )
        .await?;
    let authenticator = authenticator
        .as_str()
        .ok_or_else(|| format!("no authenticator id: {authenticator}"))?
        .to_owned();
    let me = format!("{app}/me");
    let login = "passkey-browser@example.com";
    for button in ["passkey-signup", "passkey-signin"] {
        d.goto(&format!("{app}/passkey")).await?;
        d.type_into("//input[@id='login']", login).await?;
        d.click(&format!("//button[@id='{button}']")).await?;
        d.wait_for(&format!("/me after {button}"), |url, source| {
            url == me && source.contains("webauthn")
        })
        .await?;
        let cookies = d.cookies().await?;
        if !cookies.iter().any(|c| c["name"] == "DS") {
            return Err(format!("no session cookie after {button}: {cookies:?}"));
        }
        d.click("//button[@id='logout']").await?;
        d.wait_for("home after logout", |url, _| url == format!("{app}/"))
            .await?;
    }
    // One credential, used once (at least) since it was made.
    let credentials = d
        .get(&format!(
            "/webauthn/authenticator/{authenticator}/credentials"
        ))
        .await?;
    let credentials = credentials.as_array().cloned().unwrap_or_default();
    if credentials.len() != 1 || credentials[0]["signCount"].as_u64().unwrap_or(0) < 1 {
        return Err(format!(
            "unexpected virtual authenticator credentials: {credentials:?}"
        ));
    }
    Ok(())
}

/// The newest one-time code the emulator sent to `login` (its outbox).
async fn outbox_code(
    http: &reqwest::Client,
    emulator: &str,
    login: &str,
) -> Result<String, String> {
    let url = format!(
        "{emulator}/emulator/outbox?loginId={}",
        login.replace('@', "%40")
    );
    let outbox: Value = http
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("outbox: {e}"))?
        .json()
        .await
        .map_err(|e| format!("outbox: {e}"))?;
    outbox["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["kind"] == "otp"))
        .and_then(|m| m["code"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("no code in the outbox for {login}"))
}

/// A code that is not `code` (for the wrong-code step).
fn other_code(code: &str) -> String {
    if code == "111111" { "222222" } else { "111111" }.to_owned()
}

/// Signs up by email code from the home page: a wrong code is refused (and not echoed), the
/// right one lands on `/me` with the session cookies; logs out.
async fn otp_journey(
    d: &WebDriver,
    http: &reqwest::Client,
    app: &str,
    emulator: &str,
) -> Result<(), String> {
    let login = "otp-browser@example.com";
    d.goto(app).await?;
    d.type_into("//input[@id='otp-email']", login).await?;
    d.click("//button[@id='otp-start']").await?;
    d.wait_for("the code form", |url, source| {
        url == format!("{app}/otp/start") && source.contains("otp-sent")
    })
    .await?;
    let code = outbox_code(http, emulator, login).await?;
    if d.source().await?.contains(&code) {
        return Err("the code form shows the code".to_owned());
    }

    let wrong = other_code(&code);
    d.type_into("//input[@id='otp-code']", &wrong).await?;
    d.click("//button[@id='otp-verify']").await?;
    d.wait_for("the wrong-code answer", |_, source| {
        source.contains("otp-error")
    })
    .await?;
    if d.source().await?.contains(&wrong) {
        return Err("the wrong-code page echoes the code".to_owned());
    }
    if d.cookies().await?.iter().any(|c| c["name"] == "DS") {
        return Err("a session cookie after a wrong code".to_owned());
    }

    d.type_into("//input[@id='otp-code']", &code).await?;
    d.click("//button[@id='otp-verify']").await?;
    let me = format!("{app}/me");
    // The user exists once the code is verified: look it up only after landing on /me.
    d.wait_for("/me after the code", |url, _| url == me).await?;
    let user = user_id(http, emulator, login).await;
    d.wait_for("/me showing the new user", |_, source| {
        source.contains(&user)
    })
    .await?;
    let cookies = d.cookies().await?;
    for name in ["DS", "DSR"] {
        let cookie = cookies
            .iter()
            .find(|c| c["name"] == name)
            .ok_or_else(|| format!("no {name} cookie after the code: {cookies:?}"))?;
        if cookie["httpOnly"] != true || cookie["sameSite"] != "Strict" {
            return Err(format!(
                "{name} is not HttpOnly + SameSite=Strict: {cookie}"
            ));
        }
    }
    d.click("//button[@id='logout']").await?;
    d.wait_for("home after logout", |url, _| url == format!("{app}/"))
        .await
}

/// The email-code forms over plain HTTP (no browser): a cross-site POST is refused before
/// any code is sent or spent; start → the code from the outbox → verify sets `DS`/`DSR`
/// and redirects to `/me`; the session then opens `/api/me`; the spent code is refused.
#[tokio::test]
async fn otp_forms_over_http() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = format!("http://{}", listener.local_addr().unwrap());
    let descope = Descope::builder(client)
        .app_url(&app)
        .secure_cookies(false)
        .build()
        .unwrap();
    let router = site::router(&descope, "acme.example");
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = "otp-http@example.com";
    let post = |path: &str, body: String| {
        http.post(format!("{app}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let form = |path: &str, body: String| {
        post(path, body)
            .header("sec-fetch-site", "same-origin")
            .header("origin", &app)
    };
    let email = format!("email={}", login.replace('@', "%40"));

    // Cross-site: refused, nothing sent.
    for path in ["/otp/start", "/otp/verify"] {
        let response = post(path, format!("{email}&code=123456"))
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    assert!(
        outbox_code(&http, emulator.base_url(), login)
            .await
            .is_err()
    );
    // No Sec-Fetch-Site, Origin of another site: refused too.
    let response = post("/otp/start", email.clone())
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        outbox_code(&http, emulator.base_url(), login)
            .await
            .is_err()
    );

    // Missing address.
    let response = form("/otp/start", String::new()).send().await.unwrap();
    assert_eq!(response.status(), 400);

    // Start: the code form, without the code.
    let response = form("/otp/start", email.clone()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"].to_str().unwrap(),
        "private, no-store"
    );
    let page = response.text().await.unwrap();
    assert!(
        page.contains("otp-sent") && page.contains("/otp/verify"),
        "{page}"
    );
    let code = outbox_code(&http, emulator.base_url(), login)
        .await
        .unwrap();
    assert!(!page.contains(&code), "the code form shows the code");

    // A wrong code: 401, the form again, no cookie, no echo.
    let wrong = other_code(&code);
    let response = form("/otp/verify", format!("{email}&code={wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("set-cookie").is_none());
    let page = response.text().await.unwrap();
    assert!(
        page.contains("otp-error") && page.contains("/otp/verify"),
        "{page}"
    );
    assert!(
        !page.contains(&wrong),
        "the wrong-code page echoes the code"
    );

    // The right code: 303 to /me with both cookies.
    let response = form("/otp/verify", format!("{email}&code={code}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/me");
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let pair = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .and_then(|c| c.split(';').next())
            .unwrap_or_else(|| panic!("no {name} cookie: {cookies:?}"))
            .to_owned()
    };
    let (ds, dsr) = (pair("DS"), pair("DSR"));
    for cookie in &cookies {
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }

    // The session opens the protected JSON route; without it, 401.
    let me = http
        .get(format!("{app}/api/me"))
        .header("cookie", format!("{ds}; {dsr}"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let claims: Value = me.json().await.unwrap();
    assert_eq!(
        claims["sub"].as_str(),
        Some(user_id(&http, emulator.base_url(), login).await.as_str())
    );
    let anonymous = http.get(format!("{app}/api/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // The code is spent.
    let again = form("/otp/verify", format!("{email}&code={code}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401);
}
