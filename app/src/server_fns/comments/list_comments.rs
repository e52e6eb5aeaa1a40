use crate::error::AppError;
use crate::ids::PostId;
use crate::models::CommentsPage;
use leptos::prelude::*;

/// A page of `post_id`'s top-level comments, oldest first.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Validation` on `cursor`.
#[server(endpoint = "list_comments")]
pub async fn list_comments(
    post_id: PostId,
    cursor: Option<String>,
) -> Result<CommentsPage, AppError> {
    use super::parse_comment_cursor;
    use crate::{auth, services::comments, state::app_state};
    let me = auth::require_user().await?;
    {
        let cursor = parse_comment_cursor(cursor.as_deref())?;
        comments::list_comments(&app_state()?.db, me, post_id, cursor).await
    }
}
