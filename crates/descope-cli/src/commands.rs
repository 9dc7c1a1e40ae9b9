//! The commands for real projects: `totp`, `oauth`, `sso`, `session`.

use std::future::IntoFuture;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Subcommand;
use descope_flows::{AuthenticationInfo, Client, Session};
use descope_transport::{Policy, RetryPolicy};
use descope_types::{
    ExchangeCode, IdToken, RefreshToken, SessionToken, SignUpUser, TotpCode, UserResponse,
};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::input::secret;
use crate::output::{Spinner, Style, colour_enabled, qr_code, table};

/// How to print: human text or JSON, secrets or not.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
    pub print_secrets: bool,
    pub style: Style,
}

impl Out {
    pub fn new(json: bool, print_secrets: bool) -> Self {
        Self {
            json,
            print_secrets,
            style: Style::new(!json && colour_enabled()),
        }
    }
}

/// The client for `--project-id`/`--base-url`. Retries are shorter than the library's
/// default (up to 10 s): someone is waiting at the prompt.
pub fn client(global: &crate::Global) -> Result<Client, CliError> {
    let project_id = global
        .project_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            CliError::Config(
                "no project id: pass --project-id or set DESCOPE_PROJECT_ID".to_owned(),
            )
        })?;
    let mut builder = Client::builder(project_id).policy(cli_policy());
    if let Some(url) = global.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}

pub fn cli_policy() -> Policy {
    Policy::default()
        .retry(RetryPolicy::default().delays([Duration::from_millis(250), Duration::from_secs(1)]))
}

/// Runs `call` (a future, or a client call's builder) with a spinner on stderr (when it is
/// a terminal).
pub async fn waiting<T>(label: &str, call: impl IntoFuture<Output = T>) -> T {
    let spinner = Spinner::start(label);
    let result = call.await;
    spinner.stop();
    result
}

const REFRESH_ENV: &str = "DESCOPE_REFRESH_TOKEN";
const SESSION_ENV: &str = "DESCOPE_SESSION_TOKEN";
const CODE_ENV: &str = "DESCOPE_CODE";
const TOTP_CODE_ENV: &str = "DESCOPE_TOTP_CODE";
const ID_TOKEN_ENV: &str = "DESCOPE_ID_TOKEN";

fn refresh_token(value: Option<&str>) -> Result<RefreshToken, CliError> {
    secret(value, "refresh token", REFRESH_ENV).map(RefreshToken::new)
}

/// `descope totp ...`
#[derive(Debug, Subcommand)]
pub enum TotpCommand {
    /// Sign up a new user with TOTP; shows the QR code to scan (on a terminal).
    Signup {
        /// The new user's login id (usually an email).
        login_id: String,
        /// The user's display name.
        #[arg(long)]
        name: Option<String>,
        /// The user's email, when the login id is not one.
        #[arg(long)]
        email: Option<String>,
    },
    /// Sign in with a code from the authenticator app.
    Verify {
        /// The user's login id.
        login_id: String,
        /// The 6-digit code, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_TOTP_CODE", hide_env_values = true)]
        code: Option<String>,
    },
    /// Add (or replace) TOTP for a signed-in user.
    Update {
        /// The user's login id.
        login_id: String,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
}

impl TotpCommand {
    pub async fn run(self, client: &Client, out: &Out) -> Result<(), CliError> {
        match self {
            Self::Signup {
                login_id,
                name,
                email,
            } => {
                let mut sign_up = client.totp().sign_up(&login_id);
                if name.is_some() || email.is_some() {
                    sign_up = sign_up.user(SignUpUser {
                        name,
                        email,
                        ..SignUpUser::default()
                    });
                }
                let enrollment = waiting("signing up", sign_up).await?;
                print_enrollment(&login_id, &enrollment, out);
            }
            Self::Verify { login_id, code } => {
                let code = TotpCode::new(secret(code.as_deref(), "TOTP code", TOTP_CODE_ENV)?);
                let info = waiting("verifying", client.totp().verify(login_id, &code)).await?;
                print_auth(&info, out);
            }
            Self::Update {
                login_id,
                refresh_token: token,
            } => {
                let refresh = refresh_token(token.as_deref())?;
                let enrollment =
                    waiting("updating", client.totp().update_user(&login_id, &refresh)).await?;
                print_enrollment(&login_id, &enrollment, out);
            }
        }
        Ok(())
    }
}

fn print_enrollment(login_id: &str, enrollment: &descope_flows::TotpEnrollment, out: &Out) {
    if out.json {
        let mut value = json!({ "loginId": login_id, "enrolled": true });
        if out.print_secrets {
            value["key"] = json!(enrollment.key.secret());
            value["provisioningUrl"] = json!(enrollment.provisioning_url);
        }
        println!("{value}");
        return;
    }
    println!("{} TOTP enrolled for {login_id}", out.style.green("✓"));
    // The QR code and key are the shared secret: shown on a terminal (to scan) or on request.
    let to_scan = out.print_secrets || std::io::IsTerminal::is_terminal(&std::io::stdout());
    if to_scan && let Some(qr) = qr_code(&enrollment.provisioning_url) {
        println!("Scan this with an authenticator app:\n{qr}");
    }
    if out.print_secrets {
        println!("key:              {}", enrollment.key.secret());
        println!("provisioning URL: {}", enrollment.provisioning_url);
    } else {
        println!(
            "{}",
            out.style
                .dim("(the key and provisioning URL are not printed; add --print-secrets)")
        );
    }
    println!("Next: descope totp verify {login_id} <code>");
}

/// `descope oauth ...`
#[derive(Debug, Subcommand)]
pub enum OAuthCommand {
    /// Start a web sign-in: prints the URL to open in a browser.
    Start {
        /// The provider (google, github, apple, microsoft, ... or a custom one).
        provider: String,
        /// Where the provider sends the browser back with `?code=`.
        #[arg(long)]
        redirect_url: Option<String>,
        /// Login id to preselect at the provider.
        #[arg(long)]
        login_hint: Option<String>,
    },
    /// Exchange the `code` the redirect URL received for a session.
    Exchange {
        /// The code, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_CODE", hide_env_values = true)]
        code: Option<String>,
    },
    /// Start a native (mobile/desktop) sign-in: prints the client id, state id and nonce.
    NativeStart {
        /// The provider (apple, google, ...).
        provider: String,
        /// Finish with the provider's ID token instead of an authorization code.
        #[arg(long)]
        implicit: bool,
    },
    /// Finish a native sign-in with the provider's ID token or authorization code.
    NativeFinish {
        /// The provider used at native start.
        provider: String,
        /// The state id from native start.
        #[arg(long)]
        state_id: String,
        /// The provider's authorization code, or `-` for stdin.
        #[arg(long, env = "DESCOPE_CODE", hide_env_values = true)]
        code: Option<String>,
        /// The provider's ID token, or `-` for stdin.
        #[arg(long, env = "DESCOPE_ID_TOKEN", hide_env_values = true)]
        id_token: Option<String>,
    },
}

impl OAuthCommand {
    pub async fn run(self, client: &Client, out: &Out) -> Result<(), CliError> {
        match self {
            Self::Start {
                provider,
                redirect_url,
                login_hint,
            } => {
                let mut start = client.oauth().start(provider.as_str());
                if let Some(url) = redirect_url {
                    start = start.redirect_url(url);
                }
                if let Some(hint) = login_hint {
                    start = start.login_hint(hint);
                }
                let url = waiting("starting", start).await?;
                print_url(url.as_str(), out);
            }
            Self::Exchange { code } => {
                let code = ExchangeCode::new(secret(code.as_deref(), "code", CODE_ENV)?);
                let info = waiting("exchanging", client.oauth().exchange(&code)).await?;
                print_auth(&info, out);
            }
            Self::NativeStart { provider, implicit } => {
                let start = client.oauth().start_native(provider.as_str());
                let started = waiting("starting", start.implicit(implicit)).await?;
                if out.json {
                    println!(
                        "{}",
                        json!({
                            "clientId": started.client_id,
                            "stateId": started.state_id,
                            "nonce": started.nonce,
                            "implicit": started.implicit,
                        })
                    );
                } else {
                    let rows = [
                        ("client id", started.client_id.clone()),
                        ("state id", started.state_id.clone()),
                        ("nonce", started.nonce.clone()),
                        ("implicit", started.implicit.to_string()),
                    ]
                    .map(|(k, v)| (k.to_owned(), v));
                    print!("{}", table(&rows, ""));
                    println!(
                        "Next: sign in at the provider with this client id and nonce, then\n  descope oauth native-finish {provider} --state-id {} --{} -",
                        started.state_id,
                        if started.implicit { "id-token" } else { "code" }
                    );
                }
            }
            Self::NativeFinish {
                provider,
                state_id,
                code,
                id_token,
            } => {
                if code.as_deref() == Some("-") && id_token.as_deref() == Some("-") {
                    return Err(CliError::Input(
                        "only one of --code and --id-token can be read from stdin".to_owned(),
                    ));
                }
                if code.is_none() && id_token.is_none() {
                    return Err(CliError::Input(
                        "native finish needs --code or --id-token (or DESCOPE_CODE / DESCOPE_ID_TOKEN)"
                            .to_owned(),
                    ));
                }
                let mut finish = client.oauth().finish_native(provider.as_str(), state_id);
                if let Some(code) = code.as_deref() {
                    finish = finish.code(&ExchangeCode::new(secret(Some(code), "code", CODE_ENV)?));
                }
                if let Some(token) = id_token.as_deref() {
                    let token = secret(Some(token), "ID token", ID_TOKEN_ENV)?;
                    finish = finish.id_token(&IdToken::new(token));
                }
                let info = waiting("finishing", finish).await?;
                print_auth(&info, out);
            }
        }
        Ok(())
    }
}

fn print_url(url: &str, out: &Out) {
    if out.json {
        println!("{}", json!({ "url": url }));
    } else {
        println!("Open this URL in a browser:\n{url}");
    }
}

/// `descope sso ...`
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Start an SSO sign-in: prints the URL to open in a browser.
    Start {
        /// Tenant id, tenant name, or an email whose domain selects the tenant.
        tenant: String,
        /// Where the identity provider flow returns with `?code=`.
        #[arg(long)]
        redirect_url: Option<String>,
        /// Login hint passed to the identity provider.
        #[arg(long)]
        login_hint: Option<String>,
        /// Which of the tenant's SSO configurations to use.
        #[arg(long)]
        sso_id: Option<String>,
        /// Use the legacy `/v1/auth/saml/*` endpoints.
        #[arg(long)]
        saml: bool,
    },
    /// Exchange the `code` the redirect URL received for a session.
    Exchange {
        /// The code, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_CODE", hide_env_values = true)]
        code: Option<String>,
        /// Use the legacy `/v1/auth/saml/*` endpoints.
        #[arg(long)]
        saml: bool,
    },
}

impl SsoCommand {
    pub async fn run(self, client: &Client, out: &Out) -> Result<(), CliError> {
        match self {
            Self::Start {
                tenant,
                redirect_url,
                login_hint,
                sso_id,
                saml,
            } => {
                let flow = if saml { client.saml() } else { client.sso() };
                let mut start = flow.start(tenant);
                if let Some(url) = redirect_url {
                    start = start.redirect_url(url);
                }
                if let Some(hint) = login_hint {
                    start = start.login_hint(hint);
                }
                if let Some(id) = sso_id {
                    start = start.sso_id(id);
                }
                let url = waiting("starting", start).await?;
                print_url(url.as_str(), out);
            }
            Self::Exchange { code, saml } => {
                let code = ExchangeCode::new(secret(code.as_deref(), "code", CODE_ENV)?);
                let flow = if saml { client.saml() } else { client.sso() };
                let info = waiting("exchanging", flow.exchange(&code)).await?;
                print_auth(&info, out);
            }
        }
        Ok(())
    }
}

/// `descope session ...`
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Validate a session token locally (signature, expiry, issuer) and show its claims.
    Validate {
        /// The session token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_SESSION_TOKEN", hide_env_values = true)]
        session_token: Option<String>,
    },
    /// Get a new session token with a refresh token.
    Refresh {
        /// The refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
    /// Show the signed-in user.
    Me {
        /// The refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
    /// End this session.
    Logout {
        /// The refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
    /// End every session of the user.
    LogoutAll {
        /// The refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
    /// Select a tenant: the new session token carries it (`dct`).
    SelectTenant {
        /// The tenant id.
        tenant: String,
        /// The refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
}

impl SessionCommand {
    pub async fn run(self, client: &Client, out: &Out) -> Result<(), CliError> {
        match self {
            Self::Validate { session_token } => {
                let token = SessionToken::new(secret(
                    session_token.as_deref(),
                    "session token",
                    SESSION_ENV,
                )?);
                let session = waiting("validating", client.validate_session(&token)).await?;
                if out.json {
                    println!("{}", session_json(&session));
                } else {
                    println!(
                        "{} valid session for {}",
                        out.style.green("✓"),
                        session.user_id()
                    );
                    print!("{}", claims_table(&session, "  "));
                }
            }
            Self::Refresh { refresh_token: t } => {
                let refresh = refresh_token(t.as_deref())?;
                let info = waiting("refreshing", client.refresh(&refresh)).await?;
                print_auth(&info, out);
            }
            Self::Me { refresh_token: t } => {
                let refresh = refresh_token(t.as_deref())?;
                let user = waiting("fetching", client.me(&refresh)).await?;
                if out.json {
                    println!("{}", json!({ "user": user }));
                } else {
                    print!("{}", user_table(&user));
                }
            }
            Self::Logout { refresh_token: t } => {
                let refresh = refresh_token(t.as_deref())?;
                waiting("logging out", client.logout(&refresh)).await?;
                print_done("signed out", out);
            }
            Self::LogoutAll { refresh_token: t } => {
                let refresh = refresh_token(t.as_deref())?;
                waiting("logging out", client.logout_all(&refresh)).await?;
                print_done("signed out of every session", out);
            }
            Self::SelectTenant {
                tenant,
                refresh_token: t,
            } => {
                let refresh = refresh_token(t.as_deref())?;
                let info = waiting("selecting", client.select_tenant(tenant, &refresh)).await?;
                print_auth(&info, out);
            }
        }
        Ok(())
    }
}

fn print_done(what: &str, out: &Out) {
    if out.json {
        println!("{}", json!({ "ok": true }));
    } else {
        println!("{} {what}", out.style.green("✓"));
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `1700000000 (in 9m 59s)`.
pub fn when(unix: i64) -> String {
    let delta = unix - now();
    let (sign, secs) = if delta < 0 {
        ("ago", -delta)
    } else {
        ("in", delta)
    };
    let human = match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    };
    if sign == "in" {
        format!("{unix} (in {human})")
    } else {
        format!("{unix} ({human} ago)")
    }
}

fn join(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

/// The claims worth showing, as `name  value` rows.
pub fn claims_table(session: &Session, indent: &str) -> String {
    let claims = session.claims();
    let mut rows = vec![
        ("user (sub)".to_owned(), session.user_id().to_owned()),
        ("issuer".to_owned(), claims.iss.clone().unwrap_or_default()),
        ("expires".to_owned(), when(session.expires_at())),
        ("auth methods".to_owned(), join(session.amr())),
        ("roles".to_owned(), join(session.roles())),
        ("permissions".to_owned(), join(session.permissions())),
    ];
    for (tenant, t) in session.tenants() {
        rows.push((format!("tenant {tenant}"), join(&t.roles)));
    }
    if let Some(current) = session.current_tenant() {
        rows.push(("current tenant".to_owned(), current.to_owned()));
    }
    table(&rows, indent)
}

fn session_json(session: &Session) -> Value {
    json!({
        "userId": session.user_id(),
        "expiresAt": session.expires_at(),
        "claims": session.claims(),
    })
}

fn user_table(user: &UserResponse) -> String {
    let mut rows = vec![
        ("user id".to_owned(), user.user_id.clone()),
        ("login ids".to_owned(), join(&user.login_ids)),
    ];
    if let Some(name) = &user.name {
        rows.push(("name".to_owned(), name.clone()));
    }
    if let Some(email) = &user.email {
        rows.push(("email".to_owned(), email.clone()));
    }
    rows.push(("roles".to_owned(), join(&user.role_names)));
    for t in &user.user_tenants {
        let name = t.tenant_name.as_deref().unwrap_or(&t.tenant_id);
        rows.push((format!("tenant {name}"), join(&t.role_names)));
    }
    table(&rows, "  ")
}

/// What a signed-in command prints. Tokens only with `--print-secrets`: a script that
/// exchanges a code needs them (`--json --print-secrets`, then `.sessionJwt`/`.refreshJwt`).
pub fn print_auth(info: &AuthenticationInfo, out: &Out) {
    if out.json {
        let mut value = json!({
            "userId": info.session.user_id(),
            "user": info.user,
            "firstSeen": info.first_seen,
            "session": session_json(&info.session),
            "refreshExpiresAt": info.refresh.expires_at(),
        });
        if let Some(id) = &info.tenant_sso_id {
            value["tenantSsoId"] = json!(id);
        }
        if out.print_secrets {
            value["sessionJwt"] = json!(info.session_token().secret());
            value["refreshJwt"] = json!(info.refresh_token().secret());
        }
        println!("{value}");
        return;
    }
    let who = info
        .user
        .as_ref()
        .and_then(|u| {
            u.name
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| u.login_ids.first().cloned())
        })
        .unwrap_or_else(|| info.session.user_id().to_owned());
    let first = if info.first_seen {
        " (first sign-in)"
    } else {
        ""
    };
    println!("{} signed in as {who}{first}", out.style.green("✓"));
    print!("{}", claims_table(&info.session, "  "));
    println!("  refresh expires  {}", when(info.refresh.expires_at()));
    if out.print_secrets {
        println!("DESCOPE_SESSION_TOKEN={}", info.session_token().secret());
        println!("DESCOPE_REFRESH_TOKEN={}", info.refresh_token().secret());
    } else {
        println!(
            "{}",
            out.style
                .dim("(tokens are not printed; add --print-secrets, or --json --print-secrets for scripts)")
        );
    }
}
