//! Users: `client.management().users()`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use descope_types::{
    MgmtUserCustomAttributeRequest, MgmtUserDeleteRequest, MgmtUserEmailUpdateRequest,
    MgmtUserLoginIdRequest, MgmtUserLoginIdUpdateRequest, MgmtUserLogoutRequest,
    MgmtUserNameUpdateRequest, MgmtUserPatchRequest, MgmtUserPhoneUpdateRequest,
    MgmtUserPictureUpdateRequest, MgmtUserRequest, MgmtUserResponse, MgmtUserRolesRequest,
    MgmtUserSearchRequest, MgmtUserSearchResponse, MgmtUserSetPasswordRequest,
    MgmtUserStatusRequest, MgmtUserTenantRequest, MgmtUsersLoadRequest, Password, TenantRoles,
    UserResponse, UserSearchSort,
};
use http::Method;
use serde_json::{Map, Value};

use super::{strings, void_call, void_post};
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

/// Users per page of [`SearchUsers::pages`] when the search names no limit.
const DEFAULT_PAGE_SIZE: u32 = 100;

/// The user management calls; see [`Management::users`](super::Management::users).
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    pub(super) client: &'a Client,
}

impl<'a> Users<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Creates a user (`POST /v1/mgmt/user/create`), without sending an invitation.
    pub fn create(&self, login_id: impl Into<String>) -> CreateUser<'a> {
        CreateUser {
            client: self.client,
            path: "/v1/mgmt/user/create",
            body: MgmtUserRequest {
                login_id: login_id.into(),
                ..MgmtUserRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Creates a test user (`POST /v1/mgmt/user/create/test`): flagged `test`, left out of
    /// searches unless asked for, removed by [`delete_all_test_users`](Self::delete_all_test_users).
    pub fn create_test_user(&self, login_id: impl Into<String>) -> CreateUser<'a> {
        let mut create = self.create(login_id);
        create.path = "/v1/mgmt/user/create/test";
        create.body.test = true;
        create
    }

    /// Replaces the whole user (`POST /v1/mgmt/user/update`): every field the call does not
    /// set is cleared (roles and tenants included). See [`patch`](Self::patch) to change
    /// only some fields.
    pub fn update(&self, login_id: impl Into<String>) -> UpdateUser<'a> {
        UpdateUser {
            client: self.client,
            body: MgmtUserRequest {
                login_id: login_id.into(),
                ..MgmtUserRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Changes only the fields the call names (`PATCH /v1/mgmt/user/patch`).
    pub fn patch(&self, login_id: impl Into<String>) -> PatchUser<'a> {
        PatchUser {
            client: self.client,
            body: MgmtUserPatchRequest {
                login_id: login_id.into(),
                ..MgmtUserPatchRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Loads a user by login id (`GET /v1/mgmt/user?loginId=`).
    pub fn load(&self, login_id: impl Into<String>) -> LoadUser<'a> {
        LoadUser {
            client: self.client,
            key: "loginId",
            value: login_id.into(),
            call: CallOptions::new(),
        }
    }

    /// Loads a user by user id (`GET /v1/mgmt/user?userId=`).
    pub fn load_by_user_id(&self, user_id: impl Into<String>) -> LoadUser<'a> {
        LoadUser {
            client: self.client,
            key: "userId",
            value: user_id.into(),
            call: CallOptions::new(),
        }
    }

    /// Deletes a user (`POST /v1/mgmt/user/delete`). Deleting a user that does not exist
    /// succeeds.
    pub fn delete(&self, login_id: impl Into<String>) -> DeleteUser<'a> {
        DeleteUser {
            client: self.client,
            body: MgmtUserDeleteRequest {
                login_id: Some(login_id.into()),
                user_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Deletes a user by user id (`POST /v1/mgmt/user/delete`, `userId`). Deleting a user
    /// that does not exist succeeds.
    pub fn delete_by_user_id(&self, user_id: impl Into<String>) -> DeleteUser<'a> {
        DeleteUser {
            client: self.client,
            body: MgmtUserDeleteRequest {
                login_id: None,
                user_id: Some(user_id.into()),
            },
            call: CallOptions::new(),
        }
    }

    /// Deletes every test user (`DELETE /v1/mgmt/user/test/delete/all`).
    pub fn delete_all_test_users(&self) -> DeleteAllTestUsers<'a> {
        DeleteAllTestUsers {
            client: self.client,
            call: CallOptions::new(),
        }
    }

    /// Searches users (`POST /v2/mgmt/user/search`): one page with
    /// [`send`](SearchUsers::send), or every page as a stream with
    /// [`pages`](SearchUsers::pages).
    pub fn search(&self) -> SearchUsers<'a> {
        SearchUsers {
            client: self.client,
            path: "/v2/mgmt/user/search",
            body: MgmtUserSearchRequest::default(),
            call: CallOptions::new(),
        }
    }

    /// Searches test users only (`POST /v2/mgmt/user/search/test`).
    pub fn search_test_users(&self) -> SearchUsers<'a> {
        let mut search = self.search();
        search.path = "/v2/mgmt/user/search/test";
        search.body.with_test_user = true;
        search.body.test_users_only = true;
        search
    }

    /// Enables a user (`POST /v1/mgmt/user/update/status`, `enabled`).
    pub fn activate(&self, login_id: impl Into<String>) -> SetUserStatus<'a> {
        self.status(login_id.into(), "enabled")
    }

    /// Disables a user (`POST /v1/mgmt/user/update/status`, `disabled`): the user can no
    /// longer sign in.
    pub fn deactivate(&self, login_id: impl Into<String>) -> SetUserStatus<'a> {
        self.status(login_id.into(), "disabled")
    }

    fn status(&self, login_id: String, status: &'static str) -> SetUserStatus<'a> {
        SetUserStatus {
            client: self.client,
            body: MgmtUserStatusRequest {
                login_id,
                status: status.to_owned(),
            },
            call: CallOptions::new(),
        }
    }

    /// Adds project-level roles (`POST /v2/mgmt/user/update/role/add`); with
    /// [`UserRoles::tenant`], roles in that tenant.
    pub fn add_roles(
        &self,
        login_id: impl Into<String>,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> UserRoles<'a> {
        self.roles(
            "/v2/mgmt/user/update/role/add",
            login_id.into(),
            strings(roles),
        )
    }

    /// Removes project-level roles (`POST /v1/mgmt/user/update/role/remove`); with
    /// [`UserRoles::tenant`], roles in that tenant.
    pub fn remove_roles(
        &self,
        login_id: impl Into<String>,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> UserRoles<'a> {
        self.roles(
            "/v1/mgmt/user/update/role/remove",
            login_id.into(),
            strings(roles),
        )
    }

    /// Replaces the project-level roles (`POST /v1/mgmt/user/update/role/set`); with
    /// [`UserRoles::tenant`], the roles in that tenant.
    pub fn set_roles(
        &self,
        login_id: impl Into<String>,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> UserRoles<'a> {
        self.roles(
            "/v1/mgmt/user/update/role/set",
            login_id.into(),
            strings(roles),
        )
    }

    fn roles(&self, path: &'static str, login_id: String, roles: Vec<String>) -> UserRoles<'a> {
        UserRoles {
            client: self.client,
            path,
            body: MgmtUserRolesRequest {
                login_id,
                role_names: roles,
                tenant_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Adds the user to a tenant (`POST /v1/mgmt/user/update/tenant/add`).
    pub fn add_tenant(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> UserTenantChange<'a> {
        self.tenant(
            "/v1/mgmt/user/update/tenant/add",
            login_id.into(),
            tenant_id.into(),
        )
    }

    /// Removes the user from a tenant (`POST /v1/mgmt/user/update/tenant/remove`).
    pub fn remove_tenant(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> UserTenantChange<'a> {
        self.tenant(
            "/v1/mgmt/user/update/tenant/remove",
            login_id.into(),
            tenant_id.into(),
        )
    }

    fn tenant(
        &self,
        path: &'static str,
        login_id: String,
        tenant_id: String,
    ) -> UserTenantChange<'a> {
        UserTenantChange {
            client: self.client,
            path,
            body: MgmtUserTenantRequest {
                login_id,
                tenant_id,
            },
            call: CallOptions::new(),
        }
    }
}

/// Sends a call that answers `{"user": {...}}` and returns the user.
async fn user_call(
    client: &Client,
    call: &CallOptions,
    method: Method,
    path: &'static str,
    body: &impl serde::Serialize,
) -> Result<UserResponse, Error> {
    let response: MgmtUserResponse = client
        .management_call(call, |bearer| {
            Ok(Request::post(path, bearer, body)?.method(method))
        })
        .await?;
    Ok(response.user)
}

/// The profile setters every user builder has (create, update, invite, patch): the same
/// `Option` fields in `MgmtUserRequest` and `MgmtUserPatchRequest`.
macro_rules! profile_setters {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Email.
            pub fn email(mut self, email: impl Into<String>) -> Self {
                self.body.email = Some(email.into());
                self
            }

            /// Phone (E.164).
            pub fn phone(mut self, phone: impl Into<String>) -> Self {
                self.body.phone = Some(phone.into());
                self
            }

            /// Display name.
            pub fn name(mut self, name: impl Into<String>) -> Self {
                self.body.display_name = Some(name.into());
                self
            }

            /// Given name.
            pub fn given_name(mut self, name: impl Into<String>) -> Self {
                self.body.given_name = Some(name.into());
                self
            }

            /// Middle name.
            pub fn middle_name(mut self, name: impl Into<String>) -> Self {
                self.body.middle_name = Some(name.into());
                self
            }

            /// Family name.
            pub fn family_name(mut self, name: impl Into<String>) -> Self {
                self.body.family_name = Some(name.into());
                self
            }

            /// Picture URL.
            pub fn picture(mut self, url: impl Into<String>) -> Self {
                self.body.picture = Some(url.into());
                self
            }

            /// Sets one custom attribute (call once per attribute; the others are kept).
            pub fn custom_attribute(
                mut self,
                key: impl Into<String>,
                value: impl Into<Value>,
            ) -> Self {
                self.body
                    .custom_attributes
                    .get_or_insert_with(Map::new)
                    .insert(key.into(), value.into());
                self
            }

            /// Whether the email is verified.
            pub fn verified_email(mut self, verified: bool) -> Self {
                self.body.verified_email = Some(verified);
                self
            }

            /// Whether the phone is verified.
            pub fn verified_phone(mut self, verified: bool) -> Self {
                self.body.verified_phone = Some(verified);
                self
            }
        }
    };
}

/// Setters shared by the builders whose `body` is a whole `MgmtUserRequest` ([`CreateUser`],
/// [`UpdateUser`], the invitation): the profile, plus roles and tenants as lists.
macro_rules! user_fields {
    ($builder:ident) => {
        super::users::profile_setters!($builder);

        impl $builder<'_> {
            /// Project-level roles.
            pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
                self.body.role_names = strings(roles);
                self
            }

            /// Adds a tenant membership with its roles (call once per tenant).
            pub fn tenant(
                mut self,
                tenant_id: impl Into<String>,
                roles: impl IntoIterator<Item = impl Into<String>>,
            ) -> Self {
                self.body.user_tenants.push(TenantRoles {
                    tenant_id: tenant_id.into(),
                    role_names: strings(roles),
                });
                self
            }

            /// Further login ids the user can sign in with.
            pub fn additional_login_ids(
                mut self,
                login_ids: impl IntoIterator<Item = impl Into<String>>,
            ) -> Self {
                self.body.additional_login_ids = strings(login_ids);
                self
            }

            /// SSO applications the user may use.
            pub fn sso_app_ids(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
                self.body.sso_app_ids = strings(ids);
                self
            }
        }
    };
}
pub(super) use {profile_setters, user_fields};

/// Creating a user: [`Users::create`] and [`Users::create_test_user`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct CreateUser<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserRequest,
    call: CallOptions,
}

user_fields!(CreateUser);

impl CreateUser<'_> {
    /// Sends the call; returns the new user.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        user_call(self.client, &self.call, Method::POST, self.path, &self.body).await
    }
}

operation!(CreateUser => UserResponse);

/// Replacing a user: [`Users::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UpdateUser<'a> {
    client: &'a Client,
    body: MgmtUserRequest,
    call: CallOptions,
}

user_fields!(UpdateUser);

impl UpdateUser<'_> {
    /// Sends the call; returns the user as it now is.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        user_call(
            self.client,
            &self.call,
            Method::POST,
            "/v1/mgmt/user/update",
            &self.body,
        )
        .await
    }
}

operation!(UpdateUser => UserResponse);

/// Changing some fields of a user: [`Users::patch`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PatchUser<'a> {
    client: &'a Client,
    body: MgmtUserPatchRequest,
    call: CallOptions,
}

profile_setters!(PatchUser);

impl PatchUser<'_> {
    /// Replaces the project-level roles (an empty list removes them all).
    pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.role_names = Some(strings(roles));
        self
    }

    /// Adds a tenant membership to the set that replaces the current one (call once per
    /// tenant).
    pub fn tenant(
        mut self,
        tenant_id: impl Into<String>,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.body
            .user_tenants
            .get_or_insert_with(Vec::new)
            .push(TenantRoles {
                tenant_id: tenant_id.into(),
                role_names: strings(roles),
            });
        self
    }

    /// Enables (`true`) or disables (`false`) the user.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.body.status = Some(if enabled { "enabled" } else { "disabled" }.to_owned());
        self
    }

    /// Sends the call; returns the user as it now is.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        user_call(
            self.client,
            &self.call,
            Method::PATCH,
            "/v1/mgmt/user/patch",
            &self.body,
        )
        .await
    }
}

operation!(PatchUser => UserResponse);

/// Loading a user: [`Users::load`] and [`Users::load_by_user_id`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadUser<'a> {
    client: &'a Client,
    key: &'static str,
    value: String,
    call: CallOptions,
}

impl LoadUser<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.value, Argument::LoginId)?;
        let response: MgmtUserResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/user", bearer)
                    .query(vec![(self.key, self.value.clone())])
                    .excerpt_allowed())
            })
            .await?;
        Ok(response.user)
    }
}

operation!(LoadUser => UserResponse);

/// Deleting a user: [`Users::delete`] and [`Users::delete_by_user_id`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct DeleteUser<'a> {
    client: &'a Client,
    body: MgmtUserDeleteRequest,
    call: CallOptions,
}

impl DeleteUser<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        if let Some(login_id) = &self.body.login_id {
            require(login_id, Argument::LoginId)?;
        }
        if let Some(user_id) = &self.body.user_id {
            require(user_id, Argument::UserId)?;
        }
        void_post(self.client, &self.call, "/v1/mgmt/user/delete", &self.body).await
    }
}

operation!(DeleteUser => ());

/// Deleting every test user: [`Users::delete_all_test_users`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct DeleteAllTestUsers<'a> {
    client: &'a Client,
    call: CallOptions,
}

impl DeleteAllTestUsers<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        void_call(self.client, &self.call, |bearer| {
            Ok(Request::get("/v1/mgmt/user/test/delete/all", bearer).method(Method::DELETE))
        })
        .await
    }
}

operation!(DeleteAllTestUsers => ());

/// Enabling or disabling a user: [`Users::activate`] and [`Users::deactivate`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SetUserStatus<'a> {
    client: &'a Client,
    body: MgmtUserStatusRequest,
    call: CallOptions,
}

impl SetUserStatus<'_> {
    /// Sends the call; returns the user as it now is.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        user_call(
            self.client,
            &self.call,
            Method::POST,
            "/v1/mgmt/user/update/status",
            &self.body,
        )
        .await
    }
}

operation!(SetUserStatus => UserResponse);

/// Changing a user's roles: [`Users::add_roles`], [`Users::remove_roles`],
/// [`Users::set_roles`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UserRoles<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserRolesRequest,
    call: CallOptions,
}

impl UserRoles<'_> {
    /// Changes the roles the user has in this tenant instead of the project-level ones.
    pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.body.tenant_id = Some(tenant_id.into());
        self
    }

    /// Sends the call; returns the user as it now is.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        if let Some(tenant) = &self.body.tenant_id {
            require(tenant, Argument::Tenant)?;
        }
        user_call(self.client, &self.call, Method::POST, self.path, &self.body).await
    }
}

operation!(UserRoles => UserResponse);

/// Adding a user to a tenant or removing it: [`Users::add_tenant`], [`Users::remove_tenant`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UserTenantChange<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserTenantRequest,
    call: CallOptions,
}

impl UserTenantChange<'_> {
    /// Sends the call; returns the user as it now is.
    pub async fn send(self) -> Result<UserResponse, Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(&self.body.tenant_id, Argument::Tenant)?;
        user_call(self.client, &self.call, Method::POST, self.path, &self.body).await
    }
}

operation!(UserTenantChange => UserResponse);

/// A user search: [`Users::search`] and [`Users::search_test_users`].
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until sent: `.send().await`, `.await` or `.pages()`"]
pub struct SearchUsers<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserSearchRequest,
    call: CallOptions,
}

impl<'a> SearchUsers<'a> {
    /// Only users with one of these login ids.
    pub fn login_ids(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.login_ids = strings(values);
        self
    }

    /// Only users with one of these emails.
    pub fn emails(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.emails = strings(values);
        self
    }

    /// Only users with one of these phones.
    pub fn phones(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.phones = strings(values);
        self
    }

    /// Only users with one of these project-level roles.
    pub fn roles(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.role_names = strings(values);
        self
    }

    /// Only users in one of these tenants.
    pub fn tenant_ids(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.tenant_ids = strings(values);
        self
    }

    /// Only users with one of these statuses (`enabled`, `disabled`, `invited`).
    pub fn statuses(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.body.statuses = strings(values);
        self
    }

    /// Only users whose custom attribute `key` equals `value` (call once per attribute).
    pub fn custom_attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body
            .custom_attributes
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Free text matched against names, emails, phones and login ids.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.body.text = Some(text.into());
        self
    }

    /// Includes test users (left out by default).
    pub fn with_test_users(mut self, include: bool) -> Self {
        self.body.with_test_user = include;
        self
    }

    /// Only test users.
    pub fn test_users_only(mut self, only: bool) -> Self {
        self.body.test_users_only = only;
        if only {
            self.body.with_test_user = true;
        }
        self
    }

    /// The page to return, from 0 (the first page of [`pages`](Self::pages)).
    pub fn page(mut self, page: u32) -> Self {
        self.body.page = Some(page);
        self
    }

    /// Users per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.body.limit = Some(limit);
        self
    }

    /// Sorts by `field` (e.g. `email`, `createdTime`); call again for further keys.
    pub fn sort(mut self, field: impl Into<String>, descending: bool) -> Self {
        self.body.sort.push(UserSearchSort {
            field: field.into(),
            desc: descending,
        });
        self
    }

    /// Sends the call: one page, with the total count.
    pub async fn send(self) -> Result<MgmtUserSearchResponse, Error> {
        search_page(self.client, self.path, self.body, self.call).await
    }

    /// Every page from [`page`](Self::page) (default 0) on, as an async
    /// [`Stream`](futures_core::Stream), [`limit`](Self::limit) users each (default 100).
    /// It ends after a short page, or once `total` users were returned; an error ends it.
    pub fn pages(mut self) -> UserPages<'a> {
        if self.body.limit.is_none_or(|l| l == 0) {
            self.body.limit = Some(DEFAULT_PAGE_SIZE);
        }
        UserPages {
            client: self.client,
            path: self.path,
            body: self.body,
            call: self.call,
            returned: 0,
            done: false,
            pending: None,
        }
    }
}

operation!(SearchUsers => MgmtUserSearchResponse);

async fn search_page(
    client: &Client,
    path: &'static str,
    body: MgmtUserSearchRequest,
    call: CallOptions,
) -> Result<MgmtUserSearchResponse, Error> {
    client
        .management_call(&call, |bearer| {
            Ok(Request::post(path, bearer, &body)?.excerpt_allowed())
        })
        .await
}

type PageFuture<'a> =
    Pin<Box<dyn Future<Output = Result<MgmtUserSearchResponse, Error>> + Send + 'a>>;

/// The pages of a user search: [`SearchUsers::pages`]. A
/// [`Stream`](futures_core::Stream) of pages; [`next_page`](Self::next_page) reads it
/// without a stream library.
#[must_use = "a stream does nothing until polled"]
pub struct UserPages<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserSearchRequest,
    call: CallOptions,
    /// Users returned so far.
    returned: u64,
    done: bool,
    pending: Option<PageFuture<'a>>,
}

impl std::fmt::Debug for UserPages<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPages")
            .field("path", &self.path)
            .field("page", &self.body.page)
            .field("returned", &self.returned)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl UserPages<'_> {
    /// The next page, or `None` after the last.
    pub async fn next_page(&mut self) -> Option<Result<MgmtUserSearchResponse, Error>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl futures_core::Stream for UserPages<'_> {
    type Item = Result<MgmtUserSearchResponse, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let pending = this.pending.get_or_insert_with(|| {
            Box::pin(search_page(
                this.client,
                this.path,
                this.body.clone(),
                this.call,
            ))
        });
        let result = match pending.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.pending = None;
        match &result {
            Ok(page) => {
                let count = page.users.len() as u64;
                this.returned += count;
                let limit = u64::from(this.body.limit.unwrap_or(DEFAULT_PAGE_SIZE));
                this.done =
                    count == 0 || count < limit || (page.total > 0 && this.returned >= page.total);
                this.body.page = Some(this.body.page.unwrap_or(0).saturating_add(1));
            }
            Err(_) => this.done = true,
        }
        Poll::Ready(Some(result))
    }
}

/// The single-field updates, passwords, credentials, sessions and bulk load.
impl<'a> Users<'a> {
    /// Changes a login id in place (`POST /v1/mgmt/user/update/loginid`): the old one stops
    /// signing in, the new one signs in to the same user. An empty `new_login_id` removes
    /// `login_id` from a user that has other login ids.
    pub fn update_login_id(
        &self,
        login_id: impl Into<String>,
        new_login_id: impl Into<String>,
    ) -> UpdateUserLoginId<'a> {
        UpdateUserLoginId {
            client: self.client,
            body: MgmtUserLoginIdUpdateRequest {
                login_id: login_id.into(),
                new_login_id: new_login_id.into(),
            },
            call: CallOptions::new(),
        }
    }

    /// Changes the email (`POST /v1/mgmt/user/update/email`); an empty email removes it.
    pub fn update_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
    ) -> UpdateUserEmail<'a> {
        UpdateUserEmail {
            client: self.client,
            body: MgmtUserEmailUpdateRequest {
                login_id: login_id.into(),
                email: email.into(),
                ..MgmtUserEmailUpdateRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Changes the phone (`POST /v1/mgmt/user/update/phone`); an empty phone removes it.
    pub fn update_phone(
        &self,
        login_id: impl Into<String>,
        phone: impl Into<String>,
    ) -> UpdateUserPhone<'a> {
        UpdateUserPhone {
            client: self.client,
            body: MgmtUserPhoneUpdateRequest {
                login_id: login_id.into(),
                phone: phone.into(),
                ..MgmtUserPhoneUpdateRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Changes the display name (`POST /v1/mgmt/user/update/name`); the given, middle and
    /// family names change too when set on the call.
    pub fn update_display_name(
        &self,
        login_id: impl Into<String>,
        name: impl Into<String>,
    ) -> UpdateUserName<'a> {
        UpdateUserName {
            client: self.client,
            body: MgmtUserNameUpdateRequest {
                login_id: login_id.into(),
                display_name: Some(name.into()),
                ..MgmtUserNameUpdateRequest::default()
            },
            call: CallOptions::new(),
        }
    }

    /// Changes the picture URL (`POST /v1/mgmt/user/update/picture`).
    pub fn update_picture(
        &self,
        login_id: impl Into<String>,
        url: impl Into<String>,
    ) -> UpdateUserPicture<'a> {
        UpdateUserPicture {
            client: self.client,
            body: MgmtUserPictureUpdateRequest {
                login_id: login_id.into(),
                picture: url.into(),
            },
            call: CallOptions::new(),
        }
    }

    /// Sets one custom attribute, keeping the others
    /// (`POST /v1/mgmt/user/update/customAttribute`).
    pub fn update_custom_attribute(
        &self,
        login_id: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<Value>,
    ) -> UpdateUserCustomAttribute<'a> {
        UpdateUserCustomAttribute {
            client: self.client,
            body: MgmtUserCustomAttributeRequest {
                login_id: login_id.into(),
                attribute_key: key.into(),
                attribute_value: value.into(),
            },
            call: CallOptions::new(),
        }
    }

    /// Sets a temporary password (`POST /v1/mgmt/user/password/set/temporary`): password
    /// sign-in with it fails with [`ErrorCode::PasswordExpired`](descope_types::ErrorCode)
    /// until the user replaces it ([`Passwords::replace`](crate::Passwords::replace)).
    pub fn set_temporary_password(
        &self,
        login_id: impl Into<String>,
        password: &Password,
    ) -> SetUserPassword<'a> {
        self.password(
            "/v1/mgmt/user/password/set/temporary",
            login_id,
            password,
            false,
        )
    }

    /// Sets the password the user signs in with (`POST /v1/mgmt/user/password/set/active`).
    pub fn set_active_password(
        &self,
        login_id: impl Into<String>,
        password: &Password,
    ) -> SetUserPassword<'a> {
        self.password(
            "/v1/mgmt/user/password/set/active",
            login_id,
            password,
            true,
        )
    }

    /// Sets a temporary password through the older `POST /v1/mgmt/user/password/set`.
    #[deprecated(note = "use set_temporary_password or set_active_password")]
    pub fn set_password(
        &self,
        login_id: impl Into<String>,
        password: &Password,
    ) -> SetUserPassword<'a> {
        self.password("/v1/mgmt/user/password/set", login_id, password, false)
    }

    fn password(
        &self,
        path: &'static str,
        login_id: impl Into<String>,
        password: &Password,
        active: bool,
    ) -> SetUserPassword<'a> {
        SetUserPassword {
            client: self.client,
            path,
            body: MgmtUserSetPasswordRequest {
                login_id: login_id.into(),
                password: password.clone(),
                set_active: active,
            },
            call: CallOptions::new(),
        }
    }

    /// Expires the password (`POST /v1/mgmt/user/password/expire`): password sign-in then
    /// fails with [`ErrorCode::PasswordExpired`](descope_types::ErrorCode) until the user
    /// replaces or resets it.
    pub fn expire_password(&self, login_id: impl Into<String>) -> UserCredentialChange<'a> {
        self.credential("/v1/mgmt/user/password/expire", login_id.into())
    }

    /// Removes every passkey of the user (`POST /v1/mgmt/user/passkeys/delete`).
    pub fn remove_all_passkeys(&self, login_id: impl Into<String>) -> UserCredentialChange<'a> {
        self.credential("/v1/mgmt/user/passkeys/delete", login_id.into())
    }

    /// Removes the user's TOTP seed (`POST /v1/mgmt/user/totp/delete`): TOTP sign-in fails
    /// until the user enrols again.
    pub fn remove_totp_seed(&self, login_id: impl Into<String>) -> UserCredentialChange<'a> {
        self.credential("/v1/mgmt/user/totp/delete", login_id.into())
    }

    fn credential(&self, path: &'static str, login_id: String) -> UserCredentialChange<'a> {
        UserCredentialChange {
            client: self.client,
            path,
            body: MgmtUserLoginIdRequest { login_id },
            call: CallOptions::new(),
        }
    }

    /// Signs the user out everywhere (`POST /v1/mgmt/user/logout`): every refresh token of
    /// the user stops working.
    pub fn logout_user(&self, login_id: impl Into<String>) -> LogoutUser<'a> {
        LogoutUser {
            client: self.client,
            body: MgmtUserLogoutRequest {
                login_id: Some(login_id.into()),
                user_id: None,
            },
            call: CallOptions::new(),
        }
    }

    /// Like [`logout_user`](Self::logout_user), naming the user by user id.
    pub fn logout_user_by_user_id(&self, user_id: impl Into<String>) -> LogoutUser<'a> {
        LogoutUser {
            client: self.client,
            body: MgmtUserLogoutRequest {
                login_id: None,
                user_id: Some(user_id.into()),
            },
            call: CallOptions::new(),
        }
    }

    /// Loads several users by user id (`POST /v1/mgmt/users/load`); ids of no user are left
    /// out of the answer, and so are disabled users unless
    /// [`include_invalid`](LoadUsers::include_invalid).
    pub fn load_users(
        &self,
        user_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> LoadUsers<'a> {
        LoadUsers {
            client: self.client,
            body: MgmtUsersLoadRequest {
                user_ids: strings(user_ids),
                include_invalid_users: false,
            },
            call: CallOptions::new(),
        }
    }
}

/// A call that changes one thing of a user and answers the user as it now is.
macro_rules! user_update {
    ($(#[$doc:meta])* $name:ident, $body:ty, $path:literal, |$this:ident| $check:block) => {
        $(#[$doc])*
        #[derive(Debug)]
        #[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
        pub struct $name<'a> {
            client: &'a Client,
            body: $body,
            call: CallOptions,
        }

        impl $name<'_> {
            /// Sends the call; returns the user as it now is.
            pub async fn send(self) -> Result<UserResponse, Error> {
                require(&self.body.login_id, Argument::LoginId)?;
                let $this = &self;
                $check
                user_call(self.client, &self.call, Method::POST, $path, &self.body).await
            }
        }

        operation!($name => UserResponse);
    };
}

user_update!(
    /// Changing a login id: [`Users::update_login_id`].
    UpdateUserLoginId, MgmtUserLoginIdUpdateRequest, "/v1/mgmt/user/update/loginid", |_this| {}
);
user_update!(
    /// Changing the email: [`Users::update_email`].
    UpdateUserEmail, MgmtUserEmailUpdateRequest, "/v1/mgmt/user/update/email", |_this| {}
);
user_update!(
    /// Changing the phone: [`Users::update_phone`].
    UpdateUserPhone, MgmtUserPhoneUpdateRequest, "/v1/mgmt/user/update/phone", |_this| {}
);
user_update!(
    /// Changing the names: [`Users::update_display_name`].
    UpdateUserName, MgmtUserNameUpdateRequest, "/v1/mgmt/user/update/name", |_this| {}
);
user_update!(
    /// Changing the picture: [`Users::update_picture`].
    UpdateUserPicture, MgmtUserPictureUpdateRequest, "/v1/mgmt/user/update/picture", |_this| {}
);
user_update!(
    /// Setting a custom attribute: [`Users::update_custom_attribute`].
    UpdateUserCustomAttribute,
    MgmtUserCustomAttributeRequest,
    "/v1/mgmt/user/update/customAttribute",
    |this| {
        require(&this.body.attribute_key, Argument::AttributeKey)?;
    }
);

/// Setters of the verified flag and the conflict rule of an email or phone update.
macro_rules! address_setters {
    ($name:ident) => {
        impl $name<'_> {
            /// Marks the new address verified (`false` by default).
            pub fn verified(mut self, verified: bool) -> Self {
                self.body.verified = verified;
                self
            }

            /// Refuses the change (`true`) when another user already has the address.
            pub fn fail_on_conflict(mut self, fail: bool) -> Self {
                self.body.fail_on_conflict = Some(fail);
                self
            }
        }
    };
}

address_setters!(UpdateUserEmail);
address_setters!(UpdateUserPhone);

impl UpdateUserName<'_> {
    /// Given name.
    pub fn given_name(mut self, name: impl Into<String>) -> Self {
        self.body.given_name = Some(name.into());
        self
    }

    /// Middle name.
    pub fn middle_name(mut self, name: impl Into<String>) -> Self {
        self.body.middle_name = Some(name.into());
        self
    }

    /// Family name.
    pub fn family_name(mut self, name: impl Into<String>) -> Self {
        self.body.family_name = Some(name.into());
        self
    }
}

/// Setting a password: [`Users::set_temporary_password`], [`Users::set_active_password`].
/// `Debug` redacts the password.
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct SetUserPassword<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserSetPasswordRequest,
    call: CallOptions,
}

impl SetUserPassword<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        require(self.body.password.secret(), Argument::Password)?;
        void_post(self.client, &self.call, self.path, &self.body).await
    }
}

operation!(SetUserPassword => ());

/// Expiring the password, removing the passkeys or the TOTP seed:
/// [`Users::expire_password`], [`Users::remove_all_passkeys`], [`Users::remove_totp_seed`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct UserCredentialChange<'a> {
    client: &'a Client,
    path: &'static str,
    body: MgmtUserLoginIdRequest,
    call: CallOptions,
}

impl UserCredentialChange<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.login_id, Argument::LoginId)?;
        void_post(self.client, &self.call, self.path, &self.body).await
    }
}

operation!(UserCredentialChange => ());

/// Signing a user out everywhere: [`Users::logout_user`], [`Users::logout_user_by_user_id`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LogoutUser<'a> {
    client: &'a Client,
    body: MgmtUserLogoutRequest,
    call: CallOptions,
}

impl LogoutUser<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        if let Some(login_id) = &self.body.login_id {
            require(login_id, Argument::LoginId)?;
        }
        if let Some(user_id) = &self.body.user_id {
            require(user_id, Argument::UserId)?;
        }
        void_post(self.client, &self.call, "/v1/mgmt/user/logout", &self.body).await
    }
}

operation!(LogoutUser => ());

/// Loading several users: [`Users::load_users`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadUsers<'a> {
    client: &'a Client,
    body: MgmtUsersLoadRequest,
    call: CallOptions,
}

impl LoadUsers<'_> {
    /// Includes disabled users (`includeInvalidUsers`).
    pub fn include_invalid(mut self, include: bool) -> Self {
        self.body.include_invalid_users = include;
        self
    }

    /// Sends the call: the users found, in the order Descope answers.
    pub async fn send(self) -> Result<Vec<UserResponse>, Error> {
        if self.body.user_ids.iter().any(|id| id.trim().is_empty()) {
            return Err(Error::empty(Argument::UserId));
        }
        let response: MgmtUserSearchResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::post("/v1/mgmt/users/load", bearer, &self.body)?.excerpt_allowed())
            })
            .await?;
        Ok(response.users)
    }
}

operation!(LoadUsers => Vec<UserResponse>);
