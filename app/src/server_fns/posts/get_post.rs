use crate::error::AppError;
use crate::ids::PostId;
use crate::models::PostView;
use leptos::prelude::*;

/// One post, for its permalink page and for live updates.
///
/// # Errors
/// `Unauthorized` when signed out; `NotFound`, also for a post the user
/// may not see.
#[server(endpoint = "get_post")]
pub async fn get_post(post_id: PostId) -> Result<PostView, AppError> {
    use crate::{auth, services::posts, state::app_state};
    let user = auth::require_user().await?;
    posts::get_post(&app_state()?.db, user, post_id).await
}
