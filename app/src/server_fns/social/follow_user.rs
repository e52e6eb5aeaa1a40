use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Follows `user_id`.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Conflict` for yourself or a person you blocked.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "follow_user")]
pub async fn follow_user(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    social::follow(&app_state()?.db, me, user_id).await
}
