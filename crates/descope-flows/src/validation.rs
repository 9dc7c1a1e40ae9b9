//! Local JWT validation (owned by the validation work).
