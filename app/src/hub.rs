//! The live event hub: services publish [`LiveEvent`]s with an audience,
//! and every open WebSocket (one per browser tab) receives the ones
//! addressed to its user.
//!
//! Delivery sits behind the [`LiveHub`] trait. [`InProcessHub`] is the
//! implementation for one server process: a registry of connections per
//! user, each with a bounded queue. A later cross-instance hub (several
//! servers behind a load balancer) implements the same trait, for example
//! by relaying frames through PostgreSQL `LISTEN/NOTIFY` or Redis pub/sub
//! into each instance's registry.
//!
//! Each event is serialized to JSON once, whatever its audience size. A
//! connection whose queue is full is dropped (its socket closes with 1013
//! and the browser reconnects and replays), so a slow client can't make
//! the server buffer without bound.

use crate::events::{LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
use crate::ids::{EventId, UserId};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::mpsc;

/// Frames a connection may have queued before it counts as too slow.
pub const CONNECTION_QUEUE: usize = 256;

/// Who should receive an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every signed-in user.
    Everyone,
    /// Exactly these users (all of their tabs).
    Users(Vec<UserId>),
}

impl Audience {
    /// Whether `user` is in the audience.
    pub fn includes(&self, user: UserId) -> bool {
        match self {
            Self::Everyone => true,
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
}

/// One socket's subscription. Dropping it unregisters the connection.
pub struct Connection {
    /// Frames for this socket, in publication order.
    pub frames: mpsc::Receiver<Arc<Frame>>,
    /// Set when the hub dropped the connection for falling behind (then
    /// `frames` ends).
    pub lagged: Arc<AtomicBool>,
    release: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl Connection {
    /// A connection on `frames`; `release` runs when it is dropped.
    pub fn new(
        frames: mpsc::Receiver<Arc<Frame>>,
        lagged: Arc<AtomicBool>,
        release: Box<dyn FnOnce() + Send + Sync>,
    ) -> Self {
        Self {
            frames,
            lagged,
            release: Some(release),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
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
    /// Queues `frame` on every connection of every user in `audience`.
    /// Never blocks; connections whose queue is full are dropped.
    fn deliver(&self, audience: &Audience, frame: Arc<Frame>);
    /// Registers a connection (a tab) of `user`.
    fn connect(&self, user: UserId) -> Connection;
    /// Open connections on this instance.
    fn connection_count(&self) -> usize;
}

struct Slot {
    id: u64,
    tx: mpsc::Sender<Arc<Frame>>,
    lagged: Arc<AtomicBool>,
}

#[derive(Default)]
struct Registry {
    by_user: HashMap<UserId, Vec<Slot>>,
    count: usize,
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // A panic while holding the lock leaves consistent data (every
        // critical section is a few map operations), so keep going.
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for InProcessHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessHub")
            .field("connections", &self.connection_count())
            .finish()
    }
}

/// Offers `frame` to `slots`, removing the ones that are closed or full.
fn offer(slots: &mut Vec<Slot>, frame: &Arc<Frame>) -> usize {
    let before = slots.len();
    slots.retain(|slot| match slot.tx.try_send(Arc::clone(frame)) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            slot.lagged.store(true, Ordering::Relaxed);
            false
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    });
    before - slots.len()
}

impl LiveHub for InProcessHub {
    fn deliver(&self, audience: &Audience, frame: Arc<Frame>) {
        let mut registry = self.lock();
        let mut removed = 0;
        match audience {
            Audience::Everyone => {
                for slots in registry.by_user.values_mut() {
                    removed += offer(slots, &frame);
                }
                registry.by_user.retain(|_, slots| !slots.is_empty());
            }
            Audience::Users(users) => {
                for user in users {
                    if let Some(slots) = registry.by_user.get_mut(user) {
                        removed += offer(slots, &frame);
                        if slots.is_empty() {
                            registry.by_user.remove(user);
                        }
                    }
                }
            }
        }
        registry.count -= removed;
    }

    fn connect(&self, user: UserId) -> Connection {
        let (tx, rx) = mpsc::channel(self.queue);
        let lagged = Arc::new(AtomicBool::new(false));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut registry = self.lock();
            registry.by_user.entry(user).or_default().push(Slot {
                id,
                tx,
                lagged: Arc::clone(&lagged),
            });
            registry.count += 1;
        }
        let weak: Weak<Mutex<Registry>> = Arc::downgrade(&self.registry);
        Connection::new(
            rx,
            lagged,
            Box::new(move || {
                let Some(registry) = weak.upgrade() else {
                    return;
                };
                let mut registry = registry
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut removed = false;
                if let Some(slots) = registry.by_user.get_mut(&user) {
                    let before = slots.len();
                    slots.retain(|s| s.id != id);
                    removed = slots.len() < before;
                    if slots.is_empty() {
                        registry.by_user.remove(&user);
                    }
                }
                if removed {
                    registry.count -= 1;
                }
            }),
        )
    }

    fn connection_count(&self) -> usize {
        self.lock().count
    }
}

/// The handle services publish through. Cheap to clone (shared inside).
#[derive(Debug, Clone)]
pub struct EventHub {
    backend: Arc<dyn LiveHub>,
    /// Held from writing a durable event row until it is published, so
    /// durable events reach sockets in id order (see [`EventHub::ordered`]).
    order: Arc<tokio::sync::Mutex<()>>,
}

impl EventHub {
    /// A hub delivering through `backend`.
    pub fn new(backend: Arc<dyn LiveHub>) -> Self {
        Self {
            backend,
            order: Arc::default(),
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

    /// Sends an ephemeral `event` to `audience`. Never blocks.
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

    /// Registers a socket of `user`.
    pub fn connect(&self, user: UserId) -> Connection {
        self.backend.connect(user)
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
    let json = serde_json::to_string(&LiveEnvelope {
        v: PROTOCOL_VERSION,
        id,
        event,
    })?;
    Ok(Frame {
        id,
        json: json.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PostId;

    fn deleted(id: i64) -> LiveEvent {
        LiveEvent::PostDeleted {
            post_id: PostId(id),
        }
    }

    #[tokio::test]
    async fn delivers_in_order_to_the_audience_only() {
        let hub = EventHub::in_process(16);
        let mut two = hub.connect(UserId(2));
        let mut three = hub.connect(UserId(3));
        hub.publish(Audience::Everyone, deleted(1));
        hub.publish_durable(Audience::Users(vec![UserId(2)]), EventId(5), deleted(2));
        let first = two.frames.recv().await.expect("first");
        assert!(first.json.contains(r#""post_id":1"#));
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
            hub.publish(Audience::Users(vec![UserId(1)]), deleted(i));
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
}
