use crate::error::AppError;
use crate::ids::ConversationId;
use crate::models::ConversationDetail;
use leptos::prelude::*;

/// A conversation's header: title, members, the caller's role, whether they may send, and read positions (when both sides share read receipts).
///
/// # Errors
/// `Unauthorized`; `NotFound` unless a member.
#[server(endpoint = "get_conversation")]
pub async fn get_conversation(
    conversation_id: ConversationId,
) -> Result<ConversationDetail, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    chat::conversation_detail(&state.db, me, conversation_id).await
}
