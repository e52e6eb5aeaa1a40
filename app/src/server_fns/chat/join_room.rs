use crate::error::AppError;
use crate::ids::ConversationId;
use leptos::prelude::*;

/// Joins a public room.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless it is a room.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "join_room")]
pub async fn join_room(conversation_id: ConversationId) -> Result<(), AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::join_room(&state.db, &state.hub, me, conversation_id).await
}
