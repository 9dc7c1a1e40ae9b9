//! `descope otp ...`: one-time codes by email, SMS, voice or WhatsApp. Against a real
//! project a start command sends the code and `descope otp verify` completes; against a
//! local emulator (a loopback base URL) the start commands read the code from the
//! emulator's outbox and complete in one go.

use bytes::Bytes;
use clap::{Subcommand, ValueEnum};
use descope_flows::{AuthenticationInfo, Client, OtpSent};
use descope_transport::{ReqwestTransport, Transport};
use descope_types::{DeliveryMethod, OtpCode, RefreshToken, SignUpUser};
use serde_json::{Value, json};

use crate::commands::{Out, print_auth, waiting};
use crate::error::CliError;
use crate::input::secret;

const OTP_CODE_ENV: &str = "DESCOPE_OTP_CODE";

/// A delivery method on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Email.
    Email,
    /// SMS.
    Sms,
    /// A voice call.
    Voice,
    /// WhatsApp.
    Whatsapp,
}

impl From<Method> for DeliveryMethod {
    fn from(method: Method) -> Self {
        match method {
            Method::Email => Self::Email,
            Method::Sms => Self::Sms,
            Method::Voice => Self::Voice,
            Method::Whatsapp => Self::Whatsapp,
        }
    }
}

/// A phone delivery method (for `update-phone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhoneMethod {
    /// SMS.
    Sms,
    /// A voice call.
    Voice,
    /// WhatsApp.
    Whatsapp,
}

impl From<PhoneMethod> for DeliveryMethod {
    fn from(method: PhoneMethod) -> Self {
        match method {
            PhoneMethod::Sms => Self::Sms,
            PhoneMethod::Voice => Self::Voice,
            PhoneMethod::Whatsapp => Self::Whatsapp,
        }
    }
}

/// `descope otp ...`
#[derive(Debug, Subcommand)]
pub enum OtpCommand {
    /// Sign up a new user: sends a code (against a local emulator, also verifies it).
    Signup {
        /// The new user's login id (an email or a phone number).
        login_id: String,
        /// How to send the code.
        #[arg(long, value_enum, default_value = "email")]
        method: Method,
        /// The user's display name.
        #[arg(long)]
        name: Option<String>,
        /// The user's email, when the login id is not one.
        #[arg(long)]
        email: Option<String>,
        /// The user's phone number, when the login id is not one.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Sign in an existing user: sends a code (against a local emulator, also verifies it).
    Signin {
        /// The user's login id.
        login_id: String,
        /// How to send the code.
        #[arg(long, value_enum, default_value = "email")]
        method: Method,
    },
    /// Sign in, signing the user up first if new: sends a code (against a local emulator,
    /// also verifies it).
    SignupOrIn {
        /// The user's login id.
        login_id: String,
        /// How to send the code.
        #[arg(long, value_enum, default_value = "email")]
        method: Method,
    },
    /// Complete a sign-up, sign-in or update with the code the user received.
    Verify {
        /// The login id the code was sent for.
        login_id: String,
        /// The code, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_OTP_CODE", hide_env_values = true)]
        code: Option<String>,
        /// How the code was sent.
        #[arg(long, value_enum, default_value = "email")]
        method: Method,
    },
    /// Send a code to a new email address of a signed-in user.
    UpdateEmail {
        /// The user's login id.
        login_id: String,
        /// The new email address.
        email: String,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
        /// Also make the address a login id of the user.
        #[arg(long)]
        add_to_login_ids: bool,
        /// When the address is another user's login id, merge into that user.
        #[arg(long)]
        on_merge_use_existing: bool,
    },
    /// Send a code to a new phone number of a signed-in user.
    UpdatePhone {
        /// The user's login id.
        login_id: String,
        /// The new phone number.
        phone: String,
        /// The user's refresh token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: Option<String>,
        /// How to send the code.
        #[arg(long, value_enum, default_value = "sms")]
        method: PhoneMethod,
        /// Also make the number a login id of the user.
        #[arg(long)]
        add_to_login_ids: bool,
        /// When the number is another user's login id, merge into that user.
        #[arg(long)]
        on_merge_use_existing: bool,
    },
}

/// The emulator behind a loopback base URL, whose outbox holds the codes.
struct LocalEmulator {
    base_url: String,
    project_id: String,
}

impl LocalEmulator {
    /// `Some` when the base URL's host is loopback (`127.0.0.1`, `localhost`, `::1`).
    fn detect(global: &crate::Global) -> Option<Self> {
        let base_url = global.base_url.as_deref()?.trim().trim_end_matches('/');
        let url = url::Url::parse(base_url).ok()?;
        let loopback = match url.host()? {
            url::Host::Domain(domain) => domain.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        let project_id = global.project_id.as_deref()?.trim().to_owned();
        loopback.then(|| Self {
            base_url: base_url.to_owned(),
            project_id,
        })
    }
}

/// The newest code the emulator at `base_url` sent for `login_id` (`GET /emulator/outbox`).
pub async fn code_from_outbox(
    base_url: &str,
    project_id: &str,
    login_id: &str,
) -> Result<OtpCode, String> {
    let http = ReqwestTransport::new().map_err(|e| e.to_string())?;
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("loginId", login_id)
        .finish();
    let request = http::Request::builder()
        .method(http::Method::GET)
        .uri(format!("{base_url}/emulator/outbox?{query}"))
        .header("authorization", format!("Bearer {project_id}"))
        .body(Bytes::new())
        .map_err(|e| format!("bad request: {e}"))?;
    let response = http.send(request).await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("the outbox answered HTTP {}", response.status()));
    }
    let value: Value =
        serde_json::from_slice(response.body()).map_err(|_| "the outbox answer is not JSON")?;
    value["messages"]
        .as_array()
        .and_then(|messages| messages.last())
        .and_then(|message| message["code"].as_str())
        .map(OtpCode::new)
        .ok_or_else(|| format!("no code in the outbox for {login_id}"))
}

/// The demo's step: an email OTP sign-in against the emulator, code from its outbox.
pub async fn demo_sign_in(
    client: &Client,
    base_url: &str,
    project_id: &str,
    login_id: &str,
) -> Result<(OtpSent, AuthenticationInfo), String> {
    let flows = |e: descope_flows::Error| CliError::Flows(e).to_string();
    let otp = client.otp();
    let sent = otp
        .sign_in(DeliveryMethod::Email, login_id)
        .await
        .map_err(flows)?;
    let code = code_from_outbox(base_url, project_id, login_id).await?;
    let info = otp
        .verify(DeliveryMethod::Email, login_id, &code)
        .await
        .map_err(flows)?;
    Ok((sent, info))
}

fn refresh_token(value: Option<&str>) -> Result<RefreshToken, CliError> {
    secret(value, "refresh token", "DESCOPE_REFRESH_TOKEN").map(RefreshToken::new)
}

impl OtpCommand {
    pub async fn run(
        self,
        client: &Client,
        global: &crate::Global,
        out: &Out,
    ) -> Result<(), CliError> {
        let otp = client.otp();
        let (login_id, sent) = match self {
            Self::Signup {
                login_id,
                method,
                name,
                email,
                phone,
            } => {
                let mut sign_up = otp.sign_up(method.into(), &login_id);
                if name.is_some() || email.is_some() || phone.is_some() {
                    sign_up = sign_up.user(SignUpUser {
                        name,
                        email,
                        phone,
                        ..SignUpUser::default()
                    });
                }
                (login_id, waiting("sending a code", sign_up).await?)
            }
            Self::Signin { login_id, method } => {
                let sent = waiting("sending a code", otp.sign_in(method.into(), &login_id)).await?;
                (login_id, sent)
            }
            Self::SignupOrIn { login_id, method } => {
                let call = otp.sign_up_or_in(method.into(), &login_id);
                (login_id, waiting("sending a code", call).await?)
            }
            Self::Verify {
                login_id,
                code,
                method,
            } => {
                let code = OtpCode::new(secret(code.as_deref(), "code", OTP_CODE_ENV)?);
                let info = waiting("verifying", otp.verify(method.into(), login_id, &code)).await?;
                print_auth(&info, out);
                return Ok(());
            }
            Self::UpdateEmail {
                login_id,
                email,
                refresh_token: token,
                add_to_login_ids,
                on_merge_use_existing,
            } => {
                let refresh = refresh_token(token.as_deref())?;
                let call = otp
                    .update_email(&login_id, email, &refresh)
                    .add_to_login_ids(add_to_login_ids)
                    .on_merge_use_existing(on_merge_use_existing);
                (login_id, waiting("sending a code", call).await?)
            }
            Self::UpdatePhone {
                login_id,
                phone,
                refresh_token: token,
                method,
                add_to_login_ids,
                on_merge_use_existing,
            } => {
                let refresh = refresh_token(token.as_deref())?;
                let call = otp
                    .update_phone(method.into(), &login_id, phone, &refresh)
                    .add_to_login_ids(add_to_login_ids)
                    .on_merge_use_existing(on_merge_use_existing);
                (login_id, waiting("sending a code", call).await?)
            }
        };
        match LocalEmulator::detect(global) {
            // A local emulator: the code is in its outbox; finish the sign-in here.
            Some(local) => {
                let code = code_from_outbox(&local.base_url, &local.project_id, &login_id)
                    .await
                    .map_err(CliError::Other)?;
                if !out.json {
                    println!(
                        "{} code sent to {} (read from the emulator's outbox)",
                        out.style.green("✓"),
                        sent.masked_address
                    );
                }
                let info = waiting("verifying", otp.verify(sent.method, &login_id, &code)).await?;
                print_auth(&info, out);
            }
            None => print_sent(&login_id, &sent, out),
        }
        Ok(())
    }
}

fn print_sent(login_id: &str, sent: &OtpSent, out: &Out) {
    if out.json {
        println!(
            "{}",
            json!({
                "loginId": login_id,
                "method": sent.method.as_str(),
                "maskedAddress": sent.masked_address,
                "sent": true,
            })
        );
        return;
    }
    println!(
        "{} code sent by {} to {}",
        out.style.green("✓"),
        sent.method,
        sent.masked_address
    );
    println!(
        "  then: descope otp verify {login_id} <code> --method {}",
        sent.method
    );
}
