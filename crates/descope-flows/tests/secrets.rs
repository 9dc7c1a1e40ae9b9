//! No secret reaches `Debug`, `Display` or the logs: a whole TOTP sign-up, sign-in, refresh
//! and logout against the emulator, with every log event recorded at TRACE, and every value
//! the client hands out (and the wire types behind them) formatted both ways.

use std::io::Write;
use std::sync::{Arc, Mutex};

use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::Client;
use descope_types::{ExternalToken, JwtResponse, RefreshRequest, TotpCode, TotpKey, TotpResponse};

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn totp_now(key: &TotpKey) -> TotpCode {
    let secret = totp_rs::Secret::Encoded(key.secret().to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret);
    TotpCode::new(totp.generate_current().unwrap())
}

#[test]
fn no_secret_in_debug_display_or_logs() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut shown = Vec::<String>::new();
    let mut secrets = Vec::<String>::new();
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let builder = Client::builder(emulator.project_id())
            .base_url(emulator.base_url())
            .header("x-gateway-key", "gateway-key-value-1234");
        secrets.push("gateway-key-value-1234".into());
        shown.push(format!("{builder:?}"));
        let client = builder.build().unwrap();
        shown.push(format!("{client:?}"));

        let login = "secrets@example.com";
        let enrollment = client.totp().sign_up(login).await.unwrap();
        secrets.push(enrollment.key.secret().to_owned());
        secrets.push(enrollment.provisioning_url.clone());
        shown.push(format!("{enrollment:?}"));

        let code = totp_now(&enrollment.key);
        let verify = client.totp().verify(login, &code);
        shown.push(format!("{verify:?}"));
        secrets.push(code.secret().to_owned());
        let info = verify.await.unwrap();
        secrets.push(info.session_token().secret().to_owned());
        secrets.push(info.refresh_token().secret().to_owned());
        shown.push(format!("{info:?}"));

        let refreshed = client.refresh(info.refresh_token()).await.unwrap();
        shown.push(format!("{refreshed:?}"));
        let wrong = client
            .totp()
            .verify(login, &TotpCode::new("000000"))
            .await
            .unwrap_err();
        shown.push(format!("{wrong:?} {wrong}"));
        let cookies = client.logout(info.refresh_token()).await.unwrap();
        shown.push(format!("{cookies:?}"));
        let gone = client.refresh(info.refresh_token()).await.unwrap_err();
        shown.push(format!("{gone:?} {gone}"));

        // The management key: in the builder, the client, a call, a refused call.
        #[cfg(feature = "management")]
        {
            let key = emulator.management_key().unwrap().to_owned();
            secrets.push(key.clone());
            let builder = Client::builder(emulator.project_id())
                .base_url(emulator.base_url())
                .management_key(descope_types::ManagementKey::new(key));
            shown.push(format!("{builder:?}"));
            let admin = builder.build().unwrap();
            shown.push(format!("{admin:?}"));
            let load = admin.management().users().load(login);
            shown.push(format!("{load:?}"));
            let user = load.await.unwrap();
            shown.push(format!("{user:?}"));
            let wrong_key = "wrong-management-key-5678";
            secrets.push(wrong_key.into());
            let wrong = Client::builder(emulator.project_id())
                .base_url(emulator.base_url())
                .management_key(descope_types::ManagementKey::new(wrong_key))
                .build()
                .unwrap();
            let refused = wrong.management().users().load(login).await.unwrap_err();
            assert!(refused.is_management_key_rejected());
            shown.push(format!("{refused:?} {refused}"));
        }
    });

    // The wire types behind those values.
    let response = TotpResponse {
        provisioning_url: "otpauth://totp/x?secret=WIRESECRETAAAA".into(),
        image: "iVBORw0KGgoWIREIMAGE".into(),
        key: TotpKey::new("WIRESECRETAAAA"),
    };
    shown.push(format!("{response:?}"));
    let jwt = JwtResponse {
        external_token: Some(ExternalToken::new("external-token-value")),
        ..JwtResponse::default()
    };
    shown.push(format!("{jwt:?}"));
    let refresh = RefreshRequest {
        external_token: Some(ExternalToken::new("external-token-value")),
    };
    shown.push(format!("{refresh:?}"));
    secrets.extend(
        [
            "WIRESECRETAAAA",
            "iVBORw0KGgoWIREIMAGE",
            "external-token-value",
        ]
        .map(String::from),
    );

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("descope.http"),
        "requests were logged: {logs}"
    );
    for secret in &secrets {
        assert!(secret.len() >= 6, "a real secret: {secret}");
        assert!(!logs.contains(secret.as_str()), "a secret in the logs");
        for text in &shown {
            assert!(!text.contains(secret.as_str()), "a secret in {text}");
        }
    }
}
