use crate::error::AppError;
use crate::ids::{ConversationId, MessageId};
use leptos::prelude::*;

/// Marks a conversation read up to `message_id` (never backwards).
///
/// # Errors
/// `Unauthorized`; `NotFound` unless a member.
#[server(endpoint = "mark_conversation_read")]
pub async fn mark_conversation_read(
    conversation_id: ConversationId,
    message_id: MessageId,
) -> Result<(), AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    chat::mark_read(&state.db, &state.hub, me, conversation_id, message_id).await
}
