//! The `descope` binary run as a subprocess against an emulator started in the test.

use std::process::Stdio;

use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorConfig, SeedUser, SeedUserTenant};
use descope_transport::{ReqwestTransport, Transport};
use descope_types::TotpKey;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_descope");
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const TENANT: &str = "T2EmulatorTenantAcme";
/// Variables the binary reads; cleared so the developer's environment cannot leak in.
const ENV: &[&str] = &[
    "DESCOPE_PASSWORD",
    "DESCOPE_NEW_PASSWORD",
    "DESCOPE_MAGIC_LINK_TOKEN",
    "DESCOPE_PROJECT_ID",
    "DESCOPE_BASE_URL",
    "DESCOPE_SESSION_TOKEN",
    "DESCOPE_REFRESH_TOKEN",
    "DESCOPE_CODE",
    "DESCOPE_TOTP_CODE",
    "DESCOPE_OTP_CODE",
    "DESCOPE_ID_TOKEN",
    "DESCOPE_EMULATOR_PORT",
    "DESCOPE_EMULATOR_CONFIG",
    "DESCOPE_MANAGEMENT_KEY",
];

/// An emulator with users `user0..user5@example.com` sharing a known TOTP secret (each can
/// sign in once per 30 s step: the emulator refuses a replayed code).
async fn emulator() -> Emulator {
    let mut config = EmulatorConfig::default();
    for i in 0..6 {
        config.seed.users.push(SeedUser {
            login_id: format!("user{i}@example.com"),
            totp_secret: Some(TotpKey::new(TOTP_SECRET)),
            tenants: vec![SeedUserTenant {
                tenant_id: TENANT.to_owned(),
                roles: vec!["tenant-member".to_owned()],
            }],
            ..SeedUser::default()
        });
    }
    Emulator::start(config).await.unwrap()
}

fn totp_now(secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes)
        .generate_current()
        .unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|_| panic!("not JSON: {}", self.stdout))
    }

    fn assert_fails(&self, code: i32, message: &str) {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(message),
            "expected {message:?} in stderr: {}",
            self.stderr
        );
    }

    fn assert_ok(&self) {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
    }

    /// None of `secrets` appears in the output.
    fn assert_hides(&self, secrets: &[&str]) {
        for secret in secrets {
            assert!(
                !self.stdout.contains(secret),
                "secret in stdout: {}",
                self.stdout
            );
            assert!(
                !self.stderr.contains(secret),
                "secret in stderr: {}",
                self.stderr
            );
        }
    }
}

/// Runs the binary with the emulator's project and base URL (when given), `env` and
/// `stdin`.
async fn descope(
    emulator: Option<&Emulator>,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    let mut command = tokio::process::Command::new(BIN);
    command.args(args).env("NO_COLOR", "1");
    for name in ENV {
        command.env_remove(name);
    }
    if let Some(emulator) = emulator {
        command
            .env("DESCOPE_PROJECT_ID", emulator.project_id())
            .env("DESCOPE_BASE_URL", emulator.base_url());
    }
    command.envs(env.iter().copied());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    let output = child.wait_with_output().await.unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    run
}

/// Signs `user` in with `totp verify --json --print-secrets`: (session, refresh).
async fn sign_in(emulator: &Emulator, user: &str) -> (String, String) {
    let code = totp_now(TOTP_SECRET);
    let run = descope(
        Some(emulator),
        &["totp", "verify", user, &code, "--json", "--print-secrets"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let value = run.json();
    (
        value["sessionJwt"].as_str().unwrap().to_owned(),
        value["refreshJwt"].as_str().unwrap().to_owned(),
    )
}

/// A plain HTTP call to the emulator (redirects not followed).
async fn http(method: &str, url: &str, body: Option<Value>) -> http::Response<Bytes> {
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .header(
            "authorization",
            format!("Bearer {}", descope_emulator::DEFAULT_PROJECT_ID),
        )
        .body(body.map(|b| Bytes::from(b.to_string())).unwrap_or_default())
        .unwrap();
    ReqwestTransport::new()
        .unwrap()
        .send(request)
        .await
        .unwrap()
}

/// GETs a provider/IdP URL and returns the `code` of its redirect.
async fn follow(url: &str) -> String {
    let response = http("GET", url, None).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap();
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_end_to_end() {
    let run = descope(None, &["demo"], &[], None).await;
    run.assert_ok();
    for step in [
        "TOTP sign-up",
        "Compute the code from the key",
        "TOTP verify",
        "Validate the session token locally",
        "OTP sign-in by email",
        "OAuth start",
        "OAuth exchange",
        "Native OAuth start",
        "Native OAuth finish",
        "SSO start by email domain",
        "SSO exchange",
        "Refresh",
        "Me",
        "Select tenant",
        "Logout",
        "Refresh with the revoked token → rejected",
        "Enchanted link: sign-up-or-in → click → session",
        "Magic link sign-up-or-in",
        "Take the link from the emulator's outbox",
        "Magic link verify → session",
        "Password sign-up",
        "Wrong password → rejected",
        "Verify the reset link → session",
        "Password update with that session",
        "Passkey sign-up → sign-in (software authenticator)",
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with('✓') && l.contains(step) && l.ends_with(" ms")),
            "no ✓ line for {step}: {}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains('✗'), "{}", run.stdout);
    assert!(
        run.stdout.contains("otpauth://totp/"),
        "provisioning URL shown"
    );
    assert!(
        run.stdout.contains('▄') || run.stdout.contains('▀'),
        "QR code drawn"
    );
    assert!(
        run.stdout
            .contains("current tenant (dct): T2EmulatorTenantAcme")
    );
    assert!(run.stdout.contains("E064001") || run.stdout.contains("refused"));
    assert!(!run.stdout.contains("\x1b["), "no colour with NO_COLOR");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_signup_verify_update() {
    let emulator = emulator().await;
    let e = Some(&emulator);

    // Sign-up: the key is printed only when asked for.
    let hidden = descope(
        e,
        &["totp", "signup", "new@example.com", "--name", "New"],
        &[],
        None,
    )
    .await;
    hidden.assert_ok();
    assert!(hidden.stdout.contains("TOTP enrolled for new@example.com"));
    assert!(!hidden.stdout.contains("otpauth://"));
    let run = descope(
        e,
        &[
            "totp",
            "signup",
            "new2@example.com",
            "--json",
            "--print-secrets",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let key = run.json()["key"].as_str().unwrap().to_owned();
    let json_hidden = descope(
        e,
        &["totp", "signup", "new3@example.com", "--json"],
        &[],
        None,
    )
    .await;
    json_hidden.assert_ok();
    assert_eq!(json_hidden.json()["enrolled"], true);
    assert!(json_hidden.json().get("key").is_none());

    // Wrong code: Descope's error, exit 6, the code not echoed.
    let wrong = descope(
        e,
        &["totp", "verify", "new2@example.com", "000001"],
        &[],
        None,
    )
    .await;
    wrong.assert_fails(6, "E061102");
    wrong.assert_hides(&["000001"]);
    let wrong_json = descope(
        e,
        &["totp", "verify", "new2@example.com", "000001", "--json"],
        &[],
        None,
    )
    .await;
    assert_eq!(wrong_json.code, 6);
    let error: Value = serde_json::from_str(wrong_json.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "api");
    assert_eq!(error["error"]["code"], "E061102");

    // The right code, from stdin: signed in, tokens not printed.
    let code = totp_now(&key);
    let run = descope(
        e,
        &["totp", "verify", "new2@example.com", "-"],
        &[],
        Some(&format!("{code}\n")),
    )
    .await;
    run.assert_ok();
    assert!(
        run.stdout.contains("signed in as new2@example.com"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("auth methods  totp"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("eyJ"),
        "no JWT printed: {}",
        run.stdout
    );
    run.assert_hides(&[&code, &key]);

    // Missing code.
    descope(e, &["totp", "verify", "new2@example.com"], &[], None)
        .await
        .assert_fails(4, "no TOTP code");

    // Update, with the refresh token from the environment.
    let (_, refresh) = sign_in(&emulator, "user0@example.com").await;
    let run = descope(
        e,
        &["totp", "update", "user0@example.com", "--json"],
        &[("DESCOPE_REFRESH_TOKEN", &refresh)],
        None,
    )
    .await;
    run.assert_ok();
    run.assert_hides(&[&refresh]);
    assert_eq!(run.json()["loginId"], "user0@example.com");
    descope(
        e,
        &["totp", "update", "user0@example.com", "not.a.jwt"],
        &[],
        None,
    )
    .await
    .assert_fails(6, "Descope refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_commands() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let (session, refresh) = sign_in(&emulator, "user1@example.com").await;
    let secrets = [session.as_str(), refresh.as_str()];

    let run = descope(e, &["session", "validate", &session], &[], None).await;
    run.assert_ok();
    assert!(run.stdout.contains("valid session"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("tenant {TENANT}")),
        "{}",
        run.stdout
    );
    run.assert_hides(&secrets);
    let run = descope(
        e,
        &["session", "validate", "--json"],
        &[("DESCOPE_SESSION_TOKEN", &session)],
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["claims"]["drn"], "DS");
    run.assert_hides(&secrets);

    // Malformed and wrong-type tokens fail local validation (exit 7).
    let run = descope(
        e,
        &["session", "validate", "eyJhbGciOi.not-a.jwt"],
        &[],
        None,
    )
    .await;
    run.assert_fails(7, "invalid token");
    descope(e, &["session", "validate", "-"], &[], Some(&refresh))
        .await
        .assert_fails(7, "wrong token type");

    let run = descope(
        e,
        &["session", "refresh", "-", "--json"],
        &[],
        Some(&refresh),
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["userId"], run.json()["session"]["userId"]);
    run.assert_hides(&secrets);
    assert!(run.json().get("sessionJwt").is_none());

    let run = descope(e, &["session", "me", &refresh], &[], None).await;
    run.assert_ok();
    assert!(run.stdout.contains("user1@example.com"), "{}", run.stdout);
    let run = descope(e, &["session", "me", "--json", &refresh], &[], None).await;
    assert_eq!(run.json()["user"]["loginIds"][0], "user1@example.com");

    let run = descope(
        e,
        &["session", "select-tenant", TENANT, &refresh, "--json"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["session"]["claims"]["dct"], TENANT);
    descope(
        e,
        &["session", "select-tenant", "T2NoSuchTenant", &refresh],
        &[],
        None,
    )
    .await
    .assert_fails(6, "Descope refused");

    let run = descope(
        e,
        &["session", "logout"],
        &[("DESCOPE_REFRESH_TOKEN", &refresh)],
        None,
    )
    .await;
    run.assert_ok();
    assert!(run.stdout.contains("signed out"));
    let run = descope(e, &["session", "refresh", &refresh], &[], None).await;
    run.assert_fails(6, "E064001");
    run.assert_hides(&secrets);

    let (_, other) = sign_in(&emulator, "user2@example.com").await;
    descope(e, &["session", "logout-all", &other, "--json"], &[], None)
        .await
        .assert_ok();
    descope(e, &["session", "me", &other], &[], None)
        .await
        .assert_fails(6, "Descope refused");

    // Empty stdin, and no token at all.
    descope(e, &["session", "refresh", "-"], &[], Some("\n"))
        .await
        .assert_fails(4, "refresh token is empty");
    descope(e, &["session", "me"], &[], None)
        .await
        .assert_fails(4, "DESCOPE_REFRESH_TOKEN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let clock = format!("{}/emulator/clock", emulator.base_url());

    // A refresh token past its lifetime on the emulator's clock: Descope refuses it.
    let (_, refresh) = sign_in(&emulator, "user3@example.com").await;
    http(
        "POST",
        &clock,
        Some(serde_json::json!({ "offsetSeconds": 60 * 24 * 3600 })),
    )
    .await;
    let run = descope(e, &["session", "refresh", &refresh], &[], None).await;
    run.assert_fails(6, "Descope refused");
    run.assert_hides(&[&refresh]);

    // A session token issued an hour ago has expired: local validation says so.
    http(
        "POST",
        &clock,
        Some(serde_json::json!({ "offsetSeconds": -3600 })),
    )
    .await;
    // Its TOTP codes follow its clock too.
    let bytes = totp_rs::Secret::Encoded(TOTP_SECRET.to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes);
    let then = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600;
    let verify = http(
        "POST",
        &format!("{}/v1/auth/totp/verify", emulator.base_url()),
        Some(serde_json::json!({ "loginId": "user4@example.com", "code": totp.generate(then) })),
    )
    .await;
    assert!(
        verify.status().is_success(),
        "{} {}",
        verify.status(),
        String::from_utf8_lossy(verify.body())
    );
    let body: Value = serde_json::from_slice(verify.body()).unwrap();
    let expired = body["sessionJwt"].as_str().unwrap();
    let run = descope(e, &["session", "validate", expired], &[], None).await;
    run.assert_fails(7, "token expired");
    run.assert_hides(&[expired]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_web_and_native() {
    let emulator = emulator().await;
    let e = Some(&emulator);

    let run = descope(
        e,
        &[
            "oauth",
            "start",
            "github",
            "--redirect-url",
            "http://localhost:9/cb",
            "--login-hint",
            "octo@example.com",
            "--json",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let url = run.json()["url"].as_str().unwrap().to_owned();
    let code = follow(&url).await;
    let run = descope(
        e,
        &["oauth", "exchange", "--json", "--print-secrets"],
        &[("DESCOPE_CODE", &code)],
        None,
    )
    .await;
    run.assert_ok();
    let value = run.json();
    assert_eq!(value["user"]["loginIds"][0], "octo@example.com");
    assert!(value["sessionJwt"].as_str().unwrap().starts_with("eyJ"));
    assert!(value["refreshJwt"].as_str().unwrap().starts_with("eyJ"));
    // A used code is refused, and not echoed.
    let run = descope(e, &["oauth", "exchange", &code], &[], None).await;
    run.assert_fails(6, "Descope refused");
    run.assert_hides(&[&code]);
    descope(e, &["oauth", "exchange", ""], &[], None)
        .await
        .assert_fails(4, "code is empty");
    descope(e, &["oauth", "start", "google"], &[], None)
        .await
        .assert_ok();

    // Native, implicit: finish with the emulated provider's ID token from stdin.
    let run = descope(
        e,
        &["oauth", "native-start", "apple", "--implicit", "--json"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let started = run.json();
    assert_eq!(started["implicit"], true);
    let state_id = started["stateId"].as_str().unwrap();
    let authorize = http(
        "POST",
        &format!("{}/emulator/native/authorize", emulator.base_url()),
        Some(serde_json::json!({ "provider": "apple", "nonce": started["nonce"], "loginId": "tim@example.com" })),
    )
    .await;
    let grant: Value = serde_json::from_slice(authorize.body()).unwrap();
    let id_token = grant["idToken"].as_str().unwrap();
    let run = descope(
        e,
        &[
            "oauth",
            "native-finish",
            "apple",
            "--state-id",
            state_id,
            "--id-token",
            "-",
        ],
        &[],
        Some(id_token),
    )
    .await;
    run.assert_ok();
    assert!(
        run.stdout.contains("signed in as tim@example.com"),
        "{}",
        run.stdout
    );
    run.assert_hides(&[id_token]);

    // Native with a code; a state id that was already used is refused.
    let run = descope(e, &["oauth", "native-start", "google", "--json"], &[], None).await;
    let started = run.json();
    let authorize = http(
        "POST",
        &format!("{}/emulator/native/authorize", emulator.base_url()),
        Some(serde_json::json!({ "provider": "google", "nonce": started["nonce"] })),
    )
    .await;
    let grant: Value = serde_json::from_slice(authorize.body()).unwrap();
    let code = grant["code"].as_str().unwrap();
    let state_id = started["stateId"].as_str().unwrap();
    let args = [
        "oauth",
        "native-finish",
        "google",
        "--state-id",
        state_id,
        "--json",
    ];
    let run = descope(e, &args, &[("DESCOPE_CODE", code)], None).await;
    run.assert_ok();
    assert_eq!(run.json()["user"]["loginIds"][0], "google-user@example.com");
    descope(e, &args, &[("DESCOPE_CODE", code)], None)
        .await
        .assert_fails(6, "E011004");
    descope(
        e,
        &["oauth", "native-finish", "google", "--state-id", state_id],
        &[],
        None,
    )
    .await
    .assert_fails(4, "--code or --id-token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_by_domain_and_saml() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    for saml in [false, true] {
        let mut args = vec!["sso", "start", "grace@acme.example", "--json"];
        if saml {
            args.push("--saml");
        }
        let run = descope(e, &args, &[], None).await;
        run.assert_ok();
        let code = follow(run.json()["url"].as_str().unwrap()).await;
        let mut args = vec!["sso", "exchange", "-", "--json"];
        if saml {
            args.push("--saml");
        }
        let run = descope(e, &args, &[], Some(&code)).await;
        run.assert_ok();
        let value = run.json();
        assert_eq!(value["user"]["loginIds"][0], "grace@acme.example");
        assert_eq!(value["tenantSsoId"], "T2EmulatorTenantAcme-sso");
        assert!(value.get("refreshJwt").is_none());
    }
    let run = descope(e, &["sso", "start", "nobody@unknown.example"], &[], None).await;
    run.assert_fails(6, "No tenant matches");
    let run = descope(e, &["sso", "start", "acme.example"], &[], None).await;
    assert!(run.code == 0 || run.code == 6, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_and_network_errors() {
    // No project id.
    descope(None, &["oauth", "start", "google"], &[], None)
        .await
        .assert_fails(3, "no project id");
    // A bad base URL.
    descope(
        None,
        &[
            "--project-id",
            "P2x",
            "--base-url",
            "not a url",
            "oauth",
            "start",
            "google",
        ],
        &[],
        None,
    )
    .await
    .assert_fails(3, "base URL");
    // Nothing listens on the port: a closed port on loopback.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base_url = format!("http://127.0.0.1:{port}");
    let run = descope(
        None,
        &[
            "session",
            "me",
            "--project-id",
            "P2x",
            "--base-url",
            &base_url,
            "eyJsecret.refresh.token",
        ],
        &[],
        None,
    )
    .await;
    run.assert_fails(5, "cannot reach Descope");
    run.assert_hides(&["eyJsecret.refresh.token"]);
    let run = descope(
        None,
        &["oauth", "start", "google", "--json"],
        &[
            ("DESCOPE_PROJECT_ID", "P2x"),
            ("DESCOPE_BASE_URL", &base_url),
        ],
        None,
    )
    .await;
    assert_eq!(run.code, 5);
    let error: Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "unreachable");
    // Usage errors are clap's: exit 2.
    descope(None, &["session", "frobnicate"], &[], None)
        .await
        .assert_fails(2, "frobnicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_http_calls_without_secrets() {
    let emulator = emulator().await;
    let (_, refresh) = sign_in(&emulator, "user5@example.com").await;
    let run = descope(
        Some(&emulator),
        &["-v", "session", "me", &refresh],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    assert!(run.stderr.contains("/v1/auth/me"), "{}", run.stderr);
    assert!(run.stderr.contains("status=200"), "{}", run.stderr);
    run.assert_hides(&[&refresh]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_command_stops_on_ctrl_c() {
    let mut child = tokio::process::Command::new(BIN)
        .args(["emulator", "--port", "0", "--json"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let started: Value = serde_json::from_str(&first).unwrap();
    let base_url = started["baseUrl"].as_str().unwrap();
    let project_id = started["projectId"].as_str().unwrap();
    let keys = http("GET", &format!("{base_url}/v2/keys/{project_id}"), None).await;
    assert!(keys.status().is_success());
    assert_eq!(started["consoleUrl"], format!("{base_url}/emulator/"));
    let console = http("GET", &format!("{base_url}/emulator/"), None).await;
    assert!(console.status().is_success());
    assert!(String::from_utf8_lossy(console.body()).contains("<h1>Outbox</h1>"));

    // SIGINT, as Ctrl-C sends.
    let pid = child.id().unwrap().to_string();
    let status = tokio::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(0));

    let run = descope(
        None,
        &["emulator", "--config", "/nonexistent/emulator.toml"],
        &[],
        None,
    )
    .await;
    run.assert_fails(3, "cannot read config file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_completions() {
    for args in [
        &["--help"][..],
        &["demo", "--help"],
        &["emulator", "--help"],
        &["totp", "--help"],
        &["totp", "signup", "--help"],
        &["totp", "verify", "--help"],
        &["totp", "update", "--help"],
        &["oauth", "start", "--help"],
        &["oauth", "exchange", "--help"],
        &["oauth", "native-start", "--help"],
        &["oauth", "native-finish", "--help"],
        &["sso", "start", "--help"],
        &["sso", "exchange", "--help"],
        &["session", "validate", "--help"],
        &["session", "refresh", "--help"],
        &["session", "me", "--help"],
        &["session", "logout", "--help"],
        &["session", "logout-all", "--help"],
        &["session", "select-tenant", "--help"],
        &["completions", "--help"],
    ] {
        let run = descope(
            None,
            args,
            &[("DESCOPE_REFRESH_TOKEN", "eyJsecret.env.value")],
            None,
        )
        .await;
        run.assert_ok();
        assert!(
            run.stdout.contains("Usage: descope"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("Exit codes:"),
            "{args:?}: {}",
            run.stdout
        );
        run.assert_hides(&["eyJsecret.env.value"]);
    }
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef descope"),
        ("fish", "complete -c descope"),
    ] {
        let run = descope(None, &["completions", shell], &[], None).await;
        run.assert_ok();
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        assert!(run.stdout.contains("select-tenant"), "{shell}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enchantedlink_against_the_emulator() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let login = "el@example.com";

    // One command: the CLI clicks the link from the local emulator's outbox.
    let run = descope(e, &["enchantedlink", "signup-or-in", login], &[], None).await;
    run.assert_ok();
    assert!(run.stdout.contains("click link number"), "{}", run.stdout);
    assert!(run.stdout.contains("signed in as"), "{}", run.stdout);
    assert!(run.stdout.contains("(first sign-in)"), "{}", run.stdout);

    // JSON: the link line, then the session.
    let run = descope(
        e,
        &[
            "enchantedlink",
            "signin",
            login,
            "--json",
            "--print-secrets",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert_eq!(lines[0]["linkId"].as_str().unwrap().len(), 2);
    assert_eq!(lines[0]["sentTo"], "e***@example.com");
    let refresh = lines[1]["refreshJwt"].as_str().unwrap().to_owned();
    assert_eq!(
        lines[1]["session"]["claims"]["amr"],
        serde_json::json!(["enchantedlink"])
    );

    // --no-wait, then the pieces by hand: pending, verify, session.
    let run = descope(
        e,
        &[
            "enchantedlink",
            "signin",
            login,
            "--no-wait",
            "--json",
            "--print-secrets",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let pending = run.json()["pendingRef"].as_str().unwrap().to_owned();
    let early = descope(
        e,
        &["enchantedlink", "session", "--timeout", "0"],
        &[("DESCOPE_PENDING_REF", &pending)],
        None,
    )
    .await;
    early.assert_fails(6, "E062503");
    let outbox = http(
        "GET",
        &format!("{}/emulator/outbox?loginId={login}", emulator.base_url()),
        None,
    )
    .await;
    let messages: Value = serde_json::from_slice(outbox.body()).unwrap();
    let token = messages["messages"].as_array().unwrap().last().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let verified = descope(e, &["enchantedlink", "verify", "-"], &[], Some(&token)).await;
    verified.assert_ok();
    verified.assert_hides(&[&token]);
    let session = descope(
        e,
        &["enchantedlink", "session", "-", "--json"],
        &[],
        Some(&pending),
    )
    .await;
    session.assert_ok();
    session.assert_hides(&[&pending]);
    assert_eq!(session.json()["user"]["loginIds"][0], login);

    // Without --print-secrets nothing secret is printed.
    let hidden = descope(
        e,
        &["enchantedlink", "signin", login, "--no-wait"],
        &[],
        None,
    )
    .await;
    hidden.assert_ok();
    assert!(
        hidden.stdout.contains("add --print-secrets"),
        "{}",
        hidden.stdout
    );

    // Update email with the refresh token from stdin; the CLI clicks and waits.
    let update = descope(
        e,
        &[
            "enchantedlink",
            "update-email",
            login,
            "moved@example.com",
            "-",
            "--add-to-login-ids",
            "--json",
        ],
        &[],
        Some(&refresh),
    )
    .await;
    update.assert_ok();
    let last: Value = serde_json::from_str(update.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["user"]["email"], "moved@example.com");
    update.assert_hides(&[&refresh]);

    // A real error is reported, not waited out.
    let unknown = descope(
        e,
        &["enchantedlink", "signin", "nobody@example.com"],
        &[],
        None,
    )
    .await;
    unknown.assert_fails(6, "E062108");
}

/// `descope otp ...` against the emulator: the start commands read the code from its outbox
/// and complete in one command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otp_commands_complete_against_the_emulator() {
    let emulator = emulator().await;
    let run = descope(
        Some(&emulator),
        &[
            "otp",
            "signin",
            "user3@example.com",
            "--json",
            "--print-secrets",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let value = run.json();
    assert_eq!(value["user"]["loginIds"][0], "user3@example.com");
    assert_eq!(
        value["session"]["claims"]["amr"],
        serde_json::json!(["otp"])
    );
    let refresh = value["refreshJwt"].as_str().unwrap().to_owned();

    let run = descope(
        Some(&emulator),
        &[
            "otp",
            "signup",
            "+15555550142",
            "--method",
            "sms",
            "--name",
            "Cli Otp",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    assert!(run.stdout.contains("+*******0142"), "{}", run.stdout);
    assert!(
        run.stdout.contains("signed in as Cli Otp"),
        "{}",
        run.stdout
    );

    // The refresh token from stdin, the code from the outbox, the new login id usable.
    let run = descope(
        Some(&emulator),
        &[
            "otp",
            "update-email",
            "user3@example.com",
            "third@example.com",
            "-",
            "--add-to-login-ids",
        ],
        &[],
        Some(&refresh),
    )
    .await;
    run.assert_ok();
    run.assert_hides(&[&refresh]);
    let run = descope(
        Some(&emulator),
        &["otp", "signup-or-in", "third@example.com", "--json"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["firstSeen"], false);

    let run = descope(
        Some(&emulator),
        &["otp", "signin", "nobody@example.com"],
        &[],
        None,
    )
    .await;
    run.assert_fails(6, "E062108");
    let run = descope(
        Some(&emulator),
        &["otp", "verify", "user4@example.com", "000000"],
        &[],
        None,
    )
    .await;
    run.assert_fails(6, "E061102");
    let run = descope(
        Some(&emulator),
        &["otp", "verify", "user4@example.com"],
        &[],
        None,
    )
    .await;
    run.assert_fails(4, "DESCOPE_OTP_CODE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magiclink_commands_complete_from_the_outbox() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    // Human output: the masked address, then the sign-in.
    let run = descope(
        e,
        &["magiclink", "signup-or-in", "linked@example.com"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    assert!(run.stdout.contains("l***@example.com"), "{}", run.stdout);
    assert!(run.stdout.contains("signed in as"), "{}", run.stdout);

    let run = descope(
        e,
        &[
            "magiclink",
            "signin",
            "linked@example.com",
            "--json",
            "--print-secrets",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let value = run.json();
    assert_eq!(
        value["session"]["claims"]["amr"],
        serde_json::json!(["magiclink"])
    );
    let refresh = value["refreshJwt"].as_str().unwrap().to_owned();

    let run = descope(
        e,
        &[
            "magiclink",
            "update-email",
            "linked@example.com",
            "relinked@example.com",
            "--add-to-login-ids",
            "--json",
        ],
        &[("DESCOPE_REFRESH_TOKEN", &refresh)],
        None,
    )
    .await;
    run.assert_ok();
    assert_hides(&run, &refresh);
    assert_eq!(run.json()["user"]["email"], "relinked@example.com");

    let run = descope(e, &["magiclink", "signin", "nobody@example.com"], &[], None).await;
    run.assert_fails(6, "E062108");
    let run = descope(
        e,
        &["magiclink", "verify", "-"],
        &[],
        Some("ml_not-a-token\n"),
    )
    .await;
    run.assert_fails(6, "E063010");
    run.assert_hides(&["ml_not-a-token"]);
    let run = descope(
        e,
        &["magiclink", "signin", "x@example.com", "--method", "pigeon"],
        &[],
        None,
    )
    .await;
    run.assert_fails(4, "unknown delivery method");
}

fn assert_hides(run: &Run, secret: &str) {
    run.assert_hides(&[secret]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_commands() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let run = descope(e, &["password", "policy", "--json"], &[], None).await;
    run.assert_ok();
    assert_eq!(run.json()["minLength"], 8);

    let secret = "Secr3t!Pass";
    let run = descope(
        e,
        &["password", "signup", "pat@example.com", "--name", "Pat"],
        &[("DESCOPE_PASSWORD", secret)],
        None,
    )
    .await;
    run.assert_ok();
    run.assert_hides(&[secret]);
    assert!(run.stdout.contains("signed in as Pat"), "{}", run.stdout);

    let run = descope(
        e,
        &["password", "signin", "pat@example.com", "-"],
        &[],
        Some(secret),
    )
    .await;
    run.assert_ok();
    let run = descope(
        e,
        &["password", "signin", "pat@example.com", "-"],
        &[],
        Some("Wr0ng!Pass"),
    )
    .await;
    run.assert_fails(6, "Invalid password");
    run.assert_hides(&["Wr0ng!Pass"]);
    let run = descope(
        e,
        &["password", "signup", "weak@example.com", "weak"],
        &[],
        None,
    )
    .await;
    run.assert_fails(6, "policy");

    let run = descope(
        e,
        &[
            "password",
            "replace",
            "pat@example.com",
            "--json",
            "--print-secrets",
        ],
        &[
            ("DESCOPE_PASSWORD", secret),
            ("DESCOPE_NEW_PASSWORD", "N3w!Secr3tPass"),
        ],
        None,
    )
    .await;
    run.assert_ok();
    let refresh = run.json()["refreshJwt"].as_str().unwrap().to_owned();
    let run = descope(
        e,
        &[
            "password",
            "update",
            "pat@example.com",
            "--new",
            "An0ther!Pass",
            "-",
        ],
        &[],
        Some(&refresh),
    )
    .await;
    run.assert_ok();
    let run = descope(
        e,
        &["password", "send-reset", "pat@example.com", "--json"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["maskedEmail"], "p***@example.com");
    let run = descope(
        e,
        &["password", "signin", "pat@example.com", "An0ther!Pass"],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let run = descope(e, &["password", "signin", "pat@example.com"], &[], None).await;
    run.assert_fails(4, "DESCOPE_PASSWORD");
}

/// `passkey signup-start|finish`, `signin-start|finish`, `update-start|finish`, a software
/// authenticator playing the browser between the calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_start_and_finish() {
    use descope_emulator::SoftAuthenticator;
    const ORIGIN: &str = "http://localhost:3000";
    let emulator = emulator().await;
    let emulator = Some(&emulator);
    let mut authenticator = SoftAuthenticator::new();
    let options = |run: &Run| {
        let value = run.json();
        assert!(
            value["options"]["publicKey"]["challenge"].is_string(),
            "{value}"
        );
        (
            value["transactionId"].as_str().unwrap().to_owned(),
            value["options"].to_string(),
            value["create"].as_bool().unwrap(),
        )
    };

    let run = descope(
        emulator,
        &[
            "passkey",
            "signup-start",
            "pk-cli@example.com",
            "--origin",
            ORIGIN,
            "--name",
            "Pk Cli",
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let (tx, start, create) = options(&run);
    assert!(create);
    let credential = authenticator.create(&start, ORIGIN).await.unwrap();
    let run = descope(
        emulator,
        &["passkey", "signup-finish", &tx, "--json"],
        &[],
        Some(&credential),
    )
    .await;
    run.assert_ok();
    let signed_up = run.json();
    assert_eq!(
        signed_up["session"]["claims"]["amr"],
        serde_json::json!(["webauthn"]),
        "{signed_up}"
    );
    assert_eq!(signed_up["firstSeen"], true);
    // The transaction is spent.
    let run = descope(
        emulator,
        &["passkey", "signup-finish", &tx],
        &[],
        Some(&credential),
    )
    .await;
    run.assert_fails(6, "E011004");

    // Sign in, the credential from a file; tokens for the update.
    let run = descope(
        emulator,
        &[
            "passkey",
            "signin-start",
            "pk-cli@example.com",
            "--origin",
            ORIGIN,
        ],
        &[],
        None,
    )
    .await;
    run.assert_ok();
    let (tx, start, create) = options(&run);
    assert!(!create);
    let assertion = authenticator.get(&start, ORIGIN).await.unwrap();
    let file =
        std::env::temp_dir().join(format!("descope-cli-passkey-{}.json", std::process::id()));
    std::fs::write(&file, &assertion).unwrap();
    let run = descope(
        emulator,
        &[
            "passkey",
            "signin-finish",
            &tx,
            "--credential",
            file.to_str().unwrap(),
            "--json",
            "--print-secrets",
        ],
        &[],
        None,
    )
    .await;
    let _ = std::fs::remove_file(&file);
    run.assert_ok();
    let signed_in = run.json();
    assert_eq!(signed_in["userId"], signed_up["userId"]);
    let refresh = signed_in["refreshJwt"].as_str().unwrap().to_owned();

    // Add a second passkey with the refresh token from the environment.
    let mut second = SoftAuthenticator::new();
    let run = descope(
        emulator,
        &[
            "passkey",
            "update-start",
            "pk-cli@example.com",
            "--origin",
            ORIGIN,
        ],
        &[("DESCOPE_REFRESH_TOKEN", &refresh)],
        None,
    )
    .await;
    run.assert_ok();
    run.assert_hides(&[&refresh]);
    let (tx, start, create) = options(&run);
    assert!(create);
    let credential = second.create(&start, ORIGIN).await.unwrap();
    let run = descope(
        emulator,
        &["passkey", "update-finish", &tx],
        &[],
        Some(&credential),
    )
    .await;
    run.assert_ok();
    assert!(run.stdout.contains("passkey added"), "{}", run.stdout);

    // Input checked before any call.
    let run = descope(
        emulator,
        &["passkey", "signin-finish", "tx"],
        &[],
        Some("not json"),
    )
    .await;
    run.assert_fails(4, "not JSON");
    let run = descope(
        emulator,
        &[
            "passkey",
            "update-start",
            "pk-cli@example.com",
            "--origin",
            ORIGIN,
        ],
        &[],
        None,
    )
    .await;
    run.assert_fails(4, "refresh token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_commands() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let key = emulator.management_key().unwrap().to_owned();
    let with_key = [("DESCOPE_MANAGEMENT_KEY", key.as_str())];

    // No key: a configuration error before any request.
    descope(e, &["users", "load", "ada@example.com"], &[], None)
        .await
        .assert_fails(3, "management key");
    // A wrong key: Descope's 401.
    descope(
        e,
        &["users", "load", "ada@example.com"],
        &[("DESCOPE_MANAGEMENT_KEY", "K2wrong")],
        None,
    )
    .await
    .assert_fails(6, "management key was rejected");

    let run = descope(
        e,
        &[
            "users",
            "create",
            "cli@example.com",
            "--email",
            "cli@example.com",
            "--name",
            "Cli User",
            "--role",
            "viewer",
            "--tenant",
            &format!("{TENANT}:tenant-member"),
        ],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert!(run.stdout.contains("Cli User"), "{}", run.stdout);
    assert!(run.stdout.contains("tenant-member"), "{}", run.stdout);
    run.assert_hides(&[&key]);

    let run = descope(
        e,
        &["users", "load", "cli@example.com", "--json"],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(
        run.json()["user"]["roleNames"],
        serde_json::json!(["viewer"])
    );

    let run = descope(
        e,
        &[
            "users", "search", "--role", "viewer", "--limit", "1", "--all", "--json",
        ],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    let found = run.json();
    assert_eq!(
        found["users"].as_array().unwrap().len() as u64,
        found["total"].as_u64().unwrap()
    );
    assert!(found["total"].as_u64().unwrap() >= 2, "{found}");

    let run = descope(
        e,
        &["users", "update", "cli@example.com", "--role", "admin"],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    let run = descope(
        e,
        &["users", "deactivate", "cli@example.com", "--json"],
        &with_key,
        None,
    )
    .await;
    assert_eq!(run.json()["user"]["status"], "disabled");
    let run = descope(
        e,
        &["users", "activate", "cli@example.com", "--json"],
        &with_key,
        None,
    )
    .await;
    assert_eq!(run.json()["user"]["status"], "enabled");

    // Delete asks first; without a terminal and without --yes nothing is deleted.
    descope(e, &["users", "delete", "cli@example.com"], &with_key, None)
        .await
        .assert_fails(4, "--yes");
    descope(e, &["users", "load", "cli@example.com"], &with_key, None)
        .await
        .assert_ok();
    descope(
        e,
        &["users", "delete", "cli@example.com", "--yes"],
        &with_key,
        None,
    )
    .await
    .assert_ok();
    descope(e, &["users", "load", "cli@example.com"], &with_key, None)
        .await
        .assert_fails(6, "E112102");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_invite_sends_a_link_that_signs_in() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let key = emulator.management_key().unwrap().to_owned();
    let with_key = [("DESCOPE_MANAGEMENT_KEY", key.as_str())];
    let login = "invite-cli@example.com";
    let run = descope(
        e,
        &[
            "users",
            "invite",
            login,
            "--email",
            login,
            "--phone",
            "+15555550160",
            "--invite-url",
            "http://127.0.0.1:9/invite",
            "--send-mail",
            "--send-sms",
            "--json",
        ],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["user"]["loginIds"][0], login, "{}", run.stdout);
    run.assert_hides(&[&key]);
    let outbox = http(
        "GET",
        &format!("{}/emulator/outbox?loginId={login}", emulator.base_url()),
        None,
    )
    .await;
    let messages: Value = serde_json::from_slice(outbox.body()).unwrap();
    let messages = messages["messages"].as_array().unwrap();
    let channels: Vec<&str> = messages
        .iter()
        .filter(|m| m["kind"] == "invite")
        .map(|m| m["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["email", "sms"]);
    let token = messages[0]["token"].as_str().unwrap().to_owned();
    assert!(
        messages[0]["link"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:9/invite")
    );
    descope(e, &["magiclink", "verify", "-"], &[], Some(&token))
        .await
        .assert_ok();
    // Taken: Descope's conflict, nothing more sent.
    descope(e, &["users", "invite", login], &with_key, None)
        .await
        .assert_fails(6, "E062107");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_commands() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let key = emulator.management_key().unwrap().to_owned();
    let with_key = [("DESCOPE_MANAGEMENT_KEY", key.as_str())];

    descope(e, &["tenants", "list"], &[], None)
        .await
        .assert_fails(3, "management key");

    let run = descope(
        e,
        &[
            "tenants",
            "create",
            "Cli Corp",
            "--id",
            "T2CliCorp",
            "--self-provisioning-domain",
            "cli.example",
            "--json",
        ],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["created"], "T2CliCorp");
    run.assert_hides(&[&key]);
    let run = descope(e, &["tenants", "create", "Cli Generated"], &with_key, None).await;
    run.assert_ok();
    assert!(run.stdout.starts_with("created T2"), "{}", run.stdout);

    let run = descope(e, &["tenants", "load", "T2CliCorp"], &with_key, None).await;
    run.assert_ok();
    assert!(run.stdout.contains("Cli Corp"), "{}", run.stdout);
    assert!(run.stdout.contains("cli.example"), "{}", run.stdout);
    let run = descope(e, &["tenants", "list", "--json"], &with_key, None).await;
    run.assert_ok();
    let ids: Vec<String> = run.json()["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"T2CliCorp".to_owned()) && ids.contains(&TENANT.to_owned()));
    let run = descope(
        e,
        &["tenants", "search", "--name", "Cli Corp", "--json"],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["tenants"].as_array().unwrap().len(), 1);
    let run = descope(
        e,
        &[
            "tenants",
            "update",
            "T2CliCorp",
            "Cli Renamed",
            "--disabled",
            "--json",
        ],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(run.json()["tenant"]["name"], "Cli Renamed");
    assert_eq!(run.json()["tenant"]["disabled"], true);
    let run = descope(
        e,
        &["tenants", "settings", TENANT, "--json"],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(
        run.json()["settings"]["domains"],
        serde_json::json!(["acme.example"])
    );
    let run = descope(e, &["tenants", "sso", "load", TENANT], &with_key, None).await;
    run.assert_ok();
    assert!(run.stdout.contains("none configured"), "{}", run.stdout);
    descope(e, &["tenants", "sso", "delete", TENANT], &with_key, None)
        .await
        .assert_fails(4, "--yes");
    descope(
        e,
        &["tenants", "sso", "delete", TENANT, "--yes"],
        &with_key,
        None,
    )
    .await
    .assert_ok();

    // Delete asks first; --yes deletes; then load fails.
    descope(e, &["tenants", "delete", "T2CliCorp"], &with_key, None)
        .await
        .assert_fails(4, "--yes");
    descope(
        e,
        &["tenants", "delete", "T2CliCorp", "--cascade", "--yes"],
        &with_key,
        None,
    )
    .await
    .assert_ok();
    descope(e, &["tenants", "load", "T2CliCorp"], &with_key, None)
        .await
        .assert_fails(6, "Tenant not found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_field_password_and_session_commands() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let key = emulator.management_key().unwrap().to_owned();
    let with_key = [("DESCOPE_MANAGEMENT_KEY", key.as_str())];
    let login = "cli-ops@example.com";
    descope(e, &["users", "create", login], &with_key, None)
        .await
        .assert_ok();

    // A password set by management signs in with `descope password signin`; it never shows.
    let run = descope(
        e,
        &["users", "set-password", login, "-"],
        &with_key,
        Some("Act!Passw0rd\n"),
    )
    .await;
    run.assert_ok();
    run.assert_hides(&["Act!Passw0rd"]);
    let signin = [("DESCOPE_PASSWORD", "Act!Passw0rd")];
    let run = descope(
        e,
        &["password", "signin", login, "--json", "--print-secrets"],
        &signin,
        None,
    )
    .await;
    run.assert_ok();
    let refresh = run.json()["refreshJwt"].as_str().unwrap().to_owned();
    descope(e, &["users", "expire-password", login], &with_key, None)
        .await
        .assert_ok();
    descope(e, &["password", "signin", login], &signin, None)
        .await
        .assert_fails(6, "E062909");

    // Logout: the refresh token stops working.
    descope(e, &["users", "logout", login], &with_key, None)
        .await
        .assert_ok();
    descope(
        e,
        &["session", "refresh", "-"],
        &[],
        Some(&format!("{refresh}\n")),
    )
    .await
    .assert_fails(6, "401");

    // Single-field updates and tenant roles answer the user.
    let run = descope(
        e,
        &[
            "users",
            "set-login-id",
            login,
            "cli-ops2@example.com",
            "--json",
        ],
        &with_key,
        None,
    )
    .await;
    run.assert_ok();
    assert_eq!(
        run.json()["user"]["loginIds"],
        serde_json::json!(["cli-ops2@example.com"])
    );
    let login = "cli-ops2@example.com";
    let run = descope(
        e,
        &["users", "set-attribute", login, "seats", "3", "--json"],
        &with_key,
        None,
    )
    .await;
    assert_eq!(run.json()["user"]["customAttributes"]["seats"], 3);
    let run = descope(
        e,
        &[
            "users", "set-name", login, "Ops", "--family", "Cli", "--json",
        ],
        &with_key,
        None,
    )
    .await;
    assert_eq!(run.json()["user"]["familyName"], "Cli");
    let run = descope(
        e,
        &[
            "users",
            "roles",
            "add",
            login,
            "tenant-admin",
            "--tenant",
            TENANT,
            "--json",
        ],
        &with_key,
        None,
    )
    .await;
    assert_eq!(
        run.json()["user"]["userTenants"][0]["roleNames"],
        serde_json::json!(["tenant-admin"])
    );

    // Removing credentials asks first.
    descope(e, &["users", "remove-totp", login], &with_key, None)
        .await
        .assert_fails(4, "--yes");
    descope(
        e,
        &["users", "remove-passkeys", login, "--yes"],
        &with_key,
        None,
    )
    .await
    .assert_ok();
    let run = descope(e, &["users", "load", login, "--json"], &with_key, None).await;
    let user_id = run.json()["user"]["userId"].as_str().unwrap().to_owned();
    descope(
        e,
        &["users", "delete", &user_id, "--user-id", "--yes"],
        &with_key,
        None,
    )
    .await
    .assert_ok();
    descope(e, &["users", "load", login], &with_key, None)
        .await
        .assert_fails(6, "E112102");
}

#[tokio::test]
async fn roles_permissions_and_access_keys_commands() {
    let emulator = emulator().await;
    let e = Some(&emulator);
    let key = emulator.management_key().unwrap().to_owned();
    let with_key = [("DESCOPE_MANAGEMENT_KEY", key.as_str())];
    let ok = |run: Run| {
        run.assert_ok();
        run
    };

    ok(descope(
        e,
        &[
            "permissions",
            "create",
            "cli-export",
            "--description",
            "Export",
        ],
        &with_key,
        None,
    )
    .await);
    let run = ok(descope(e, &["permissions", "list", "--json"], &with_key, None).await);
    assert!(
        run.json()["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "cli-export" && p["description"] == "Export"),
        "{}",
        run.stdout
    );
    ok(descope(
        e,
        &[
            "roles",
            "create",
            "cli-role",
            "--permission",
            "cli-export",
            "--permission",
            "read",
        ],
        &with_key,
        None,
    )
    .await);
    ok(descope(
        e,
        &[
            "roles",
            "create",
            "cli-role",
            "--tenant",
            TENANT,
            "--permission",
            "read",
        ],
        &with_key,
        None,
    )
    .await);
    let run = ok(descope(e, &["roles", "list"], &with_key, None).await);
    assert!(run.stdout.contains("cli-role"), "{}", run.stdout);
    let run = ok(descope(
        e,
        &[
            "roles",
            "search",
            "--tenant",
            TENANT,
            "--name-like",
            "cli",
            "--json",
        ],
        &with_key,
        None,
    )
    .await);
    let found = run.json()["roles"].as_array().unwrap().clone();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["tenantId"], TENANT);
    ok(descope(
        e,
        &[
            "roles",
            "update",
            "cli-role",
            "--new-name",
            "cli-role-2",
            "--permission",
            "read",
        ],
        &with_key,
        None,
    )
    .await);
    // Destructive commands ask first; --yes skips.
    descope(e, &["roles", "delete", "cli-role-2"], &with_key, None)
        .await
        .assert_fails(4, "--yes");
    ok(descope(
        e,
        &["roles", "delete", "cli-role-2", "--yes"],
        &with_key,
        None,
    )
    .await);
    ok(descope(
        e,
        &["roles", "delete", "cli-role", "--tenant", TENANT, "--yes"],
        &with_key,
        None,
    )
    .await);
    ok(descope(
        e,
        &[
            "permissions",
            "update",
            "cli-export",
            "--new-name",
            "cli-export-2",
        ],
        &with_key,
        None,
    )
    .await);
    ok(descope(
        e,
        &["permissions", "delete", "cli-export-2", "--yes"],
        &with_key,
        None,
    )
    .await);

    // create: the cleartext alone on stdout, the warning on stderr.
    let run = ok(descope(
        e,
        &[
            "access-keys",
            "create",
            "cli-key",
            "--role",
            "viewer",
            "--tenant",
            &format!("{TENANT}:tenant-member"),
        ],
        &with_key,
        None,
    )
    .await);
    let cleartext = run.stdout.trim().to_owned();
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stderr.contains("only time"), "{}", run.stderr);
    assert!(!run.stderr.contains(&cleartext));
    let run = ok(descope(e, &["access-keys", "search", "--json"], &with_key, None).await);
    let keys = run.json()["keys"].as_array().unwrap().clone();
    let id = keys
        .iter()
        .find(|k| k["name"] == "cli-key")
        .and_then(|k| k["id"].as_str())
        .unwrap()
        .to_owned();
    // No other command shows the cleartext.
    run.assert_hides(&[&cleartext]);
    let run = ok(descope(e, &["access-keys", "load", &id], &with_key, None).await);
    assert!(run.stdout.contains("active"), "{}", run.stdout);
    run.assert_hides(&[&cleartext]);
    let run = ok(descope(
        e,
        &[
            "access-keys",
            "update",
            &id,
            "--name",
            "cli-key-2",
            "--json",
        ],
        &with_key,
        None,
    )
    .await);
    assert_eq!(run.json()["key"]["name"], "cli-key-2");
    ok(descope(e, &["access-keys", "deactivate", &id], &with_key, None).await);
    let run = ok(descope(e, &["access-keys", "load", &id, "--json"], &with_key, None).await);
    assert_eq!(run.json()["key"]["status"], "inactive");
    ok(descope(e, &["access-keys", "activate", &id], &with_key, None).await);
    descope(e, &["access-keys", "delete", &id], &with_key, None)
        .await
        .assert_fails(4, "--yes");
    ok(descope(e, &["access-keys", "delete", &id, "--yes"], &with_key, None).await);
    descope(e, &["access-keys", "load", &id], &with_key, None)
        .await
        .assert_fails(6, "E011004");
}

/// `--open` hands the console's URL to the platform's opener (`xdg-open` here, replaced by a
/// script that records its argument).
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_open_hands_the_console_url_to_the_browser() {
    use std::os::unix::fs::PermissionsExt;

    let dir = std::env::temp_dir().join(format!("descope-cli-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let opened = dir.join("opened");
    let opener = dir.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = tokio::process::Command::new(BIN)
        .args(["emulator", "--port", "0", "--json", "--open"])
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let started: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let console = started["consoleUrl"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let url = loop {
        if let Ok(url) = std::fs::read_to_string(&opened)
            && !url.is_empty()
        {
            break url;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the opener was not run"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(url, console);
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
