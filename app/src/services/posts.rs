//! Posts: create, edit, delete (author only), read one, and the feed read
//! newest first with keyset ("cursor") pagination on `(created_at_ms, id)`,
//! never OFFSET. Until friendships exist every signed-in user sees every post.

use crate::db::entities::{posts, profiles, users};
use crate::error::{AppError, AppResult};
use crate::events::LiveEvent;
use crate::hub::{Audience, EventHub};
use crate::ids::{PostId, UserId};
use crate::models::{Author, FEED_PAGE_SIZE, FeedPage, PostView};
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// A position in a newest-first list: the last post seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// `created_at_ms` of the last post seen.
    pub created_at_ms: i64,
    /// `id` of the last post seen (tie-break).
    pub id: i64,
}

impl Cursor {
    /// Encodes as `"{created_at_ms}_{id}"`.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.created_at_ms, self.id)
    }

    /// Parses [`Cursor::encode`]'s output.
    ///
    /// # Errors
    /// `Validation` on field `cursor` for anything else.
    pub fn decode(s: &str) -> AppResult<Self> {
        let bad = || AppError::validation("cursor", "That page link is not valid.");
        let (t, id) = s.split_once('_').ok_or_else(bad)?;
        Ok(Self {
            created_at_ms: t.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// Which posts a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The home feed.
    Feed,
    /// One person's posts (their profile).
    Author(UserId),
}

/// Creates a post by `author` and announces it live.
///
/// # Errors
/// `Validation` on field `body` for an empty or over-long text.
pub async fn create_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    author: UserId,
    body: &str,
) -> AppResult<PostView> {
    let body = validation::post_body(body)?;
    let post = posts::ActiveModel {
        author_id: Set(author.0),
        body: Set(body),
        created_at_ms: Set(now_ms()),
        edited_at_ms: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    hub.publish(
        Audience::Everyone,
        LiveEvent::PostCreated {
            post_id: PostId(post.id),
            author_id: author,
        },
    );
    get_post(db, Some(author), PostId(post.id)).await
}

/// Loads a post the caller owns, or says why not.
async fn owned_post<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    id: PostId,
) -> AppResult<posts::Model> {
    let post = posts::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if post.author_id != user.0 {
        return Err(AppError::Forbidden);
    }
    Ok(post)
}

/// Replaces the text of `user`'s post `id`.
///
/// # Errors
/// `NotFound` if there is no such post, `Forbidden` if `user` isn't its
/// author, `Validation` for bad text. Nothing changes on error.
pub async fn update_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    user: UserId,
    id: PostId,
    body: &str,
) -> AppResult<PostView> {
    let post = owned_post(db, user, id).await?;
    let body = validation::post_body(body)?;
    let mut active: posts::ActiveModel = post.into();
    active.body = Set(body);
    active.edited_at_ms = Set(Some(now_ms()));
    active.update(db).await?;
    hub.publish(Audience::Everyone, LiveEvent::PostUpdated { post_id: id });
    get_post(db, Some(user), id).await
}

/// Deletes `user`'s post `id`.
///
/// # Errors
/// `NotFound` if there is no such post, `Forbidden` if `user` isn't its author.
pub async fn delete_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    user: UserId,
    id: PostId,
) -> AppResult<()> {
    owned_post(db, user, id).await?;
    posts::Entity::delete_by_id(id.0).exec(db).await?;
    hub.publish(Audience::Everyone, LiveEvent::PostDeleted { post_id: id });
    Ok(())
}

/// One post as `viewer` sees it.
///
/// # Errors
/// `NotFound` if it doesn't exist.
pub async fn get_post<C: ConnectionTrait>(
    db: &C,
    viewer: Option<UserId>,
    id: PostId,
) -> AppResult<PostView> {
    let post = posts::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(views(db, viewer, vec![post]).await?.remove(0))
}

/// A page of posts in `scope`, newest first, after `cursor` (exclusive).
///
/// # Errors
/// `Internal` on database failure.
pub async fn list_posts<C: ConnectionTrait>(
    db: &C,
    viewer: Option<UserId>,
    scope: Scope,
    cursor: Option<Cursor>,
) -> AppResult<FeedPage> {
    let mut query = posts::Entity::find();
    if let Scope::Author(author) = scope {
        query = query.filter(posts::Column::AuthorId.eq(author.0));
    }
    if let Some(c) = cursor {
        query = query.filter(
            Condition::any()
                .add(posts::Column::CreatedAtMs.lt(c.created_at_ms))
                .add(
                    Condition::all()
                        .add(posts::Column::CreatedAtMs.eq(c.created_at_ms))
                        .add(posts::Column::Id.lt(c.id)),
                ),
        );
    }
    let mut rows = query
        .order_by_desc(posts::Column::CreatedAtMs)
        .order_by_desc(posts::Column::Id)
        .limit(FEED_PAGE_SIZE + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > FEED_PAGE_SIZE;
    rows.truncate(FEED_PAGE_SIZE as usize);
    let next_cursor = has_more.then(|| rows.last()).flatten().map(|p| {
        Cursor {
            created_at_ms: p.created_at_ms,
            id: p.id,
        }
        .encode()
    });
    Ok(FeedPage {
        posts: views(db, viewer, rows).await?,
        next_cursor,
    })
}

/// Joins authors onto posts (one query for all authors).
async fn views<C: ConnectionTrait>(
    db: &C,
    viewer: Option<UserId>,
    rows: Vec<posts::Model>,
) -> AppResult<Vec<PostView>> {
    let mut author_ids: Vec<i64> = rows.iter().map(|p| p.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors: HashMap<i64, Author> = users::Entity::find()
        .filter(users::Column::Id.is_in(author_ids))
        .find_also_related(profiles::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(u, p)| {
            let p = p?;
            Some((
                u.id,
                Author {
                    id: UserId(u.id),
                    username: u.username,
                    display_name: p.display_name,
                    avatar_url: p.avatar_url,
                },
            ))
        })
        .collect();
    rows.into_iter()
        .map(|p| {
            let author = authors
                .get(&p.author_id)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("post {} has no author profile", p.id))?;
            Ok(PostView {
                id: PostId(p.id),
                can_edit: viewer == Some(author.id),
                author,
                body: p.body,
                created_at_ms: p.created_at_ms,
                edited_at_ms: p.edited_at_ms,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            created_at_ms: 1_700_000_000_123,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        assert!(Cursor::decode("nope").is_err());
        assert!(Cursor::decode("1_x").is_err());
    }
}
