use crate::error::AppError;
use crate::ids::MessageId;
use crate::models::MessageView;
use leptos::prelude::*;

/// Deletes one of your messages (members see "This message was deleted").
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Forbidden` for someone else's.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "delete_message")]
pub async fn delete_message(message_id: MessageId) -> Result<MessageView, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    let state = app_state()?;
    let view = chat::delete_message(&state.db, &state.hub, me, message_id).await?;
    state.empty_media_trash().await;
    Ok(view)
}
