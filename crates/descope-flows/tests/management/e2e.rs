//! End to end against descope-emulator, over both backends.
