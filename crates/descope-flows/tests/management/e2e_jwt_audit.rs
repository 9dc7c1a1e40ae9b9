//! End to end against descope-emulator, over both backends: what the sign-in side does shows
//! in the audit trail and the login history, and the JWT calls issue tokens the client
//! validates locally.

use descope_flows::{Client, ErrorKind};
use descope_types::{AuditEventType, DeliveryMethod, ManagementKey, OtpCode, SessionToken};

use crate::harness::{Backend, Setup, over_both_backends, setup};

const ACME: &str = "T2EmulatorTenantAcme";

fn management_client(s: &Setup) -> Client {
    Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .management_key(ManagementKey::new(
            s.emulator
                .management_key()
                .expect("the demo seed has a key"),
        ))
        .build()
        .unwrap()
}

async fn code_for(s: &Setup, login_id: &str) -> OtpCode {
    let message = s.last_message(login_id).await;
    OtpCode::new(message["code"].as_str().expect("an OTP message has a code"))
}

/// OTP sign-in, refresh, logout and a failed verify each leave exactly one record, found by
/// user; the sign-in shows in the login history.
async fn auth_events_reach_the_audit_trail(kind: Backend) {
    let s = setup(kind).await;
    let admin = management_client(&s);
    let login = "audit-e2e@example.com";
    let user = admin
        .management()
        .users()
        .create(login)
        .email(login)
        .await
        .unwrap();

    let otp = s.client.otp();
    otp.sign_in(DeliveryMethod::Email, login).await.unwrap();
    let wrong = otp
        .verify(DeliveryMethod::Email, login, &OtpCode::new("000000"))
        .await;
    // 1 in a million: the real code may be 000000.
    let code = code_for(&s, login).await;
    let failed = code.secret() != "000000";
    if failed {
        assert_eq!(wrong.unwrap_err().status(), Some(401));
    }
    let info = otp.verify(DeliveryMethod::Email, login, &code).await;
    let info = match info {
        Ok(info) => info,
        Err(_) => {
            // The wrong code succeeded (it was the real one): sign in again.
            otp.sign_in(DeliveryMethod::Email, login).await.unwrap();
            let code = code_for(&s, login).await;
            otp.verify(DeliveryMethod::Email, login, &code)
                .await
                .unwrap()
        }
    };
    let refreshed = s.client.refresh(info.refresh.token()).await.unwrap();
    s.client.logout(refreshed.refresh.token()).await.unwrap();

    let found = admin
        .management()
        .audit()
        .search()
        .user_ids([user.user_id.as_str()])
        .await
        .unwrap();
    let mut actions: Vec<&str> = found.audits.iter().map(|r| r.action.as_str()).collect();
    actions.sort_unstable();
    let mut expected = vec!["LoginSucceed", "Logout", "UserRefresh"];
    if failed {
        expected.push("LoginFailed");
    }
    expected.sort_unstable();
    assert_eq!(actions, expected, "{found:#?}");
    assert_eq!(found.total, expected.len() as u64);
    let succeed = found
        .audits
        .iter()
        .find(|r| r.action == "LoginSucceed")
        .unwrap();
    assert_eq!(succeed.method, "otp");
    assert_eq!(succeed.external_ids, [login]);
    assert!(succeed.occurred > 1_700_000_000_000, "milliseconds");
    // Newest first.
    assert!(
        found
            .audits
            .windows(2)
            .all(|w| w[0].occurred >= w[1].occurred)
    );
    if failed {
        let failure = found
            .audits
            .iter()
            .find(|r| r.action == "LoginFailed")
            .unwrap();
        assert!(failure.data.contains_key("error_message"));
    }

    // Filters: by action and login id; a time window before the events finds nothing.
    let only = admin
        .management()
        .audit()
        .search()
        .login_ids([login])
        .actions(["UserRefresh"])
        .await
        .unwrap();
    assert_eq!(only.audits.len(), 1);
    let early = admin
        .management()
        .audit()
        .search()
        .user_ids([user.user_id.as_str()])
        .to(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000))
        .await
        .unwrap();
    assert!(early.audits.is_empty());

    // A custom event shows up in the search.
    admin
        .management()
        .audit()
        .create_event("CustomAction", AuditEventType::Warn, "U2actor", ACME)
        .user_id(user.user_id.as_str())
        .data("k", "v")
        .await
        .unwrap();
    let custom = admin
        .management()
        .audit()
        .search()
        .actions(["CustomAction"])
        .await
        .unwrap();
    assert_eq!(custom.audits.len(), 1);
    assert_eq!(custom.audits[0].actor_id.as_deref(), Some("U2actor"));
    assert_eq!(custom.audits[0].event_type.as_deref(), Some("warn"));
    assert_eq!(custom.audits[0].tenants, [ACME]);

    // The login history lists the one sign-in; unknown ids are left out.
    let history = admin
        .management()
        .users()
        .history([user.user_id.as_str(), "U2unknown"])
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].user_id, user.user_id);
}

/// Update JWT: the claims are in a token the client validates locally.
async fn update_jwt_adds_claims(kind: Backend) {
    let s = setup(kind).await;
    let admin = management_client(&s);
    let info = admin
        .management()
        .jwt()
        .sign_in("ada@example.com")
        .await
        .unwrap();
    let updated = admin
        .management()
        .jwt()
        .update(info.session.token())
        .custom_claim("plan", "gold")
        .custom_claim("sub", "forged")
        .await
        .unwrap();
    assert_eq!(updated.claim("plan"), Some(&"gold".into()));
    assert_eq!(
        updated.user_id(),
        info.session.user_id(),
        "reserved claims stay"
    );
    let validated = s.client.validate_session(updated.token()).await.unwrap();
    assert_eq!(validated.claim("plan"), Some(&"gold".into()));
    // Not a JWT of this project: refused.
    let error = admin
        .management()
        .jwt()
        .update(&SessionToken::new("not.a.jwt"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
}

/// Impersonation needs the `Impersonate` permission; the token names the impersonator in
/// `act`; stopping it gives the impersonator's session back.
async fn impersonation_needs_the_permission(kind: Backend) {
    let s = setup(kind).await;
    let admin = management_client(&s);
    let users = admin.management().users();
    let plain = users.create("plain@example.com").await.unwrap();
    let support = users
        .create("support@example.com")
        .roles(["support"])
        .await
        .unwrap();
    let jwt = admin.management().jwt();

    let refused = jwt
        .impersonate(&plain.user_id, "ada@example.com")
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Api);
    assert_eq!(refused.status(), Some(403));

    let session = jwt
        .impersonate(&support.user_id, "ada@example.com")
        .custom_claim("k", "v")
        .selected_tenant(ACME)
        .await
        .unwrap();
    let ada = users.load("ada@example.com").await.unwrap();
    assert_eq!(session.user_id(), ada.user_id);
    assert_eq!(
        session.claim("act").and_then(|a| a.get("sub")),
        Some(&support.user_id.as_str().into())
    );
    assert_eq!(session.current_tenant(), Some(ACME));
    assert!(session.roles().contains(&"admin".to_owned()));
    s.client.validate_session(session.token()).await.unwrap();
    // Recorded as a sign-in of the impersonated user, method `Impersonate`.
    let records = admin
        .management()
        .audit()
        .search()
        .user_ids([ada.user_id.as_str()])
        .methods(["Impersonate"])
        .await
        .unwrap();
    assert_eq!(records.audits.len(), 1);

    let back = jwt.stop_impersonation(session.token()).await.unwrap();
    assert_eq!(back.user_id(), support.user_id);
    assert!(back.claim("act").is_none());
    // A token that is no impersonation cannot be stopped.
    let error = jwt.stop_impersonation(back.token()).await.unwrap_err();
    assert_eq!(error.status(), Some(400));
}

/// Management-issued sessions are full sessions: their refresh token works.
async fn management_sessions_refresh(kind: Backend) {
    let s = setup(kind).await;
    let admin = management_client(&s);
    let jwt = admin.management().jwt();

    let info = jwt
        .sign_in("ada@example.com")
        .custom_claim("via", "mgmt")
        .await
        .unwrap();
    assert_eq!(info.session.claim("via"), Some(&"mgmt".into()));
    let refreshed = s.client.refresh(info.refresh.token()).await.unwrap();
    assert_eq!(refreshed.session.user_id(), info.session.user_id());
    // Unknown users cannot sign in.
    let error = jwt.sign_in("nobody@example.com").await.unwrap_err();
    assert_eq!(error.status(), Some(400));

    // Sign-up creates the user once; sign-up-or-in then signs them in.
    let new = jwt
        .sign_up("jwt-new@example.com")
        .name("Jwt New")
        .email("jwt-new@example.com")
        .email_verified(true)
        .await
        .unwrap();
    assert!(new.first_seen);
    let user = new.user.unwrap();
    assert_eq!(user.name.as_deref(), Some("Jwt New"));
    let again = jwt.sign_up("jwt-new@example.com").await.unwrap_err();
    assert_eq!(again.status(), Some(400));
    let in_again = jwt.sign_up_or_in("jwt-new@example.com").await.unwrap();
    assert!(!in_again.first_seen);
    s.client.refresh(in_again.refresh.token()).await.unwrap();

    // Revoking the other sessions logs the first one out.
    jwt.sign_in("ada@example.com")
        .revoke_other_sessions(true)
        .await
        .unwrap();
    let error = s.client.refresh(info.refresh.token()).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
}

over_both_backends!(
    auth_events_reach_the_audit_trail,
    update_jwt_adds_claims,
    impersonation_needs_the_permission,
    management_sessions_refresh,
);
