use crate::error::AppError;
use crate::models::{MediaPurpose, Photo};
use leptos::prelude::*;

/// Makes an upload the signed-in user's avatar or cover (`purpose` is
/// `Avatar` or `Cover`, `id` from `POST /api/media?purpose=avatar|cover`);
/// the one it replaces is deleted.
///
/// # Errors
/// `Unauthorized`; `Validation` on `photo` unless `id` is the user's own
/// upload for that purpose.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "set_profile_photo")]
pub async fn set_profile_photo(purpose: MediaPurpose, id: String) -> Result<Photo, AppError> {
    use crate::{auth, services::media, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Profile).await?;
    let state = app_state()?;
    let txn = crate::db::begin_write(&state.db).await?;
    let photo = media::set_profile_photo(&txn, me, purpose, &id).await?;
    txn.commit().await?;
    state.empty_media_trash().await;
    Ok(photo)
}
