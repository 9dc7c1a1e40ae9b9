//! The error body of every non-2xx answer.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `{errorCode, errorDescription, errorMessage}`: what Descope answers on failure.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    /// The Descope error code (`E` + 6 digits).
    #[serde(default)]
    pub error_code: ErrorCode,
    /// A short description.
    #[serde(default)]
    pub error_description: String,
    /// A longer message, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// A Descope error code. Known codes have a variant; any other is kept as
        /// [`ErrorCode::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this version does not know (or an empty one).
            Other(String),
        }

        impl ErrorCode {
            /// The code as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// The variant for a wire code.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    /// `E011001`: bad request (e.g. a tenant that matches nothing).
    BadRequest = "E011001",
    /// `E011002`: missing arguments.
    MissingArguments = "E011002",
    /// `E011003`: request validation failed ("The X field is required").
    InvalidRequest = "E011003",
    /// `E011004`: invalid arguments.
    InvalidArguments = "E011004",
    /// `E061102`: wrong one-time code.
    WrongOtpCode = "E061102",
    /// `E061103`: too many one-time code attempts.
    TooManyOtpAttempts = "E061103",
    /// `E061104`: one-time code expired.
    OtpCodeExpired = "E061104",
    /// `E061301`: the OAuth/SSO code could not be exchanged (used or expired).
    ExchangeCodeFailed = "E061301",
    /// `E062107`: user already exists.
    UserAlreadyExists = "E062107",
    /// `E062108`: user not found.
    UserNotFound = "E062108",
    /// `E062503`: enchanted link pending.
    EnchantedLinkPending = "E062503",
    /// `E062504`: magic link token expired.
    MagicLinkExpired = "E062504",
    /// `E063010`: magic link token not found.
    MagicLinkNotFound = "E063010",
    /// `E062802`: missing access key.
    MissingAccessKey = "E062802",
    /// `E062803`: invalid access key.
    InvalidAccessKey = "E062803",
    /// `E062909`: password expired.
    PasswordExpired = "E062909",
    /// `E064001`: the refresh token was revoked by a logout.
    TokenExpiredByLogout = "E064001",
    /// `E066103`: nOTP unauthorized.
    NotpUnauthorized = "E066103",
    /// `E112102`: management API: user not found.
    ManagementUserNotFound = "E112102",
    /// `E130429`: rate limit exceeded (HTTP 429, with `Retry-After`).
    RateLimitExceeded = "E130429",
}

impl Default for ErrorCode {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Self::from_code(&code))
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go renders `[code] description: message`; follow it.
        write!(f, "[{}] {}", self.error_code, self.error_description)?;
        if let Some(message) = self.error_message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}
