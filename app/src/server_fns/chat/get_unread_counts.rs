use crate::error::AppError;
use crate::models::UnreadCounts;
use leptos::prelude::*;

/// The top bar badges: unread messages and notifications.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "get_unread_counts")]
pub async fn get_unread_counts() -> Result<UnreadCounts, AppError> {
    use crate::{auth, services::chat, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    chat::unread_counts(&state.db, me).await
}
