//! Notifications: stored per recipient, grouped by what they are about
//! ("Ana and 3 others reacted to your post"), delivered live as a durable
//! [`LiveEvent::NotificationsChanged`] to the recipient's tabs.
//!
//! Nobody is notified of their own actions, nor of anything by someone
//! blocked either way (checked when the notice is recorded, and again when
//! the list is read, so a later block hides older ones too). A new action
//! in a group bumps it to the top and marks it unread again.
//!
//! "Added you to a group" keeps the group's name at the time: someone who
//! has left doesn't learn its later names.

use crate::db::entities::{
    conversation_members, conversations, friendships, notification_actors, notifications, posts,
};
use crate::error::{AppError, AppResult};
use crate::events::LiveEvent;
use crate::hub::EventHub;
use crate::ids::{CommentId, ConversationId, NotificationId, PostId, UserId};
use crate::models::{
    NOTIFICATIONS_PAGE_SIZE, NotificationKind, NotificationTarget, NotificationView,
    NotificationsPage,
};
use crate::services::live_log::{Outbox, Target};
use crate::services::posts::{authors, visible_post};
use crate::services::social::{blocked_either_way, blocked_ids};
use crate::time_fmt::now_ms;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Something that happened that `recipient` should hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    /// Who is told.
    pub recipient: UserId,
    /// Who did it.
    pub actor: UserId,
    /// What happened.
    pub kind: NotificationKind,
    /// The post it is about, if any.
    pub post: Option<PostId>,
    /// The comment it is about, if any (for replies: the recipient's
    /// comment that was replied to).
    pub comment: Option<CommentId>,
    /// The conversation it is about, if any.
    pub conversation: Option<ConversationId>,
}

impl Notice {
    /// A notice without a target (friend requests and acceptances).
    pub fn person(kind: NotificationKind, actor: UserId, recipient: UserId) -> Self {
        Self {
            recipient,
            actor,
            kind,
            post: None,
            comment: None,
            conversation: None,
        }
    }

    /// A notice about `post` (and `comment`).
    pub fn post(
        kind: NotificationKind,
        actor: UserId,
        recipient: UserId,
        post: PostId,
        comment: Option<CommentId>,
    ) -> Self {
        Self {
            post: Some(post),
            comment,
            ..Self::person(kind, actor, recipient)
        }
    }

    /// `actor` added `recipient` to group `conversation`.
    pub fn added_to_group(actor: UserId, recipient: UserId, conversation: ConversationId) -> Self {
        Self {
            conversation: Some(conversation),
            ..Self::person(NotificationKind::AddedToGroup, actor, recipient)
        }
    }

    /// What notices group by, per recipient.
    pub fn group_key(&self) -> String {
        let kind = self.kind.as_str();
        match self.kind {
            NotificationKind::FriendRequest | NotificationKind::FriendAccepted => {
                format!("{kind}:user:{}", self.actor)
            }
            NotificationKind::Reply => {
                format!("{kind}:comment:{}", self.comment.map_or(0, |c| c.0))
            }
            NotificationKind::Mention => match (self.comment, self.post) {
                (Some(c), _) => format!("{kind}:comment:{c}"),
                (None, p) => format!("{kind}:post:{}", p.map_or(0, |p| p.0)),
            },
            NotificationKind::AddedToGroup => format!(
                "{kind}:conversation:{}",
                self.conversation.map_or(0, |c| c.0)
            ),
            NotificationKind::Reaction | NotificationKind::Comment | NotificationKind::Share => {
                format!("{kind}:post:{}", self.post.map_or(0, |p| p.0))
            }
        }
    }
}

/// Stores `notice` with `db` (the caller's transaction, if any) and queues
/// its live event in `out`. Returns whether anything was stored (not for
/// one's own actions, nor between people blocked either way).
///
/// # Errors
/// On database failure.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    out: &mut Outbox,
    notice: Notice,
) -> AppResult<bool> {
    if notice.actor == notice.recipient
        || blocked_either_way(db, notice.actor, notice.recipient).await?
    {
        return Ok(false);
    }
    let key = notice.group_key();
    let now = now_ms();
    // The conversation's name now, kept with the notice.
    let conversation_name = match notice.conversation {
        Some(c) => conversations::Entity::find_by_id(c.0)
            .one(db)
            .await?
            .and_then(|c| c.name),
        None => None,
    };
    let existing = notifications::Entity::find()
        .filter(notifications::Column::RecipientId.eq(notice.recipient.0))
        .filter(notifications::Column::GroupKey.eq(key.clone()))
        .one(db)
        .await?;
    let id = match existing {
        Some(row) => row.id,
        None => {
            notifications::ActiveModel {
                recipient_id: Set(notice.recipient.0),
                kind: Set(notice.kind.as_str().to_owned()),
                group_key: Set(key),
                actor_id: Set(notice.actor.0),
                actor_count: Set(1),
                post_id: Set(notice.post.map(|p| p.0)),
                comment_id: Set(notice.comment.map(|c| c.0)),
                conversation_id: Set(notice.conversation.map(|c| c.0)),
                conversation_name: Set(conversation_name.clone()),
                updated_at_ms: Set(now),
                read_at_ms: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?
            .id
        }
    };
    notification_actors::Entity::insert(notification_actors::ActiveModel {
        notification_id: Set(id),
        actor_id: Set(notice.actor.0),
        created_at_ms: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            notification_actors::Column::NotificationId,
            notification_actors::Column::ActorId,
        ])
        .update_column(notification_actors::Column::CreatedAtMs)
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let actors = notification_actors::Entity::find()
        .filter(notification_actors::Column::NotificationId.eq(id))
        .count(db)
        .await?;
    let mut update = notifications::Entity::update_many()
        .col_expr(notifications::Column::ActorId, Expr::value(notice.actor.0))
        .col_expr(
            notifications::Column::ActorCount,
            Expr::value(i32::try_from(actors).unwrap_or(i32::MAX)),
        )
        .col_expr(notifications::Column::UpdatedAtMs, Expr::value(now))
        .col_expr(notifications::Column::ReadAtMs, Expr::value(None::<i64>));
    if notice.conversation.is_some() {
        // Added again: the name as of this time.
        update = update.col_expr(
            notifications::Column::ConversationName,
            Expr::value(conversation_name),
        );
    }
    update
        .filter(notifications::Column::Id.eq(id))
        .exec(db)
        .await?;
    out.add(
        db,
        Target::User(notice.recipient),
        None,
        LiveEvent::NotificationsChanged,
    )
    .await?;
    Ok(true)
}

/// Records `notices` and publishes their live events (in order with other
/// durable events).
///
/// # Errors
/// On database failure.
pub async fn notify<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    notices: impl IntoIterator<Item = Notice>,
) -> AppResult<()> {
    let _order = hub.ordered().await;
    let mut out = Outbox::default();
    for notice in notices {
        record(db, &mut out, notice).await?;
    }
    out.publish(hub);
    Ok(())
}

/// Mention notices for `mentioned` people who may see `post`.
///
/// # Errors
/// On database failure.
pub async fn notify_mentions<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    actor: UserId,
    mentioned: &[UserId],
    post: PostId,
    comment: Option<CommentId>,
) -> AppResult<()> {
    let mut notices = Vec::new();
    for &user in mentioned {
        match visible_post(db, user, post).await {
            Ok(_) => notices.push(Notice::post(
                NotificationKind::Mention,
                actor,
                user,
                post,
                comment,
            )),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    if notices.is_empty() {
        return Ok(());
    }
    notify(db, hub, notices).await
}

/// Unread notifications of `me`.
///
/// # Errors
/// On database failure.
pub async fn unread_count<C: ConnectionTrait>(db: &C, me: UserId) -> AppResult<u32> {
    let n = notifications::Entity::find()
        .filter(notifications::Column::RecipientId.eq(me.0))
        .filter(notifications::Column::ReadAtMs.is_null())
        .filter(
            notifications::Column::ActorId
                .is_not_in(blocked_ids(db, me).await?.iter().map(|u| u.0)),
        )
        .count(db)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn encode_cursor(row: &notifications::Model) -> String {
    format!("{}_{}", row.updated_at_ms, row.id)
}

fn decode_cursor(s: &str) -> AppResult<(i64, i64)> {
    let bad = || AppError::validation("cursor", "That page link is out of date.");
    let (t, id) = s.split_once('_').ok_or_else(bad)?;
    Ok((
        t.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// A page of `me`'s notifications, newest activity first.
///
/// # Errors
/// `Validation` on a malformed `cursor`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    cursor: Option<&str>,
) -> AppResult<NotificationsPage> {
    let hidden = blocked_ids(db, me).await?;
    let mut query = notifications::Entity::find()
        .filter(notifications::Column::RecipientId.eq(me.0))
        .filter(notifications::Column::ActorId.is_not_in(hidden.iter().map(|u| u.0)))
        .order_by_desc(notifications::Column::UpdatedAtMs)
        .order_by_desc(notifications::Column::Id)
        .limit(NOTIFICATIONS_PAGE_SIZE + 1);
    if let Some(cursor) = cursor {
        let (t, id) = decode_cursor(cursor)?;
        query = query.filter(
            Condition::any()
                .add(notifications::Column::UpdatedAtMs.lt(t))
                .add(
                    Condition::all()
                        .add(notifications::Column::UpdatedAtMs.eq(t))
                        .add(notifications::Column::Id.lt(id)),
                ),
        );
    }
    let mut rows = query.all(db).await?;
    let more = rows.len() as u64 > NOTIFICATIONS_PAGE_SIZE;
    rows.truncate(NOTIFICATIONS_PAGE_SIZE as usize);
    let next_cursor = more.then(|| rows.last().map(encode_cursor)).flatten();
    let people = authors(db, rows.iter().map(|r| r.actor_id)).await?;
    // Notices from before names were stored show the current name, but
    // only to members (someone who left must not learn later names).
    let unnamed: Vec<i64> = rows
        .iter()
        .filter(|r| r.conversation_name.is_none())
        .filter_map(|r| r.conversation_id)
        .collect();
    let member_of: Vec<i64> = if unnamed.is_empty() {
        Vec::new()
    } else {
        conversation_members::Entity::find()
            .select_only()
            .column(conversation_members::Column::ConversationId)
            .filter(conversation_members::Column::UserId.eq(me.0))
            .filter(conversation_members::Column::ConversationId.is_in(unnamed))
            .into_tuple::<i64>()
            .all(db)
            .await?
    };
    let names: HashMap<i64, String> = if member_of.is_empty() {
        HashMap::new()
    } else {
        conversations::Entity::find()
            .filter(conversations::Column::Id.is_in(member_of))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name.unwrap_or_default()))
            .collect()
    };
    let existing_posts: HashMap<i64, i64> = posts::Entity::find()
        .select_only()
        .column(posts::Column::Id)
        .filter(posts::Column::Id.is_in(rows.iter().filter_map(|r| r.post_id)))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .map(|id| (id, id))
        .collect();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(kind), Some(actor)) = (
            NotificationKind::parse(&row.kind),
            people.get(&row.actor_id).cloned(),
        ) else {
            continue;
        };
        let target = match (row.post_id, row.conversation_id) {
            (Some(post), _) if existing_posts.contains_key(&post) => NotificationTarget::Post {
                post_id: PostId(post),
                comment_id: row.comment_id.map(CommentId),
            },
            (_, Some(c)) => NotificationTarget::Conversation {
                conversation_id: ConversationId(c),
                name: row
                    .conversation_name
                    .clone()
                    .or_else(|| names.get(&c).cloned())
                    .unwrap_or_default(),
            },
            _ => NotificationTarget::Person {
                username: actor.username.clone(),
            },
        };
        let request_pending = kind == NotificationKind::FriendRequest
            && friendships::Entity::find_by_id((row.actor_id.min(me.0), row.actor_id.max(me.0)))
                .one(db)
                .await?
                .is_some_and(|f| {
                    f.status == friendships::PENDING && f.requester_id == row.actor_id
                });
        items.push(NotificationView {
            id: NotificationId(row.id),
            kind,
            actor,
            others: u32::try_from(row.actor_count.max(1) - 1).unwrap_or(0),
            target,
            updated_at_ms: row.updated_at_ms,
            read: row.read_at_ms.is_some(),
            request_pending,
        });
    }
    Ok(NotificationsPage { items, next_cursor })
}

/// Tells `me`'s tabs that their notifications changed.
async fn changed<C: ConnectionTrait>(db: &C, hub: &EventHub, me: UserId) -> AppResult<()> {
    let _order = hub.ordered().await;
    let mut out = Outbox::default();
    out.add(db, Target::User(me), None, LiveEvent::NotificationsChanged)
        .await?;
    out.publish(hub);
    Ok(())
}

fn own(me: UserId, id: Option<NotificationId>) -> Condition {
    let mut cond = Condition::all().add(notifications::Column::RecipientId.eq(me.0));
    if let Some(id) = id {
        cond = cond.add(notifications::Column::Id.eq(id.0));
    }
    cond
}

/// Marks notification `id` (or, with `None`, all of `me`'s) read.
///
/// # Errors
/// `NotFound` if `id` isn't `me`'s.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    id: Option<NotificationId>,
) -> AppResult<()> {
    let res = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAtMs, Expr::value(now_ms()))
        .filter(own(me, id))
        .filter(notifications::Column::ReadAtMs.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        if let Some(id) = id
            && notifications::Entity::find()
                .filter(own(me, Some(id)))
                .one(db)
                .await?
                .is_none()
        {
            return Err(AppError::NotFound);
        }
        return Ok(());
    }
    changed(db, hub, me).await
}

/// Marks `me`'s friend-request notification from `requester` read (the
/// request was answered, wherever that happened).
///
/// # Errors
/// On database failure.
pub async fn resolve_friend_request<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    requester: UserId,
) -> AppResult<()> {
    let key = Notice::person(NotificationKind::FriendRequest, requester, me).group_key();
    let res = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAtMs, Expr::value(now_ms()))
        .filter(own(me, None))
        .filter(notifications::Column::GroupKey.eq(key))
        .filter(notifications::Column::ReadAtMs.is_null())
        .exec(db)
        .await?;
    if res.rows_affected > 0 {
        changed(db, hub, me).await?;
    }
    Ok(())
}

/// Deletes `me`'s notification `id`.
///
/// # Errors
/// `NotFound` if it isn't `me`'s.
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    id: NotificationId,
) -> AppResult<()> {
    let res = notifications::Entity::delete_many()
        .filter(own(me, Some(id)))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    changed(db, hub, me).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_target() {
        let a = Notice::post(
            NotificationKind::Reaction,
            UserId(1),
            UserId(9),
            PostId(4),
            None,
        );
        let b = Notice::post(
            NotificationKind::Reaction,
            UserId(2),
            UserId(9),
            PostId(4),
            None,
        );
        assert_eq!(a.group_key(), b.group_key());
        let req1 = Notice::person(NotificationKind::FriendRequest, UserId(1), UserId(9));
        let req2 = Notice::person(NotificationKind::FriendRequest, UserId(2), UserId(9));
        assert_ne!(req1.group_key(), req2.group_key(), "one per requester");
        assert_eq!(decode_cursor("12_3").ok(), Some((12, 3)));
        assert!(decode_cursor("x").is_err());
    }
}
