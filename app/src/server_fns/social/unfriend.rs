use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Ends the friendship with `user_id` and both follows.
///
/// # Errors
/// `Unauthorized`; `Conflict` when not friends.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "unfriend")]
pub async fn unfriend(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    social::unfriend(&app_state()?.db, me, user_id).await
}
