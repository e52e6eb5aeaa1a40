use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Unblocks `user_id`.
///
/// # Errors
/// `Unauthorized`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "unblock_user")]
pub async fn unblock_user(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    social::unblock(&app_state()?.db, me, user_id).await
}
