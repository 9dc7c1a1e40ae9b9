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
