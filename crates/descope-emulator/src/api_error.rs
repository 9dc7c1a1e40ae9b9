//! Descope-shaped error answers: `{errorCode, errorDescription, errorMessage}` with a fitting
//! HTTP status (and `Retry-After` on 429).

use std::borrow::Cow;

use axum::Json;
use axum::response::{IntoResponse, Response};
use descope_types::{ErrorCode, ErrorResponse};
use http::{HeaderValue, StatusCode, header};

/// An HTTP error answer. Messages never contain secrets (tokens, codes, keys).
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    description: Cow<'static, str>,
    message: Cow<'static, str>,
    retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: ErrorCode,
        description: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `E011003`: the request failed validation.
    pub(crate) fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            "Request is invalid",
            message,
        )
    }

    /// 400 `E011003` "The X field is required".
    pub(crate) fn missing_field(field: &str) -> Self {
        Self::invalid_request(format!("The {field} field is required"))
    }

    /// 400 `E011004`: invalid arguments.
    pub(crate) fn invalid_argument(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidArguments,
            "Invalid argument",
            message,
        )
    }

    /// 400 `E011001`: bad request.
    pub(crate) fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Bad request",
            message,
        )
    }

    /// 401 `E011002`: no usable `Authorization` header.
    pub(crate) fn missing_bearer(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::MissingArguments,
            "Unauthorized",
            message,
        )
    }

    /// 401 `E011004`: a token that is not (or no longer) valid.
    pub(crate) fn invalid_token(reason: &'static str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidArguments,
            "Invalid token",
            reason,
        )
    }

    /// 401 `E064001`: the refresh token was revoked by a logout.
    pub(crate) fn logged_out() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenExpiredByLogout,
            "Token expired by logged out",
            "The refresh token was revoked",
        )
    }

    /// 400 `E061301`: an exchange code that is unknown, used or expired.
    pub(crate) fn bad_code(message: &'static str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ExchangeCodeFailed,
            "Failed to exchange code",
            message,
        )
    }

    /// 400 `E011004`: a tenant (selected at sign-in or later) the user is not a member of.
    pub(crate) fn not_a_member() -> Self {
        Self::invalid_argument("The user is not a member of this tenant")
    }

    /// 400 `E062108`.
    pub(crate) fn user_not_found() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UserNotFound,
            "User not found",
            "No user has this login id",
        )
    }

    /// 400 `E062107`: a sign-up (or a new login id) that is already a user's.
    pub(crate) fn user_already_exists() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UserAlreadyExists,
            "User already exists",
            "A user with this login id already exists",
        )
    }

    /// 401 `E061102`: a wrong (or used, or unknown) one-time code.
    pub(crate) fn wrong_code(message: &'static str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::WrongOtpCode,
            "Wrong code",
            message,
        )
    }

    /// 401 `E061103`: too many wrong one-time codes.
    pub(crate) fn too_many_attempts(message: &'static str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TooManyOtpAttempts,
            "Too many attempts",
            message,
        )
    }

    /// 403 `E011004`: a sign-in of a user the management API deactivated (code unverified:
    /// see docs/spec-notes.md).
    pub(crate) fn user_disabled() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidArguments,
            "User is disabled",
            "This user was deactivated and cannot sign in",
        )
    }

    /// 400 `E112102`: the management API found no such user.
    pub(crate) fn mgmt_user_not_found() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ManagementUserNotFound,
            "User not found",
            "No user has this login id or user id",
        )
    }

    /// 401 `E011004`: a management call whose key is unknown (or a token that is not one).
    pub(crate) fn bad_management_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidArguments,
            "Unauthorized",
            "The management key is invalid",
        )
    }

    /// 404 for unknown paths.
    pub(crate) fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::BadRequest,
            "Not found",
            "No such endpoint",
        )
    }

    /// 405 for known paths with another method.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadRequest,
            "Method not allowed",
            "This endpoint does not accept this method",
        )
    }

    /// 413: body over the configured cap.
    pub(crate) fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadRequest,
            "Request body too large",
            "The request body exceeds the size limit",
        )
    }

    /// 429 `E130429` with `Retry-After`.
    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimitExceeded,
                "https://docs.descope.com/rate-limit",
                "API rate limit exceeded.",
            )
        }
    }

    /// 500: an internal failure (crypto, encoding).
    pub(crate) fn internal(message: &'static str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Other("E010000".to_owned()),
            "Internal error",
            message,
        )
    }

    /// 409 `E011004`: a management create (or rename) names a role, permission or key that
    /// already exists.
    pub(crate) fn already_exists(message: &'static str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorCode::InvalidArguments,
            "Already exists",
            message,
        )
    }

    /// 400 `E011004`: a management table (roles, permissions, access keys) is full.
    pub(crate) fn limit_reached(what: &'static str, cap: usize) -> Self {
        Self::invalid_argument(format!(
            "The project already holds the most {what} it may ({cap})"
        ))
    }

    /// 400 `E011004`: the management API found no access key with this id.
    pub(crate) fn access_key_not_found() -> Self {
        Self::invalid_argument("Access key not found")
    }

    /// 401 `E062803`: an access key that cannot be exchanged: unknown (or deleted),
    /// deactivated or expired; `why` says which.
    pub(crate) fn access_key_refused(why: &'static str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidAccessKey,
            "Invalid access key",
            why,
        )
    }

    pub(crate) fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error_code: self.code.clone(),
            error_description: self.description.clone().into_owned(),
            error_message: Some(self.message.clone().into_owned()),
        }
    }

    /// 401 `E062909`: a password the management API expired or set as temporary; a replace
    /// (or a reset) sets a new one (status unverified: see docs/spec-notes.md).
    pub(crate) fn password_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::PasswordExpired,
            "Password expired",
            "The password has expired or is temporary; replace it",
        )
    }

    /// 403 `E011004`: an impersonation by a user without the `Impersonate` permission (code
    /// unverified: see docs/spec-notes.md).
    pub(crate) fn impersonation_not_allowed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidArguments,
            "Impersonation not allowed",
            "The impersonator does not have the Impersonate permission",
        )
    }
}

impl From<aws_lc_rs::error::Unspecified> for ApiError {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        Self::internal("random number generation failed")
    }
}

/// A project id in a bearer, path or query that breaks the project-id rules.
impl From<descope_types::InvalidProjectId> for ApiError {
    fn from(_: descope_types::InvalidProjectId) -> Self {
        Self::missing_bearer("The project id is malformed")
    }
}

impl From<crate::error::EmulatorError> for ApiError {
    fn from(_: crate::error::EmulatorError) -> Self {
        Self::internal("cryptographic operation failed")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Tenant management errors.
impl ApiError {
    /// 400 `E011001`: no tenant has this id.
    pub(crate) fn tenant_not_found() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Tenant not found",
            "No tenant has this id",
        )
    }

    /// 409 `E011001`: a tenant with this id already exists.
    pub(crate) fn tenant_exists() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorCode::BadRequest,
            "Tenant already exists",
            "A tenant with this id already exists",
        )
    }

    /// 400 `E011001`: the project holds as many tenants as the emulator keeps.
    pub(crate) fn tenants_full() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Tenant limit reached",
            "The project has the most tenants the emulator keeps; delete some first",
        )
    }
}
