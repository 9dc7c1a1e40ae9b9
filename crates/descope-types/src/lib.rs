//! Wire types of the Descope authentication API: requests, responses, the user object,
//! errors, JSON Web Key sets and JWT claims, for OAuth (web and native), SSO/SAML, TOTP,
//! WebAuthn (passkeys) and session management.
//!
//! Plain structs and enums with serde attributes, nothing else: no I/O, no HTTP. The field
//! names follow the wire exactly (`provisioningURL`, `tenantSSOID`, `TOTP`, `OAuth`...).
//!
//! * Responses accept unknown fields and missing optional fields: an empty `{}` parses.
//! * Requests omit unset optional fields.
//! * Secrets (tokens, keys, codes) are newtypes whose `Debug` prints `[redacted]`; read them
//!   with `.secret()`.
//!
//! ```
//! use descope_types::{JwtResponse, LoginOptions, TotpVerifyRequest, TotpCode};
//!
//! let request = TotpVerifyRequest {
//!     login_id: "ada@example.com".into(),
//!     code: TotpCode::new("123456"),
//!     login_options: Some(LoginOptions::stepup()),
//! };
//! assert_eq!(
//!     serde_json::to_string(&request).unwrap(),
//!     r#"{"loginId":"ada@example.com","code":"123456","loginOptions":{"stepup":true}}"#
//! );
//! // The code does not leak through Debug.
//! assert!(!format!("{request:?}").contains("123456"));
//!
//! let response: JwtResponse = serde_json::from_str(
//!     r#"{"sessionJwt":"eyJ...","firstSeen":false,"user":{"userId":"U1","TOTP":true}}"#,
//! ).unwrap();
//! assert_eq!(response.user.unwrap().totp, Some(true));
//! assert_eq!(response.session_jwt.unwrap().secret(), "eyJ...");
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod claims;
pub mod clock;
mod delivery;
mod enchantedlink;
mod error;
mod jwks;
mod magiclink;
#[cfg(feature = "management")]
mod management;
mod notp;
mod onetap;
mod options;
mod otp;
mod password;
mod project;
mod requests;
mod responses;
mod secret;
mod user;
mod webauthn;

pub use claims::{
    Audience, Claims, DRN_REFRESH, DRN_SESSION, TenantClaims, TenantsClaim, TenantsIter,
};
pub use clock::{Clock, SystemClock};
pub use delivery::{DeliveryMethod, MaskedAddressResponse, UnknownDeliveryMethod};
pub use enchantedlink::{
    EnchantedLinkPendingSessionRequest, EnchantedLinkResponse, EnchantedLinkSignInRequest,
    EnchantedLinkSignUpRequest, EnchantedLinkToken, EnchantedLinkUpdateEmailRequest,
    EnchantedLinkUpdatePhoneRequest, EnchantedLinkVerifyRequest, PendingRef,
};
pub use error::{ErrorCode, ErrorResponse};
pub use jwks::{Jwk, JwkSet};
pub use magiclink::{
    MagicLinkSignInRequest, MagicLinkSignUpRequest, MagicLinkUpdateEmailRequest,
    MagicLinkUpdatePhoneRequest, MagicLinkVerifyRequest,
};
#[cfg(feature = "management")]
pub use management::{
    AccessKeyResponse, AccessKeyTenant, AuditEventType, AuditRecord, BatchUserPassword,
    InviteOptions, MgmtAccessKeyCreateRequest, MgmtAccessKeyCreateResponse, MgmtAccessKeyIdRequest,
    MgmtAccessKeyResponse, MgmtAccessKeySearchRequest, MgmtAccessKeyUpdateRequest,
    MgmtAccessKeysResponse, MgmtAuditEventRequest, MgmtAuditSearchRequest, MgmtAuditSearchResponse,
    MgmtBatchUser, MgmtEmbeddedLinkRequest, MgmtEmbeddedLinkResponse, MgmtImpersonateRequest,
    MgmtJwtResponse, MgmtJwtUpdateRequest, MgmtPermissionDeleteRequest, MgmtPermissionRequest,
    MgmtPermissionsResponse, MgmtRoleDeleteRequest, MgmtRoleRequest, MgmtRoleSearchRequest,
    MgmtRolesResponse, MgmtSignInRequest, MgmtSignUpRequest, MgmtSignUpUser,
    MgmtStopImpersonationRequest, MgmtTestEnchantedLinkRequest, MgmtTestLinkResponse,
    MgmtTestMagicLinkRequest, MgmtTestOtpRequest, MgmtTestOtpResponse, MgmtUserBatchFailure,
    MgmtUserBatchRequest, MgmtUserBatchResponse, MgmtUserInviteRequest, PermissionResponse,
    RoleResponse, SignInLink,
};
#[cfg(feature = "management")]
pub use management::{
    LicenseResponse, MgmtUserDeleteRequest, MgmtUserPatchRequest, MgmtUserRequest,
    MgmtUserResponse, MgmtUserRolesRequest, MgmtUserSearchRequest, MgmtUserSearchResponse,
    MgmtUserStatusRequest, MgmtUserTenantRequest, TenantRoles, UserSearchSort,
};

// Tenants and SSO settings.
#[cfg(feature = "management")]
pub use management::{
    GroupsMapping, MappedRole, MgmtSsoMappingRequest, MgmtSsoOidcRequest, MgmtSsoSamlRequest,
    MgmtTenantDeleteRequest, MgmtTenantRequest, MgmtTenantSearchRequest, MgmtTenantSettingsRequest,
    MgmtTenantsResponse, OidcAttributeMapping, OidcClientSecret, RoleMapping, SamlAttributeMapping,
    SsoOidcSettings, SsoSamlMetadataSettings, SsoSamlSettings, SsoSamlSettingsResponse,
    SsoTenantSettings, Tenant, TenantCreated, TenantSettings,
};

#[cfg(feature = "management")]
pub use management::{
    MgmtUserCustomAttributeRequest, MgmtUserEmailUpdateRequest, MgmtUserLoginIdRequest,
    MgmtUserLoginIdUpdateRequest, MgmtUserLogoutRequest, MgmtUserNameUpdateRequest,
    MgmtUserPhoneUpdateRequest, MgmtUserPictureUpdateRequest, MgmtUserSetPasswordRequest,
    MgmtUsersLoadRequest,
};
pub use notp::{NotpPendingSessionRequest, NotpResponse, NotpSignInRequest, NotpSignUpRequest};
pub use onetap::{OneTapClientIdResponse, OneTapCodeResponse, OneTapIdTokenRequest};
pub use options::{
    AccessKeyLoginOptions, LoginOptions, OAuthProvider, OAuthStartParams, SsoStartParams,
};
pub use otp::{
    OtpCode, OtpSignInRequest, OtpSignUpRequest, OtpUpdateEmailRequest, OtpUpdatePhoneRequest,
    OtpVerifyRequest,
};
pub use password::{
    PasswordPolicy, PasswordReplaceRequest, PasswordResetRequest, PasswordResetResponse,
    PasswordSignInRequest, PasswordSignUpRequest, PasswordUpdateRequest,
};
pub use project::{DEFAULT_BASE_URL, InvalidProjectId, MAX_PROJECT_ID_LEN, ProjectId};
pub use requests::{
    AccessKeyExchangeRequest, CodeExchangeRequest, LogoutRequest, MyTenantsRequest,
    NativeFinishRequest, NativeStartRequest, NativeUser, NativeUserName, RefreshRequest,
    SelectTenantRequest, SignUpUser, TotpSignUpRequest, TotpUpdateRequest, TotpVerifyRequest,
};
pub use responses::{
    AccessKeyExchangeResponse, IdpResponse, JwtResponse, MyTenantsResponse, NativeStartResponse,
    RawJson, TenantInfo, TotpResponse, UrlResponse, UserHistoryEntry, UserHistoryResponse,
    ValidateResponse,
};
pub use secret::{
    AccessKey, DeviceToken, ExchangeCode, ExternalToken, IdToken, MagicLinkToken, ManagementKey,
    Password, RefreshToken, SessionToken, TotpCode, TotpKey,
};
pub use user::{UserResponse, UserTenant};
pub use webauthn::{
    AuthenticatorSelection, PasskeyOptions, WebAuthnFinishRequest, WebAuthnSignInStartRequest,
    WebAuthnSignUpStartRequest, WebAuthnStartResponse, WebAuthnTransactionId,
    WebAuthnUpdateFinishResponse, WebAuthnUpdateStartRequest, WebAuthnUser,
};
