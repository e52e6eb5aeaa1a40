use crate::error::AppError;
use crate::ids::UserId;
use crate::models::PersonCard;
use leptos::prelude::*;

/// `user_id`'s friends, as the signed-in user may see them.
///
/// # Errors
/// `Unauthorized`; `NotFound` when `user_id` blocked the viewer.
#[server(endpoint = "list_user_friends")]
pub async fn list_user_friends(user_id: UserId) -> Result<Vec<PersonCard>, AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user().await?;
    social::list_friends(&app_state()?.db, me, user_id).await
}
