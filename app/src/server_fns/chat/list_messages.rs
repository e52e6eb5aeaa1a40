use crate::error::AppError;
use crate::ids::{ConversationId, MessageId};
use crate::models::MessagesPage;
use leptos::prelude::*;

/// A page of 30 messages before `before` (the newest when `None`), oldest first.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless a member.
#[server(endpoint = "list_messages")]
pub async fn list_messages(
    conversation_id: ConversationId,
    before: Option<MessageId>,
) -> Result<MessagesPage, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    chat::list_messages(&state.db, me, conversation_id, before).await
}
