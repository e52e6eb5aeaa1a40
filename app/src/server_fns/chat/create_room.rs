use crate::error::AppError;
use crate::ids::ConversationId;
use leptos::prelude::*;

/// Creates a public room, listed in the directory, with you as admin.
///
/// # Errors
/// `Unauthorized`; `Validation` on `name`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "create_room")]
pub async fn create_room(name: String) -> Result<ConversationId, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::GroupChange).await?;
    let state = app_state()?;
    chat::create_room(&state.db, &state.hub, me, &name).await
}
