//! Permissions: `client.management().permissions()`.

use descope_types::{
    MgmtPermissionDeleteRequest, MgmtPermissionRequest, MgmtPermissionsResponse, PermissionResponse,
};

use super::void_post;
use crate::call::{CallOptions, operation};
use crate::client::Client;
use crate::error::{Argument, Error};
use crate::pipeline::{Request, require};

/// The permission management calls; see
/// [`Management::permissions`](super::Management::permissions).
#[derive(Debug, Clone, Copy)]
pub struct Permissions<'a> {
    client: &'a Client,
}

impl<'a> Permissions<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Creates a permission (`POST /v1/mgmt/permission/create`).
    pub fn create(&self, name: impl Into<String>) -> PermissionChange<'a> {
        PermissionChange {
            client: self.client,
            body: MgmtPermissionRequest {
                name: name.into(),
                ..MgmtPermissionRequest::default()
            },
            path: "/v1/mgmt/permission/create",
            call: CallOptions::new(),
        }
    }

    /// Renames a permission to `new_name` (the same name keeps it) and sets its description
    /// (`POST /v1/mgmt/permission/update`); roles granting it keep granting it.
    pub fn update(
        &self,
        name: impl Into<String>,
        new_name: impl Into<String>,
    ) -> PermissionChange<'a> {
        PermissionChange {
            client: self.client,
            body: MgmtPermissionRequest {
                name: name.into(),
                new_name: Some(new_name.into()),
                description: None,
            },
            path: "/v1/mgmt/permission/update",
            call: CallOptions::new(),
        }
    }

    /// Deletes a permission (`POST /v1/mgmt/permission/delete`): roles stop granting it.
    pub fn delete(&self, name: impl Into<String>) -> DeletePermission<'a> {
        DeletePermission {
            client: self.client,
            name: name.into(),
            call: CallOptions::new(),
        }
    }

    /// Every permission of the project (`GET /v1/mgmt/permission/all`).
    pub fn load_all(&self) -> LoadAllPermissions<'a> {
        LoadAllPermissions {
            client: self.client,
            call: CallOptions::new(),
        }
    }
}

/// Creating or updating a permission: [`Permissions::create`], [`Permissions::update`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct PermissionChange<'a> {
    client: &'a Client,
    body: MgmtPermissionRequest,
    path: &'static str,
    call: CallOptions,
}

impl PermissionChange<'_> {
    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.body.name, Argument::Permission)?;
        if let Some(name) = &self.body.new_name {
            require(name, Argument::Permission)?;
        }
        void_post(self.client, &self.call, self.path, &self.body).await
    }
}

operation!(PermissionChange => ());

/// Deleting a permission: [`Permissions::delete`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct DeletePermission<'a> {
    client: &'a Client,
    name: String,
    call: CallOptions,
}

impl DeletePermission<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<(), Error> {
        require(&self.name, Argument::Permission)?;
        let body = MgmtPermissionDeleteRequest { name: self.name };
        void_post(self.client, &self.call, "/v1/mgmt/permission/delete", &body).await
    }
}

operation!(DeletePermission => ());

/// Loading every permission: [`Permissions::load_all`].
#[derive(Debug)]
#[must_use = "a call does nothing until sent: `.send().await` or `.await`"]
pub struct LoadAllPermissions<'a> {
    client: &'a Client,
    call: CallOptions,
}

impl LoadAllPermissions<'_> {
    /// Sends the call.
    pub async fn send(self) -> Result<Vec<PermissionResponse>, Error> {
        let response: MgmtPermissionsResponse = self
            .client
            .management_call(&self.call, |bearer| {
                Ok(Request::get("/v1/mgmt/permission/all", bearer).excerpt_allowed())
            })
            .await?;
        Ok(response.permissions)
    }
}

operation!(LoadAllPermissions => Vec<PermissionResponse>);
