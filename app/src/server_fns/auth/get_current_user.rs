use crate::error::AppError;
use crate::models::CurrentUser;
use leptos::prelude::*;

/// The signed-in user, or `None` when signed out.
///
/// # Errors
/// `Internal` on server failure.
#[server]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::{auth, services::accounts, state::app_state};
    let Some(id) = auth::current_user_id().await? else {
        return Ok(None);
    };
    accounts::current_user(&app_state()?.db, id).await
}
