//! Any bytes decoded as every response type of descope-types (and the error body, user,
//! claims, key set). Never a panic; and whatever decodes can be encoded and decoded again.
#![no_main]

use descope_types::*;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let text = serde_json::to_vec(&value).expect("a decoded value encodes");
    if let Err(error) = serde_json::from_slice::<T>(&text) {
        panic!(
            "{} does not decode its own encoding: {error}: {}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&text)
        );
    }
}

fuzz_target!(|data: &[u8]| {
    decode::<UrlResponse>(data);
    decode::<NativeStartResponse>(data);
    decode::<TotpResponse>(data);
    decode::<IdpResponse>(data);
    decode::<JwtResponse>(data);
    decode::<TenantInfo>(data);
    decode::<MyTenantsResponse>(data);
    decode::<UserHistoryEntry>(data);
    decode::<UserHistoryResponse>(data);
    decode::<AccessKeyExchangeResponse>(data);
    decode::<ValidateResponse>(data);
    decode::<ErrorResponse>(data);
    decode::<UserResponse>(data);
    decode::<UserTenant>(data);
    decode::<Claims>(data);
    decode::<TenantsClaim>(data);
    decode::<JwkSet>(data);
    decode::<Jwk>(data);
});
