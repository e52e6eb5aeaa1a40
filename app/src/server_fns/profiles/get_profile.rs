use crate::error::AppError;
use crate::models::ProfileView;
use leptos::prelude::*;

/// The profile of `username` (any case).
///
/// # Errors
/// `Unauthorized` when signed out; `NotFound` for an unknown username.
#[server(endpoint = "get_profile")]
pub async fn get_profile(username: String) -> Result<ProfileView, AppError> {
    use crate::{auth, services::profiles, state::app_state};
    let viewer = auth::require_user().await?;
    profiles::get_profile(&app_state()?.db, &username, Some(viewer)).await
}
