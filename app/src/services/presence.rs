//! Presence: whether a friend is online, and when they were last seen.
//!
//! A user is online while at least one of their tabs holds a live socket.
//! When the last one closes they stay online for [`GRACE`] (a reload, a
//! navigation without client routing or a flaky network doesn't flap),
//! then go offline and their last-seen time is stored.
//!
//! Cost: presence is only announced on those transitions, and only to the
//! user's friends (one friend-list query per transition), never per tab or
//! per heartbeat, so the work grows with sign-ins, not with open tabs or
//! time. (Synapse's presence, which fanned out every change to every
//! user sharing a room, became its top CPU consumer; see
//! matrix-org/synapse#3971.) People who hide their presence announce
//! nothing.
//!
//! This tracker counts the tabs of one server process; the cross-instance
//! hub will need the counts shared (e.g. in Redis).

use crate::db::entities::users;
use crate::error::AppResult;
use crate::events::LiveEvent;
use crate::hub::{Audience, EventHub};
use crate::ids::UserId;
use crate::models::{FriendPresence, LiveSettings, Presence};
use crate::services::social::friend_ids;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long after its last tab closes a user still counts as online.
pub const GRACE: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct Entry {
    tabs: u32,
    online: bool,
    /// Bumped on every open and close; a pending offline timer fires only
    /// if nothing happened since it was set.
    generation: u64,
}

/// Counters of the work presence caused, for the load benchmark.
#[derive(Debug, Default)]
pub struct PresenceStats {
    /// Online/offline transitions announced.
    pub transitions: AtomicU64,
    /// Frames queued to friends by those announcements.
    pub frames: AtomicU64,
}

/// Tab counts per user, for this process.
#[derive(Debug)]
pub struct PresenceTracker {
    entries: Mutex<HashMap<UserId, Entry>>,
    grace: Duration,
    /// Work counters.
    pub stats: PresenceStats,
}

impl Default for PresenceTracker {
    fn default() -> Self {
        Self::new(GRACE)
    }
}

impl PresenceTracker {
    /// A tracker with the given grace period.
    pub fn new(grace: Duration) -> Self {
        Self {
            entries: Mutex::default(),
            grace,
            stats: PresenceStats::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `user` is online now.
    pub fn is_online(&self, user: UserId) -> bool {
        self.lock().get(&user).is_some_and(|e| e.online)
    }

    /// A tab of `user` connected; announces them online to their friends
    /// if they weren't.
    ///
    /// # Errors
    /// On database failure (the tab still counts).
    pub async fn tab_opened(
        &self,
        db: &DatabaseConnection,
        hub: &EventHub,
        user: UserId,
    ) -> AppResult<()> {
        let came_online = {
            let mut entries = self.lock();
            let entry = entries.entry(user).or_default();
            entry.tabs += 1;
            entry.generation += 1;
            !std::mem::replace(&mut entry.online, true)
        };
        if came_online {
            self.announce(db, hub, user, true, None).await?;
        }
        Ok(())
    }

    /// A tab of `user` disconnected; after the grace period with no tab
    /// open, stores their last-seen time and announces them offline.
    pub fn tab_closed(self: &Arc<Self>, db: &DatabaseConnection, hub: &EventHub, user: UserId) {
        let generation = {
            let mut entries = self.lock();
            let Some(entry) = entries.get_mut(&user) else {
                return;
            };
            entry.tabs = entry.tabs.saturating_sub(1);
            entry.generation += 1;
            if entry.tabs > 0 {
                return;
            }
            entry.generation
        };
        let tracker = Arc::clone(self);
        let (db, hub) = (db.clone(), hub.clone());
        tokio::spawn(async move {
            tokio::time::sleep(tracker.grace).await;
            let went_offline = {
                let mut entries = tracker.lock();
                match entries.get(&user) {
                    Some(e) if e.tabs == 0 && e.generation == generation => {
                        entries.remove(&user);
                        true
                    }
                    _ => false,
                }
            };
            if went_offline && let Err(e) = tracker.went_offline(&db, &hub, user).await {
                tracing::error!(error = %e, user = %user, "recording last seen");
            }
        });
    }

    async fn went_offline(
        &self,
        db: &DatabaseConnection,
        hub: &EventHub,
        user: UserId,
    ) -> AppResult<()> {
        let now = now_ms();
        users::Entity::update_many()
            .col_expr(users::Column::LastSeenAtMs, Expr::value(now))
            .filter(users::Column::Id.eq(user.0))
            .exec(db)
            .await?;
        self.announce(db, hub, user, false, Some(now)).await
    }

    /// Tells `user`'s friends their state, unless they hide it.
    async fn announce<C: ConnectionTrait>(
        &self,
        db: &C,
        hub: &EventHub,
        user: UserId,
        online: bool,
        last_seen_ms: Option<i64>,
    ) -> AppResult<()> {
        let shows = users::Entity::find_by_id(user.0)
            .one(db)
            .await?
            .is_some_and(|u| u.show_presence);
        if !shows {
            return Ok(());
        }
        let friends = friend_ids(db, user).await?;
        self.stats.transitions.fetch_add(1, Ordering::Relaxed);
        self.stats
            .frames
            .fetch_add(friends.len() as u64, Ordering::Relaxed);
        hub.publish(
            Audience::Users(friends),
            LiveEvent::PresenceChanged {
                user_id: user,
                online,
                last_seen_ms,
            },
        );
        Ok(())
    }

    /// The presence of `me`'s friends who show theirs.
    ///
    /// # Errors
    /// On database failure.
    pub async fn friends_presence<C: ConnectionTrait>(
        &self,
        db: &C,
        me: UserId,
    ) -> AppResult<Vec<FriendPresence>> {
        let friends = friend_ids(db, me).await?;
        let rows = users::Entity::find()
            .filter(users::Column::Id.is_in(friends.iter().map(|u| u.0)))
            .filter(users::Column::ShowPresence.eq(true))
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|u| FriendPresence {
                user_id: UserId(u.id),
                presence: Presence {
                    online: self.is_online(UserId(u.id)),
                    last_seen_ms: u.last_seen_at_ms,
                },
            })
            .collect())
    }

    /// Saves `me`'s live settings; announces a presence change to friends
    /// when `show_presence` flips.
    ///
    /// # Errors
    /// On database failure.
    pub async fn update_settings(
        &self,
        db: &DatabaseConnection,
        hub: &EventHub,
        me: UserId,
        settings: LiveSettings,
    ) -> AppResult<LiveSettings> {
        let before = live_settings(db, me).await?;
        users::Entity::update_many()
            .col_expr(
                users::Column::SendReadReceipts,
                Expr::value(settings.send_read_receipts),
            )
            .col_expr(
                users::Column::ShowPresence,
                Expr::value(settings.show_presence),
            )
            .filter(users::Column::Id.eq(me.0))
            .exec(db)
            .await?;
        if before.show_presence != settings.show_presence {
            let friends = friend_ids(db, me).await?;
            let online = settings.show_presence && self.is_online(me);
            let last_seen_ms = if settings.show_presence {
                users::Entity::find_by_id(me.0)
                    .one(db)
                    .await?
                    .and_then(|u| u.last_seen_at_ms)
            } else {
                None
            };
            hub.publish(
                Audience::Users(friends),
                LiveEvent::PresenceChanged {
                    user_id: me,
                    online,
                    last_seen_ms,
                },
            );
        }
        Ok(settings)
    }
}

/// `me`'s live settings.
///
/// # Errors
/// On database failure; `NotFound` for an unknown user.
pub async fn live_settings<C: ConnectionTrait>(db: &C, me: UserId) -> AppResult<LiveSettings> {
    let u = users::Entity::find_by_id(me.0)
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    Ok(LiveSettings {
        send_read_receipts: u.send_read_receipts,
        show_presence: u.show_presence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_are_counted_per_user() {
        let tracker = PresenceTracker::new(Duration::from_millis(10));
        {
            let mut entries = tracker.lock();
            let e = entries.entry(UserId(1)).or_default();
            e.tabs = 2;
            e.online = true;
        }
        assert!(tracker.is_online(UserId(1)));
        assert!(!tracker.is_online(UserId(2)));
    }
}
