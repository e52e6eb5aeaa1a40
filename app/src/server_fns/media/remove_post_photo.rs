use crate::error::AppError;
use crate::models::PostView;
use leptos::prelude::*;

/// Removes photo `id` from one of the signed-in user's posts; answers the
/// post as it is now.
///
/// # Errors
/// `Unauthorized`; `NotFound` / `Forbidden` as for posts; `Validation` on
/// `photos` for the last photo of a post without text.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "remove_post_photo")]
pub async fn remove_post_photo(id: String) -> Result<PostView, AppError> {
    use crate::{auth, services::media, services::posts, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    let state = app_state()?;
    let txn = crate::db::begin_write(&state.db).await?;
    let post = media::remove_post_photo(&txn, me, &id).await?;
    txn.commit().await?;
    state.empty_media_trash().await;
    posts::announce_updated(&state.db, &state.hub, me, post).await?;
    posts::get_post(&state.db, me, post).await
}
