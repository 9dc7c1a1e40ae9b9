//! Invitations, batches, test-user generators and embedded links: request snapshots checked
//! against the official SDKs' captures, and end to end against descope-emulator over both
//! backends (each code or token verified through the sign-in side).

use std::time::Duration;

use descope_flows::Client;
use descope_types::{
    BatchUserPassword, DeliveryMethod, ErrorCode, LoginOptions, ManagementKey, MgmtBatchUser,
    OtpCode, Password, SignInLink,
};
use serde_json::{Value, json};

use crate::common::TENANT_ID;
use crate::common::captures::*;
use crate::common::{Seen, seen};
use crate::harness::{Backend, Setup, over_both_backends, setup};

const USER: &str = "mgmt-user@example.com";
const TEST_USER: &str = "test-user@example.com";
const URI: &str = "http://127.0.0.1:3000/verify";
const INVITE_URL: &str = "http://127.0.0.1:3000/invite";

/// The canned answers of this area's paths (the others as `crate::canned`).
fn canned(path: &str) -> (u16, Value) {
    match path {
        "/v1/mgmt/user/create/batch" => (
            200,
            json!({"createdUsers": [crate::canned_user()], "failedUsers": [
                {"failure": "User already exists", "user": {"loginIds": ["batch2@example.com"]}}
            ]}),
        ),
        "/v1/mgmt/tests/generate/otp" => (200, json!({"code": "123456", "loginId": TEST_USER})),
        "/v1/mgmt/tests/generate/magiclink" => (
            200,
            json!({"link": format!("{URI}?t=ml_generated"), "loginId": TEST_USER}),
        ),
        "/v1/mgmt/tests/generate/enchantedlink" => (
            200,
            json!({"link": format!("{URI}?t=elt_generated"), "loginId": TEST_USER,
                   "pendingRef": "pref_generated"}),
        ),
        "/v1/mgmt/user/signin/embeddedlink" => (200, json!({"token": "ml_embedded"})),
        other => crate::canned(other),
    }
}

const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "invite_all",
        &["node:management.user.invite(loginId, options{all})"],
    ),
    (
        "invite_batch",
        &[
            "python:mgmt.user.invite_batch(users, all options)",
            "node:management.user.inviteBatch(users, all options)",
        ],
    ),
    ("create_batch", &["node:management.user.createBatch(users)"]),
    (
        "generate_otp_email",
        &[
            "python:mgmt.user.generate_otp_for_test_user(EMAIL, login_options)",
            "node:management.user.generateOTPForTestUser(email, loginId, loginOptions)",
        ],
    ),
    (
        "generate_otp_sms",
        &[
            "python:mgmt.user.generate_otp_for_test_user(SMS)",
            "node:management.user.generateOTPForTestUser(sms, loginId)",
        ],
    ),
    (
        "generate_magic_link",
        &[
            "python:mgmt.user.generate_magic_link_for_test_user(EMAIL, uri, opts)",
            "node:management.user.generateMagicLinkForTestUser(email, loginId, uri, opts)",
        ],
    ),
    (
        "generate_enchanted_link",
        &[
            "python:mgmt.user.generate_enchanted_link_for_test_user(uri, opts)",
            "node:management.user.generateEnchantedLinkForTestUser(loginId, uri, opts)",
        ],
    ),
    (
        "embedded_link_all",
        &[
            "python:mgmt.user.generate_embedded_link(login_id, claims, timeout)",
            "node:management.user.generateEmbeddedLink(loginId, claims, timeout)",
        ],
    ),
    (
        "embedded_link_minimal",
        &[
            "python:mgmt.user.generate_embedded_link(login_id)",
            "node:management.user.generateEmbeddedLink(loginId)",
        ],
    ),
];

fn claims() -> LoginOptions {
    LoginOptions {
        custom_claims: Some(json!({"k": "v"}).as_object().unwrap().clone()),
        ..LoginOptions::default()
    }
}

fn batch_users() -> Vec<MgmtBatchUser> {
    let mut one = MgmtBatchUser::new("batch1@example.com");
    one.user.email = Some("batch1@example.com".into());
    one.user.display_name = Some("Batch One".into());
    one.user.role_names = vec!["viewer".into()];
    one.user.user_tenants = vec![descope_types::TenantRoles {
        tenant_id: TENANT_ID.into(),
        role_names: vec!["tenant-admin".into()],
    }];
    one.user.custom_attributes = Some(json!({"b": true}).as_object().unwrap().clone());
    let mut two = MgmtBatchUser::new("batch2@example.com");
    two.user.phone = Some("+15555550134".into());
    two.password = Some(BatchUserPassword {
        cleartext: Some(Password::new("Batch!Pass1")),
        hashed: None,
    });
    vec![one, two]
}

async fn run(op: &str, client: &Client) {
    let users = client.management().users();
    match op {
        "invite_all" => {
            let user = users
                .invite("invitee@example.com")
                .email("invitee@example.com")
                .phone("+15555550133")
                .name("Invitee")
                .given_name("In")
                .middle_name("V")
                .family_name("Itee")
                .tenant(TENANT_ID, ["tenant-admin"])
                .custom_attribute("x", "y")
                .picture("https://example.com/i.png")
                .verified_email(false)
                .verified_phone(false)
                .additional_login_ids(["inv-alt"])
                .sso_app_ids(["app-1"])
                .invite_url(INVITE_URL)
                .send_mail(true)
                .send_sms(false)
                .template_option("greeting", "hi")
                .template_id("tmpl-inv")
                .locale("en")
                .roles(["viewer"])
                .await
                .unwrap();
            assert_eq!(user.login_ids, [USER]);
        }
        "invite_batch" => {
            let answer = users
                .invite_batch(batch_users())
                .invite_url(INVITE_URL)
                .send_mail(true)
                .send_sms(true)
                .template_option("greeting", "hi")
                .template_id("tmpl-batch")
                .locale("en")
                .await
                .unwrap();
            assert_eq!(answer.created_users.len(), 1);
            assert_eq!(answer.failed_users[0].failure, "User already exists");
        }
        "create_batch" => {
            let mut one = MgmtBatchUser::new("cb1@example.com");
            one.user.email = Some("cb1@example.com".into());
            one.user.role_names = vec!["viewer".into()];
            let mut two = MgmtBatchUser::new("cb2@example.com");
            two.user.test = true;
            let answer = users.create_batch([one, two]).await.unwrap();
            assert_eq!(answer.created_users[0].login_ids, [USER]);
        }
        "generate_otp_email" => {
            let answer = users
                .generate_otp_for_test_user(DeliveryMethod::Email, TEST_USER)
                .login_options(claims())
                .await
                .unwrap();
            assert_eq!(answer.code.secret(), "123456");
            assert!(!format!("{answer:?}").contains("123456"));
        }
        "generate_otp_sms" => {
            users
                .generate_otp_for_test_user(DeliveryMethod::Sms, "+15555550132")
                .await
                .unwrap();
        }
        "generate_magic_link" => {
            let answer = users
                .generate_magic_link_for_test_user(DeliveryMethod::Email, TEST_USER)
                .uri(URI)
                .custom_claim("k", "v")
                .await
                .unwrap();
            let token = answer.link.magic_link_token().unwrap();
            assert_eq!(token.secret(), "ml_generated");
            assert!(!format!("{answer:?}").contains("ml_generated"));
        }
        "generate_enchanted_link" => {
            let answer = users
                .generate_enchanted_link_for_test_user(TEST_USER)
                .uri(URI)
                .login_options(claims())
                .await
                .unwrap();
            assert_eq!(answer.pending_ref.secret(), "pref_generated");
            assert_eq!(
                answer.link.enchanted_link_token().unwrap().secret(),
                "elt_generated"
            );
            assert!(!format!("{answer:?}").contains("generated"));
        }
        "embedded_link_all" => {
            let token = users
                .generate_embedded_link(USER)
                .custom_claim("k", "v")
                .expires_in(Duration::from_secs(120))
                .await
                .unwrap();
            assert_eq!(token.secret(), "ml_embedded");
        }
        "embedded_link_minimal" => {
            users.generate_embedded_link(USER).await.unwrap();
        }
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_test_user_operation_matches_its_snapshot_and_the_official_sdks() {
    let captures = load_captures();
    let keys_capture = keys_capture(&captures);
    let mut failures = Vec::new();
    for (op, labels) in OPERATIONS {
        let (client, transport) = crate::recording_client_with(canned);
        run(op, &client).await;
        let seen: Vec<Seen> = transport.requests().iter().map(seen).collect();
        assert_eq!(seen[0].path, LICENSE_PATH, "{op}: the license comes first");
        insta::assert_json_snapshot!(*op, seen.iter().map(snapshot_view).collect::<Vec<_>>());
        failures.extend(check_operation(op, labels, &seen, &captures, keys_capture));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn empty_login_ids_are_refused_before_sending() {
    let (client, transport) = crate::recording_client_with(canned);
    let users = client.management().users();
    assert!(users.invite(" ").await.is_err());
    assert!(users.create_batch([MgmtBatchUser::new("")]).await.is_err());
    assert!(
        users
            .generate_otp_for_test_user(DeliveryMethod::Email, "")
            .await
            .is_err()
    );
    assert!(users.generate_embedded_link("").await.is_err());
    assert!(transport.requests().is_empty());
}

// ---- end to end ----

fn admin(s: &Setup) -> Client {
    let key = s
        .emulator
        .management_key()
        .expect("the demo seed has a management key")
        .to_owned();
    Client::builder(s.emulator.project_id())
        .base_url(s.emulator.base_url())
        .transport(s.raw.clone())
        .management_key(ManagementKey::new(key))
        .build()
        .unwrap()
}

fn link_of(message: &Value) -> SignInLink {
    SignInLink::new(message["link"].as_str().expect("a link"))
}

/// Invite one user by email and SMS: both links sign the user in, once each.
async fn invitations_sign_in(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    let login = "invitee-e2e@example.com";
    let user = users
        .invite(login)
        .email(login)
        .phone("+15555550140")
        .name("Invitee")
        .invite_url(INVITE_URL)
        .send_sms(true)
        .await
        .unwrap();
    assert_eq!(user.login_ids, [login]);
    let messages = s.outbox(login).await;
    let invites: Vec<&Value> = messages.iter().filter(|m| m["kind"] == "invite").collect();
    assert_eq!(invites.len(), 2, "{messages:?}");
    assert_eq!(invites[0]["channel"], "email");
    assert_eq!(invites[0]["to"], login);
    assert_eq!(invites[1]["channel"], "sms");
    for invite in &invites {
        let link = link_of(invite);
        assert!(link.secret().starts_with(INVITE_URL), "{}", link.secret());
        let token = link.magic_link_token().unwrap();
        assert_eq!(Some(token.secret()), invite["token"].as_str());
        let info = s.client.magic_link().verify(&token).await.unwrap();
        assert_eq!(info.session.claims().user_id(), Some(user.user_id.as_str()));
        // Single use.
        let again = s.client.magic_link().verify(&token).await.unwrap_err();
        assert_eq!(again.status(), Some(401));
    }
    // A plain create sends nothing.
    users.create("plain-e2e@example.com").await.unwrap();
    assert!(s.outbox("plain-e2e@example.com").await.is_empty());
    // Without sendMail, no email.
    users
        .invite("quiet-e2e@example.com")
        .send_mail(false)
        .await
        .unwrap();
    assert!(s.outbox("quiet-e2e@example.com").await.is_empty());
}

/// Batch create and invite: the refused user is listed with the reason, the others exist
/// (with their password) and, for an invite, got a link.
async fn batches(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    users.create("taken-e2e@example.com").await.unwrap();
    let mut with_password = MgmtBatchUser::new("batch-pwd-e2e@example.com");
    with_password.password = Some(BatchUserPassword {
        cleartext: Some(Password::new("Batch!Pass1e2e")),
        hashed: None,
    });
    let answer = users
        .create_batch([with_password, MgmtBatchUser::new("taken-e2e@example.com")])
        .await
        .unwrap();
    assert_eq!(answer.created_users.len(), 1);
    assert_eq!(
        answer.created_users[0].login_ids,
        ["batch-pwd-e2e@example.com"]
    );
    assert_eq!(answer.failed_users.len(), 1);
    assert!(!answer.failed_users[0].failure.is_empty());
    assert_eq!(
        answer.failed_users[0].user.login_ids,
        ["taken-e2e@example.com"]
    );
    assert!(s.outbox("batch-pwd-e2e@example.com").await.is_empty());
    let info = s
        .client
        .password()
        .sign_in(
            "batch-pwd-e2e@example.com",
            &Password::new("Batch!Pass1e2e"),
        )
        .await
        .unwrap();
    assert!(info.session.claims().user_id().is_some());

    let mut invited = MgmtBatchUser::new("batch-inv-e2e@example.com");
    invited.user.email = Some("batch-inv-e2e@example.com".into());
    let answer = users
        .invite_batch([invited])
        .invite_url(INVITE_URL)
        .await
        .unwrap();
    assert_eq!(answer.created_users.len(), 1);
    let invite = s.last_message("batch-inv-e2e@example.com").await;
    assert_eq!(invite["kind"], "invite");
    let token = link_of(&invite).magic_link_token().unwrap();
    s.client.magic_link().verify(&token).await.unwrap();
}

/// The generators hand out the very code and links the outbox holds and the sign-in side
/// accepts; only for test users.
async fn test_user_generators(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    let login = "gen-e2e@example.com";
    users
        .create_test_user(login)
        .email(login)
        .phone("+15555550141")
        .await
        .unwrap();

    // OTP: the code verifies, carries the custom claim, and is the outbox's.
    let answer = users
        .generate_otp_for_test_user(DeliveryMethod::Email, login)
        .login_options(claims())
        .await
        .unwrap();
    assert_eq!(answer.login_id, login);
    let message = s.last_message(login).await;
    assert_eq!(message["kind"], "otp");
    assert_eq!(message["code"].as_str(), Some(answer.code.secret()));
    let info = s
        .client
        .otp()
        .verify(DeliveryMethod::Email, login, &answer.code)
        .await
        .unwrap();
    assert_eq!(info.session.claims().custom.get("k"), Some(&json!("v")));
    // Spent.
    let err = s
        .client
        .otp()
        .verify(DeliveryMethod::Email, login, &answer.code)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    // By SMS, to the user's phone.
    let sms = users
        .generate_otp_for_test_user(DeliveryMethod::Sms, login)
        .await
        .unwrap();
    let message = s.last_message(login).await;
    assert_eq!(
        (message["channel"].as_str(), message["to"].as_str()),
        (Some("sms"), Some("+15555550141"))
    );
    s.client
        .otp()
        .verify(DeliveryMethod::Sms, login, &sms.code)
        .await
        .unwrap();
    // A wrong code is still refused.
    users
        .generate_otp_for_test_user(DeliveryMethod::Email, login)
        .await
        .unwrap();
    let wrong = OtpCode::new("not-it");
    assert!(
        s.client
            .otp()
            .verify(DeliveryMethod::Email, login, &wrong)
            .await
            .is_err()
    );

    // Magic link.
    let answer = users
        .generate_magic_link_for_test_user(DeliveryMethod::Email, login)
        .uri(URI)
        .custom_claim("k", "ml")
        .await
        .unwrap();
    assert!(answer.link.secret().starts_with(URI));
    let message = s.last_message(login).await;
    assert_eq!(message["kind"], "magiclink");
    assert_eq!(message["link"].as_str(), Some(answer.link.secret()));
    let token = answer.link.magic_link_token().unwrap();
    let info = s.client.magic_link().verify(&token).await.unwrap();
    assert_eq!(info.session.claims().custom.get("k"), Some(&json!("ml")));

    // Enchanted link: verify the token, then the pending reference yields the session.
    let answer = users
        .generate_enchanted_link_for_test_user(login)
        .uri(URI)
        .custom_claim("k", "el")
        .await
        .unwrap();
    assert!(!answer.pending_ref.is_empty());
    let message = s.last_message(login).await;
    assert_eq!(message["kind"], "enchantedlink");
    assert_eq!(message["link"].as_str(), Some(answer.link.secret()));
    let token = answer.link.enchanted_link_token().unwrap();
    s.client.enchanted_link().verify(&token).await.unwrap();
    let info = s
        .client
        .enchanted_link()
        .session(&answer.pending_ref)
        .await
        .unwrap();
    assert_eq!(info.session.claims().custom.get("k"), Some(&json!("el")));

    // Not for a user that is not a test user, nor an unknown one.
    users.create("real-e2e@example.com").await.unwrap();
    let err = users
        .generate_otp_for_test_user(DeliveryMethod::Email, "real-e2e@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some(&ErrorCode::InvalidArguments));
    let err = users
        .generate_magic_link_for_test_user(DeliveryMethod::Email, "nobody-e2e@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::ManagementUserNotFound));
    assert!(s.outbox("real-e2e@example.com").await.is_empty());
}

/// An embedded-link token is exchanged through the magic link verify call for a session
/// carrying the custom claims; once.
async fn embedded_links(kind: Backend) {
    let s = setup(kind).await;
    let admin = admin(&s);
    let users = admin.management().users();
    let login = "embedded-e2e@example.com";
    let user = users.create(login).email(login).await.unwrap();
    let token = users
        .generate_embedded_link(login)
        .custom_claim("k", "v")
        .expires_in(Duration::from_secs(60))
        .await
        .unwrap();
    assert!(
        s.outbox(login).await.is_empty(),
        "embedded links are not sent"
    );
    let info = s.client.magic_link().verify(&token).await.unwrap();
    assert_eq!(info.session.claims().user_id(), Some(user.user_id.as_str()));
    assert_eq!(info.session.claims().custom.get("k"), Some(&json!("v")));
    assert!(s.client.magic_link().verify(&token).await.is_err());
    // Past its timeout it is refused.
    let token = users
        .generate_embedded_link(login)
        .expires_in(Duration::from_secs(30))
        .await
        .unwrap();
    s.set_clock(31).await;
    let err = s.client.magic_link().verify(&token).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    // Unknown users get none.
    assert!(
        users
            .generate_embedded_link("nobody-e2e@example.com")
            .await
            .is_err()
    );
}

over_both_backends!(
    invitations_sign_in,
    batches,
    test_user_generators,
    embedded_links
);
