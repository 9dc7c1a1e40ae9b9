//! Every request the official Python and Node SDKs put on the wire parses into our request
//! types, and re-serializing gives the same JSON (Python's explicit `null`s excepted: we omit
//! unset fields). Start-call query strings parse into the start parameters and come back
//! with the same keys. Responses parse from `{}` and from the docs example.

use descope_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const CAPTURES: [&str; 2] = [
    include_str!("../../../tests/fixtures/wire-captures/python-sdk-2.16.1.jsonl"),
    include_str!("../../../tests/fixtures/wire-captures/node-sdk-2.13.0.jsonl"),
];

/// Removes `null` members, recursively: the one difference we allow.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn round_trip<T: Serialize + DeserializeOwned>(label: &str, body: &Value) -> T {
    let parsed: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{label}: body does not parse: {e}\n{body}"));
    let again = serde_json::to_value(&parsed).unwrap();
    assert_eq!(
        again,
        without_nulls(body),
        "{label}: re-serialized body differs"
    );
    parsed
}

fn check_query<T: DeserializeOwned>(
    label: &str,
    query: &Value,
    raw: &str,
    pairs: fn(&T) -> Vec<(&'static str, String)>,
) {
    let params: T = serde_json::from_value(query.clone())
        .unwrap_or_else(|e| panic!("{label}: query does not parse: {e}\n{query}"));
    let ours: Vec<(&str, String)> = pairs(&params);
    let theirs: Vec<(String, String)> = raw
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    // Same keys; the order differs between the SDKs (Node puts forceAuthn before loginHint).
    let mut our_keys: Vec<&str> = ours.iter().map(|(k, _)| *k).collect();
    let mut their_keys: Vec<&str> = theirs.iter().map(|(k, _)| k.as_str()).collect();
    our_keys.sort_unstable();
    their_keys.sort_unstable();
    assert_eq!(our_keys, their_keys, "{label}: query keys differ");
    for (k, v) in &ours {
        assert_eq!(
            query[*k].as_str(),
            Some(v.as_str()),
            "{label}: query value of {k}"
        );
    }
}

#[test]
fn every_captured_request_parses_and_round_trips() {
    let mut checked = 0;
    for capture in CAPTURES {
        let mut label = String::new();
        for line in capture.lines().filter(|l| !l.trim().is_empty()) {
            let rec: Value = serde_json::from_str(line).unwrap();
            if rec["type"] == "mark" {
                label = rec["label"].as_str().unwrap().to_owned();
                continue;
            }
            let path = rec["path"].as_str().unwrap();
            let body = &rec["body"];
            let (query, raw) = (&rec["query"], rec["raw_query"].as_str().unwrap());
            let label = format!("{label} {path}");
            match path {
                p if p.starts_with("/v1/auth/oauth/authorize") => {
                    round_trip::<LoginOptions>(&label, body);
                    check_query(&label, query, raw, OAuthStartParams::query_pairs);
                }
                "/v1/auth/sso/authorize" | "/v1/auth/saml/authorize" => {
                    round_trip::<LoginOptions>(&label, body);
                    check_query(&label, query, raw, SsoStartParams::query_pairs);
                }
                "/v1/auth/oauth/exchange" | "/v1/auth/sso/exchange" | "/v1/auth/saml/exchange" => {
                    round_trip::<CodeExchangeRequest>(&label, body);
                }
                "/v1/auth/oauth/native/start" => {
                    round_trip::<NativeStartRequest>(&label, body);
                }
                "/v1/auth/oauth/native/finish" => {
                    let req = round_trip::<NativeFinishRequest>(&label, body);
                    let user = NativeUser::from_wire(req.user.as_deref().unwrap()).unwrap();
                    assert!(user.name.unwrap().first_name.is_some(), "{label}");
                }
                "/v1/auth/totp/signup" => {
                    round_trip::<TotpSignUpRequest>(&label, body);
                }
                "/v1/auth/totp/verify" => {
                    round_trip::<TotpVerifyRequest>(&label, body);
                }
                "/v1/auth/totp/update" => {
                    round_trip::<TotpUpdateRequest>(&label, body);
                }
                "/v1/auth/refresh" => {
                    round_trip::<RefreshRequest>(&label, body);
                }
                "/v1/auth/logout" | "/v1/auth/logoutall" => {
                    round_trip::<LogoutRequest>(&label, body);
                }
                "/v1/auth/tenant/select" => {
                    round_trip::<SelectTenantRequest>(&label, body);
                }
                "/v1/auth/me/tenants" => {
                    round_trip::<MyTenantsRequest>(&label, body);
                }
                p if rec["method"] == "GET" => {
                    assert!(body.is_null(), "{label}: GET {p} with a body");
                    assert!(
                        p.starts_with("/v2/keys/") || p.starts_with("/v1/auth/me"),
                        "{label}: unexpected GET {p}"
                    );
                }
                other => panic!("{label}: no request type for {other}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 54, "every captured request is checked");
}

/// Every response type accepts `{}` (all fields optional).
#[test]
fn responses_parse_from_empty_object() {
    fn empty<T: DeserializeOwned>() {
        serde_json::from_str::<T>("{}").unwrap();
    }
    empty::<JwtResponse>();
    empty::<UserResponse>();
    empty::<TotpResponse>();
    empty::<UrlResponse>();
    empty::<NativeStartResponse>();
    empty::<MyTenantsResponse>();
    empty::<UserHistoryResponse>();
    empty::<AccessKeyExchangeResponse>();
    empty::<ValidateResponse>();
    empty::<ErrorResponse>();
    empty::<JwkSet>();
    empty::<Claims>();
    empty::<IdpResponse>();
}

/// The example body of Descope's docs (native finish) parses, every field landing in place.
#[test]
fn docs_example_jwt_response_parses() {
    let body = include_str!("../../../tests/fixtures/seed-jwt-response.json");
    let r: JwtResponse = serde_json::from_str(body).unwrap();
    assert_eq!(r.session_jwt.unwrap().secret(), "string");
    assert_eq!(r.cookie_max_age, Some(0));
    assert_eq!(r.first_seen, Some(true));
    assert_eq!(r.tenant_sso_id.as_deref(), Some("string"));
    assert_eq!(r.cookie_name.as_deref(), Some("string"));
    let user = r.user.unwrap();
    assert_eq!(user.totp, Some(false));
    assert_eq!(user.oidc, Some(true));
    assert!(!user.oauth.unwrap()["property1"]);
    assert_eq!(user.user_tenants[0].tenant_name.as_deref(), Some("string"));
    assert_eq!(r.idp_response.unwrap().idp_groups, vec!["string"]);
    assert!(r.claims.unwrap().to_map().unwrap().is_empty());
    assert_eq!(r.trusted_device_jwt.unwrap().secret(), "string");
}

#[test]
fn unknown_fields_are_ignored_and_unknown_codes_kept() {
    let r: JwtResponse =
        serde_json::from_str(r#"{"brandNewField": [1, 2], "user": {"futureFlag": true}}"#).unwrap();
    assert!(r.user.is_some());
    let e: ErrorResponse =
        serde_json::from_str(r#"{"errorCode":"E999999","errorDescription":"new"}"#).unwrap();
    assert_eq!(e.error_code, ErrorCode::Other("E999999".into()));
    assert_eq!(e.error_code.as_str(), "E999999");
    let e: ErrorResponse =
        serde_json::from_str(r#"{"errorCode":"E061102","errorDescription":"bad code"}"#).unwrap();
    assert_eq!(e.error_code, ErrorCode::WrongOtpCode);
    assert_eq!(e.to_string(), "[E061102] bad code");
}

#[test]
fn history_parses_bare_and_wrapped() {
    let bare: UserHistoryResponse = serde_json::from_str(
        r#"[{"userId":"U1","loginTime":5,"city":"c","country":"k","ip":"i"}]"#,
    )
    .unwrap();
    let wrapped: UserHistoryResponse = serde_json::from_str(
        r#"{"authHistory":[{"userId":"U1","loginTime":5,"city":"c","country":"k","ip":"i"}]}"#,
    )
    .unwrap();
    assert_eq!(bare, wrapped);
    assert_eq!(bare.0[0].login_time, 5);
}

#[test]
fn jwks_parses_object_and_bare_array() {
    let key = r#"{"kty":"RSA","kid":"K1","alg":"RS256","use":"sig","n":"abc","e":"AQAB"}"#;
    let v2: JwkSet = serde_json::from_str(&format!(r#"{{"keys":[{key}]}}"#)).unwrap();
    let v1: JwkSet = serde_json::from_str(&format!("[{key}]")).unwrap();
    assert_eq!(v1, v2);
    assert_eq!(v2.find("K1").unwrap().use_.as_deref(), Some("sig"));
    assert!(v2.find("K2").is_none());
}

#[test]
fn claims_accept_float_times_and_both_audience_forms() {
    let c: Claims = serde_json::from_str(
        r#"{"sub":"U1","exp":1700000600.9,"iat":1700000000,"aud":"P1","drn":"DS","x":1}"#,
    )
    .unwrap();
    assert_eq!(c.exp, Some(1_700_000_600));
    assert!(c.aud.as_ref().unwrap().contains("P1"));
    assert!(c.is_session() && !c.is_refresh());
    assert_eq!(c.custom["x"], 1);
    let c: Claims = serde_json::from_str(r#"{"aud":["A","B"],"dsub":"D","sub":"S"}"#).unwrap();
    assert!(c.aud.as_ref().unwrap().contains("B"));
    assert_eq!(c.user_id(), Some("D"));
    assert!(serde_json::from_str::<Claims>(r#"{"exp":"soon"}"#).is_err());
}

#[test]
fn redirect_url_spellings_and_text_booleans() {
    let p: SsoStartParams = serde_json::from_value(serde_json::json!({
        "tenant": "T1", "redirectUrl": "http://x/cb", "forceAuthn": "true"
    }))
    .unwrap();
    assert_eq!(p.redirect_url.as_deref(), Some("http://x/cb"));
    assert_eq!(p.force_authn, Some(true));
    assert!(
        serde_json::from_value::<SsoStartParams>(
            serde_json::json!({"tenant": "T", "forceAuthn": "maybe"})
        )
        .is_err()
    );
    let o: OAuthStartParams =
        serde_json::from_value(serde_json::json!({"provider": "okta-custom", "redirectURL": "u"}))
            .unwrap();
    assert_eq!(o.provider, OAuthProvider::Custom("okta-custom".into()));
    assert_eq!(OAuthProvider::from_name("google"), OAuthProvider::Google);
}
