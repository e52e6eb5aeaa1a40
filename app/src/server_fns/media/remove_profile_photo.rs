use crate::error::AppError;
use crate::models::MediaPurpose;
use leptos::prelude::*;

/// Removes the signed-in user's avatar or cover; the placeholder shows
/// again.
///
/// # Errors
/// `Unauthorized`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "remove_profile_photo")]
pub async fn remove_profile_photo(purpose: MediaPurpose) -> Result<(), AppError> {
    use crate::{auth, services::media, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Profile).await?;
    let state = app_state()?;
    let txn = crate::db::begin_write(&state.db).await?;
    media::remove_profile_photo(&txn, me, purpose).await?;
    txn.commit().await?;
    state.empty_media_trash().await;
    Ok(())
}
