//! Email confirmation, password reset and change, email change.

use crate::error::AppError;
use leptos::prelude::*;

/// Confirms an email address with the `token` from a confirmation or
/// email-change link.
///
/// # Errors
/// `Validation` on `token` for a bad, used or expired link; on `email` if
/// the new address was taken meanwhile.
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    crate::services::email::confirm(&state, &token).await?;
    Ok(())
}

/// Mails a new confirmation link to the signed-in user.
///
/// # Errors
/// `Unauthorized`; `Conflict` when already confirmed; `RateLimited` within
/// a minute of the last or after five a day.
#[server(endpoint = "resend_confirmation")]
pub async fn resend_confirmation() -> Result<(), AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::email::resend_confirmation(&state, me).await
}

/// "Forgot password?": mails a reset link if `login` (username or email)
/// names an account. The answer is the same either way.
///
/// # Errors
/// `RateLimited` after 10 requests from one IP address in an hour.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(login: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let ip = crate::auth::client_ip().await;
    crate::services::passwords::request_reset(&state, ip, &login).await
}

/// Sets a new password with a reset link's `token`; every session of the
/// account ends. The browser is left signed out.
///
/// # Errors
/// `Validation` on `token`, `password` or `password_confirm`.
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    crate::services::passwords::reset(&state, &token, &password, &password_confirm).await?;
    Ok(())
}

/// Changes the signed-in user's password; other sessions end.
///
/// # Errors
/// `Unauthorized`; `Validation` on `current_password`, `password` or
/// `password_confirm`.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    let session = crate::auth::current_session_id().await?;
    crate::services::passwords::change(
        &state,
        me,
        session.as_deref(),
        &current_password,
        &password,
        &password_confirm,
    )
    .await
}

/// Starts changing the signed-in user's email address: a link to the new
/// address, a notice to the old; the change happens when the link is used.
///
/// # Errors
/// `Unauthorized`; `Validation` on `email` or `password`; `RateLimited`.
#[server(endpoint = "change_email")]
pub async fn change_email(email: String, password: String) -> Result<(), AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::email::request_change(&state, me, &email, &password).await
}
