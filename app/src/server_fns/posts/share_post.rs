use crate::error::AppError;
use crate::ids::PostId;
use crate::models::PostView;
use leptos::prelude::*;

/// Shares `post_id` (or the post it shares) with optional text; Friends-only originals can't be shared publicly.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Validation` on `body` or `visibility`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "share_post")]
pub async fn share_post(
    post_id: PostId,
    body: String,
    visibility: String,
) -> Result<PostView, AppError> {
    use crate::{auth, services::posts, state::app_state};
    let me = auth::require_confirmed_user(crate::services::limits::Action::Share).await?;
    {
        let state = app_state()?;
        posts::share_post(&state.db, &state.hub, me, post_id, &body, &visibility).await
    }
}
