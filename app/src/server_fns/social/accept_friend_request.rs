use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Accepts `user_id`'s pending request: friends, following each other.
///
/// # Errors
/// `Unauthorized`; `Conflict` when `user_id` sent no pending request (accepting your own included).
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "accept_friend_request")]
pub async fn accept_friend_request(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    {
        let state = app_state()?;
        social::accept_request(&state.db, &state.hub, me, user_id).await
    }
}
