//! `descope enchantedlink ...`: sign in by clicking an emailed link, and the demo's step.
//!
//! `signin`, `signup` and `signup-or-in` print the number of the link to click and wait for
//! the session. Against a local emulator (a loopback base URL whose `/emulator/outbox`
//! answers) the command clicks the link itself, so one command completes the flow.

use std::time::Duration;

use bytes::Bytes;
use clap::{Args, Subcommand};
use descope_flows::{Client, EnchantedLinkStart};
use descope_types::{EnchantedLinkToken, PendingRef, SignUpUser};
use serde_json::{Value, json};

use crate::commands::{Out, print_auth, waiting};
use crate::error::CliError;
use crate::input::secret;

const TOKEN_ENV: &str = "DESCOPE_LINK_TOKEN";
const PENDING_REF_ENV: &str = "DESCOPE_PENDING_REF";
const REFRESH_ENV: &str = "DESCOPE_REFRESH_TOKEN";

/// Options of the commands that send a link.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The page the link opens; it verifies the link's `t` parameter [default: the
    /// project's configured page].
    #[arg(long)]
    redirect_url: Option<String>,
    /// How long to wait for the click, in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    timeout: u64,
    /// Do not wait: print the link number (and, with --print-secrets, the pending
    /// reference for `descope enchantedlink session`).
    #[arg(long)]
    no_wait: bool,
}

/// `descope enchantedlink ...`
#[derive(Debug, Subcommand)]
pub enum EnchantedLinkCommand {
    /// Sign in: email a link to the user and wait until it is clicked.
    Signin {
        /// The user's login id (an email).
        login_id: String,
        #[command(flatten)]
        link: LinkArgs,
    },
    /// Sign up a new user: email a link and wait until it is clicked.
    Signup {
        /// The new user's login id (an email).
        login_id: String,
        /// The user's display name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        link: LinkArgs,
    },
    /// Sign in, or sign up when the login id is new.
    SignupOrIn {
        /// The user's login id (an email).
        login_id: String,
        #[command(flatten)]
        link: LinkArgs,
    },
    /// Verify a clicked link: its `t` parameter (what the link's page does).
    Verify {
        /// The link's token, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_LINK_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Wait for the session of a started sign-in (its pending reference).
    Session {
        /// The pending reference, or `-` to read it from stdin.
        #[arg(env = "DESCOPE_PENDING_REF", hide_env_values = true)]
        pending_ref: Option<String>,
        /// How long to wait, in seconds (0: ask once).
        #[arg(long, default_value_t = 600, value_name = "SECONDS")]
        timeout: u64,
    },
    /// Email a link to a new address of a signed-in user; the click sets it.
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
        /// When the address is another user's login id, merge into that user.
        #[arg(long)]
        on_merge_use_existing: bool,
        #[command(flatten)]
        link: LinkArgs,
    },
}

impl EnchantedLinkCommand {
    pub async fn run(self, client: &Client, out: &Out) -> Result<(), CliError> {
        let el = client.enchanted_link();
        match self {
            Self::Signin { login_id, link } => {
                let uri = link.redirect_url.clone().unwrap_or_default();
                let started = waiting("sending the link", el.sign_in(&login_id, uri)).await?;
                finish(client, &login_id, &started, &link, out).await
            }
            Self::Signup {
                login_id,
                name,
                link,
            } => {
                let uri = link.redirect_url.clone().unwrap_or_default();
                let mut sign_up = el.sign_up(&login_id, uri);
                if name.is_some() {
                    sign_up = sign_up.user(SignUpUser {
                        name,
                        ..SignUpUser::default()
                    });
                }
                let started = waiting("sending the link", sign_up).await?;
                finish(client, &login_id, &started, &link, out).await
            }
            Self::SignupOrIn { login_id, link } => {
                let uri = link.redirect_url.clone().unwrap_or_default();
                let started = waiting("sending the link", el.sign_up_or_in(&login_id, uri)).await?;
                finish(client, &login_id, &started, &link, out).await
            }
            Self::Verify { token } => {
                let token =
                    EnchantedLinkToken::new(secret(token.as_deref(), "link token", TOKEN_ENV)?);
                waiting("verifying", el.verify(&token)).await?;
                if out.json {
                    println!("{}", json!({ "verified": true }));
                } else {
                    println!(
                        "{} link verified: the device that asked gets the session",
                        out.style.green("✓")
                    );
                }
                Ok(())
            }
            Self::Session {
                pending_ref,
                timeout,
            } => {
                let pending = PendingRef::new(secret(
                    pending_ref.as_deref(),
                    "pending reference",
                    PENDING_REF_ENV,
                )?);
                let info = if timeout == 0 {
                    waiting("asking for the session", el.session(&pending)).await?
                } else {
                    let wait = el
                        .wait_for_session(&pending)
                        .timeout(Duration::from_secs(timeout));
                    waiting("waiting for the click", wait).await?
                };
                print_auth(&info, out);
                Ok(())
            }
            Self::UpdateEmail {
                login_id,
                email,
                refresh_token,
                add_to_login_ids,
                on_merge_use_existing,
                link,
            } => {
                let refresh = descope_types::RefreshToken::new(secret(
                    refresh_token.as_deref(),
                    "refresh token",
                    REFRESH_ENV,
                )?);
                let mut update = el.update_email(&login_id, &email, &refresh);
                if add_to_login_ids {
                    update = update.add_to_login_ids(true);
                }
                if on_merge_use_existing {
                    update = update.on_merge_use_existing(true);
                }
                if let Some(url) = &link.redirect_url {
                    update = update.redirect_url(url);
                }
                let started = waiting("sending the link", update).await?;
                finish(client, &login_id, &started, &link, out).await
            }
        }
    }
}

/// Shows the link number, clicks it when the base URL is a local emulator, and waits for
/// the session (unless `--no-wait`).
async fn finish(
    client: &Client,
    login_id: &str,
    started: &EnchantedLinkStart,
    link: &LinkArgs,
    out: &Out,
) -> Result<(), CliError> {
    let sent_to = [&started.masked_email, &started.masked_phone]
        .into_iter()
        .find(|a| !a.is_empty())
        .cloned()
        .unwrap_or_default();
    if out.json {
        let mut value = json!({ "linkId": started.link_id, "sentTo": sent_to });
        if out.print_secrets {
            value["pendingRef"] = json!(started.pending_ref.secret());
        }
        println!("{value}");
    } else {
        println!(
            "Link sent to {sent_to}: click link number {}",
            out.style.bold(&started.link_id)
        );
        if out.print_secrets {
            println!("{PENDING_REF_ENV}={}", started.pending_ref.secret());
        }
    }
    if link.no_wait {
        if !out.json && !out.print_secrets {
            println!(
                "{}",
                out.style
                    .dim("(the pending reference is not printed; add --print-secrets)")
            );
        }
        return Ok(());
    }
    if let Some(token) = emulator_link(client, login_id, &started.link_id).await {
        if !out.json {
            println!(
                "{}",
                out.style
                    .dim("(local emulator: clicking the link from its outbox)")
            );
        }
        waiting("clicking the link", client.enchanted_link().verify(&token)).await?;
    }
    let wait = client
        .enchanted_link()
        .wait_for_session(&started.pending_ref)
        .timeout(Duration::from_secs(link.timeout));
    let info = waiting("waiting for the click", wait).await?;
    print_auth(&info, out);
    Ok(())
}

/// The token of link `link_id` sent to `login_id`, when the base URL is a loopback
/// emulator with an outbox; `None` otherwise (a real Descope: the user clicks).
async fn emulator_link(
    client: &Client,
    login_id: &str,
    link_id: &str,
) -> Option<EnchantedLinkToken> {
    let base = url::Url::parse(client.base_url()).ok()?;
    let loopback = match base.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    if !loopback {
        return None;
    }
    let messages = outbox(client, login_id).await?;
    messages
        .iter()
        .rev()
        .find(|m| m["kind"] == "enchantedlink" && m["linkId"] == link_id)
        .and_then(|m| m["token"].as_str())
        .map(EnchantedLinkToken::new)
}

/// `GET /emulator/outbox?loginId=`: the messages, or `None` when it does not answer.
async fn outbox(client: &Client, login_id: &str) -> Option<Vec<Value>> {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("loginId", login_id)
        .finish();
    let url = format!(
        "{}/emulator/outbox?{query}",
        client.base_url().trim_end_matches('/')
    );
    let request = http::Request::get(url)
        .header("authorization", format!("Bearer {}", client.project_id()))
        .body(Bytes::new())
        .ok()?;
    let response = client.transport().send(request).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let value: Value = serde_json::from_slice(response.body()).ok()?;
    value["messages"].as_array().cloned()
}

/// The demo's step: sign-up-or-in, the click (from the outbox), the session. Returns a line
/// describing it.
pub async fn demo(client: &Client) -> Result<String, String> {
    const LOGIN: &str = "lin@example.com";
    let el = client.enchanted_link();
    let started = el
        .sign_up_or_in(LOGIN, "")
        .await
        .map_err(|e| e.to_string())?;
    let token = emulator_link(client, LOGIN, &started.link_id)
        .await
        .ok_or("the link is not in the emulator's outbox")?;
    let wait = el
        .wait_for_session(&started.pending_ref)
        .poll_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(10));
    let click = async {
        tokio::time::sleep(Duration::from_millis(250)).await;
        el.verify(&token).await
    };
    let (info, clicked) = tokio::join!(wait, click);
    clicked.map_err(|e| e.to_string())?;
    let info = info.map_err(|e| e.to_string())?;
    Ok(format!(
        "link {} sent to {}; signed in as user {} (amr {})",
        started.link_id,
        started.masked_email,
        info.session.user_id(),
        info.session.amr().join(",")
    ))
}
