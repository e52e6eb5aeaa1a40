//! Posts: create, share, edit, delete (author only), read one, and lists
//! (home feed, a profile) newest first with keyset ("cursor") pagination on
//! `(created_at_ms, id)`, never OFFSET. Who sees what is decided in
//! [`super::visibility`].

use crate::db::entities::{comments, follows, mentions, posts, profiles, reactions, users};
use crate::error::{AppError, AppResult};
use crate::events::LiveEvent;
use crate::hub::{Audience, EventHub};
use crate::ids::{PostId, UserId};
use crate::models::NotificationKind;
use crate::models::{
    Author, EmbeddedPost, FEED_PAGE_SIZE, FeedPage, MAX_PHOTOS_PER_POST, MediaPurpose, PhotoInput,
    PostView, ReactionKind, ReactionSummary, SharedPost, Visibility,
};
use crate::services::media;
use crate::services::notifications::{self, Notice};
use crate::services::social;
use crate::services::videos;
use crate::services::visibility::{ViewerCtx, in_feed_of, visibility_of, visible_to};
use crate::text::mentioned_usernames;
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Select,
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
    /// The viewer's home feed: their own posts and those of people they
    /// follow, as far as they may see them.
    Feed,
    /// One person's posts (their profile), as far as the viewer may see them.
    Author(UserId),
}

/// Who receives live events about a post: its possible viewers (for a
/// Public post everyone but the people blocked either way with its
/// author). These events are post-scoped, so of those only the tabs
/// showing the post get them.
pub async fn audience<C: ConnectionTrait>(
    db: &C,
    author: UserId,
    visibility: Visibility,
) -> AppResult<Audience> {
    Ok(match visibility {
        Visibility::Public => {
            Audience::EveryoneExcept(social::blocked_ids(db, author).await?.into_iter().collect())
        }
        Visibility::Friends => {
            let mut users = social::friend_ids(db, author).await?;
            users.push(author);
            Audience::Users(users)
        }
        Visibility::OnlyMe => Audience::Users(vec![author]),
    })
}

/// Who gets "new post" events: the feeds that can hold it, i.e. the author
/// and those of their followers who may see it (see
/// [`super::visibility::in_feed_of`]).
pub async fn feed_audience<C: ConnectionTrait>(
    db: &C,
    author: UserId,
    visibility: Visibility,
) -> AppResult<Audience> {
    let followers: Vec<UserId> = follows::Entity::find()
        .filter(follows::Column::FolloweeId.eq(author.0))
        .all(db)
        .await?
        .into_iter()
        .map(|f| UserId(f.follower_id))
        .collect();
    let mut users = match visibility {
        Visibility::Public => followers,
        Visibility::Friends => {
            let friends: std::collections::HashSet<UserId> =
                social::friend_ids(db, author).await?.into_iter().collect();
            followers
                .into_iter()
                .filter(|f| friends.contains(f))
                .collect()
        }
        Visibility::OnlyMe => Vec::new(),
    };
    users.push(author);
    Ok(Audience::Users(users))
}

/// Replaces the stored mentions of a post or comment with the existing
/// accounts named `@username` in `body` (not people blocked either way
/// with `author`, nor the author). Returns the people mentioned now who
/// weren't before (whom to notify).
pub async fn store_mentions<C: ConnectionTrait>(
    db: &C,
    author: UserId,
    post_id: Option<i64>,
    comment_id: Option<i64>,
    body: &str,
) -> AppResult<Vec<UserId>> {
    let scope = match (post_id, comment_id) {
        (_, Some(c)) => mentions::Column::CommentId.eq(c),
        (Some(p), None) => mentions::Column::PostId.eq(p),
        (None, None) => return Ok(Vec::new()),
    };
    let before: Vec<i64> = mentions::Entity::find()
        .select_only()
        .column(mentions::Column::UserId)
        .filter(scope.clone())
        .into_tuple()
        .all(db)
        .await?;
    mentions::Entity::delete_many()
        .filter(scope)
        .exec(db)
        .await?;
    let names = mentioned_usernames(body);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let blocked = social::blocked_ids(db, author).await?;
    let found: Vec<i64> = users::Entity::find()
        .filter(users::Column::UsernameKey.is_in(names))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .filter(|id| !blocked.contains(&UserId(*id)))
        .collect();
    let rows: Vec<mentions::ActiveModel> = found
        .iter()
        .map(|&user_id| mentions::ActiveModel {
            post_id: Set(if comment_id.is_some() { None } else { post_id }),
            comment_id: Set(comment_id),
            user_id: Set(user_id),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        mentions::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(found
        .into_iter()
        .filter(|id| *id != author.0 && !before.contains(id))
        .map(UserId)
        .collect())
}

/// Usernames mentioned, per post id (or per comment id with `comments`).
pub async fn mentions_of<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    of_comments: bool,
) -> AppResult<HashMap<i64, Vec<String>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let column = if of_comments {
        mentions::Column::CommentId
    } else {
        mentions::Column::PostId
    };
    let rows = mentions::Entity::find()
        .filter(column.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let user_ids: Vec<i64> = rows.iter().map(|m| m.user_id).collect();
    let names: HashMap<i64, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for m in rows {
        let key = if of_comments { m.comment_id } else { m.post_id };
        if let (Some(key), Some(name)) = (key, names.get(&m.user_id)) {
            out.entry(key).or_default().push(name.clone());
        }
    }
    Ok(out)
}

fn parse_visibility(raw: &str) -> AppResult<Visibility> {
    Visibility::parse(raw)
        .ok_or_else(|| AppError::validation("visibility", "Choose who can see this post."))
}

/// Creates a post by `author` with up to 10 of their photo uploads (each
/// with alt text) and announces it live to its audience.
///
/// # Errors
/// `Validation` on `body` (empty without photos, or over 5,000
/// characters), `visibility` (not `public`, `friends` or `only_me`),
/// `photos` (over 10, or not `author`'s unused uploads) or `alt`.
pub async fn create_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    author: UserId,
    body: &str,
    visibility: &str,
    photos: &[PhotoInput],
    video: Option<&str>,
) -> AppResult<PostView> {
    let body = if photos.is_empty() && video.is_none() {
        validation::post_body(body)?
    } else {
        validation::post_caption(body)?
    };
    let visibility = parse_visibility(visibility)?;
    let uploads =
        media::unattached_uploads(db, author, MediaPurpose::Post, photos, MAX_PHOTOS_PER_POST)
            .await?;
    let video = match video {
        Some(_) if !photos.is_empty() => {
            return Err(AppError::validation(
                "video",
                "A post can have photos or a video, not both.",
            ));
        }
        Some(key) => Some(videos::attachable(db, author, key).await?),
        None => None,
    };
    // A post with a video still processing waits, unpublished, for it.
    let published = video
        .as_ref()
        .is_none_or(|v| v.status == crate::db::entities::videos::READY);
    let post = posts::ActiveModel {
        author_id: Set(author.0),
        body: Set(body.clone()),
        created_at_ms: Set(now_ms()),
        edited_at_ms: Set(None),
        visibility: Set(visibility.as_str().to_owned()),
        is_share: Set(false),
        shared_post_id: Set(None),
        published: Set(published),
        ..Default::default()
    }
    .insert(db)
    .await?;
    media::attach_to_post(db, PostId(post.id), uploads).await?;
    if let Some(v) = &video {
        videos::attach_to_post(db, v, PostId(post.id)).await?;
    }
    let mentioned = store_mentions(db, author, Some(post.id), None, &body).await?;
    if published {
        announce_created(db, hub, &post).await?;
    }
    notifications::notify_mentions(db, hub, author, &mentioned, PostId(post.id), None).await?;
    get_post(db, author, PostId(post.id)).await
}

/// A post whose video just became ready was published: tell its audience
/// and notify the people it mentions (they couldn't see it before).
///
/// # Errors
/// `Internal` on database failure.
pub async fn announce_published<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    post: &posts::Model,
) -> AppResult<()> {
    announce_created(db, hub, post).await?;
    let mentioned: Vec<UserId> = mentions::Entity::find()
        .filter(mentions::Column::PostId.eq(post.id))
        .filter(mentions::Column::CommentId.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| UserId(m.user_id))
        .collect();
    notifications::notify_mentions(
        db,
        hub,
        UserId(post.author_id),
        &mentioned,
        PostId(post.id),
        None,
    )
    .await
}

/// Tells the audience of `post` that it appeared (at creation, or when its
/// video became ready).
///
/// # Errors
/// `Internal` on database failure.
pub async fn announce_created<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    post: &posts::Model,
) -> AppResult<()> {
    let author = UserId(post.author_id);
    hub.publish(
        feed_audience(db, author, visibility_of(post)).await?,
        LiveEvent::PostCreated {
            post_id: PostId(post.id),
            author_id: author,
        },
    );
    Ok(())
}

/// Shares post `id` (or, for a share, the post it shares) with optional
/// text. Only Public posts may be shared publicly: a share of a Friends or
/// Only-me post can't be Public.
///
/// # Errors
/// `NotFound` if `me` can't see the post (or its root is gone);
/// `Validation` on `body` (over 5,000 characters) or `visibility`.
pub async fn share_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    id: PostId,
    body: &str,
    visibility: &str,
) -> AppResult<PostView> {
    let ctx = ViewerCtx::load(db, me).await?;
    let post = posts::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .filter(|p| ctx.can_see_post(p))
        .ok_or(AppError::NotFound)?;
    let root = if post.is_share {
        let root_id = post.shared_post_id.ok_or(AppError::NotFound)?;
        posts::Entity::find_by_id(root_id)
            .one(db)
            .await?
            .filter(|p| ctx.can_see_post(p))
            .ok_or(AppError::NotFound)?
    } else {
        post
    };
    let visibility = parse_visibility(visibility)?;
    if visibility == Visibility::Public && visibility_of(&root) != Visibility::Public {
        return Err(AppError::validation(
            "visibility",
            "Only public posts can be shared publicly. Share it with your friends instead.",
        ));
    }
    let body = validation::post_caption(body)?;
    let share = posts::ActiveModel {
        author_id: Set(me.0),
        body: Set(body.replace("\r\n", "\n")),
        created_at_ms: Set(now_ms()),
        edited_at_ms: Set(None),
        visibility: Set(visibility.as_str().to_owned()),
        is_share: Set(true),
        shared_post_id: Set(Some(root.id)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mentioned = store_mentions(db, me, Some(share.id), None, &body).await?;
    announce_created(db, hub, &share).await?;
    notifications::notify(
        db,
        hub,
        [Notice::post(
            NotificationKind::Share,
            me,
            UserId(root.author_id),
            PostId(root.id),
            None,
        )],
    )
    .await?;
    notifications::notify_mentions(db, hub, me, &mentioned, PostId(share.id), None).await?;
    get_post(db, me, PostId(share.id)).await
}

/// Loads a post the caller owns, or says why not. Someone else's post that
/// `user` can't see is `NotFound`; one they can see is `Forbidden`.
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
        let ctx = ViewerCtx::load(db, user).await?;
        return Err(if ctx.can_see_post(&post) {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    Ok(post)
}

/// Replaces the text and visibility of `user`'s post `id`.
///
/// # Errors
/// `NotFound` / `Forbidden` (see [`owned_post`]), `Validation` for bad text
/// or visibility. Nothing changes on error.
pub async fn update_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    user: UserId,
    id: PostId,
    body: &str,
    visibility: &str,
) -> AppResult<PostView> {
    let post = owned_post(db, user, id).await?;
    let has_photos = !media::photos_of_posts(db, &[post.id]).await?.is_empty();
    // A share's text, like a photo's caption, may be empty; all are held to
    // the post length limit.
    let body = if post.is_share || has_photos {
        validation::post_caption(body)?
    } else {
        validation::post_body(body)?
    };
    let visibility = parse_visibility(visibility)?;
    if post.is_share && visibility == Visibility::Public {
        let root_public = match post.shared_post_id {
            Some(root) => posts::Entity::find_by_id(root)
                .one(db)
                .await?
                .is_some_and(|r| visibility_of(&r) == Visibility::Public),
            None => false,
        };
        if !root_public {
            return Err(AppError::validation(
                "visibility",
                "Only public posts can be shared publicly. Share it with your friends instead.",
            ));
        }
    }
    let old_audience = audience(db, user, visibility_of(&post)).await?;
    // Saving the same text and audience again changes nothing others show.
    let changed = post.body != body || visibility_of(&post) != visibility;
    let mut active: posts::ActiveModel = post.into();
    active.body = Set(body.clone());
    active.visibility = Set(visibility.as_str().to_owned());
    active.edited_at_ms = Set(Some(now_ms()));
    active.update(db).await?;
    let mentioned = store_mentions(db, user, Some(id.0), None, &body).await?;
    if changed {
        // Post-scoped: only tabs showing the post (and allowed to see it
        // before the edit) hear of it.
        hub.publish(old_audience, LiveEvent::PostUpdated { post_id: id });
    }
    notifications::notify_mentions(db, hub, user, &mentioned, id, None).await?;
    get_post(db, user, id).await
}

/// Tells the audience of post `id` by `author` that it changed (e.g. a
/// photo's alt text or a removed photo), so open pages refetch it.
///
/// # Errors
/// `NotFound` if the post is gone.
pub async fn announce_updated<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    author: UserId,
    id: PostId,
) -> AppResult<()> {
    let post = posts::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    hub.publish(
        audience(db, author, visibility_of(&post)).await?,
        LiveEvent::PostUpdated { post_id: id },
    );
    Ok(())
}

/// Deletes `user`'s post `id` (its comments, reactions and mentions go
/// with it, its photos to the media trash; shares of it then show "This
/// content isn't available"). Run it in a transaction and empty the media
/// trash after the commit.
///
/// # Errors
/// `NotFound` / `Forbidden` (see [`owned_post`]).
pub async fn delete_post<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    user: UserId,
    id: PostId,
) -> AppResult<()> {
    let post = owned_post(db, user, id).await?;
    let audience = audience(db, user, visibility_of(&post)).await?;
    posts::Entity::update_many()
        .col_expr(
            posts::Column::SharedPostId,
            Expr::value(Option::<i64>::None),
        )
        .filter(posts::Column::SharedPostId.eq(id.0))
        .exec(db)
        .await?;
    media::trash_post_photos(db, id).await?;
    videos::trash_post_video(db, id).await?;
    posts::Entity::delete_by_id(id.0).exec(db).await?;
    hub.publish(audience, LiveEvent::PostDeleted { post_id: id });
    Ok(())
}

/// A post `viewer` may see, or `NotFound`.
///
/// # Errors
/// `NotFound` if it doesn't exist or `viewer` may not see it.
pub async fn visible_post<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    id: PostId,
) -> AppResult<(posts::Model, ViewerCtx)> {
    let ctx = ViewerCtx::load(db, viewer).await?;
    let post = posts::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .filter(|p| ctx.can_see_post(p))
        .ok_or(AppError::NotFound)?;
    Ok((post, ctx))
}

/// One post as `viewer` sees it.
///
/// # Errors
/// `NotFound` if it doesn't exist or `viewer` may not see it.
pub async fn get_post<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    id: PostId,
) -> AppResult<PostView> {
    let (post, ctx) = visible_post(db, viewer, id).await?;
    Ok(views(db, &ctx, vec![post]).await?.remove(0))
}

/// A page of posts in `scope` that `viewer` may see, newest first, after
/// `cursor` (exclusive).
///
/// # Errors
/// `NotFound` for the posts of someone who blocked `viewer`.
pub async fn list_posts<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    scope: Scope,
    cursor: Option<Cursor>,
) -> AppResult<FeedPage> {
    let ctx = ViewerCtx::load(db, viewer).await?;
    if let Scope::Author(author) = scope
        && ctx.blocked.contains(&author)
    {
        return Err(AppError::NotFound);
    }
    let mut rows = list_query(viewer, scope, cursor).all(db).await?;
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
        posts: views(db, &ctx, rows).await?,
        next_cursor,
    })
}

/// The query behind [`list_posts`]: one page (plus one row, to know if
/// there's more) of the posts in `scope` that `viewer` may see, newest
/// first. Public so its plan can be checked (`EXPLAIN QUERY PLAN`).
pub fn list_query(viewer: UserId, scope: Scope, cursor: Option<Cursor>) -> Select<posts::Entity> {
    let mut query = posts::Entity::find();
    query = match scope {
        Scope::Feed => query.filter(in_feed_of(viewer)),
        Scope::Author(author) => query
            .filter(posts::Column::AuthorId.eq(author.0))
            .filter(visible_to(viewer)),
    };
    if let Some(c) = cursor {
        // A row-value comparison: both databases turn it into an index
        // range on (created_at_ms, id) / (author_id, created_at_ms, id).
        query = query.filter(
            Expr::tuple([
                Expr::col(posts::Column::CreatedAtMs),
                Expr::col(posts::Column::Id),
            ])
            .lt(Expr::tuple([
                Expr::value(c.created_at_ms),
                Expr::value(c.id),
            ])),
        );
    }
    query
        .order_by_desc(posts::Column::CreatedAtMs)
        .order_by_desc(posts::Column::Id)
        .limit(FEED_PAGE_SIZE + 1)
}

/// Authors (with profiles) by id.
pub async fn authors<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, Author>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .find_also_related(profiles::Entity)
        .all(db)
        .await?;
    let mut avatars = media::photos_by_id(
        db,
        rows.iter().filter_map(|(_, p)| p.as_ref()?.avatar_media_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(u, p)| {
            let p = p?;
            Some((
                u.id,
                Author {
                    id: UserId(u.id),
                    username: u.username,
                    display_name: p.display_name,
                    avatar: p.avatar_media_id.and_then(|id| avatars.remove(&id)),
                },
            ))
        })
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct KindCount {
    post_id: i64,
    kind: String,
    n: i64,
}

#[derive(Debug, FromQueryResult)]
struct PostCount {
    post_id: i64,
    n: i64,
}

/// Reaction summaries for `ids` as `viewer` sees them.
pub async fn reaction_summaries<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    ids: &[i64],
) -> AppResult<HashMap<i64, ReactionSummary>> {
    let mut out: HashMap<i64, ReactionSummary> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let counts = reactions::Entity::find()
        .select_only()
        .column(reactions::Column::PostId)
        .column(reactions::Column::Kind)
        .column_as(reactions::Column::UserId.count(), "n")
        .filter(reactions::Column::PostId.is_in(ids.to_vec()))
        .group_by(reactions::Column::PostId)
        .group_by(reactions::Column::Kind)
        .into_model::<KindCount>()
        .all(db)
        .await?;
    for c in counts {
        if let Some(kind) = ReactionKind::parse(&c.kind) {
            out.entry(c.post_id)
                .or_default()
                .counts
                .push((kind, u32::try_from(c.n).unwrap_or(u32::MAX)));
        }
    }
    for summary in out.values_mut() {
        summary.counts.sort_by_key(|(k, _)| *k);
    }
    let mine = reactions::Entity::find()
        .filter(reactions::Column::UserId.eq(viewer.0))
        .filter(reactions::Column::PostId.is_in(ids.to_vec()))
        .all(db)
        .await?;
    for r in mine {
        out.entry(r.post_id).or_default().mine = ReactionKind::parse(&r.kind);
    }
    Ok(out)
}

/// Comment counts (replies included) for `ids`.
async fn comment_counts<C: ConnectionTrait>(db: &C, ids: &[i64]) -> AppResult<HashMap<i64, u32>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(comments::Entity::find()
        .select_only()
        .column(comments::Column::PostId)
        .column_as(comments::Column::Id.count(), "n")
        .filter(comments::Column::PostId.is_in(ids.to_vec()))
        .group_by(comments::Column::PostId)
        .into_model::<PostCount>()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.post_id, u32::try_from(c.n).unwrap_or(u32::MAX)))
        .collect())
}

/// Builds the views of `rows` (already checked visible) for the viewer in `ctx`: authors, mentions,
/// embedded shares (checked against the viewer), reactions and comment
/// counts, in a fixed number of queries.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    ctx: &ViewerCtx,
    rows: Vec<posts::Model>,
) -> AppResult<Vec<PostView>> {
    let root_ids: Vec<i64> = rows.iter().filter_map(|p| p.shared_post_id).collect();
    let roots: HashMap<i64, posts::Model> = if root_ids.is_empty() {
        HashMap::new()
    } else {
        posts::Entity::find()
            .filter(posts::Column::Id.is_in(root_ids))
            .all(db)
            .await?
            .into_iter()
            .filter(|p| ctx.can_see_post(p))
            .map(|p| (p.id, p))
            .collect()
    };
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mention_ids: Vec<i64> = ids.iter().chain(roots.keys()).copied().collect();
    let mentions = mentions_of(db, &mention_ids, false).await?;
    let authors = authors(
        db,
        rows.iter()
            .map(|p| p.author_id)
            .chain(roots.values().map(|p| p.author_id)),
    )
    .await?;
    let photos = media::photos_of_posts(db, &mention_ids).await?;
    let mut videos = videos::videos_of_posts(db, &ids).await?;
    let mut reactions = reaction_summaries(db, ctx.viewer, &ids).await?;
    let comment_counts = comment_counts(db, &ids).await?;
    let author = |id: i64| {
        authors
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::from(anyhow::anyhow!("user {id} has no profile")))
    };
    rows.into_iter()
        .map(|p| {
            let shared = p
                .is_share
                .then(|| match p.shared_post_id.and_then(|id| roots.get(&id)) {
                    Some(root) => {
                        Ok::<_, AppError>(SharedPost::Available(Box::new(EmbeddedPost {
                            id: PostId(root.id),
                            author: author(root.author_id)?,
                            body: root.body.clone(),
                            mentions: mentions.get(&root.id).cloned().unwrap_or_default(),
                            photos: photos.get(&root.id).cloned().unwrap_or_default(),
                            created_at_ms: root.created_at_ms,
                            visibility: visibility_of(root),
                        })))
                    }
                    None => Ok(SharedPost::Unavailable),
                });
            let author = author(p.author_id)?;
            Ok(PostView {
                id: PostId(p.id),
                can_edit: ctx.viewer == author.id,
                visibility: visibility_of(&p),
                author,
                mentions: mentions.get(&p.id).cloned().unwrap_or_default(),
                shared: shared.transpose()?,
                photos: photos.get(&p.id).cloned().unwrap_or_default(),
                video: videos.remove(&p.id),
                reactions: reactions.remove(&p.id).unwrap_or_default(),
                comment_count: comment_counts.get(&p.id).copied().unwrap_or(0),
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
