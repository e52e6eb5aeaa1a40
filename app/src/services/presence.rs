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
//! This tracker counts the tabs of one server process. With several
//! instances ([`PresenceTracker::with_redis`]) the counts are shared in
//! Redis ([`crate::cluster::presence`]): the same rules hold across
//! instances, and while Redis is unreachable each instance falls back to
//! its own counts.

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
    /// "Show when I'm online" flips per user (each flip tells every
    /// friend): [`TOGGLES_PER_MINUTE`] a minute.
    toggles: governor::DefaultKeyedRateLimiter<UserId>,
    /// Counts shared with the other instances, when configured.
    redis: Option<Arc<crate::cluster::presence::RedisPresence>>,
}

/// Flips of "Show when I'm online" allowed per user per minute (the burst;
/// it refills evenly). Each flip sends an event to every friend.
pub const TOGGLES_PER_MINUTE: u32 = 5;

impl Default for PresenceTracker {
    fn default() -> Self {
        Self::new(GRACE)
    }
}

impl PresenceTracker {
    /// A tracker with the given grace period.
    pub fn new(grace: Duration) -> Self {
        let burst =
            std::num::NonZeroU32::new(TOGGLES_PER_MINUTE).unwrap_or(std::num::NonZeroU32::MIN);
        let quota = governor::Quota::with_period(Duration::from_secs(60) / TOGGLES_PER_MINUTE)
            .unwrap_or_else(|| governor::Quota::per_minute(burst))
            .allow_burst(burst);
        Self {
            entries: Mutex::default(),
            grace,
            stats: PresenceStats::default(),
            toggles: governor::RateLimiter::keyed(quota),
            redis: None,
        }
    }

    /// The same tracker with its counts shared in Redis. Run
    /// [`PresenceTracker::run_cluster`] beside it.
    #[must_use]
    pub fn with_redis(mut self, redis: Arc<crate::cluster::presence::RedisPresence>) -> Self {
        self.redis = Some(redis);
        self
    }

    /// This process's open tabs per user.
    fn local_tabs(&self) -> Vec<(UserId, u32)> {
        self.lock()
            .iter()
            .filter(|(_, e)| e.tabs > 0)
            .map(|(u, e)| (*u, e.tabs))
            .collect()
    }

    /// The cross-instance work, to spawn (with Redis; it ends at once
    /// without): every [`crate::cluster::presence::TICK`] a heartbeat, the
    /// reaping of dead instances and the end of due grace periods (this
    /// instance announces the users it took offline); after each
    /// (re)connection to Redis, this instance's counts are written back.
    pub fn run_cluster(
        self: Arc<Self>,
        db: DatabaseConnection,
        hub: EventHub,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        // Registered now (before the link starts), not when first polled.
        let (resync_tx, resync_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        if let Some(redis) = &self.redis {
            redis.link().on_connect(Box::new(move || {
                let _ = resync_tx.send(());
            }));
        }
        self.cluster_loop(db, hub, resync_rx)
    }

    async fn cluster_loop(
        self: Arc<Self>,
        db: DatabaseConnection,
        hub: EventHub,
        mut resync_rx: tokio::sync::mpsc::UnboundedReceiver<()>,
    ) {
        let Some(redis) = self.redis.clone() else {
            return;
        };
        let mut tick = tokio::time::interval(crate::cluster::presence::TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                Some(()) = resync_rx.recv() => {
                    if let Ok(came) = redis.resync(&self.local_tabs()).await {
                        for user in came {
                            if let Err(e) = self.announce(&db, &hub, user, true, None).await {
                                tracing::error!(error = %e, "announcing presence");
                            }
                        }
                    }
                }
                _ = tick.tick() => {
                    let Ok(gone) = redis.tick(self.grace).await else { continue };
                    for user in gone {
                        if let Err(e) = self.went_offline(&db, &hub, user).await {
                            tracing::error!(error = %e, user = %user, "recording last seen");
                        }
                    }
                }
            }
        }
    }

    /// Removes this instance's tabs from the shared counts (graceful
    /// shutdown; nothing without Redis).
    pub async fn leave_cluster(&self) {
        if let Some(redis) = &self.redis
            && let Err(e) = redis.leave().await
        {
            tracing::warn!(error = %e, "leaving the presence counts");
        }
    }

    /// Forgets idle users' toggle allowances (bounds memory); call
    /// periodically.
    pub fn sweep(&self) {
        self.toggles.retain_recent();
        self.toggles.shrink_to_fit();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `user` is online now (on any instance).
    pub async fn is_online(&self, user: UserId) -> bool {
        self.online(&[user]).await.first().copied().unwrap_or(false)
    }

    /// Whether each of `who` is online now (on any instance; this
    /// instance's view while Redis is unreachable).
    pub async fn online(&self, who: &[UserId]) -> Vec<bool> {
        if let Some(redis) = &self.redis
            && let Ok(flags) = redis.online(who).await
        {
            return flags;
        }
        let entries = self.lock();
        who.iter()
            .map(|u| entries.get(u).is_some_and(|e| e.online))
            .collect()
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
        let came_online_here = {
            let mut entries = self.lock();
            let entry = entries.entry(user).or_default();
            entry.tabs += 1;
            entry.generation += 1;
            !std::mem::replace(&mut entry.online, true)
        };
        let came_online = match &self.redis {
            Some(redis) => redis.open(user).await.unwrap_or(came_online_here),
            None => came_online_here,
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
            if let Some(redis) = &tracker.redis
                && redis.close(user).await.is_ok()
            {
                // The shared grace period runs in Redis (`run_cluster`).
                let mut entries = tracker.lock();
                if entries
                    .get(&user)
                    .is_some_and(|e| e.tabs == 0 && e.generation == generation)
                {
                    entries.remove(&user);
                }
                return;
            }
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
        let online = self
            .online(&rows.iter().map(|u| UserId(u.id)).collect::<Vec<_>>())
            .await;
        Ok(rows
            .into_iter()
            .zip(online)
            .map(|(u, online)| FriendPresence {
                user_id: UserId(u.id),
                presence: Presence {
                    online,
                    last_seen_ms: u.last_seen_at_ms,
                },
            })
            .collect())
    }

    /// Counts one flip of "Show when I'm online" by `me` (in Redis when
    /// shared, so the limit holds across instances).
    async fn check_toggle(&self, me: UserId) -> AppResult<()> {
        let refused = |wait: Duration| crate::error::AppError::RateLimited {
            retry_after_s: wait.as_secs().max(1),
        };
        if let Some(redis) = &self.redis {
            let link = redis.link();
            let key = link.key(&format!("presence-toggle:{}", me.0));
            let period = Duration::from_secs(60) / TOGGLES_PER_MINUTE;
            if let Ok(verdict) =
                crate::cluster::limits::check(link, &key, TOGGLES_PER_MINUTE, period).await
            {
                return verdict.map_err(refused);
            }
        }
        use governor::clock::{Clock as _, DefaultClock};
        self.toggles
            .check_key(&me)
            .map_err(|not_until| refused(not_until.wait_time_from(DefaultClock::default().now())))
    }

    /// Saves `me`'s live settings; announces a presence change to friends
    /// when `show_presence` flips (at most [`TOGGLES_PER_MINUTE`] flips a
    /// minute).
    ///
    /// # Errors
    /// `RateLimited` for a flip over the limit (nothing changes); on
    /// database failure.
    pub async fn update_settings(
        &self,
        db: &DatabaseConnection,
        hub: &EventHub,
        me: UserId,
        settings: LiveSettings,
    ) -> AppResult<LiveSettings> {
        let before = live_settings(db, me).await?;
        if before.show_presence != settings.show_presence {
            self.check_toggle(me).await?;
        }
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
            let online = settings.show_presence && self.is_online(me).await;
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
    use crate::db::entities::friendships;
    use crate::events::LiveEnvelope;
    use sea_orm::{ActiveModelTrait as _, Set};

    #[tokio::test]
    async fn tabs_are_counted_per_user() {
        let tracker = PresenceTracker::new(Duration::from_millis(10));
        {
            let mut entries = tracker.lock();
            let e = entries.entry(UserId(1)).or_default();
            e.tabs = 2;
            e.online = true;
        }
        assert!(tracker.is_online(UserId(1)).await);
        assert!(!tracker.is_online(UserId(2)).await);
    }

    /// A migrated database (a file: every pooled connection sees it) with
    /// two friends: `ana` (showing her presence or not) and `bo`.
    struct Fixture {
        _dir: tempfile::TempDir,
        db: DatabaseConnection,
        hub: EventHub,
        ana: UserId,
        bo: UserId,
    }

    async fn fixture(ana_shows_presence: bool) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("presence.db").display()
        );
        let db = crate::db::connect_and_migrate(&url)
            .await
            .expect("database");
        let mut ids = Vec::new();
        for (name, shows) in [("ana_p", ana_shows_presence), ("bo_p", true)] {
            let row = users::ActiveModel {
                username: Set(name.to_owned()),
                username_key: Set(name.to_owned()),
                email: Set(format!("{name}@example.com")),
                first_name: Set("Test".to_owned()),
                last_name: Set(name.to_owned()),
                password_hash: Set("x".to_owned()),
                failed_logins: Set(0),
                locked_until_ms: Set(None),
                created_at_ms: Set(now_ms()),
                show_presence: Set(shows),
                ..Default::default()
            }
            .insert(&db)
            .await
            .expect("user");
            ids.push(UserId(row.id));
        }
        let (ana, bo) = (ids[0], ids[1]);
        friendships::ActiveModel {
            user_a_id: Set(ana.0.min(bo.0)),
            user_b_id: Set(ana.0.max(bo.0)),
            requester_id: Set(ana.0),
            status: Set(friendships::ACCEPTED.to_owned()),
            created_at_ms: Set(now_ms()),
            updated_at_ms: Set(now_ms()),
        }
        .insert(&db)
        .await
        .expect("friendship");
        Fixture {
            _dir: dir,
            db,
            hub: EventHub::default(),
            ana,
            bo,
        }
    }

    /// The presence events queued on `socket` so far.
    fn presence_events(socket: &mut crate::hub::Connection) -> Vec<(UserId, bool, Option<i64>)> {
        let mut out = Vec::new();
        while let Ok(frame) = socket.frames.try_recv() {
            let env: LiveEnvelope = serde_json::from_str(&frame.json).expect("envelope");
            if let LiveEvent::PresenceChanged {
                user_id,
                online,
                last_seen_ms,
            } = env.event
            {
                out.push((user_id, online, last_seen_ms));
            }
        }
        out
    }

    /// The next presence event on `socket`, waiting (in real time) up to
    /// 10 s.
    async fn next_presence_event(
        socket: &mut crate::hub::Connection,
    ) -> (UserId, bool, Option<i64>) {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), socket.frames.recv())
                .await
                .expect("a presence event within 10 s")
                .expect("socket open");
            let env: LiveEnvelope = serde_json::from_str(&frame.json).expect("envelope");
            if let LiveEvent::PresenceChanged {
                user_id,
                online,
                last_seen_ms,
            } = env.event
            {
                return (user_id, online, last_seen_ms);
            }
        }
    }

    async fn last_seen(db: &DatabaseConnection, user: UserId) -> Option<i64> {
        users::Entity::find_by_id(user.0)
            .one(db)
            .await
            .expect("query")
            .expect("user")
            .last_seen_at_ms
    }

    /// Closes one of Ana's tabs, and lets the offline timer (if the last
    /// one closed) start counting: a spawned task first runs when the test
    /// yields, and on a paused clock its sleep would otherwise start only
    /// after the next `advance`.
    async fn close_tab(tracker: &Arc<PresenceTracker>, f: &Fixture) {
        tracker.tab_closed(&f.db, &f.hub, f.ana);
        tokio::task::yield_now().await;
    }

    /// Lets the time past the grace period pass on the paused clock, then
    /// resumes it: the offline task's database work (a pool whose
    /// timeouts a paused clock would fire at once) runs in real time.
    async fn advance_then_resume(by: Duration) {
        tokio::time::advance(by).await;
        tokio::time::resume();
    }

    // The database is set up on the real clock (its pool arms timeouts
    // that a paused clock would auto-advance through while a query is out
    // on SQLite's thread); from the first close on, time is paused and only
    // `tokio::time::advance` moves it.
    #[tokio::test]
    async fn two_tabs_then_none_stay_online_through_the_grace_period_only() {
        let f = fixture(true).await;
        let tracker = Arc::new(PresenceTracker::new(GRACE));
        let mut bo_socket = f.hub.connect(f.bo);

        tracker
            .tab_opened(&f.db, &f.hub, f.ana)
            .await
            .expect("first tab");
        assert!(tracker.is_online(f.ana).await);
        assert_eq!(
            presence_events(&mut bo_socket),
            [(f.ana, true, None)],
            "coming online is announced once to the friend"
        );
        tracker
            .tab_opened(&f.db, &f.hub, f.ana)
            .await
            .expect("second tab");
        assert!(
            presence_events(&mut bo_socket).is_empty(),
            "a second tab announces nothing"
        );
        let seen = friends_online(&tracker, &f.db, f.bo, f.ana).await;
        assert_eq!(seen, Some(true), "Bo sees Ana online");

        tokio::time::pause();
        // One of two tabs closes: still online, whatever the time.
        close_tab(&tracker, &f).await;
        tokio::time::advance(GRACE * 3).await;
        assert!(tracker.is_online(f.ana).await, "one tab is still open");

        // The last closes: online through the grace period...
        close_tab(&tracker, &f).await;
        tokio::time::advance(GRACE - Duration::from_secs(1)).await;
        assert!(tracker.is_online(f.ana).await, "within the grace period");
        assert!(presence_events(&mut bo_socket).is_empty());
        // ...then offline, announced with the stored last-seen time.
        advance_then_resume(Duration::from_secs(2)).await;
        let event = next_presence_event(&mut bo_socket).await;
        assert!(
            !tracker.is_online(f.ana).await,
            "offline after the grace period"
        );
        let stored = last_seen(&f.db, f.ana).await;
        assert!(stored.is_some(), "last seen stored");
        assert_eq!(event, (f.ana, false, stored));
        assert_eq!(
            friends_online(&tracker, &f.db, f.bo, f.ana).await,
            Some(false)
        );
        assert!(
            presence_events(&mut bo_socket).is_empty(),
            "going offline is announced once"
        );
    }

    #[tokio::test]
    async fn a_tab_reopened_within_the_grace_period_keeps_the_user_online() {
        let f = fixture(true).await;
        let tracker = Arc::new(PresenceTracker::new(GRACE));
        let mut bo_socket = f.hub.connect(f.bo);
        tracker.tab_opened(&f.db, &f.hub, f.ana).await.expect("tab");
        assert_eq!(presence_events(&mut bo_socket), [(f.ana, true, None)]);

        tokio::time::pause();
        // A reload: the tab closes and a new one opens 10 s later. The
        // pending offline timer must not fire for the old close.
        close_tab(&tracker, &f).await;
        tokio::time::advance(Duration::from_secs(10)).await;
        tracker
            .tab_opened(&f.db, &f.hub, f.ana)
            .await
            .expect("reopened");
        tokio::time::advance(GRACE * 2).await;
        assert!(tracker.is_online(f.ana).await);
        tokio::time::resume();
        assert!(
            presence_events(&mut bo_socket).is_empty(),
            "a reload announces nothing"
        );
        assert_eq!(last_seen(&f.db, f.ana).await, None);
    }

    #[tokio::test]
    async fn hidden_presence_is_never_shown_to_friends() {
        let f = fixture(false).await;
        let tracker = Arc::new(PresenceTracker::new(GRACE));
        let mut bo_socket = f.hub.connect(f.bo);

        tracker.tab_opened(&f.db, &f.hub, f.ana).await.expect("tab");
        tracker.tab_opened(&f.db, &f.hub, f.ana).await.expect("tab");
        assert_eq!(
            friends_online(&tracker, &f.db, f.bo, f.ana).await,
            None,
            "Bo gets no presence of Ana's while she's online"
        );
        assert!(presence_events(&mut bo_socket).is_empty());

        tokio::time::pause();
        close_tab(&tracker, &f).await;
        close_tab(&tracker, &f).await;
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(tracker.is_online(f.ana).await, "within the grace period");
        assert!(presence_events(&mut bo_socket).is_empty());
        advance_then_resume(GRACE).await;
        // The offline task still records the last-seen time (for Ana's own
        // sake); wait for it, then check Bo heard nothing.
        for _ in 0..200 {
            if last_seen(&f.db, f.ana).await.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(last_seen(&f.db, f.ana).await.is_some(), "last seen stored");
        assert!(!tracker.is_online(f.ana).await);
        assert!(
            presence_events(&mut bo_socket).is_empty(),
            "nothing announced for someone who hides their presence"
        );
        assert_eq!(friends_online(&tracker, &f.db, f.bo, f.ana).await, None);
        assert_eq!(tracker.stats.transitions.load(Ordering::Relaxed), 0);
    }

    /// Whether `viewer` sees `friend` online (`None`: not listed at all).
    async fn friends_online(
        tracker: &PresenceTracker,
        db: &DatabaseConnection,
        viewer: UserId,
        friend: UserId,
    ) -> Option<bool> {
        tracker
            .friends_presence(db, viewer)
            .await
            .expect("friends' presence")
            .into_iter()
            .find(|p| p.user_id == friend)
            .map(|p| p.presence.online)
    }
}
