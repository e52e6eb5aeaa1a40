//! "Where you're logged in": the signed-in user's sessions, ending one of
//! them, or all but this browser's.

use crate::error::AppError;
use crate::models::SessionInfo;
use leptos::prelude::*;

/// The signed-in user's sessions, most recently active first; this
/// browser's is marked `this_device`.
///
/// # Errors
/// `Unauthorized` when signed out; `Internal`.
#[server(endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    let current = crate::auth::current_session_id().await?;
    crate::services::sessions::list(&state.db, me, current.as_deref()).await
}

/// Ends the signed-in user's session named `handle` (a
/// [`SessionInfo::handle`]): that browser is signed out and its live
/// connection closes. Ending this browser's own session is a log-out.
///
/// # Errors
/// `Unauthorized` when signed out; `NotFound` when `handle` names none of
/// the user's sessions; `Internal`.
#[server(endpoint = "end_session_by_handle")]
pub async fn end_session_by_handle(handle: String) -> Result<(), AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    let current = crate::auth::current_session_id().await?;
    if current
        .as_deref()
        .is_some_and(|id| crate::services::sessions::handle(id) == handle)
    {
        return crate::auth::end_session().await;
    }
    crate::services::sessions::end_one(&state.db, &state.revocations, me, &handle).await
}

/// "Log out everywhere else": ends every session of the signed-in user
/// but this browser's. Returns how many ended.
///
/// # Errors
/// `Unauthorized` when signed out; `Internal`.
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    let current = crate::auth::current_session_id()
        .await?
        .ok_or(AppError::Unauthorized)?;
    crate::services::sessions::end_all(&state.db, &state.revocations, me, Some(&current)).await
}
