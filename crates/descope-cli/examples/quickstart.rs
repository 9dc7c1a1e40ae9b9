//! Sign in with a TOTP code, then validate the session locally, on the hyper backend.
use descope::ClientBuilder;
use descope::transport::HyperTransport;
use descope::types::TotpCode;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // DESCOPE_PROJECT_ID (and DESCOPE_BASE_URL, e.g. a local `descope emulator`) from the
    // environment. The default HTTP backend is reqwest; this swaps in hyper.
    let client = ClientBuilder::from_env()
        .transport(HyperTransport::new()?)
        .build()?;

    // The login id and the 6-digit code from the user's authenticator app.
    let mut args = std::env::args().skip(1);
    let (Some(login_id), Some(code)) = (args.next(), args.next()) else {
        return Err("usage: quickstart <login-id> <totp-code>".into());
    };
    let info = client
        .totp()
        .verify(&login_id, &TotpCode::new(code))
        .await?;
    println!("signed in as {}", info.session.user_id());

    // On each request: validate the session token locally (the project's keys are fetched
    // once and cached), then authorize with its claims.
    let session = client.validate_session(info.session_token()).await?;
    println!(
        "roles {:?}, expires at {}",
        session.roles(),
        session.expires_at()
    );
    Ok(())
}
