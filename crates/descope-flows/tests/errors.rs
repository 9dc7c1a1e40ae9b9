//! Error mapping (API, decode, invalid argument), cookie mode and rotation, through fakes.

mod common;

use bytes::Bytes;
use common::*;
use descope_flows::{Argument, Client, ErrorKind, TokenErrorReason};
use descope_transport::CapturingTransport;
use descope_types::{ErrorCode, ExchangeCode, LoginOptions, RefreshToken, SessionToken, TotpCode};
use serde_json::json;

fn client_answering(responses: Vec<http::Response<Bytes>>) -> (Client, CapturingTransport) {
    let transport = CapturingTransport::with_responses(responses);
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9/")
        .policy(descope_transport::Policy::default().retry(descope_transport::RetryPolicy::never()))
        .transport(transport.clone())
        .build()
        .unwrap();
    (client, transport)
}

fn jwks() -> http::Response<Bytes> {
    CapturingTransport::response(200, JWKS)
}

#[tokio::test]
async fn api_error_body_is_parsed() {
    let body = json!({"errorCode": "E061102", "errorDescription": "Invalid code", "errorMessage": "wrong"});
    let (client, _) = client_answering(vec![CapturingTransport::response(401, body.to_string())]);
    let err = client
        .totp()
        .verify("ada", &TotpCode::new("000000"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some(&ErrorCode::WrongOtpCode));
    let api = err.api_error().unwrap();
    assert_eq!(api.description, "Invalid code");
    assert_eq!(api.message.as_deref(), Some("wrong"));
    assert!(!err.to_string().contains("000000"));
}

#[tokio::test]
async fn non_json_error_and_redirect_are_api_errors_with_empty_code() {
    let html = http::Response::builder()
        .status(502)
        .body(Bytes::from_static(b"<html>bad gateway</html>"))
        .unwrap();
    let redirect = http::Response::builder()
        .status(302)
        .header("location", "https://elsewhere.example/")
        .body(Bytes::new())
        .unwrap();
    let (client, transport) = client_answering(vec![html, redirect]);
    for status in [502, 302] {
        let err = client.oauth().start("google").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Api);
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code().unwrap().as_str(), "");
    }
    // The redirect was not followed; the base URL's trailing `/` gave no double slash.
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].uri.to_string(),
        "http://127.0.0.1:9/v1/auth/oauth/authorize?provider=google"
    );
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let limited = http::Response::builder()
        .status(429)
        .header("retry-after", "10")
        .body(Bytes::from(
            json!({"errorCode":"E130429","errorDescription":"https://docs.descope.com/rate-limit","errorMessage":"API rate limit exceeded."}).to_string(),
        ))
        .unwrap();
    let (client, _) = client_answering(vec![limited]);
    let err = client.sso().start("T1").await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::RateLimitExceeded));
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(10)));
}

#[tokio::test]
async fn undecodable_2xx_is_a_decode_error_and_token_bodies_are_never_quoted() {
    let (client, _) = client_answering(vec![
        CapturingTransport::response(200, "not json at all"),
        CapturingTransport::response(200, "{\"sessionJwt\": \"eyJsecret"),
    ]);
    let err = client.oauth().start("google").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.decode_error().unwrap().excerpt, "not json at all");

    let err = client
        .oauth()
        .exchange(&ExchangeCode::new("c"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.decode_error().unwrap().excerpt, "");
    assert!(!format!("{err:?} {err}").contains("eyJsecret"));
}

#[tokio::test]
async fn invalid_arguments_are_rejected_before_any_request() {
    let (client, transport) = client_answering(vec![]);
    let empty_refresh = RefreshToken::new("");
    let r = RefreshToken::new("r");
    let checks = [
        (
            client
                .oauth()
                .exchange(&ExchangeCode::new(""))
                .await
                .map(drop),
            Argument::Code,
        ),
        (
            client
                .sso()
                .exchange(&ExchangeCode::new(" "))
                .await
                .map(drop),
            Argument::Code,
        ),
        (client.oauth().start("").await.map(drop), Argument::Provider),
        (
            client
                .oauth()
                .start("google")
                .login_options(LoginOptions::stepup())
                .await
                .map(drop),
            Argument::RefreshToken,
        ),
        (
            client.sso().start("T1").mfa(&empty_refresh).await.map(drop),
            Argument::RefreshToken,
        ),
        (client.sso().start("").await.map(drop), Argument::Tenant),
        (
            client
                .oauth()
                .start_update_user("google", &empty_refresh)
                .await
                .map(drop),
            Argument::RefreshToken,
        ),
        (client.totp().sign_up("").await.map(drop), Argument::LoginId),
        (
            client
                .totp()
                .verify("ada", &TotpCode::new(""))
                .await
                .map(drop),
            Argument::Code,
        ),
        (
            client
                .totp()
                .verify(" ", &TotpCode::new("123456"))
                .await
                .map(drop),
            Argument::LoginId,
        ),
        (
            client
                .totp()
                .verify("ada", &TotpCode::new("123456"))
                .login_options(LoginOptions::stepup())
                .await
                .map(drop),
            Argument::RefreshToken,
        ),
        (
            client
                .totp()
                .update_user("ada", &empty_refresh)
                .await
                .map(drop),
            Argument::RefreshToken,
        ),
        (
            client.oauth().finish_native("apple", "s").await.map(drop),
            Argument::NativeCredential,
        ),
        (
            client
                .oauth()
                .finish_native("apple", "")
                .code(&ExchangeCode::new("c"))
                .await
                .map(drop),
            Argument::StateId,
        ),
        (
            client.refresh(&empty_refresh).await.map(drop),
            Argument::RefreshToken,
        ),
        (
            client.logout(&empty_refresh).await.map(drop),
            Argument::RefreshToken,
        ),
        (
            client.me(&empty_refresh).await.map(drop),
            Argument::RefreshToken,
        ),
        (
            client.select_tenant("", &r).await.map(drop),
            Argument::Tenant,
        ),
        (
            client
                .my_tenants(&r)
                .ids(Vec::<String>::new())
                .await
                .map(drop),
            Argument::TenantIds,
        ),
        (
            client.my_tenants(&r).ids([" "]).await.map(drop),
            Argument::TenantIds,
        ),
    ];
    for (outcome, argument) in checks {
        let Err(err) = outcome else {
            panic!("{argument:?}: accepted")
        };
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert_eq!(err.invalid_argument(), Some(argument), "{err}");
        assert!(!err.may_have_been_sent());
    }
    assert!(transport.requests().is_empty());
}

#[tokio::test]
async fn cookie_mode_takes_tokens_from_set_cookie() {
    let session = session_token();
    let refresh = refresh_token();
    let mut body = jwt_body(&session, None);
    body.as_object_mut().unwrap().remove("sessionJwt");
    let answer = http::Response::builder()
        .status(200)
        .header(
            "set-cookie",
            format!("DS={session}; Path=/; HttpOnly; Secure"),
        )
        .header(
            "set-cookie",
            format!("DSR={refresh}; Path=/; HttpOnly; Secure; SameSite=Strict"),
        )
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let (client, _) = client_answering(vec![answer, jwks()]);
    let info = client
        .oauth()
        .exchange(&ExchangeCode::new("code"))
        .await
        .unwrap();
    assert_eq!(info.session_token().secret(), session);
    assert_eq!(info.refresh_token().secret(), refresh);
    assert_eq!(info.session.claims().user_id(), Some("U1"));
    assert_eq!(info.cookies.domain.as_deref(), Some("example.com"));
    assert_eq!(info.cookies.max_age, Some(2_592_000));
    assert!(!info.first_seen);
    assert_eq!(info.user.as_ref().unwrap().user_id, "U1");
    // Tokens never show in Debug.
    let debug = format!("{info:?}");
    assert!(!debug.contains(&session) && !debug.contains(&refresh));
}

#[tokio::test]
async fn refresh_keeps_or_rotates_the_refresh_token() {
    let old = RefreshToken::new(refresh_token());
    let rotated = token("DSR", json!({"iat": IAT + 1}));
    let (client, _) = client_answering(vec![
        jwks(),
        CapturingTransport::response(200, jwt_body(&session_token(), None).to_string()),
        CapturingTransport::response(200, jwt_body(&session_token(), Some(&rotated)).to_string()),
    ]);
    let kept = client.refresh(&old).await.unwrap();
    assert_eq!(kept.refresh_token(), &old);
    let new = client.refresh(&old).await.unwrap();
    assert_eq!(new.refresh_token().secret(), rotated);
}

#[tokio::test]
async fn refresh_rejects_a_session_token_locally() {
    let (client, transport) = client_answering(vec![jwks()]);
    let err = client
        .refresh(&RefreshToken::new(session_token()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenValidation);
    // Only the key set was fetched; no refresh was sent.
    assert_eq!(transport.requests().len(), 1);
}

#[tokio::test]
async fn builder_configuration_errors() {
    for builder in [
        Client::builder(""),
        Client::builder("P2x").base_url("ftp://nope"),
        Client::builder("P2x").header("bad header", "v"),
        Client::builder("P2x").public_key_json("{not json"),
        Client::builder("P2 x"),
        Client::builder("P2x/../other"),
    ] {
        assert_eq!(
            builder.build().unwrap_err().kind(),
            ErrorKind::Configuration
        );
    }
    let client = Client::builder("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://api.use1.descope.com");
    // Cheap clone, shareable across tasks.
    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    assert_send_sync(&client);
}

#[tokio::test]
async fn static_public_key_and_extra_headers() {
    let jwks: serde_json::Value = serde_json::from_str(JWKS).unwrap();
    let transport = CapturingTransport::with_responses([CapturingTransport::response(
        200,
        jwt_body(&session_token(), Some(&refresh_token())).to_string(),
    )]);
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .public_key_json(jwks["keys"][0].to_string())
        .header("x-app", "billing")
        .header("x-descope-sdk-name", "not-rust")
        .transport(transport.clone())
        .build()
        .unwrap();
    let info = client
        .oauth()
        .exchange(&ExchangeCode::new("c"))
        .await
        .unwrap();
    assert_eq!(info.session.user_id(), "U1");
    // The pinned key was used: the key set was never fetched.
    let requests = transport.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-app"), Some("billing"));
    // Extra headers cannot override the SDK's own.
    assert_eq!(requests[0].header("x-descope-sdk-name"), Some("rust"));
}

#[tokio::test]
async fn audience_is_enforced_when_configured() {
    let transport = CapturingTransport::new(|request| {
        let (status, body) = canned(&request.method, request.uri.path());
        Ok(CapturingTransport::response(status, body.to_string()))
    });
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .audience("my-api")
        .transport(transport)
        .build()
        .unwrap();
    let without = SessionToken::new(session_token());
    let err = client.validate_session(&without).await.unwrap_err();
    assert_eq!(err.token_reason(), Some(TokenErrorReason::WrongAudience));
    let with = SessionToken::new(token("DS", json!({"aud": ["my-api"]})));
    client.validate_session(&with).await.unwrap();
}

/// Each request's path and per-call options, as a transport saw them.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, descope_transport::RequestOptions)>>>;

/// A transport that answers every request with `status`, recording what it saw.
fn recording(status: u16) -> (impl descope_transport::Transport, Seen) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let transport = descope_transport::from_fn(move |request: http::Request<Bytes>| {
        let options = request
            .extensions()
            .get::<descope_transport::RequestOptions>()
            .copied()
            .unwrap_or_default();
        log.lock()
            .unwrap()
            .push((request.uri().path().to_owned(), options));
        async move { Ok(CapturingTransport::response(status, "{}")) }
    });
    (transport, seen)
}

#[tokio::test]
async fn per_call_options_reach_the_transport() {
    use descope_transport::{Policy, Resend};
    use std::time::Duration;
    let (transport, seen) = recording(400);
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .policy(Policy::default().retry(descope_transport::RetryPolicy::never()))
        .transport(transport)
        .build()
        .unwrap();
    let r = RefreshToken::new("r");
    let code = TotpCode::new("123456");
    let _ = client
        .totp()
        .verify("ada", &code)
        .timeout(Duration::from_secs(3))
        .await;
    let _ = client.totp().verify("ada", &code).retries(false).await;
    let _ = client.oauth().exchange(&ExchangeCode::new("c")).await;
    let _ = client.me(&r).await;
    let _ = client.me(&r).retries(false).await;
    let _ = client.oauth().start("google").await;
    let seen = seen.lock().unwrap();
    let resend: Vec<Resend> = seen.iter().map(|(_, o)| o.get_resend()).collect();
    assert_eq!(
        resend,
        [
            Resend::UnsentOnly,
            Resend::Never,
            Resend::UnsentOnly,
            Resend::Policy,
            Resend::Never,
            Resend::Policy
        ]
    );
    let policy = Policy::default();
    assert_eq!(
        seen[0].1.effective_timeout(&policy),
        Some(Duration::from_secs(3))
    );
    assert_eq!(
        seen[3].1.effective_timeout(&policy),
        Some(descope_transport::DEFAULT_TIMEOUT)
    );
}

#[tokio::test]
async fn one_time_calls_are_not_resent_after_the_origin_got_them() {
    use descope_transport::{Policy, RetryPolicy};
    // 520: the gateway says the origin received the request. The policy retries 520.
    let (transport, seen) = recording(520);
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .policy(
            Policy::default().retry(
                RetryPolicy::default()
                    .delays([std::time::Duration::ZERO; 2])
                    .jitter(0.0),
            ),
        )
        .transport(transport)
        .build()
        .unwrap();
    let code = ExchangeCode::new("c");
    let err = client.oauth().exchange(&code).await.unwrap_err();
    assert_eq!(err.status(), Some(520));
    assert_eq!(seen.lock().unwrap().len(), 1, "the code was sent once");
    let err = client
        .totp()
        .verify("ada", &TotpCode::new("123456"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(520));
    assert_eq!(seen.lock().unwrap().len(), 2, "the TOTP code was sent once");
    // An idempotent call is retried by the policy.
    let _ = client.oauth().start("google").await.unwrap_err();
    assert_eq!(seen.lock().unwrap().len(), 5);
}
