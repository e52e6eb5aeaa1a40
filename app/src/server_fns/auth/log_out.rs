use crate::error::AppError;
use leptos::prelude::*;

/// Signs out of this browser (deletes the session).
///
/// # Errors
/// `Internal` if the session store fails.
#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    crate::auth::end_session().await
}
