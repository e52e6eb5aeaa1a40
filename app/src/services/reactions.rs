//! Reactions: one per person per post (Like, Love, Haha, Wow, Sad, Angry),
//! changed or removed at will, on posts the person may see.

use crate::db::entities::reactions;
use crate::error::AppResult;
use crate::events::LiveEvent;
use crate::hub::EventHub;
use crate::ids::{PostId, UserId};
use crate::models::NotificationKind;
use crate::models::{ReactionKind, ReactionSummary, Reactor};
use crate::services::notifications::{self, Notice};
use crate::services::posts::{audience, reaction_summaries, visible_post};
use crate::services::social::cards;
use crate::services::visibility::visibility_of;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// Sets (`Some`) or removes (`None`) `me`'s reaction to `post`; returns the
/// new summary. A real change tells the post's audience (the tabs showing
/// it) and, for a new or changed reaction, notifies its author; asking for
/// the reaction `me` already has (or removing none) writes and publishes
/// nothing.
///
/// # Errors
/// `NotFound` if `me` can't see the post (blocks included).
pub async fn react<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    post: PostId,
    kind: Option<ReactionKind>,
) -> AppResult<ReactionSummary> {
    let (row, _) = visible_post(db, me, post).await?;
    let current = reactions::Entity::find_by_id((post.0, me.0))
        .one(db)
        .await?;
    let unchanged = match (&current, kind) {
        (Some(current), Some(kind)) => current.kind == kind.as_str(),
        (None, None) => true,
        _ => false,
    };
    if unchanged {
        return summary(db, me, post).await;
    }
    match kind {
        Some(kind) => {
            reactions::Entity::insert(reactions::ActiveModel {
                post_id: Set(post.0),
                user_id: Set(me.0),
                kind: Set(kind.as_str().to_owned()),
                created_at_ms: Set(now_ms()),
            })
            .on_conflict(
                OnConflict::columns([reactions::Column::PostId, reactions::Column::UserId])
                    .update_columns([reactions::Column::Kind, reactions::Column::CreatedAtMs])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
        None => {
            reactions::Entity::delete_by_id((post.0, me.0))
                .exec(db)
                .await?;
        }
    }
    hub.publish(
        audience(db, UserId(row.author_id), visibility_of(&row)).await?,
        LiveEvent::ReactionsChanged { post_id: post },
    );
    if kind.is_some() {
        notifications::notify(
            db,
            hub,
            [Notice::post(
                NotificationKind::Reaction,
                me,
                UserId(row.author_id),
                post,
                None,
            )],
        )
        .await?;
    }
    summary(db, me, post).await
}

/// `post`'s reaction summary as `me` sees it.
async fn summary<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    post: PostId,
) -> AppResult<ReactionSummary> {
    Ok(reaction_summaries(db, me, &[post.0])
        .await?
        .remove(&post.0)
        .unwrap_or_default())
}

/// Who reacted to `post`, newest first, leaving out people blocked either
/// way with `viewer`.
///
/// # Errors
/// `NotFound` if `viewer` can't see the post.
pub async fn list_reactors<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    post: PostId,
) -> AppResult<Vec<Reactor>> {
    let (_, ctx) = visible_post(db, viewer, post).await?;
    let rows = reactions::Entity::find()
        .filter(reactions::Column::PostId.eq(post.0))
        .order_by_desc(reactions::Column::CreatedAtMs)
        .order_by_asc(reactions::Column::UserId)
        .all(db)
        .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| !ctx.blocked.contains(&UserId(r.user_id)))
        .collect();
    let ids: Vec<UserId> = rows.iter().map(|r| UserId(r.user_id)).collect();
    let people = cards(db, &ids).await?;
    Ok(people
        .into_iter()
        .zip(rows)
        .filter_map(|(person, r)| {
            Some(Reactor {
                person,
                kind: ReactionKind::parse(&r.kind)?,
            })
        })
        .collect())
}
