//! The management key and the license handshake.

use descope_flows::{Client, ErrorKind};
use descope_transport::CapturingTransport;
use descope_types::ManagementKey;
use serde_json::json;

use crate::common::PROJECT_ID;
use crate::{MANAGEMENT_KEY, canned, recording_client, recording_client_with};

#[tokio::test]
async fn no_key_is_a_configuration_error_before_any_request() {
    let transport = CapturingTransport::new(|_| panic!("nothing may be sent"));
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport.clone())
        .build()
        .unwrap();
    let error = client.management().users().load("ada").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(!error.is_management_key_rejected());
    assert!(error.to_string().contains("management key"), "{error}");
    assert!(!error.may_have_been_sent());
    assert!(transport.requests().is_empty());

    // A blank key (an empty DESCOPE_MANAGEMENT_KEY) counts as none.
    let client = Client::builder(PROJECT_ID)
        .base_url("http://127.0.0.1:9")
        .transport(transport.clone())
        .management_key(ManagementKey::new("  "))
        .build()
        .unwrap();
    let error = client.management().users().load("ada").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(transport.requests().is_empty());
}

#[tokio::test]
async fn a_refused_key_is_told_apart_and_never_printed() {
    let (client, _) = recording_client_with(|path| match path {
        "/v1/mgmt/license" => canned(path),
        _ => (
            401,
            json!({"errorCode": "E011004", "errorDescription": "Unauthorized"}),
        ),
    });
    let error = client.management().users().load("ada").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status(), Some(401));
    assert!(error.is_management_key_rejected());
    let text = format!("{error} {error:?} {client:?}");
    assert!(text.contains("management key was rejected"), "{text}");
    assert!(!text.contains(MANAGEMENT_KEY), "{text}");

    // Any other error is not about the key.
    let (client, _) = recording_client_with(|path| match path {
        "/v1/mgmt/license" => canned(path),
        _ => (400, json!({"errorCode": "E112102"})),
    });
    let error = client.management().users().load("ada").await.unwrap_err();
    assert!(!error.is_management_key_rejected());
}

#[tokio::test]
async fn the_license_is_fetched_once_and_sent_on_management_calls_only() {
    let (client, transport) = recording_client();
    let users = client.management().users();
    users.load("ada").await.unwrap();
    users.load("grace").await.unwrap();
    let requests = transport.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.uri.path()).collect();
    assert_eq!(
        paths,
        ["/v1/mgmt/license", "/v1/mgmt/user", "/v1/mgmt/user"]
    );
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {PROJECT_ID}:{MANAGEMENT_KEY}").as_str())
        );
    }
    assert_eq!(requests[1].header("x-descope-license"), Some("tier4"));

    // Authentication calls of the same client never carry the key or the license.
    transport.take_requests();
    let _ = client
        .me(&descope_types::RefreshToken::new("not-a-jwt"))
        .await;
    let request = transport.last_request().unwrap();
    assert!(request.header("x-descope-license").is_none());
    assert!(
        !request
            .header("authorization")
            .unwrap()
            .contains(MANAGEMENT_KEY)
    );
}

#[tokio::test]
async fn a_failed_handshake_is_tolerated_and_not_repeated() {
    let (client, transport) = recording_client_with(|path| match path {
        "/v1/mgmt/license" => (503, json!({})),
        _ => canned(path),
    });
    let users = client.management().users();
    users.load("ada").retries(false).await.unwrap();
    users.load("ada").await.unwrap();
    let requests = transport.requests();
    let licenses = requests
        .iter()
        .filter(|r| r.uri.path() == "/v1/mgmt/license")
        .count();
    assert_eq!(licenses, 1);
    let call = requests.last().unwrap();
    assert_eq!(call.uri.path(), "/v1/mgmt/user");
    assert!(call.header("x-descope-license").is_none());
}

#[test]
fn the_client_builder_reads_the_key_from_the_environment_shape() {
    // A key with a colon would change the bearer's meaning: refused at build.
    let error = Client::builder(PROJECT_ID)
        .management_key(ManagementKey::new("K2:bad"))
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(!error.to_string().contains("K2:bad"));
}
