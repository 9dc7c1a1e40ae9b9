//! TOTP (authenticator app): sign-up, verify, update.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use descope_types::{
    LoginOptions, RefreshToken, SignUpUser, TotpCode, TotpKey, TotpResponse, TotpSignUpRequest,
    TotpUpdateRequest, TotpVerifyRequest,
};

use crate::auth_info::AuthenticationInfo;
use crate::client::{Bearer, Call, Client, Excerpt, require};
use crate::error::{DecodeError, Error};
use crate::oauth::start_bearer;

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
                .map_err(|_| {
                    Error::decode(DecodeError {
                        status,
                        excerpt: String::new(),
                    })
                })?
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

impl Totp<'_> {
    async fn enroll(&self, call: Call<'_>) -> Result<TotpEnrollment, Error> {
        let response = self.client.send(call).await?;
        let status = response.status().as_u16();
        let body: TotpResponse = crate::client::decode(&response, Excerpt::Never)?;
        TotpEnrollment::from_response(body, status)
    }

    /// Signs up a new user with TOTP (`POST /v1/auth/totp/signup`). Show the QR image or
    /// the key; the first [`verify`](Self::verify) completes the sign-up.
    pub async fn sign_up(
        &self,
        login_id: &str,
        user: Option<&SignUpUser>,
    ) -> Result<TotpEnrollment, Error> {
        require(login_id, "login id is empty")?;
        let body = TotpSignUpRequest {
            login_id: login_id.to_owned(),
            user: user.cloned(),
        };
        self.enroll(Call::post("/v1/auth/totp/signup", Bearer::Project, &body)?)
            .await
    }

    /// Signs in with a code from the authenticator app (`POST /v1/auth/totp/verify`).
    ///
    /// `refresh` is required when `options` asks for step-up or MFA (checked before any
    /// request) and sent whenever given.
    pub async fn verify(
        &self,
        login_id: &str,
        code: &TotpCode,
        options: Option<&LoginOptions>,
        refresh: Option<&RefreshToken>,
    ) -> Result<AuthenticationInfo, Error> {
        require(login_id, "login id is empty")?;
        require(code.secret(), "TOTP code is empty")?;
        let bearer = start_bearer(options, refresh)?;
        let body = TotpVerifyRequest {
            login_id: login_id.to_owned(),
            code: code.clone(),
            login_options: options.cloned(),
        };
        let call = Call::post("/v1/auth/totp/verify", bearer, &body)?;
        self.client.authenticate(call, None).await
    }

    /// Adds (or replaces) TOTP for the signed-in user (`POST /v1/auth/totp/update`).
    pub async fn update_user(
        &self,
        login_id: &str,
        refresh: &RefreshToken,
    ) -> Result<TotpEnrollment, Error> {
        require(login_id, "login id is empty")?;
        require(refresh.secret(), "refresh token is empty")?;
        let body = TotpUpdateRequest {
            login_id: login_id.to_owned(),
        };
        let call = Call::post(
            "/v1/auth/totp/update",
            Bearer::With(refresh.secret()),
            &body,
        )?;
        self.enroll(call).await
    }
}

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
