use crate::error::AppError;
use crate::ids::ConversationId;
use crate::models::{MessageView, PhotoInput};
use leptos::prelude::*;

/// Sends a message, optionally with a photo (an id from
/// `POST /api/media?purpose=message`); answers once it is stored. Every
/// member's open tabs get it live.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless a member; `Forbidden` in a one-to-one chat with someone no longer a friend; `Validation` on `body` (1–4,000 characters, or 0–4,000 with a photo) or `photos`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "send_message")]
pub async fn send_message(
    conversation_id: ConversationId,
    body: String,
    #[server(default)] photo: Option<PhotoInput>,
) -> Result<MessageView, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_confirmed_user(crate::services::limits::Action::Message).await?;
    let state = app_state()?;
    chat::send_message(
        &state.db,
        &state.hub,
        me,
        conversation_id,
        &body,
        photo.as_ref(),
    )
    .await
}
