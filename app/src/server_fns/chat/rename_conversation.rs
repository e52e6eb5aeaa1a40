use crate::error::AppError;
use crate::ids::ConversationId;
use leptos::prelude::*;

/// Renames a group or room you administer.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Forbidden` unless admin; `Validation` on `name`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "rename_conversation")]
pub async fn rename_conversation(
    conversation_id: ConversationId,
    name: String,
) -> Result<(), AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::rename(&state.db, &state.hub, me, conversation_id, &name).await
}
