//! Token validation rules: the hostile-token table and the accepted forms.

mod validation_support;

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use descope_flows::{ErrorKind, SigningAlgorithm, TokenErrorReason};
use descope_types::{RefreshToken, SessionToken};
use serde_json::{Value, json};
use validation_support::*;

use TokenErrorReason::*;

fn setup() -> (
    Arc<ManualClock>,
    Arc<CountingSource>,
    descope_flows::SessionValidator,
) {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let validator = validator(config(&clock), source.clone());
    (clock, source, validator)
}

async fn session_reason(v: &descope_flows::SessionValidator, token: &str) -> TokenErrorReason {
    let error = v
        .validate_session(&SessionToken::new(token))
        .await
        .expect_err("token must be rejected");
    assert_eq!(error.kind(), ErrorKind::TokenValidation, "{error:?}");
    error.token_reason().unwrap()
}

fn split(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

/// Replaces one character in the middle of a base64url segment, keeping it base64url.
fn flip(segment: &str) -> String {
    let mut bytes = segment.as_bytes().to_vec();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn hostile_tokens_are_rejected_with_their_reason() {
    let (_clock, _source, v) = setup();
    let a = key_a();
    let good = a.mint(&session_claims());
    let parts = split(&good);

    let none_token = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "kid": a.kid}).to_string().as_bytes()),
        parts[1]
    );
    let hs256_with_public_key = {
        let header = b64(json!({"alg": "HS256", "kid": a.kid}).to_string().as_bytes());
        let message = format!("{header}.{}", parts[1]);
        let key = hmac::Key::new(hmac::HMAC_SHA256, &a.public_der());
        let tag = hmac::sign(&key, message.as_bytes());
        format!("{message}.{}", b64(tag.as_ref()))
    };
    let unknown_kid = key_b().mint(&session_claims());
    let tampered_payload = {
        let claims = with(session_claims(), "roles", json!(["admin", "superadmin"]));
        format!(
            "{}.{}.{}",
            parts[0],
            b64(claims.to_string().as_bytes()),
            parts[2]
        )
    };
    let tampered_signature = format!("{}.{}.{}", parts[0], parts[1], flip(&parts[2]));
    let expired = a.mint(&with(session_claims(), "exp", json!(NOW - 100)));
    let not_yet = a.mint(&with(session_claims(), "nbf", json!(NOW + 100)));
    let foreign_iss = a.mint(&with(session_claims(), "iss", json!("P2someoneElse")));
    let foreign_url_iss = a.mint(&with(
        session_claims(),
        "iss",
        json!("https://api.descope.com/P2someoneElse"),
    ));
    let missing_iss = a.mint(&with(session_claims(), "iss", Value::Null));
    let missing_exp = a.mint(&with(session_claims(), "exp", Value::Null));
    let refresh = a.mint(&refresh_claims());
    let truncated_payload = good[..parts[0].len() + 1 + parts[1].len() / 2].to_owned();
    let truncated_header = parts[0].clone();
    let bad_header = format!("{}*.{}.{}", parts[0], parts[1], parts[2]);
    let bad_payload = format!("{}.{}!.{}", parts[0], parts[1], parts[2]);
    let bad_signature = format!("{}.{}.{}$", parts[0], parts[1], parts[2]);

    let table: Vec<(&str, String, TokenErrorReason)> = vec![
        ("alg none", none_token, DisallowedAlgorithm),
        (
            "HS256 signed with the RSA public key",
            hs256_with_public_key,
            DisallowedAlgorithm,
        ),
        ("unknown kid", unknown_kid, UnknownKey),
        ("tampered payload", tampered_payload, BadSignature),
        ("tampered signature", tampered_signature, BadSignature),
        ("expired", expired, Expired),
        ("nbf in the future", not_yet, NotYetValid),
        ("foreign iss", foreign_iss, WrongIssuer),
        ("foreign URL iss", foreign_url_iss, WrongIssuer),
        ("missing iss", missing_iss, MissingIssuer),
        ("missing exp", missing_exp, MissingExpiry),
        ("refresh token as session", refresh, WrongTokenType),
        ("truncated in the payload", truncated_payload, Malformed),
        ("truncated to the header", truncated_header, Malformed),
        ("non-base64 header", bad_header, Malformed),
        ("non-base64 payload", bad_payload, Malformed),
        ("non-base64 signature", bad_signature, Malformed),
        ("empty", String::new(), Empty),
    ];
    for (name, token, reason) in table {
        assert_eq!(session_reason(&v, &token).await, reason, "{name}");
    }
    // The good token itself passes: every rejection above is due to its one defect.
    v.validate_session(&SessionToken::new(good)).await.unwrap();
}

#[tokio::test]
async fn session_token_is_not_a_refresh_token() {
    let (_clock, _source, v) = setup();
    let session = key_a().mint(&session_claims());
    let error = v
        .validate_refresh(&RefreshToken::new(session))
        .await
        .unwrap_err();
    assert_eq!(error.token_reason(), Some(WrongTokenType));

    let refresh = v
        .validate_refresh(&RefreshToken::new(key_a().mint(&refresh_claims())))
        .await
        .unwrap();
    assert_eq!(refresh.user_id(), "U2user");
    assert_eq!(refresh.project_id(), PID);
}

#[tokio::test]
async fn more_malformed_and_missing_claims() {
    let (_clock, source, v) = setup();
    let a = key_a();
    let cases: Vec<(&str, String, TokenErrorReason)> = vec![
        (
            "no kid",
            a.mint_with_header(&json!({"alg": "RS256"}), &session_claims()),
            UnknownKey,
        ),
        (
            "four segments",
            format!("{}.x", a.mint(&session_claims())),
            Malformed,
        ),
        (
            "header not JSON",
            format!("{}.e30.e30", b64(b"{alg")),
            Malformed,
        ),
        (
            "header without alg",
            format!("{}.e30.e30", b64(b"{\"kid\":\"x\"}")),
            Malformed,
        ),
        (
            "exp of the wrong type",
            a.mint(&with(session_claims(), "exp", json!("tomorrow"))),
            Malformed,
        ),
        (
            "iat in the future",
            a.mint(&with(session_claims(), "iat", json!(NOW + 60))),
            NotYetValid,
        ),
        (
            "no drn",
            a.mint(&with(session_claims(), "drn", Value::Null)),
            WrongTokenType,
        ),
        (
            "no subject",
            a.mint(&with(session_claims(), "sub", Value::Null)),
            MissingSubject,
        ),
        (
            "HS512",
            format!("{}.e30.e30", b64(b"{\"alg\":\"HS512\"}")),
            DisallowedAlgorithm,
        ),
        (
            "RS384 not allowed",
            a.mint_with_header(&json!({"alg": "RS384", "kid": a.kid}), &session_claims()),
            DisallowedAlgorithm,
        ),
    ];
    for (name, token, reason) in cases {
        assert_eq!(session_reason(&v, &token).await, reason, "{name}");
    }
    // Only the tokens that got as far as the key lookup (a well-formed header naming an
    // allowed algorithm) may have caused the one fetch.
    assert_eq!(source.count(), 1);
}

#[tokio::test]
async fn malformed_tokens_never_fetch_keys() {
    let (_clock, source, v) = setup();
    for token in ["", "a", "a.b", "a.b.c", "e30.e30.e30", "x.y.z.w"] {
        v.validate_session(&SessionToken::new(token))
            .await
            .unwrap_err();
    }
    assert_eq!(source.count(), 0);
}

#[tokio::test]
async fn accepted_session_exposes_its_claims() {
    let (_clock, _source, v) = setup();
    let claims = json!({
        "sub": "U2sub",
        "dsub": "U2dsub",
        "iss": PID,
        "iat": NOW,
        "exp": NOW + 600,
        "drn": "DS",
        "amr": ["oauth", "totp"],
        "roles": ["admin"],
        "permissions": ["read"],
        "tenants": {"T1": {"roles": ["editor"]}},
        "dct": "T1",
        "plan": "gold",
    });
    let token = key_a().mint(&claims);
    let session = v
        .validate_session(&SessionToken::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(session.user_id(), "U2dsub");
    assert_eq!(session.project_id(), PID);
    assert_eq!(session.expires_at(), NOW + 600);
    assert_eq!(session.issued_at(), Some(NOW));
    assert_eq!(session.roles(), ["admin"]);
    assert_eq!(session.permissions(), ["read"]);
    assert_eq!(session.tenants()["T1"].roles, ["editor"]);
    assert_eq!(session.current_tenant(), Some("T1"));
    assert_eq!(session.amr(), ["oauth", "totp"]);
    assert!(session.is_mfa());
    assert_eq!(session.claim("plan"), Some(&json!("gold")));
    assert_eq!(session.claim("sub"), None);
    assert_eq!(session.claims().sub.as_deref(), Some("U2sub"));
    assert_eq!(session.token().secret(), token);
}

#[tokio::test]
async fn issuer_forms_naming_the_project_are_accepted() {
    let (_clock, _source, v) = setup();
    for iss in [
        PID.to_owned(),
        format!("https://api.descope.com/{PID}"),
        format!("https://auth.example.com/{PID}/"),
        format!("https://api.descope.com/v1/apps/{PID}/mcp"),
    ] {
        let token = key_a().mint(&with(session_claims(), "iss", json!(iss)));
        let session = v.validate_session(&SessionToken::new(token)).await;
        assert_eq!(session.unwrap().project_id(), PID, "{iss}");
    }
    for iss in [
        format!("https://{PID}"),
        format!("https://api.descope.com/{PID}/a/b"),
        format!("{PID}x"),
    ] {
        let token = key_a().mint(&with(session_claims(), "iss", json!(iss)));
        assert_eq!(session_reason(&v, &token).await, WrongIssuer, "{iss}");
    }
}

#[tokio::test]
async fn audience_is_checked_only_when_configured() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let open = validator(config(&clock), source.clone());
    let mut with_aud = config(&clock);
    with_aud.audiences = vec!["my-app".into(), "my-other-app".into()];
    let strict = validator(with_aud, source);

    let one = key_a().mint(&with(session_claims(), "aud", json!("my-other-app")));
    let many = key_a().mint(&with(session_claims(), "aud", json!(["x", "my-app"])));
    let other = key_a().mint(&with(session_claims(), "aud", json!("someone-else")));
    let none = key_a().mint(&session_claims());

    for token in [&one, &many, &other, &none] {
        open.validate_session(&SessionToken::new(token.as_str()))
            .await
            .unwrap();
    }
    strict
        .validate_session(&SessionToken::new(one))
        .await
        .unwrap();
    strict
        .validate_session(&SessionToken::new(many))
        .await
        .unwrap();
    assert_eq!(session_reason(&strict, &other).await, WrongAudience);
    assert_eq!(session_reason(&strict, &none).await, WrongAudience);
    // Refresh tokens are meant for Descope: the app's audience does not apply.
    strict
        .validate_refresh(&RefreshToken::new(key_a().mint(&refresh_claims())))
        .await
        .unwrap();
}

#[tokio::test]
async fn leeway_edges_follow_the_clock() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let mut cfg = config(&clock);
    cfg.token_cache_capacity = 0; // every call takes the full path
    let v = validator(cfg, source.clone());
    let exp_now = key_a().mint(&with(session_claims(), "exp", json!(NOW)));
    let nbf_soon = key_a().mint(&with(session_claims(), "nbf", json!(NOW + 5)));

    clock.set(NOW + 4);
    v.validate_session(&SessionToken::new(exp_now.as_str()))
        .await
        .unwrap();
    clock.set(NOW + 5);
    assert_eq!(session_reason(&v, &exp_now).await, Expired);

    clock.set(NOW);
    v.validate_session(&SessionToken::new(nbf_soon.as_str()))
        .await
        .unwrap();
    clock.set(NOW - 1);
    assert_eq!(session_reason(&v, &nbf_soon).await, NotYetValid);

    // With no leeway, `exp` itself is already too late.
    let mut strict = config(&clock);
    strict.leeway = Duration::ZERO;
    let v = validator(strict, source);
    clock.set(NOW - 1);
    v.validate_session(&SessionToken::new(exp_now.as_str()))
        .await
        .unwrap();
    clock.set(NOW);
    assert_eq!(session_reason(&v, &exp_now).await, Expired);
}

#[tokio::test]
async fn static_key_is_exclusive() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk(), key_b().jwk()]);
    let mut cfg = config(&clock);
    cfg.public_key = Some(key_a().jwk());
    let v = validator(cfg, source.clone());

    v.validate_session(&SessionToken::new(key_a().mint(&session_claims())))
        .await
        .unwrap();
    let no_kid = key_a().mint_with_header(&json!({"alg": "RS256"}), &session_claims());
    v.validate_session(&SessionToken::new(no_kid))
        .await
        .unwrap();
    // kid-b is in the source's key set, but a pinned key is the only key.
    let b = key_b().mint(&session_claims());
    assert_eq!(session_reason(&v, &b).await, UnknownKey);
    // Signed by b but claiming a's kid: the pinned key does not verify it.
    let forged =
        key_b().mint_with_header(&json!({"alg": "RS256", "kid": "kid-a"}), &session_claims());
    assert_eq!(session_reason(&v, &forged).await, BadSignature);
    assert_eq!(source.count(), 0);
}

#[tokio::test]
async fn header_alg_must_equal_the_keys_alg() {
    let clock = ManualClock::new(NOW);
    let mut jwk = key_a().jwk();
    jwk.alg = Some("RS384".into());
    let source = CountingSource::serving(vec![jwk]);
    let mut cfg = config(&clock);
    cfg.algorithms = vec![SigningAlgorithm::RS256, SigningAlgorithm::RS384];
    let v = validator(cfg, source);
    let token = key_a().mint(&session_claims()); // header says RS256
    assert_eq!(session_reason(&v, &token).await, DisallowedAlgorithm);
}

#[tokio::test]
async fn configured_algorithms_apply() {
    let clock = ManualClock::new(NOW);
    let ec = EcKey::generate("kid-ec");
    let source = CountingSource::serving(vec![key_a().jwk(), ec.jwk()]);
    let mut cfg = config(&clock);
    cfg.algorithms = vec![SigningAlgorithm::ES256];
    let v = validator(cfg, source.clone());
    v.validate_session(&SessionToken::new(ec.mint(&session_claims())))
        .await
        .unwrap();
    let rsa = key_a().mint(&session_claims());
    assert_eq!(session_reason(&v, &rsa).await, DisallowedAlgorithm);

    // The default allows RS256 only.
    let v = validator(config(&clock), source);
    let es = ec.mint(&session_claims());
    assert_eq!(session_reason(&v, &es).await, DisallowedAlgorithm);
}

#[test]
fn bad_configurations_are_rejected() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![]);
    let check = |cfg| {
        let error = descope_flows::SessionValidator::new(cfg, source.clone()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Configuration);
    };
    let mut cfg = config(&clock);
    cfg.project_id = " ".into();
    check(cfg);
    let mut cfg = config(&clock);
    cfg.algorithms.clear();
    check(cfg);
    let mut cfg = config(&clock);
    cfg.public_key = Some(descope_types::Jwk {
        kty: "oct".into(),
        ..Default::default()
    });
    check(cfg);
    // An RSA key while only ES256 is allowed.
    let mut cfg = config(&clock);
    cfg.public_key = Some(key_a().jwk());
    cfg.algorithms = vec![SigningAlgorithm::ES256];
    check(cfg);
}
