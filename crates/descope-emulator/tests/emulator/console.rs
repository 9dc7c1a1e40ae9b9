//! The web console: its pages (escaping, no secrets) and the control actions its buttons
//! post, as the console's forms (own origin) and as JSON, with the guard's refusals.

use descope_emulator::{DEMO_MANAGEMENT_KEY, EmulatorConfig, Seed, SeedUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, assert_error, start, start_with, str_of};

/// An OTP sign-up and verify for `login`; returns the JWT answer.
async fn otp_sign_up(env: &Env, login: &str) -> Value {
    let (status, sent) = env
        .post("/v1/auth/otp/signup/email", None, json!({"loginId": login}))
        .await;
    assert_eq!(status, 200, "{sent}");
    let messages = env.outbox(Some(login)).await;
    let code = str_of(messages.last().unwrap(), "code").to_owned();
    let (status, jwt) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": login, "code": code}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    jwt
}

/// GET a console page; asserts an HTML 200 with the console's headers and returns it.
async fn page(env: &Env, path: &str) -> String {
    let response = env.http.get(env.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let headers = response.headers();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "same-origin");
    response.text().await.unwrap()
}

/// A form POST as the console's page sends it (same origin, form content type).
async fn form(
    env: &Env,
    path: &str,
    origin: Option<&str>,
    body: &str,
) -> (StatusCode, Option<String>, String) {
    let mut request = env
        .http
        .post(env.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request
            .header("Origin", origin)
            .header("Sec-Fetch-Site", "same-origin");
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location, response.text().await.unwrap())
}

fn user_id_of(jwt: &Value) -> String {
    str_of(&jwt["user"], "userId").to_owned()
}

async fn status_of(env: &Env, user_id: &str) -> String {
    let (_, users) = env.get("/emulator/users", None).await;
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userId"] == user_id)
        .map(|u| str_of(u, "status").to_owned())
        .unwrap_or_else(|| "missing".to_owned())
}

#[tokio::test]
async fn pages_list_outbox_users_sessions_and_directory_without_secrets() {
    let mut seed = Seed::demo();
    seed.users.push(SeedUser {
        login_id: "mallory@example.com".to_owned(),
        name: Some("<script>alert('x')</script>".to_owned()),
        roles: vec!["<b>role</b>".to_owned()],
        ..SeedUser::default()
    });
    let env = start_with(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await;
    let empty = page(&env, "/emulator/").await;
    assert!(empty.contains("No messages yet."));
    assert!(empty.contains("<script src=\"/emulator/console.js\" defer></script>"));

    let jwt = otp_sign_up(&env, "new@example.com").await;
    let code = str_of(&env.outbox(Some("new@example.com")).await[0], "code").to_owned();
    let refresh = str_of(&jwt, "refreshJwt").to_owned();
    let session = str_of(&jwt, "sessionJwt").to_owned();
    let user_id = user_id_of(&jwt);

    let outbox = page(&env, "/emulator/").await;
    assert!(outbox.contains(&format!(
        "<span class=\"code\" data-testid=\"code\">{code}</span>"
    )));
    assert!(outbox.contains("new@example.com"));
    let rows = page(&env, "/emulator/console/outbox").await;
    assert!(rows.starts_with("<tr data-id=\"M"), "{rows}");
    assert!(rows.contains(&code));

    let users = page(&env, "/emulator/console/users").await;
    assert!(users.contains("new@example.com") && users.contains("ada@example.com"));
    assert!(!users.contains("<script>alert"), "names are escaped");
    assert!(users.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!users.contains("<b>role</b>"));

    let user = page(&env, &format!("/emulator/console/users/{user_id}")).await;
    assert!(user.contains("<table id=\"sessions\">"));
    assert!(user.contains("live"));
    // The sign-up's audit record, from the same log the management API searches.
    assert!(user.contains("<td>LoginSucceed</td>"), "{user}");
    assert!(!user.contains("Audit records appear here."));
    assert!(user.contains(&format!("/emulator/users/{user_id}/logout?projectId=")));

    let directory = page(&env, "/emulator/console/directory").await;
    assert!(directory.contains("T2EmulatorTenantAcme") && directory.contains("tenant-admin"));
    assert!(directory.contains("K2EmulatorAccessKey0001"));

    let system = page(&env, "/emulator/console/system").await;
    let kid = str_of(&env.get("/emulator/keys", None).await.1["keys"][0], "kid").to_owned();
    assert!(system.contains(&kid));

    // No page shows a token or a key secret.
    for body in [&outbox, &users, &user, &directory, &system] {
        assert!(!body.contains(&refresh) && !body.contains(&session));
        assert!(!body.contains("emulator-access-key-0001"));
        assert!(!body.contains(DEMO_MANAGEMENT_KEY));
    }
    // Another project is chosen as the control API chooses it, and offered by the switcher.
    let other = page(&env, "/emulator/console/users?projectId=P2Other").await;
    assert!(other.contains("<option value=\"P2Other\" selected>"));
    assert!(other.contains(&format!("<option value=\"{}\">", env.pid)));
    // Unknown user: the Descope error for it (400 E062108).
    let (status, _) = env.get("/emulator/console/users/U2Nobody", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn assets_are_served_to_anyone_and_the_provider_page_uses_the_stylesheet() {
    let env = start_with(EmulatorConfig {
        interactive: true,
        ..EmulatorConfig::default()
    })
    .await;
    for (path, kind) in [
        ("/emulator/style.css", "text/css"),
        ("/emulator/console.js", "text/javascript"),
    ] {
        let response = env
            .http
            .get(env.url(path))
            .header("Host", "app.example.test")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
    }
    let (_, started) = env
        .post("/v1/auth/oauth/authorize?provider=google", None, json!({}))
        .await;
    let html = env
        .http
        .get(str_of(&started, "url"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/emulator/style.css\">"));
    assert!(html.contains("<label class=\"block\" for=\"loginId\">"));
}

#[tokio::test]
async fn console_forms_act_and_come_back() {
    let env = start().await;
    let own = env.emu.base_url().to_owned();
    let jwt = otp_sign_up(&env, "form@example.com").await;
    let user_id = user_id_of(&jwt);
    let back = format!("%2Femulator%2Fconsole%2Fusers%2F{user_id}");
    let post = |path: String| {
        let env = &env;
        let own = own.clone();
        async move { form(env, &path, Some(&own), "").await }
    };

    let (status, location, _) = post(format!(
        "/emulator/users/{user_id}/deactivate?return={back}"
    ))
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.unwrap(),
        format!("/emulator/console/users/{user_id}")
    );
    assert_eq!(status_of(&env, &user_id).await, "disabled");
    env.post(
        "/v1/auth/otp/signin/email",
        None,
        json!({"loginId": "form@example.com"}),
    )
    .await;
    let messages = env.outbox(Some("form@example.com")).await;
    let code = str_of(messages.last().unwrap(), "code");
    let (status, _) = env
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "form@example.com", "code": code}),
        )
        .await;
    assert_ne!(status, 200, "a deactivated user cannot sign in");
    post(format!("/emulator/users/{user_id}/activate")).await;
    assert_eq!(status_of(&env, &user_id).await, "enabled");

    // Log out everywhere: the refresh token stops working.
    let refresh = str_of(&jwt, "refreshJwt");
    assert_eq!(
        env.post("/v1/auth/refresh", Some(refresh), json!({}))
            .await
            .0,
        200
    );
    let (status, location, _) = post(format!("/emulator/users/{user_id}/logout")).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/emulator/"))
    );
    assert_eq!(
        env.post("/v1/auth/refresh", Some(refresh), json!({}))
            .await
            .0,
        401
    );

    // Clock: +1 hour, +1 day, reset.
    let offset = |env: &Env| {
        let html = env.http.get(env.url("/emulator/console/system"));
        async move {
            let text = html.send().await.unwrap().text().await.unwrap();
            let start = text.find("<span id=\"offset\">").unwrap();
            let rest = &text[start..];
            let secs = rest.split(", ").nth(1).unwrap().split(' ').next().unwrap();
            secs.parse::<i64>().unwrap()
        }
    };
    form(&env, "/emulator/clock/advance", Some(&own), "seconds=3600").await;
    form(&env, "/emulator/clock/advance", Some(&own), "seconds=86400").await;
    assert_eq!(offset(&env).await, 90_000);
    form(&env, "/emulator/clock", Some(&own), "offsetSeconds=0").await;
    assert_eq!(offset(&env).await, 0);

    // Faults: listed, then cleared by the form.
    env.control(
        "/emulator/faults",
        json!({"path": "/v1/auth/me", "count": 2, "fault": {"kind": "reset"}}),
    )
    .await;
    let (_, faults) = env.get("/emulator/faults", None).await;
    assert_eq!(
        faults,
        json!({"faults": [{"path": "/v1/auth/me", "remaining": 2, "kind": "reset"}]})
    );
    assert!(
        page(&env, "/emulator/console/system")
            .await
            .contains("<code>/v1/auth/me</code>")
    );
    form(&env, "/emulator/faults/clear", Some(&own), "").await;
    assert_eq!(
        env.get("/emulator/faults", None).await.1,
        json!({"faults": []})
    );

    // Rotate: a new kid in the JWKS, the old one listed with its grace.
    let before = env.jwks().await;
    let (status, _, _) = form(&env, "/emulator/keys/rotate", Some(&own), "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = env.jwks().await;
    assert_ne!(before.keys[0].common.key_id, after.keys[0].common.key_id);
    let (_, keys) = env.get("/emulator/keys", None).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 2);
    assert!(keys["keys"][0]["validUntil"].is_null());
    assert!(
        keys["keys"][1]["validUntil"].as_i64().unwrap()
            > keys["keys"][1]["createdAt"].as_i64().unwrap()
    );

    // Outbox cleared, then delete, then reset to seed brings ada back but not the new user.
    form(&env, "/emulator/outbox/clear", Some(&own), "").await;
    assert!(env.outbox(None).await.is_empty());
    let (status, location, _) = form(
        &env,
        &format!("/emulator/users/{user_id}/delete?return=%2Femulator%2Fconsole%2Fusers"),
        Some(&own),
        "",
    )
    .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/emulator/console/users"))
    );
    assert_eq!(status_of(&env, &user_id).await, "missing");
    form(&env, "/emulator/reset", Some(&own), "").await;
    assert_eq!(
        env.get("/emulator/users", None).await.1["users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A return path off the console is ignored.
    for evil in [
        "%2F%2Fattacker.test%2F",
        "https%3A%2F%2Fattacker.test%2F",
        "%2Fv1%2Fauth%2Fme",
    ] {
        let (_, location, _) = form(
            &env,
            &format!("/emulator/reset?return={evil}"),
            Some(&own),
            "",
        )
        .await;
        assert_eq!(location.as_deref(), Some("/emulator/"), "{evil}");
    }
}

#[tokio::test]
async fn console_forms_from_anywhere_else_are_refused() {
    let env = start().await;
    let jwt = otp_sign_up(&env, "victim@example.com").await;
    let user_id = user_id_of(&jwt);
    let port = env.emu.base_url().rsplit(':').next().unwrap().to_owned();
    let other_port = "http://127.0.0.1:1".to_owned();
    let localhost = format!("http://localhost:{port}");
    // No Origin (a non-browser form), another local app's origin, another name for the
    // same address: the form content type is refused as before (415).
    for origin in [None, Some(other_port.as_str()), Some(localhost.as_str())] {
        let (status, _, body) = form(
            &env,
            &format!("/emulator/users/{user_id}/deactivate"),
            origin,
            "x=1",
        )
        .await;
        assert_eq!(status, 415, "{origin:?}: {body}");
    }
    // Cross-site or opaque origins: refused before the body is looked at.
    for origin in ["https://attacker.test", "null"] {
        let (status, _, body) = form(
            &env,
            &format!("/emulator/users/{user_id}/delete"),
            Some(origin),
            "",
        )
        .await;
        assert_eq!(status, 403, "{origin}: {body}");
    }
    // A rebound host name, even with a matching Origin.
    let response = env
        .http
        .post(env.url(&format!("/emulator/users/{user_id}/delete")))
        .header("Host", format!("attacker.test:{port}"))
        .header("Origin", format!("http://attacker.test:{port}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("a=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // The console's pages are guarded the same way.
    for path in [
        "/emulator/",
        "/emulator/console/outbox",
        "/emulator/console/users",
    ] {
        let response = env
            .http
            .get(env.url(path))
            .header("Host", format!("attacker.test:{port}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let response = env
            .http
            .get(env.url(path))
            .header("Sec-Fetch-Site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(
        status_of(&env, &user_id).await,
        "enabled",
        "nothing changed"
    );
}

#[tokio::test]
async fn new_control_actions_over_json() {
    let env = start().await;
    let jwt = otp_sign_up(&env, "json@example.com").await;
    let user_id = user_id_of(&jwt);
    let deactivated = env
        .control(
            &format!("/emulator/users/{user_id}/deactivate"),
            Value::Null,
        )
        .await;
    assert_eq!(
        deactivated,
        json!({"ok": true, "userId": user_id, "status": "disabled"})
    );
    env.control(&format!("/emulator/users/{user_id}/activate"), Value::Null)
        .await;
    let ended = env
        .control(&format!("/emulator/users/{user_id}/logout"), Value::Null)
        .await;
    assert_eq!(ended["sessionsEnded"], 1);
    let advanced = env
        .control("/emulator/clock/advance", json!({"seconds": -60}))
        .await;
    assert_eq!(advanced["offsetSeconds"], -60);
    let refused = env
        .post(
            "/emulator/clock/advance",
            None,
            json!({"seconds": i64::MAX}),
        )
        .await;
    assert_error(&refused, 400, "E011004");
    env.control("/emulator/faults/clear", Value::Null).await;
    env.control("/emulator/outbox/clear", Value::Null).await;
    let response = env
        .http
        .request(
            Method::DELETE,
            env.url(&format!("/emulator/users/{user_id}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    for action in ["deactivate", "activate", "logout", "delete"] {
        let (status, body) = env
            .post(
                &format!("/emulator/users/{user_id}/{action}"),
                None,
                Value::Null,
            )
            .await;
        assert_eq!(status, 400, "{action}: {body}");
        assert_eq!(body["errorCode"], "E062108", "{action}: {body}");
    }
}
