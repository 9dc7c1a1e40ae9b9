//! OTP: one-time codes sent by email, SMS, voice call or WhatsApp. Sign-up, sign-in and
//! sign-up-or-in send a code; verify exchanges it for a session; update email/phone send a
//! code to the new address of a signed-in user.

use descope_types::{
    DeliveryMethod, LoginOptions, MaskedAddressResponse, OtpCode, OtpSignInRequest,
    OtpSignUpRequest, OtpUpdateEmailRequest, OtpUpdatePhoneRequest, OtpVerifyRequest, RefreshToken,
    SignUpUser,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::login::{Login, address_update_setters, login_setters};
use crate::pipeline::{Bearer, Request, require};

/// OTP flows of a [`Client`]; see [`Client::otp`].
#[derive(Debug, Clone, Copy)]
pub struct Otp<'a> {
    client: &'a Client,
}

/// Where a code was sent: the answer of the OTP start and update calls.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OtpSent {
    /// How the code was sent.
    pub method: DeliveryMethod,
    /// The address it went to, masked by Descope (`a***@example.com`, `+*******1234`);
    /// empty when the answer names none.
    pub masked_address: String,
}

impl Client {
    /// OTP: sign users up and in with one-time codes sent by email, SMS, voice or WhatsApp.
    pub fn otp(&self) -> Otp<'_> {
        Otp { client: self }
    }
}

impl<'a> Otp<'a> {
    /// Signs up a new user and sends a code (`POST /v1/auth/otp/signup/{method}`);
    /// [`verify`](Self::verify) completes the sign-up.
    pub fn sign_up(&self, method: DeliveryMethod, login_id: impl Into<String>) -> OtpSignUp<'a> {
        OtpSignUp {
            client: self.client,
            method,
            body: OtpSignUpRequest {
                login_id: login_id.into(),
                ..OtpSignUpRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Sends a code to an existing user (`POST /v1/auth/otp/signin/{method}`).
    pub fn sign_in(&self, method: DeliveryMethod, login_id: impl Into<String>) -> OtpSignIn<'a> {
        OtpSignIn {
            start: Start::new(self.client, "signin", method, login_id.into()),
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Sends a code, signing the user up first if the login id is new
    /// (`POST /v1/auth/otp/signup-in/{method}`).
    pub fn sign_up_or_in(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
    ) -> OtpSignUpOrIn<'a> {
        OtpSignUpOrIn {
            start: Start::new(self.client, "signup-in", method, login_id.into()),
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Exchanges the code the user received for a session
    /// (`POST /v1/auth/otp/verify/{method}`). Spends the code: never resent once it may
    /// have reached Descope.
    pub fn verify(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        code: &OtpCode,
    ) -> OtpVerify<'a> {
        OtpVerify {
            client: self.client,
            method,
            login_id: login_id.into(),
            code: code.clone(),
            call: CallOptions::one_time(),
        }
    }

    /// Sends a code to a new email address of the signed-in user
    /// (`POST /v1/auth/otp/update/email`); [`verify`](Self::verify) with the user's login id
    /// (method [`DeliveryMethod::Email`]) sets it.
    pub fn update_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
        refresh: &RefreshToken,
    ) -> OtpUpdateEmail<'a> {
        OtpUpdateEmail {
            client: self.client,
            refresh: refresh.clone(),
            body: OtpUpdateEmailRequest {
                login_id: login_id.into(),
                email: email.into(),
                ..OtpUpdateEmailRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Sends a code to a new phone number of the signed-in user
    /// (`POST /v1/auth/otp/update/phone/{method}`, a phone method); [`verify`](Self::verify)
    /// with the user's login id and the same method sets it.
    pub fn update_phone(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        phone: impl Into<String>,
        refresh: &RefreshToken,
    ) -> OtpUpdatePhone<'a> {
        OtpUpdatePhone {
            client: self.client,
            method,
            refresh: refresh.clone(),
            body: OtpUpdatePhoneRequest {
                login_id: login_id.into(),
                phone: phone.into(),
                ..OtpUpdatePhoneRequest::default()
            },
            call: CallOptions::new(),
        }
    }
}

/// Sends a start or update call and reads where the code went.
async fn send_code(
    client: &Client,
    method: DeliveryMethod,
    request: Request<'_>,
) -> Result<OtpSent, Error> {
    let decoded = client
        .pipeline()
        .json::<MaskedAddressResponse>(request.excerpt_allowed())
        .await?;
    Ok(OtpSent {
        method,
        masked_address: decoded.value.address(method).to_owned(),
    })
}

/// An OTP sign-up: [`Otp::sign_up`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OtpSignUp<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    body: OtpSignUpRequest,
    call: CallOptions,
}

impl OtpSignUp<'_> {
    /// Details of the new user (name, email, phone). The user's address for the delivery
    /// method (email, else phone) is also sent on its own, as the Python and Go SDKs do.
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

    /// Sends the call.
    pub async fn send(self) -> Result<OtpSent, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let mut body = self.body;
        let address = body.user.as_ref().and_then(|user| {
            if self.method.is_phone() {
                user.phone.clone()
            } else {
                user.email.clone()
            }
        });
        if let Some(address) = address {
            body = body.with_address(self.method, address);
        }
        let path = format!("/v1/auth/otp/signup/{}", self.method);
        let request =
            Request::post(path, Bearer::Project, &body)?.options(self.call.request_options());
        send_code(self.client, self.method, request).await
    }
}

operation!(OtpSignUp => OtpSent);

/// What sign-in and sign-up-or-in share.
#[derive(Debug)]
struct Start<'a> {
    client: &'a Client,
    action: &'static str,
    method: DeliveryMethod,
    login_id: String,
    provider_id: Option<String>,
}

impl<'a> Start<'a> {
    fn new(
        client: &'a Client,
        action: &'static str,
        method: DeliveryMethod,
        login_id: String,
    ) -> Self {
        Self {
            client,
            action,
            method,
            login_id,
            provider_id: None,
        }
    }

    async fn send(self, login: &Login, call: &CallOptions) -> Result<OtpSent, Error> {
        require(&self.login_id, Argument::LoginId)?;
        let (login_options, bearer) = login.resolve()?;
        // Both SDKs always send `loginOptions`, `{}` when empty.
        let body = OtpSignInRequest {
            login_id: self.login_id.clone(),
            login_options: login_options.unwrap_or_default(),
            provider_id: self.provider_id.clone(),
        };
        let path = format!("/v1/auth/otp/{}/{}", self.action, self.method);
        let request = Request::post(path, bearer, &body)?.options(call.request_options());
        send_code(self.client, self.method, request).await
    }
}

/// An OTP sign-in: [`Otp::sign_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OtpSignIn<'a> {
    start: Start<'a>,
    login: Login,
    call: CallOptions,
}

/// An OTP sign-up-or-in: [`Otp::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OtpSignUpOrIn<'a> {
    start: Start<'a>,
    login: Login,
    call: CallOptions,
}

macro_rules! start_builder {
    ($builder:ident) => {
        impl $builder<'_> {
            /// The messaging provider to send with.
            pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
                self.start.provider_id = Some(provider_id.into());
                self
            }

            /// Sends the call.
            pub async fn send(self) -> Result<OtpSent, Error> {
                self.start.send(&self.login, &self.call).await
            }
        }

        login_setters!($builder);
        operation!($builder => OtpSent);
    };
}

start_builder!(OtpSignIn);
start_builder!(OtpSignUpOrIn);

/// Verifying a code: [`Otp::verify`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OtpVerify<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    login_id: String,
    code: OtpCode,
    call: CallOptions,
}

impl OtpVerify<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.login_id, Argument::LoginId)?;
        require(self.code.secret(), Argument::Code)?;
        let body = OtpVerifyRequest {
            login_id: self.login_id.clone(),
            code: self.code.clone(),
        };
        let path = format!("/v1/auth/otp/verify/{}", self.method);
        let request =
            Request::post(path, Bearer::Project, &body)?.options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

operation!(OtpVerify => AuthenticationInfo);

/// A new email address for the signed-in user: [`Otp::update_email`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OtpUpdateEmail<'a> {
    client: &'a Client,
    refresh: RefreshToken,
    body: OtpUpdateEmailRequest,
    call: CallOptions,
}

address_update_setters!(OtpUpdateEmail, mfa);

impl OtpUpdateEmail<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<OtpSent, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.email, Argument::Address)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let request = Request::post(
            "/v1/auth/otp/update/email",
            Bearer::Refresh(self.refresh.secret()),
            &self.body,
        )?
        .options(self.call.request_options());
        send_code(self.client, DeliveryMethod::Email, request).await
    }
}

operation!(OtpUpdateEmail => OtpSent);

/// A new phone number for the signed-in user: [`Otp::update_phone`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct OtpUpdatePhone<'a> {
    client: &'a Client,
    method: DeliveryMethod,
    refresh: RefreshToken,
    body: OtpUpdatePhoneRequest,
    call: CallOptions,
}

address_update_setters!(OtpUpdatePhone, mfa);

impl OtpUpdatePhone<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<OtpSent, Error> {
        if !self.method.is_phone() {
            return Err(Error::argument(
                Argument::DeliveryMethod,
                "must be a phone method (sms, voice, whatsapp, im)",
            ));
        }
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.phone, Argument::Address)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let path = format!("/v1/auth/otp/update/phone/{}", self.method);
        let request = Request::post(path, Bearer::Refresh(self.refresh.secret()), &self.body)?
            .options(self.call.request_options());
        send_code(self.client, self.method, request).await
    }
}

operation!(OtpUpdatePhone => OtpSent);
