use crate::error::AppError;
use crate::ids::MessageId;
use crate::models::MessageView;
use leptos::prelude::*;

/// Replaces the text of one of your messages (shown as edited).
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Forbidden` for someone else's; `Validation` on `body`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "edit_message")]
pub async fn edit_message(message_id: MessageId, body: String) -> Result<MessageView, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    let state = app_state()?;
    chat::edit_message(&state.db, &state.hub, me, message_id, &body).await
}
