//! WebAuthn (passkeys): sign-up, sign-in, sign-up-or-in and adding a passkey, each a start
//! call (options for the browser) and a finish call (the browser's credential).

use std::fmt;

use descope_types::{
    LoginOptions, PasskeyOptions, RefreshToken, SignUpUser, WebAuthnFinishRequest,
    WebAuthnSignInStartRequest, WebAuthnSignUpStartRequest, WebAuthnStartResponse,
    WebAuthnTransactionId, WebAuthnUpdateFinishResponse, WebAuthnUpdateStartRequest, WebAuthnUser,
};

use crate::auth_info::AuthenticationInfo;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, DecodeError, Error};
use crate::login::{Login, login_setters};
use crate::pipeline::{Bearer, Excerpt, Request, decode, require};

/// WebAuthn flows of a [`Client`]; see [`Client::webauthn`].
#[derive(Debug, Clone, Copy)]
pub struct WebAuthn<'a> {
    client: &'a Client,
}

/// A started WebAuthn ceremony: hand [`options`](Self::options) to the browser, then send
/// its answer with the matching finish call and [`transaction_id`](Self::transaction_id).
///
/// `Debug` leaves out the transaction id and the options (they carry the challenge).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebAuthnStart {
    /// Names the ceremony in the finish call.
    pub transaction_id: WebAuthnTransactionId,
    /// JSON for the browser: `{"publicKey": {...}}`, binary fields base64url-encoded. Decode
    /// them and pass the object to `navigator.credentials.create()` when
    /// [`create`](Self::create) is true, `navigator.credentials.get()` otherwise.
    pub options: String,
    /// `true`: a new passkey is to be created; `false`: an existing one is to be used.
    pub create: bool,
}

impl fmt::Debug for WebAuthnStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebAuthnStart")
            .field("transaction_id", &self.transaction_id)
            .field("options", &format_args!("<{} bytes>", self.options.len()))
            .field("create", &self.create)
            .finish()
    }
}

impl Client {
    /// WebAuthn: sign up and sign in with passkeys, add a passkey to a signed-in user.
    pub fn webauthn(&self) -> WebAuthn<'_> {
        WebAuthn { client: self }
    }
}

impl<'a> WebAuthn<'a> {
    /// Starts signing up a new user with a passkey (`POST /v1/auth/webauthn/signup/start`).
    /// `origin` is the page's origin (`https://app.example.com`); the browser creates the
    /// credential, then [`sign_up_finish`](Self::sign_up_finish).
    pub fn sign_up_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> WebAuthnSignUpStart<'a> {
        WebAuthnSignUpStart {
            client: self.client,
            body: WebAuthnSignUpStartRequest {
                login_id: None,
                user: WebAuthnUser {
                    login_id: login_id.into(),
                    details: SignUpUser::default(),
                },
                origin: origin.into(),
                login_options: None,
                passkey_options: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Starts signing in with a passkey (`POST /v1/auth/webauthn/signin/start`); the browser
    /// signs the challenge, then [`sign_in_finish`](Self::sign_in_finish).
    pub fn sign_in_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> WebAuthnSignInStart<'a> {
        WebAuthnSignInStart::new(self.client, login_id.into(), origin.into(), SIGN_IN_START)
    }

    /// Starts signing in, or signing up a user that does not exist yet
    /// (`POST /v1/auth/webauthn/signup-in/start`). [`WebAuthnStart::create`] tells which:
    /// finish with [`sign_up_finish`](Self::sign_up_finish) when true,
    /// [`sign_in_finish`](Self::sign_in_finish) otherwise.
    pub fn sign_up_or_in_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> WebAuthnSignInStart<'a> {
        WebAuthnSignInStart::new(
            self.client,
            login_id.into(),
            origin.into(),
            SIGN_UP_OR_IN_START,
        )
    }

    /// Starts adding a passkey to the signed-in user (`POST /v1/auth/webauthn/update/start`,
    /// the refresh token as the bearer); then [`update_finish`](Self::update_finish).
    pub fn update_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
        refresh: &RefreshToken,
    ) -> WebAuthnUpdateStart<'a> {
        WebAuthnUpdateStart {
            client: self.client,
            body: WebAuthnUpdateStartRequest {
                login_id: login_id.into(),
                origin: origin.into(),
                ..WebAuthnUpdateStartRequest::default()
            },
            refresh: refresh.clone(),
            call: CallOptions::new(),
        }
    }

    /// Finishes a sign-up (`POST /v1/auth/webauthn/signup/finish`) with the browser's new
    /// credential (`PublicKeyCredential` as JSON, binary fields base64url). Spends the
    /// transaction: never resent once it may have reached Descope.
    pub fn sign_up_finish(
        &self,
        transaction_id: &WebAuthnTransactionId,
        response: impl Into<String>,
    ) -> WebAuthnFinish<'a> {
        WebAuthnFinish::new(self.client, SIGN_UP_FINISH, transaction_id, response)
    }

    /// Finishes a sign-in (`POST /v1/auth/webauthn/signin/finish`) with the browser's
    /// assertion as JSON. Spends the transaction: never resent once it may have reached
    /// Descope.
    pub fn sign_in_finish(
        &self,
        transaction_id: &WebAuthnTransactionId,
        response: impl Into<String>,
    ) -> WebAuthnFinish<'a> {
        WebAuthnFinish::new(self.client, SIGN_IN_FINISH, transaction_id, response)
    }

    /// Finishes adding a passkey (`POST /v1/auth/webauthn/update/finish`) with the browser's
    /// new credential as JSON. Spends the transaction.
    pub fn update_finish(
        &self,
        transaction_id: &WebAuthnTransactionId,
        response: impl Into<String>,
    ) -> WebAuthnUpdateFinish<'a> {
        let WebAuthnFinish {
            client,
            path,
            body,
            call,
        } = WebAuthnFinish::new(self.client, UPDATE_FINISH, transaction_id, response);
        WebAuthnUpdateFinish {
            client,
            path,
            body,
            call,
        }
    }
}

const SIGN_IN_START: &str = "/v1/auth/webauthn/signin/start";
const SIGN_UP_OR_IN_START: &str = "/v1/auth/webauthn/signup-in/start";
const SIGN_UP_FINISH: &str = "/v1/auth/webauthn/signup/finish";
const SIGN_IN_FINISH: &str = "/v1/auth/webauthn/signin/finish";
const UPDATE_FINISH: &str = "/v1/auth/webauthn/update/finish";

/// Sends a start call; an answer without a transaction id or options is a decode error.
async fn start(client: &Client, request: Request<'_>) -> Result<WebAuthnStart, Error> {
    let decoded = client
        .pipeline()
        .json::<WebAuthnStartResponse>(request)
        .await?;
    let answer = decoded.value;
    if answer.transaction_id.is_empty() || answer.options.trim().is_empty() {
        return Err(Error::decode(DecodeError::new(decoded.status)));
    }
    Ok(WebAuthnStart {
        transaction_id: answer.transaction_id,
        options: answer.options,
        create: answer.create,
    })
}

/// A passkey sign-up start: [`WebAuthn::sign_up_start`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct WebAuthnSignUpStart<'a> {
    client: &'a Client,
    body: WebAuthnSignUpStartRequest,
    call: CallOptions,
}

impl WebAuthnSignUpStart<'_> {
    /// Details of the new user (name, email, phone).
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.body.user.details = user;
        self
    }

    /// Login options of the session the finish creates (custom claims...).
    pub fn login_options(mut self, options: LoginOptions) -> Self {
        self.body.login_options = Some(options);
        self
    }

    /// Preferences for the credential (authenticator attachment, user verification...).
    pub fn passkey_options(mut self, options: PasskeyOptions) -> Self {
        self.body.passkey_options = Some(options);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<WebAuthnStart, Error> {
        require(&self.body.user.login_id, Argument::LoginId)?;
        require(&self.body.origin, Argument::Origin)?;
        let request = Request::post(
            "/v1/auth/webauthn/signup/start",
            Bearer::Project,
            &self.body,
        )?
        .options(self.call.request_options());
        start(self.client, request).await
    }
}

operation!(WebAuthnSignUpStart => WebAuthnStart);

/// A passkey sign-in (or sign-up-or-in) start: [`WebAuthn::sign_in_start`],
/// [`WebAuthn::sign_up_or_in_start`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct WebAuthnSignInStart<'a> {
    client: &'a Client,
    path: &'static str,
    login_id: String,
    origin: String,
    passkey_options: Option<PasskeyOptions>,
    login: Login,
    call: CallOptions,
}

impl<'a> WebAuthnSignInStart<'a> {
    fn new(client: &'a Client, login_id: String, origin: String, path: &'static str) -> Self {
        Self {
            client,
            path,
            login_id,
            origin,
            passkey_options: None,
            login: Login::default(),
            call: CallOptions::new(),
        }
    }

    /// Preferences for the credential (user verification...).
    pub fn passkey_options(mut self, options: PasskeyOptions) -> Self {
        self.passkey_options = Some(options);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<WebAuthnStart, Error> {
        require(&self.login_id, Argument::LoginId)?;
        require(&self.origin, Argument::Origin)?;
        let (login_options, bearer) = self.login.resolve()?;
        let body = WebAuthnSignInStartRequest {
            login_id: self.login_id.clone(),
            origin: self.origin.clone(),
            login_options,
            passkey_options: self.passkey_options.clone(),
        };
        let request = Request::post(self.path, bearer, &body)?.options(self.call.request_options());
        start(self.client, request).await
    }
}

login_setters!(WebAuthnSignInStart);
operation!(WebAuthnSignInStart => WebAuthnStart);

/// Adding a passkey to a signed-in user: [`WebAuthn::update_start`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct WebAuthnUpdateStart<'a> {
    client: &'a Client,
    body: WebAuthnUpdateStartRequest,
    refresh: RefreshToken,
    call: CallOptions,
}

impl WebAuthnUpdateStart<'_> {
    /// Preferences for the credential.
    pub fn passkey_options(mut self, options: PasskeyOptions) -> Self {
        self.body.passkey_options = Some(options);
        self
    }

    /// Makes [`WebAuthn::update_finish`] answer with a new session whose `amr` adds
    /// `webauthn` to the signed-in session's (MFA).
    pub fn mfa(mut self, mfa: bool) -> Self {
        self.body.mfa = Some(mfa);
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<WebAuthnStart, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.origin, Argument::Origin)?;
        require(self.refresh.secret(), Argument::RefreshToken)?;
        let request = Request::post(
            "/v1/auth/webauthn/update/start",
            Bearer::Refresh(self.refresh.secret()),
            &self.body,
        )?
        .options(self.call.request_options());
        start(self.client, request).await
    }
}

operation!(WebAuthnUpdateStart => WebAuthnStart);

/// A passkey sign-up or sign-in finish: [`WebAuthn::sign_up_finish`],
/// [`WebAuthn::sign_in_finish`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct WebAuthnFinish<'a> {
    client: &'a Client,
    path: &'static str,
    body: WebAuthnFinishRequest,
    call: CallOptions,
}

impl<'a> WebAuthnFinish<'a> {
    fn new(
        client: &'a Client,
        path: &'static str,
        transaction_id: &WebAuthnTransactionId,
        response: impl Into<String>,
    ) -> Self {
        Self {
            client,
            path,
            body: WebAuthnFinishRequest {
                transaction_id: transaction_id.clone(),
                response: response.into(),
            },
            call: CallOptions::one_time(),
        }
    }

    /// Sends the call.
    pub async fn send(self) -> Result<AuthenticationInfo, Error> {
        let request = finish_request(self.path, &self.body, &self.call)?;
        self.client.authenticate(request, None).await
    }
}

operation!(WebAuthnFinish => AuthenticationInfo);

fn finish_request(
    path: &'static str,
    body: &WebAuthnFinishRequest,
    call: &CallOptions,
) -> Result<Request<'static>, Error> {
    require(body.transaction_id.secret(), Argument::TransactionId)?;
    require(&body.response, Argument::Credential)?;
    Ok(Request::post(path, Bearer::Project, body)?.options(call.request_options()))
}

/// Finishing adding a passkey: [`WebAuthn::update_finish`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct WebAuthnUpdateFinish<'a> {
    client: &'a Client,
    path: &'static str,
    body: WebAuthnFinishRequest,
    call: CallOptions,
}

impl WebAuthnUpdateFinish<'_> {
    /// Sends the call. `Some` session only when the start asked for
    /// [`mfa`](WebAuthnUpdateStart::mfa); `None` otherwise (the passkey is added either way).
    pub async fn send(self) -> Result<Option<AuthenticationInfo>, Error> {
        let client = self.client;
        let request = finish_request(self.path, &self.body, &self.call)?;
        let response = client.pipeline().send(request).await?;
        let status = response.status().as_u16();
        // Python treats a non-JSON or empty body as "no session"; so does this.
        if response.body().iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let answer: WebAuthnUpdateFinishResponse = decode(&response, Excerpt::Never)?;
        match answer.jwt {
            Some(jwt) if jwt.session_jwt.as_ref().is_some_and(|t| !t.is_empty()) => client
                .authentication_info(jwt, status, response.headers(), None)
                .await
                .map(Some),
            _ => Ok(None),
        }
    }
}

operation!(WebAuthnUpdateFinish => Option<AuthenticationInfo>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_debug_hides_the_ceremony() {
        let start = WebAuthnStart {
            transaction_id: WebAuthnTransactionId::new("tx-secret"),
            options: r#"{"publicKey":{"challenge":"abc"}}"#.to_owned(),
            create: true,
        };
        let debug = format!("{start:?}");
        assert!(!debug.contains("tx-secret"), "{debug}");
        assert!(!debug.contains("challenge"), "{debug}");
        assert!(debug.contains("create: true"), "{debug}");
    }
}
