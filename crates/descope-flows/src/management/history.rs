//! Users' login history: `client.management().users().history(..)`.

use descope_types::{UserHistoryEntry, UserHistoryResponse};

use super::users::Users;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::Error;
use crate::pipeline::Request;

impl<'a> Users<'a> {
    /// The sign-ins of these users (user ids), oldest first (`POST /v1/mgmt/user/history`).
    /// Unknown ids are left out of the answer.
    pub fn history(
        &self,
        user_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> UserHistory<'a> {
        UserHistory {
            client: self.client,
            user_ids: user_ids.into_iter().map(Into::into).collect(),
            call: CallOptions::new(),
        }
    }
}

/// A login-history query: [`Users::history`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UserHistory<'a> {
    client: &'a Client,
    user_ids: Vec<String>,
    call: CallOptions,
}

impl UserHistory<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<Vec<UserHistoryEntry>, Error> {
        // The body is a bare JSON array of user ids, as both official SDKs send it.
        let answer: UserHistoryResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(
                    Request::post("/v1/mgmt/user/history", bearer, &self.user_ids)?
                        .excerpt_allowed(),
                )
            })
            .await?;
        Ok(answer.0)
    }
}

operation!(UserHistory => Vec<UserHistoryEntry>);
