//! Integration tests of the emulator over real loopback HTTP with plain clients.

mod common;

mod concurrency;
mod console;
mod control;
mod enchantedlink;
mod errors;
mod fuzz;
mod magiclink;
mod management;
mod mgmt_jwt_audit;
mod mgmt_roles;
mod mgmt_tenants;
mod mgmt_test_users;
mod mgmt_user_ops;
mod native;
mod notp;
mod oauth_sso;
mod onetap;
mod otp;
mod password;
mod sessions;
mod totp;
mod webauthn;
mod wire_captures;
