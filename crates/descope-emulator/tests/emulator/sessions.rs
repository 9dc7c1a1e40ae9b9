//! Sessions (item 8): refresh, rotation, revocation, logout-all, me, tenants, history,
//! validate, access keys.

use descope_emulator::{EmulatorConfig, Seed, SeedUserTenant, SigningKey};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn refresh_keeps_refresh_token_without_rotation() {
    let env = start().await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt");
    // Go sends no body; Python `{}`.
    for body in [Value::Null, json!({})] {
        let (status, renewed) = env.post("/v1/auth/refresh", Some(refresh), body).await;
        assert_eq!(status, 200, "{renewed}");
        assert_eq!(renewed["refreshJwt"], refresh);
        assert_eq!(renewed["firstSeen"], false);
        let claims = env.verify(str_of(&renewed, "sessionJwt")).await;
        assert_eq!(claims["sub"], jwt["user"]["userId"]);
        assert_eq!(claims["amr"], json!(["oauth"]));
    }
    let no_token = env.post("/v1/auth/refresh", None, json!({})).await;
    assert_error(&no_token, 401, "E011002");
    // try-refresh without a token is not an error.
    let (status, empty) = env.post("/v1/auth/try-refresh", None, json!({})).await;
    assert_eq!((status.as_u16(), empty), (200, json!({})));
    let (status, _) = env
        .post("/v1/auth/try-refresh", Some(refresh), json!({}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn rotation_replaces_and_revokes() {
    let env = start_with(EmulatorConfig {
        refresh_rotation: true,
        ..EmulatorConfig::default()
    })
    .await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let old = str_of(&jwt, "refreshJwt");
    let (status, renewed) = env.post("/v1/auth/refresh", Some(old), json!({})).await;
    assert_eq!(status, 200);
    let new = str_of(&renewed, "refreshJwt");
    assert_ne!(new, old);
    env.verify(new).await;
    let reused = env.post("/v1/auth/refresh", Some(old), json!({})).await;
    assert_error(&reused, 401, "E064001");
    let (status, _) = env.post("/v1/auth/refresh", Some(new), json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalid_refresh_tokens_are_401() {
    let env = start().await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let session = str_of(&jwt, "sessionJwt");
    let refresh = str_of(&jwt, "refreshJwt");

    let session_typed = env.post("/v1/auth/refresh", Some(session), json!({})).await;
    assert_error(&session_typed, 401, "E011004");
    let garbage = env
        .post("/v1/auth/refresh", Some("not-a-jwt"), json!({}))
        .await;
    assert_error(&garbage, 401, "E011004");

    // Same claims, foreign key.
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(refresh)
        .unwrap()
        .claims;
    let forged = SigningKey::generate().unwrap().sign_jwt(&claims).unwrap();
    let r = env.post("/v1/auth/refresh", Some(&forged), json!({})).await;
    assert_error(&r, 401, "E011004");
    // Tampered payload, original signature.
    let parts: Vec<&str> = refresh.split('.').collect();
    let mut tampered_claims = claims.clone();
    tampered_claims["sub"] = json!("U2someoneelse");
    let payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        tampered_claims.to_string(),
    );
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    let r = env
        .post("/v1/auth/refresh", Some(&tampered), json!({}))
        .await;
    assert_error(&r, 401, "E011004");

    // Expired (clock moved past 4 weeks).
    env.control(
        "/emulator/clock",
        json!({"offsetSeconds": 4 * 7 * 24 * 3600 + 1}),
    )
    .await;
    let expired = env.post("/v1/auth/refresh", Some(refresh), json!({})).await;
    assert_error(&expired, 401, "E011004");
}

#[tokio::test]
async fn logout_and_logout_all() {
    let env = start().await;
    let a = env.oauth_sign_in("ada@example.com").await;
    let b = env.oauth_sign_in("ada@example.com").await;
    let c = env.oauth_sign_in("grace@acme.example").await;
    let (ra, rb, rc) = (
        str_of(&a, "refreshJwt"),
        str_of(&b, "refreshJwt"),
        str_of(&c, "refreshJwt"),
    );

    let (status, out) = env.post("/v1/auth/logout", Some(ra), Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(out["sessionJwt"], "");
    assert_eq!(out["refreshJwt"], "");
    assert_eq!(out["cookiePath"], "/");
    assert_error(
        &env.post("/v1/auth/refresh", Some(ra), json!({})).await,
        401,
        "E064001",
    );
    assert_error(&env.get("/v1/auth/me", Some(ra)).await, 401, "E064001");
    assert_eq!(
        env.post("/v1/auth/refresh", Some(rb), json!({})).await.0,
        200
    );

    let d = env.oauth_sign_in("ada@example.com").await;
    let (status, _) = env
        .post(
            "/v1/auth/logoutall",
            Some(str_of(&d, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_error(
        &env.post("/v1/auth/refresh", Some(rb), json!({})).await,
        401,
        "E064001",
    );
    // Another user's session survives.
    assert_eq!(
        env.post("/v1/auth/refresh", Some(rc), json!({})).await.0,
        200
    );
    assert_error(
        &env.post("/v1/auth/logout", None, json!({})).await,
        401,
        "E011002",
    );
}

#[tokio::test]
async fn me_tenants_select_and_history() {
    let env = start().await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let refresh = str_of(&jwt, "refreshJwt");

    let (status, me) = env.get("/v1/auth/me", Some(refresh)).await;
    assert_eq!(status, 200);
    for key in [
        "OAuth",
        "SAML",
        "SCIM",
        "TOTP",
        "createdTime",
        "customAttributes",
        "email",
        "externalIds",
        "familyName",
        "givenName",
        "loginIds",
        "middleName",
        "name",
        "password",
        "permissions",
        "phone",
        "picture",
        "roleNames",
        "ssoAppIds",
        "status",
        "test",
        "userId",
        "userTenants",
        "verifiedEmail",
        "verifiedPhone",
        "webauthn",
    ] {
        assert!(me.get(key).is_some(), "me lacks {key}: {me}");
    }
    assert_eq!(me["userTenants"][0]["tenantName"], "Acme");

    let not_member = env
        .post(
            "/v1/auth/tenant/select",
            Some(refresh),
            json!({"tenant": "T2EmulatorTenantGlobex"}),
        )
        .await;
    assert_error(&not_member, 400, "E011004");
    let (status, selected) = env
        .post(
            "/v1/auth/tenant/select",
            Some(refresh),
            json!({"tenant": "T2EmulatorTenantAcme"}),
        )
        .await;
    assert_eq!(status, 200);
    let claims = env.verify(str_of(&selected, "sessionJwt")).await;
    assert_eq!(claims["dct"], "T2EmulatorTenantAcme");
    // The selection sticks to the session across refreshes.
    let (_, renewed) = env.post("/v1/auth/refresh", Some(refresh), json!({})).await;
    assert_eq!(
        env.verify(str_of(&renewed, "sessionJwt")).await["dct"],
        "T2EmulatorTenantAcme"
    );

    let (_, tenants) = env
        .post("/v1/auth/me/tenants", Some(refresh), json!({"dct": true}))
        .await;
    assert_eq!(
        tenants,
        json!({"tenants": [{"id": "T2EmulatorTenantAcme", "name": "Acme"}]})
    );
    let (_, tenants) = env
        .post(
            "/v1/auth/me/tenants",
            Some(refresh),
            json!({"dct": false, "ids": ["T2EmulatorTenantAcme", "T2EmulatorTenantGlobex"]}),
        )
        .await;
    assert_eq!(tenants["tenants"].as_array().unwrap().len(), 1);

    env.oauth_sign_in("ada@example.com").await;
    let (status, history) = env.get("/v1/auth/me/history", Some(refresh)).await;
    assert_eq!(status, 200);
    let history = history.as_array().expect("bare array");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["userId"], jwt["user"]["userId"]);
    assert_eq!(history[0]["ip"], "127.0.0.1");
    assert!(history[0]["loginTime"].as_i64().unwrap() > 0);
    let missing = env
        .post("/v1/auth/tenant/select", Some(refresh), json!({}))
        .await;
    assert_error(&missing, 400, "E011003");
}

#[tokio::test]
async fn session_lifetime_audience_and_validate() {
    let env = start_with(EmulatorConfig {
        session_ttl_seconds: 60,
        refresh_ttl_seconds: 3600,
        audience: Some("my-app".to_owned()),
        ..EmulatorConfig::default()
    })
    .await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let session = str_of(&jwt, "sessionJwt");
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(session)
        .unwrap()
        .claims;
    assert_eq!(claims["aud"], "my-app");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    assert_eq!(jwt["sessionExpiration"], claims["exp"]);
    assert_eq!(jwt["cookieMaxAge"], 3600);
    assert_eq!(jwt["claims"]["sub"], claims["sub"]);

    let (status, validated) = env
        .post("/v1/auth/validate", Some(session), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(validated["parsedJWT"]["sub"], claims["sub"]);
    env.control("/emulator/clock", json!({"offsetSeconds": 61}))
        .await;
    let expired = env
        .post("/v1/auth/validate", Some(session), json!({}))
        .await;
    assert_error(&expired, 401, "E011004");
}

#[tokio::test]
async fn access_key_exchange() {
    let mut seed = Seed::demo();
    seed.access_keys[0].tenants = vec![SeedUserTenant {
        tenant_id: "T1".to_owned(),
        roles: Vec::new(),
    }];
    let env = start_with(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await;
    let (status, exchanged) = env
        .post(
            "/v1/auth/accesskey/exchange",
            Some("emulator-access-key-0001"),
            json!({"loginOptions": {"customClaims": {"team": "ops"}, "selectedTenant": "T1"}}),
        )
        .await;
    assert_eq!(status, 200, "{exchanged}");
    assert_eq!(exchanged["keyId"], "K2EmulatorAccessKey0001");
    let claims = env.verify(str_of(&exchanged, "sessionJwt")).await;
    assert_eq!(claims["sub"], "K2EmulatorAccessKey0001");
    assert_eq!(claims["roles"], json!(["viewer"]));
    assert_eq!(claims["team"], "ops");
    assert_eq!(claims["dct"], "T1");
    assert_eq!(exchanged["expiration"], claims["exp"]);
    let wrong = env
        .post("/v1/auth/accesskey/exchange", Some("nope"), json!({}))
        .await;
    assert_error(&wrong, 401, "E062803");
    let missing = env
        .post("/v1/auth/accesskey/exchange", None, json!({}))
        .await;
    assert_error(&missing, 401, "E062802");
}

#[tokio::test]
async fn validate_needs_a_live_session_token() {
    let env = start_with(EmulatorConfig {
        refresh_rotation: true,
        ..EmulatorConfig::default()
    })
    .await;
    let jwt = env.oauth_sign_in("ada@example.com").await;
    let (session, refresh) = (str_of(&jwt, "sessionJwt"), str_of(&jwt, "refreshJwt"));
    let (status, _) = env
        .post("/v1/auth/validate", Some(session), json!({}))
        .await;
    assert_eq!(status, 200);

    // A refresh token is not a session token.
    let refresh_typed = env
        .post("/v1/auth/validate", Some(refresh), json!({}))
        .await;
    assert_error(&refresh_typed, 401, "E011004");

    // Rotation continues the session: tokens from before and after it both validate.
    let (_, renewed) = env.post("/v1/auth/refresh", Some(refresh), json!({})).await;
    let renewed_session = str_of(&renewed, "sessionJwt");
    for token in [session, renewed_session] {
        let (status, body) = env.post("/v1/auth/validate", Some(token), json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    // Logout ends the session for every token of it; other sessions live on.
    let other = env.oauth_sign_in("ada@example.com").await;
    env.post(
        "/v1/auth/logout",
        Some(str_of(&renewed, "refreshJwt")),
        json!({}),
    )
    .await;
    for token in [session, renewed_session] {
        let revoked = env.post("/v1/auth/validate", Some(token), json!({})).await;
        assert_error(&revoked, 401, "E064001");
    }
    let other_session = str_of(&other, "sessionJwt");
    let (status, _) = env
        .post("/v1/auth/validate", Some(other_session), json!({}))
        .await;
    assert_eq!(status, 200);
    env.post(
        "/v1/auth/logoutall",
        Some(str_of(&other, "refreshJwt")),
        json!({}),
    )
    .await;
    let revoked = env
        .post("/v1/auth/validate", Some(other_session), json!({}))
        .await;
    assert_error(&revoked, 401, "E064001");

    // A reset forgets every session.
    let fresh = env.oauth_sign_in("grace@acme.example").await;
    env.control("/emulator/reset", json!({})).await;
    let forgotten = env
        .post(
            "/v1/auth/validate",
            Some(str_of(&fresh, "sessionJwt")),
            json!({}),
        )
        .await;
    assert_error(&forgotten, 401, "E011004");

    // Access-key sessions have no refresh session and validate while the key exists.
    let (_, exchanged) = env
        .post(
            "/v1/auth/accesskey/exchange",
            Some("emulator-access-key-0001"),
            json!({}),
        )
        .await;
    let (status, body) = env
        .post(
            "/v1/auth/validate",
            Some(str_of(&exchanged, "sessionJwt")),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The answer `/v1/auth/tenant/select` gives for a tenant the user is not a member of.
async fn non_member_error(env: &Env, refresh: &str) -> Value {
    let refused = env
        .post(
            "/v1/auth/tenant/select",
            Some(refresh),
            json!({"tenant": "T2EmulatorTenantGlobex"}),
        )
        .await;
    assert_error(&refused, 400, "E011004");
    refused.1
}

#[tokio::test]
async fn tenant_selected_at_sign_in_needs_membership() {
    let env = start().await;
    let ada = env.oauth_sign_in("ada@example.com").await;
    let expected = non_member_error(&env, str_of(&ada, "refreshJwt")).await;
    let globex = json!({"tenantId": "T2EmulatorTenantGlobex"});

    // OAuth web: ada is in Acme only.
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize?provider=google&loginHint=ada@example.com",
            None,
            globex.clone(),
        )
        .await;
    let refused = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!((refused.0.as_u16(), &refused.1), (400, &expected));
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize?provider=google&loginHint=ada@example.com",
            None,
            json!({"tenantId": "T2EmulatorTenantAcme"}),
        )
        .await;
    let (status, jwt) = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(
        env.verify(str_of(&jwt, "sessionJwt")).await["dct"],
        "T2EmulatorTenantAcme"
    );

    // A refused sign-in leaves no user behind.
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize?provider=google&loginHint=newbie@example.com",
            None,
            globex.clone(),
        )
        .await;
    let refused = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!((refused.0.as_u16(), &refused.1), (400, &expected));
    let (_, users) = env.get("/emulator/users", None).await;
    assert!(!users.to_string().contains("newbie@example.com"), "{users}");

    // SSO: signing in through Acme makes a member of Acme, not of Globex.
    let code = env
        .code_via(
            "/v1/auth/sso/authorize?tenant=T2EmulatorTenantAcme&loginHint=new%40acme.example",
            None,
            globex.clone(),
        )
        .await;
    let refused = env
        .post("/v1/auth/sso/exchange", None, json!({"code": code}))
        .await;
    assert_eq!((refused.0.as_u16(), &refused.1), (400, &expected));
    let code = env
        .code_via(
            "/v1/auth/sso/authorize?tenant=T2EmulatorTenantAcme&loginHint=new%40acme.example",
            None,
            json!({"tenantId": "T2EmulatorTenantAcme"}),
        )
        .await;
    let (status, jwt) = env
        .post("/v1/auth/sso/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{jwt}");

    // TOTP.
    let (status, enrolled) = env
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "tot@example.com"}),
        )
        .await;
    assert_eq!(status, 200);
    let key = str_of(&enrolled, "key").to_owned();
    let refused = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot@example.com", "code": totp_code(&key, now()), "loginOptions": globex}),
        )
        .await;
    assert_eq!((refused.0.as_u16(), &refused.1), (400, &expected));

    // Native OAuth.
    let (_, started) = env
        .post(
            "/v1/auth/oauth/native/start",
            None,
            json!({"provider": "apple", "loginOptions": globex}),
        )
        .await;
    let grant = env
        .control(
            "/emulator/native/authorize",
            json!({"provider": "apple", "nonce": started["nonce"], "loginId": "ada@example.com"}),
        )
        .await;
    let refused = env
        .post(
            "/v1/auth/oauth/native/finish",
            None,
            json!({"provider": "apple", "stateId": started["stateId"], "code": grant["code"]}),
        )
        .await;
    assert_eq!((refused.0.as_u16(), &refused.1), (400, &expected));

    // Access keys: the key's own tenants only (the demo key has none).
    let refused = env
        .post(
            "/v1/auth/accesskey/exchange",
            Some("emulator-access-key-0001"),
            json!({"loginOptions": {"selectedTenant": "T2EmulatorTenantGlobex"}}),
        )
        .await;
    assert_eq!((refused.0.as_u16(), &refused.1), (400, &expected));
}
