use crate::error::AppError;
use crate::ids::PostId;
use leptos::prelude::*;

/// Deletes one of the signed-in user's posts, and its photos' files after
/// the commit.
///
/// # Errors
/// `Unauthorized` when signed out; `Forbidden` for someone else's post;
/// `NotFound`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "delete_post")]
pub async fn delete_post(post_id: PostId) -> Result<(), AppError> {
    use crate::{auth, services::posts, state::app_state};
    let user = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    let state = app_state()?;
    let txn = crate::db::begin_write(&state.db).await?;
    posts::delete_post(&txn, &state.hub, user, post_id).await?;
    txn.commit().await?;
    state.empty_media_trash().await;
    Ok(())
}
