//! Delivery methods of the one-time messages (magic links, codes) and the masked address
//! Descope answers with.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How Descope delivers a message: the last path segment of the start calls
/// (`/v1/auth/magiclink/signin/{method}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DeliveryMethod {
    /// Email (`email`).
    Email,
    /// Text message (`sms`).
    Sms,
    /// Voice call (`voice`).
    Voice,
    /// WhatsApp message (`whatsapp`).
    Whatsapp,
    /// An instant-messaging channel (`im`; OTP only, in the Node SDK).
    Im,
}

impl DeliveryMethod {
    /// Every method.
    pub const ALL: [Self; 5] = [
        Self::Email,
        Self::Sms,
        Self::Voice,
        Self::Whatsapp,
        Self::Im,
    ];

    /// The path segment: `email`, `sms`, `voice`, `whatsapp` or `im`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Whatsapp => "whatsapp",
            Self::Im => "im",
        }
    }

    /// Whether the message goes to a phone number (every method but email).
    pub fn is_phone(self) -> bool {
        self != Self::Email
    }
}

impl fmt::Display for DeliveryMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a delivery method (see [`DeliveryMethod`]'s `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDeliveryMethod;

impl fmt::Display for UnknownDeliveryMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown delivery method (expected email, sms, voice, whatsapp or im)")
    }
}

impl std::error::Error for UnknownDeliveryMethod {}

impl FromStr for DeliveryMethod {
    type Err = UnknownDeliveryMethod;

    /// Parses a path segment, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownDeliveryMethod)
    }
}

/// The answer of a call that sent a message: where it went, masked
/// (`{"maskedEmail":"a***@example.com"}` or `{"maskedPhone":"+1*******11"}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MaskedAddressResponse {
    /// The email address, masked (email delivery).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub masked_email: String,
    /// The phone number, masked (SMS, voice, WhatsApp delivery).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub masked_phone: String,
}

impl MaskedAddressResponse {
    /// The masked address for `method`: the email for email, the phone otherwise; the other
    /// one when that is empty (missing fields parse as empty, as in the Python SDK).
    pub fn address(&self, method: DeliveryMethod) -> &str {
        let (first, second) = if method.is_phone() {
            (&self.masked_phone, &self.masked_email)
        } else {
            (&self.masked_email, &self.masked_phone)
        };
        if first.is_empty() { second } else { first }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip() {
        for method in DeliveryMethod::ALL {
            assert_eq!(method.as_str().parse::<DeliveryMethod>(), Ok(method));
            assert_eq!(serde_json::to_value(method).unwrap(), method.as_str());
        }
        assert_eq!("SMS".parse::<DeliveryMethod>(), Ok(DeliveryMethod::Sms));
        assert!("fax".parse::<DeliveryMethod>().is_err());
    }

    #[test]
    fn masked_address_by_method() {
        let r: MaskedAddressResponse =
            serde_json::from_str(r#"{"maskedEmail":"a***@x.io"}"#).unwrap();
        assert_eq!(r.address(DeliveryMethod::Email), "a***@x.io");
        assert_eq!(r.address(DeliveryMethod::Sms), "a***@x.io");
        let r: MaskedAddressResponse = serde_json::from_str(r#"{"maskedPhone":"+1***1"}"#).unwrap();
        assert_eq!(r.address(DeliveryMethod::Whatsapp), "+1***1");
        let empty: MaskedAddressResponse = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.address(DeliveryMethod::Email), "");
    }
}
