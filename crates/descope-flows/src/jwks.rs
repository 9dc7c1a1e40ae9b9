//! JWKS fetching and caching (owned by the validation work).
