//! Comments with one level of replies. Anyone who may see a post may
//! comment on it (blocks included: a blocked person can't see it); authors
//! edit and delete their own comments, and a post's author may delete any
//! comment on it. Top-level comments read oldest first; replies newest
//! first, loaded on demand. Comments by people blocked either way with the
//! viewer are left out, except on the viewer's own posts: a post's author
//! always sees, and may delete, every comment on it. Blocking someone also
//! removes their comments and reactions from the blocker's posts (see
//! [`crate::services::social::block`]).

use crate::db::entities::{comments, posts};
use crate::error::{AppError, AppResult};
use crate::events::LiveEvent;
use crate::hub::EventHub;
use crate::ids::{CommentId, PostId, UserId};
use crate::models::NotificationKind;
use crate::models::{COMMENTS_PAGE_SIZE, CommentView, CommentsPage};
use crate::services::notifications::{self, Notice};
use crate::services::posts::{audience, authors, mentions_of, store_mentions, visible_post};
use crate::services::visibility::{ViewerCtx, visibility_of};
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Tells the tabs showing `post` (within its audience) that its comments
/// changed: `CommentsChanged` is post-scoped (see
/// [`LiveEvent::watched_post`]).
async fn announce<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    post: &posts::Model,
) -> AppResult<()> {
    hub.publish(
        audience(db, UserId(post.author_id), visibility_of(post)).await?,
        LiveEvent::CommentsChanged {
            post_id: PostId(post.id),
        },
    );
    Ok(())
}

/// Adds a comment (or, with `parent`, a reply to a top-level comment) by
/// `me` on `post`.
///
/// # Errors
/// `NotFound` if `me` can't see the post or the parent isn't a comment on
/// it; `Validation` on `body` (1–2,000 characters) or `parent` (replies to
/// replies).
pub async fn add_comment<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    post: PostId,
    parent: Option<CommentId>,
    body: &str,
) -> AppResult<CommentView> {
    let (post_row, ctx) = visible_post(db, me, post).await?;
    let body = validation::comment_body(body)?;
    let mut parent_author = None;
    if let Some(parent) = parent {
        let p = comments::Entity::find_by_id(parent.0)
            .one(db)
            .await?
            .filter(|c| c.post_id == post.0 && !ctx.blocked.contains(&UserId(c.author_id)))
            .ok_or(AppError::NotFound)?;
        if p.parent_id.is_some() {
            return Err(AppError::validation(
                "parent_id",
                "Reply to the comment itself.",
            ));
        }
        parent_author = Some(UserId(p.author_id));
    }
    let row = comments::ActiveModel {
        post_id: Set(post.0),
        author_id: Set(me.0),
        parent_id: Set(parent.map(|p| p.0)),
        body: Set(body.clone()),
        created_at_ms: Set(now_ms()),
        edited_at_ms: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mentioned = store_mentions(db, me, Some(post.0), Some(row.id), &body).await?;
    announce(db, hub, &post_row).await?;
    let post_author = UserId(post_row.author_id);
    let mut notices = Vec::new();
    if let (Some(parent), Some(parent_author)) = (parent, parent_author) {
        notices.push(Notice::post(
            NotificationKind::Reply,
            me,
            parent_author,
            post,
            Some(parent),
        ));
    }
    if parent_author != Some(post_author) {
        notices.push(Notice::post(
            NotificationKind::Comment,
            me,
            post_author,
            post,
            None,
        ));
    }
    notifications::notify(db, hub, notices).await?;
    notifications::notify_mentions(db, hub, me, &mentioned, post, Some(CommentId(row.id))).await?;
    Ok(comment_views(db, &ctx, post_row.author_id, vec![row])
        .await?
        .remove(0))
}

/// Whose comments `ctx.viewer` doesn't see on a post by `post_author`:
/// people blocked either way, except on the viewer's own posts (whose
/// author sees, and may remove, every comment).
fn hidden_authors(ctx: &ViewerCtx, post_author: i64) -> Vec<i64> {
    if post_author == ctx.viewer.0 {
        Vec::new()
    } else {
        ctx.blocked.iter().map(|u| u.0).collect()
    }
}

/// A comment with its post, if `me` may see both.
async fn visible_comment<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    id: CommentId,
) -> AppResult<(comments::Model, posts::Model, ViewerCtx)> {
    let comment = comments::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (post, ctx) = visible_post(db, me, PostId(comment.post_id)).await?;
    if hidden_authors(&ctx, post.author_id).contains(&comment.author_id) {
        return Err(AppError::NotFound);
    }
    Ok((comment, post, ctx))
}

/// Replaces the text of `me`'s comment.
///
/// # Errors
/// `NotFound` if not visible; `Forbidden` if not `me`'s; `Validation` on `body`.
pub async fn edit_comment<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    id: CommentId,
    body: &str,
) -> AppResult<CommentView> {
    let (comment, post, ctx) = visible_comment(db, me, id).await?;
    if comment.author_id != me.0 {
        return Err(AppError::Forbidden);
    }
    let body = validation::comment_body(body)?;
    // Saving the same text again changes nothing anyone else shows.
    let changed = comment.body != body;
    let mut active: comments::ActiveModel = comment.into();
    active.body = Set(body.clone());
    active.edited_at_ms = Set(Some(now_ms()));
    let row = active.update(db).await?;
    let mentioned = store_mentions(db, me, Some(post.id), Some(row.id), &body).await?;
    if changed {
        announce(db, hub, &post).await?;
    }
    notifications::notify_mentions(
        db,
        hub,
        me,
        &mentioned,
        PostId(post.id),
        Some(CommentId(row.id)),
    )
    .await?;
    Ok(comment_views(db, &ctx, post.author_id, vec![row])
        .await?
        .remove(0))
}

/// Deletes a comment (and its replies): its author or the post's author
/// (always, blocks included).
///
/// # Errors
/// `NotFound` if not visible; `Forbidden` for anyone else.
pub async fn delete_comment<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    id: CommentId,
) -> AppResult<()> {
    let (comment, post, _) = visible_comment(db, me, id).await?;
    if comment.author_id != me.0 && post.author_id != me.0 {
        return Err(AppError::Forbidden);
    }
    comments::Entity::delete_many()
        .filter(
            Condition::any()
                .add(comments::Column::Id.eq(id.0))
                .add(comments::Column::ParentId.eq(id.0)),
        )
        .exec(db)
        .await?;
    announce(db, hub, &post).await
}

/// A page of `post`'s top-level comments, oldest first, after `cursor` (the
/// last comment id seen).
///
/// # Errors
/// `NotFound` if `viewer` can't see the post.
pub async fn list_comments<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    post: PostId,
    cursor: Option<CommentId>,
) -> AppResult<CommentsPage> {
    let (post_row, ctx) = visible_post(db, viewer, post).await?;
    let mut query = comments::Entity::find()
        .filter(comments::Column::PostId.eq(post.0))
        .filter(comments::Column::ParentId.is_null())
        .filter(comments::Column::AuthorId.is_not_in(hidden_authors(&ctx, post_row.author_id)));
    if let Some(c) = cursor {
        query = query.filter(comments::Column::Id.gt(c.0));
    }
    let rows = query
        .order_by_asc(comments::Column::Id)
        .limit(COMMENTS_PAGE_SIZE + 1)
        .all(db)
        .await?;
    page(db, &ctx, post_row.author_id, rows).await
}

/// A page of replies to top-level comment `parent`, newest first, after
/// `cursor` (the last reply id seen).
///
/// # Errors
/// `NotFound` if `viewer` can't see the comment or its post.
pub async fn list_replies<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    parent: CommentId,
    cursor: Option<CommentId>,
) -> AppResult<CommentsPage> {
    let (_, post, ctx) = visible_comment(db, viewer, parent).await?;
    let mut query = comments::Entity::find()
        .filter(comments::Column::ParentId.eq(parent.0))
        .filter(comments::Column::AuthorId.is_not_in(hidden_authors(&ctx, post.author_id)));
    if let Some(c) = cursor {
        query = query.filter(comments::Column::Id.lt(c.0));
    }
    let rows = query
        .order_by_desc(comments::Column::Id)
        .limit(COMMENTS_PAGE_SIZE + 1)
        .all(db)
        .await?;
    page(db, &ctx, post.author_id, rows).await
}

async fn page<C: ConnectionTrait>(
    db: &C,
    ctx: &ViewerCtx,
    post_author: i64,
    mut rows: Vec<comments::Model>,
) -> AppResult<CommentsPage> {
    let has_more = rows.len() as u64 > COMMENTS_PAGE_SIZE;
    rows.truncate(COMMENTS_PAGE_SIZE as usize);
    let next_cursor = has_more
        .then(|| rows.last().map(|c| c.id.to_string()))
        .flatten();
    Ok(CommentsPage {
        comments: comment_views(db, ctx, post_author, rows).await?,
        next_cursor,
    })
}

#[derive(Debug, FromQueryResult)]
struct ReplyCount {
    parent_id: i64,
    n: i64,
}

async fn comment_views<C: ConnectionTrait>(
    db: &C,
    ctx: &ViewerCtx,
    post_author: i64,
    rows: Vec<comments::Model>,
) -> AppResult<Vec<CommentView>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let authors = authors(db, rows.iter().map(|c| c.author_id)).await?;
    let mentions = mentions_of(db, &ids, true).await?;
    let replies: HashMap<i64, u32> = comments::Entity::find()
        .select_only()
        .column(comments::Column::ParentId)
        .column_as(comments::Column::Id.count(), "n")
        .filter(comments::Column::ParentId.is_in(ids.clone()))
        .filter(comments::Column::AuthorId.is_not_in(hidden_authors(ctx, post_author)))
        .group_by(comments::Column::ParentId)
        .into_model::<ReplyCount>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.parent_id, u32::try_from(r.n).unwrap_or(u32::MAX)))
        .collect();
    rows.into_iter()
        .map(|c| {
            let author = authors.get(&c.author_id).cloned().ok_or_else(|| {
                AppError::from(anyhow::anyhow!("user {} has no profile", c.author_id))
            })?;
            Ok(CommentView {
                id: CommentId(c.id),
                post_id: PostId(c.post_id),
                parent_id: c.parent_id.map(CommentId),
                can_edit: author.id == ctx.viewer,
                can_delete: author.id == ctx.viewer || post_author == ctx.viewer.0,
                author,
                mentions: mentions.get(&c.id).cloned().unwrap_or_default(),
                reply_count: replies.get(&c.id).copied().unwrap_or(0),
                body: c.body,
                created_at_ms: c.created_at_ms,
                edited_at_ms: c.edited_at_ms,
            })
        })
        .collect()
}
