//! `descope magiclink ...`: magic links. Against a local emulator (a loopback base URL) the
//! link is taken from its outbox and verified at once; elsewhere, open the link and pass its
//! `t` to `descope magiclink verify`.

use bytes::Bytes;
use clap::Subcommand;
use descope_flows::{AuthenticationInfo, Client};
use descope_transport::{ReqwestTransport, Transport};
use descope_types::{DeliveryMethod, MagicLinkToken, RefreshToken, SignUpUser};
use serde_json::{Value, json};

use crate::commands::{Out, print_auth, waiting};
use crate::error::CliError;
use crate::input::secret;

const TOKEN_ENV: &str = "DESCOPE_MAGIC_LINK_TOKEN";
const REFRESH_ENV: &str = "DESCOPE_REFRESH_TOKEN";

fn method(value: &str) -> Result<DeliveryMethod, CliError> {
    value
        .parse()
        .map_err(|e: descope_types::UnknownDeliveryMethod| CliError::Input(e.to_string()))
}

/// `descope magiclink ...`
#[derive(Debug, Subcommand)]
pub enum MagicLinkCommand {
    /// Sign up a new user and send a link.
    Signup {
        /// The new user's login id (an email, or a phone for sms/voice/whatsapp).
        login_id: String,
        /// email, sms, voice or whatsapp.
        #[arg(long, default_value = "email")]
        method: String,
        /// Where the link leads [default: the project's configured URL].
        #[arg(long, default_value = "")]
        redirect_url: String,
        /// The user's display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Send a sign-in link to an existing user.
    Signin {
        /// The user's login id.
        login_id: String,
        /// email, sms, voice or whatsapp.
        #[arg(long, default_value = "email")]
        method: String,
        /// Where the link leads [default: the project's configured URL].
        #[arg(long, default_value = "")]
        redirect_url: String,
    },
    /// Send a link that signs the user in, or up when new.
    SignupOrIn {
        /// The user's login id.
        login_id: String,
        /// email, sms, voice or whatsapp.
        #[arg(long, default_value = "email")]
        method: String,
        /// Where the link leads [default: the project's configured URL].
        #[arg(long, default_value = "")]
        redirect_url: String,
    },
    /// Verify the token of an opened link (its `t` parameter) → session.
    Verify {
        /// The token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_MAGIC_LINK_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Send a link to a new email address of a signed-in user.
    UpdateEmail {
        /// The user's login id.
        login_id: String,
        /// The new email address.
        email: String,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
        /// Also make the address a login id.
        #[arg(long)]
        add_to_login_ids: bool,
    },
    /// Send a link to a new phone number of a signed-in user.
    UpdatePhone {
        /// The user's login id.
        login_id: String,
        /// The new phone number.
        phone: String,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
        /// sms or whatsapp.
        #[arg(long, default_value = "sms")]
        method: String,
        /// Also make the number a login id.
        #[arg(long)]
        add_to_login_ids: bool,
    },
}

/// How the demo runs a step (`✓ label  N ms`, or the error and the end of the demo) and
/// prints a detail line; implemented by the demo, so this module does not name it.
pub trait DemoSteps {
    /// Runs one step.
    fn step<T, E: std::fmt::Display>(
        &mut self,
        label: &str,
        step: impl Future<Output = Result<T, E>>,
    ) -> impl Future<Output = Result<T, CliError>>;

    /// Prints an indented detail line.
    fn detail(&self, text: &str);
}

/// A client error as the demo prints it.
pub fn demo_error(error: descope_flows::Error) -> String {
    CliError::Flows(error).to_string()
}

/// The local emulator behind `global`'s base URL, when it is one (a loopback host).
pub struct LocalEmulator {
    base_url: String,
    project_id: String,
}

impl LocalEmulator {
    /// The emulator at `base_url` (the demo's embedded one).
    pub fn new(base_url: &str, project_id: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            project_id: project_id.to_owned(),
        }
    }

    pub fn detect(global: &crate::Global) -> Option<Self> {
        let base_url = global.base_url.as_deref()?.trim_end_matches('/').to_owned();
        let url = url::Url::parse(&base_url).ok()?;
        let loopback = match url.host()? {
            url::Host::Domain(d) => d == "localhost",
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        let project_id = global.project_id.as_deref()?.trim().to_owned();
        loopback.then_some(Self {
            base_url,
            project_id,
        })
    }

    /// The token of the newest outbox message for `login_id` of this `kind`.
    pub async fn token(&self, login_id: &str, kind: &str) -> Result<MagicLinkToken, CliError> {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("loginId", login_id)
            .finish();
        let request = http::Request::get(format!("{}/emulator/outbox?{query}", self.base_url))
            .header("authorization", format!("Bearer {}", self.project_id))
            .body(Bytes::new())
            .map_err(|e| CliError::Other(format!("bad outbox request: {e}")))?;
        let http = ReqwestTransport::new().map_err(|e| CliError::Other(e.to_string()))?;
        let response = http
            .send(request)
            .await
            .map_err(|e| CliError::Other(format!("cannot read the emulator's outbox: {e}")))?;
        let outbox: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        outbox["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .rev()
            .find(|m| m["kind"] == kind)
            .and_then(|m| m["token"].as_str())
            .map(MagicLinkToken::new)
            .ok_or_else(|| CliError::Other(format!("no {kind} message in the outbox")))
    }
}

fn print_sent(masked: &str, out: &Out) {
    if out.json {
        println!("{}", json!({ "sent": true, "maskedAddress": masked }));
    } else {
        println!("{} link sent to {masked}", out.style.green("✓"));
    }
}

/// After a link went out: on a local emulator, verify it from the outbox; else say what to
/// do next.
async fn complete(
    client: &Client,
    local: Option<&LocalEmulator>,
    login_id: &str,
    masked: &str,
    out: &Out,
) -> Result<Option<AuthenticationInfo>, CliError> {
    let Some(local) = local else {
        print_sent(masked, out);
        if !out.json {
            println!("  open the link, then: descope magiclink verify <t from the link>");
        }
        return Ok(None);
    };
    if !out.json {
        println!(
            "{} link sent to {masked}; taking it from the emulator's outbox",
            out.style.green("✓")
        );
    }
    let token = local.token(login_id, "magiclink").await?;
    let info = waiting("verifying", client.magic_link().verify(&token)).await?;
    print_auth(&info, out);
    Ok(Some(info))
}

impl MagicLinkCommand {
    pub async fn run(
        self,
        client: &Client,
        global: &crate::Global,
        out: &Out,
    ) -> Result<(), CliError> {
        let local = LocalEmulator::detect(global);
        let ml = client.magic_link();
        match self {
            Self::Signup {
                login_id,
                method: m,
                redirect_url,
                name,
            } => {
                let mut call = ml.sign_up(method(&m)?, &login_id, redirect_url);
                if name.is_some() {
                    call = call.user(SignUpUser {
                        name,
                        ..SignUpUser::default()
                    });
                }
                let masked = waiting("sending", call).await?;
                complete(client, local.as_ref(), &login_id, &masked, out).await?;
            }
            Self::Signin {
                login_id,
                method: m,
                redirect_url,
            } => {
                let masked =
                    waiting("sending", ml.sign_in(method(&m)?, &login_id, redirect_url)).await?;
                complete(client, local.as_ref(), &login_id, &masked, out).await?;
            }
            Self::SignupOrIn {
                login_id,
                method: m,
                redirect_url,
            } => {
                let call = ml.sign_up_or_in(method(&m)?, &login_id, redirect_url);
                let masked = waiting("sending", call).await?;
                complete(client, local.as_ref(), &login_id, &masked, out).await?;
            }
            Self::Verify { token } => {
                let token = MagicLinkToken::new(secret(token.as_deref(), "link token", TOKEN_ENV)?);
                let info = waiting("verifying", ml.verify(&token)).await?;
                print_auth(&info, out);
            }
            Self::UpdateEmail {
                login_id,
                email,
                refresh_token,
                add_to_login_ids,
            } => {
                let refresh = RefreshToken::new(secret(
                    refresh_token.as_deref(),
                    "refresh token",
                    REFRESH_ENV,
                )?);
                let mut call = ml.update_email(&login_id, email, &refresh);
                if add_to_login_ids {
                    call = call.add_to_login_ids(true);
                }
                let masked = waiting("sending", call).await?;
                complete(client, local.as_ref(), &login_id, &masked, out).await?;
            }
            Self::UpdatePhone {
                login_id,
                phone,
                refresh_token,
                method: m,
                add_to_login_ids,
            } => {
                let refresh = RefreshToken::new(secret(
                    refresh_token.as_deref(),
                    "refresh token",
                    REFRESH_ENV,
                )?);
                let mut call = ml.update_phone(method(&m)?, &login_id, phone, &refresh);
                if add_to_login_ids {
                    call = call.add_to_login_ids(true);
                }
                let masked = waiting("sending", call).await?;
                complete(client, local.as_ref(), &login_id, &masked, out).await?;
            }
        }
        Ok(())
    }
}

/// The demo's magic-link steps: sign up or in by link, take the link from the outbox (as
/// the user would click it), verify.
pub async fn demo_steps(
    steps: &mut impl DemoSteps,
    client: &Client,
    local: &LocalEmulator,
) -> Result<(), CliError> {
    const LOGIN: &str = "linda@example.com";
    let masked = steps
        .step(&format!("Magic link sign-up-or-in ({LOGIN})"), async {
            client
                .magic_link()
                .sign_up_or_in(DeliveryMethod::Email, LOGIN, "")
                .await
                .map_err(demo_error)
        })
        .await?;
    steps.detail(&format!("link sent to {masked}"));
    let token = steps
        .step(
            "Take the link from the emulator's outbox",
            local.token(LOGIN, "magiclink"),
        )
        .await?;
    steps
        .step("Magic link verify → session", async {
            client.magic_link().verify(&token).await.map_err(demo_error)
        })
        .await?;
    Ok(())
}
