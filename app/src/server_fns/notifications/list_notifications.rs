use crate::error::AppError;
use crate::models::NotificationsPage;
use leptos::prelude::*;

/// A page of your notifications (20), newest activity first.
///
/// # Errors
/// `Unauthorized`; `Validation` on a malformed `cursor`.
#[server(endpoint = "list_notifications")]
pub async fn list_notifications(cursor: Option<String>) -> Result<NotificationsPage, AppError> {
    use crate::{auth, services::notifications, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    notifications::list(&state.db, me, cursor.as_deref()).await
}
