//! The management user operations beyond create/update/roles: what each does shows on the
//! sign-in side (login ids, passwords, passkeys, TOTP, sessions), over plain HTTP.

use descope_emulator::{DEMO_MANAGEMENT_KEY, SoftAuthenticator};
use serde_json::{Value, json};

use crate::common::*;

const ORIGIN: &str = "http://localhost:3000";

impl Env {
    async fn mgmt_call(&self, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
        self.post(path, Some(DEMO_MANAGEMENT_KEY), body).await
    }

    /// A management call that must succeed.
    async fn ok(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.mgmt_call(path, body).await;
        assert_eq!(status, 200, "{path}: {answer}");
        answer
    }
}

async fn create(env: &Env, login: &str) -> String {
    let answer = env
        .ok("/v1/mgmt/user/create", json!({"loginId": login}))
        .await;
    str_of(&answer["user"], "userId").to_owned()
}

async fn password_sign_in(env: &Env, login: &str, password: &str) -> (reqwest::StatusCode, Value) {
    env.post(
        "/v1/auth/password/signin",
        None,
        json!({"loginId": login, "password": password}),
    )
    .await
}

#[tokio::test]
async fn a_new_login_id_signs_in_and_the_old_one_does_not() {
    let env = start().await;
    let user_id = create(&env, "old-id@example.com").await;
    env.ok(
        "/v1/mgmt/user/password/set/active",
        json!({"loginId": "old-id@example.com", "password": "Act!Passw0rd"}),
    )
    .await;
    let answer = env
        .ok(
            "/v1/mgmt/user/update/loginid",
            json!({"loginId": "old-id@example.com", "newLoginId": "new-id@example.com"}),
        )
        .await;
    assert_eq!(answer["user"]["loginIds"], json!(["new-id@example.com"]));
    assert_eq!(answer["user"]["userId"], user_id);
    let old = password_sign_in(&env, "old-id@example.com", "Act!Passw0rd").await;
    assert_error(&old, 400, "E062108");
    let new = password_sign_in(&env, "new-id@example.com", "Act!Passw0rd").await;
    assert_eq!(new.0, 200, "{}", new.1);

    // Another user's login id is refused; so is removing the only one.
    create(&env, "other@example.com").await;
    let taken = env
        .mgmt_call(
            "/v1/mgmt/user/update/loginid",
            json!({"loginId": "new-id@example.com", "newLoginId": "other@example.com"}),
        )
        .await;
    assert_error(&taken, 409, "E062107");
    let last = env
        .mgmt_call(
            "/v1/mgmt/user/update/loginid",
            json!({"loginId": "new-id@example.com", "newLoginId": ""}),
        )
        .await;
    assert_error(&last, 400, "E011004");
}

#[tokio::test]
async fn single_field_updates_change_only_their_field() {
    let env = start().await;
    create(&env, "fields@example.com").await;
    create(&env, "taken@example.com").await;
    let login = json!("fields@example.com");
    let user = env
        .ok(
            "/v1/mgmt/user/update/email",
            json!({"loginId": login, "email": "f2@example.com", "verified": true, "failOnConflict": true}),
        )
        .await;
    assert_eq!(user["user"]["email"], "f2@example.com");
    assert_eq!(user["user"]["verifiedEmail"], true);
    let conflict = env
        .mgmt_call(
            "/v1/mgmt/user/update/email",
            json!({"loginId": login, "email": "taken@example.com", "failOnConflict": true}),
        )
        .await;
    assert_error(&conflict, 409, "E062107");
    // Without failOnConflict the same change goes through.
    env.ok(
        "/v1/mgmt/user/update/email",
        json!({"loginId": login, "email": "taken@example.com", "verified": null, "failOnConflict": null}),
    )
    .await;
    let user = env
        .ok(
            "/v1/mgmt/user/update/phone",
            json!({"loginId": login, "phone": "+15555550135", "verified": false}),
        )
        .await;
    assert_eq!(user["user"]["phone"], "+15555550135");
    assert_eq!(user["user"]["verifiedPhone"], false);
    let user = env
        .ok(
            "/v1/mgmt/user/update/name",
            json!({"loginId": login, "displayName": "Display", "givenName": "Given",
                   "middleName": "Middle", "familyName": "Family"}),
        )
        .await;
    assert_eq!(user["user"]["name"], "Display");
    assert_eq!(user["user"]["middleName"], "Middle");
    // Only the names present change.
    let user = env
        .ok(
            "/v1/mgmt/user/update/name",
            json!({"loginId": login, "displayName": "Shown"}),
        )
        .await;
    assert_eq!(user["user"]["name"], "Shown");
    assert_eq!(user["user"]["givenName"], "Given");
    let user = env
        .ok(
            "/v1/mgmt/user/update/picture",
            json!({"loginId": login, "picture": "https://example.com/p3.png"}),
        )
        .await;
    assert_eq!(user["user"]["picture"], "https://example.com/p3.png");
    env.ok(
        "/v1/mgmt/user/update/customAttribute",
        json!({"loginId": login, "attributeKey": "tier", "attributeValue": "bronze"}),
    )
    .await;
    let user = env
        .ok(
            "/v1/mgmt/user/update/customAttribute",
            json!({"loginId": login, "attributeKey": "seats", "attributeValue": 3}),
        )
        .await;
    assert_eq!(
        user["user"]["customAttributes"],
        json!({"tier": "bronze", "seats": 3})
    );
    let missing = env
        .mgmt_call(
            "/v1/mgmt/user/update/picture",
            json!({"loginId": "nobody@example.com", "picture": "x"}),
        )
        .await;
    assert_error(&missing, 400, "E112102");
}

#[tokio::test]
async fn management_passwords_rule_password_sign_in() {
    let env = start().await;
    create(&env, "pw@example.com").await;
    // No password yet: sign-in fails as a wrong password.
    let none = password_sign_in(&env, "pw@example.com", "Act!Passw0rd").await;
    assert_error(&none, 401, "E011004");

    env.ok(
        "/v1/mgmt/user/password/set/active",
        json!({"loginId": "pw@example.com", "password": "Act!Passw0rd", "setActive": true}),
    )
    .await;
    let signed = password_sign_in(&env, "pw@example.com", "Act!Passw0rd").await;
    assert_eq!(signed.0, 200, "{}", signed.1);

    // Expired: the right password no longer signs in, but still proves a replace.
    env.ok(
        "/v1/mgmt/user/password/expire",
        json!({"loginId": "pw@example.com"}),
    )
    .await;
    let expired = password_sign_in(&env, "pw@example.com", "Act!Passw0rd").await;
    assert_error(&expired, 401, "E062909");
    let wrong = password_sign_in(&env, "pw@example.com", "Wr0ng!Pass").await;
    assert_error(&wrong, 401, "E011004");
    let replaced = env
        .post(
            "/v1/auth/password/replace",
            None,
            json!({"loginId": "pw@example.com", "oldPassword": "Act!Passw0rd", "newPassword": "N3w!Passw0rd"}),
        )
        .await;
    assert_eq!(replaced.0, 200, "{}", replaced.1);
    let signed = password_sign_in(&env, "pw@example.com", "N3w!Passw0rd").await;
    assert_eq!(signed.0, 200, "{}", signed.1);

    // Temporary (and the deprecated /set): replaced before use.
    for path in [
        "/v1/mgmt/user/password/set/temporary",
        "/v1/mgmt/user/password/set",
    ] {
        env.ok(
            path,
            json!({"loginId": "pw@example.com", "password": "Tmp!Passw0rd"}),
        )
        .await;
        let temporary = password_sign_in(&env, "pw@example.com", "Tmp!Passw0rd").await;
        assert_error(&temporary, 401, "E062909");
        let old = password_sign_in(&env, "pw@example.com", "N3w!Passw0rd").await;
        assert_error(&old, 401, "E011004");
    }
    // The policy holds for management too, and the answer never echoes the password.
    let weak = env
        .mgmt_call(
            "/v1/mgmt/user/password/set/active",
            json!({"loginId": "pw@example.com", "password": "weak"}),
        )
        .await;
    assert_error(&weak, 400, "E011004");
    assert!(!weak.1.to_string().contains("weak\""), "{}", weak.1);
}

#[tokio::test]
async fn removed_passkeys_and_totp_no_longer_sign_in() {
    let env = start().await;
    // A passkey user.
    let mut authenticator = SoftAuthenticator::new();
    let login = "keys@example.com";
    let (_, start) = env
        .post(
            "/v1/auth/webauthn/signup/start",
            None,
            json!({"user": {"loginId": login}, "origin": ORIGIN}),
        )
        .await;
    let credential = authenticator
        .create(str_of(&start, "options"), ORIGIN)
        .await
        .unwrap();
    let (status, jwt) = env
        .post(
            "/v1/auth/webauthn/signup/finish",
            None,
            json!({"transactionId": str_of(&start, "transactionId"), "response": credential}),
        )
        .await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(jwt["user"]["webauthn"], true);
    env.ok("/v1/mgmt/user/passkeys/delete", json!({"loginId": login}))
        .await;
    let loaded = env
        .get(
            &format!("/v1/mgmt/user?loginId={login}"),
            Some(DEMO_MANAGEMENT_KEY),
        )
        .await;
    assert_eq!(loaded.1["user"]["webauthn"], false, "{}", loaded.1);
    // No passkey left to start a sign-in with.
    let (status, answer) = env
        .post(
            "/v1/auth/webauthn/signin/start",
            None,
            json!({"loginId": login, "origin": ORIGIN}),
        )
        .await;
    assert_ne!(status, 200, "{answer}");

    // A TOTP user.
    let (status, enrolment) = env
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "tot-rm@example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{enrolment}");
    let key = str_of(&enrolment, "key").to_owned();
    let now = now();
    let verified = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot-rm@example.com", "code": totp_code(&key, now)}),
        )
        .await;
    assert_eq!(verified.0, 200, "{}", verified.1);
    env.ok(
        "/v1/mgmt/user/totp/delete",
        json!({"loginId": "tot-rm@example.com"}),
    )
    .await;
    let refused = env
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "tot-rm@example.com", "code": totp_code(&key, now + 30)}),
        )
        .await;
    assert_ne!(refused.0, 200, "{}", refused.1);
}

#[tokio::test]
async fn logout_user_revokes_every_session_by_login_id_or_user_id() {
    let env = start().await;
    let user_id = create(&env, "out@example.com").await;
    let first = env.oauth_sign_in("out@example.com").await;
    let second = env.oauth_sign_in("out@example.com").await;
    let bystander = env.oauth_sign_in("ada@example.com").await;
    env.ok(
        "/v1/mgmt/user/logout",
        json!({"loginId": "out@example.com"}),
    )
    .await;
    for jwt in [&first, &second] {
        let refreshed = env
            .post(
                "/v1/auth/refresh",
                Some(str_of(jwt, "refreshJwt")),
                json!({}),
            )
            .await;
        assert_eq!(refreshed.0, 401, "{}", refreshed.1);
    }
    let other = env
        .post(
            "/v1/auth/refresh",
            Some(str_of(&bystander, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_eq!(other.0, 200, "another user's session stays: {}", other.1);

    let third = env.oauth_sign_in("out@example.com").await;
    env.ok("/v1/mgmt/user/logout", json!({"userId": user_id}))
        .await;
    let refreshed = env
        .post(
            "/v1/auth/refresh",
            Some(str_of(&third, "refreshJwt")),
            json!({}),
        )
        .await;
    assert_eq!(refreshed.0, 401, "{}", refreshed.1);
    let unknown = env
        .mgmt_call("/v1/mgmt/user/logout", json!({"userId": "U2nobody"}))
        .await;
    assert_error(&unknown, 400, "E112102");
}

#[tokio::test]
async fn users_load_by_ids_and_delete_by_user_id() {
    let env = start().await;
    let a = create(&env, "load-a@example.com").await;
    let b = create(&env, "load-b@example.com").await;
    env.ok(
        "/v1/mgmt/user/update/status",
        json!({"loginId": "load-b@example.com", "status": "disabled"}),
    )
    .await;
    let valid = env
        .ok(
            "/v1/mgmt/users/load",
            json!({"userIds": [a, b, "U2nobody"]}),
        )
        .await;
    assert_eq!(valid["users"].as_array().unwrap().len(), 1, "{valid}");
    assert_eq!(valid["users"][0]["userId"], a);
    let all = env
        .ok(
            "/v1/mgmt/users/load",
            json!({"userIds": [a, b], "includeInvalidUsers": true}),
        )
        .await;
    assert_eq!(all["users"].as_array().unwrap().len(), 2, "{all}");

    // A user id where a login id goes names the user too; update keeps its login id.
    let by_id = env
        .ok(
            "/v1/mgmt/user/update",
            json!({"loginId": a, "email": "load-a@example.com", "displayName": "A"}),
        )
        .await;
    assert_eq!(by_id["user"]["loginIds"], json!(["load-a@example.com"]));
    assert_eq!(by_id["user"]["name"], "A");

    env.ok("/v1/mgmt/user/delete", json!({"userId": a})).await;
    let gone = env
        .get(
            &format!("/v1/mgmt/user?userId={a}"),
            Some(DEMO_MANAGEMENT_KEY),
        )
        .await;
    assert_error(&gone, 400, "E112102");
}
