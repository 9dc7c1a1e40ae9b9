//! `descope password ...`: passwords. Secrets come from arguments, environment variables
//! or stdin (`-`); prefer the variables: arguments show in the process list.

use clap::Subcommand;
use descope_flows::Client;
use descope_types::{Password, RefreshToken, SignUpUser};
use serde_json::json;

use crate::commands::{Out, print_auth, waiting};
use crate::error::CliError;
use crate::input::secret;
use crate::magiclink::LocalEmulator;

const PASSWORD_ENV: &str = "DESCOPE_PASSWORD";
const NEW_PASSWORD_ENV: &str = "DESCOPE_NEW_PASSWORD";
const REFRESH_ENV: &str = "DESCOPE_REFRESH_TOKEN";

fn password(value: Option<&str>, what: &str, env: &str) -> Result<Password, CliError> {
    secret(value, what, env).map(Password::new)
}

/// `descope password ...`
#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Sign up a new user with a password → session.
    Signup {
        /// The new user's login id.
        login_id: String,
        /// The password, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The user's display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Sign in with a password → session.
    Signin {
        /// The user's login id.
        login_id: String,
        /// The password, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Replace the password, proving the user with the old one → session.
    Replace {
        /// The user's login id.
        login_id: String,
        /// The current password.
        #[arg(long, env = "DESCOPE_PASSWORD", hide_env_values = true)]
        old: Option<String>,
        /// The new password.
        #[arg(long, env = "DESCOPE_NEW_PASSWORD", hide_env_values = true)]
        new: Option<String>,
    },
    /// Email a password-reset link (verify it with `descope magiclink verify`, then
    /// `descope password update` with the session it gives).
    SendReset {
        /// The user's login id.
        login_id: String,
        /// Where the link leads [default: the project's configured URL].
        #[arg(long)]
        redirect_url: Option<String>,
    },
    /// Set a new password for a signed-in user.
    Update {
        /// The user's login id.
        login_id: String,
        /// The new password.
        #[arg(long, env = "DESCOPE_NEW_PASSWORD", hide_env_values = true)]
        new: Option<String>,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
    },
    /// Show the project's password policy.
    Policy,
}

impl PasswordCommand {
    pub async fn run(
        self,
        client: &Client,
        global: &crate::Global,
        out: &Out,
    ) -> Result<(), CliError> {
        let pw = client.password();
        match self {
            Self::Signup {
                login_id,
                password: value,
                name,
            } => {
                let password = password(value.as_deref(), "password", PASSWORD_ENV)?;
                let mut call = pw.sign_up(login_id, &password);
                if name.is_some() {
                    call = call.user(SignUpUser {
                        name,
                        ..SignUpUser::default()
                    });
                }
                print_auth(&waiting("signing up", call).await?, out);
            }
            Self::Signin {
                login_id,
                password: value,
            } => {
                let password = password(value.as_deref(), "password", PASSWORD_ENV)?;
                print_auth(
                    &waiting("signing in", pw.sign_in(login_id, &password)).await?,
                    out,
                );
            }
            Self::Replace { login_id, old, new } => {
                let old = password(old.as_deref(), "current password", PASSWORD_ENV)?;
                let new = password(new.as_deref(), "new password", NEW_PASSWORD_ENV)?;
                print_auth(
                    &waiting("replacing", pw.replace(login_id, &old, &new)).await?,
                    out,
                );
            }
            Self::SendReset {
                login_id,
                redirect_url,
            } => {
                let mut call = pw.send_reset(&login_id);
                if let Some(url) = redirect_url {
                    call = call.redirect_url(url);
                }
                let masked = waiting("sending", call).await?;
                if out.json {
                    println!("{}", json!({ "sent": true, "maskedEmail": masked }));
                } else {
                    println!("{} reset link sent to {masked}", out.style.green("✓"));
                    if LocalEmulator::detect(global).is_some() {
                        println!(
                            "  the link is in the emulator's outbox: GET /emulator/outbox?loginId=..."
                        );
                    }
                }
            }
            Self::Update {
                login_id,
                new,
                refresh_token,
            } => {
                let new = password(new.as_deref(), "new password", NEW_PASSWORD_ENV)?;
                let refresh = RefreshToken::new(secret(
                    refresh_token.as_deref(),
                    "refresh token",
                    REFRESH_ENV,
                )?);
                waiting("updating", pw.update(login_id, &new, &refresh)).await?;
                if out.json {
                    println!("{}", json!({ "ok": true }));
                } else {
                    println!("{} password updated", out.style.green("✓"));
                }
            }
            Self::Policy => {
                let policy = waiting("reading", pw.policy()).await?;
                if out.json {
                    println!("{}", serde_json::to_value(&policy).unwrap_or_default());
                } else {
                    let yes = |b: bool| if b { "required" } else { "-" };
                    println!("minimum length    {}", policy.min_length);
                    println!("lower-case        {}", yes(policy.lowercase));
                    println!("upper-case        {}", yes(policy.uppercase));
                    println!("digit             {}", yes(policy.number));
                    println!("non-alphanumeric  {}", yes(policy.non_alphanumeric));
                }
            }
        }
        Ok(())
    }
}

/// The demo's password steps: sign up, sign in, a wrong password refused, reset by link.
pub async fn demo_steps(
    steps: &mut impl crate::magiclink::DemoSteps,
    client: &Client,
    local: &LocalEmulator,
) -> Result<(), CliError> {
    const LOGIN: &str = "pat@example.com";
    let pw = client.password();
    let first = Password::new("Secr3t!Pass");
    steps
        .step(&format!("Password sign-up ({LOGIN})"), async {
            pw.sign_up(LOGIN, &first)
                .await
                .map_err(crate::magiclink::demo_error)
        })
        .await?;
    steps
        .step("Password sign-in", async {
            pw.sign_in(LOGIN, &first)
                .await
                .map_err(crate::magiclink::demo_error)
        })
        .await?;
    let refused = steps
        .step("Wrong password → rejected", async {
            match pw.sign_in(LOGIN, &Password::new("Wr0ng!Pass")).await {
                Ok(_) => Err("a wrong password signed in".to_owned()),
                Err(e) if e.status() == Some(401) => Ok(crate::magiclink::demo_error(e)),
                Err(e) => Err(crate::magiclink::demo_error(e)),
            }
        })
        .await?;
    steps.detail(&refused);
    steps
        .step("Password reset link → outbox", async {
            pw.send_reset(LOGIN)
                .await
                .map_err(crate::magiclink::demo_error)
        })
        .await?;
    let token = steps
        .step(
            "Take the reset link from the outbox",
            local.token(LOGIN, "password-reset"),
        )
        .await?;
    let session = steps
        .step("Verify the reset link → session", async {
            client
                .magic_link()
                .verify(&token)
                .await
                .map_err(crate::magiclink::demo_error)
        })
        .await?;
    let second = Password::new("An0ther!Pass");
    steps
        .step("Password update with that session", async {
            pw.update(LOGIN, &second, session.refresh_token())
                .await
                .map_err(crate::magiclink::demo_error)
        })
        .await?;
    Ok(())
}
