use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Declines `user_id`'s pending request (they may ask again after 30 days).
///
/// # Errors
/// `Unauthorized`; `Conflict` when `user_id` sent no pending request.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "decline_friend_request")]
pub async fn decline_friend_request(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    let state = app_state()?;
    social::decline_request(&state.db, &state.hub, me, user_id).await
}
