//! The live event protocol: what the server pushes down the one WebSocket per
//! tab (`GET /ws`). JSON text frames, one [`LiveEnvelope`] each. Events carry
//! ids, not content: the browser fetches what it may see through the usual
//! server functions, so authorization stays in one place.

use crate::ids::{PostId, UserId};
use serde::{Deserialize, Serialize};

/// Protocol version; bumped on incompatible changes to [`LiveEvent`].
pub const PROTOCOL_VERSION: u32 = 1;

/// One frame from server to browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEnvelope {
    /// Always [`PROTOCOL_VERSION`].
    pub v: u32,
    /// Hub sequence number, increasing per server process.
    pub seq: u64,
    /// The event.
    pub event: LiveEvent,
}

/// Kinds of live event. New kinds are added here (friend requests,
/// reactions, messages...); browsers ignore kinds they don't know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LiveEvent {
    /// A post was created.
    PostCreated {
        /// The new post.
        post_id: PostId,
        /// Its author.
        author_id: UserId,
    },
    /// A post's text changed.
    PostUpdated {
        /// The post.
        post_id: PostId,
    },
    /// A post was deleted.
    PostDeleted {
        /// The post.
        post_id: PostId,
    },
    /// Reactions on a post changed.
    ReactionsChanged {
        /// The post.
        post_id: PostId,
    },
    /// A comment on a post was added, edited or deleted.
    CommentsChanged {
        /// The post.
        post_id: PostId,
    },
    /// The server is ready; sent first on every connection.
    Hello {
        /// The signed-in user this socket belongs to.
        user_id: UserId,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_tagged() {
        let env = LiveEnvelope {
            v: PROTOCOL_VERSION,
            seq: 7,
            event: LiveEvent::PostCreated {
                post_id: PostId(3),
                author_id: UserId(1),
            },
        };
        let json = serde_json::to_string(&env).expect("serialize");
        assert_eq!(
            json,
            r#"{"v":1,"seq":7,"event":{"kind":"post_created","post_id":3,"author_id":1}}"#
        );
        assert_eq!(
            serde_json::from_str::<LiveEnvelope>(&json).expect("parse"),
            env
        );
    }
}
