//! OTP (one-time codes by email, SMS, voice call, WhatsApp): the code and the request bodies
//! of `/v1/auth/otp/*`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::delivery::DeliveryMethod;
use crate::options::LoginOptions;
use crate::requests::SignUpUser;
use crate::secret::secret_type;

secret_type!(
    /// A one-time code Descope sent by email, SMS, voice call or WhatsApp.
    OtpCode
);

/// Body of `POST /v1/auth/otp/signup/{method}`.
///
/// The Python SDK (and Go's) also send the address under a key named after the method
/// (`email`, `phone`, `voice` or `whatsapp`); the Node SDK does not. Set it with
/// [`with_address`](Self::with_address).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpSignUpRequest {
    /// The new user's login id.
    pub login_id: String,
    /// Details of the new user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignUpUser>,
    /// Sign-up options (custom claims, templates, revoking other sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_options: Option<LoginOptions>,
    /// Messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// The address, for [`DeliveryMethod::Email`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The address, for [`DeliveryMethod::Sms`] (and Im).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The address, for [`DeliveryMethod::Voice`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    /// The address, for [`DeliveryMethod::Whatsapp`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp: Option<String>,
}

impl OtpSignUpRequest {
    /// Puts `address` under the key named after `method`.
    pub fn with_address(mut self, method: DeliveryMethod, address: impl Into<String>) -> Self {
        let address = Some(address.into());
        match method {
            DeliveryMethod::Email => self.email = address,
            DeliveryMethod::Sms | DeliveryMethod::Im => self.phone = address,
            DeliveryMethod::Voice => self.voice = address,
            DeliveryMethod::Whatsapp => self.whatsapp = address,
        }
        self
    }

    /// The address sent under the key of `method`, if any.
    pub fn address(&self, method: DeliveryMethod) -> Option<&str> {
        match method {
            DeliveryMethod::Email => self.email.as_deref(),
            DeliveryMethod::Sms | DeliveryMethod::Im => self.phone.as_deref(),
            DeliveryMethod::Voice => self.voice.as_deref(),
            DeliveryMethod::Whatsapp => self.whatsapp.as_deref(),
        }
    }
}

/// Body of `POST /v1/auth/otp/signin/{method}` and `/v1/auth/otp/signup-in/{method}`.
///
/// Both SDKs always send `loginOptions`, `{}` when there are none.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpSignInRequest {
    /// The user's login id.
    pub login_id: String,
    /// Login options (step-up, MFA, custom claims, tenant, templates, locale).
    #[serde(default)]
    pub login_options: LoginOptions,
    /// Messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Body of `POST /v1/auth/otp/verify/{method}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpVerifyRequest {
    /// The login id the code was sent for.
    pub login_id: String,
    /// The code the user received.
    pub code: OtpCode,
}

/// Body of `POST /v1/auth/otp/update/email`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpUpdateEmailRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new email address; the code goes there.
    pub email: String,
    /// Also make the new address a login id of the user.
    #[serde(
        rename = "addToLoginIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub add_to_login_ids: Option<bool>,
    /// When the address is another user's login id, merge into that user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_merge_use_existing: Option<bool>,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Message template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Count the verification as a second factor of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
}

/// Body of `POST /v1/auth/otp/update/phone/{method}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpUpdatePhoneRequest {
    /// The signed-in user's login id.
    pub login_id: String,
    /// The new phone number; the code goes there.
    pub phone: String,
    /// Also make the new number a login id of the user.
    #[serde(
        rename = "addToLoginIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub add_to_login_ids: Option<bool>,
    /// When the number is another user's login id, merge into that user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_merge_use_existing: Option<bool>,
    /// Values for the message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Message template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Messaging provider to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Count the verification as a second factor of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wire_shapes() {
        let sign_up = OtpSignUpRequest {
            login_id: "+15555550102".into(),
            ..OtpSignUpRequest::default()
        }
        .with_address(DeliveryMethod::Voice, "+15555550102");
        assert_eq!(
            serde_json::to_value(&sign_up).unwrap(),
            json!({"loginId": "+15555550102", "voice": "+15555550102"})
        );
        let sign_in = OtpSignInRequest {
            login_id: "a@example.com".into(),
            ..OtpSignInRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&sign_in).unwrap(),
            json!({"loginId": "a@example.com", "loginOptions": {}})
        );
        let update = OtpUpdateEmailRequest {
            login_id: "a@example.com".into(),
            email: "b@example.com".into(),
            add_to_login_ids: Some(true),
            ..OtpUpdateEmailRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"loginId": "a@example.com", "email": "b@example.com", "addToLoginIDs": true})
        );
        let verify = OtpVerifyRequest {
            login_id: "a@example.com".into(),
            code: OtpCode::new("123456"),
        };
        assert!(!format!("{verify:?}").contains("123456"));
    }
}
