//! A software passkey authenticator with the browser's part around it: takes the `options`
//! of a WebAuthn start call and answers with the credential JSON a web page would post to
//! the finish call. For tests and demos, where no browser or security key is at hand.

use std::fmt;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use passkey_authenticator::{Authenticator, MemoryStore, UiHint, UserCheck, UserValidationMethod};
use passkey_client::{Client, DefaultClientData};
use passkey_crypto::AvailableBackend;
use passkey_types::Passkey;
use passkey_types::ctap2::{Aaguid, Ctap2Error};
use passkey_types::webauthn::{CredentialCreationOptions, CredentialRequestOptions};
use serde_json::{Value, json};
use url::Url;

use crate::error::{EmulatorError, EmulatorErrorKind};

/// A user who is always present and verified (the authenticator's PIN or biometric check).
struct AlwaysVerified;

#[async_trait]
impl UserValidationMethod for AlwaysVerified {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

type Inner =
    Client<MemoryStore, AlwaysVerified, AvailableBackend, public_suffix::PublicSuffixList, ()>;

/// A software passkey authenticator (1Password's `passkey` crates) holding its credentials
/// in memory, with sign counters, and a user that is always present and verified.
///
/// ```
/// # async fn demo(options: &str) -> Result<(), descope_emulator::EmulatorError> {
/// use descope_emulator::SoftAuthenticator;
///
/// let mut authenticator = SoftAuthenticator::new();
/// // `options` from a sign-up start: the credential JSON for the finish call.
/// let credential = authenticator.create(options, "http://localhost:3000").await?;
/// # let _ = credential; Ok(()) }
/// ```
pub struct SoftAuthenticator {
    client: Inner,
}

impl fmt::Debug for SoftAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftAuthenticator")
            .field("credentials", &self.client.authenticator().store().len())
            .finish_non_exhaustive()
    }
}

impl Default for SoftAuthenticator {
    fn default() -> Self {
        Self::new()
    }
}

fn failure(what: &str, detail: impl fmt::Debug) -> EmulatorError {
    EmulatorError::new(EmulatorErrorKind::Crypto, format!("{what}: {detail:?}"))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The `publicKey` options of a start answer, parsed as `T`: the whole answer's `options`
/// string (`{"publicKey": {...}}`) or the bare inner object.
fn parse_options<T: serde::de::DeserializeOwned>(options: &str) -> Result<T, EmulatorError> {
    let value: Value =
        serde_json::from_str(options).map_err(|e| failure("options are not JSON", e))?;
    let value = if value.get("publicKey").is_some() {
        value
    } else {
        json!({ "publicKey": value })
    };
    serde_json::from_value(value).map_err(|e| failure("options are not WebAuthn options", e))
}

fn origin(origin: &str) -> Result<Url, EmulatorError> {
    Url::parse(origin).map_err(|e| failure("the origin is not a URL", e))
}

impl SoftAuthenticator {
    /// An authenticator with no credential. It signs with counters (each use counts one up).
    pub fn new() -> Self {
        let mut authenticator = Authenticator::new(
            Aaguid::new_empty(),
            MemoryStore::new(),
            AlwaysVerified,
            AvailableBackend,
        );
        authenticator.set_make_credentials_with_signature_counter(true);
        Self {
            client: Client::new(authenticator).allows_insecure_localhost(true),
        }
    }

    /// How many credentials it holds.
    pub fn len(&self) -> usize {
        self.client.authenticator().store().len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `navigator.credentials.create()` on a page at `origin`: makes a credential from a
    /// start answer's `options` and returns it as the JSON a page posts to the finish call
    /// (binary fields base64url).
    pub async fn create(&mut self, options: &str, origin: &str) -> Result<String, EmulatorError> {
        let request: CredentialCreationOptions = parse_options(options)?;
        let origin = self::origin(origin)?;
        let created = self
            .client
            .register(&origin, request, DefaultClientData)
            .await
            .map_err(|e| failure("the authenticator refused to create", e))?;
        let mut response = json!({
            "clientDataJSON": b64(&created.response.client_data_json),
            "attestationObject": b64(&created.response.attestation_object),
        });
        if let Some(transports) = &created.response.transports {
            response["transports"] = serde_json::to_value(transports).unwrap_or(Value::Null);
        }
        Ok(json!({
            "id": created.id,
            "rawId": b64(&created.raw_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
        })
        .to_string())
    }

    /// `navigator.credentials.get()` on a page at `origin`: signs a start answer's
    /// challenge with a matching credential and returns the assertion JSON for the finish
    /// call.
    pub async fn get(&mut self, options: &str, origin: &str) -> Result<String, EmulatorError> {
        let request: CredentialRequestOptions = parse_options(options)?;
        let origin = self::origin(origin)?;
        let assertion = self
            .client
            .authenticate(&origin, request, DefaultClientData)
            .await
            .map_err(|e| failure("the authenticator refused to sign", e))?;
        let response = &assertion.response;
        Ok(json!({
            "id": assertion.id,
            "rawId": b64(&assertion.raw_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&response.client_data_json),
                "authenticatorData": b64(&response.authenticator_data),
                "signature": b64(&response.signature),
                "userHandle": response.user_handle.as_ref().map(|h| b64(h)),
            },
            "clientExtensionResults": {},
        })
        .to_string())
    }

    /// Sets every credential's sign counter, as a cloned or restored authenticator would
    /// present it (for testing that a relying party refuses a counter that goes back).
    pub fn set_counters(&mut self, counter: u32) {
        for passkey in self.client.authenticator_mut().store_mut().values_mut() {
            passkey.counter = Some(counter);
        }
    }
}
