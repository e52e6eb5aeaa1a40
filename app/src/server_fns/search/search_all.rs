use crate::error::AppError;
use crate::models::SearchResults;
use leptos::prelude::*;

/// People and posts matching `query` (posts only if the searcher may see them).
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "search_all")]
pub async fn search_all(query: String) -> Result<SearchResults, AppError> {
    use crate::{auth, services::search, state::app_state};
    let me = auth::require_user().await?;
    {
        let db = &app_state()?.db;
        Ok(SearchResults {
            people: search::search_people(db, me, &query).await?,
            posts: search::search_posts(db, me, &query).await?,
        })
    }
}
