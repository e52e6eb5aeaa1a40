use crate::error::AppError;
use crate::models::PersonCard;
use leptos::prelude::*;

/// Friends of friends, most mutual friends first (at most 12).
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "list_people_you_may_know")]
pub async fn list_people_you_may_know() -> Result<Vec<PersonCard>, AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user().await?;
    social::people_you_may_know(&app_state()?.db, me, 12).await
}
