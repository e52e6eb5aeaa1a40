use crate::error::AppError;
use crate::ids::{ConversationId, UserId};
use leptos::prelude::*;

/// Removes a member from a group or room you administer.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Forbidden` unless admin.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "remove_group_member")]
pub async fn remove_group_member(
    conversation_id: ConversationId,
    user_id: UserId,
) -> Result<(), AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::remove_member(&state.db, &state.hub, me, conversation_id, user_id).await
}
