//! `descope-emulator`: run the local Descope emulator.
//!
//! `cargo run -p descope-emulator -- --port 4010 [--config FILE] [--interactive]`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use descope_emulator::{Emulator, EmulatorConfig};

/// A local emulator of Descope's authentication API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 [default: the config file's `listen`, else 4010].
    #[arg(long, env = "DESCOPE_EMULATOR_PORT")]
    port: Option<u16>,
    /// Full listen address, e.g. 0.0.0.0:4010 (default: loopback only).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Config file (TOML, or JSON when it ends in .json).
    #[arg(long, env = "DESCOPE_EMULATOR_CONFIG")]
    config: Option<PathBuf>,
    /// Serve an HTML sign-in page at the provider/IdP URL instead of redirecting at once.
    #[arg(long)]
    interactive: bool,
    /// Default project id (overrides the config file).
    #[arg(long)]
    project_id: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut config = match &args.config {
        Some(path) => match EmulatorConfig::from_file(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        },
        None => EmulatorConfig::default(),
    };
    // --listen, then --port (loopback), then the file's `listen`, then 127.0.0.1:4010.
    let loopback = |port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    config.listen = Some(
        args.listen
            .or(args.port.map(loopback))
            .or(config.listen)
            .unwrap_or(loopback(4010)),
    );
    config.interactive |= args.interactive;
    if let Some(project_id) = args.project_id {
        config.project_id = project_id;
    }
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    banner(&emulator);
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("error: cannot listen for Ctrl-C");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

/// Prints where the emulator listens. A reader may stop reading after the lines it needs
/// (`cargo xtask compat` does), so write errors are ignored: `println!` would panic on the
/// closed pipe and take the emulator down with it.
fn banner(emulator: &Emulator) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let base = emulator.base_url();
    let _ = writeln!(out, "Descope emulator listening on {base}");
    let _ = writeln!(out, "base URL:   {base}");
    let _ = writeln!(out, "project id: {}", emulator.project_id());
    if let Some(key) = emulator.management_key() {
        let _ = writeln!(out, "management key: {key}");
    }
    let _ = writeln!(out, "console:    {base}/emulator/");
    let _ = out.flush();
}
