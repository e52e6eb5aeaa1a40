use crate::error::AppError;
use crate::models::FriendsOverview;
use leptos::prelude::*;

/// The signed-in user's friends and pending requests both ways.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "get_friends_overview")]
pub async fn get_friends_overview() -> Result<FriendsOverview, AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user().await?;
    social::overview(&app_state()?.db, me).await
}
