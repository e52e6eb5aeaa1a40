use crate::error::AppError;
use crate::models::PostView;
use leptos::prelude::*;

/// Publishes a text post (1–5,000 characters) by the signed-in user.
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `body`.
#[server]
pub async fn create_post(body: String) -> Result<PostView, AppError> {
    use crate::{auth, services::posts, state::app_state};
    let user = auth::require_user().await?;
    let state = app_state()?;
    posts::create_post(&state.db, &state.hub, user, &body).await
}
