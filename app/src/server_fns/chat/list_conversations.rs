use crate::error::AppError;
use crate::models::ConversationSummary;
use leptos::prelude::*;

/// The signed-in user's conversations (the mailbox), most recently active first, with last message and unread count.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "list_conversations")]
pub async fn list_conversations() -> Result<Vec<ConversationSummary>, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    chat::mailbox(&state.db, me).await
}
