//! `descope`: the Descope command line.
//!
//! * `descope demo` starts the embedded emulator and walks through every flow with the real
//!   client, offline.
//! * `descope emulator` runs the emulator standalone for your own tests and front ends.
//! * `descope totp|oauth|sso|session|passkey ...` call Descope (or any base URL) for real projects.
//!
//! See docs/cli.md for every command, the token inputs and the exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use clap_complete::Shell;

mod access_keys;
mod audit;
mod commands;
mod demo;
mod enchantedlink;
mod error;
mod input;
mod magiclink;
mod mgmt;
mod otp;
mod output;
mod password;
mod roles;
mod tenants;
mod totp_code;
mod user_invite;
mod users;
mod webauthn;

use error::{CliError, EXIT_CODES_HELP};

/// The Descope command line: an offline demo of every flow, a local emulator, and the
/// TOTP, OAuth, SSO and session calls for real projects.
#[derive(Debug, Parser)]
#[command(name = "descope", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
struct Global {
    /// Descope project id.
    #[arg(long, global = true, env = "DESCOPE_PROJECT_ID", value_name = "ID")]
    project_id: Option<String>,
    /// API base URL [default: derived from the project id: api.descope.com or the region's host].
    #[arg(long, global = true, env = "DESCOPE_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// Print JSON on stdout for scripts (errors as JSON on stderr).
    #[arg(long, global = true)]
    json: bool,
    /// Also print secrets: session/refresh tokens after a sign-in, the TOTP key and
    /// provisioning URL after an enrollment. Off by default so nothing secret lands in
    /// logs or scrollback.
    #[arg(long, global = true, visible_alias = "print-tokens")]
    print_secrets: bool,
    /// Log HTTP calls on stderr (method, path, status, timing; never headers or bodies).
    /// Repeat for more detail.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the embedded emulator and walk through every flow with the real client.
    Demo,
    /// Run the Descope emulator standalone until Ctrl-C.
    Emulator(EmulatorArgs),
    /// TOTP (authenticator app): sign up, sign in, add to a signed-in user.
    #[command(subcommand)]
    Totp(commands::TotpCommand),
    /// OTP: one-time codes by email, SMS, voice or WhatsApp.
    #[command(subcommand)]
    Otp(otp::OtpCommand),
    /// OAuth: web redirect flow and native (mobile/desktop) flow.
    #[command(subcommand, name = "oauth")]
    OAuth(commands::OAuthCommand),
    /// SSO (SAML or OIDC identity providers, chosen by tenant or email domain).
    #[command(subcommand)]
    Sso(commands::SsoCommand),
    /// Sessions: validate, refresh, me, logout, tenant selection.
    #[command(subcommand)]
    Session(commands::SessionCommand),
    /// Enchanted link: sign in by clicking an emailed link; waits for the session.
    #[command(subcommand, name = "enchantedlink")]
    EnchantedLink(enchantedlink::EnchantedLinkCommand),
    /// Magic links: sign up or in by a link sent by email, SMS, voice or WhatsApp.
    #[command(subcommand, name = "magiclink")]
    MagicLink(magiclink::MagicLinkCommand),
    /// Passwords: sign up, sign in, replace, reset by link, update, policy.
    #[command(subcommand)]
    Password(password::PasswordCommand),
    /// Passkeys (WebAuthn): start and finish sign-up, sign-in, adding a passkey.
    #[command(subcommand)]
    Passkey(webauthn::PasskeyCommand),
    /// Users of a real project (management API; key in DESCOPE_MANAGEMENT_KEY).
    Users(users::UsersArgs),
    /// Tenants of a real project and their SSO settings (management API).
    Tenants(tenants::TenantsArgs),
    /// Roles of a real project (management API; key in DESCOPE_MANAGEMENT_KEY).
    Roles(roles::RolesArgs),
    /// Permissions of a real project (management API; key in DESCOPE_MANAGEMENT_KEY).
    Permissions(roles::PermissionsArgs),
    /// Access keys of a real project (management API); `create` prints the cleartext once.
    AccessKeys(access_keys::AccessKeysArgs),
    /// The audit trail of a real project (management API; key in DESCOPE_MANAGEMENT_KEY).
    Audit(audit::AuditArgs),
    /// Print a shell completion script (e.g. `descope completions bash > /etc/bash_completion.d/descope`).
    Completions {
        /// The shell.
        shell: Shell,
    },
}

/// Options of `descope emulator`.
#[derive(Debug, Args)]
struct EmulatorArgs {
    /// Port on 127.0.0.1 (0: any free port) [default: the config's `listen`, else 4010].
    #[arg(long, env = "DESCOPE_EMULATOR_PORT")]
    port: Option<u16>,
    /// Config file (TOML, or JSON when it ends in .json): users, tenants, lifetimes...
    #[arg(long, env = "DESCOPE_EMULATOR_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Show a sign-in page at the provider/IdP URL instead of redirecting at once.
    #[arg(long)]
    interactive: bool,
    /// Open the web console (outbox, users, keys, clock) in the default browser.
    #[arg(long)]
    open: bool,
}

/// The clap command, with the exit codes under every command's help.
fn command() -> clap::Command {
    fn with_exit_codes(command: clap::Command) -> clap::Command {
        command
            .after_help(EXIT_CODES_HELP)
            .mut_subcommands(with_exit_codes)
    }
    with_exit_codes(Cli::command())
}

fn main() -> ExitCode {
    let cli = match command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(error::code::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(error::code::FAILURE);
        }
    };
    let json = cli.global.json;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json {
                eprintln!("{}", error.to_json());
            } else if !matches!(error, CliError::Demo) {
                eprintln!("error: {error}");
            }
            error.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let global = cli.global;
    let out = commands::Out::new(global.json, global.print_secrets);
    match cli.command {
        Command::Demo => demo::run(out).await,
        Command::Emulator(args) => run_emulator(args, &out).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut command(), "descope", &mut std::io::stdout());
            Ok(())
        }
        Command::Totp(c) => c.run(&commands::client(&global)?, &out).await,
        Command::Otp(c) => c.run(&commands::client(&global)?, &global, &out).await,
        Command::OAuth(c) => c.run(&commands::client(&global)?, &out).await,
        Command::Sso(c) => c.run(&commands::client(&global)?, &out).await,
        Command::MagicLink(c) => c.run(&commands::client(&global)?, &global, &out).await,
        Command::Password(c) => c.run(&commands::client(&global)?, &global, &out).await,
        Command::Session(c) => c.run(&commands::client(&global)?, &out).await,
        Command::EnchantedLink(c) => c.run(&commands::client(&global)?, &out).await,
        Command::Passkey(c) => c.run(&commands::client(&global)?, &out).await,
        Command::Users(c) => c.run(&global, &out).await,
        Command::Tenants(c) => c.run(&global, &out).await,
        Command::Roles(c) => c.run(&global, &out).await,
        Command::Permissions(c) => c.run(&global, &out).await,
        Command::AccessKeys(c) => c.run(&global, &out).await,
        Command::Audit(c) => c.run(&global, &out).await,
    }
}

async fn run_emulator(args: EmulatorArgs, out: &commands::Out) -> Result<(), CliError> {
    use descope_emulator::{Emulator, EmulatorConfig};
    use std::net::{Ipv4Addr, SocketAddr};

    let mut config = match &args.config {
        Some(path) => {
            EmulatorConfig::from_file(path).map_err(|e| CliError::Config(e.to_string()))?
        }
        None => EmulatorConfig::default(),
    };
    let loopback = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    config.listen = Some(
        args.port
            .map(loopback)
            .or(config.listen)
            .unwrap_or(loopback(4010)),
    );
    config.interactive |= args.interactive;
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| CliError::Config(format!("the emulator did not start: {e}")))?;
    let console = format!("{}/emulator/", emulator.base_url());
    // Write errors are ignored: a reader may close the pipe once it has what it needs.
    let mut stdout = std::io::stdout().lock();
    if out.json {
        let _ = writeln!(
            stdout,
            "{}",
            serde_json::json!({
                "baseUrl": emulator.base_url(),
                "projectId": emulator.project_id(),
                "managementKey": emulator.management_key(),
                "consoleUrl": console,
            })
        );
    } else {
        let _ = writeln!(
            stdout,
            "Descope emulator running. Point an SDK at it with:\n  export DESCOPE_BASE_URL={}\n  export DESCOPE_PROJECT_ID={}",
            emulator.base_url(),
            emulator.project_id()
        );
        if let Some(key) = emulator.management_key() {
            let _ = writeln!(stdout, "  export DESCOPE_MANAGEMENT_KEY={key}");
        }
        let _ = writeln!(stdout, "console: {console}\nPress Ctrl-C to stop.");
    }
    let _ = stdout.flush();
    drop(stdout);
    if args.open
        && let Err(e) = open_in_browser(&console)
    {
        eprintln!("Could not open a browser ({e}); open {console} yourself.");
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Other(format!("cannot listen for Ctrl-C: {e}")))?;
    emulator.shutdown().await;
    if !out.json {
        println!("Emulator stopped.");
    }
    Ok(())
}

/// Opens `url` in the default browser with the platform's own opener (`xdg-open`, `open`,
/// `cmd /c start`), without waiting for it: no browser-launching dependency for one call.
fn open_in_browser(url: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        // `start`'s first quoted argument is a window title.
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

/// `-v`: one line per HTTP call (the transport's `descope.http` span, closed with its
/// method, path, status and timing); `-vv`: every attempt and the client's own events.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::fmt::format::FmtSpan;
    let filter = match verbose {
        0 => return,
        1 => "descope_transport=info,descope_flows=info",
        _ => "descope_transport=debug,descope_flows=debug,descope_emulator=debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(output::colour_enabled() && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
