//! "Download your data" and "Delete account" (`/settings/account`).

use crate::error::AppError;
use crate::models::DataExportInfo;
use leptos::prelude::*;

/// Asks for a zip of the signed-in user's data, built in the background;
/// a mail says when it is ready (see [`list_data_exports`]).
///
/// # Errors
/// `Unauthorized`; `RateLimited` while one is being prepared or within an
/// hour of the last one.
#[server(endpoint = "request_data_export")]
pub async fn request_data_export() -> Result<DataExportInfo, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::data_export::request_export(&state, me).await
}

/// The signed-in user's archives that haven't expired, newest first (at
/// most 10): pending, ready (with a download link, for 7 days) or failed.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "list_data_exports")]
pub async fn list_data_exports() -> Result<Vec<DataExportInfo>, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::data_export::list_exports(&state.db, me).await
}

/// Deletes the signed-in user's account for good, after checking
/// `password` (and `code` when two-factor is on). Their messages stay in
/// other people's conversations as from "Deleted account"; everything
/// else of theirs is erased; the username is free again after 30 days.
/// Every session ends, this browser's included.
///
/// # Errors
/// `Unauthorized`; `Validation` on `password` (wrong) or `code`; nothing
/// changes then.
#[server(endpoint = "delete_account")]
pub async fn delete_account(password: String, code: Option<String>) -> Result<(), AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    let code = code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    crate::services::account_deletion::delete_account(&state, me, &password, code).await?;
    // This browser's session row is gone; make sure the session layer
    // doesn't write it back and the cookie expires.
    crate::auth::end_session().await
}
