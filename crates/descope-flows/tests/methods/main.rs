//! The sign-in methods (OTP, magic link, enchanted link, password, passkeys): for each, request
//! snapshots checked against the official SDKs' captured requests, and end-to-end tests
//! against descope-emulator over both HTTP backends. One test binary for all of them keeps
//! link time and disk down.

#[path = "../common/mod.rs"]
mod common;
mod enchantedlink;
mod harness;
mod magiclink;
mod notp;
mod onetap;
mod otp;
mod password;
mod webauthn;

use harness::{Backend, over_both_backends, setup};

/// The harness itself: a fresh emulator has sent nothing.
async fn outbox_starts_empty(kind: Backend) {
    let s = setup(kind).await;
    assert!(s.outbox("ada@example.com").await.is_empty());
}

over_both_backends!(outbox_starts_empty);
