//! Properties of every wire type: value → JSON → value is the identity, and decoding
//! arbitrary bytes or arbitrary JSON returns `Ok` or `Err`, never panics.

use std::collections::BTreeMap;

use descope_types::*;
use proptest::collection::{btree_map, vec};
use proptest::option::of;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

fn s() -> impl Strategy<Value = String> {
    // Mostly short ASCII, sometimes any unicode (escapes, surrogates in JSON).
    prop_oneof![3 => "[a-zA-Z0-9 @._:/-]{0,12}", 1 => any::<String>()]
}

fn os() -> impl Strategy<Value = Option<String>> {
    of(s())
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    vec(s(), 0..3)
}

/// JSON without floats: serde_json does not promise to round-trip every f64 exactly.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        s().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(s(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn json_map() -> impl Strategy<Value = Map<String, Value>> {
    btree_map(s(), json_value(), 0..4).prop_map(|m| m.into_iter().collect())
}

fn provider() -> impl Strategy<Value = OAuthProvider> {
    prop_oneof![
        Just(OAuthProvider::Google),
        Just(OAuthProvider::Apple),
        Just(OAuthProvider::Github),
        Just(OAuthProvider::Microsoft),
        // Custom names are kept unless they are a built-in name.
        "[a-z0-9-]{1,10}".prop_map(|n| OAuthProvider::from_name(&n)),
    ]
}

fn login_options() -> BoxedStrategy<LoginOptions> {
    (
        (of(any::<bool>()), of(any::<bool>()), of(json_map())),
        (of(any::<bool>()), of(strings()), os()),
        (of(btree_map(s(), s(), 0..3)), os(), os(), os(), os()),
    )
        .prop_map(
            |(
                (stepup, mfa, custom_claims),
                (ros, rost, template_id),
                (to, tenant, locale, sso, pkce),
            )| {
                LoginOptions {
                    stepup,
                    mfa,
                    custom_claims,
                    revoke_other_sessions: ros,
                    revoke_other_sessions_types: rost,
                    template_id,
                    template_options: to,
                    tenant_id: tenant,
                    locale,
                    sso_app_id: sso,
                    pkce_challenge: pkce,
                }
            },
        )
        .boxed()
}

fn access_key_login_options() -> impl Strategy<Value = AccessKeyLoginOptions> {
    (of(json_map()), os()).prop_map(|(custom_claims, selected_tenant)| AccessKeyLoginOptions {
        custom_claims,
        selected_tenant,
    })
}

fn oauth_start_params() -> impl Strategy<Value = OAuthStartParams> {
    (provider(), os(), os(), of(any::<bool>())).prop_map(
        |(provider, redirect_url, login_hint, allow_all_merge)| OAuthStartParams {
            provider,
            redirect_url,
            login_hint,
            allow_all_merge,
        },
    )
}

fn sso_start_params() -> impl Strategy<Value = SsoStartParams> {
    (s(), os(), os(), os(), os(), of(any::<bool>()), os()).prop_map(
        |(tenant, redirect_url, prompt, sso_id, login_hint, force_authn, initiated_email)| {
            SsoStartParams {
                tenant,
                redirect_url,
                prompt,
                sso_id,
                login_hint,
                force_authn,
                initiated_email,
            }
        },
    )
}

fn sign_up_user() -> impl Strategy<Value = SignUpUser> {
    (os(), os(), os(), os(), os(), os()).prop_map(
        |(name, given_name, middle_name, family_name, email, phone)| SignUpUser {
            name,
            given_name,
            middle_name,
            family_name,
            email,
            phone,
        },
    )
}

fn native_user() -> impl Strategy<Value = NativeUser> {
    (of((os(), os(), os())), os()).prop_map(|(name, email)| NativeUser {
        name: name.map(|(first_name, middle_name, last_name)| NativeUserName {
            first_name,
            middle_name,
            last_name,
        }),
        email,
    })
}

fn user_tenant() -> BoxedStrategy<UserTenant> {
    (s(), os(), strings(), strings())
        .prop_map(
            |(tenant_id, tenant_name, role_names, permissions)| UserTenant {
                tenant_id,
                tenant_name,
                role_names,
                permissions,
            },
        )
        .boxed()
}

fn user() -> BoxedStrategy<UserResponse> {
    (
        (strings(), s(), os(), os(), os(), os(), os(), os()),
        (
            of(any::<bool>()),
            of(any::<bool>()),
            strings(),
            vec(user_tenant(), 0..2),
            os(),
            strings(),
            os(),
        ),
        (
            of(any::<bool>()),
            of(json_map()),
            of(any::<i64>()),
            of(any::<i64>()),
        ),
        (
            of(any::<bool>()),
            of(any::<bool>()),
            of(btree_map(s(), any::<bool>(), 0..3)),
            of(any::<bool>()),
            of(any::<bool>()),
            of(any::<bool>()),
            of(any::<bool>()),
            of(any::<bool>()),
        ),
        (
            strings(),
            of(any::<bool>()),
            strings(),
            of(any::<i64>()),
            os(),
            of(any::<bool>()),
            os(),
            of(any::<bool>()),
        ),
    )
        .prop_map(|(a, b, c, d, e)| UserResponse {
            login_ids: a.0,
            user_id: a.1,
            name: a.2,
            email: a.3,
            phone: a.4,
            given_name: a.5,
            middle_name: a.6,
            family_name: a.7,
            verified_email: b.0,
            verified_phone: b.1,
            role_names: b.2,
            user_tenants: b.3,
            status: b.4,
            external_ids: b.5,
            picture: b.6,
            test: c.0,
            custom_attributes: c.1,
            created_time: c.2,
            modified_time: c.3,
            totp: d.0,
            saml: d.1,
            oauth: d.2,
            scim: d.3,
            oidc: d.4,
            webauthn: d.5,
            password: d.6,
            push: d.7,
            sso_app_ids: e.0,
            editable: e.1,
            permissions: e.2,
            consent_expiration: e.3,
            recovery_email: e.4,
            verified_recovery_email: e.5,
            recovery_phone: e.6,
            verified_recovery_phone: e.7,
        })
        .boxed()
}

fn idp_response() -> BoxedStrategy<IdpResponse> {
    (
        os(),
        os(),
        os(),
        os(),
        os(),
        os(),
        strings(),
        of(json_value()),
        of(json_value()),
    )
        .prop_map(|(a, b, c, d, e, f, groups, saml, oidc)| IdpResponse {
            saml_response: a,
            saml_generated_user: b,
            saml_generated_roles: c,
            oidc_response: d,
            oidc_generated_user: e,
            oidc_generated_roles: f,
            idp_groups: groups,
            // `null` reads back as None: generate only non-null values.
            idp_saml_attributes: saml.filter(|v| !v.is_null()),
            idp_oidc_claims: oidc.filter(|v| !v.is_null()),
        })
        .boxed()
}

fn jwt_response() -> BoxedStrategy<JwtResponse> {
    (
        (os(), os(), os(), os(), of(any::<i64>()), of(any::<i64>())),
        (
            of(user()),
            of(any::<bool>()),
            of(idp_response()),
            os(),
            of(any::<i64>()),
            of(json_map()),
        ),
        (
            os(),
            os(),
            os(),
            os(),
            os(),
            of(any::<i64>()),
            os(),
            of(any::<bool>()),
        ),
    )
        .prop_map(|(a, b, c)| JwtResponse {
            session_jwt: a.0.map(SessionToken::new),
            refresh_jwt: a.1.map(RefreshToken::new),
            cookie_domain: a.2,
            cookie_path: a.3,
            cookie_max_age: a.4,
            cookie_expiration: a.5,
            user: b.0,
            first_seen: b.1,
            idp_response: b.2,
            tenant_sso_id: b.3,
            session_expiration: b.4,
            claims: b.5.and_then(|m| RawJson::from_value(&m)),
            cookie_name: c.0,
            session_cookie_name: c.1,
            session_cookie_domain: c.2,
            trusted_device_jwt: c.3.map(DeviceToken::new),
            known_device_jwt: c.4.map(DeviceToken::new),
            next_refresh_seconds: c.5,
            external_token: c.6.map(ExternalToken::new),
            unsaved_sso: c.7,
        })
        .boxed()
}

fn error_code() -> impl Strategy<Value = ErrorCode> {
    prop_oneof![
        Just(ErrorCode::WrongOtpCode),
        Just(ErrorCode::RateLimitExceeded),
        Just(ErrorCode::TokenExpiredByLogout),
        "E[0-9]{6}|[a-z]{0,4}".prop_map(|c| ErrorCode::from_code(&c)),
    ]
}

fn jwk() -> impl Strategy<Value = Jwk> {
    (
        s(),
        os(),
        os(),
        os(),
        os(),
        os(),
        os(),
        os(),
        os(),
        strings(),
    )
        .prop_map(|(kty, kid, alg, use_, n, e, crv, x, y, x5c)| Jwk {
            kty,
            kid,
            alg,
            use_,
            n,
            e,
            crv,
            x,
            y,
            x5c,
        })
}

fn claim_extra() -> impl Strategy<Value = Map<String, Value>> {
    // Keys of the flattened map must not collide with named claims.
    btree_map("x_[a-z]{1,6}", json_value(), 0..3).prop_map(|m| m.into_iter().collect())
}

fn claims() -> BoxedStrategy<Claims> {
    let tenant = (strings(), strings(), claim_extra()).prop_map(|(roles, permissions, extra)| {
        TenantClaims {
            roles,
            permissions,
            extra,
        }
    });
    let aud = prop_oneof![
        s().prop_map(Audience::One),
        strings().prop_map(Audience::Many)
    ];
    (
        (
            os(),
            os(),
            os(),
            of(any::<i64>()),
            of(any::<i64>()),
            of(any::<i64>()),
            of(aud),
        ),
        (
            os(),
            strings(),
            strings(),
            strings(),
            btree_map(s(), tenant, 0..3),
            os(),
            claim_extra(),
        ),
    )
        .prop_map(|(a, b)| Claims {
            sub: a.0,
            dsub: a.1,
            iss: a.2,
            exp: a.3,
            iat: a.4,
            nbf: a.5,
            aud: a.6,
            drn: b.0,
            amr: b.1,
            roles: b.2,
            permissions: b.3,
            tenants: b.4.into(),
            dct: b.5,
            custom: b.6,
        })
        .boxed()
}

fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let json = serde_json::to_vec(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = serde_json::from_slice(&json)
        .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&json))))?;
    prop_assert_eq!(&back, value);
    Ok(())
}

macro_rules! round_trips {
    ($($name:ident: $strategy:expr;)*) => {
        proptest! {
            $(
                #[test]
                fn $name(value in $strategy) {
                    assert_round_trip(&value)?;
                }
            )*
        }
    };
}

round_trips! {
    login_options_round_trip: login_options();
    access_key_login_options_round_trip: access_key_login_options();
    oauth_start_params_round_trip: oauth_start_params();
    sso_start_params_round_trip: sso_start_params();
    code_exchange_request_round_trip: s().prop_map(|c| CodeExchangeRequest { code: ExchangeCode::new(c) });
    native_start_request_round_trip: (provider(), of(login_options()), of(any::<bool>()))
        .prop_map(|(provider, login_options, implicit)| NativeStartRequest { provider, login_options, implicit });
    native_finish_request_round_trip: (provider(), s(), of(native_user()), os(), os())
        .prop_map(|(provider, state_id, user, code, id_token)| NativeFinishRequest {
            provider,
            state_id,
            user: user.map(|u| u.to_wire()),
            code: code.map(ExchangeCode::new),
            id_token: id_token.map(IdToken::new),
        });
    native_user_round_trip: native_user();
    totp_signup_request_round_trip: (s(), of(sign_up_user()))
        .prop_map(|(login_id, user)| TotpSignUpRequest { login_id, user });
    totp_verify_request_round_trip: (s(), s(), of(login_options()))
        .prop_map(|(login_id, code, login_options)| TotpVerifyRequest { login_id, code: TotpCode::new(code), login_options });
    totp_update_request_round_trip: s().prop_map(|login_id| TotpUpdateRequest { login_id });
    refresh_request_round_trip: os().prop_map(|t| RefreshRequest { external_token: t.map(ExternalToken::new) });
    logout_request_round_trip: of(strings()).prop_map(|logout_type| LogoutRequest { logout_type });
    select_tenant_request_round_trip: s().prop_map(|tenant| SelectTenantRequest { tenant });
    my_tenants_request_round_trip: (of(any::<bool>()), of(strings())).prop_map(|(dct, ids)| MyTenantsRequest { dct, ids });
    access_key_exchange_request_round_trip: of(access_key_login_options())
        .prop_map(|login_options| AccessKeyExchangeRequest { login_options });
    url_response_round_trip: (s(), os()).prop_map(|(url, error_id)| UrlResponse { url, error_id });
    native_start_response_round_trip: (s(), s(), s(), any::<bool>())
        .prop_map(|(client_id, state_id, nonce, implicit)| NativeStartResponse { client_id, state_id, nonce, implicit });
    totp_response_round_trip: (s(), s(), s())
        .prop_map(|(provisioning_url, image, key)| TotpResponse { provisioning_url, image, key: TotpKey::new(key) });
    user_response_round_trip: user();
    idp_response_round_trip: idp_response();
    jwt_response_round_trip: jwt_response();
    my_tenants_response_round_trip: vec((s(), s(), of(json_map())), 0..3)
        .prop_map(|t| MyTenantsResponse { tenants: t.into_iter().map(|(id, name, custom_attributes)| TenantInfo { id, name, custom_attributes }).collect() });
    user_history_response_round_trip: vec((s(), any::<i64>(), s(), s(), s(), os()), 0..3)
        .prop_map(|v| UserHistoryResponse(v.into_iter().map(|(user_id, login_time, city, country, ip, selected_tenant)| UserHistoryEntry {
            user_id, login_time, city, country, ip, selected_tenant,
        }).collect()));
    access_key_exchange_response_round_trip: (s(), s(), of(any::<i64>()))
        .prop_map(|(key_id, jwt, expiration)| AccessKeyExchangeResponse { key_id, session_jwt: SessionToken::new(jwt), expiration });
    validate_response_round_trip: btree_map(s(), json_value(), 0..3)
        .prop_map(|parsed_jwt: BTreeMap<String, Value>| ValidateResponse { parsed_jwt });
    error_response_round_trip: (error_code(), s(), os())
        .prop_map(|(error_code, error_description, error_message)| ErrorResponse { error_code, error_description, error_message });
    jwk_set_round_trip: vec(jwk(), 0..3).prop_map(|keys| JwkSet { keys });
    claims_round_trip: claims();
}

/// Decodes `bytes` into every response (and request) type; only the absence of a panic
/// matters, so each result is dropped.
fn decode_all(bytes: &[u8]) {
    fn try_decode<T: DeserializeOwned>(bytes: &[u8]) {
        let _ = serde_json::from_slice::<T>(bytes);
    }
    try_decode::<JwtResponse>(bytes);
    try_decode::<UserResponse>(bytes);
    try_decode::<TotpResponse>(bytes);
    try_decode::<UrlResponse>(bytes);
    try_decode::<NativeStartResponse>(bytes);
    try_decode::<MyTenantsResponse>(bytes);
    try_decode::<UserHistoryResponse>(bytes);
    try_decode::<AccessKeyExchangeResponse>(bytes);
    try_decode::<ValidateResponse>(bytes);
    try_decode::<ErrorResponse>(bytes);
    try_decode::<JwkSet>(bytes);
    try_decode::<Claims>(bytes);
    try_decode::<IdpResponse>(bytes);
    try_decode::<LoginOptions>(bytes);
    try_decode::<OAuthStartParams>(bytes);
    try_decode::<SsoStartParams>(bytes);
    try_decode::<NativeFinishRequest>(bytes);
    try_decode::<TotpVerifyRequest>(bytes);
    try_decode::<MyTenantsRequest>(bytes);
}

/// Arbitrary JSON shaped like our objects: known keys with values of random types.
fn hostile_object() -> impl Strategy<Value = Value> {
    let keys = prop_oneof![
        Just("sessionJwt"),
        Just("refreshJwt"),
        Just("user"),
        Just("firstSeen"),
        Just("exp"),
        Just("aud"),
        Just("tenants"),
        Just("keys"),
        Just("errorCode"),
        Just("authHistory"),
        Just("OAuth"),
        Just("TOTP"),
        Just("userTenants"),
        Just("loginOptions"),
        Just("forceAuthn"),
        Just("provider"),
        Just("claims"),
        Just("idpResponse"),
        Just("stepup"),
        Just("code"),
    ];
    btree_map(keys, json_value(), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        decode_all(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn hostile_objects_never_panic(value in hostile_object()) {
        decode_all(&serde_json::to_vec(&value).unwrap());
    }
}
