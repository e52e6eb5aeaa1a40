use crate::error::AppError;
use crate::ids::CommentId;
use leptos::prelude::*;

/// Deletes a comment and its replies (its author, or the post's author).
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Forbidden`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "delete_comment")]
pub async fn delete_comment(comment_id: CommentId) -> Result<(), AppError> {
    use crate::{auth, services::comments, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    {
        let state = app_state()?;
        comments::delete_comment(&state.db, &state.hub, me, comment_id).await
    }
}
