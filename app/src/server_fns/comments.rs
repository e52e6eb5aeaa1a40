//! Comments and replies.

mod add_comment;
mod delete_comment;
mod edit_comment;
mod list_comments;
mod list_replies;

pub use add_comment::*;
pub use delete_comment::*;
pub use edit_comment::*;
pub use list_comments::*;
pub use list_replies::*;

/// Parses a comment-list cursor (the last comment id seen).
#[cfg(feature = "ssr")]
fn parse_comment_cursor(
    cursor: Option<&str>,
) -> Result<Option<crate::ids::CommentId>, crate::error::AppError> {
    cursor
        .map(|c| {
            c.parse().map_err(|_| {
                crate::error::AppError::validation("cursor", "That page link is not valid.")
            })
        })
        .transpose()
}
