//! Errors and limits (item 9), projects (item 2) and JWKS forms (item 3).

use descope_emulator::{EmulatorConfig, RateLimit};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn every_error_is_descope_shaped() {
    let env = start().await;
    // Unknown path, wrong method.
    assert_error(&env.get("/v1/auth/nothing", None).await, 404, "E011001");
    assert_error(&env.get("/v1/auth/refresh", None).await, 405, "E011001");
    // Missing or malformed bearer.
    let none = env
        .http
        .post(env.url("/v1/auth/oauth/authorize?provider=google"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["errorCode"], "E011002");
    for auth in ["Basic abc", "Bearer ", "Bearer bad/project", "Bearer"] {
        let r = env
            .post_as("/v1/auth/oauth/authorize?provider=google", auth, json!({}))
            .await;
        assert_error(&r, 401, "E011002");
    }
    // Malformed JSON, wrong types, missing fields.
    let response = env
        .http
        .post(env.url("/v1/auth/oauth/exchange"))
        .header("Authorization", env.bearer(None))
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "E011003");
    let typed = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": 123456}))
        .await;
    assert_error(&typed, 400, "E011003");
    assert!(
        !typed.1.to_string().contains("123456"),
        "values are not echoed"
    );
    let missing = env
        .post("/v1/auth/totp/verify", None, json!({"code": "1"}))
        .await;
    assert_error(&missing, 400, "E011003");
    assert_eq!(missing.1["errorMessage"], "The loginId field is required");
    let no_provider = env.post("/v1/auth/oauth/authorize", None, json!({})).await;
    assert_error(&no_provider, 400, "E011003");
    assert!(
        no_provider.1["errorMessage"]
            .as_str()
            .unwrap()
            .contains("provider")
    );
    // Bad path parameter encoding on the provider page.
    let r = env
        .http
        .get(env.url("/emulator/provider/%FF/x/authorize"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let body: Value = r.json().await.unwrap();
    assert!(body["errorCode"].is_string());
    // Odd inputs never crash the server.
    for body in ["[]", "\"x\"", "1e999", "{\"loginId\":{}}", "\u{0}"] {
        let r = env
            .http
            .post(env.url("/v1/auth/totp/signup"))
            .header("Authorization", env.bearer(None))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
    }
    assert_eq!(env.get(&format!("/v2/keys/{}", env.pid), None).await.0, 200);
}

#[tokio::test]
async fn bodies_are_capped() {
    let env = start_with(EmulatorConfig {
        max_body_bytes: 1024,
        ..EmulatorConfig::default()
    })
    .await;
    let big = json!({"loginId": "x".repeat(2000)});
    let r = env.post("/v1/auth/totp/signup", None, big).await;
    assert_error(&r, 413, "E011001");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let env = start_with(EmulatorConfig {
        rate_limit: Some(RateLimit {
            requests: 3,
            window_seconds: 10,
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let path = format!("/v2/keys/{}", env.pid);
    for _ in 0..3 {
        assert_eq!(env.get(&path, None).await.0, 200);
    }
    let response = env.http.get(env.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "E130429");
    // The control API is not limited; the window follows the emulator clock.
    env.control("/emulator/clock", json!({"offsetSeconds": 11}))
        .await;
    assert_eq!(env.get(&path, None).await.0, 200);
}

#[tokio::test]
async fn projects_are_isolated_with_their_own_keys() {
    let env = start().await;
    let other = "P2AnotherProject0000000000000000";
    env.oauth_sign_in("ada@example.com").await;

    let (_, mine) = env.get(&format!("/v2/keys/{}", env.pid), None).await;
    let (_, theirs) = env.get(&format!("/v2/keys/{other}"), None).await;
    assert_ne!(mine["keys"][0]["kid"], theirs["keys"][0]["kid"]);

    // A user created in one project does not exist in the other.
    let (status, started) = env
        .post_as(
            "/v1/auth/oauth/authorize/signup?provider=google&loginHint=fresh@example.com",
            &format!("Bearer {other}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let code = code_of(&env.follow(str_of(&started, "url")).await);
    // Codes do not cross projects.
    let cross = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_error(&cross, 400, "E061301");
    let (status, jwt) = env
        .post_as(
            "/v1/auth/oauth/exchange",
            &format!("Bearer {other}"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, 200);
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(str_of(&jwt, "sessionJwt"))
        .unwrap()
        .claims;
    assert_eq!(claims["iss"], format!("{}/{other}", env.emu.base_url()));
    let refresh = str_of(&jwt, "refreshJwt");
    // The other project's refresh token is foreign here.
    assert_error(
        &env.post("/v1/auth/refresh", Some(refresh), json!({})).await,
        401,
        "E011004",
    );

    let users = env
        .http
        .get(env.url(&format!("/emulator/users?projectId={other}")))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "fresh@example.com")
    );
    let (_, mine) = env.get("/emulator/users", None).await;
    assert!(
        !mine["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "fresh@example.com")
    );
}

#[tokio::test]
async fn strict_mode_serves_only_configured_projects() {
    let env = start_with(EmulatorConfig {
        strict_projects: true,
        projects: vec!["P2Second".to_owned()],
        ..EmulatorConfig::default()
    })
    .await;
    let r = env
        .post_as(
            "/v1/auth/oauth/authorize?provider=google",
            "Bearer P2Stranger",
            json!({}),
        )
        .await;
    assert_error(&r, 401, "E011004");
    assert_eq!(env.get("/v2/keys/P2Second", None).await.0, 200);
    assert_error(&env.get("/v2/keys/P2Stranger", None).await, 401, "E011004");
}

#[tokio::test]
async fn jwks_in_three_forms() {
    let env = start().await;
    let (_, v2) = env.get(&format!("/v2/keys/{}", env.pid), None).await;
    let (_, v1) = env.get(&format!("/v1/keys/{}", env.pid), None).await;
    let (_, well_known) = env
        .get(&format!("/{}/.well-known/jwks.json", env.pid), None)
        .await;
    let keys = v2["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(v1, v2["keys"], "v1 is the bare array");
    assert_eq!(well_known, v2);
    let key = &keys[0];
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    // 2048-bit modulus: 256 bytes, 342 base64url characters.
    assert_eq!(key["n"].as_str().unwrap().len(), 342);
    assert!(key["kid"].is_string());
}
