//! Newtypes for secret values: tokens, keys and codes.
//!
//! Each type serializes as a plain JSON string, prints `[redacted]` in `Debug`, has no
//! `Display`, and gives its value only through an explicit [`secret`](SessionToken::secret)
//! accessor, so a secret never reaches a log line by accident.

use serde::{Deserialize, Serialize};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` prints `[redacted]`; read the value with [`secret`](Self::secret).
        #[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value. Never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Consumes the wrapper and returns the secret value.
            pub fn into_secret(self) -> String {
                self.0
            }

            /// Whether the value is the empty string (as in a logout response).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

pub(crate) use secret_type;

secret_type!(
    /// A Descope session JWT (`sessionJwt`, cookie `DS`).
    SessionToken
);
secret_type!(
    /// A Descope refresh JWT (`refreshJwt`, cookie `DSR`).
    RefreshToken
);
secret_type!(
    /// A TOTP shared secret, base32 encoded (the `key` of a TOTP enrollment).
    TotpKey
);
secret_type!(
    /// A one-time TOTP code typed by the user.
    TotpCode
);
secret_type!(
    /// A user's password (password sign-up, sign-in, replace, update).
    Password
);
secret_type!(
    /// The one-time token of a magic link (its `t` query parameter), or of a password
    /// reset link; spent by `POST /v1/auth/magiclink/verify`.
    MagicLinkToken
);
secret_type!(
    /// A one-time code: the `code` returned to a redirect URL by OAuth, SSO or SAML, or a
    /// native provider's authorization code.
    ExchangeCode
);
secret_type!(
    /// An ID token issued by a native OAuth provider (Apple, Google) for native finish.
    IdToken
);
secret_type!(
    /// A Descope access key, exchanged for a session JWT.
    AccessKey
);
secret_type!(
    /// A Descope management key (or auth management key).
    ManagementKey
);
secret_type!(
    /// A trusted-device or known-device JWT.
    DeviceToken
);
secret_type!(
    /// A token from an external identity provider passed through a sign-in (`externalToken`).
    ExternalToken
);

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! redaction_test {
        ($test:ident, $ty:ident) => {
            #[test]
            fn $test() {
                let value = $ty::new("super-secret-value-123");
                let debug = format!("{value:?}");
                assert!(!debug.contains("super-secret"), "{debug}");
                assert_eq!(debug, concat!(stringify!($ty), "([redacted])"));
                assert_eq!(value.secret(), "super-secret-value-123");
                // Wire form stays a plain string.
                assert_eq!(
                    serde_json::to_string(&value).unwrap(),
                    "\"super-secret-value-123\""
                );
                let back: $ty = serde_json::from_str("\"x\"").unwrap();
                assert_eq!(back.into_secret(), "x");
                // Nested in Option and Vec, still redacted.
                let nested = format!("{:?}", (Some(value.clone()), vec![value]));
                assert!(!nested.contains("super-secret"), "{nested}");
            }
        };
    }

    redaction_test!(session_token_is_redacted, SessionToken);
    redaction_test!(refresh_token_is_redacted, RefreshToken);
    redaction_test!(totp_key_is_redacted, TotpKey);
    redaction_test!(totp_code_is_redacted, TotpCode);
    redaction_test!(exchange_code_is_redacted, ExchangeCode);
    redaction_test!(id_token_is_redacted, IdToken);
    redaction_test!(access_key_is_redacted, AccessKey);
    redaction_test!(management_key_is_redacted, ManagementKey);
    redaction_test!(device_token_is_redacted, DeviceToken);
    redaction_test!(external_token_is_redacted, ExternalToken);
}
