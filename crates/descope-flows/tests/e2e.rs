//! Every flow end to end against descope-emulator, over both HTTP backends.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorConfig};
use descope_flows::{Client, Clock, ErrorKind, SessionStatus, TokenErrorReason};
use descope_transport::{HyperTransport, ReqwestTransport, Transport};
use descope_types::{
    AccessKey, ErrorCode, ExchangeCode, IdToken, LoginOptions, NativeUser, NativeUserName,
    SessionToken, TotpCode, TotpKey,
};
use serde_json::{Value, json};

const ACME: &str = "T2EmulatorTenantAcme";
const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";

#[derive(Clone, Copy, Debug)]
enum Backend {
    Reqwest,
    Hyper,
}

fn backend(kind: Backend) -> Arc<dyn Transport> {
    match kind {
        Backend::Reqwest => Arc::new(ReqwestTransport::new().unwrap()),
        Backend::Hyper => Arc::new(HyperTransport::new().unwrap()),
    }
}

/// The system clock plus the offset last given to the emulator's clock control, so the
/// client and the emulator agree on the time.
#[derive(Debug, Clone)]
struct SharedClock(Arc<AtomicI64>);

impl Clock for SharedClock {
    fn now(&self) -> std::time::SystemTime {
        descope_types::clock::from_unix_seconds(now() as i64 + self.0.load(Ordering::SeqCst))
    }
}

/// An emulator, a client on it, and the bare backend (which follows no redirects) to play
/// the browser and call the control API.
struct Setup {
    emulator: Emulator,
    client: Client,
    raw: Arc<dyn Transport>,
    offset: Arc<AtomicI64>,
}

async fn setup(kind: Backend, config: EmulatorConfig) -> Setup {
    let emulator = Emulator::start(config).await.unwrap();
    let raw = backend(kind);
    let offset = Arc::new(AtomicI64::new(0));
    let client = Client::builder(emulator.project_id())
        .base_url(emulator.base_url())
        .transport(raw.clone())
        .clock(SharedClock(offset.clone()))
        .key_refetch_interval(Duration::ZERO)
        .build()
        .unwrap();
    Setup {
        emulator,
        client,
        raw,
        offset,
    }
}

impl Setup {
    /// Moves the emulator's clock (and the client's with it).
    async fn set_clock(&self, offset: i64) {
        self.control("/emulator/clock", json!({ "offsetSeconds": offset }))
            .await;
        self.offset.store(offset, Ordering::SeqCst);
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let request = http::Request::post(format!("{}{path}", self.emulator.base_url()))
            .header(
                "authorization",
                format!("Bearer {}", self.emulator.project_id()),
            )
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .unwrap();
        let response = self.raw.send(request).await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        serde_json::from_slice(response.body()).unwrap_or(Value::Null)
    }

    /// Plays the browser: GET the provider URL, read `code` from the redirect.
    async fn follow(&self, url: &url::Url, redirect: &str) -> ExchangeCode {
        let request = http::Request::get(url.as_str()).body(Bytes::new()).unwrap();
        let response = self.raw.send(request).await.unwrap();
        assert_eq!(response.status(), 302, "provider page did not redirect");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(redirect), "{location}");
        let location = url::Url::parse(&location).unwrap();
        let code = location
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        ExchangeCode::new(code)
    }
}

fn totp_code(key: &TotpKey, at: u64) -> TotpCode {
    let secret = totp_rs::Secret::Encoded(key.secret().to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret);
    TotpCode::new(totp.generate(at))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn oauth_web(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let url = s
        .client
        .oauth()
        .start("google")
        .redirect_url(REDIRECT)
        .login_hint("ada@example.com")
        .await
        .unwrap();
    let code = s.follow(&url, REDIRECT).await;
    let info = s.client.oauth().exchange(&code).await.unwrap();
    let user = info.user.clone().unwrap();
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(info.session.user_id(), user.user_id);
    assert!(info.session.amr().iter().any(|m| m == "oauth"));
    assert!(info.session.validate_roles(&["admin"]));
    assert_eq!(info.cookies.path, "/");

    // The code is single use.
    let err = s.client.oauth().exchange(&code).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);

    // The session validates locally; me and history answer for the same user.
    let session = s
        .client
        .validate_session(info.session_token())
        .await
        .unwrap();
    assert_eq!(session.user_id(), user.user_id);
    let me = s.client.me(info.refresh_token()).await.unwrap();
    assert_eq!(me.user_id, user.user_id);
    assert!(
        !s.client
            .history(info.refresh_token())
            .await
            .unwrap()
            .is_empty()
    );

    // Sign-up / sign-in variants: a new provider user.
    let url = s
        .client
        .oauth()
        .start_sign_up("github")
        .redirect_url(REDIRECT)
        .await
        .unwrap();
    let code = s.follow(&url, REDIRECT).await;
    let github = s.client.oauth().exchange(&code).await.unwrap();
    assert_ne!(github.session.user_id(), user.user_id);
    let url = s
        .client
        .oauth()
        .start_sign_in("github")
        .redirect_url(REDIRECT)
        .await
        .unwrap();
    let code = s.follow(&url, REDIRECT).await;
    s.client.oauth().exchange(&code).await.unwrap();

    // Link another provider to the signed-in user.
    let url = s
        .client
        .oauth()
        .start_update_user("gitlab", info.refresh_token())
        .redirect_url(REDIRECT)
        .allow_all_merge(true)
        .await
        .unwrap();
    let code = s.follow(&url, REDIRECT).await;
    let linked = s.client.oauth().exchange(&code).await.unwrap();
    assert_eq!(linked.session.user_id(), user.user_id);
}

async fn oauth_step_up(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let url = s
        .client
        .oauth()
        .start("google")
        .redirect_url(REDIRECT)
        .await
        .unwrap();
    let first = s
        .client
        .oauth()
        .exchange(&s.follow(&url, REDIRECT).await)
        .await
        .unwrap();
    let url = s
        .client
        .oauth()
        .start("github")
        .redirect_url(REDIRECT)
        .step_up(first.refresh_token())
        .await
        .unwrap();
    let stepped = s
        .client
        .oauth()
        .exchange(&s.follow(&url, REDIRECT).await)
        .await
        .unwrap();
    assert_eq!(stepped.session.user_id(), first.session.user_id());
}

async fn native(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    // Implicit: finish with the provider's ID token.
    let start = s
        .client
        .oauth()
        .start_native("apple")
        .implicit(true)
        .await
        .unwrap();
    assert!(start.implicit);
    let provider = s
        .control(
            "/emulator/native/authorize",
            json!({"provider": "apple", "nonce": start.nonce, "loginId": "native@example.com"}),
        )
        .await;
    let user = NativeUser {
        name: Some(NativeUserName {
            first_name: Some("Nat".to_owned()),
            middle_name: None,
            last_name: Some("Ive".to_owned()),
        }),
        email: None,
    };
    let info = s
        .client
        .oauth()
        .finish_native("apple", start.state_id)
        .user(&user)
        .id_token(&IdToken::new(provider["idToken"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(
        info.user.unwrap().email.as_deref(),
        Some("native@example.com")
    );

    // Code flow.
    let start = s
        .client
        .oauth()
        .start_native("google")
        .login_options(LoginOptions::default())
        .implicit(false)
        .await
        .unwrap();
    let provider = s
        .control(
            "/emulator/native/authorize",
            json!({"provider": "google", "nonce": start.nonce}),
        )
        .await;
    let info = s
        .client
        .oauth()
        .finish_native("google", start.state_id)
        .code(&ExchangeCode::new(provider["code"].as_str().unwrap()))
        .await
        .unwrap();
    assert!(info.session.amr().iter().any(|m| m == "oauth"));
}

async fn sso_by_id_name_and_email(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    for tenant in [ACME, "Acme", "grace@acme.example"] {
        let url = s
            .client
            .sso()
            .start(tenant)
            .redirect_url(REDIRECT)
            .await
            .unwrap();
        let code = s.follow(&url, REDIRECT).await;
        let info = s.client.sso().exchange(&code).await.unwrap();
        assert!(info.session.is_associated_with_tenant(ACME), "{tenant}");
        assert!(info.session.amr().iter().any(|m| m == "fed"), "{tenant}");
        assert!(info.tenant_sso_id.is_some());
        if tenant.contains('@') {
            assert_eq!(info.user.unwrap().email.as_deref(), Some(tenant));
        }
    }
    // An unknown tenant is an API error.
    let err = s.client.sso().start("NoSuchTenant").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
}

async fn saml(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let url = s
        .client
        .saml()
        .start("Globex")
        .redirect_url(REDIRECT)
        .force_authn(true)
        .await
        .unwrap();
    let code = s.follow(&url, REDIRECT).await;
    let info = s.client.saml().exchange(&code).await.unwrap();
    assert!(
        info.session
            .is_associated_with_tenant("T2EmulatorTenantGlobex")
    );
}

async fn totp(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let login = "totp-user@example.com";
    let enrollment = s.client.totp().sign_up(login).await.unwrap();
    assert!(enrollment.image.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(enrollment.provisioning_url.starts_with("otpauth://totp/"));

    // A wrong code is refused.
    let now = now();
    let right = totp_code(&enrollment.key, now);
    let wrong = TotpCode::new(if right.secret() == "000000" {
        "111111"
    } else {
        "000000"
    });
    let err = s.client.totp().verify(login, &wrong).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::WrongOtpCode));

    let info = s.client.totp().verify(login, &right).await.unwrap();
    assert!(info.session.amr().iter().any(|m| m == "totp"));
    assert_eq!(info.user.as_ref().unwrap().totp, Some(true));

    // Step-up with the next step's code (the emulator refuses a replayed step).
    let next = totp_code(&enrollment.key, now + 30);
    let stepped = s
        .client
        .totp()
        .verify(login, &next)
        .step_up(info.refresh_token())
        .await
        .unwrap();
    assert_eq!(stepped.session.user_id(), info.session.user_id());

    // Update: a new key, which then signs in.
    let updated = s
        .client
        .totp()
        .update_user(login, stepped.refresh_token())
        .await
        .unwrap();
    assert_ne!(updated.key, enrollment.key);
    let code = totp_code(&updated.key, now + 30);
    s.client.totp().verify(login, &code).await.unwrap();
}

async fn sign_in_with_oauth(s: &Setup) -> descope_flows::AuthenticationInfo {
    let url = s
        .client
        .oauth()
        .start("google")
        .redirect_url(REDIRECT)
        .login_hint("ada@example.com")
        .await
        .unwrap();
    s.client
        .oauth()
        .exchange(&s.follow(&url, REDIRECT).await)
        .await
        .unwrap()
}

async fn refresh_without_and_with_rotation(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let info = sign_in_with_oauth(&s).await;
    let refreshed = s.client.refresh(info.refresh_token()).await.unwrap();
    assert_eq!(refreshed.refresh_token(), info.refresh_token());
    assert_eq!(refreshed.session.user_id(), info.session.user_id());

    let config = EmulatorConfig {
        refresh_rotation: true,
        ..EmulatorConfig::default()
    };
    let s = setup(kind, config).await;
    let info = sign_in_with_oauth(&s).await;
    let rotated = s.client.refresh(info.refresh_token()).await.unwrap();
    assert_ne!(rotated.refresh_token(), info.refresh_token());
    // The old refresh token is revoked; the new one works.
    let err = s.client.refresh(info.refresh_token()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    s.client.refresh(rotated.refresh_token()).await.unwrap();
}

async fn logout_then_refresh_rejected(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let info = sign_in_with_oauth(&s).await;
    let cookies = s.client.logout(info.refresh_token()).await.unwrap();
    assert_eq!(cookies.path, "/");
    let err = s.client.refresh(info.refresh_token()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.code(), Some(&ErrorCode::TokenExpiredByLogout));

    // Logout-all ends every session of the user.
    let a = sign_in_with_oauth(&s).await;
    let b = sign_in_with_oauth(&s).await;
    s.client.logout_all(a.refresh_token()).await.unwrap();
    assert!(s.client.refresh(b.refresh_token()).await.is_err());
}

async fn tenant_selection(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let info = sign_in_with_oauth(&s).await;
    assert_eq!(info.session.current_tenant(), None);
    let selected = s
        .client
        .select_tenant(ACME, info.refresh_token())
        .await
        .unwrap();
    assert_eq!(selected.session.current_tenant(), Some(ACME));
    assert!(
        selected
            .session
            .validate_tenant_roles(ACME, &["tenant-admin"])
    );
    let current = s.client.my_tenants(selected.refresh_token()).await.unwrap();
    assert_eq!(
        current.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [ACME]
    );
    let by_id = s
        .client
        .my_tenants(info.refresh_token())
        .ids([ACME])
        .await
        .unwrap();
    assert_eq!(by_id[0].name, "Acme");
}

async fn key_rotation_mid_run(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let before = sign_in_with_oauth(&s).await;
    s.control("/emulator/keys/rotate", json!({"graceSeconds": 600}))
        .await;
    // Tokens signed with the new key: the unknown kid makes the client refetch the keys.
    let after = sign_in_with_oauth(&s).await;
    s.client
        .validate_session(after.session_token())
        .await
        .unwrap();
    // Tokens of the old key still validate during the grace period.
    s.client
        .validate_session(before.session_token())
        .await
        .unwrap();
    s.client.refresh(before.refresh_token()).await.unwrap();
}

/// Descope's own answers are trusted to name new keys: the refetch throttle, which guards
/// against tokens from callers, does not make a fresh sign-in fail after a rotation.
async fn rotation_seen_in_answers_despite_the_throttle(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let client = Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .clock(SharedClock(s.offset.clone()))
        .key_refetch_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let sign_in = || async {
        let url = client
            .oauth()
            .start("google")
            .redirect_url(REDIRECT)
            .await
            .unwrap();
        client
            .oauth()
            .exchange(&s.follow(&url, REDIRECT).await)
            .await
    };
    let before = sign_in().await.unwrap();
    s.control("/emulator/keys/rotate", json!({"graceSeconds": 600}))
        .await;
    let after = sign_in().await.unwrap();
    assert_eq!(after.session.user_id(), before.session.user_id());
    // Now known, the new key serves callers too.
    client
        .validate_session(after.session_token())
        .await
        .unwrap();
}

async fn expiry_via_emulator_clock(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let old = sign_in_with_oauth(&s).await;
    // 700 s later the 600 s session token is expired; the 4-week refresh token is not.
    s.set_clock(700).await;
    let err = s
        .client
        .validate_session(old.session_token())
        .await
        .unwrap_err();
    assert_eq!(err.token_reason(), Some(TokenErrorReason::Expired));
    let status = s
        .client
        .validate_and_refresh(old.session_token(), old.refresh_token())
        .await
        .unwrap();
    let SessionStatus::Refreshed(fresh) = status else {
        panic!("expected a refresh");
    };
    assert_eq!(fresh.session.user_id(), old.session.user_id());
    match s
        .client
        .validate_and_refresh(fresh.session_token(), old.refresh_token())
        .await
        .unwrap()
    {
        SessionStatus::Valid(session) => assert_eq!(session.user_id(), old.session.user_id()),
        SessionStatus::Refreshed(_) => panic!("a valid session was refreshed"),
    }

    // Five weeks later the refresh token is expired too: refused locally, nothing sent.
    s.set_clock(5 * 7 * 24 * 3600).await;
    let err = s.client.refresh(old.refresh_token()).await.unwrap_err();
    assert_eq!(err.token_reason(), Some(TokenErrorReason::Expired));
    let garbage = SessionToken::new("not-a-jwt");
    let err = s
        .client
        .validate_and_refresh(&garbage, old.refresh_token())
        .await
        .unwrap_err();
    assert_eq!(err.token_reason(), Some(TokenErrorReason::Expired));
}

async fn access_key(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let info = s
        .client
        .exchange_access_key(&AccessKey::new("emulator-access-key-0001"))
        .await
        .unwrap();
    assert_eq!(info.key_id, "K2EmulatorAccessKey0001");
    assert!(info.session.validate_roles(&["viewer"]));
    let err = s
        .client
        .exchange_access_key(&AccessKey::new("wrong-key"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
}

async fn faults_are_typed_errors(kind: Backend) {
    let s = setup(kind, EmulatorConfig::default()).await;
    let path = "/v1/auth/oauth/authorize";
    let start = || s.client.oauth().start("google").redirect_url(REDIRECT);
    s.control(
        "/emulator/faults",
        json!({"path": path, "count": 1, "fault": {"kind": "html502"}}),
    )
    .await;
    let err = start().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.code().unwrap().as_str(), "");

    s.control(
        "/emulator/faults",
        json!({"path": path, "count": 1, "fault": {"kind": "reset"}}),
    )
    .await;
    let err = start().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);

    // The faults are spent: the next call succeeds.
    start().await.unwrap();
}

macro_rules! over_both_backends {
    ($($name:ident),* $(,)?) => {
        mod over_reqwest {
            $(#[tokio::test] async fn $name() { super::$name(super::Backend::Reqwest).await })*
        }
        mod over_hyper {
            $(#[tokio::test] async fn $name() { super::$name(super::Backend::Hyper).await })*
        }
    };
}

over_both_backends!(
    rotation_seen_in_answers_despite_the_throttle,
    oauth_web,
    oauth_step_up,
    native,
    sso_by_id_name_and_email,
    saml,
    totp,
    refresh_without_and_with_rotation,
    logout_then_refresh_rejected,
    tenant_selection,
    key_rotation_mid_run,
    expiry_via_emulator_clock,
    access_key,
    faults_are_typed_errors,
);
