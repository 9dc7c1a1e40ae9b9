//! `descope passkey ...`: the WebAuthn start and finish calls for real projects, and the
//! demo's passkey steps (a software authenticator plays the browser).
//!
//! A start prints JSON: `{"transactionId", "create", "options"}`, where `options` is the
//! object to hand to `navigator.credentials.create()` (when `create`) or `.get()`, binary
//! fields base64url. A finish reads the browser's credential JSON from a file or stdin.

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;
use descope_emulator::SoftAuthenticator;
use descope_flows::{AuthenticationInfo, Client, WebAuthnStart};
use descope_types::{SignUpUser, WebAuthnTransactionId};
use serde_json::{Value, json};

use crate::commands::{Out, print_auth, waiting};
use crate::error::CliError;
use crate::input::secret;

const REFRESH_ENV: &str = "DESCOPE_REFRESH_TOKEN";

/// `descope passkey ...`
#[derive(Debug, Subcommand)]
pub enum PasskeyCommand {
    /// Start a passkey sign-up; prints the transaction id and the creation options.
    SignupStart {
        /// The new user's login id (usually an email).
        login_id: String,
        /// The origin of the page running the ceremony (e.g. https://app.example.com).
        #[arg(long)]
        origin: String,
        /// The user's display name.
        #[arg(long)]
        name: Option<String>,
        /// The user's email, when the login id is not one.
        #[arg(long)]
        email: Option<String>,
    },
    /// Finish a passkey sign-up with the browser's new credential (JSON).
    SignupFinish(Finish),
    /// Start a passkey sign-in; prints the transaction id and the request options.
    SigninStart {
        /// The user's login id.
        login_id: String,
        /// The origin of the page running the ceremony.
        #[arg(long)]
        origin: String,
    },
    /// Finish a passkey sign-in with the browser's assertion (JSON).
    SigninFinish(Finish),
    /// Start adding a passkey to a signed-in user; prints the creation options.
    UpdateStart {
        /// The user's login id.
        login_id: String,
        /// The origin of the page running the ceremony.
        #[arg(long)]
        origin: String,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
        /// Have the finish answer with a session that adds the passkey to this one's `amr`.
        #[arg(long)]
        mfa: bool,
    },
    /// Finish adding a passkey with the browser's new credential (JSON).
    UpdateFinish(Finish),
}

/// The arguments of every finish.
#[derive(Debug, clap::Args)]
pub struct Finish {
    /// The transaction id printed by the start.
    transaction_id: String,
    /// File holding the browser's credential JSON (`-` or absent: stdin).
    #[arg(long, value_name = "FILE")]
    credential: Option<PathBuf>,
}

impl Finish {
    /// The transaction id and the credential JSON (checked to be a JSON object).
    fn read(&self) -> Result<(WebAuthnTransactionId, String), CliError> {
        let tx = self.transaction_id.trim();
        if tx.is_empty() {
            return Err(CliError::Input("the transaction id is empty".to_owned()));
        }
        let text = match &self.credential {
            Some(path) if path.as_os_str() != "-" => std::fs::read_to_string(path)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?,
            _ => {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text).map_err(|_| {
                    CliError::Input("cannot read the credential from stdin".to_owned())
                })?;
                text
            }
        };
        let value: Value = serde_json::from_str(text.trim())
            .map_err(|_| CliError::Input("the credential is not JSON".to_owned()))?;
        if !value.is_object() {
            return Err(CliError::Input(
                "the credential is not a JSON object (PublicKeyCredential)".to_owned(),
            ));
        }
        Ok((WebAuthnTransactionId::new(tx), value.to_string()))
    }
}

/// The start's answer as JSON, the options parsed (always JSON: it is meant for a page).
fn print_start(start: &WebAuthnStart) -> Result<(), CliError> {
    let options: Value = serde_json::from_str(&start.options)
        .map_err(|_| CliError::Other("the options in the answer are not JSON".to_owned()))?;
    println!(
        "{}",
        json!({
            "transactionId": start.transaction_id.secret(),
            "create": start.create,
            "options": options,
        })
    );
    Ok(())
}

impl PasskeyCommand {
    pub async fn run(self, client: &Client, out: &Out) -> Result<(), CliError> {
        let webauthn = client.webauthn();
        match self {
            Self::SignupStart {
                login_id,
                origin,
                name,
                email,
            } => {
                let mut start = webauthn.sign_up_start(login_id, origin);
                if name.is_some() || email.is_some() {
                    start = start.user(SignUpUser {
                        name,
                        email,
                        ..SignUpUser::default()
                    });
                }
                print_start(&waiting("starting", start).await?)?;
            }
            Self::SigninStart { login_id, origin } => {
                print_start(&waiting("starting", webauthn.sign_in_start(login_id, origin)).await?)?;
            }
            Self::UpdateStart {
                login_id,
                origin,
                refresh_token,
                mfa,
            } => {
                let refresh = descope_types::RefreshToken::new(secret(
                    refresh_token.as_deref(),
                    "refresh token",
                    REFRESH_ENV,
                )?);
                let mut start = webauthn.update_start(login_id, origin, &refresh);
                if mfa {
                    start = start.mfa(true);
                }
                print_start(&waiting("starting", start).await?)?;
            }
            Self::SignupFinish(finish) => {
                let (tx, credential) = finish.read()?;
                let info = waiting("finishing", webauthn.sign_up_finish(&tx, credential)).await?;
                print_auth(&info, out);
            }
            Self::SigninFinish(finish) => {
                let (tx, credential) = finish.read()?;
                let info = waiting("finishing", webauthn.sign_in_finish(&tx, credential)).await?;
                print_auth(&info, out);
            }
            Self::UpdateFinish(finish) => {
                let (tx, credential) = finish.read()?;
                match waiting("finishing", webauthn.update_finish(&tx, credential)).await? {
                    Some(info) => print_auth(&info, out),
                    None if out.json => println!("{}", json!({ "added": true })),
                    None => println!("{} passkey added", out.style.green("✓")),
                }
            }
        }
        Ok(())
    }
}

/// The demo's passkey ceremonies: a software authenticator creates a passkey
/// on the emulator's default origin, then signs in with it.
pub async fn demo(
    client: &Client,
    login_id: &str,
) -> Result<(AuthenticationInfo, AuthenticationInfo), String> {
    let origin = descope_emulator::WebAuthnConfig::default().origin;
    let mut authenticator = SoftAuthenticator::new();
    let webauthn = client.webauthn();
    let flows = |e: descope_flows::Error| CliError::Flows(e).to_string();
    let start = webauthn
        .sign_up_start(login_id, origin.as_str())
        .await
        .map_err(flows)?;
    let credential = authenticator
        .create(&start.options, &origin)
        .await
        .map_err(|e| e.to_string())?;
    let signed_up = webauthn
        .sign_up_finish(&start.transaction_id, credential)
        .await
        .map_err(flows)?;
    let start = webauthn
        .sign_in_start(login_id, origin.as_str())
        .await
        .map_err(flows)?;
    let assertion = authenticator
        .get(&start.options, &origin)
        .await
        .map_err(|e| e.to_string())?;
    let signed_in = webauthn
        .sign_in_finish(&start.transaction_id, assertion)
        .await
        .map_err(flows)?;
    Ok((signed_up, signed_in))
}
