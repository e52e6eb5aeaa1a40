use crate::error::AppError;
use leptos::prelude::*;

/// Sets the signed-in user's display name (1–60 chars) and bio (≤ 300).
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `display_name` or `bio`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "update_profile")]
pub async fn update_profile(display_name: String, bio: String) -> Result<(), AppError> {
    use crate::{auth, services::profiles, state::app_state};
    let user = auth::require_user_for(crate::services::limits::Action::Profile).await?;
    profiles::update_profile(&app_state()?.db, user, &display_name, &bio).await
}
