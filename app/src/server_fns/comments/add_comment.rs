use crate::error::AppError;
use crate::ids::{CommentId, PostId};
use crate::models::CommentView;
use leptos::prelude::*;

/// Comments on `post_id`, or replies to top-level comment `parent_id`.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Validation` on `body` (1–2,000 characters) or `parent_id`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "add_comment")]
pub async fn add_comment(
    post_id: PostId,
    parent_id: Option<CommentId>,
    body: String,
) -> Result<CommentView, AppError> {
    use crate::{auth, services::comments, state::app_state};
    let me = auth::require_confirmed_user(crate::services::limits::Action::Comment).await?;
    {
        let state = app_state()?;
        comments::add_comment(&state.db, &state.hub, me, post_id, parent_id, &body).await
    }
}
