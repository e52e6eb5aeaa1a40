use crate::error::AppError;
use crate::ids::UserId;
use crate::models::FriendState;
use leptos::prelude::*;

/// Sends `user_id` a friend request (or accepts theirs); returns the new state.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Conflict` for yourself, a blocked person, friends already, a request already sent or within 30 days of a declined one.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "send_friend_request")]
pub async fn send_friend_request(user_id: UserId) -> Result<FriendState, AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_confirmed_user(crate::services::limits::Action::FriendRequest).await?;
    {
        let state = app_state()?;
        social::send_request(&state.db, &state.hub, me, user_id).await
    }
}
