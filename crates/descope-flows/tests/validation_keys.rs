//! The key cache: lazy fetch, rotation, throttling, stale keys, single flight.

mod validation_support;

use std::sync::Arc;
use std::time::Duration;

use descope_flows::{ErrorKind, SessionValidator, TokenErrorReason};
use descope_types::{Jwk, SessionToken};
use serde_json::json;
use validation_support::*;

fn token(key: &RsaKey, sub: &str) -> SessionToken {
    SessionToken::new(key.mint(&with(session_claims(), "sub", json!(sub))))
}

#[tokio::test]
async fn keys_are_fetched_lazily_once() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let v = validator(config(&clock), source.clone());
    assert_eq!(source.count(), 0);
    for i in 0..5 {
        v.validate_session(&token(key_a(), &format!("U{i}")))
            .await
            .unwrap();
    }
    assert_eq!(source.count(), 1);
}

#[tokio::test]
async fn rotation_unknown_kid_refetches_once() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let v = validator(config(&clock), source.clone());
    v.validate_session(&token(key_a(), "U1")).await.unwrap();

    source.set(Some(vec![key_a().jwk(), key_b().jwk()]));
    clock.advance(30);
    v.validate_session(&token(key_b(), "U2")).await.unwrap();
    v.validate_session(&token(key_b(), "U3")).await.unwrap();
    v.validate_session(&token(key_a(), "U4")).await.unwrap();
    assert_eq!(source.count(), 2);
}

#[tokio::test]
async fn unknown_kid_refetches_are_throttled() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let v = validator(config(&clock), source.clone());
    let stranger = RsaKey::generate("kid-stranger");

    // First sight: the cold fetch.
    let e = v
        .validate_session(&token(&stranger, "U1"))
        .await
        .unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
    assert_eq!(source.count(), 1);
    // Within the interval: no fetch, however many unknown kids arrive.
    for i in 0..20 {
        clock.advance(1);
        let e = v
            .validate_session(&token(&stranger, &format!("U{i}")))
            .await
            .unwrap_err();
        assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
    }
    assert_eq!(source.count(), 1);
    // The key is published; 29 s after the fetch it is still not asked for...
    source.set(Some(vec![key_a().jwk(), stranger.jwk()]));
    clock.advance(9);
    let e = v
        .validate_session(&token(&stranger, "U98"))
        .await
        .unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
    assert_eq!(source.count(), 1);
    // ...at 30 s it is.
    clock.advance(1);
    v.validate_session(&token(&stranger, "U99")).await.unwrap();
    assert_eq!(source.count(), 2);
}

#[tokio::test]
async fn refetch_interval_is_configurable() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let mut cfg = config(&clock);
    cfg.min_refetch_interval = Duration::ZERO;
    let v = validator(cfg, source.clone());
    for i in 0..3 {
        v.validate_session(&token(key_b(), &format!("U{i}")))
            .await
            .unwrap_err();
    }
    assert_eq!(source.count(), 3);
}

#[tokio::test]
async fn stale_keys_serve_when_a_refetch_fails() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let v = validator(config(&clock), source.clone());
    v.validate_session(&token(key_a(), "U1")).await.unwrap();

    source.set(None);
    clock.advance(31);
    let e = v.validate_session(&token(key_b(), "U2")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(source.count(), 2);
    // The known key keeps working, with no fetch.
    v.validate_session(&token(key_a(), "U3")).await.unwrap();
    // Right after a failure, callers get the same failure without a new request...
    let e = v.validate_session(&token(key_b(), "U4")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(source.count(), 2);
    // ...and a second later the fetch is retried (not after the full 30 s).
    source.set(Some(vec![key_a().jwk(), key_b().jwk()]));
    clock.advance(1);
    v.validate_session(&token(key_b(), "U5")).await.unwrap();
    assert_eq!(source.count(), 3);
}

#[tokio::test]
async fn cold_cache_failure_recovers() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![]);
    source.set(None);
    let v = validator(config(&clock), source.clone());
    let e = v.validate_session(&token(key_a(), "U1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    source.set(Some(vec![key_a().jwk()]));
    clock.advance(1);
    v.validate_session(&token(key_a(), "U1")).await.unwrap();
    assert_eq!(source.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_validations_share_one_fetch() {
    let clock = ManualClock::new(NOW);
    let source = Arc::new(CountingSource {
        gate: Some(tokio::sync::Semaphore::new(0)),
        ..Default::default()
    });
    source.set(Some(vec![key_a().jwk()]));
    let v = validator(config(&clock), source.clone());
    let tokens: Vec<SessionToken> = (0..8).map(|i| token(key_a(), &format!("U{i}"))).collect();

    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let v = v.clone();
            let t = tokens[i % tokens.len()].clone();
            tokio::spawn(
                async move { v.validate_session(&t).await.map(|s| s.user_id().to_owned()) },
            )
        })
        .collect();
    // Hold the one fetch open while the callers pile up behind it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    source.gate.as_ref().unwrap().add_permits(1);
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(source.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_a_failed_fetch() {
    let clock = ManualClock::new(NOW);
    let source = Arc::new(CountingSource {
        gate: Some(tokio::sync::Semaphore::new(0)),
        ..Default::default()
    });
    let v = validator(config(&clock), source.clone());
    let t = token(key_a(), "U1");
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (v, t) = (v.clone(), t.clone());
            tokio::spawn(async move { v.validate_session(&t).await.map(|_| ()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    source.gate.as_ref().unwrap().add_permits(1);
    for task in tasks {
        let e = task.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(e.transport_error().is_some());
    }
    assert_eq!(source.count(), 1);
}

#[tokio::test]
async fn cancelled_callers_neither_cancel_the_fetch_nor_escape_the_throttle() {
    let clock = ManualClock::new(NOW);
    let source = Arc::new(CountingSource {
        gate: Some(tokio::sync::Semaphore::new(0)),
        ..Default::default()
    });
    source.set(Some(vec![key_a().jwk()]));
    let v = validator(config(&clock), source.clone());
    // Callers with tokens naming an unknown key give up while the fetch hangs (clients
    // that disconnect): each must not start a fetch of its own.
    let unknown = token(key_b(), "U1");
    for _ in 0..20 {
        let gave_up =
            tokio::time::timeout(Duration::from_millis(5), v.validate_session(&unknown)).await;
        assert!(gave_up.is_err());
    }
    assert_eq!(source.count(), 1);
    // The fetch finishes although every caller is gone, and its keys serve the next one.
    source.gate.as_ref().unwrap().add_permits(100);
    v.validate_session(&token(key_a(), "U1")).await.unwrap();
    assert_eq!(source.count(), 1);
    // Its attempt was recorded: the unknown key stays throttled.
    for _ in 0..20 {
        let e = v.validate_session(&unknown).await.unwrap_err();
        assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
    }
    assert_eq!(source.count(), 1);
}

#[tokio::test]
async fn a_token_that_expires_while_the_keys_are_fetched_is_rejected() {
    let clock = ManualClock::new(NOW);
    let source = Arc::new(CountingSource {
        gate: Some(tokio::sync::Semaphore::new(0)),
        ..Default::default()
    });
    source.set(Some(vec![key_a().jwk()]));
    let v = validator(config(&clock), source.clone());
    // Valid for 10 more seconds (leeway 5 s) when validation starts.
    let t = SessionToken::new(key_a().mint(&with(session_claims(), "exp", json!(NOW + 5))));
    let pending = tokio::spawn({
        let v = v.clone();
        async move { v.validate_session(&t).await.map(drop) }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    clock.advance(60);
    source.gate.as_ref().unwrap().add_permits(1);
    let e = pending.await.unwrap().unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::Expired));
}

#[tokio::test]
async fn a_key_dropped_from_the_set_stops_verifying_even_cached_tokens() {
    let clock = ManualClock::new(NOW);
    let source = CountingSource::serving(vec![key_a().jwk()]);
    let v = validator(config(&clock), source.clone());
    let cached = token(key_a(), "U1");
    v.validate_session(&cached).await.unwrap();

    // Key a is withdrawn; an unknown kid triggers the refetch that learns it.
    source.set(Some(vec![key_b().jwk()]));
    clock.advance(30);
    v.validate_session(&token(key_b(), "U2")).await.unwrap();
    let e = v.validate_session(&cached).await.unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
}

#[tokio::test]
async fn unusable_keys_in_the_set_are_skipped() {
    let clock = ManualClock::new(NOW);
    let encryption = RsaKey::generate("kid-enc");
    let mut enc_jwk = encryption.jwk();
    enc_jwk.use_ = Some("enc".into());
    let hmac_jwk = Jwk {
        kty: "oct".into(),
        kid: Some("kid-oct".into()),
        alg: Some("HS256".into()),
        ..Jwk::default()
    };
    let mut mislabelled = key_b().jwk();
    mislabelled.alg = Some("ES256".into()); // an RSA key claiming an EC algorithm
    let mut no_alg = RsaKey::generate("kid-noalg").jwk();
    no_alg.alg = None;
    let source = CountingSource::serving(vec![enc_jwk, hmac_jwk, mislabelled, no_alg]);
    let mut cfg = config(&clock);
    cfg.min_refetch_interval = Duration::from_secs(3600);
    let v = validator(cfg, source);

    let e = v
        .validate_session(&token(&encryption, "U1"))
        .await
        .unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
    let e = v.validate_session(&token(key_b(), "U1")).await.unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::UnknownKey));
    // A JWK without `alg` verifies tokens of its key type; the signature decides.
    let other = RsaKey::generate("kid-noalg");
    let e = v.validate_session(&token(&other, "U1")).await.unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::BadSignature));
}

#[tokio::test]
async fn a_jwk_set_is_a_key_source() {
    let clock = ManualClock::new(NOW);
    let set = descope_types::JwkSet {
        keys: vec![key_a().jwk()],
    };
    let v = SessionValidator::new(config(&clock), Arc::new(set)).unwrap();
    v.validate_session(&token(key_a(), "U1")).await.unwrap();
}
