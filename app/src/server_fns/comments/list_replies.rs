use crate::error::AppError;
use crate::ids::CommentId;
use crate::models::CommentsPage;
use leptos::prelude::*;

/// A page of replies to `comment_id`, newest first.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Validation` on `cursor`.
#[server(endpoint = "list_replies")]
pub async fn list_replies(
    comment_id: CommentId,
    cursor: Option<String>,
) -> Result<CommentsPage, AppError> {
    use super::parse_comment_cursor;
    use crate::{auth, services::comments, state::app_state};
    let me = auth::require_user().await?;
    {
        let cursor = parse_comment_cursor(cursor.as_deref())?;
        comments::list_replies(&app_state()?.db, me, comment_id, cursor).await
    }
}
