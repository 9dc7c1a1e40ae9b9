//! Login options and the elevation (step-up, MFA) that needs the current refresh token,
//! shared by every sign-in builder.

use descope_types::{LoginOptions, RefreshToken};

use crate::error::{Argument, Error};
use crate::pipeline::Bearer;

/// What a sign-in builder collects from `.login_options(..)`, `.step_up(..)` and `.mfa(..)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Login {
    options: Option<LoginOptions>,
    step_up: bool,
    mfa: bool,
    refresh: Option<RefreshToken>,
}

impl Login {
    pub(crate) fn options(&mut self, options: LoginOptions) {
        self.options = Some(options);
    }

    pub(crate) fn step_up(&mut self, refresh: &RefreshToken) {
        self.step_up = true;
        self.refresh = Some(refresh.clone());
    }

    /// Sends the refresh token as the bearer without asking for elevation (calls that act
    /// on the signed-in user).
    pub(crate) fn with_refresh(&mut self, refresh: &RefreshToken) {
        self.refresh = Some(refresh.clone());
    }

    pub(crate) fn mfa(&mut self, refresh: &RefreshToken) {
        self.mfa = true;
        self.refresh = Some(refresh.clone());
    }

    /// The options to send and who sends them. Options that ask for step-up or MFA by
    /// themselves (a `LoginOptions` with `stepup` set) still need the refresh token.
    pub(crate) fn resolve(&self) -> Result<(Option<LoginOptions>, Bearer<'_>), Error> {
        let mut options = self.options.clone();
        if self.step_up {
            options.get_or_insert_with(LoginOptions::default).stepup = Some(true);
        }
        if self.mfa {
            options.get_or_insert_with(LoginOptions::default).mfa = Some(true);
        }
        let bearer = match &self.refresh {
            Some(refresh) if refresh.secret().trim().is_empty() => {
                return Err(Error::empty(Argument::RefreshToken));
            }
            Some(refresh) => Bearer::Refresh(refresh.secret()),
            None if options
                .as_ref()
                .is_some_and(LoginOptions::requires_refresh_token) =>
            {
                return Err(Error::argument(
                    Argument::RefreshToken,
                    "is required for step-up or MFA (use .step_up(&refresh) or .mfa(&refresh))",
                ));
            }
            None => Bearer::Project,
        };
        Ok((options, bearer))
    }
}

/// The login-option setters of a sign-in builder with a `login: Login` field.
macro_rules! login_setters {
    ($builder:ident) => {
        impl<'a> $builder<'a> {
            /// Login options: custom claims, a tenant to select, revoking other sessions,
            /// message templates...
            pub fn login_options(mut self, options: descope_types::LoginOptions) -> Self {
                self.login.options(options);
                self
            }

            /// Step-up: raise the authentication level of the session this refresh token
            /// belongs to.
            pub fn step_up(mut self, refresh: &descope_types::RefreshToken) -> Self {
                self.login.step_up(refresh);
                self
            }

            /// Add this factor to the session this refresh token belongs to (MFA).
            pub fn mfa(mut self, refresh: &descope_types::RefreshToken) -> Self {
                self.login.mfa(refresh);
                self
            }
        }
    };
}

pub(crate) use login_setters;

/// Message-template values from any `(key, value)` pairs (a map, an array of pairs...).
pub(crate) fn template_map<K: Into<String>, V: Into<String>>(
    values: impl IntoIterator<Item = (K, V)>,
) -> std::collections::BTreeMap<String, String> {
    values
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// The setters every address update (OTP, magic link, enchanted link; email or phone)
/// shares: its `body` has these option fields.
macro_rules! address_update_setters {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Also make the new address a login id of the user (`addToLoginIDs`).
            pub fn add_to_login_ids(mut self, add: bool) -> Self {
                self.body.add_to_login_ids = add.into();
                self
            }

            /// When the new address is already another user's login id, merge into that
            /// user instead of failing (`onMergeUseExisting`).
            pub fn on_merge_use_existing(mut self, merge: bool) -> Self {
                self.body.on_merge_use_existing = merge.into();
                self
            }

            /// The message template to use.
            pub fn template_id(mut self, template_id: impl Into<String>) -> Self {
                self.body.template_id = Some(template_id.into());
                self
            }

            /// Values for the message template.
            pub fn template_options<K: Into<String>, V: Into<String>>(
                mut self,
                values: impl IntoIterator<Item = (K, V)>,
            ) -> Self {
                self.body.template_options = Some($crate::login::template_map(values));
                self
            }

            /// The messaging provider to send with.
            pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
                self.body.provider_id = Some(provider_id.into());
                self
            }
        }
    };
    // The bodies that also carry `mfa` (not the link updates of a phone number).
    ($builder:ident, mfa) => {
        $crate::login::address_update_setters!($builder);

        impl $builder<'_> {
            /// Count the verification of the new address as a second factor (`mfa`).
            pub fn mfa(mut self, mfa: bool) -> Self {
                self.body.mfa = mfa.into();
                self
            }
        }
    };
}

pub(crate) use address_update_setters;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elevation_needs_the_refresh_token() {
        let mut login = Login::default();
        login.options(LoginOptions::stepup());
        let Err(error) = login.resolve() else {
            panic!("step-up without a refresh token was accepted")
        };
        assert_eq!(error.invalid_argument(), Some(Argument::RefreshToken));

        let mut login = Login::default();
        login.step_up(&RefreshToken::new("r.e.f"));
        let (options, bearer) = login.resolve().unwrap();
        assert_eq!(options, Some(LoginOptions::stepup()));
        assert!(matches!(bearer, Bearer::Refresh("r.e.f")));

        let mut login = Login::default();
        login.mfa(&RefreshToken::new(""));
        let Err(error) = login.resolve() else {
            panic!("an empty refresh token was accepted")
        };
        assert_eq!(error.invalid_argument(), Some(Argument::RefreshToken));
        assert!(matches!(
            Login::default().resolve(),
            Ok((None, Bearer::Project))
        ));
    }
}
