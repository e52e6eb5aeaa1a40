//! The live event hub: services publish [`LiveEvent`]s with an audience,
//! and every open WebSocket (one per browser tab) receives the ones
//! addressed to its user.
//!
//! Delivery sits behind the [`LiveHub`] trait. [`InProcessHub`] is the
//! implementation for one server process: a registry of connections per
//! user, each with a bounded queue. [`crate::cluster::hub::RedisHub`]
//! implements the same trait for several instances behind a load balancer
//! (`HEARTH_REDIS_URL`), relaying frames through Redis pub/sub into each
//! instance's registry.
//!
//! Each event is serialized to JSON once, whatever its audience size. A
//! connection whose queue is full is dropped (its socket closes with 1013
//! and the browser reconnects and replays), so a slow client can't make
//! the server buffer without bound.
//!
//! Post-scoped events ([`LiveEvent::watched_post`]: edits, deletions,
//! reactions and comments of one post) go only to connections that watch
//! the post ([`Connection::watch`], from the tab's
//! [`crate::events::ClientFrame::Watch`]) and whose user is in the
//! audience, so a reaction on a Public post costs one frame per tab that
//! shows it rather than one per connected user.
//!
//! Admission is bounded too: [`EventHub::try_connect`] refuses more than
//! [`MAX_CONNECTIONS_PER_USER`] sockets of one user and
//! [`MAX_CONNECTIONS_PER_ADDRESS`] from one client address, and
//! [`ClientFrameLimiter`] bounds what one socket may send.

use crate::events::{LiveEnvelope, LiveEvent, MAX_WATCHED_POSTS, PROTOCOL_VERSION};
use crate::ids::{EventId, PostId, UserId};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Frames a connection may have queued before it counts as too slow.
pub const CONNECTION_QUEUE: usize = 256;

/// Open sockets one user may have on this instance; more are refused
/// ([`Refused::TooManyForUser`]). One per browser tab, so 20 tabs.
pub const MAX_CONNECTIONS_PER_USER: usize = 20;

/// Open sockets from one client address on this instance (an IPv4
/// address, or an IPv6 /64 network); more are refused
/// ([`Refused::TooManyFromAddress`]). Loopback peers are not counted: they
/// are a reverse proxy on the same host (every client would share its
/// address) or a local benchmark.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 100;

/// Frames a browser may send on one socket at once; then one more per
/// [`CLIENT_FRAME_PERIOD`] (20 per 10 s sustained). Typing signals come
/// every 3 s, watch reports after page loads.
pub const CLIENT_FRAME_BURST: u32 = 20;

/// The replenishing period of [`CLIENT_FRAME_BURST`].
pub const CLIENT_FRAME_PERIOD: Duration = Duration::from_millis(500);

/// Frames over the rate a socket may send within
/// [`CLIENT_FRAME_EXCESS_WINDOW`] (they are dropped) before it is closed.
pub const CLIENT_FRAME_EXCESS: u32 = 20;

/// The window [`CLIENT_FRAME_EXCESS`] counts in.
pub const CLIENT_FRAME_EXCESS_WINDOW: Duration = Duration::from_secs(10);

/// Who should receive an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    /// Every signed-in user.
    Everyone,
    /// Every signed-in user but these (e.g. a Public post's audience
    /// without the people blocked either way with its author).
    EveryoneExcept(Vec<UserId>),
    /// Exactly these users (all of their tabs).
    Users(Vec<UserId>),
}

impl Audience {
    /// Whether `user` is in the audience.
    pub fn includes(&self, user: UserId) -> bool {
        match self {
            Self::Everyone => true,
            Self::EveryoneExcept(users) => !users.contains(&user),
            Self::Users(users) => users.contains(&user),
        }
    }
}

/// One serialized event on its way to sockets.
#[derive(Debug)]
pub struct Frame {
    /// The durable event id, if any (sockets skip ids they replayed).
    pub id: Option<EventId>,
    /// The [`LiveEnvelope`] as JSON.
    pub json: Arc<str>,
    /// For a post-scoped event ([`LiveEvent::watched_post`]), its post:
    /// only connections watching it receive the frame.
    pub post: Option<PostId>,
}

/// Runs when a [`Connection`] is dropped (unregisters it).
pub type Release = Box<dyn FnOnce() + Send + Sync>;
/// Records the posts a [`Connection`] watches (see [`Connection::watch`]).
pub type Watcher = Box<dyn Fn(&[PostId]) + Send + Sync>;

/// One socket's subscription. Dropping it unregisters the connection.
pub struct Connection {
    /// Frames for this socket, in publication order.
    pub frames: mpsc::Receiver<Arc<Frame>>,
    /// Set when the hub dropped the connection for falling behind (then
    /// `frames` ends).
    pub lagged: Arc<AtomicBool>,
    watcher: Option<Watcher>,
    release: Vec<Release>,
}

impl Connection {
    /// A connection on `frames`; `release` runs when it is dropped.
    pub fn new(
        frames: mpsc::Receiver<Arc<Frame>>,
        lagged: Arc<AtomicBool>,
        release: Release,
    ) -> Self {
        Self {
            frames,
            lagged,
            watcher: None,
            release: vec![release],
        }
    }

    /// Hands [`Connection::watch`]'s (deduplicated, bounded) post ids to
    /// `watcher`, the backend's record of what this connection shows.
    #[must_use]
    pub fn with_watcher(mut self, watcher: Watcher) -> Self {
        self.watcher = Some(watcher);
        self
    }

    /// Also runs `release` when dropped (after the earlier ones).
    #[must_use]
    pub fn on_release(mut self, release: Release) -> Self {
        self.release.push(release);
        self
    }

    /// Replaces the posts this connection shows: post-scoped events reach
    /// it only for these. Keeps the first [`MAX_WATCHED_POSTS`] distinct
    /// ids and ignores the rest; an empty list watches nothing.
    pub fn watch(&self, posts: &[PostId]) {
        let mut seen = HashSet::new();
        let kept: Vec<PostId> = posts
            .iter()
            .copied()
            .filter(|p| seen.insert(*p))
            .take(MAX_WATCHED_POSTS)
            .collect();
        if let Some(watcher) = &self.watcher {
            watcher(&kept);
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        for release in self.release.drain(..) {
            release();
        }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

/// Delivery of frames to connections: the seam for a cross-instance hub.
pub trait LiveHub: Send + Sync + fmt::Debug + 'static {
    /// Queues `frame` on every connection of every user in `audience`
    /// (for a post-scoped frame, only on those watching its post). Never
    /// blocks; connections whose queue is full are dropped.
    fn deliver(&self, audience: &Audience, frame: Arc<Frame>);
    /// Registers a connection (a tab) of `user`.
    fn connect(&self, user: UserId) -> Connection;
    /// Open connections on this instance.
    fn connection_count(&self) -> usize;
    /// Open connections of `user` on this instance.
    fn connections_of(&self, user: UserId) -> usize;
}

struct Slot {
    user: UserId,
    tx: mpsc::Sender<Arc<Frame>>,
    lagged: Arc<AtomicBool>,
    /// The posts this connection watches (at most [`MAX_WATCHED_POSTS`]).
    watching: Vec<PostId>,
}

#[derive(Default)]
struct Registry {
    /// Every connection, by its id.
    slots: HashMap<u64, Slot>,
    /// Connection ids per user.
    by_user: HashMap<UserId, Vec<u64>>,
    /// Connection ids per watched post.
    watchers: HashMap<PostId, HashSet<u64>>,
}

impl Registry {
    /// Unregisters connection `id`; whether it was registered.
    fn remove(&mut self, id: u64) -> bool {
        let Some(slot) = self.slots.remove(&id) else {
            return false;
        };
        if let Some(ids) = self.by_user.get_mut(&slot.user) {
            ids.retain(|i| *i != id);
            if ids.is_empty() {
                self.by_user.remove(&slot.user);
            }
        }
        self.unwatch(id, &slot.watching);
        true
    }

    fn unwatch(&mut self, id: u64, posts: &[PostId]) {
        for post in posts {
            if let Some(ids) = self.watchers.get_mut(post) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.watchers.remove(post);
                }
            }
        }
    }

    /// Makes connection `id` watch exactly `posts`.
    fn set_watching(&mut self, id: u64, posts: &[PostId]) {
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        let old = std::mem::replace(&mut slot.watching, posts.to_vec());
        self.unwatch(id, &old);
        for post in posts {
            self.watchers.entry(*post).or_default().insert(id);
        }
    }

    /// The connections `frame` goes to.
    fn targets(&self, audience: &Audience, frame: &Frame) -> Vec<u64> {
        match (frame.post, audience) {
            (Some(post), _) => {
                let Some(ids) = self.watchers.get(&post) else {
                    return Vec::new();
                };
                let listed: HashSet<UserId> = match audience {
                    Audience::Everyone => HashSet::new(),
                    Audience::EveryoneExcept(users) | Audience::Users(users) => {
                        users.iter().copied().collect()
                    }
                };
                let allowed = |user: &UserId| match audience {
                    Audience::Everyone => true,
                    Audience::EveryoneExcept(_) => !listed.contains(user),
                    Audience::Users(_) => listed.contains(user),
                };
                ids.iter()
                    .copied()
                    .filter(|id| self.slots.get(id).is_some_and(|slot| allowed(&slot.user)))
                    .collect()
            }
            (None, Audience::Everyone) => self.slots.keys().copied().collect(),
            (None, Audience::EveryoneExcept(users)) => {
                let left_out: HashSet<UserId> = users.iter().copied().collect();
                self.slots
                    .iter()
                    .filter(|(_, slot)| !left_out.contains(&slot.user))
                    .map(|(id, _)| *id)
                    .collect()
            }
            (None, Audience::Users(users)) => {
                let mut seen = HashSet::new();
                users
                    .iter()
                    .filter(|u| seen.insert(**u))
                    .filter_map(|u| self.by_user.get(u))
                    .flatten()
                    .copied()
                    .collect()
            }
        }
    }

    /// Queues `frame` on connection `id`; `false` if it must go (closed,
    /// or full: then it is marked lagged).
    fn offer(&self, id: u64, frame: &Arc<Frame>) -> bool {
        let Some(slot) = self.slots.get(&id) else {
            return true;
        };
        match slot.tx.try_send(Arc::clone(frame)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                slot.lagged.store(true, Ordering::Relaxed);
                metrics::counter!("hearth_live_lagged_connections_total").increment(1);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

/// Locks `mutex`, going on after a panic elsewhere: every critical section
/// here is a few map operations, which leave consistent data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The in-process [`LiveHub`]: a map from user to their connections.
pub struct InProcessHub {
    registry: Arc<Mutex<Registry>>,
    next_id: AtomicU64,
    queue: usize,
}

impl InProcessHub {
    /// A hub whose connections queue at most `queue` frames.
    pub fn new(queue: usize) -> Self {
        Self {
            registry: Arc::default(),
            next_id: AtomicU64::new(1),
            queue: queue.max(1),
        }
    }
}

impl fmt::Debug for InProcessHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessHub")
            .field("connections", &self.connection_count())
            .finish()
    }
}

impl LiveHub for InProcessHub {
    fn deliver(&self, audience: &Audience, frame: Arc<Frame>) {
        let mut registry = lock(&self.registry);
        let gone: Vec<u64> = registry
            .targets(audience, &frame)
            .into_iter()
            .filter(|id| !registry.offer(*id, &frame))
            .collect();
        for id in gone {
            registry.remove(id);
        }
    }

    fn connect(&self, user: UserId) -> Connection {
        let (tx, rx) = mpsc::channel(self.queue);
        let lagged = Arc::new(AtomicBool::new(false));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut registry = lock(&self.registry);
            registry.slots.insert(
                id,
                Slot {
                    user,
                    tx,
                    lagged: Arc::clone(&lagged),
                    watching: Vec::new(),
                },
            );
            registry.by_user.entry(user).or_default().push(id);
        }
        let released: Weak<Mutex<Registry>> = Arc::downgrade(&self.registry);
        let watched = Weak::clone(&released);
        Connection::new(
            rx,
            lagged,
            Box::new(move || {
                if let Some(registry) = released.upgrade() {
                    lock(&registry).remove(id);
                }
            }),
        )
        .with_watcher(Box::new(move |posts| {
            if let Some(registry) = watched.upgrade() {
                lock(&registry).set_watching(id, posts);
            }
        }))
    }

    fn connection_count(&self) -> usize {
        lock(&self.registry).slots.len()
    }

    fn connections_of(&self, user: UserId) -> usize {
        lock(&self.registry).by_user.get(&user).map_or(0, Vec::len)
    }
}

/// Why [`EventHub::try_connect`] refused a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The user has [`MAX_CONNECTIONS_PER_USER`] sockets open already.
    TooManyForUser,
    /// [`MAX_CONNECTIONS_PER_ADDRESS`] sockets are open from the client's
    /// address already.
    TooManyFromAddress,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooManyForUser => "too many live connections for this user",
            Self::TooManyFromAddress => "too many live connections from this address",
        })
    }
}

/// The key a client address is counted under: IPv4 addresses (IPv4-mapped
/// IPv6 ones included) as they are, IPv6 ones by their /64 network (one
/// host usually holds a whole /64); `None` for loopback (not counted).
fn address_key(ip: IpAddr) -> Option<IpAddr> {
    let ip = ip.to_canonical();
    if ip.is_loopback() {
        return None;
    }
    Some(match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    })
}

/// The handle services publish through. Cheap to clone (shared inside).
#[derive(Debug, Clone)]
pub struct EventHub {
    backend: Arc<dyn LiveHub>,
    /// Held from writing a durable event row until it is published, so
    /// durable events reach sockets in id order (see [`EventHub::ordered`]).
    order: Arc<tokio::sync::Mutex<()>>,
    /// Open sockets per client address (see [`address_key`]); its lock also
    /// makes [`EventHub::try_connect`]'s check-then-register atomic.
    addresses: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl EventHub {
    /// A hub delivering through `backend`.
    pub fn new(backend: Arc<dyn LiveHub>) -> Self {
        Self {
            backend,
            order: Arc::default(),
            addresses: Arc::default(),
        }
    }

    /// A hub for one process, with per-connection queues of `queue` frames.
    pub fn in_process(queue: usize) -> Self {
        Self::new(Arc::new(InProcessHub::new(queue)))
    }

    /// Serializes publication of durable events: take this before
    /// inserting the `live_events` row and hold it until
    /// [`EventHub::publish_durable`] returned, so a socket never sees id
    /// `n + 1` before `n` (which would make resuming after `n + 1` skip `n`).
    pub async fn ordered(&self) -> tokio::sync::OwnedMutexGuard<()> {
        Arc::clone(&self.order).lock_owned().await
    }

    /// Sends an ephemeral `event` to `audience` (a post-scoped one only to
    /// connections watching its post). Never blocks.
    pub fn publish(&self, audience: Audience, event: LiveEvent) {
        self.send(audience, None, event);
    }

    /// Sends durable event `id` to `audience` (after its row committed).
    pub fn publish_durable(&self, audience: Audience, id: EventId, event: LiveEvent) {
        self.send(audience, Some(id), event);
    }

    fn send(&self, audience: Audience, id: Option<EventId>, event: LiveEvent) {
        if matches!(&audience, Audience::Users(users) if users.is_empty()) {
            return;
        }
        match frame(id, event) {
            Ok(frame) => self.backend.deliver(&audience, Arc::new(frame)),
            Err(e) => tracing::error!(error = %e, "serializing a live event"),
        }
    }

    /// Registers a socket of `user`, without limits (tests, tools).
    pub fn connect(&self, user: UserId) -> Connection {
        self.backend.connect(user)
    }

    /// Registers a socket of `user` from client address `peer` (`None`
    /// when unknown: then only the per-user cap applies).
    ///
    /// # Errors
    /// [`Refused`] when the user already has [`MAX_CONNECTIONS_PER_USER`]
    /// sockets on this instance, or the address
    /// [`MAX_CONNECTIONS_PER_ADDRESS`] (loopback addresses are not
    /// counted).
    pub fn try_connect(&self, user: UserId, peer: Option<IpAddr>) -> Result<Connection, Refused> {
        let key = peer.and_then(address_key);
        let mut addresses = lock(&self.addresses);
        if self.backend.connections_of(user) >= MAX_CONNECTIONS_PER_USER {
            return Err(Refused::TooManyForUser);
        }
        if let Some(key) = key
            && addresses.get(&key).copied().unwrap_or(0) >= MAX_CONNECTIONS_PER_ADDRESS
        {
            return Err(Refused::TooManyFromAddress);
        }
        let conn = self.backend.connect(user);
        let Some(key) = key else {
            return Ok(conn);
        };
        *addresses.entry(key).or_default() += 1;
        let counts = Arc::downgrade(&self.addresses);
        Ok(conn.on_release(Box::new(move || {
            let Some(counts) = counts.upgrade() else {
                return;
            };
            let mut counts = lock(&counts);
            if let Some(n) = counts.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.remove(&key);
                }
            }
        })))
    }

    /// Open sockets on this instance.
    pub fn connection_count(&self) -> usize {
        self.backend.connection_count()
    }
}

impl Default for EventHub {
    fn default() -> Self {
        Self::in_process(CONNECTION_QUEUE)
    }
}

/// The frame of `event`.
///
/// # Errors
/// When serialization fails (it doesn't for these types).
pub fn frame(id: Option<EventId>, event: LiveEvent) -> serde_json::Result<Frame> {
    let post = event.watched_post();
    let json = serde_json::to_string(&LiveEnvelope {
        v: PROTOCOL_VERSION,
        id,
        event,
    })?;
    Ok(Frame {
        id,
        json: json.into(),
        post,
    })
}

/// What to do with a frame a browser sent ([`ClientFrameLimiter::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameVerdict {
    /// Within the rate: handle it.
    Handle,
    /// Over the rate: ignore it.
    Drop,
    /// Flooding: close the socket (code 1008, policy violation).
    Close,
}

/// Rate limit of the frames one socket receives from its browser: a burst
/// of [`CLIENT_FRAME_BURST`], then one per [`CLIENT_FRAME_PERIOD`] (GCRA,
/// `governor`). Frames over the rate are dropped; more than
/// [`CLIENT_FRAME_EXCESS`] of them within [`CLIENT_FRAME_EXCESS_WINDOW`]
/// mean the socket is closed.
pub struct ClientFrameLimiter {
    limiter: governor::DefaultDirectRateLimiter,
    window_start: Instant,
    excess: u32,
}

impl ClientFrameLimiter {
    /// A limiter with a full burst.
    pub fn new() -> Self {
        let burst = NonZeroU32::new(CLIENT_FRAME_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = governor::Quota::with_period(CLIENT_FRAME_PERIOD)
            .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: governor::RateLimiter::direct(quota),
            window_start: Instant::now(),
            excess: 0,
        }
    }

    /// Counts one incoming frame and says what to do with it.
    pub fn check(&mut self) -> FrameVerdict {
        if self.limiter.check().is_ok() {
            return FrameVerdict::Handle;
        }
        let now = Instant::now();
        if now.duration_since(self.window_start) >= CLIENT_FRAME_EXCESS_WINDOW {
            self.window_start = now;
            self.excess = 0;
        }
        self.excess += 1;
        if self.excess > CLIENT_FRAME_EXCESS {
            FrameVerdict::Close
        } else {
            FrameVerdict::Drop
        }
    }
}

impl Default for ClientFrameLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ClientFrameLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientFrameLimiter")
            .field("excess", &self.excess)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PostId;

    /// An event for the audience as a whole (not post-scoped).
    fn presence(id: i64) -> LiveEvent {
        LiveEvent::PresenceChanged {
            user_id: UserId(id),
            online: true,
            last_seen_ms: None,
        }
    }

    #[tokio::test]
    async fn delivers_in_order_to_the_audience_only() {
        let hub = EventHub::in_process(16);
        let mut two = hub.connect(UserId(2));
        let mut three = hub.connect(UserId(3));
        hub.publish(Audience::Everyone, presence(1));
        hub.publish_durable(Audience::Users(vec![UserId(2)]), EventId(5), presence(2));
        let first = two.frames.recv().await.expect("first");
        assert!(first.json.contains(r#""user_id":1"#));
        let second = two.frames.recv().await.expect("second");
        assert_eq!(second.id, Some(EventId(5)));
        assert!(three.frames.recv().await.is_some());
        assert!(three.frames.try_recv().is_err(), "3 is not in the audience");
    }

    #[tokio::test]
    async fn a_full_queue_drops_the_connection_and_drop_unregisters() {
        let hub = EventHub::in_process(2);
        let mut slow = hub.connect(UserId(1));
        let _other_tab = hub.connect(UserId(1));
        assert_eq!(hub.connection_count(), 2);
        for i in 0..3 {
            hub.publish(Audience::Users(vec![UserId(1)]), presence(i));
        }
        assert!(slow.lagged.load(Ordering::Relaxed));
        assert_eq!(hub.connection_count(), 0, "both tabs were too slow");
        // What was queued still drains, then the stream ends.
        assert!(slow.frames.recv().await.is_some());
        assert!(slow.frames.recv().await.is_some());
        assert!(slow.frames.recv().await.is_none());
        let kept = hub.connect(UserId(4));
        assert_eq!(hub.connection_count(), 1);
        drop(kept);
        assert_eq!(hub.connection_count(), 0);
    }

    fn reacted(id: i64) -> LiveEvent {
        LiveEvent::ReactionsChanged {
            post_id: PostId(id),
        }
    }

    #[tokio::test]
    async fn post_scoped_frames_reach_only_watchers_in_the_audience() {
        let hub = EventHub::in_process(16);
        let mut watcher = hub.connect(UserId(1));
        let mut other_tab = hub.connect(UserId(1));
        let mut outsider = hub.connect(UserId(2));
        let mut stranger = hub.connect(UserId(3));
        watcher.watch(&[PostId(7), PostId(8)]);
        outsider.watch(&[PostId(7)]);
        stranger.watch(&[PostId(7)]);
        hub.publish(Audience::Everyone, reacted(9));
        hub.publish(Audience::Users(vec![UserId(1), UserId(2)]), reacted(7));
        let got = watcher.frames.recv().await.expect("watched post");
        assert_eq!(got.post, Some(PostId(7)));
        assert!(watcher.frames.try_recv().is_err(), "post 9 isn't watched");
        assert!(
            other_tab.frames.try_recv().is_err(),
            "this tab doesn't show it"
        );
        assert!(outsider.frames.recv().await.is_some());
        assert!(stranger.frames.try_recv().is_err(), "not in the audience");
        // Other events still go to the whole audience.
        hub.publish(Audience::Everyone, LiveEvent::NotificationsChanged);
        assert!(other_tab.frames.recv().await.is_some());
        assert!(stranger.frames.recv().await.is_some());
        assert!(watcher.frames.recv().await.is_some());
        assert!(outsider.frames.recv().await.is_some());
        // A new watch list replaces the old one; dropping unregisters it.
        watcher.watch(&[PostId(8)]);
        hub.publish(Audience::Everyone, reacted(7));
        assert!(outsider.frames.recv().await.is_some());
        assert!(watcher.frames.try_recv().is_err(), "7 no longer watched");
        drop(outsider);
        drop(stranger);
        hub.publish(Audience::Everyone, reacted(8));
        assert!(watcher.frames.recv().await.is_some());
    }

    #[tokio::test]
    async fn everyone_except_leaves_out_the_listed_users() {
        let hub = EventHub::in_process(16);
        let mut kept = hub.connect(UserId(1));
        let mut left_out = hub.connect(UserId(2));
        kept.watch(&[PostId(7)]);
        left_out.watch(&[PostId(7)]);
        let audience = Audience::EveryoneExcept(vec![UserId(2)]);
        hub.publish(audience.clone(), reacted(7));
        hub.publish(audience, LiveEvent::NotificationsChanged);
        assert!(kept.frames.recv().await.is_some());
        assert!(kept.frames.recv().await.is_some());
        assert!(left_out.frames.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_watch_list_is_bounded() {
        let hub = EventHub::in_process(16);
        let mut conn = hub.connect(UserId(1));
        let mut posts: Vec<PostId> = (0..MAX_WATCHED_POSTS as i64).map(PostId).collect();
        posts.insert(0, PostId(0)); // duplicates count once
        posts.push(PostId(100_000));
        conn.watch(&posts);
        hub.publish(Audience::Everyone, reacted(100_000));
        assert!(conn.frames.try_recv().is_err(), "past the cap: ignored");
        hub.publish(Audience::Everyone, reacted(MAX_WATCHED_POSTS as i64 - 1));
        assert!(
            conn.frames.try_recv().is_ok(),
            "the last one within the cap"
        );
    }

    #[test]
    fn sockets_are_capped_per_user_and_per_address() {
        let hub = EventHub::default();
        let v4: IpAddr = "203.0.113.9".parse().expect("ip");
        let tabs: Vec<Connection> = (0..MAX_CONNECTIONS_PER_USER)
            .map(|_| {
                hub.try_connect(UserId(1), Some(v4))
                    .expect("within the cap")
            })
            .collect();
        assert_eq!(
            hub.try_connect(UserId(1), None).err(),
            Some(Refused::TooManyForUser)
        );
        drop(tabs);
        assert!(hub.try_connect(UserId(1), None).is_ok(), "released");

        let mut held = Vec::new();
        for i in 0..MAX_CONNECTIONS_PER_ADDRESS {
            held.push(
                hub.try_connect(UserId(100 + i as i64), Some(v4))
                    .expect("within the cap"),
            );
        }
        assert_eq!(
            hub.try_connect(UserId(99), Some(v4)).err(),
            Some(Refused::TooManyFromAddress)
        );
        // IPv4-mapped IPv6 is the same address; another /64 is not.
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("ip");
        assert_eq!(
            hub.try_connect(UserId(99), Some(mapped)).err(),
            Some(Refused::TooManyFromAddress)
        );
        assert!(
            hub.try_connect(UserId(99), Some("203.0.113.10".parse().expect("ip")))
                .is_ok()
        );
        assert!(
            hub.try_connect(UserId(99), Some("127.0.0.1".parse().expect("ip")))
                .is_ok()
        );
        held.pop();
        assert!(
            hub.try_connect(UserId(99), Some(v4)).is_ok(),
            "one was released"
        );
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(address_key("::1".parse().expect("ip")), None);
    }

    #[test]
    fn a_flooding_client_is_dropped_then_closed() {
        let mut limiter = ClientFrameLimiter::new();
        for _ in 0..CLIENT_FRAME_BURST {
            assert_eq!(limiter.check(), FrameVerdict::Handle);
        }
        for _ in 0..CLIENT_FRAME_EXCESS {
            assert_eq!(limiter.check(), FrameVerdict::Drop);
        }
        assert_eq!(limiter.check(), FrameVerdict::Close);
    }
}
