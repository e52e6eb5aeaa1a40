use crate::error::AppError;
use crate::ids::PostId;
use crate::models::Reactor;
use leptos::prelude::*;

/// Who reacted to `post_id`, newest first.
///
/// # Errors
/// `Unauthorized`; `NotFound`.
#[server(endpoint = "list_reactors")]
pub async fn list_reactors(post_id: PostId) -> Result<Vec<Reactor>, AppError> {
    use crate::{auth, services::reactions, state::app_state};
    let me = auth::require_user().await?;
    reactions::list_reactors(&app_state()?.db, me, post_id).await
}
