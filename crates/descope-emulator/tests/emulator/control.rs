//! The control API (item 10): reset, users, key rotation, clock, faults; and the binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn reset_restores_the_seed_and_keeps_keys() {
    let env = start().await;
    let jwt = env.oauth_sign_in("new@example.com").await;
    let (_, before) = env.get("/emulator/users", None).await;
    assert_eq!(before["users"].as_array().unwrap().len(), 3);
    let kid = env.jwks().await.keys[0].common.key_id.clone();

    let reset = env.control("/emulator/reset", json!({})).await;
    assert_eq!(reset["projectId"], env.pid);
    let (_, after) = env.get("/emulator/users", None).await;
    let emails: Vec<&str> = after["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 2);
    assert!(emails.contains(&"ada@example.com") && emails.contains(&"grace@acme.example"));
    assert_eq!(env.jwks().await.keys[0].common.key_id, kid);
    let gone = env
        .post(
            "/v1/auth/refresh",
            Some(str_of(&jwt, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_error(&gone, 401, "E011004");
}

#[tokio::test]
async fn key_rotation_with_grace_period() {
    let env = start().await;
    let old_jwt = env.oauth_sign_in("ada@example.com").await;
    let old_kid = env.jwks().await.keys[0].common.key_id.clone().unwrap();

    let rotated = env
        .control("/emulator/keys/rotate", json!({"graceSeconds": 60}))
        .await;
    assert_eq!(rotated["previousKid"], old_kid);
    let new_kid = str_of(&rotated, "kid").to_owned();
    let kids: Vec<String> = env
        .jwks()
        .await
        .keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect();
    assert_eq!(kids, vec![new_kid.clone(), old_kid.clone()]);

    // Old tokens still verify and refresh; new tokens use the new key.
    env.verify(str_of(&old_jwt, "sessionJwt")).await;
    let (status, renewed) = env
        .post(
            "/v1/auth/refresh",
            Some(str_of(&old_jwt, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let header = jsonwebtoken::decode_header(str_of(&renewed, "sessionJwt")).unwrap();
    assert_eq!(header.kid.unwrap(), new_kid);

    // After the grace period the old key is gone.
    env.control("/emulator/clock", json!({"offsetSeconds": 61}))
        .await;
    assert_eq!(env.jwks().await.keys.len(), 1);
    let stale = env
        .post(
            "/v1/auth/refresh",
            Some(str_of(&old_jwt, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_error(&stale, 401, "E011004");
}

#[tokio::test]
async fn clock_offset_is_absolute() {
    let env = start().await;
    let set = env
        .control("/emulator/clock", json!({"offsetSeconds": 1000}))
        .await;
    assert!((set["now"].as_i64().unwrap() - now() - 1000).abs() <= 2);
    let set = env
        .control("/emulator/clock", json!({"offsetSeconds": 0}))
        .await;
    assert!((set["now"].as_i64().unwrap() - now()).abs() <= 2);
    let missing = env.post("/emulator/clock", None, json!({})).await;
    assert_error(&missing, 400, "E011003");
}

#[tokio::test]
async fn faults_status_delay_html_and_count() {
    let env = start().await;
    let path = format!("/v2/keys/{}", env.pid);
    env.control(
        "/emulator/faults",
        json!({"path": path, "count": 2, "fault": {"kind": "status", "status": 503}}),
    )
    .await;
    for _ in 0..2 {
        let (status, body) = env.get(&path, None).await;
        assert_eq!(status, 503);
        assert!(body["errorCode"].is_string());
    }
    assert_eq!(env.get(&path, None).await.0, 200, "count exhausted");

    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "status", "status": 429}}),
    )
    .await;
    let r = env.http.get(env.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));

    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "status", "status": 400, "body": {"custom": true}}}),
    )
    .await;
    assert_eq!(
        env.get(&path, None).await,
        (reqwest::StatusCode::BAD_REQUEST, json!({"custom": true}))
    );

    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "html502"}}),
    )
    .await;
    let r = env.http.get(env.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 502);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().await.unwrap().contains("<html>"));

    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "delay", "ms": 300}}),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(env.get(&path, None).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    env.control(
        "/emulator/faults",
        json!({"path": path, "count": 5, "fault": {"kind": "html502"}}),
    )
    .await;
    let (status, _) = env
        .http
        .delete(env.url("/emulator/faults"))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(env.get(&path, None).await.0, 200, "cleared");

    let bad = env
        .post(
            "/emulator/faults",
            None,
            json!({"path": path, "fault": {"kind": "explode"}}),
        )
        .await;
    assert_error(&bad, 400, "E011003");
    let bad = env
        .post(
            "/emulator/faults",
            None,
            json!({"path": path, "fault": {"kind": "status", "status": 42}}),
        )
        .await;
    assert_error(&bad, 400, "E011004");
}

#[tokio::test]
async fn oversize_fault_is_exactly_that_long_and_bounded() {
    let env = start().await;
    let path = format!("/v2/keys/{}", env.pid);
    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "oversize", "bytes": 5 << 20}}),
    )
    .await;
    let r = env.http.get(env.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    assert_eq!(body.len(), 5 << 20);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
    let refused = env
        .http
        .post(env.url("/emulator/faults"))
        .header("authorization", format!("Bearer {}", env.pid))
        .json(&json!({"path": path, "fault": {"kind": "oversize", "bytes": 1u64 << 40}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn faults_reset_and_truncate_the_connection() {
    let env = start().await;
    let path = "/v1/auth/refresh";
    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "reset"}}),
    )
    .await;
    let reset = env
        .http
        .post(env.url(path))
        .header("Authorization", env.bearer(None))
        .send()
        .await;
    assert!(reset.is_err(), "connection reset: no HTTP answer");

    let jwt = env.oauth_sign_in("ada@example.com").await;
    env.control(
        "/emulator/faults",
        json!({"path": path, "fault": {"kind": "truncate"}}),
    )
    .await;
    let response = env
        .http
        .post(env.url(path))
        .header(
            "Authorization",
            env.bearer(Some(str_of(&jwt, "refreshJwt"))),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "headers arrive");
    assert!(response.bytes().await.is_err(), "body is cut short");

    // The server is fine afterwards.
    let (status, _) = env
        .post(path, Some(str_of(&jwt, "refreshJwt")), json!({}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn binary_prints_base_url_and_project_id() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_descope-emulator"))
        .args(["--port", "0", "--project-id", "P2BinaryTest"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base_url = None;
    let mut project = None;
    for _ in 0..3 {
        let line = lines.next().unwrap().unwrap();
        if let Some(url) = line.strip_prefix("base URL:") {
            base_url = Some(url.trim().to_owned());
        }
        if let Some(id) = line.strip_prefix("project id:") {
            project = Some(id.trim().to_owned());
        }
    }
    let (base_url, project) = (base_url.unwrap(), project.unwrap());
    assert_eq!(project, "P2BinaryTest");
    assert!(base_url.starts_with("http://127.0.0.1:"));
    let keys: Value = reqwest::get(format!("{base_url}/v2/keys/{project}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys["keys"][0]["alg"], "RS256");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn config_files_in_toml_and_json() {
    let toml = r#"
project_id = "P2FromToml"
session_ttl_seconds = 120
refresh_rotation = true

[[seed.roles]]
name = "admin"
permissions = ["read"]

[[seed.tenants]]
id = "T1"
name = "Tenant One"
sso_domains = ["one.test"]

[[seed.users]]
login_id = "u@one.test"
roles = ["admin"]
tenants = [{ tenant_id = "T1", roles = ["admin"] }]
"#;
    let dir = std::env::temp_dir().join(format!("descope-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("emulator.toml");
    std::fs::write(&path, toml).unwrap();
    let config = descope_emulator::EmulatorConfig::from_file(&path).unwrap();
    assert_eq!(config.project_id, "P2FromToml");
    assert_eq!(config.seed.users.len(), 1);
    assert!(config.refresh_rotation);

    let json_path = dir.join("emulator.json");
    std::fs::write(&json_path, serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(
        descope_emulator::EmulatorConfig::from_file(&json_path).unwrap(),
        config
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let typo = descope_emulator::EmulatorConfig::from_toml_str("sesion_ttl_seconds = 5");
    assert!(typo.is_err());
    let bad_tenant = descope_emulator::EmulatorConfig::from_toml_str(
        "[[seed.users]]\nlogin_id = \"x\"\ntenants = [{ tenant_id = \"nope\" }]",
    )
    .unwrap();
    assert!(descope_emulator::Emulator::start(bad_tenant).await.is_err());

    let env = start_with(config).await;
    assert_eq!(env.pid, "P2FromToml");
    let code = env
        .code_via(
            "/v1/auth/sso/authorize?tenant=Tenant%20One",
            None,
            json!({}),
        )
        .await;
    let (_, jwt) = env
        .post("/v1/auth/sso/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(jwt["user"]["email"], "sso-user@one.test");
}

/// A control call with extra headers; returns the status and the JSON body.
async fn control_with(
    env: &Env,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (reqwest::StatusCode, Value) {
    let mut request = env.http.request(method, env.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn control_api_answers_loopback_hosts_only() {
    let env = start().await;
    let port = env.emu.base_url().rsplit(':').next().unwrap().to_owned();
    let get = reqwest::Method::GET;
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST".to_owned(),
        "127.8.9.10".to_owned(),
        format!("[::1]:{port}"),
    ] {
        let (status, body) = control_with(
            &env,
            get.clone(),
            "/emulator/users",
            &[("Host", &host)],
            None,
        )
        .await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    // DNS rebinding: a page on attacker.test whose name now resolves to 127.0.0.1.
    for host in [
        format!("attacker.test:{port}"),
        "localhost.attacker.test".to_owned(),
        "127.0.0.1.nip.io".to_owned(),
        "10.0.0.1".to_owned(),
        format!("[::2]:{port}"),
    ] {
        let refused = control_with(
            &env,
            get.clone(),
            "/emulator/users",
            &[("Host", &host)],
            None,
        )
        .await;
        assert_error(&refused, 403, "E011001");
        let refused = control_with(
            &env,
            reqwest::Method::POST,
            "/emulator/reset",
            &[("Host", &host), ("Content-Type", "application/json")],
            Some("{}"),
        )
        .await;
        assert_error(&refused, 403, "E011001");
    }
    // The Descope API routes and the provider page a browser visits are not control calls.
    let (status, _) = control_with(
        &env,
        get.clone(),
        &format!("/v2/keys/{}", env.pid),
        &[("Host", "api.example.test")],
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn control_api_refuses_cross_site_browsers() {
    let env = start().await;
    let get = reqwest::Method::GET;
    let port = env.emu.base_url().rsplit(':').next().unwrap().to_owned();
    let own = env.emu.base_url().to_owned();
    let fine = [
        ("Origin", own.as_str()),
        ("Origin", "http://localhost:3000"),
        ("Origin", "https://127.0.0.1"),
        ("Sec-Fetch-Site", "same-origin"),
        ("Sec-Fetch-Site", "same-site"),
        ("Sec-Fetch-Site", "none"),
    ];
    for header in fine {
        let (status, body) =
            control_with(&env, get.clone(), "/emulator/users", &[header], None).await;
        assert_eq!(status, 200, "{header:?}: {body}");
    }
    let evil_port = format!("http://attacker.test:{port}");
    let cross = [
        ("Origin", "https://attacker.test"),
        ("Origin", evil_port.as_str()),
        ("Origin", "null"),
        ("Origin", "not a url"),
        ("Sec-Fetch-Site", "cross-site"),
    ];
    for header in cross {
        let refused = control_with(&env, get.clone(), "/emulator/users", &[header], None).await;
        assert_error(&refused, 403, "E011001");
    }
    // A cross-site form post cannot arm a fault.
    let path = format!("/v2/keys/{}", env.pid);
    let fault = json!({"path": path, "fault": {"kind": "status", "status": 503}}).to_string();
    let refused = control_with(
        &env,
        reqwest::Method::POST,
        "/emulator/faults",
        &[
            ("Origin", "https://attacker.test"),
            ("Sec-Fetch-Site", "cross-site"),
            ("Content-Type", "application/json"),
        ],
        Some(&fault),
    )
    .await;
    assert_error(&refused, 403, "E011001");
    assert_eq!(env.get(&path, None).await.0, 200, "no fault was armed");

    // Provider/IdP pages are browser pages reached cross-site by design.
    let (status, started) = env
        .post("/v1/auth/oauth/authorize?provider=google", None, json!({}))
        .await;
    assert_eq!(status, 200);
    let response = env
        .http
        .get(str_of(&started, "url"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Origin", "https://app.example.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
}

#[tokio::test]
async fn control_bodies_must_be_json() {
    let env = start().await;
    let path = format!("/v2/keys/{}", env.pid);
    let fault = json!({"path": path, "fault": {"kind": "status", "status": 503}}).to_string();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|c| ("Content-Type", c))
            .into_iter()
            .collect();
        let refused = control_with(
            &env,
            reqwest::Method::POST,
            "/emulator/faults",
            &headers,
            Some(&fault),
        )
        .await;
        assert_error(&refused, 415, "E011003");
    }
    assert_eq!(env.get(&path, None).await.0, 200, "no fault was armed");
    // JSON (with parameters, any case) is accepted; calls without a body need no type.
    let (status, body) = control_with(
        &env,
        reqwest::Method::POST,
        "/emulator/clock",
        &[("Content-Type", "Application/JSON; charset=utf-8")],
        Some(r#"{"offsetSeconds": 5}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        control_with(&env, reqwest::Method::POST, "/emulator/reset", &[], None).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) =
        control_with(&env, reqwest::Method::DELETE, "/emulator/faults", &[], None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn request_counter_counts_api_routes_per_project() {
    let env = start().await;
    let (status, empty) = env.get("/emulator/requests", None).await;
    assert_eq!(status, 200);
    assert_eq!(empty, json!({"projectId": env.pid, "counts": {}}));

    let jwt = env.oauth_sign_in("ada@example.com").await;
    // A fault-answered request is counted too.
    env.control(
        "/emulator/faults",
        json!({"path": "/v1/auth/oauth/exchange", "fault": {"kind": "status", "status": 503}}),
    )
    .await;
    let faulted = env
        .post("/v1/auth/oauth/exchange", None, json!({"code": "x"}))
        .await;
    assert_eq!(faulted.0, 503);
    env.get(&format!("/v2/keys/{}", env.pid), None).await;
    env.post(
        "/v1/auth/refresh",
        Some(str_of(&jwt, "refreshJwt")),
        json!({}),
    )
    .await;
    env.get("/v1/auth/nothing", None).await;
    env.get("/v1/auth/magiclink/a/b/c", None).await;
    // Another project's calls are its own; control calls are not counted.
    let other = env
        .http
        .get(env.url("/v2/keys/P2OtherProject"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);

    let (_, counted) = env.get("/emulator/requests", None).await;
    assert_eq!(
        counted,
        json!({"projectId": env.pid, "counts": {
            "/v1/auth/oauth/authorize": 1,
            "/v1/auth/oauth/exchange": 2,
            "/v1/auth/refresh": 1,
            "/v2/keys/{project}": 1,
            "unmatched": 2,
        }})
    );
    // Without a bearer, `?projectId=` chooses the project.
    let other_counts = "/emulator/requests?projectId=P2OtherProject";
    let (_, other) = control_with(&env, reqwest::Method::GET, other_counts, &[], None).await;
    assert_eq!(
        other,
        json!({"projectId": "P2OtherProject", "counts": {"/v2/keys/{project}": 1}})
    );

    let (status, cleared) = control_with(
        &env,
        reqwest::Method::DELETE,
        "/emulator/requests",
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200, "{cleared}");
    let (_, after) = env.get("/emulator/requests", None).await;
    assert_eq!(after["counts"], json!({}));
    let (_, other) = control_with(&env, reqwest::Method::GET, other_counts, &[], None).await;
    assert_eq!(
        other["counts"],
        json!({"/v2/keys/{project}": 1}),
        "per project"
    );
}

#[tokio::test]
async fn outbox_starts_empty_and_clears() {
    let env = start().await;
    assert!(env.outbox(None).await.is_empty());
    assert!(env.outbox(Some("ada@example.com")).await.is_empty());
    env.clear_outbox().await;
    // Like every control call, it refuses a cross-site caller.
    let response = env
        .http
        .get(env.url("/emulator/outbox"))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FORBIDDEN);
}
