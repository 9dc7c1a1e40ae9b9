//! The emulator's web console in a real browser: headless Chromium (through chromedriver's
//! WebDriver API, spoken over reqwest, as descope-axum's browser test does) watches the
//! outbox while the official client signs a user up by email OTP, reads the code off the
//! page, verifies it, finds the user and its session, and rotates the signing key from the
//! console (the JWKS then serves a new key first).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`CHROMIUM_BIN` and `CHROMEDRIVER`
//! override the paths); without a browser the test is skipped with a loud message. With
//! `UPDATE_SCREENSHOTS=1` it writes the screenshots of `docs/emulator.md`
//! (`docs/img/console-*.png`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::Client;
use descope_types::{DeliveryMethod, OtpCode};
use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const LOGIN: &str = "console@example.com";

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
        let mut request = self.http.request(method, format!("{}{path}", self.session));
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

    async fn text_of(&self, path: &str) -> Result<String, String> {
        Ok(self
            .get(path)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    async fn element(&self, xpath: &str) -> Result<String, String> {
        let element = self
            .post("/element", json!({ "using": "xpath", "value": xpath }))
            .await?;
        element[ELEMENT_KEY]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element id for {xpath}"))
    }

    async fn click(&self, xpath: &str) -> Result<(), String> {
        let id = self.element(xpath).await?;
        self.post(&format!("/element/{id}/click"), json!({}))
            .await
            .map(drop)
    }

    /// Polls (at most 15 s) until the current URL and page source satisfy `done`.
    async fn wait_for(&self, what: &str, done: impl Fn(&str, &str) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let (url, source) = (self.text_of("/url").await?, self.text_of("/source").await?);
            if done(&url, &source) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}; at {url}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self) -> Result<Vec<u8>, String> {
        let png = self.text_of("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(png)
            .map_err(|e| e.to_string())
    }

    /// With `UPDATE_SCREENSHOTS` set, writes `docs/img/console-<name>.png`.
    async fn document(&self, name: &str) -> Result<(), String> {
        if std::env::var_os("UPDATE_SCREENSHOTS").is_none() {
            return Ok(());
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/img");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("console-{name}.png"));
        std::fs::write(&path, self.screenshot().await?).map_err(|e| e.to_string())?;
        eprintln!("wrote {}", path.display());
        Ok(())
    }

    /// Saves a screenshot and the page source under target/ (on failure).
    async fn save_evidence(&self) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        if let Ok(bytes) = self.screenshot().await {
            let path = dir.join("descope-console-failure.png");
            if std::fs::write(&path, bytes).is_ok() {
                eprintln!("screenshot saved to {}", path.display());
            }
        }
        if let Ok(source) = self.text_of("/source").await {
            let _ = std::fs::write(dir.join("descope-console-failure.html"), source);
        }
    }
}

async fn first_kid(http: &reqwest::Client, emulator: &Emulator) -> String {
    let jwks: Value = http
        .get(format!(
            "{}/v2/keys/{}",
            emulator.base_url(),
            emulator.project_id()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"][0]["kid"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_shows_the_code_user_and_session_and_rotates_the_key() {
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
             ### SKIPPED: emulator console browser test: no Chromium binary found.   ###\n\
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

    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .build()
        .unwrap();

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
    let profile = std::env::temp_dir().join(format!("descope-console-e2e-{}", std::process::id()));
    let capabilities = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1100,720", "--force-prefers-reduced-motion",
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

    let result = journey(&driver, &http, &client, &emulator).await;
    if let Err(error) = &result {
        driver.save_evidence().await;
        eprintln!("console journey failed: {error}");
    }
    let _ = driver.command(reqwest::Method::DELETE, "", None).await;
    let _ = std::fs::remove_dir_all(&profile);
    result.unwrap();
}

async fn journey(
    driver: &WebDriver,
    http: &reqwest::Client,
    client: &Client,
    emulator: &Emulator,
) -> Result<(), String> {
    let console = format!("{}/emulator/", emulator.base_url());
    driver.goto(&console).await?;
    driver
        .wait_for("the empty outbox", |_, s| s.contains("No messages yet."))
        .await?;

    // The official client signs up; the open page shows the message without a reload.
    client
        .otp()
        .sign_up(DeliveryMethod::Email, LOGIN)
        .send()
        .await
        .map_err(|e| format!("sign-up: {e}"))?;
    driver
        .wait_for("the code to arrive", |url, s| {
            url == console && s.contains("data-testid=\"code\"") && s.contains(LOGIN)
        })
        .await?;
    let code_element = driver.element("//span[@data-testid='code']").await?;
    let code = driver
        .text_of(&format!("/element/{code_element}/text"))
        .await?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the page shows no 6-digit code: {code:?}"));
    }
    driver.document("outbox").await?;
    let info = client
        .otp()
        .verify(DeliveryMethod::Email, LOGIN, &OtpCode::new(code))
        .send()
        .await
        .map_err(|e| format!("verify: {e}"))?;
    let refresh = info.refresh_token().secret().to_owned();

    // The user, then its page with the session (and no token).
    driver.click("//nav//a[text()='Users']").await?;
    driver
        .wait_for("the user list", |url, s| {
            url.contains("/emulator/console/users") && s.contains(LOGIN)
        })
        .await?;
    driver.document("users").await?;
    driver.click(&format!("//a[text()='{LOGIN}']")).await?;
    driver
        .wait_for("the user's sessions", |_, s| {
            s.contains("<table id=\"sessions\">") && s.contains(">live<")
        })
        .await?;
    let source = driver.text_of("/source").await?;
    if source.contains(&refresh) {
        return Err("the user page shows the refresh token".to_owned());
    }
    driver.document("user").await?;

    // Rotate from the console: the JWKS serves a new key first.
    let before = first_kid(http, emulator).await;
    driver.click("//nav//a[text()='Keys and clock']").await?;
    driver
        .wait_for("the keys page", |_, s| s.contains(&before))
        .await?;
    driver.click("//button[text()='Rotate key']").await?;
    driver
        .wait_for("the rotated key", |url, s| {
            url.contains("/emulator/console/system") && s.matches("class=\"kid\"").count() == 2
        })
        .await?;
    let after = first_kid(http, emulator).await;
    if after == before {
        return Err("the JWKS did not change".to_owned());
    }
    let source = driver.text_of("/source").await?;
    if !source.contains(&after) {
        return Err("the keys page does not show the new key".to_owned());
    }
    driver.document("keys").await?;
    Ok(())
}
