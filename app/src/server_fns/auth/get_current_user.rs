use crate::error::AppError;
use crate::models::CurrentUser;
use leptos::prelude::*;

/// The signed-in user, or `None` when signed out.
///
/// # Errors
/// `Internal` on server failure.
#[server(endpoint = "get_current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::{auth, services::accounts, state::app_state};
    let Some(id) = auth::current_user_id().await? else {
        return Ok(None);
    };
    let state = app_state()?;
    let mut user = accounts::current_user(&state.db, id).await?;
    if let Some(u) = user.as_mut() {
        u.confirmation_required = state.accounts.require_confirmed_email;
    }
    Ok(user)
}
