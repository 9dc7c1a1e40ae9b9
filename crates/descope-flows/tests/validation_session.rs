//! The validated session: role and permission helpers, redaction, the verified-token cache.

mod validation_support;

use descope_flows::{Session, TokenErrorReason};
use descope_types::{RefreshToken, SessionToken};
use serde_json::{Value, json};
use validation_support::*;

async fn session_with(extra: Value) -> Session {
    let clock = ManualClock::new(NOW);
    let v = validator(config(&clock), CountingSource::serving(vec![key_a().jwk()]));
    let mut claims = session_claims();
    for (k, val) in extra.as_object().unwrap() {
        claims = with(claims, k, val.clone());
    }
    v.validate_session(&SessionToken::new(key_a().mint(&claims)))
        .await
        .unwrap()
}

#[tokio::test]
async fn project_level_roles_and_permissions() {
    let s =
        session_with(json!({"roles": ["admin", "viewer"], "permissions": ["read", "write"]})).await;
    assert!(s.validate_roles(&["admin"]));
    assert!(s.validate_roles(&["viewer", "admin"]));
    assert!(!s.validate_roles(&["admin", "owner"]));
    assert!(s.validate_roles::<&str>(&[]));
    assert_eq!(
        s.get_matched_roles(&["owner", "viewer", "admin"]),
        ["viewer", "admin"]
    );
    let wanted = vec!["write".to_owned(), "delete".to_owned()];
    assert!(!s.validate_permissions(&wanted));
    assert_eq!(s.get_matched_permissions(&wanted), ["write"]);
    // Project-level checks never look inside tenants.
    assert!(!s.validate_roles(&["tenant-only"]));
}

#[tokio::test]
async fn tenant_roles_come_from_the_tenant_entry() {
    let s = session_with(json!({
        "roles": ["project-admin"],
        "tenants": {
            "T1": {"roles": ["editor"], "permissions": ["edit"]},
            "T2": {}
        }
    }))
    .await;
    assert!(s.is_associated_with_tenant("T1"));
    assert!(s.validate_tenant_roles("T1", &["editor"]));
    assert!(!s.validate_tenant_roles("T1", &["project-admin"]));
    assert_eq!(
        s.get_matched_tenant_roles("T1", &["editor", "x"]),
        ["editor"]
    );
    assert!(s.validate_tenant_permissions("T1", &["edit"]));
    assert_eq!(
        s.get_matched_tenant_permissions("T1", &["edit", "x"]),
        ["edit"]
    );
    // A member with nothing granted passes an empty requirement only.
    assert!(s.validate_tenant_roles::<&str>("T2", &[]));
    assert!(!s.validate_tenant_roles("T2", &["editor"]));
    // Not a member: nothing, not even an empty requirement.
    assert!(!s.is_associated_with_tenant("T3"));
    assert!(!s.validate_tenant_roles::<&str>("T3", &[]));
    assert!(s.get_matched_tenant_roles("T3", &["editor"]).is_empty());
}

#[tokio::test]
async fn selected_tenant_without_tenants_claim_uses_top_level_claims() {
    // After tenant selection a token may carry `dct` and only top-level roles.
    let s = session_with(json!({
        "roles": ["editor"],
        "permissions": ["edit"],
        "dct": "T9"
    }))
    .await;
    assert!(s.is_associated_with_tenant("T9"));
    assert!(s.validate_tenant_roles("T9", &["editor"]));
    assert_eq!(
        s.get_matched_tenant_permissions("T9", &["edit", "x"]),
        ["edit"]
    );
    assert!(!s.validate_tenant_roles("T8", &["editor"]));
}

#[tokio::test]
async fn selected_tenant_missing_from_tenants_claim_grants_nothing() {
    let s = session_with(json!({
        "roles": ["editor"],
        "tenants": {"T1": {"roles": ["viewer"]}},
        "dct": "T9"
    }))
    .await;
    assert!(s.is_associated_with_tenant("T9"));
    assert!(s.validate_tenant_roles::<&str>("T9", &[]));
    assert!(!s.validate_tenant_roles("T9", &["editor"]));
    assert!(s.validate_tenant_roles("T1", &["viewer"]));
}

#[tokio::test]
async fn debug_output_never_contains_the_token() {
    let clock = ManualClock::new(NOW);
    let v = validator(config(&clock), CountingSource::serving(vec![key_a().jwk()]));
    let session_jwt = key_a().mint(&session_claims());
    let refresh_jwt = key_a().mint(&refresh_claims());
    let session = v
        .validate_session(&SessionToken::new(session_jwt.as_str()))
        .await
        .unwrap();
    let refresh = v
        .validate_refresh(&RefreshToken::new(refresh_jwt.as_str()))
        .await
        .unwrap();
    let error = v
        .validate_session(&SessionToken::new(refresh_jwt.as_str()))
        .await
        .unwrap_err();
    let printed = [
        format!("{session:?}"),
        format!("{session:#?}"),
        format!("{refresh:?}"),
        format!("{error:?}"),
        format!("{error}"),
        format!("{v:?}"),
    ];
    for text in printed {
        for jwt in [&session_jwt, &refresh_jwt] {
            // No whole token, and none of its segments.
            for segment in jwt.split('.') {
                assert!(!text.contains(segment), "{text}");
            }
        }
    }
    assert!(format!("{session:?}").contains("U2user"));
}

#[tokio::test]
async fn cached_tokens_expire_at_exp() {
    let clock = ManualClock::new(NOW);
    let v = validator(config(&clock), CountingSource::serving(vec![key_a().jwk()]));
    let jwt = SessionToken::new(key_a().mint(&with(session_claims(), "exp", json!(NOW + 60))));
    let first = v.validate_session(&jwt).await.unwrap();
    // Served again (from the cache) with the same claims until exp + leeway...
    clock.set(NOW + 64);
    let again = v.validate_session(&jwt).await.unwrap();
    assert_eq!(again.claims(), first.claims());
    // ...and not a second later.
    clock.set(NOW + 65);
    let e = v.validate_session(&jwt).await.unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::Expired));
}

#[tokio::test]
async fn cache_hits_apply_the_token_type_rules() {
    let clock = ManualClock::new(NOW);
    let v = validator(config(&clock), CountingSource::serving(vec![key_a().jwk()]));
    let jwt = key_a().mint(&refresh_claims());
    v.validate_refresh(&RefreshToken::new(jwt.as_str()))
        .await
        .unwrap();
    v.validate_refresh(&RefreshToken::new(jwt.as_str()))
        .await
        .unwrap();
    let e = v
        .validate_session(&SessionToken::new(jwt))
        .await
        .unwrap_err();
    assert_eq!(e.token_reason(), Some(TokenErrorReason::WrongTokenType));
}

#[tokio::test]
async fn a_small_cache_keeps_validating_beyond_its_capacity() {
    let clock = ManualClock::new(NOW);
    let mut cfg = config(&clock);
    cfg.token_cache_capacity = 3;
    let v = validator(cfg, CountingSource::serving(vec![key_a().jwk()]));
    let tokens: Vec<SessionToken> = (0..10)
        .map(|i| {
            SessionToken::new(key_a().mint(&with(session_claims(), "sub", json!(format!("U{i}")))))
        })
        .collect();
    for round in 0..2 {
        for (i, t) in tokens.iter().enumerate() {
            let s = v.validate_session(t).await.unwrap();
            assert_eq!(s.user_id(), format!("U{i}"), "round {round}");
        }
    }
}
