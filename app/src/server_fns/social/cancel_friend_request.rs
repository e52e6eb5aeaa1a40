use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Withdraws the signed-in user's pending request to `user_id`.
///
/// # Errors
/// `Unauthorized`; `Conflict` when there is no such request.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "cancel_friend_request")]
pub async fn cancel_friend_request(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    social::cancel_request(&app_state()?.db, me, user_id).await
}
