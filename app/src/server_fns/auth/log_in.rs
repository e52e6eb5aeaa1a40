use crate::error::AppError;
use crate::models::LogInStep;
use leptos::prelude::*;

/// Signs in with a username (any case) or email and a password.
///
/// # Errors
/// `InvalidCredentials` for an unknown account or wrong password;
/// `RateLimited { retry_after_s }` after 3 failures on the account (for 5
/// minutes) or 25 attempts from the IP in 5 minutes.
#[server]
pub async fn log_in(login: String, password: String) -> Result<LogInStep, AppError> {
    use crate::{auth, services::accounts, state::app_state};
    let state = app_state()?;
    let ip = auth::client_ip().await;
    let user = accounts::log_in(&state.db, &state.login_throttle, ip, &login, &password).await?;
    // Two-factor (being written) will answer `TwoFactor` here.
    auth::start_session(user).await?;
    Ok(LogInStep::SignedIn)
}
