//! TEMPORARY stand-in for the validation branch's `Validator` (removed when it is merged):
//! RS256 against a fetched key set, exp/iss/drn only.

use std::sync::Arc;

use descope_types::{Claims, DRN_REFRESH, DRN_SESSION, JwkSet, RefreshToken, SessionToken};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tokio::sync::Mutex;

use crate::clock::Clock;
use crate::error::{Error, TokenErrorReason};

/// Fetches the project's key set.
#[async_trait::async_trait]
pub trait KeySource: Send + Sync + std::fmt::Debug + 'static {
    /// Fetches the keys.
    async fn fetch_keys(&self) -> Result<JwkSet, Error>;
}

/// Validation settings.
#[derive(Debug, Clone)]
pub struct ValidationConfig {
    /// Project id.
    pub project_id: String,
    /// Leeway.
    pub leeway: std::time::Duration,
    /// Audiences.
    pub audiences: Vec<String>,
    /// Clock.
    pub clock: Arc<dyn Clock>,
    /// Static key.
    pub public_key: Option<descope_types::Jwk>,
}

impl ValidationConfig {
    /// Defaults.
    pub fn new(project_id: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            leeway: std::time::Duration::from_secs(5),
            audiences: Vec::new(),
            clock: Arc::new(crate::clock::SystemClock),
            public_key: None,
        }
    }
}

/// Validates tokens.
#[derive(Debug)]
pub struct SessionValidator {
    config: ValidationConfig,
    keys: Arc<dyn KeySource>,
    cache: Mutex<Option<JwkSet>>,
}

macro_rules! session {
    ($name:ident, $token:ident) => {
        /// A validated token.
        #[derive(Debug, Clone)]
        pub struct $name {
            token: $token,
            claims: Claims,
        }

        impl $name {
            /// The token.
            pub fn token(&self) -> &$token {
                &self.token
            }
            /// The claims.
            pub fn claims(&self) -> &Claims {
                &self.claims
            }
            /// The user id.
            pub fn user_id(&self) -> &str {
                self.claims.user_id().unwrap_or_default()
            }
            /// The selected tenant.
            pub fn current_tenant(&self) -> Option<&str> {
                self.claims.dct.as_deref()
            }
            /// amr.
            pub fn amr(&self) -> &[String] {
                &self.claims.amr
            }
        }
    };
}
session!(Session, SessionToken);
session!(RefreshSession, RefreshToken);

impl SessionValidator {
    /// New validator.
    pub fn new(config: ValidationConfig, keys: Arc<dyn KeySource>) -> Result<Self, Error> {
        Ok(Self {
            config,
            keys,
            cache: Mutex::new(None),
        })
    }

    /// Validates a session token.
    pub async fn validate_session(&self, token: &SessionToken) -> Result<Session, Error> {
        let claims = self.validate(token.secret(), DRN_SESSION).await?;
        Ok(Session {
            token: token.clone(),
            claims,
        })
    }

    /// Validates a refresh token.
    pub async fn validate_refresh(&self, token: &RefreshToken) -> Result<RefreshSession, Error> {
        let claims = self.validate(token.secret(), DRN_REFRESH).await?;
        Ok(RefreshSession {
            token: token.clone(),
            claims,
        })
    }

    async fn validate(&self, token: &str, drn: &str) -> Result<Claims, Error> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Error::token(TokenErrorReason::Malformed))?;
        let kid = header.kid.unwrap_or_default();
        let mut cache = self.cache.lock().await;
        if cache.is_none() {
            if let Some(key) = &self.config.public_key {
                *cache = Some(JwkSet {
                    keys: vec![key.clone()],
                });
            }
        }
        if cache.as_ref().and_then(|k| k.find(&kid)).is_none() && self.config.public_key.is_none() {
            *cache = Some(self.keys.fetch_keys().await?);
        }
        let jwk = cache
            .as_ref()
            .and_then(|k| k.find(&kid))
            .ok_or_else(|| Error::token(TokenErrorReason::UnknownKey))?;
        let key = DecodingKey::from_rsa_components(
            jwk.n.as_deref().unwrap_or_default(),
            jwk.e.as_deref().unwrap_or_default(),
        )
        .map_err(|_| Error::token(TokenErrorReason::UnknownKey))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|_| Error::token(TokenErrorReason::BadSignature))?
            .claims;
        let now = self.config.clock.now_unix();
        let exp = claims
            .exp
            .ok_or_else(|| Error::token(TokenErrorReason::MissingExpiry))?;
        if exp + (self.config.leeway.as_secs() as i64) < now {
            return Err(Error::token(TokenErrorReason::Expired));
        }
        let iss = claims.iss.as_deref().unwrap_or_default();
        if iss != self.config.project_id && !iss.ends_with(&format!("/{}", self.config.project_id))
        {
            return Err(Error::token(TokenErrorReason::WrongIssuer));
        }
        if claims.drn.as_deref() != Some(drn) {
            return Err(Error::token(TokenErrorReason::WrongTokenType));
        }
        Ok(claims)
    }
}
