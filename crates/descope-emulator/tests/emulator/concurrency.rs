//! 1,000 concurrent sign-ins of distinct users lose nothing.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_sign_ins() {
    let env = std::sync::Arc::new(start().await);
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let env = std::sync::Arc::clone(&env);
            tokio::spawn(async move {
                let login = format!("user{i}@load.test");
                let jwt = env.oauth_sign_in(&login).await;
                assert_eq!(jwt["user"]["loginIds"][0], login.as_str());
                assert_eq!(jwt["firstSeen"], true);
                (login, jwt)
            })
        })
        .collect();
    let mut subjects = HashSet::new();
    let mut refresh_tokens = HashSet::new();
    for task in tasks {
        let (_, jwt) = task.await.unwrap();
        let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(str_of(&jwt, "sessionJwt"))
            .unwrap()
            .claims;
        subjects.insert(claims["sub"].as_str().unwrap().to_owned());
        refresh_tokens.insert(str_of(&jwt, "refreshJwt").to_owned());
    }
    assert_eq!(subjects.len(), 1000);
    assert_eq!(refresh_tokens.len(), 1000);

    let (_, users) = env.get("/emulator/users", None).await;
    let users = users["users"].as_array().unwrap();
    let loaded: HashSet<&str> = users
        .iter()
        .filter_map(|u| u["email"].as_str())
        .filter(|e| e.ends_with("@load.test"))
        .collect();
    assert_eq!(loaded.len(), 1000);
    // Every session is live: spot-check a few refreshes and one token's signature.
    for token in refresh_tokens.iter().take(5) {
        let (status, _) = env.post("/v1/auth/refresh", Some(token), json!({})).await;
        assert_eq!(status, 200);
    }
    let sample = refresh_tokens.iter().next().unwrap();
    env.verify(sample).await;
}
