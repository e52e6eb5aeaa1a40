use crate::error::AppError;
use crate::ids::CommentId;
use crate::models::CommentView;
use leptos::prelude::*;

/// Replaces the text of the signed-in user's comment.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Forbidden`; `Validation` on `body`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "edit_comment")]
pub async fn edit_comment(comment_id: CommentId, body: String) -> Result<CommentView, AppError> {
    use crate::{auth, services::comments, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Edit).await?;
    {
        let state = app_state()?;
        comments::edit_comment(&state.db, &state.hub, me, comment_id, &body).await
    }
}
