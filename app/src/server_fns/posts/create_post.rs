use crate::error::AppError;
use crate::models::{PhotoInput, PostView};
use leptos::prelude::*;

/// Publishes a post by the signed-in user, seen by `visibility`: `public`,
/// `friends` (the default) or `only_me`. `body` is 1–5,000 characters, or
/// 0–5,000 with `photos`: up to 10 of the user's own uploads (ids from
/// `POST /api/media?purpose=post`) with their alt texts, in order; or
/// `video`: the id of the user's own finished, unused video upload
/// (`crate::models::video::UPLOADS_PATH`). A post with a video reaches
/// others only once the video is ready; until then only its author sees
/// it, with the processing state.
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `body`, `visibility`,
/// `photos`, `alt` or `video` (not the user's own finished upload, already
/// used, failed, or given with photos).
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "create_post")]
pub async fn create_post(
    body: String,
    visibility: Option<String>,
    #[server(default)] photos: Vec<PhotoInput>,
    #[server(default)] video: Option<String>,
) -> Result<PostView, AppError> {
    use crate::{auth, services::posts, state::app_state};
    let user = auth::require_confirmed_user(crate::services::limits::Action::Post).await?;
    let state = app_state()?;
    posts::create_post(
        &state.db,
        &state.hub,
        user,
        &body,
        visibility.as_deref().unwrap_or("friends"),
        &photos,
        video.as_deref().filter(|v| !v.is_empty()),
    )
    .await
}
