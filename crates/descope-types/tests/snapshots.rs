//! Pins the JSON shape of every request and response type.

use std::collections::BTreeMap;

use descope_types::*;
use insta::assert_json_snapshot;
use serde_json::json;

fn map(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn full_login_options() -> LoginOptions {
    LoginOptions {
        stepup: Some(true),
        mfa: Some(false),
        custom_claims: Some(map(json!({"plan": "pro", "n": 1}))),
        revoke_other_sessions: Some(true),
        revoke_other_sessions_types: Some(vec!["web".into()]),
        template_id: Some("tmpl".into()),
        template_options: Some(BTreeMap::from([("k".into(), "v".into())])),
        tenant_id: Some("T1".into()),
        locale: Some("en".into()),
        sso_app_id: Some("app".into()),
        pkce_challenge: Some("cGtjZQ".into()),
    }
}

fn user() -> UserResponse {
    UserResponse {
        login_ids: vec!["ada@example.com".into()],
        user_id: "U2abc".into(),
        name: Some("Ada Lovelace".into()),
        email: Some("ada@example.com".into()),
        given_name: Some("Ada".into()),
        family_name: Some("Lovelace".into()),
        verified_email: Some(true),
        role_names: vec!["admin".into()],
        user_tenants: vec![UserTenant {
            tenant_id: "T1".into(),
            tenant_name: Some("Acme".into()),
            role_names: vec!["tenant-admin".into()],
            permissions: vec!["tenant-read".into()],
        }],
        status: Some("enabled".into()),
        custom_attributes: Some(map(json!({"team": "math", "level": 3}))),
        created_time: Some(1_700_000_000),
        totp: Some(true),
        saml: Some(false),
        oauth: Some(BTreeMap::from([("google".into(), true)])),
        scim: Some(false),
        oidc: Some(false),
        webauthn: Some(false),
        password: Some(false),
        ..UserResponse::default()
    }
}

#[test]
fn login_options() {
    assert_json_snapshot!("login_options_empty", LoginOptions::default());
    assert_json_snapshot!("login_options_full", full_login_options());
    assert_json_snapshot!(
        "access_key_login_options",
        AccessKeyLoginOptions {
            custom_claims: Some(map(json!({"a": true}))),
            selected_tenant: Some("T1".into()),
        }
    );
}

#[test]
fn start_params() {
    let mut oauth = OAuthStartParams::new(OAuthProvider::Google);
    oauth.redirect_url = Some("http://127.0.0.1:3000/cb".into());
    oauth.login_hint = Some("ada@example.com".into());
    oauth.allow_all_merge = Some(true);
    assert_json_snapshot!("oauth_start_params", oauth);
    assert_json_snapshot!(
        "oauth_start_params_custom_provider",
        OAuthStartParams::new(OAuthProvider::Custom("my-idp".into()))
    );
    let sso = SsoStartParams {
        tenant: "T1".into(),
        redirect_url: Some("http://127.0.0.1:3000/cb".into()),
        prompt: Some("login".into()),
        sso_id: Some("sso-1".into()),
        login_hint: Some("ada@acme.test".into()),
        force_authn: Some(true),
        initiated_email: Some("ada@acme.test".into()),
    };
    assert_json_snapshot!("sso_start_params", sso);
    assert_json_snapshot!("sso_start_query_pairs", sso.query_pairs());
}

#[test]
fn requests() {
    assert_json_snapshot!(
        "code_exchange_request",
        CodeExchangeRequest {
            code: ExchangeCode::new("code-123")
        }
    );
    assert_json_snapshot!(
        "native_start_request",
        NativeStartRequest {
            provider: OAuthProvider::Apple,
            login_options: Some(LoginOptions::mfa()),
            implicit: Some(false),
        }
    );
    let user = NativeUser {
        name: Some(NativeUserName {
            first_name: Some("Ada".into()),
            middle_name: None,
            last_name: Some("Lovelace".into()),
        }),
        email: None,
    };
    assert_json_snapshot!(
        "native_finish_request",
        NativeFinishRequest {
            provider: OAuthProvider::Apple,
            state_id: "state-1".into(),
            user: Some(user.to_wire()),
            code: Some(ExchangeCode::new("provider-code")),
            id_token: Some(IdToken::new("eyJ.id.token")),
        }
    );
    assert_json_snapshot!(
        "totp_signup_request",
        TotpSignUpRequest {
            login_id: "ada@example.com".into(),
            user: Some(SignUpUser {
                name: Some("Ada".into()),
                email: Some("ada@example.com".into()),
                phone: Some("+15555550100".into()),
                ..SignUpUser::default()
            }),
        }
    );
    assert_json_snapshot!(
        "totp_verify_request",
        TotpVerifyRequest {
            login_id: "ada@example.com".into(),
            code: TotpCode::new("123456"),
            login_options: Some(LoginOptions::stepup()),
        }
    );
    assert_json_snapshot!(
        "totp_update_request",
        TotpUpdateRequest {
            login_id: "ada@example.com".into()
        }
    );
    assert_json_snapshot!("refresh_request", RefreshRequest::default());
    assert_json_snapshot!(
        "refresh_request_external",
        RefreshRequest {
            external_token: Some("ext".into())
        }
    );
    assert_json_snapshot!("logout_request", LogoutRequest::default());
    assert_json_snapshot!(
        "select_tenant_request",
        SelectTenantRequest {
            tenant: "T1".into()
        }
    );
    assert_json_snapshot!(
        "my_tenants_request_dct",
        MyTenantsRequest {
            dct: Some(true),
            ids: None
        }
    );
    assert_json_snapshot!(
        "my_tenants_request_ids",
        MyTenantsRequest {
            dct: None,
            ids: Some(vec!["T1".into()])
        }
    );
    assert_json_snapshot!(
        "access_key_exchange_request",
        AccessKeyExchangeRequest {
            login_options: Some(AccessKeyLoginOptions {
                custom_claims: None,
                selected_tenant: Some("T1".into()),
            }),
        }
    );
}

#[test]
fn responses() {
    assert_json_snapshot!(
        "url_response",
        UrlResponse {
            url: "https://idp.example/authorize?x=1".into(),
            error_id: None,
        }
    );
    assert_json_snapshot!(
        "native_start_response",
        NativeStartResponse {
            client_id: "client".into(),
            state_id: "state".into(),
            nonce: "nonce".into(),
            implicit: true,
        }
    );
    assert_json_snapshot!(
        "totp_response",
        TotpResponse {
            provisioning_url: "otpauth://totp/Acme:ada@example.com?secret=ABC&issuer=Acme".into(),
            image: "iVBORw0KGgo=".into(),
            key: TotpKey::new("ABC"),
        }
    );
    assert_json_snapshot!("user_response", user());
    assert_json_snapshot!(
        "jwt_response",
        JwtResponse {
            session_jwt: Some(SessionToken::new("eyJ.session")),
            refresh_jwt: Some(RefreshToken::new("eyJ.refresh")),
            cookie_domain: Some("example.com".into()),
            cookie_path: Some("/".into()),
            cookie_max_age: Some(2_419_200),
            cookie_expiration: Some(1_702_419_200),
            user: Some(user()),
            first_seen: Some(false),
            idp_response: Some(IdpResponse {
                idp_groups: vec!["engineering".into()],
                idp_saml_attributes: Some(json!({"department": "R&D"})),
                ..IdpResponse::default()
            }),
            tenant_sso_id: Some("sso-1".into()),
            session_expiration: Some(1_700_000_600),
            claims: RawJson::from_value(&json!({"sub": "U2abc"})),
            cookie_name: Some("DSR".into()),
            next_refresh_seconds: Some(540),
            ..JwtResponse::default()
        }
    );
    assert_json_snapshot!(
        "my_tenants_response",
        MyTenantsResponse {
            tenants: vec![TenantInfo {
                id: "T1".into(),
                name: "Acme".into(),
                custom_attributes: Some(map(json!({"tier": "gold"}))),
            }],
        }
    );
    assert_json_snapshot!(
        "user_history_response",
        UserHistoryResponse(vec![UserHistoryEntry {
            user_id: "U2abc".into(),
            login_time: 1_700_000_000,
            city: "London".into(),
            country: "GB".into(),
            ip: "127.0.0.1".into(),
            selected_tenant: Some("T1".into()),
        }])
    );
    assert_json_snapshot!(
        "access_key_exchange_response",
        AccessKeyExchangeResponse {
            key_id: "K1".into(),
            session_jwt: SessionToken::new("eyJ.session"),
            expiration: Some(1_700_000_600),
        }
    );
    assert_json_snapshot!(
        "validate_response",
        ValidateResponse {
            parsed_jwt: BTreeMap::from([("sub".into(), json!("U2abc"))]),
        }
    );
    assert_json_snapshot!(
        "error_response",
        ErrorResponse {
            error_code: ErrorCode::RateLimitExceeded,
            error_description: "https://docs.descope.com/rate-limit".into(),
            error_message: Some("API rate limit exceeded.".into()),
        }
    );
    assert_json_snapshot!(
        "jwk_set",
        JwkSet {
            keys: vec![Jwk {
                kty: "RSA".into(),
                kid: Some("K1".into()),
                alg: Some("RS256".into()),
                use_: Some("sig".into()),
                n: Some("0vx7agoebGcQSuuPiLJXZpt".into()),
                e: Some("AQAB".into()),
                ..Jwk::default()
            }],
        }
    );
}

#[test]
fn claims() {
    let claims = Claims {
        sub: Some("U2abc".into()),
        iss: Some("https://api.descope.com/P2abc".into()),
        exp: Some(1_700_000_600),
        iat: Some(1_700_000_000),
        aud: Some(Audience::Many(vec!["P2abc".into()])),
        drn: Some(DRN_SESSION.into()),
        amr: vec!["totp".into()],
        roles: vec!["admin".into()],
        permissions: vec!["read".into()],
        tenants: BTreeMap::from([(
            "T1".into(),
            TenantClaims {
                roles: vec!["tenant-admin".into()],
                permissions: vec!["tenant-read".into()],
                extra: Default::default(),
            },
        )])
        .into(),
        dct: Some("T1".into()),
        custom: map(json!({"plan": "pro"})),
        ..Claims::default()
    };
    assert_json_snapshot!("session_claims", claims);
}
