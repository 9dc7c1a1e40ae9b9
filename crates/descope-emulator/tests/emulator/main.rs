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
