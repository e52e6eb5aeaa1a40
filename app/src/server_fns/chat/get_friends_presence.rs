use crate::error::AppError;
use crate::models::FriendPresence;
use leptos::prelude::*;

/// Online state and last-seen time of your friends who show theirs.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "get_friends_presence")]
pub async fn get_friends_presence() -> Result<Vec<FriendPresence>, AppError> {
    use crate::{auth, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    state.presence.friends_presence(&state.db, me).await
}
