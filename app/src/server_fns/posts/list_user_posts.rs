use crate::error::AppError;
use crate::ids::UserId;
use crate::models::FeedPage;
use leptos::prelude::*;

/// A page of one person's posts, newest first, for their profile.
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `cursor` for a bad one.
#[server(endpoint = "list_user_posts")]
pub async fn list_user_posts(
    user_id: UserId,
    cursor: Option<String>,
) -> Result<FeedPage, AppError> {
    use crate::services::posts::{self, Cursor, Scope};
    use crate::{auth, state::app_state};
    let viewer = auth::require_user().await?;
    let cursor = cursor.as_deref().map(Cursor::decode).transpose()?;
    posts::list_posts(&app_state()?.db, viewer, Scope::Author(user_id), cursor).await
}
