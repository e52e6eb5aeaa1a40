//! The live event hub: services publish [`LiveEvent`]s with an audience, and
//! every open WebSocket (one per browser tab) receives the ones addressed to
//! its user. This is the in-process implementation (tokio broadcast); a
//! cross-instance hub can replace it behind [`EventHub::publish`] and
//! [`EventHub::subscribe`].

use crate::events::{LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
use crate::ids::UserId;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::broadcast;

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

/// An event on its way to subscribers.
#[derive(Debug, Clone)]
pub struct HubMessage {
    /// Who receives it.
    pub audience: Audience,
    /// The frame to send, already numbered.
    pub envelope: LiveEnvelope,
}

/// Fan-out of live events. Cheap to clone (shared inside).
#[derive(Debug, Clone)]
pub struct EventHub {
    tx: broadcast::Sender<Arc<HubMessage>>,
    seq: Arc<AtomicU64>,
}

impl EventHub {
    /// A hub whose subscribers may fall `capacity` messages behind before
    /// they are told they lagged (and are then disconnected by the socket
    /// handler, so a slow client can't grow server memory).
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self {
            tx,
            seq: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends `event` to `audience`; returns its sequence number. Never
    /// blocks; with no subscribers the event is dropped.
    pub fn publish(&self, audience: Audience, event: LiveEvent) -> u64 {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let envelope = LiveEnvelope {
            v: PROTOCOL_VERSION,
            seq,
            event,
        };
        let _ = self.tx.send(Arc::new(HubMessage { audience, envelope }));
        seq
    }

    /// A receiver of every message published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<HubMessage>> {
        self.tx.subscribe()
    }

    /// Number of live subscribers (open sockets).
    pub fn subscriber_count(&self) -> usize {
        self.tx.receiver_count()
    }
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new(1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PostId;

    #[tokio::test]
    async fn delivers_in_order_with_audience() {
        let hub = EventHub::new(16);
        let mut rx = hub.subscribe();
        let a = hub.publish(
            Audience::Everyone,
            LiveEvent::PostDeleted { post_id: PostId(1) },
        );
        let b = hub.publish(
            Audience::Users(vec![UserId(2)]),
            LiveEvent::PostDeleted { post_id: PostId(2) },
        );
        assert!(b > a);
        let first = rx.recv().await.expect("first");
        assert_eq!(first.envelope.seq, a);
        let second = rx.recv().await.expect("second");
        assert!(second.audience.includes(UserId(2)));
        assert!(!second.audience.includes(UserId(3)));
    }
}
