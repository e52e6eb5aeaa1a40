use crate::error::AppError;
use crate::models::FeedPage;
use leptos::prelude::*;

/// A page of the signed-in user's home feed, newest first; `cursor` is the
/// previous page's `next_cursor` (`None` for the first page).
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `cursor` for a bad one.
#[server(endpoint = "list_feed")]
pub async fn list_feed(cursor: Option<String>) -> Result<FeedPage, AppError> {
    use crate::services::posts::{self, Cursor, Scope};
    use crate::{auth, state::app_state};
    let user = auth::require_user().await?;
    let cursor = cursor.as_deref().map(Cursor::decode).transpose()?;
    posts::list_posts(&app_state()?.db, user, Scope::Feed, cursor).await
}
