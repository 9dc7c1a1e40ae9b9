//! The descope-axum example app: a home page with "Sign in with Google", "Sign in with
//! SSO", an emailed sign-in link and an emailed sign-in code (OTP: `/otp/start` then
//! `/otp/verify`; against the emulator the link and the code are in its outbox,
//! `GET /emulator/outbox`), a passkey page (`/passkey`: sign up or in with
//! `navigator.credentials`), a protected `/me` page showing the session's claims, and logout.
//!
//! ```text
//! cargo run -p descope-axum --example app
//! ```
//!
//! By default it starts the Descope emulator in-process, in interactive mode (its provider
//! page lets you pick a demo user). With `DESCOPE_PROJECT_ID` set it uses real Descope
//! (`DESCOPE_BASE_URL` optional; `APP_URL` is the URL your browser uses, default
//! `http://localhost:<PORT>`, and must be allowed as a redirect URL in the Descope console;
//! `DESCOPE_SSO_TENANT` names the SSO tenant). `PORT` defaults to 3000.

#[path = "site.rs"]
mod site;

use descope_axum::Descope;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();

    let real = std::env::var("DESCOPE_PROJECT_ID").is_ok_and(|p| !p.trim().is_empty());
    // Kept alive for as long as the app runs.
    let mut emulator = None;
    let (client, app_url, sso_tenant) = if real {
        let app_url =
            std::env::var("APP_URL").unwrap_or_else(|_| format!("http://localhost:{port}"));
        let tenant = std::env::var("DESCOPE_SSO_TENANT").unwrap_or_default();
        (Client::from_env()?, app_url, tenant)
    } else {
        let config = EmulatorConfig {
            interactive: true,
            ..EmulatorConfig::default()
        };
        let started = Emulator::start(config).await?;
        let client = Client::builder(started.project_id())
            .base_url(started.base_url())
            .build()?;
        println!("Descope emulator (interactive) at {}", started.base_url());
        emulator = Some(started);
        (
            client,
            format!("http://127.0.0.1:{port}"),
            "acme.example".to_owned(),
        )
    };

    let descope = Descope::builder(client)
        .app_url(&app_url)
        // Secure cookies are not stored over plain HTTP.
        .secure_cookies(app_url.starts_with("https://"))
        .build()?;
    let app = site::router(&descope, &sso_tenant);
    println!("descope-axum example app at {app_url}");
    // Browsers refuse WebAuthn on an IP address origin; the emulator's RP is localhost.
    println!("passkeys: http://localhost:{port}/passkey");
    axum::serve(listener, app).await?;
    drop(emulator);
    Ok(())
}
