//! Password: sign-up, sign-in, replace, reset by link, update, and the project's policy.

use descope_types::{
    LoginOptions, Password, PasswordPolicy, PasswordReplaceRequest, PasswordResetRequest,
    PasswordResetResponse, PasswordSignInRequest, PasswordSignUpRequest, PasswordUpdateRequest,
    RefreshToken, SignUpUser,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, login_setters, template_map};
use crate::pipeline::{Bearer, Request, require};

/// Password flows of a [`Client`]; see [`Client::password`].
#[derive(Debug, Clone, Copy)]
pub struct Passwords<'a> {
    client: &'a Client,
}

impl Client {
    /// Passwords: sign up and in, replace, reset by link, update, read the policy.
    pub fn password(&self) -> Passwords<'_> {
        Passwords { client: self }
    }
}

impl<'a> Passwords<'a> {
    /// Signs up a new user with a password (`POST /v1/auth/password/signup`). A password
    /// the project's policy refuses is an API error (see [`policy`](Self::policy)).
    pub fn sign_up(&self, login_id: impl Into<String>, password: &Password) -> PasswordSignUp<'a> {
        PasswordSignUp {
            client: self.client,
            body: PasswordSignUpRequest {
                login_id: login_id.into(),
                password: password.clone(),
                ..PasswordSignUpRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Signs in with a password (`POST /v1/auth/password/signin`).
    pub fn sign_in(&self, login_id: impl Into<String>, password: &Password) -> PasswordSignIn<'a> {
        PasswordSignIn {
            client: self.client,
            login_id: login_id.into(),
            password: password.clone(),
            provider_id: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Replaces the password, proving the user with the old one, and signs in
    /// (`POST /v1/auth/password/replace`). Never resent once it may have reached Descope:
    /// a second attempt would present a password that no longer holds.
    pub fn replace(
        &self,
        login_id: impl Into<String>,
        old: &Password,
        new: &Password,
    ) -> PasswordReplace<'a> {
        PasswordReplace {
            client: self.client,
            body: PasswordReplaceRequest {
                login_id: login_id.into(),
                old_password: old.clone(),
                new_password: new.clone(),
            },
            call: CallOptions::one_time(),
        }
    }

    /// Sends a password-reset link (`POST /v1/auth/password/reset`). Its token is verified
    /// with [`MagicLink::verify`](crate::MagicLink::verify); the session that gives may then
    /// [`update`](Self::update) the password. Answers the masked email.
    pub fn send_reset(&self, login_id: impl Into<String>) -> PasswordSendReset<'a> {
        PasswordSendReset {
            client: self.client,
            body: PasswordResetRequest {
                login_id: login_id.into(),
                ..PasswordResetRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Sets a new password for the signed-in user (`POST /v1/auth/password/update`).
    pub fn update(
        &self,
        login_id: impl Into<String>,
        new: &Password,
        refresh: &RefreshToken,
    ) -> PasswordUpdate<'a> {
        PasswordUpdate {
            client: self.client,
            body: PasswordUpdateRequest {
                login_id: login_id.into(),
                new_password: new.clone(),
            },
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// The project's password policy (`GET /v1/auth/password/policy`).
    pub fn policy(&self) -> PasswordPolicyQuery<'a> {
        PasswordPolicyQuery {
            client: self.client,
            call: CallOptions::new(),
        }
    }
}

/// A password sign-up: [`Passwords::sign_up`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PasswordSignUp<'a> {
    client: &'a Client,
    body: PasswordSignUpRequest,
    call: CallOptions,
}

impl PasswordSignUp<'_> {
    /// Details of the new user (name, email, phone).
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.body.user = Some(user);
        self
    }

    /// Sign-up options: custom claims, message templates.
    pub fn login_options(mut self, options: LoginOptions) -> Self {
        self.body.login_options = Some(options);
        self
    }

    /// The messaging provider (for messages sent about the account).
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.body.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(self.body.password.secret(), Argument::Password)?;
        if self
            .body
            .login_options
            .as_ref()
            .is_some_and(LoginOptions::requires_refresh_token)
        {
            return Err(Error::argument(
                Argument::RefreshToken,
                "step-up and MFA do not apply to a sign-up",
            ));
        }
        let request = Request::post("/v1/auth/password/signup", Bearer::Project, &self.body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(PasswordSignUp => AuthenticationInfo);

/// A password sign-in: [`Passwords::sign_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PasswordSignIn<'a> {
    client: &'a Client,
    login_id: String,
    password: Password,
    provider_id: Option<String>,
    login: Login,
    call: CallOptions,
}

impl PasswordSignIn<'_> {
    /// The messaging provider (for messages sent about the account).
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.login_id, Argument::LoginId)?;
        require(self.password.secret(), Argument::Password)?;
        let (login_options, bearer) = self.login.resolve()?;
        let body = PasswordSignInRequest {
            login_id: self.login_id.clone(),
            password: self.password.clone(),
            login_options,
            provider_id: self.provider_id.clone(),
        };
        let request = Request::post("/v1/auth/password/signin", bearer, &body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

login_setters!(PasswordSignIn);
operation!(PasswordSignIn => AuthenticationInfo);

/// Replacing a password: [`Passwords::replace`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PasswordReplace<'a> {
    client: &'a Client,
    body: PasswordReplaceRequest,
    call: CallOptions,
}

impl PasswordReplace<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(self.body.old_password.secret(), Argument::Password)?;
        require(self.body.new_password.secret(), Argument::Password)?;
        let request = Request::post("/v1/auth/password/replace", Bearer::Project, &self.body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(PasswordReplace => AuthenticationInfo);

/// Sending a password-reset link: [`Passwords::send_reset`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PasswordSendReset<'a> {
    client: &'a Client,
    body: PasswordResetRequest,
    call: CallOptions,
}

impl PasswordSendReset<'_> {
    /// Where the reset link leads (the token is added as `t`); the project's configured URL
    /// when not set.
    pub fn redirect_url(mut self, redirect_url: impl Into<String>) -> Self {
        let url = redirect_url.into();
        self.body.redirect_url = (!url.trim().is_empty()).then_some(url);
        self
    }

    /// Values for the message template.
    pub fn template_options<K: Into<String>, V: Into<String>>(
        mut self,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.body.template_options = Some(template_map(values));
        self
    }

    /// Sends the call; answers the masked email the link went to.
    pub async fn send(self) -> Result<String, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let request = Request::post("/v1/auth/password/reset", Bearer::Project, &self.body)?
            .options(self.call.request_options())
            .excerpt_allowed();
        let decoded = self
            .client
            .pipeline()
            .json::<PasswordResetResponse>(request)
            .await?;
        Ok(decoded.value.masked_email)
    }
}

operation!(PasswordSendReset => String);

/// Setting a new password: [`Passwords::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PasswordUpdate<'a> {
    client: &'a Client,
    body: PasswordUpdateRequest,
    refresh: RefreshToken,
    call: CallOptions,
}

impl PasswordUpdate<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(self.body.new_password.secret(), Argument::Password)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let request = Request::post(
            "/v1/auth/password/update",
            Bearer::Refresh(self.refresh.secret()),
            &self.body,
        )?
        .options(self.call.request_options());
        self.client.pipeline().send(request).await?;
        Ok(())
    }
}

operation!(PasswordUpdate => ());

/// Reading the password policy: [`Passwords::policy`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PasswordPolicyQuery<'a> {
    client: &'a Client,
    call: CallOptions,
}

impl PasswordPolicyQuery<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<PasswordPolicy, Error> {
        let request = Request::get("/v1/auth/password/policy", Bearer::Project)
            .options(self.call.request_options())
            .excerpt_allowed();
        Ok(self.client.pipeline().json(request).await?.value)
    }
}

operation!(PasswordPolicyQuery => PasswordPolicy);
