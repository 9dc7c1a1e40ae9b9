//! A minimal WebDriver client for the browser tests (descope-axum's sign-in journeys and the
//! emulator console's): headless Chromium through chromedriver, spoken over reqwest.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages (`CHROMIUM_BIN` and
//! `CHROMEDRIVER` override the paths). Without a browser binary [`Browser::start`] prints a
//! loud SKIPPED banner and gives `None`; on failure [`Browser::finish`] saves a screenshot and
//! the page source under the test's `target/` temporary directory.

// Each test binary uses a different subset of the driver's calls.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
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
struct Chromedriver(Child);

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium session and the chromedriver behind it.
pub struct Browser {
    pub driver: WebDriver,
    profile: PathBuf,
    _chromedriver: Chromedriver,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session; `name` names the
    /// test in the skip banner and the failure evidence, `args` are extra Chromium flags.
    pub async fn start(name: &str, args: &[&str]) -> Option<Browser> {
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
                 ### SKIPPED: {name} browser test: no Chromium binary found.\n\
                 ### Install it: apt-get install -y chromium chromium-driver\n\
                 ##########################################################################\n"
            );
            return None;
        };
        let chromedriver = find_binary(
            "CHROMEDRIVER",
            &["chromedriver", "/usr/lib/chromium/chromedriver"],
        )
        .expect(
            "Chromium is installed but chromedriver is not: apt-get install -y chromium-driver",
        );

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let chromedriver = Chromedriver(
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

        let profile = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let mut chrome_args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        .iter()
        .chain(args)
        .map(|a| (*a).to_owned())
        .collect();
        chrome_args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": chrome_args },
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
        Some(Browser {
            driver: WebDriver {
                http,
                session: format!("{base}/session/{session_id}"),
                name: name.to_owned(),
            },
            profile,
            _chromedriver: chromedriver,
        })
    }

    /// Ends the session; on a failed journey saves the evidence first, then panics with it.
    pub async fn finish(self, result: Result<(), String>) {
        if let Err(error) = &result {
            self.driver.save_evidence().await;
            eprintln!("{} browser journey failed: {error}", self.driver.name);
        }
        let _ = self.driver.command(reqwest::Method::DELETE, "", None).await;
        let _ = std::fs::remove_dir_all(&self.profile);
        result.unwrap();
    }
}

/// A WebDriver session.
pub struct WebDriver {
    /// A plain HTTP client (60 s timeout), also handy for the tests' own calls.
    pub http: reqwest::Client,
    session: String,
    name: String,
}

impl WebDriver {
    pub async fn command(
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

    pub async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.command(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Result<Value, String> {
        self.command(reqwest::Method::GET, path, None).await
    }

    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.post("/url", json!({ "url": url })).await.map(drop)
    }

    /// A string the session answers at `path` (`/url`, `/source`, `/screenshot`...).
    pub async fn text_of(&self, path: &str) -> Result<String, String> {
        Ok(self
            .get(path)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub async fn url(&self) -> Result<String, String> {
        self.text_of("/url").await
    }

    pub async fn source(&self) -> Result<String, String> {
        self.text_of("/source").await
    }

    /// The WebDriver id of the element at `xpath`.
    pub async fn element(&self, xpath: &str) -> Result<String, String> {
        let element = self
            .post("/element", json!({ "using": "xpath", "value": xpath }))
            .await?;
        element[ELEMENT_KEY]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element id for {xpath}"))
    }

    pub async fn click(&self, xpath: &str) -> Result<(), String> {
        let id = self.element(xpath).await?;
        self.post(&format!("/element/{id}/click"), json!({}))
            .await
            .map(drop)
    }

    /// Types `text` into the element at `xpath`.
    pub async fn type_into(&self, xpath: &str, text: &str) -> Result<(), String> {
        let id = self.element(xpath).await?;
        self.post(&format!("/element/{id}/value"), json!({ "text": text }))
            .await
            .map(drop)
    }

    /// Polls (at most 15 s) until the current URL and page source satisfy `done`.
    pub async fn wait_for(
        &self,
        what: &str,
        done: impl Fn(&str, &str) -> bool,
    ) -> Result<(), String> {
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

    pub async fn cookies(&self) -> Result<Vec<Value>, String> {
        Ok(self
            .get("/cookie")
            .await?
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// The page as a PNG.
    pub async fn screenshot(&self) -> Result<Vec<u8>, String> {
        let png = self.text_of("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(png)
            .map_err(|e| e.to_string())
    }

    /// Saves a screenshot and the page source under the test's target/ temporary directory.
    async fn save_evidence(&self) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        if let Ok(bytes) = self.screenshot().await {
            let path = dir.join(format!("{}-failure.png", self.name));
            if std::fs::write(&path, bytes).is_ok() {
                eprintln!("screenshot saved to {}", path.display());
            }
        }
        if let Ok(source) = self.source().await {
            let _ = std::fs::write(dir.join(format!("{}-failure.html", self.name)), source);
        }
    }
}
