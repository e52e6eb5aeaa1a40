use crate::error::AppError;
use leptos::prelude::*;

/// Creates an account with its profile, mails a link to confirm the
/// address, and signs it in.
///
/// # Errors
/// `Validation` naming the field (`username`, `email`, `first_name`,
/// `last_name`, `password`, `password_confirm`) for bad or taken input;
/// `RateLimited` after 5 sign-ups from one IP address in an hour
/// (`HEARTH_SIGNUPS_PER_IP_HOUR`); `Busy` when password hashing is full.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::{auth, ids::UserId, services::accounts, state::app_state};
    let state = app_state()?;
    if let Some(ip) = auth::client_ip().await {
        state.signup_throttle.check(ip).await?;
    }
    let user = accounts::sign_up(
        &state.db,
        &state.accounts,
        accounts::SignUp {
            username,
            email,
            first_name,
            last_name,
            password,
            password_confirm,
        },
    )
    .await?;
    state.job_signal.wake();
    auth::start_session(UserId(user.id)).await
}
