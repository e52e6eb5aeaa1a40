use crate::error::AppError;
use crate::ids::{ConversationId, UserId};
use leptos::prelude::*;

/// Creates a group conversation with you as admin and the friends picked.
///
/// # Errors
/// `Unauthorized`; `Validation` on `name` (1–80 characters) or `members` (at least one, friends only).
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "create_group")]
pub async fn create_group(name: String, members: Vec<UserId>) -> Result<ConversationId, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::create_group(&state.db, &state.hub, me, &name, &members).await
}
