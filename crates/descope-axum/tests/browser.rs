//! Real-browser end-to-end test: headless Chromium (through chromedriver's WebDriver API,
//! spoken here over reqwest) signs in to the example app through the emulator's
//! interactive provider page, reads `/me`, and logs out; then signs up and in with a passkey
//! held by Chromium's virtual authenticator.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages (`CHROMIUM_BIN` and
//! `CHROMEDRIVER` override the paths). Without a browser binary the test is skipped with a
//! loud message; on failure a screenshot and the page source are saved under `target/`.

#[path = "../examples/app/site.rs"]
mod site;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use descope_axum::Descope;
use descope_emulator::{Emulator, EmulatorConfig, WebAuthnConfig};
use descope_flows::Client;
use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path));
    }
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    candidates.iter().find_map(|c| {
        let c = Path::new(c);
        if c.is_absolute() {
            return c.is_file().then(|| c.to_path_buf());
        }
        path_dirs.iter().map(|d| d.join(c)).find(|p| p.is_file())
    })
}

/// Kills chromedriver (and with it the browser) however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A minimal WebDriver session.
struct WebDriver {
    http: reqwest::Client,
    session: String,
}

impl WebDriver {
    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}{path}", self.session);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = response.status();
        let value: Value = response.json().await.map_err(|e| format!("{path}: {e}"))?;
        if !status.is_success() {
            return Err(format!(
                "{path}: HTTP {status}: {}",
                value["value"]["message"]
            ));
        }
        Ok(value["value"].clone())
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.command(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Result<Value, String> {
        self.command(reqwest::Method::GET, path, None).await
    }

    async fn goto(&self, url: &str) -> Result<(), String> {
        self.post("/url", json!({ "url": url })).await.map(drop)
    }

    async fn url(&self) -> Result<String, String> {
        Ok(self
            .get("/url")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    async fn source(&self) -> Result<String, String> {
        Ok(self
            .get("/source")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    async fn click(&self, xpath: &str) -> Result<(), String> {
        let element = self
            .post("/element", json!({ "using": "xpath", "value": xpath }))
            .await?;
        let id = element[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| format!("no element id for {xpath}"))?;
        self.post(&format!("/element/{id}/click"), json!({}))
            .await
            .map(drop)
    }

    /// Polls (at most 15 s) until the current URL and page source satisfy `done`.
    async fn wait_for(&self, what: &str, done: impl Fn(&str, &str) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let (url, source) = (self.url().await?, self.source().await?);
            if done(&url, &source) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}; at {url}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the element at `xpath`.
    async fn type_into(&self, xpath: &str, text: &str) -> Result<(), String> {
        let element = self
            .post("/element", json!({ "using": "xpath", "value": xpath }))
            .await?;
        let id = element[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| format!("no element id for {xpath}"))?;
        self.post(&format!("/element/{id}/value"), json!({ "text": text }))
            .await
            .map(drop)
    }

    async fn cookies(&self) -> Result<Vec<Value>, String> {
        Ok(self
            .get("/cookie")
            .await?
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// Saves a screenshot and the page source under target/ (on failure).
    async fn save_evidence(&self) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        if let Ok(Value::String(png)) = self.get("/screenshot").await
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(png)
        {
            let path = dir.join("descope-axum-e2e-failure.png");
            if std::fs::write(&path, bytes).is_ok() {
                eprintln!("screenshot saved to {}", path.display());
            }
        }
        if let Ok(source) = self.source().await {
            let _ = std::fs::write(dir.join("descope-axum-e2e-failure.html"), source);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_me_logout_in_headless_chromium() {
    let Some(chromium) = find_binary(
        "CHROMIUM_BIN",
        &[
            "/usr/lib/chromium/chromium",
            "chromium",
            "chromium-browser",
            "google-chrome",
        ],
    ) else {
        eprintln!(
            "\n##########################################################################\n\
             ### SKIPPED: descope-axum browser e2e test: no Chromium binary found.   ###\n\
             ### Install it: apt-get install -y chromium chromium-driver             ###\n\
             ##########################################################################\n"
        );
        return;
    };
    let chromedriver = find_binary(
        "CHROMEDRIVER",
        &["chromedriver", "/usr/lib/chromium/chromedriver"],
    )
    .expect("Chromium is installed but chromedriver is not: apt-get install -y chromium-driver");

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

    // chromedriver on a free loopback port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = match http.get(format!("{base}/status")).send().await {
            Ok(r) => r
                .json::<Value>()
                .await
                .is_ok_and(|v| v["value"]["ready"] == true),
            Err(_) => false,
        };
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let profile = std::env::temp_dir().join(format!("descope-axum-e2e-{}", std::process::id()));
    let capabilities = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    }}});
    let created: Value = http
        .post(format!("{base}/session"))
        .json(&capabilities)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session_id = created["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
        .to_owned();
    let driver = WebDriver {
        http: http.clone(),
        session: format!("{base}/session/{session_id}"),
    };

    let ada_id = user_id(&http, &emulator, "ada@example.com").await;
    let mut result = journey(&driver, &app_url, emulator.base_url(), &ada_id).await;
    if result.is_ok() {
        result = passkey_journey(&driver, &passkey_url).await;
    }
    if let Err(error) = &result {
        driver.save_evidence().await;
        eprintln!("browser journey failed: {error}");
    }
    let _ = driver.command(reqwest::Method::DELETE, "", None).await;
    let _ = std::fs::remove_dir_all(&profile);
    result.unwrap();
}

async fn user_id(http: &reqwest::Client, emulator: &Emulator, login: &str) -> String {
    let users: Value = http
        .get(format!("{}/emulator/users", emulator.base_url()))
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
