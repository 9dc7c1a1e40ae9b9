//! Magic link: a one-time link sent by email, SMS, voice or WhatsApp; opening it hands its
//! token (`t`) to the app, which verifies it.

use descope_types::{
    DeliveryMethod, LoginOptions, MagicLinkSignInRequest, MagicLinkSignUpRequest, MagicLinkToken,
    MagicLinkUpdateEmailRequest, MagicLinkUpdatePhoneRequest, MagicLinkVerifyRequest,
    MaskedAddressResponse, RefreshToken, SignUpUser,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, address_update_setters, login_setters};
use crate::pipeline::{Bearer, Request, require};

/// Magic-link flows of a [`Client`]; see [`Client::magic_link`].
#[derive(Debug, Clone, Copy)]
pub struct MagicLink<'a> {
    client: &'a Client,
}

impl Client {
    /// Magic link: sign up, sign in or update an address with a link sent to the user.
    pub fn magic_link(&self) -> MagicLink<'_> {
        MagicLink { client: self }
    }
}

/// An empty redirect URL means "the project's configured one": the field is left out.
fn uri(redirect_url: String) -> Option<String> {
    (!redirect_url.trim().is_empty()).then_some(redirect_url)
}

/// Sends a call that answers where the message went, and picks the address for `method`.
async fn send_link(
    client: &Client,
    request: Request<'_>,
    method: DeliveryMethod,
) -> Result<String, Error> {
    let decoded = client
        .pipeline()
        .json::<MaskedAddressResponse>(request.excerpt_allowed())
        .await?;
    Ok(decoded.value.address(method).to_owned())
}

impl<'a> MagicLink<'a> {
    /// Signs up a new user and sends a link (`POST /v1/auth/magiclink/signup/{method}`).
    /// `redirect_url` is where the link leads (the token is added as `t`); an empty one
    /// means the project's configured URL. Answers the masked address.
    pub fn sign_up(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> MagicLinkSignUp<'a> {
        MagicLinkSignUp {
            client: self.client,
            method,
            body: MagicLinkSignUpRequest {
                login_id: login_id.into(),
                uri: uri(redirect_url.into()),
                ..MagicLinkSignUpRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Sends a sign-in link to an existing user (`POST /v1/auth/magiclink/signin/{method}`).
    /// Answers the masked address.
    pub fn sign_in(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> MagicLinkSignIn<'a> {
        MagicLinkSignIn {
            client: self.client,
            method,
            login_id: login_id.into(),
            uri: uri(redirect_url.into()),
            provider_id: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Sends a link that signs the user in, or up if the login id is new
    /// (`POST /v1/auth/magiclink/signup-in/{method}`). Answers the masked address.
    pub fn sign_up_or_in(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> MagicLinkSignUpOrIn<'a> {
        MagicLinkSignUpOrIn {
            client: self.client,
            method,
            login_id: login_id.into(),
            uri: uri(redirect_url.into()),
            provider_id: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Verifies the token of an opened link (`POST /v1/auth/magiclink/verify`): signs the
    /// user in, or completes an address update or a password reset link. Spends the token:
    /// never resent once it may have reached Descope.
    pub fn verify(&self, token: &MagicLinkToken) -> MagicLinkVerify<'a> {
        MagicLinkVerify {
            client: self.client,
            token: token.clone(),
            call: CallOptions::one_time(),
        }
    }

    /// Sends a link to a new email address of the signed-in user
    /// (`POST /v1/auth/magiclink/update/email`); verifying it sets the address. Answers the
    /// masked address.
    pub fn update_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
        refresh: &RefreshToken,
    ) -> MagicLinkUpdateEmail<'a> {
        MagicLinkUpdateEmail {
            client: self.client,
            body: MagicLinkUpdateEmailRequest {
                login_id: login_id.into(),
                email: email.into(),
                ..MagicLinkUpdateEmailRequest::default()
            },
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// Sends a link to a new phone number of the signed-in user
    /// (`POST /v1/auth/magiclink/update/phone/{method}`, `method` SMS or WhatsApp);
    /// verifying it sets the number. Answers the masked number.
    pub fn update_phone(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        phone: impl Into<String>,
        refresh: &RefreshToken,
    ) -> MagicLinkUpdatePhone<'a> {
        MagicLinkUpdatePhone {
            client: self.client,
            method,
            body: MagicLinkUpdatePhoneRequest {
                login_id: login_id.into(),
                phone: phone.into(),
                ..MagicLinkUpdatePhoneRequest::default()
            },
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }
}

/// A magic-link sign-up: [`MagicLink::sign_up`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MagicLinkSignUp<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    body: MagicLinkSignUpRequest,
    call: CallOptions,
}

impl MagicLinkSignUp<'_> {
    /// Details of the new user. Its email (email delivery) or phone (other methods) is also
    /// sent as the address to deliver to, as the Python SDK does.
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.body.user = Some(user);
        self
    }

    /// Sign-up options: custom claims, message template, revoking other sessions.
    pub fn login_options(mut self, options: LoginOptions) -> Self {
        self.body.login_options = Some(options);
        self
    }

    /// The messaging provider to send with.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.body.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call; answers the masked address.
    pub async fn send(mut self) -> Result<String, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
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
        let user = self.body.user.as_ref();
        let address = match self.method {
            DeliveryMethod::Email => user.and_then(|u| u.email.clone()),
            _ => user.and_then(|u| u.phone.clone()),
        };
        match self.method {
            DeliveryMethod::Email => self.body.email = address,
            DeliveryMethod::Sms => self.body.phone = address,
            DeliveryMethod::Voice => self.body.voice = address,
            DeliveryMethod::Whatsapp => self.body.whatsapp = address,
            // A method added later: no top-level copy, as the Node SDK sends.
            _ => {}
        }
        let path = format!("/v1/auth/magiclink/signup/{}", self.method.as_str());
        let request =
            Request::post(path, Bearer::Project, &self.body)?.options(self.call.request_options());
        send_link(self.client, request, self.method).await
    }
}

operation!(MagicLinkSignUp => String);

/// A magic-link sign-in: [`MagicLink::sign_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MagicLinkSignIn<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    login_id: String,
    uri: Option<String>,
    provider_id: Option<String>,
    login: Login,
    call: CallOptions,
}

/// Both SDKs always send `loginOptions` (`{}` when none) on sign-in and sign-up-or-in.
async fn start(
    client: &Client,
    kind: &str,
    method: DeliveryMethod,
    body: MagicLinkSignInRequest,
    login: &Login,
    call: &CallOptions,
) -> Result<String, Error> {
    require(&body.login_id, Argument::LoginId)?;
    let (options, bearer) = login.resolve()?;
    let body = MagicLinkSignInRequest {
        login_options: Some(options.unwrap_or_default()),
        ..body
    };
    let path = format!("/v1/auth/magiclink/{kind}/{}", method.as_str());
    let request = Request::post(path, bearer, &body)?.options(call.request_options());
    send_link(client, request, method).await
}

impl MagicLinkSignIn<'_> {
    /// The messaging provider to send with.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call; answers the masked address.
    pub async fn send(self) -> Result<String, Error> {
        let body = MagicLinkSignInRequest {
            login_id: self.login_id,
            uri: self.uri,
            login_options: None,
            provider_id: self.provider_id,
        };
        start(
            self.client,
            "signin",
            self.method,
            body,
            &self.login,
            &self.call,
        )
        .await
    }
}

login_setters!(MagicLinkSignIn);
operation!(MagicLinkSignIn => String);

/// A magic-link sign-up-or-in: [`MagicLink::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MagicLinkSignUpOrIn<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    login_id: String,
    uri: Option<String>,
    provider_id: Option<String>,
    login: Login,
    call: CallOptions,
}

impl MagicLinkSignUpOrIn<'_> {
    /// Login options: custom claims, message template, revoking other sessions.
    pub fn login_options(mut self, options: LoginOptions) -> Self {
        self.login.options(options);
        self
    }

    /// The messaging provider to send with.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.provider_id = Some(provider_id.into());
        self
    }

    /// Sends the call; answers the masked address.
    pub async fn send(self) -> Result<String, Error> {
        let body = MagicLinkSignInRequest {
            login_id: self.login_id,
            uri: self.uri,
            login_options: None,
            provider_id: self.provider_id,
        };
        start(
            self.client,
            "signup-in",
            self.method,
            body,
            &self.login,
            &self.call,
        )
        .await
    }
}

operation!(MagicLinkSignUpOrIn => String);

/// Verifying a link's token: [`MagicLink::verify`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MagicLinkVerify<'a> {
    client: &'a Client,
    token: MagicLinkToken,
    call: CallOptions,
}

impl MagicLinkVerify<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(self.token.secret(), Argument::Token)?;
        let body = MagicLinkVerifyRequest { token: self.token };
        let request = Request::post("/v1/auth/magiclink/verify", Bearer::Project, &body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(MagicLinkVerify => AuthenticationInfo);

/// `redirect_url` of the two address updates.
macro_rules! link_redirect_setter {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Where the link leads (the token is added as `t`); the project's configured URL
            /// when not set.
            pub fn redirect_url(mut self, redirect_url: impl Into<String>) -> Self {
                self.body.uri = uri(redirect_url.into());
                self
            }
        }
    };
}

/// A new email address by magic link: [`MagicLink::update_email`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MagicLinkUpdateEmail<'a> {
    client: &'a Client,
    body: MagicLinkUpdateEmailRequest,
    refresh: RefreshToken,
    call: CallOptions,
}

address_update_setters!(MagicLinkUpdateEmail, mfa);
link_redirect_setter!(MagicLinkUpdateEmail);

impl MagicLinkUpdateEmail<'_> {
    /// Sends the call; answers the masked address.
    pub async fn send(self) -> Result<String, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.email, Argument::Email)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let request = Request::post(
            "/v1/auth/magiclink/update/email",
            Bearer::Refresh(self.refresh.secret()),
            &self.body,
        )?
        .options(self.call.request_options());
        send_link(self.client, request, DeliveryMethod::Email).await
    }
}

operation!(MagicLinkUpdateEmail => String);

/// A new phone number by magic link: [`MagicLink::update_phone`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct MagicLinkUpdatePhone<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    body: MagicLinkUpdatePhoneRequest,
    refresh: RefreshToken,
    call: CallOptions,
}

address_update_setters!(MagicLinkUpdatePhone);
link_redirect_setter!(MagicLinkUpdatePhone);

impl MagicLinkUpdatePhone<'_> {
    /// Sends the call; answers the masked number.
    pub async fn send(self) -> Result<String, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.phone, Argument::Phone)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        if !self.method.is_phone() {
            return Err(Error::argument(
                Argument::DeliveryMethod,
                "must deliver to a phone (SMS, voice or WhatsApp)",
            ));
        }
        // The Node SDK's path (with the method); the Python SDK posts to the bare
        // `/update/phone` whatever the method (docs/spec-notes.md).
        let path = format!("/v1/auth/magiclink/update/phone/{}", self.method.as_str());
        let request = Request::post(path, Bearer::Refresh(self.refresh.secret()), &self.body)?
            .options(self.call.request_options());
        send_link(self.client, request, self.method).await
    }
}

operation!(MagicLinkUpdatePhone => String);
