use crate::error::AppError;
use crate::ids::NotificationId;
use leptos::prelude::*;

/// Deletes one of your notifications.
///
/// # Errors
/// `Unauthorized`; `NotFound` unless yours.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "delete_notification")]
pub async fn delete_notification(notification_id: NotificationId) -> Result<(), AppError> {
    use crate::{auth, services::notifications, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    let state = app_state()?;
    notifications::delete(&state.db, &state.hub, me, notification_id).await
}
