//! The durable live-event log (`live_events`): events that a reconnecting
//! socket must not miss are written here in the transaction of the change
//! they describe, then published; a socket that resumes after event `n`
//! gets every later event addressed to its user, in id order.
//!
//! The pattern, used by chat and notifications:
//! ```text
//! let _order = hub.ordered().await;      // ids reach sockets in order
//! let txn = crate::db::begin_ordered_write(db).await?; // ids commit in order
//! ... change rows ...; outbox.add(&txn, target, message, event).await?;
//! txn.commit().await?;
//! outbox.publish(hub);
//! ```
//!
//! The log keeps no text that is gone elsewhere: when a message is edited
//! or deleted, its earlier events are rewritten to its new state
//! ([`rewrite_message`]), so a deleted message's text (or an edited one's
//! old text) isn't kept for the retention period.

use crate::db::entities::{conversation_members, live_events};
use crate::error::AppResult;
use crate::events::LiveEvent;
use crate::hub::{Audience, EventHub};
use crate::ids::{ConversationId, EventId, MessageId, UserId};
use crate::models::MessageView;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// At most this many events are replayed; beyond, the socket gets
/// [`LiveEvent::Resync`] and the page refetches.
pub const REPLAY_LIMIT: u64 = 1_000;
/// How long events are kept for replay: 7 days, in ms.
pub const RETENTION_MS: i64 = 7 * 24 * 3_600_000;

/// Who a durable event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// One user (all their tabs).
    User(UserId),
    /// A conversation's members at delivery (and at replay) time.
    Conversation(ConversationId),
}

/// The current members of `conversation`.
///
/// # Errors
/// On database failure.
pub async fn member_ids<C: ConnectionTrait>(
    db: &C,
    conversation: ConversationId,
) -> AppResult<Vec<UserId>> {
    Ok(conversation_members::Entity::find()
        .select_only()
        .column(conversation_members::Column::UserId)
        .filter(conversation_members::Column::ConversationId.eq(conversation.0))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .map(UserId)
        .collect())
}

/// Durable events written in a transaction, published once it commits.
#[derive(Debug, Default)]
pub struct Outbox {
    pending: Vec<(EventId, Audience, LiveEvent)>,
}

impl Outbox {
    /// Writes `event` for `target` (about `message`, if any) with `db`
    /// (the transaction of the change).
    ///
    /// # Errors
    /// On database failure.
    pub async fn add<C: ConnectionTrait>(
        &mut self,
        db: &C,
        target: Target,
        message: Option<MessageId>,
        event: LiveEvent,
    ) -> AppResult<EventId> {
        let payload = serde_json::to_string(&event).map_err(anyhow::Error::from)?;
        let (user_id, conversation_id, audience) = match target {
            Target::User(user) => (Some(user.0), None, Audience::Users(vec![user])),
            Target::Conversation(c) => (None, Some(c.0), Audience::Users(member_ids(db, c).await?)),
        };
        let row = live_events::ActiveModel {
            created_at_ms: Set(now_ms()),
            user_id: Set(user_id),
            conversation_id: Set(conversation_id),
            message_id: Set(message.map(|m| m.0)),
            payload: Set(payload),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let id = EventId(row.id);
        self.pending.push((id, audience, event));
        Ok(id)
    }

    /// Publishes the events (call after the commit, still holding
    /// [`EventHub::ordered`]).
    pub fn publish(self, hub: &EventHub) {
        for (id, audience, event) in self.pending {
            hub.publish_durable(audience, id, event);
        }
    }
}

/// Rewrites the stored events about `message` (its creation and earlier
/// edits) to carry it as it is now, with `db` (the transaction of the edit
/// or deletion): the old text, or a deleted message's text and photo, no
/// longer sit in the log. Unreadable rows about it are dropped.
///
/// # Errors
/// On database failure.
pub async fn rewrite_message<C: ConnectionTrait>(db: &C, message: &MessageView) -> AppResult<()> {
    let rows = live_events::Entity::find()
        .filter(live_events::Column::MessageId.eq(message.id.0))
        .all(db)
        .await?;
    for row in rows {
        let mut event = match serde_json::from_str::<LiveEvent>(&row.payload) {
            Ok(event) => event,
            Err(_) => {
                live_events::Entity::delete_by_id(row.id).exec(db).await?;
                continue;
            }
        };
        let (LiveEvent::MessageCreated { message: stored }
        | LiveEvent::MessageUpdated { message: stored }) = &mut event
        else {
            continue;
        };
        if *stored == *message {
            continue;
        }
        *stored = message.clone();
        let payload = serde_json::to_string(&event).map_err(anyhow::Error::from)?;
        live_events::Entity::update_many()
            .col_expr(live_events::Column::Payload, Expr::value(payload))
            .filter(live_events::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The newest event id (0 when the log is empty): what a freshly loaded
/// page resumes after.
///
/// # Errors
/// On database failure.
pub async fn latest_id<C: ConnectionTrait>(db: &C) -> AppResult<EventId> {
    let max: Option<Option<i64>> = live_events::Entity::find()
        .select_only()
        .column_as(live_events::Column::Id.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(EventId(max.flatten().unwrap_or(0)))
}

/// What a resuming socket is sent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// Every event after the requested id for this user, oldest first.
    Events(Vec<(EventId, LiveEvent)>),
    /// Too many, or some were swept: refetch, and resume after `latest`.
    Resync {
        /// The newest id now.
        latest: EventId,
    },
}

/// The events for `user` after `after`: addressed to them, or to a
/// conversation they are a member of now. Message events carry the
/// message as it is now (edited or deleted since), so a deleted message's
/// text is never replayed.
///
/// # Errors
/// On database failure.
pub async fn replay<C: ConnectionTrait>(db: &C, user: UserId, after: EventId) -> AppResult<Replay> {
    let oldest: Option<Option<i64>> = live_events::Entity::find()
        .select_only()
        .column_as(live_events::Column::Id.min(), "min")
        .into_tuple()
        .one(db)
        .await?;
    if let Some(oldest) = oldest.flatten()
        && after.0 + 1 < oldest
    {
        return Ok(Replay::Resync {
            latest: latest_id(db).await?,
        });
    }
    let mine = Query::select()
        .column(conversation_members::Column::ConversationId)
        .from(conversation_members::Entity)
        .and_where(Expr::col(conversation_members::Column::UserId).eq(user.0))
        .to_owned();
    let rows = live_events::Entity::find()
        .filter(live_events::Column::Id.gt(after.0))
        .filter(
            Condition::any()
                .add(live_events::Column::UserId.eq(user.0))
                .add(live_events::Column::ConversationId.in_subquery(mine)),
        )
        .order_by_asc(live_events::Column::Id)
        .limit(REPLAY_LIMIT + 1)
        .all(db)
        .await?;
    if rows.len() as u64 > REPLAY_LIMIT {
        return Ok(Replay::Resync {
            latest: latest_id(db).await?,
        });
    }
    let message_ids: Vec<MessageId> = rows
        .iter()
        .filter_map(|r| r.message_id)
        .map(MessageId)
        .collect();
    let current = crate::services::chat::message_views(db, &message_ids).await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(mut event) = serde_json::from_str::<LiveEvent>(&row.payload) else {
            tracing::warn!(id = row.id, "unreadable live event skipped");
            continue;
        };
        if let LiveEvent::MessageCreated { message } | LiveEvent::MessageUpdated { message } =
            &mut event
            && let Some(now) = current.get(&message.id)
        {
            *message = now.clone();
        }
        events.push((EventId(row.id), event));
    }
    Ok(Replay::Events(events))
}

/// Deletes events older than [`RETENTION_MS`]; returns how many.
///
/// # Errors
/// On database failure.
pub async fn sweep<C: ConnectionTrait>(db: &C) -> AppResult<u64> {
    let cutoff = now_ms() - RETENTION_MS;
    Ok(live_events::Entity::delete_many()
        .filter(live_events::Column::CreatedAtMs.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
