use crate::error::AppError;
use crate::models::Photo;
use leptos::prelude::*;

/// Sets the alt text (at most 500 characters) of photo `id` on one of the
/// signed-in user's posts.
///
/// # Errors
/// `Unauthorized`; `NotFound` / `Forbidden` as for posts; `Validation` on
/// `alt`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "update_photo_alt")]
pub async fn update_photo_alt(id: String, alt: String) -> Result<Photo, AppError> {
    use crate::{auth, services::media, services::posts, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Profile).await?;
    let state = app_state()?;
    let (post, photo) = media::update_alt(&state.db, me, &id, &alt).await?;
    posts::announce_updated(&state.db, &state.hub, me, post).await?;
    Ok(photo)
}
