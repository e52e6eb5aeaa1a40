use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

/// Blocks `user_id`: ends friendship, requests and follows both ways.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Conflict` for yourself.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "block_user")]
pub async fn block_user(user_id: UserId) -> Result<(), AppError> {
    use crate::{auth, services::social, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Follow).await?;
    social::block(&app_state()?.db, me, user_id).await
}
