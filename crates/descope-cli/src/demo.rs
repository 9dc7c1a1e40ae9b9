//! `descope demo`: the embedded emulator and every flow with the real client, one line per
//! step with ✓/✗ and its time.

use std::fmt::Display;
use std::time::Instant;

use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{AuthenticationInfo, Client, ErrorKind};
use descope_transport::{ReqwestTransport, Transport};
use descope_types::{ExchangeCode, IdToken, TotpCode};
use serde_json::{Value, json};

use crate::commands::{Out, claims_table, cli_policy, waiting, when};
use crate::error::CliError;
use crate::output::{Style, qr_code, table};
use crate::totp_code::authenticator;

const REDIRECT_URL: &str = "http://localhost:3000/auth/callback";
const NEWCOMER: &str = "newcomer@example.com";
const OAUTH_USER: &str = "ada@example.com";
const SSO_EMAIL: &str = "someone@acme.example";
const TENANT: &str = "T2EmulatorTenantAcme";

/// Prints each step's outcome and counts them.
struct Steps {
    style: Style,
    passed: usize,
}

impl Steps {
    /// Runs one step: a spinner while it waits, then `✓ label  N ms` or `✗ label  N ms` and
    /// the error. A failed step ends the demo (the next steps need its result).
    async fn run<T, E: Display>(
        &mut self,
        label: &str,
        step: impl Future<Output = Result<T, E>>,
    ) -> Result<T, CliError> {
        let started = Instant::now();
        let result = waiting(label, step).await;
        let ms = started.elapsed().as_millis();
        let timing = self.style.dim(&format!("{ms:>5} ms"));
        match result {
            Ok(value) => {
                self.passed += 1;
                println!("{} {label:<52}{timing}", self.style.green("✓"));
                Ok(value)
            }
            Err(error) => {
                println!("{} {label:<52}{timing}", self.style.red("✗"));
                println!("    {}", self.style.red(&error.to_string()));
                Err(CliError::Demo)
            }
        }
    }
}

/// Lets the magic-link and password modules add their steps.
impl crate::magiclink::DemoSteps for Steps {
    fn step<T, E: Display>(
        &mut self,
        label: &str,
        step: impl Future<Output = Result<T, E>>,
    ) -> impl Future<Output = Result<T, CliError>> {
        self.run(label, step)
    }

    fn detail(&self, text: &str) {
        detail(text);
    }
}

fn detail(text: &str) {
    for line in text.lines() {
        println!("    {line}");
    }
}

fn flows(error: descope_flows::Error) -> String {
    CliError::Flows(error).to_string()
}

/// A plain HTTP call to the emulator (its provider pages and control API), redirects off.
async fn call(
    http: &ReqwestTransport,
    method: http::Method,
    url: &str,
    project_id: &str,
    body: Option<Value>,
) -> Result<http::Response<Bytes>, String> {
    let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", format!("Bearer {project_id}"))
        .header("content-type", "application/json")
        .body(body)
        .map_err(|e| format!("bad request: {e}"))?;
    http.send(request).await.map_err(|e| e.to_string())
}

/// Follows the provider/IdP URL once, as a browser would, and takes `code` from the
/// redirect's `Location`.
async fn code_from_redirect(
    http: &ReqwestTransport,
    url: &str,
    project_id: &str,
) -> Result<(String, String), String> {
    let response = call(http, http::Method::GET, url, project_id, None).await?;
    if !response.status().is_redirection() {
        return Err(format!(
            "expected a redirect, got HTTP {}",
            response.status()
        ));
    }
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or("the redirect has no Location")?
        .to_owned();
    let parsed = url::Url::parse(&location).map_err(|_| "the Location is not a URL")?;
    let code = parsed
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("the redirect carries no code")?;
    let shown = location.split('?').next().unwrap_or_default().to_owned();
    Ok((code, shown))
}

fn signed_in(info: &AuthenticationInfo) -> String {
    let user = info.user.as_ref();
    let login = user
        .and_then(|u| u.login_ids.first().cloned())
        .unwrap_or_else(|| info.session.user_id().to_owned());
    let who = match user
        .and_then(|u| u.name.as_deref())
        .filter(|n| !n.is_empty())
    {
        Some(name) => format!("{name} <{login}>"),
        None => login,
    };
    let first = if info.first_seen {
        ", first sign-in"
    } else {
        ""
    };
    format!(
        "{who} (user {}{first}; session expires {})",
        info.session.user_id(),
        when(info.session.expires_at())
    )
}

pub async fn run(out: Out) -> Result<(), CliError> {
    let style = out.style;
    let started = Instant::now();
    println!(
        "{}",
        style.bold("Descope demo: every flow against the embedded emulator, with the real client")
    );
    let mut steps = Steps { style, passed: 0 };

    let emulator = steps
        .run("Start the emulator on 127.0.0.1", async {
            Emulator::start(EmulatorConfig::default()).await
        })
        .await?;
    let project_id = emulator.project_id().to_owned();
    detail(&format!("{}  project {project_id}", emulator.base_url()));
    let client = Client::builder(project_id.as_str())
        .base_url(emulator.base_url())
        .policy(cli_policy())
        .build()?;
    let http = ReqwestTransport::new().map_err(|e| CliError::Other(e.to_string()))?;

    // TOTP: enroll, compute a code as an authenticator app does, sign in.
    let enrollment = steps
        .run(&format!("TOTP sign-up ({NEWCOMER})"), async {
            client.totp().sign_up(NEWCOMER).await.map_err(flows)
        })
        .await?;
    if let Some(qr) = qr_code(&enrollment.provisioning_url) {
        detail(&qr);
    }
    detail(&enrollment.provisioning_url);
    let code = steps
        .run("Compute the code from the key (RFC 6238)", async {
            let totp = authenticator(enrollment.key.secret(), &enrollment.provisioning_url)?;
            totp.generate_current()
                .map_err(|_| "the clock is before 1970")
        })
        .await?;
    detail(&format!("code {code}"));
    let totp = steps
        .run("TOTP verify → session", async {
            client
                .totp()
                .verify(NEWCOMER, &TotpCode::new(code.as_str()))
                .await
                .map_err(flows)
        })
        .await?;
    detail(&signed_in(&totp));
    let session = steps
        .run("Validate the session token locally (JWKS)", async {
            client
                .validate_session(totp.session_token())
                .await
                .map_err(flows)
        })
        .await?;
    print!("{}", claims_table(&session, "    "));

    // OTP: a code by email, read from the emulator's outbox.
    let (sent, otp_user) = steps
        .run(
            "OTP sign-in by email → code from the outbox",
            crate::otp::demo_sign_in(&client, emulator.base_url(), &project_id, OAUTH_USER),
        )
        .await?;
    detail(&format!("code sent to {}", sent.masked_address));
    detail(&signed_in(&otp_user));

    // OAuth web: start, the provider's redirect, exchange.
    let url = steps
        .run("OAuth start (google)", async {
            client
                .oauth()
                .start("google")
                .redirect_url(REDIRECT_URL)
                .login_hint(OAUTH_USER)
                .await
                .map_err(flows)
        })
        .await?;
    detail(url.as_str());
    let (code, back_to) = steps
        .run("Follow the provider → redirect with ?code=", async {
            code_from_redirect(&http, url.as_str(), &project_id).await
        })
        .await?;
    detail(&format!("302 → {back_to}?code=…"));
    let ada = steps
        .run("OAuth exchange → session", async {
            client
                .oauth()
                .exchange(&ExchangeCode::new(code))
                .await
                .map_err(flows)
        })
        .await?;
    detail(&signed_in(&ada));

    // Native OAuth: start, the platform sign-in (the emulated provider), finish.
    let native = steps
        .run("Native OAuth start (apple, implicit)", async {
            client
                .oauth()
                .start_native("apple")
                .implicit(true)
                .await
                .map_err(flows)
        })
        .await?;
    detail(&format!(
        "client id {}  state {}",
        native.client_id, native.state_id
    ));
    let id_token = steps
        .run("Sign in at the provider (emulated) → ID token", async {
            let body = json!({ "provider": "apple", "nonce": native.nonce, "loginId": "tim@example.com", "name": "Tim Apple" });
            let url = format!("{}/emulator/native/authorize", emulator.base_url());
            let response = call(&http, http::Method::POST, &url, &project_id, Some(body)).await?;
            let value: Value = serde_json::from_slice(response.body())
                .map_err(|_| format!("unexpected answer (HTTP {})", response.status()))?;
            value["idToken"]
                .as_str()
                .map(IdToken::new)
                .ok_or_else(|| format!("no ID token (HTTP {})", response.status()))
        })
        .await?;
    let tim = steps
        .run("Native OAuth finish → session", async {
            client
                .oauth()
                .finish_native("apple", native.state_id.as_str())
                .id_token(&id_token)
                .await
                .map_err(flows)
        })
        .await?;
    detail(&signed_in(&tim));

    // SSO: the email's domain picks the tenant.
    let url = steps
        .run(&format!("SSO start by email domain ({SSO_EMAIL})"), async {
            client
                .sso()
                .start(SSO_EMAIL)
                .redirect_url(REDIRECT_URL)
                .await
                .map_err(flows)
        })
        .await?;
    detail(url.as_str());
    let (code, back_to) = steps
        .run("Follow the identity provider → redirect", async {
            code_from_redirect(&http, url.as_str(), &project_id).await
        })
        .await?;
    detail(&format!("302 → {back_to}?code=…"));
    let someone = steps
        .run("SSO exchange → session", async {
            client
                .sso()
                .exchange(&ExchangeCode::new(code))
                .await
                .map_err(flows)
        })
        .await?;
    detail(&signed_in(&someone));
    if let Some(id) = &someone.tenant_sso_id {
        detail(&format!("tenant SSO configuration {id}"));
    }

    // Magic link and password, links taken from the emulator's outbox.
    let local = crate::magiclink::LocalEmulator::new(emulator.base_url(), &project_id);
    crate::magiclink::demo_steps(&mut steps, &client, &local).await?;
    crate::password::demo_steps(&mut steps, &client, &local).await?;

    // Sessions, with Ada's tokens from the OAuth sign-in.
    let refreshed = steps
        .run("Refresh → new session token", async {
            client.refresh(ada.refresh_token()).await.map_err(flows)
        })
        .await?;
    detail(&format!(
        "new session expires {}",
        when(refreshed.session.expires_at())
    ));
    let me = steps
        .run("Me → the signed-in user", async {
            client.me(ada.refresh_token()).await.map_err(flows)
        })
        .await?;
    let tenants: Vec<String> = me
        .user_tenants
        .iter()
        .map(|t| t.tenant_name.clone().unwrap_or_else(|| t.tenant_id.clone()))
        .collect();
    print!(
        "{}",
        table(
            &[
                ("name".to_owned(), me.name.clone().unwrap_or_default()),
                ("login ids".to_owned(), me.login_ids.join(", ")),
                ("roles".to_owned(), me.role_names.join(", ")),
                ("tenants".to_owned(), tenants.join(", ")),
            ],
            "    "
        )
    );
    let selected = steps
        .run(&format!("Select tenant {TENANT}"), async {
            client
                .select_tenant(TENANT, ada.refresh_token())
                .await
                .map_err(flows)
        })
        .await?;
    detail(&format!(
        "current tenant (dct): {}",
        selected.session.current_tenant().unwrap_or("-")
    ));
    steps
        .run("Logout", async {
            client.logout(ada.refresh_token()).await.map_err(flows)
        })
        .await?;
    let rejection = steps
        .run("Refresh with the revoked token → rejected", async {
            match client.refresh(ada.refresh_token()).await {
                Ok(_) => Err("the revoked refresh token was accepted".to_owned()),
                Err(e) if matches!(e.kind(), ErrorKind::Api | ErrorKind::TokenValidation) => {
                    Ok(flows(e))
                }
                Err(e) => Err(flows(e)),
            }
        })
        .await?;
    detail(&rejection);

    let linked = steps
        .run(
            "Enchanted link: sign-up-or-in → click → session",
            crate::enchantedlink::demo(&client),
        )
        .await?;
    detail(&linked);
    let (_, passkey) = steps
        .run(
            "Passkey sign-up → sign-in (software authenticator)",
            // Boxed: the software authenticator makes a large future.
            Box::pin(crate::webauthn::demo(&client, "passkey@example.com")),
        )
        .await?;
    detail(&format!("amr {:?}", passkey.session.amr()));

    steps
        .run("Stop the emulator", async {
            emulator.shutdown().await;
            Ok::<_, String>(())
        })
        .await?;
    println!(
        "{} all {} steps passed in {} ms",
        style.green("✓"),
        steps.passed,
        started.elapsed().as_millis()
    );
    Ok(())
}
