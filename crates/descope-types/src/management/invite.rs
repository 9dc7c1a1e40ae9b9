//! Invitations, batch creation, test-user generators and embedded links (management API).
//!
//! Wire shapes from the official SDKs' captured requests and the Go SDK's response structs:
//! an invitation is `POST /v1/mgmt/user/create` with `invite: true` and the invite options;
//! a batch is `POST /v1/mgmt/user/create/batch` answering `{createdUsers, failedUsers}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::MgmtUserRequest;
use crate::delivery::DeliveryMethod;
use crate::enchantedlink::{EnchantedLinkToken, PendingRef};
use crate::options::LoginOptions;
use crate::otp::OtpCode;
use crate::secret::{MagicLinkToken, Password, secret_type};
use crate::user::UserResponse;

secret_type!(
    /// A link that signs its holder in: an invitation, or a test user's magic or enchanted
    /// link. It carries a one-time token (its `t` query parameter).
    SignInLink
);

impl SignInLink {
    /// The one-time token of the link (its `t` query parameter), percent-decoded.
    fn token_param(&self) -> Option<String> {
        let query = self.secret().split_once('?')?.1;
        let query = query.split('#').next().unwrap_or(query);
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == "t")
            .map(|(_, value)| percent_decode(value))
            .filter(|t| !t.is_empty())
    }

    /// The token of a magic link or an invitation, to verify with
    /// `POST /v1/auth/magiclink/verify`; `None` when the link has no `t`.
    pub fn magic_link_token(&self) -> Option<MagicLinkToken> {
        self.token_param().map(MagicLinkToken::new)
    }

    /// The token of an enchanted link, to verify with `POST /v1/auth/enchantedlink/verify`;
    /// `None` when the link has no `t`.
    pub fn enchanted_link_token(&self) -> Option<EnchantedLinkToken> {
        self.token_param().map(EnchantedLinkToken::new)
    }
}

/// Decodes `%XX` escapes and `+` (a query value); invalid escapes are kept as they are.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The invitation options of an invite or a batch invite.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteOptions {
    /// The page the invitation link leads to (`inviteUrl`); the project's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
    /// Send the invitation by email (Descope's default: yes, when the user has an email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_mail: Option<bool>,
    /// Send the invitation by SMS.
    #[serde(rename = "sendSMS", default, skip_serializing_if = "Option::is_none")]
    pub send_sms: Option<bool>,
    /// The message template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<Map<String, Value>>,
    /// The message locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// Body of `POST /v1/mgmt/user/create` when it invites (`invite: true` in `user`): the user
/// and the invitation options, side by side in one JSON object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtUserInviteRequest {
    /// The user to create.
    #[serde(flatten)]
    pub user: MgmtUserRequest,
    /// How to invite.
    #[serde(flatten)]
    pub options: InviteOptions,
}

/// The password of a batch user: cleartext (Node sends `{"cleartext": ...}`, Go a bare
/// string; both are read) or a hash in one of Descope's import formats (kept as JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BatchUserPassword {
    /// The password in clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleartext: Option<Password>,
    /// A hashed password (`bcrypt`, `pbkdf2`, ... objects, as Descope documents them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashed: Option<Value>,
}

impl<'de> Deserialize<'de> for BatchUserPassword {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Object {
            #[serde(default)]
            cleartext: Option<Password>,
            #[serde(default)]
            hashed: Option<Value>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bare(Password),
            Object(Object),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Bare(p) => Self {
                cleartext: Some(p),
                hashed: None,
            },
            Either::Object(o) => Self {
                cleartext: o.cleartext,
                hashed: o.hashed,
            },
        })
    }
}

/// One user of a batch creation: the user, and optionally its password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtBatchUser {
    /// The user (`invite` is the batch's, not the user's).
    #[serde(flatten)]
    pub user: MgmtUserRequest,
    /// Its password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<BatchUserPassword>,
}

impl MgmtBatchUser {
    /// A batch user with only a login id; set the other fields on `user`.
    pub fn new(login_id: impl Into<String>) -> Self {
        Self {
            user: MgmtUserRequest {
                login_id: login_id.into(),
                ..MgmtUserRequest::default()
            },
            password: None,
        }
    }
}

/// Body of `POST /v1/mgmt/user/create/batch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtUserBatchRequest {
    /// The users to create.
    #[serde(default)]
    pub users: Vec<MgmtBatchUser>,
    /// Invite every user created.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invite: bool,
    /// How to invite.
    #[serde(flatten)]
    pub options: InviteOptions,
}

/// A user a batch could not create, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtUserBatchFailure {
    /// Why (Descope's message).
    #[serde(default)]
    pub failure: String,
    /// The user as sent.
    #[serde(default)]
    pub user: UserResponse,
}

/// Answer of `POST /v1/mgmt/user/create/batch`: the users created, and the ones that failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtUserBatchResponse {
    /// The users created.
    #[serde(default)]
    pub created_users: Vec<UserResponse>,
    /// The users that could not be created.
    #[serde(default)]
    pub failed_users: Vec<MgmtUserBatchFailure>,
}

/// Body of `POST /v1/mgmt/tests/generate/otp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTestOtpRequest {
    /// The test user's login id.
    pub login_id: String,
    /// How the code would be delivered.
    pub delivery_method: DeliveryMethod,
    /// Options of the sign-in the code completes (custom claims...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
}

/// Body of `POST /v1/mgmt/tests/generate/magiclink`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTestMagicLinkRequest {
    /// The test user's login id.
    pub login_id: String,
    /// How the link would be delivered.
    pub delivery_method: DeliveryMethod,
    /// Where the link leads; the project's default when unset.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Options of the sign-in the link completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
}

/// Body of `POST /v1/mgmt/tests/generate/enchantedlink` (always by email).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTestEnchantedLinkRequest {
    /// The test user's login id.
    pub login_id: String,
    /// Where the link leads; the project's default when unset.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Options of the sign-in the link completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
}

/// Answer of `POST /v1/mgmt/tests/generate/otp`: the code, as the user would receive it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTestOtpResponse {
    /// The login id the code is for.
    #[serde(default)]
    pub login_id: String,
    /// The code; verify it with the OTP verify call.
    #[serde(default)]
    pub code: OtpCode,
}

/// Answer of `POST /v1/mgmt/tests/generate/{magiclink,enchantedlink}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtTestLinkResponse {
    /// The login id the link is for.
    #[serde(default)]
    pub login_id: String,
    /// The link, as the user would receive it.
    #[serde(default)]
    pub link: SignInLink,
    /// The enchanted link's pending reference (empty for a magic link).
    #[serde(default, skip_serializing_if = "PendingRef::is_empty")]
    pub pending_ref: PendingRef,
}

/// Body of `POST /v1/mgmt/user/signin/embeddedlink`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MgmtEmbeddedLinkRequest {
    /// The user's login id.
    pub login_id: String,
    /// Claims to add to the session the token is exchanged for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// The token's lifetime in seconds (`0` or absent: Descope's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// Answer of `POST /v1/mgmt/user/signin/embeddedlink`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MgmtEmbeddedLinkResponse {
    /// The one-time token; exchange it with `POST /v1/auth/magiclink/verify`.
    #[serde(default)]
    pub token: MagicLinkToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_bodies_flatten_and_links_yield_their_token() {
        let body = MgmtUserInviteRequest {
            user: MgmtUserRequest {
                login_id: "a@x.io".into(),
                invite: true,
                ..MgmtUserRequest::default()
            },
            options: InviteOptions {
                send_sms: Some(false),
                ..InviteOptions::default()
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"loginId":"a@x.io","invite":true,"sendSMS":false}"#
        );
        let node: MgmtUserBatchRequest = serde_json::from_str(
            r#"{"users":[{"loginId":"b","password":{"cleartext":"P1"}},{"loginId":"c","password":"P2","ssoAppIDs":null}],"invite":true,"sendMail":true}"#,
        )
        .unwrap();
        assert_eq!(node.users.len(), 2);
        let pwd = |i: usize| {
            node.users[i]
                .password
                .as_ref()
                .and_then(|p| p.cleartext.as_ref())
                .map(|p| p.secret().to_owned())
        };
        assert_eq!((pwd(0), pwd(1)), (Some("P1".into()), Some("P2".into())));
        assert_eq!(node.options.send_mail, Some(true));
        assert!(!format!("{node:?}").contains("P1"));

        let link = SignInLink::new("http://h/verify?x=1&t=ml_ab%2Dc#frag");
        assert_eq!(link.magic_link_token().unwrap().secret(), "ml_ab-c");
        assert!(
            SignInLink::new("http://h/verify")
                .magic_link_token()
                .is_none()
        );
        assert!(!format!("{link:?}").contains("ml_"));
        let answer: MgmtTestLinkResponse =
            serde_json::from_str(r#"{"link":"http://h?t=x","loginId":"a"}"#).unwrap();
        assert!(answer.pending_ref.is_empty());
        let _: MgmtUserBatchResponse = serde_json::from_str("{}").unwrap();
        let _: MgmtEmbeddedLinkResponse = serde_json::from_str("{}").unwrap();
    }
}
