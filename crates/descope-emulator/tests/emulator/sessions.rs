//! Sessions (item 8): refresh, rotation, revocation, logout-all, me, tenants, history,
//! validate, access keys.

use descope_emulator::{EmulatorConfig, SigningKey};
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
    let env = start().await;
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
