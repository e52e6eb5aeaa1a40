use crate::error::AppError;
use crate::models::PersonCard;
use leptos::prelude::*;

/// People the signed-in user blocked.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "list_blocked")]
pub async fn list_blocked() -> Result<Vec<PersonCard>, AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user().await?;
    social::blocked_by_me(&app_state()?.db, me).await
}
