use crate::error::AppError;
use crate::ids::{ConversationId, UserId};
use leptos::prelude::*;

/// Adds friends of yours to a group you are in.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless a member; `Forbidden` unless a group; `Validation` for non-friends.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "add_group_members")]
pub async fn add_group_members(
    conversation_id: ConversationId,
    members: Vec<UserId>,
) -> Result<(), AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::add_members(&state.db, &state.hub, me, conversation_id, &members).await
}
