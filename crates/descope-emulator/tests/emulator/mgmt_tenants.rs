//! Tenants and SSO settings by management: the official SDKs' captured requests replayed, the
//! tenant table shared with the sign-in side (memberships, SSO start, SSO default roles), the
//! deprecated v1 SSO endpoints, and the tenant cap.

use descope_emulator::DEMO_MANAGEMENT_KEY;
use serde_json::{Value, json};

use crate::common::*;

const KEY: Option<&str> = Some(DEMO_MANAGEMENT_KEY);

/// Replays the SDK's captured tenant and SSO requests in order, with the captures' project
/// and key; every answer must succeed, be JSON, and carry the keys the SDK was given.
async fn replay(name: &str) {
    let env = start_oracle().await;
    let mut replayed = 0;
    for line in capture(name) {
        let (Some(method), Some(path)) = (line["method"].as_str(), line["path"].as_str()) else {
            continue;
        };
        if line["type"] != "request"
            || !(path.starts_with("/v1/mgmt/tenant") || path.contains("/mgmt/sso/"))
        {
            continue;
        }
        let raw_query = line["raw_query"].as_str().unwrap_or_default();
        let url = if raw_query.is_empty() {
            env.url(path)
        } else {
            format!("{}?{raw_query}", env.url(path))
        };
        let mut request = env.http.request(method.parse().unwrap(), url);
        for (header, value) in line["headers"].as_object().unwrap() {
            let lower = header.to_ascii_lowercase();
            if !["host", "content-length", "connection", "accept-encoding"]
                .contains(&lower.as_str())
            {
                request = request.header(header.as_str(), value.as_str().unwrap());
            }
        }
        if !line["body"].is_null() {
            request = request.body(line["body"].to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let answer: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{name} {method} {path}: not JSON: {text}"));
        assert!(
            status.is_success(),
            "{name} seq {}: {method} {path}: {status} {answer}",
            line["seq"]
        );
        assert!(answer.is_object(), "{path}: {answer}");
        // `saml`/`oidc` are there only once configured (the SDKs check before reading).
        let optional = ["saml", "oidc"];
        for key in line["response_body_keys"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap();
            assert!(
                answer.get(key).is_some() || optional.contains(&key),
                "{name} seq {} {path}: no {key} in {answer}",
                line["seq"]
            );
        }
        replayed += 1;
    }
    assert!(replayed >= 20, "{name}: only {replayed} requests");
}

#[tokio::test]
async fn python_sdk_tenant_and_sso_requests_are_accepted() {
    replay("python-sdk-2.16.1-ext.jsonl").await;
}

#[tokio::test]
async fn node_sdk_tenant_and_sso_requests_are_accepted() {
    replay("node-sdk-2.13.0-ext.jsonl").await;
}

/// A tenant management creates is one users can join, shows in their token, and selects
/// SSO by the domains its SSO configuration set; its deletion takes the memberships with it.
#[tokio::test]
async fn a_managed_tenant_is_the_sign_in_side_tenant() {
    let env = start().await;
    let login = "eve@example.com";
    // Unknown tenant: refused for a user.
    let (status, _) = env
        .post(
            "/v1/mgmt/user/create",
            KEY,
            json!({"loginId": login, "userTenants": [{"tenantId": "T2Managed"}]}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, created) = env
        .post(
            "/v1/mgmt/tenant/create",
            KEY,
            json!({"id": "T2Managed", "name": "Managed"}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), str_of(&created, "id")),
        (200, "T2Managed")
    );
    let (status, user) = env
        .post(
            "/v1/mgmt/user/create",
            KEY,
            json!({"loginId": login, "email": login,
                   "userTenants": [{"tenantId": "T2Managed", "roleNames": ["tenant-admin"]}]}),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["user"]["userTenants"][0]["tenantName"], "Managed");
    let jwt = env.oauth_sign_in(login).await;
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(
        claims["tenants"]["T2Managed"]["roles"],
        json!(["tenant-admin"])
    );

    // SAML by management, with domains: SSO start by email domain picks the tenant, and the
    // mapping's default roles come with the SSO sign-in.
    let (status, _) = env
        .post(
            "/v1/mgmt/sso/saml",
            KEY,
            json!({"tenantId": "T2Managed", "settings": {"idpUrl": "https://idp/sso",
                   "entityId": "e", "idpCert": "c", "defaultSSORoles": ["viewer"]},
                   "redirectUrl": "http://127.0.0.1:3000/cb", "domains": ["managed.example"],
                   "ssoId": "sso-9"}),
        )
        .await;
    assert_eq!(status, 200);
    let code = env
        .code_via(
            "/v1/auth/saml/authorize?tenant=zed@managed.example&redirectURL=http://127.0.0.1:3000/cb",
            None,
            json!({}),
        )
        .await;
    let (status, jwt) = env
        .post("/v1/auth/saml/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["tenantSSOID"], "sso-9");
    let claims = env.verify(str_of(&jwt, "sessionJwt")).await;
    assert_eq!(claims["tenants"]["T2Managed"]["roles"], json!(["viewer"]));

    // Deleted (no cascade): the tenant goes from the user and from SSO start.
    let (status, _) = env
        .post("/v1/mgmt/tenant/delete", KEY, json!({"id": "T2Managed"}))
        .await;
    assert_eq!(status, 200);
    let (_, loaded) = env
        .get(&format!("/v1/mgmt/user?loginId={login}"), KEY)
        .await;
    assert_eq!(loaded["user"]["userTenants"], json!([]));
    let (status, _) = env
        .post(
            "/v1/auth/saml/authorize?tenant=zed@managed.example",
            None,
            json!({}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = env.get("/v1/mgmt/tenant?id=T2Managed", KEY).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_deprecated_v1_sso_endpoints_read_and_write_the_same_settings() {
    let env = start().await;
    let acme = "T2EmulatorTenantAcme";
    let (status, _) = env
        .post(
            "/v1/mgmt/sso/settings",
            KEY,
            json!({"tenantId": acme, "idpURL": "https://idp/sso", "entityId": "ent",
                   "idpCert": "cert", "redirectURL": "http://127.0.0.1:3000/saml",
                   "domains": ["acme.example"]}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, v1) = env
        .get(&format!("/v1/mgmt/sso/settings?tenantId={acme}"), KEY)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (v1["idpSSOUrl"].as_str(), v1["idpEntityId"].as_str()),
        (Some("https://idp/sso"), Some("ent"))
    );
    assert_eq!(v1["domains"], json!(["acme.example"]));
    let (_, v2) = env
        .get(&format!("/v2/mgmt/sso/settings?tenantId={acme}"), KEY)
        .await;
    assert_eq!(v2["saml"]["idpCertificate"], "cert");
    assert_eq!(v2["tenant"]["authType"], "saml");
    let (status, _) = env
        .post(
            "/v1/mgmt/sso/metadata",
            KEY,
            json!({"tenantId": acme, "idpMetadataURL": "https://idp/metadata"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, v2) = env
        .get(&format!("/v2/mgmt/sso/settings?tenantId={acme}"), KEY)
        .await;
    assert_eq!(v2["saml"]["idpMetadataUrl"], "https://idp/metadata");
    // Without the management key: refused.
    let (status, _) = env
        .get(&format!("/v2/mgmt/sso/settings?tenantId={acme}"), None)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn tenants_are_capped_with_a_typed_error() {
    let env = start().await;
    let (_, all) = env.get("/v1/mgmt/tenant/all", KEY).await;
    let seeded = all["tenants"].as_array().unwrap().len();
    let cap = 1 << 12;
    for i in seeded..cap {
        let (status, body) = env
            .post(
                "/v1/mgmt/tenant/create",
                KEY,
                json!({"name": format!("Capped {i}")}),
            )
            .await;
        assert_eq!(status, 200, "{i}: {body}");
    }
    let full = env
        .post(
            "/v1/mgmt/tenant/create",
            KEY,
            json!({"name": "One too many"}),
        )
        .await;
    assert_error(&full, 400, "E011001");
    assert!(str_of(&full.1, "errorDescription").contains("limit"));
    // Deleting one makes room again.
    let (_, all) = env.get("/v1/mgmt/tenant/all", KEY).await;
    let last = str_of(&all["tenants"][cap - 1], "id").to_owned();
    env.post("/v1/mgmt/tenant/delete", KEY, json!({"id": last}))
        .await;
    let (status, _) = env
        .post("/v1/mgmt/tenant/create", KEY, json!({"name": "Room again"}))
        .await;
    assert_eq!(status, 200);
}
