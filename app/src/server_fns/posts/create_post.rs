use crate::error::AppError;
use crate::models::PostView;
use leptos::prelude::*;

/// Publishes a text post (1–5,000 characters) by the signed-in user, seen by
/// `visibility`: `public`, `friends` (the default) or `only_me`.
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `body` or `visibility`.
#[server]
pub async fn create_post(body: String, visibility: Option<String>) -> Result<PostView, AppError> {
    use crate::{auth, services::posts, state::app_state};
    let user = auth::require_user().await?;
    let state = app_state()?;
    posts::create_post(
        &state.db,
        &state.hub,
        user,
        &body,
        visibility.as_deref().unwrap_or("friends"),
    )
    .await
}
