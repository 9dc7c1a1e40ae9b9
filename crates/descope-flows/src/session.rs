//! The validated session type and role/permission helpers (owned by the validation work).
