use crate::error::AppError;
use crate::models::PeoplePage;
use leptos::prelude::*;

/// The people directory by username, 30 a page; `cursor` from the previous page.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "list_people")]
pub async fn list_people(cursor: Option<String>) -> Result<PeoplePage, AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user().await?;
    social::directory(&app_state()?.db, me, cursor.as_deref()).await
}
