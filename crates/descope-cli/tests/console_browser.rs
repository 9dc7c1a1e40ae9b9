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

#[path = "../../../tests/support/webdriver.rs"]
mod webdriver;

use std::path::Path;

use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::Client;
use descope_types::{DeliveryMethod, OtpCode};
use serde_json::Value;
use webdriver::{Browser, WebDriver};

const LOGIN: &str = "console@example.com";

/// With `UPDATE_SCREENSHOTS` set, writes `docs/img/console-<name>.png`.
async fn document(driver: &WebDriver, name: &str) -> Result<(), String> {
    if std::env::var_os("UPDATE_SCREENSHOTS").is_none() {
        return Ok(());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/img");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("console-{name}.png"));
    std::fs::write(&path, driver.screenshot().await?).map_err(|e| e.to_string())?;
    eprintln!("wrote {}", path.display());
    Ok(())
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
    let Some(browser) = Browser::start(
        "descope-console",
        &["--window-size=1100,720", "--force-prefers-reduced-motion"],
    )
    .await
    else {
        return;
    };
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    let result = journey(&browser.driver, &browser.driver.http, &client, &emulator).await;
    browser.finish(result).await;
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
    document(driver, "outbox").await?;
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
    document(driver, "users").await?;
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
    document(driver, "user").await?;

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
    document(driver, "keys").await?;
    Ok(())
}
