use crate::error::AppError;
use crate::ids::ConversationId;
use leptos::prelude::*;

/// Leaves a group or room.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless a member; `Forbidden` for one-to-one chats.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "leave_conversation")]
pub async fn leave_conversation(conversation_id: ConversationId) -> Result<(), AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::leave(&state.db, &state.hub, me, conversation_id).await
}
