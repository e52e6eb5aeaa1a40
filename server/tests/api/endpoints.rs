//! Server functions answer at stable, readable URLs (`/api/<function>`),
//! never at the macro's default `/api/<function><hash of the crate's
//! folder>`: a browser build and a server build from different folders
//! (two clones sharing one build cache) must still agree.

use crate::helpers::{TestUser, spawn_app};
use app::server_fns::auth::{GetCurrentUser, LogIn};
use leptos::server_fn::ServerFn as _;

/// Every registered server function path: `/api/` and a snake_case name
/// without digits (the default hash is a run of decimal digits appended
/// to the function's name).
#[test]
fn every_server_function_has_a_stable_readable_path() {
    let mut paths: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _method)| path)
        .collect();
    paths.sort_unstable();
    assert!(
        paths.len() >= 80,
        "expected every server function registered, found {}: {paths:?}",
        paths.len()
    );
    let hashed: Vec<&&str> = paths
        .iter()
        .filter(|p| {
            let Some(name) = p.strip_prefix("/api/") else {
                return true;
            };
            name.is_empty()
                || name.starts_with('_')
                || name.ends_with('_')
                || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
        .collect();
    assert!(
        hashed.is_empty(),
        "paths not of the form /api/<name>: {hashed:?}"
    );
    let mut unique = paths.clone();
    unique.dedup();
    assert_eq!(
        unique.len(),
        paths.len(),
        "two server functions share a path"
    );
    assert_eq!(LogIn::PATH, "/api/log_in");
    assert_eq!(GetCurrentUser::PATH, "/api/get_current_user");
}

/// The router serves them there: a log-in POSTed to the literal URL works,
/// and the old hashed form of the URL is not found.
#[tokio::test]
async fn the_router_answers_at_the_stable_paths() {
    let app = spawn_app().await;
    let user = TestUser::new("stablepath");
    app.sign_up(&user).await.expect("sign-up");

    let client = crate::helpers::new_client();
    let form = [
        ("login", user.username.as_str()),
        ("password", user.password.as_str()),
    ];
    let resp = client
        .post(app.url("/api/log_in"))
        .form(&form)
        .send()
        .await
        .expect("request");
    assert!(
        resp.status().is_success(),
        "log-in at /api/log_in: {}",
        resp.status()
    );
    let me = app.me(&client).await;
    assert_eq!(me.username, user.username);

    let hashed = client
        .post(app.url("/api/log_in6680136431436932441"))
        .form(&form)
        .send()
        .await
        .expect("request");
    assert_eq!(hashed.status(), reqwest::StatusCode::NOT_FOUND);
}
