use crate::error::AppError;
use crate::ids::{ConversationId, UserId};
use leptos::prelude::*;

/// Opens (or finds) your one-to-one conversation with a friend.
///
/// # Errors
/// `Unauthorized`; `Forbidden` unless friends (and no block); `Validation` for yourself.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "open_direct_conversation")]
pub async fn open_direct_conversation(user_id: UserId) -> Result<ConversationId, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::open_direct(&state.db, me, user_id).await
}
