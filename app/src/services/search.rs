//! Search, behind one interface over each database's full-text engine:
//! SQLite FTS5 tables (`posts_fts`, `users_fts`) and PostgreSQL tsvector
//! columns (`posts.body_tsv`, `users.name_tsv`), both kept in sync by the
//! database itself (triggers / generated columns, see migration 2).
//!
//! People match by username, first or last name, each word of the query as
//! a prefix. Posts match all the query's words, ranked (bm25 / ts_rank), and
//! only posts the searcher may see come back.

use crate::db::entities::posts;
use crate::error::AppResult;
use crate::ids::UserId;
use crate::models::{PersonCard, PostView};
use crate::services::visibility::ViewerCtx;
use crate::services::{posts as post_service, social};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
};

/// Most results per tab.
pub const SEARCH_LIMIT: u32 = 30;

/// Words of a query: letters and digits only (everything else separates
/// words, so no query syntax reaches the engine), at most 8, lower-cased.
pub fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect()
}

/// `?1` placeholders for SQLite, `$1` for PostgreSQL.
fn sql(backend: DbBackend, template: &str) -> String {
    match backend {
        DbBackend::Postgres => template.to_owned(),
        _ => template.replace('$', "?"),
    }
}

const VISIBLE_TO_ME: &str = "(p.author_id = $1 OR (
        p.author_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = $1)
        AND p.author_id NOT IN (SELECT blocker_id FROM blocks WHERE blocked_id = $1)
        AND (p.visibility = 'public' OR (p.visibility = 'friends' AND p.author_id IN (
            SELECT user_b_id FROM friendships WHERE user_a_id = $1 AND status = 'accepted'
            UNION SELECT user_a_id FROM friendships WHERE user_b_id = $1 AND status = 'accepted')))))";

#[derive(Debug, FromQueryResult)]
struct Id {
    id: i64,
}

/// Runs a search `template` (`$n` placeholders) and returns the `id`s.
async fn matching_ids<C: ConnectionTrait>(
    db: &C,
    template: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<Vec<i64>> {
    let backend = db.get_database_backend();
    let stmt = Statement::from_sql_and_values(backend, sql(backend, template), values);
    Ok(Id::find_by_statement(stmt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// People whose username, first or last name start with each word of `query`.
///
/// # Errors
/// `Internal` on database failure.
pub async fn search_people<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    query: &str,
) -> AppResult<Vec<PersonCard>> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let (template, term) = match backend {
        DbBackend::Postgres => (
            "SELECT u.id FROM users u WHERE u.name_tsv @@ to_tsquery('simple', $1)
             ORDER BY u.username_key LIMIT $2",
            words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & "),
        ),
        _ => (
            "SELECT u.id FROM users_fts f JOIN users u ON u.id = f.rowid
             WHERE users_fts MATCH $1 ORDER BY bm25(users_fts), u.username_key LIMIT $2",
            words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    let hidden = social::blocked_ids(db, me).await?;
    let ids: Vec<UserId> = matching_ids(db, template, vec![term.into(), SEARCH_LIMIT.into()])
        .await?
        .into_iter()
        .map(UserId)
        .filter(|id| !hidden.contains(id) && id.0 != crate::services::accounts::GHOST_USER_ID)
        .collect();
    social::cards(db, &ids).await
}

/// Posts `me` may see containing every word of `query`, best match first.
///
/// # Errors
/// `Internal` on database failure.
pub async fn search_posts<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    query: &str,
) -> AppResult<Vec<PostView>> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let (template, term) = match backend {
        DbBackend::Postgres => (
            format!(
                "SELECT p.id FROM posts p WHERE p.body_tsv @@ plainto_tsquery('simple', $2) AND {VISIBLE_TO_ME}
                 ORDER BY ts_rank(p.body_tsv, plainto_tsquery('simple', $2)) DESC, p.id DESC LIMIT $3"
            ),
            words.join(" "),
        ),
        _ => (
            format!(
                "SELECT p.id FROM posts_fts f JOIN posts p ON p.id = f.rowid
                 WHERE posts_fts MATCH $2 AND {VISIBLE_TO_ME}
                 ORDER BY bm25(posts_fts), p.id DESC LIMIT $3"
            ),
            words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" "),
        ),
    };
    let ids = matching_ids(
        db,
        &template,
        vec![me.0.into(), term.into(), SEARCH_LIMIT.into()],
    )
    .await?;
    // Load, re-check with the rule every read path uses, keep the ranking.
    let ctx = ViewerCtx::load(db, me).await?;
    let mut rows: Vec<posts::Model> = posts::Entity::find()
        .filter(posts::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| ctx.can_see_post(p))
        .collect();
    rows.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    post_service::views(db, &ctx, rows).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_plain_words() {
        assert_eq!(words("Ana  López\"* OR x"), vec!["ana", "lópez", "or", "x"]);
        assert!(words("  \"*()  ").is_empty());
        assert_eq!(words("a b c d e f g h i j").len(), 8);
    }
}
