use crate::error::AppError;
use crate::models::LogInStep;
use leptos::prelude::*;

/// Signs in with a username (any case) or email and a password. For an
/// account with two-factor on, a right password doesn't sign in yet: it
/// answers [`LogInStep::TwoFactor`] and the browser has 5 minutes to send
/// a code to [`crate::server_fns::two_factor::verify_log_in_code`].
///
/// # Errors
/// `InvalidCredentials` for an unknown account or wrong password;
/// `RateLimited { retry_after_s }` after 3 failures on the account (for 5
/// minutes; wrong two-factor codes count too) or 25 attempts from the IP
/// in 5 minutes.
#[server(endpoint = "log_in")]
pub async fn log_in(login: String, password: String) -> Result<LogInStep, AppError> {
    use crate::services::{accounts, two_factor};
    use crate::{auth, state::app_state};
    let state = app_state()?;
    let ip = auth::client_ip().await;
    let user = accounts::log_in(&state.db, &state.login_throttle, ip, &login, &password).await?;
    if two_factor::is_enabled(&state.db, user).await? {
        two_factor::begin_log_in(&auth::session().await?, user).await?;
        return Ok(LogInStep::TwoFactor);
    }
    auth::start_session(user).await?;
    Ok(LogInStep::SignedIn)
}
