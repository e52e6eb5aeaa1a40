use crate::error::AppError;
use crate::ids::NotificationId;
use leptos::prelude::*;

/// Marks one of your notifications read.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless yours.
#[server(endpoint = "mark_notification_read")]
pub async fn mark_notification_read(notification_id: NotificationId) -> Result<(), AppError> {
    use crate::{auth, services::notifications, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    notifications::mark_read(&state.db, &state.hub, me, Some(notification_id)).await
}
