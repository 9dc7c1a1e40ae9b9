//! Integration tests of the emulator over real loopback HTTP with plain clients.

mod common;

mod concurrency;
mod control;
mod errors;
mod fuzz;
mod management;
mod native;
mod oauth_sso;
mod sessions;
mod totp;
mod wire_captures;
