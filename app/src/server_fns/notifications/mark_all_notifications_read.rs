use crate::error::AppError;
use leptos::prelude::*;

/// Marks all your notifications read.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "mark_all_notifications_read")]
pub async fn mark_all_notifications_read() -> Result<(), AppError> {
    use crate::{auth, services::notifications, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    notifications::mark_read(&state.db, &state.hub, me, None).await
}
