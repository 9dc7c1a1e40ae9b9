//! TOTP (authenticator app): sign-up, verify, update.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use descope_types::{
    RefreshToken, SignUpUser, TotpCode, TotpKey, TotpResponse, TotpSignUpRequest,
    TotpUpdateRequest, TotpVerifyRequest,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, DecodeError, Error};
use crate::login::{Login, login_setters};
use crate::pipeline::{Bearer, Request, require};

/// TOTP flows of a [`Client`]; see [`Client::totp`].
#[derive(Debug, Clone, Copy)]
pub struct Totp<'a> {
    client: &'a Client,
}

/// What an authenticator app needs to enroll: from [`Totp::sign_up`] and
/// [`Totp::update_user`].
///
/// All three fields carry the shared secret, so `Debug` prints none of them.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TotpEnrollment {
    /// `otpauth://totp/...` URL that opens an authenticator app (contains the secret).
    pub provisioning_url: String,
    /// The QR code of the provisioning URL: image bytes (PNG), decoded from base64.
    pub image: Vec<u8>,
    /// The shared secret (base32), to type in manually.
    pub key: TotpKey,
}

impl fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpEnrollment")
            .field("provisioning_url", &"[redacted]")
            .field("image", &format_args!("<{} bytes>", self.image.len()))
            .field("key", &self.key)
            .finish()
    }
}

impl TotpEnrollment {
    fn from_response(response: TotpResponse, status: u16) -> Result<Self, Error> {
        // Tolerate a `data:image/png;base64,` prefix and missing padding (§3.3: unverified).
        let image = response.image.trim();
        let image = image.split_once(";base64,").map_or(image, |(_, data)| data);
        let image = if image.is_empty() {
            Vec::new()
        } else {
            STANDARD
                .decode(image)
                .or_else(|_| STANDARD_NO_PAD.decode(image))
                .map_err(|e| Error::decode(DecodeError::new(status)).with_source(e))?
        };
        Ok(Self {
            provisioning_url: response.provisioning_url,
            image,
            key: response.key,
        })
    }
}

impl Client {
    /// TOTP: enroll an authenticator app, sign in with its codes.
    pub fn totp(&self) -> Totp<'_> {
        Totp { client: self }
    }
}

impl<'a> Totp<'a> {
    /// Signs up a new user with TOTP (`POST /v1/auth/totp/signup`). Show the QR image or
    /// the key; the first [`verify`](Self::verify) completes the sign-up.
    pub fn sign_up(&self, login_id: impl Into<String>) -> TotpSignUp<'a> {
        TotpSignUp {
            client: self.client,
            body: TotpSignUpRequest {
                login_id: login_id.into(),
                user: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Signs in with a code from the authenticator app (`POST /v1/auth/totp/verify`).
    /// Spends the code: never resent once it may have reached Descope.
    pub fn verify(&self, login_id: impl Into<String>, code: &TotpCode) -> TotpVerify<'a> {
        TotpVerify {
            client: self.client,
            login_id: login_id.into(),
            code: code.clone(),
            login: Login::default(),
            call: CallOptions::one_time(),
        }
    }

    /// Adds (or replaces) TOTP for the signed-in user (`POST /v1/auth/totp/update`).
    pub fn update_user(
        &self,
        login_id: impl Into<String>,
        refresh: &RefreshToken,
    ) -> TotpUpdate<'a> {
        TotpUpdate {
            client: self.client,
            login_id: login_id.into(),
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }
}

async fn enroll(client: &Client, request: Request<'_>) -> Result<TotpEnrollment, Error> {
    let decoded = client.pipeline().json::<TotpResponse>(request).await?;
    TotpEnrollment::from_response(decoded.value, decoded.status)
}

/// A TOTP sign-up: [`Totp::sign_up`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct TotpSignUp<'a> {
    client: &'a Client,
    body: TotpSignUpRequest,
    call: CallOptions,
}

impl TotpSignUp<'_> {
    /// Details of the new user (name, email, phone).
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.body.user = Some(user);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<TotpEnrollment, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        let request = Request::post("/v1/auth/totp/signup", Bearer::Project, &self.body)?
            .options(self.call.request_options());
        enroll(self.client, request).await
    }
}

operation!(TotpSignUp => TotpEnrollment);

/// A TOTP sign-in: [`Totp::verify`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct TotpVerify<'a> {
    client: &'a Client,
    login_id: String,
    code: TotpCode,
    login: Login,
    call: CallOptions,
}

impl TotpVerify<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        require(&self.login_id, Argument::LoginId)?;
        require(self.code.secret(), Argument::Code)?;
        let (login_options, bearer) = self.login.resolve()?;
        let body = TotpVerifyRequest {
            login_id: self.login_id.clone(),
            code: self.code.clone(),
            login_options,
        };
        let request = Request::post("/v1/auth/totp/verify", bearer, &body)?
            .options(self.call.request_options());
        self.client.authenticate(request, None).await
    }
}

login_setters!(TotpVerify);
operation!(TotpVerify => AuthenticationInfo);

/// Adding TOTP to a signed-in user: [`Totp::update_user`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct TotpUpdate<'a> {
    client: &'a Client,
    login_id: String,
    refresh: RefreshToken,
    call: CallOptions,
}

impl TotpUpdate<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<TotpEnrollment, Error> {
        require(&self.login_id, Argument::LoginId)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let body = TotpUpdateRequest {
            login_id: self.login_id.clone(),
        };
        let request = Request::post(
            "/v1/auth/totp/update",
            Bearer::Refresh(self.refresh.secret()),
            &body,
        )?
        .options(self.call.request_options());
        enroll(self.client, request).await
    }
}

operation!(TotpUpdate => TotpEnrollment);

#[cfg(test)]
mod tests {
    use super::*;

    fn response(image: &str) -> TotpResponse {
        TotpResponse {
            provisioning_url: "otpauth://totp/x?secret=ABC".into(),
            image: image.into(),
            key: TotpKey::new("ABCSECRET"),
        }
    }

    #[test]
    fn image_decoding() {
        let png = b"\x89PNG\r\n\x1a\n";
        let b64 = STANDARD.encode(png);
        let e = TotpEnrollment::from_response(response(&b64), 200).unwrap();
        assert_eq!(e.image, png);
        let data_uri = format!("data:image/png;base64,{b64}");
        assert_eq!(
            TotpEnrollment::from_response(response(&data_uri), 200)
                .unwrap()
                .image,
            png
        );
        let err = TotpEnrollment::from_response(response("%%%"), 200).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
        let debug = format!("{e:?}");
        assert!(!debug.contains("ABC"), "{debug}");
    }
}
