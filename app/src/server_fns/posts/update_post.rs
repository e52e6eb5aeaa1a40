use crate::error::AppError;
use crate::ids::PostId;
use crate::models::PostView;
use leptos::prelude::*;

/// Replaces the text and visibility of one of the signed-in user's posts.
///
/// # Errors
/// `Unauthorized` when signed out; `Forbidden` for someone else's post the
/// user can see, `NotFound` for one they can't; `Validation` on `body` or
/// `visibility`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "update_post")]
pub async fn update_post(
    post_id: PostId,
    body: String,
    visibility: String,
) -> Result<PostView, AppError> {
    use crate::{auth, services::posts, state::app_state};
    let user = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    let state = app_state()?;
    posts::update_post(&state.db, &state.hub, user, post_id, &body, &visibility).await
}
