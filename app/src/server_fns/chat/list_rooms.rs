use crate::error::AppError;
use crate::models::RoomCard;
use leptos::prelude::*;

/// The public rooms directory, most recently active first.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "list_rooms")]
pub async fn list_rooms() -> Result<Vec<RoomCard>, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    chat::list_rooms(&state.db, me).await
}
