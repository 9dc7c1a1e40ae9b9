//! Invitations, batch creation, test-user generators and embedded links:
//! more of `client.management().users()`.

use std::time::Duration;

use descope_types::{
    DeliveryMethod, InviteOptions, LoginOptions, MagicLinkToken, MgmtBatchUser,
    MgmtEmbeddedLinkRequest, MgmtEmbeddedLinkResponse, MgmtTestEnchantedLinkRequest,
    MgmtTestLinkResponse, MgmtTestMagicLinkRequest, MgmtTestOtpRequest, MgmtTestOtpResponse,
    MgmtUserBatchRequest, MgmtUserBatchResponse, MgmtUserInviteRequest, MgmtUserRequest,
    MgmtUserResponse, TenantRoles, UserResponse,
};
use serde_json::{Map, Value};

use super::strings;
use super::users::{Users, user_fields};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

impl<'a> Users<'a> {
    /// Creates a user and sends it an invitation (`POST /v1/mgmt/user/create` with
    /// `invite: true`): a link that signs the user in, by email (and by SMS with
    /// [`send_sms`](InviteUser::send_sms)).
    pub fn invite(&self, login_id: impl Into<String>) -> InviteUser<'a> {
        InviteUser {
            client: self.client,
            body: MgmtUserRequest {
                login_id: login_id.into(),
                invite: true,
                ..MgmtUserRequest::default()
            },
            options: InviteOptions::default(),
            call: CallOptions::new(),
        }
    }

    /// Creates several users in one call (`POST /v1/mgmt/user/create/batch`); the answer
    /// lists the users created and the ones that failed.
    pub fn create_batch(
        &self,
        users: impl IntoIterator<Item = MgmtBatchUser>,
    ) -> CreateUserBatch<'a> {
        CreateUserBatch {
            client: self.client,
            body: MgmtUserBatchRequest {
                users: users.into_iter().collect(),
                ..MgmtUserBatchRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Creates several users and invites each (`POST /v1/mgmt/user/create/batch` with
    /// `invite: true`).
    pub fn invite_batch(
        &self,
        users: impl IntoIterator<Item = MgmtBatchUser>,
    ) -> InviteUserBatch<'a> {
        InviteUserBatch {
            client: self.client,
            body: MgmtUserBatchRequest {
                users: users.into_iter().collect(),
                invite: true,
                ..MgmtUserBatchRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// A one-time code for a test user (`POST /v1/mgmt/tests/generate/otp`), without
    /// delivering it: the code the OTP verify call accepts for `login_id`.
    pub fn generate_otp_for_test_user(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
    ) -> GenerateTestOtp<'a> {
        GenerateTestOtp {
            client: self.client,
            body: MgmtTestOtpRequest {
                login_id: login_id.into(),
                delivery_method: method,
                login_options: None,
            },
            call: CallOptions::new(),
        }
    }

    /// A magic link for a test user (`POST /v1/mgmt/tests/generate/magiclink`), without
    /// delivering it: its token is what the magic link verify call accepts.
    pub fn generate_magic_link_for_test_user(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
    ) -> GenerateTestMagicLink<'a> {
        GenerateTestMagicLink {
            client: self.client,
            body: MgmtTestMagicLinkRequest {
                login_id: login_id.into(),
                delivery_method: method,
                uri: None,
                login_options: None,
            },
            call: CallOptions::new(),
        }
    }

    /// An enchanted link for a test user (`POST /v1/mgmt/tests/generate/enchantedlink`):
    /// verify its token, then collect the session with the answer's pending reference.
    pub fn generate_enchanted_link_for_test_user(
        &self,
        login_id: impl Into<String>,
    ) -> GenerateTestEnchantedLink<'a> {
        GenerateTestEnchantedLink {
            client: self.client,
            body: MgmtTestEnchantedLinkRequest {
                login_id: login_id.into(),
                uri: None,
                login_options: None,
            },
            call: CallOptions::new(),
        }
    }

    /// A one-time sign-in token for any user (`POST /v1/mgmt/user/signin/embeddedlink`), to
    /// exchange with the magic link verify call for a session.
    pub fn generate_embedded_link(&self, login_id: impl Into<String>) -> GenerateEmbeddedLink<'a> {
        GenerateEmbeddedLink {
            client: self.client,
            body: MgmtEmbeddedLinkRequest {
                login_id: login_id.into(),
                ..MgmtEmbeddedLinkRequest::default()
            },
            call: CallOptions::new(),
        }
    }
}

/// The invitation setters of [`InviteUser`] and [`InviteUserBatch`] (an `options` field).
macro_rules! invite_setters {
    ($builder:ident, $($options:ident).+) => {
        impl $builder<'_> {
            /// The page the invitation link leads to; the project's default when unset.
            pub fn invite_url(mut self, url: impl Into<String>) -> Self {
                self.$($options).+.invite_url = Some(url.into());
                self
            }

            /// Whether to send the invitation by email (Descope's default: yes).
            pub fn send_mail(mut self, send: bool) -> Self {
                self.$($options).+.send_mail = Some(send);
                self
            }

            /// Whether to send the invitation by SMS (default: no).
            pub fn send_sms(mut self, send: bool) -> Self {
                self.$($options).+.send_sms = Some(send);
                self
            }

            /// The message template to use.
            pub fn template_id(mut self, template_id: impl Into<String>) -> Self {
                self.$($options).+.template_id = Some(template_id.into());
                self
            }

            /// Sets one value of the message template (call once per value).
            pub fn template_option(
                mut self,
                key: impl Into<String>,
                value: impl Into<Value>,
            ) -> Self {
                self.$($options).+
                    .template_options
                    .get_or_insert_with(Map::new)
                    .insert(key.into(), value.into());
                self
            }

            /// The message locale.
            pub fn locale(mut self, locale: impl Into<String>) -> Self {
                self.$($options).+.locale = Some(locale.into());
                self
            }
        }
    };
}

/// Inviting a user: [`Users::invite`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct InviteUser<'a> {
    client: &'a Client,
    body: MgmtUserRequest,
    options: InviteOptions,
    call: CallOptions,
}

user_fields!(InviteUser);
invite_setters!(InviteUser, options);

impl InviteUser<'_> {
    /// Sends the call; returns the new user.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let body = MgmtUserInviteRequest {
            user: self.body,
            options: self.options,
        };
        let response: MgmtUserResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Request::post("/v1/mgmt/user/create", bearer, &body)
            })
            .await?;
        Ok(response.user)
    }
}

operation!(InviteUser => UserResponse);

async fn batch_call(
    client: &Client,
    call: &CallOptions,
    body: &MgmtUserBatchRequest,
) -> Result<MgmtUserBatchResponse, Error> {
    for user in &body.users {
        require(&user.user.login_id, Argument::LoginId)?;
    }
    client
        .management_call(call, |bearer| {
            Request::post("/v1/mgmt/user/create/batch", bearer, body)
        })
        .await
}

/// Creating users in one call: [`Users::create_batch`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CreateUserBatch<'a> {
    client: &'a Client,
    body: MgmtUserBatchRequest,
    call: CallOptions,
}

impl CreateUserBatch<'_> {
    /// Sends the call; returns the users created and the ones that failed.
    pub async fn send(self) -> Result<MgmtUserBatchResponse, Error> {
        batch_call(self.client, &self.call, &self.body).await
    }
}

operation!(CreateUserBatch => MgmtUserBatchResponse);

/// Creating and inviting users in one call: [`Users::invite_batch`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct InviteUserBatch<'a> {
    client: &'a Client,
    body: MgmtUserBatchRequest,
    call: CallOptions,
}

invite_setters!(InviteUserBatch, body.options);

impl InviteUserBatch<'_> {
    /// Sends the call; returns the users created (and invited) and the ones that failed.
    pub async fn send(self) -> Result<MgmtUserBatchResponse, Error> {
        batch_call(self.client, &self.call, &self.body).await
    }
}

operation!(InviteUserBatch => MgmtUserBatchResponse);

/// The login-option setters of the test-user generators (a `body.login_options` field).
macro_rules! test_login_setters {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Options of the sign-in the code or link completes (custom claims, tenant...).
            pub fn login_options(mut self, options: LoginOptions) -> Self {
                self.body.login_options = Some(options);
                self
            }

            /// Adds one custom claim to the session the sign-in issues.
            pub fn custom_claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
                self.body
                    .login_options
                    .get_or_insert_with(LoginOptions::default)
                    .custom_claims
                    .get_or_insert_with(Map::new)
                    .insert(key.into(), value.into());
                self
            }
        }
    };
}

/// Generating a test user's one-time code: [`Users::generate_otp_for_test_user`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct GenerateTestOtp<'a> {
    client: &'a Client,
    body: MgmtTestOtpRequest,
    call: CallOptions,
}

test_login_setters!(GenerateTestOtp);

impl GenerateTestOtp<'_> {
    /// Sends the call; returns the code (secret).
    pub async fn send(self) -> Result<MgmtTestOtpResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        self.client
            .management_call(&self.call, |bearer| {
                Request::post("/v1/mgmt/tests/generate/otp", bearer, &self.body)
            })
            .await
    }
}

operation!(GenerateTestOtp => MgmtTestOtpResponse);

/// Generating a test user's magic link: [`Users::generate_magic_link_for_test_user`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct GenerateTestMagicLink<'a> {
    client: &'a Client,
    body: MgmtTestMagicLinkRequest,
    call: CallOptions,
}

test_login_setters!(GenerateTestMagicLink);

impl GenerateTestMagicLink<'_> {
    /// Where the link leads (default: the project's magic link URL).
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.body.uri = Some(uri.into());
        self
    }

    /// Sends the call; returns the link (secret).
    pub async fn send(self) -> Result<MgmtTestLinkResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        self.client
            .management_call(&self.call, |bearer| {
                Request::post("/v1/mgmt/tests/generate/magiclink", bearer, &self.body)
            })
            .await
    }
}

operation!(GenerateTestMagicLink => MgmtTestLinkResponse);

/// Generating a test user's enchanted link: [`Users::generate_enchanted_link_for_test_user`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct GenerateTestEnchantedLink<'a> {
    client: &'a Client,
    body: MgmtTestEnchantedLinkRequest,
    call: CallOptions,
}

test_login_setters!(GenerateTestEnchantedLink);

impl GenerateTestEnchantedLink<'_> {
    /// Where the link leads (default: the project's redirect URL).
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.body.uri = Some(uri.into());
        self
    }

    /// Sends the call; returns the link and the pending reference (both secret).
    pub async fn send(self) -> Result<MgmtTestLinkResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        self.client
            .management_call(&self.call, |bearer| {
                Request::post("/v1/mgmt/tests/generate/enchantedlink", bearer, &self.body)
            })
            .await
    }
}

operation!(GenerateTestEnchantedLink => MgmtTestLinkResponse);

/// Generating an embedded sign-in token: [`Users::generate_embedded_link`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct GenerateEmbeddedLink<'a> {
    client: &'a Client,
    body: MgmtEmbeddedLinkRequest,
    call: CallOptions,
}

impl GenerateEmbeddedLink<'_> {
    /// Adds one custom claim to the session the token is exchanged for.
    pub fn custom_claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_claims
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// How long the token can be exchanged (whole seconds; Descope's default when unset).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.body.timeout = Some(lifetime.as_secs());
        self
    }

    /// Sends the call; returns the token (secret).
    pub async fn send(self) -> Result<MagicLinkToken, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let response: MgmtEmbeddedLinkResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Request::post("/v1/mgmt/user/signin/embeddedlink", bearer, &self.body)
            })
            .await?;
        Ok(response.token)
    }
}

operation!(GenerateEmbeddedLink => MagicLinkToken);
