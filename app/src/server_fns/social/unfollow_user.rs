use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Stops following `user_id`.
///
/// # Errors
/// `Unauthorized`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "unfollow_user")]
pub async fn unfollow_user(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    social::unfollow(&app_state()?.db, me, user_id).await
}
