//! OAuth web and SSO/SAML redirect chains (item 5).

use descope_emulator::EmulatorConfig;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn oauth_chain_auto_consent_signs_in_login_hint() {
    let env = start().await;
    let (status, started) = env
        .post(
            "/v1/auth/oauth/authorize?provider=github&redirectURL=http%3A%2F%2Fapp.test%2Fcb%3Fx%3D1&loginHint=ada@example.com",
            None,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let url = str_of(&started, "url");
    assert!(
        url.starts_with(&format!("{}/emulator/provider/", env.emu.base_url())),
        "{url}"
    );

    let location = env.follow(url).await;
    assert!(
        location.starts_with("http://app.test/cb?x=1&code="),
        "{location}"
    );
    let code = code_of(&location);
    assert!(code.len() >= 32, "codes are random and long");

    let (status, jwt) = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["loginIds"][0], "ada@example.com");
    assert_eq!(jwt["user"]["OAuth"]["github"], true);
    assert_eq!(jwt["firstSeen"], true);
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["amr"], json!(["oauth"]));
    assert_eq!(claims["drn"], "DS");
    assert_eq!(claims["roles"], json!(["admin"]));
    assert_eq!(claims["permissions"], json!(["read", "write"]));
    assert_eq!(
        claims["tenants"]["T2EmulatorTenantAcme"]["roles"],
        json!(["tenant-admin"])
    );
    assert_eq!(claims["sub"], jwt["user"]["userId"]);
    assert!(claims.get("aud").is_none());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );
    let refresh = env.verify(str_of(&jwt, "refreshJwt")).await;
    assert_eq!(refresh["drn"], "DSR");
    assert_eq!(
        refresh["exp"].as_i64().unwrap() - refresh["iat"].as_i64().unwrap(),
        4 * 7 * 24 * 3600
    );

    // Single use.
    let again = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_error(&again, 400, "E061301");

    // Second sign-in: not first seen.
    let jwt = env.oauth_sign_in("ada@example.com").await;
    assert_eq!(jwt["firstSeen"], false);
}

#[tokio::test]
async fn default_redirect_default_user_and_redirect_url_spelling() {
    let env = start().await;
    let (_, started) = env
        .post("/v1/auth/oauth/authorize?provider=google", None, json!({}))
        .await;
    let location = env.follow(str_of(&started, "url")).await;
    assert!(
        location.starts_with(&EmulatorConfig::default().default_redirect_url),
        "{location}"
    );
    let (_, jwt) = env
        .post(
            "/v1/auth/oauth/exchange",
            None,
            json!({"code": code_of(&location)}),
        )
        .await;
    assert_eq!(jwt["user"]["email"], "google-user@example.com");
    assert_eq!(jwt["firstSeen"], true);

    let (_, started) = env
        .post(
            "/v1/auth/oauth/authorize?provider=google&redirectUrl=http%3A%2F%2Fother.test%2Fdone",
            None,
            Value::Null, // Go: no body at all
        )
        .await;
    let location = env.follow(str_of(&started, "url")).await;
    assert!(
        location.starts_with("http://other.test/done?code="),
        "{location}"
    );
}

#[tokio::test]
async fn codes_expire_and_flows_are_single_use() {
    let env = start().await;
    let (_, started) = env
        .post("/v1/auth/oauth/authorize?provider=google", None, json!({}))
        .await;
    let url = str_of(&started, "url").to_owned();
    let code = code_of(&env.follow(&url).await);
    // The provider page works once.
    let reused = env.http.get(&url).send().await.unwrap();
    assert_eq!(reused.status(), 400);
    let body: Value = reused.json().await.unwrap();
    assert_eq!(body["errorCode"], "E061301");

    env.control("/emulator/clock", json!({"offsetSeconds": 301}))
        .await;
    let expired = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_error(&expired, 400, "E061301");
    let unknown = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": "nope"}))
        .await;
    assert_error(&unknown, 400, "E061301");
    let empty = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": ""}))
        .await;
    assert_error(&empty, 400, "E011003");
    let missing = env.post("/v1/auth/oauth/exchange", None, json!({})).await;
    assert_error(&missing, 400, "E011003");
    assert!(missing.1["errorMessage"].as_str().unwrap().contains("code"));
}

#[tokio::test]
async fn configurable_code_lifetime() {
    let env = start_with(EmulatorConfig {
        code_ttl_seconds: 10,
        ..EmulatorConfig::default()
    })
    .await;
    let code = env
        .code_via("/v1/auth/oauth/authorize?provider=google", None, json!({}))
        .await;
    env.control("/emulator/clock", json!({"offsetSeconds": 11}))
        .await;
    let expired = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_error(&expired, 400, "E061301");
}

#[tokio::test]
async fn oauth_signup_signin_update_variants() {
    let env = start().await;
    let exists = env
        .post(
            "/v1/auth/oauth/authorize/signup?provider=google&loginHint=ada@example.com",
            None,
            json!({}),
        )
        .await;
    assert_error(&exists, 400, "E062107");
    let missing = env
        .post(
            "/v1/auth/oauth/authorize/signin?provider=google&loginHint=nobody@example.com",
            None,
            json!({}),
        )
        .await;
    assert_error(&missing, 400, "E062108");
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize/signin?provider=google&loginHint=ada@example.com",
            None,
            json!({}),
        )
        .await;
    let (status, jwt) = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(status, 200);
    let refresh = str_of(&jwt, "refreshJwt").to_owned();

    // Update needs a refresh bearer.
    let no_token = env
        .post(
            "/v1/auth/oauth/authorize/update?provider=github",
            None,
            json!({}),
        )
        .await;
    assert_error(&no_token, 401, "E011002");
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize/update?provider=github&allowAllMerge=true&loginHint=someone@else.test",
            Some(&refresh),
            json!({}),
        )
        .await;
    let (_, jwt) = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(jwt["user"]["loginIds"][0], "ada@example.com");
    assert_eq!(
        jwt["user"]["OAuth"],
        json!({"github": true, "google": true})
    );
}

#[tokio::test]
async fn oauth_stepup_keeps_prior_factors_and_custom_claims() {
    let env = start().await;
    let first = env.oauth_sign_in("ada@example.com").await;
    let refresh = str_of(&first, "refreshJwt");
    let missing = env
        .post(
            "/v1/auth/oauth/authorize?provider=google",
            None,
            json!({"stepup": true}),
        )
        .await;
    assert_error(&missing, 401, "E011002");
    let code = env
        .code_via(
            "/v1/auth/oauth/authorize?provider=google&loginHint=other@example.com",
            Some(refresh),
            json!({"stepup": true, "customClaims": {"k": "v", "sub": "ignored"}, "mfa": false}),
        )
        .await;
    let (_, jwt) = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(
        claims["sub"], first["user"]["userId"],
        "step-up keeps the user"
    );
    assert_eq!(claims["k"], "v");
    assert_eq!(claims["amr"], json!(["oauth"]));
}

#[tokio::test]
async fn sso_tenant_by_id_name_and_email_domain() {
    let env = start().await;
    for (tenant, path) in [
        ("T2EmulatorTenantAcme", "sso"),
        ("acme", "sso"),
        ("someone%40acme.example", "saml"),
    ] {
        let code = env
            .code_via(
                &format!("/v1/auth/{path}/authorize?tenant={tenant}&redirectURL=http%3A%2F%2Fapp.test%2Fcb"),
                None,
                json!({}),
            )
            .await;
        // SSO and SAML codes are interchangeable (Node uses the SAML paths for SSO).
        let exchange = if path == "sso" { "saml" } else { "sso" };
        let (status, jwt) = env
            .post(
                &format!("/v1/auth/{exchange}/exchange"),
                None,
                json!({"code": code}),
            )
            .await;
        assert_eq!(status, 200, "{jwt}");
        assert_eq!(jwt["tenantSSOID"], "T2EmulatorTenantAcme-sso");
        assert!(jwt["idpResponse"].is_object());
        assert_eq!(jwt["user"]["SAML"], true);
        let tenants = jwt["user"]["userTenants"].as_array().unwrap();
        assert!(
            tenants
                .iter()
                .any(|t| t["tenantId"] == "T2EmulatorTenantAcme")
        );
        let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
        assert_eq!(claims["amr"], json!(["fed"]));
        if tenant.contains("%40") {
            assert_eq!(jwt["user"]["email"], "someone@acme.example");
        } else {
            assert_eq!(jwt["user"]["email"], "sso-user@acme.example");
        }
    }
    let unknown = env
        .post("/v1/auth/sso/authorize?tenant=nowhere", None, json!({}))
        .await;
    assert_error(&unknown, 400, "E011001");
    let missing = env.post("/v1/auth/sso/authorize", None, json!({})).await;
    assert_error(&missing, 400, "E011003");

    // An OAuth code is not an SSO code.
    let code = env
        .code_via("/v1/auth/oauth/authorize?provider=google", None, json!({}))
        .await;
    let wrong = env
        .post("/v1/auth/sso/exchange", None, json!({"code": code}))
        .await;
    assert_error(&wrong, 400, "E061301");
}

#[tokio::test]
async fn sso_all_options_and_login_hint() {
    let env = start().await;
    let code = env
        .code_via(
            "/v1/auth/sso/authorize?tenant=T2EmulatorTenantGlobex&prompt=login&ssoId=cfg-2&loginHint=hank%40globex.example&forceAuthn=true",
            None,
            json!({}),
        )
        .await;
    let (_, jwt) = env
        .post("/v1/auth/sso/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(jwt["tenantSSOID"], "cfg-2");
    assert_eq!(jwt["user"]["email"], "hank@globex.example");
    assert_eq!(jwt["firstSeen"], true);
}

#[tokio::test]
async fn interactive_mode_serves_a_form_that_redirects() {
    let env = start_with(EmulatorConfig {
        interactive: true,
        ..EmulatorConfig::default()
    })
    .await;
    let (_, started) = env
        .post(
            "/v1/auth/oauth/authorize?provider=google&redirectURL=http%3A%2F%2Fapp.test%2Fcb",
            None,
            json!({}),
        )
        .await;
    let url = str_of(&started, "url");
    let page = env.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\">"), "{html}");
    assert!(html.contains("name=\"loginId\""));
    assert!(
        html.contains("grace@acme.example"),
        "known users are offered"
    );
    let state = url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();

    let submitted = env
        .http
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("state={state}&loginId=typed%40example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 302);
    let location = submitted.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("http://app.test/cb?code="));
    let (_, jwt) = env
        .post(
            "/v1/auth/oauth/exchange",
            None,
            json!({"code": code_of(location)}),
        )
        .await;
    assert_eq!(jwt["user"]["email"], "typed@example.com");
}
