//! The live event protocol: what the server pushes down the one WebSocket
//! per tab (`GET /ws?after={event id}`), and the few frames a tab sends up.
//! JSON text frames; server to browser, one [`LiveEnvelope`] each.
//!
//! Two classes of event:
//! - **durable** ones carry an `id` (a `live_events` row, written in the
//!   transaction of the change): chat messages, membership changes and
//!   notifications. A tab remembers the highest id it saw and reconnects
//!   with `?after=` that id; the server first replays every durable event
//!   since, in id order, then streams live ones, skipping any it already
//!   replayed, so nothing is missed and nothing arrives twice.
//! - **ephemeral** ones have no id (post refresh hints, typing, read
//!   positions, presence): after a reconnect the browser refetches the
//!   state they describe instead.
//!
//! Post events carry ids, not content: the browser fetches what it may see
//! through the usual server functions. Chat events carry the message,
//! because their audience is exactly the conversation's members.
//!
//! **Post-scoped** events (edits, deletions, reactions and comments of one
//! post; see [`LiveEvent::watched_post`]) reach only the tabs that show
//! that post: a tab reports the posts on its screen with
//! [`ClientFrame::Watch`] (after each load and whenever the list changes,
//! and again after reconnecting), and the server delivers a post-scoped
//! event to a socket only if it watches the post *and* its user is in the
//! event's audience (may see the post). A tab that never sends `Watch`
//! gets no post-scoped events.

use crate::ids::{ConversationId, EventId, MessageId, PostId, UserId};
use crate::models::MessageView;
use serde::{Deserialize, Serialize};

/// Most post ids one socket watches ([`ClientFrame::Watch`]): ids past
/// the first this many distinct ones are ignored. (200 ids fit the
/// server's 4 KiB limit on incoming frames.)
pub const MAX_WATCHED_POSTS: usize = 200;

/// Protocol version; bumped on incompatible changes to [`LiveEvent`]
/// (2: durable event ids and replay, chat, presence, notifications).
pub const PROTOCOL_VERSION: u32 = 2;

/// One frame from server to browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEnvelope {
    /// Always [`PROTOCOL_VERSION`].
    pub v: u32,
    /// For durable events, the id to resume after; `None` for ephemeral
    /// ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EventId>,
    /// The event.
    pub event: LiveEvent,
}

/// Kinds of live event. Browsers ignore kinds they don't know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LiveEvent {
    /// The server is ready; sent first on every connection.
    Hello {
        /// The signed-in user this socket belongs to.
        user_id: UserId,
    },
    /// The server could not replay everything since the id the tab asked
    /// for (too old, or too many): refetch what the page shows. Followed
    /// by live events as usual.
    Resync {
        /// Resume after this id from now on.
        latest: EventId,
    },
    /// A post was created (ephemeral).
    PostCreated {
        /// The new post.
        post_id: PostId,
        /// Its author.
        author_id: UserId,
    },
    /// A post's text changed (ephemeral).
    PostUpdated {
        /// The post.
        post_id: PostId,
    },
    /// A post was deleted (ephemeral).
    PostDeleted {
        /// The post.
        post_id: PostId,
    },
    /// Reactions on a post changed (ephemeral).
    ReactionsChanged {
        /// The post.
        post_id: PostId,
    },
    /// A comment on a post was added, edited or deleted (ephemeral).
    CommentsChanged {
        /// The post.
        post_id: PostId,
    },
    /// A message was sent (durable, to the conversation's members).
    MessageCreated {
        /// The message.
        message: MessageView,
    },
    /// A message was edited or deleted (durable, to the members); the
    /// view is its state now.
    MessageUpdated {
        /// The message.
        message: MessageView,
    },
    /// A conversation's name or members changed (durable, to the members).
    ConversationChanged {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// The user joined or was added to a conversation, left it or was
    /// removed (durable, to that user).
    MembershipChanged {
        /// The conversation.
        conversation_id: ConversationId,
        /// Whether the user is a member now.
        member: bool,
    },
    /// Someone is typing in a conversation (ephemeral; shown for
    /// [`crate::models::TYPING_EXPIRES_MS`]).
    Typing {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who.
        user_id: UserId,
        /// Their display name.
        display_name: String,
    },
    /// A member read a conversation up to a message (ephemeral; to the
    /// reader's own tabs, and to members who share read receipts if the
    /// reader does).
    ConversationRead {
        /// The conversation.
        conversation_id: ConversationId,
        /// The reader.
        user_id: UserId,
        /// The newest message they have read.
        message_id: MessageId,
    },
    /// A friend came online or went offline (ephemeral, to friends only).
    PresenceChanged {
        /// The friend.
        user_id: UserId,
        /// Whether they are online now.
        online: bool,
        /// When they were last seen, ms since epoch (set when offline).
        last_seen_ms: Option<i64>,
    },
    /// The user's notifications changed (durable, to that user): refetch
    /// the list and the badge.
    NotificationsChanged,
    /// A video of the user's is being transcoded (ephemeral, to its
    /// uploader's tabs): "Processing N %".
    VideoProgress {
        /// The video (its upload id).
        video_id: String,
        /// The post it is attached to, if any yet.
        post_id: Option<PostId>,
        /// 0–100.
        percent: u8,
    },
    /// A video of the user's finished processing (ephemeral, to its
    /// uploader's tabs): ready (the post is now published) or failed with
    /// a reason for the author.
    VideoProcessed {
        /// The video (its upload id).
        video_id: String,
        /// The post it is attached to, if any yet.
        post_id: Option<PostId>,
        /// `None` when ready; else why it failed.
        failure: Option<String>,
    },
}

impl LiveEvent {
    /// The post a post-scoped event is about (`PostUpdated`,
    /// `PostDeleted`, `ReactionsChanged`, `CommentsChanged`): such an event
    /// reaches only sockets that watch that post ([`ClientFrame::Watch`]).
    /// `None` for every other kind, including `PostCreated` (which goes to
    /// the feeds that can hold the new post).
    pub fn watched_post(&self) -> Option<PostId> {
        match self {
            Self::PostUpdated { post_id }
            | Self::PostDeleted { post_id }
            | Self::ReactionsChanged { post_id }
            | Self::CommentsChanged { post_id } => Some(*post_id),
            _ => None,
        }
    }
}

/// A frame from browser to server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientFrame {
    /// The user is typing in a conversation; sent at most every
    /// [`crate::models::TYPING_RESEND_MS`] while they type.
    Typing {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// The posts this tab shows now, replacing those it reported before:
    /// post-scoped events ([`LiveEvent::watched_post`]) reach the socket
    /// only for these. At most [`MAX_WATCHED_POSTS`] distinct ids count
    /// (the first ones); an empty list watches nothing.
    Watch {
        /// The posts on screen (shares' embedded posts included).
        post_ids: Vec<PostId>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_tagged() {
        let env = LiveEnvelope {
            v: PROTOCOL_VERSION,
            id: None,
            event: LiveEvent::PostCreated {
                post_id: PostId(3),
                author_id: UserId(1),
            },
        };
        let json = serde_json::to_string(&env).expect("serialize");
        assert_eq!(
            json,
            r#"{"v":2,"event":{"kind":"post_created","post_id":3,"author_id":1}}"#
        );
        assert_eq!(
            serde_json::from_str::<LiveEnvelope>(&json).expect("parse"),
            env
        );
        let durable = LiveEnvelope {
            v: PROTOCOL_VERSION,
            id: Some(EventId(9)),
            event: LiveEvent::NotificationsChanged,
        };
        let json = serde_json::to_string(&durable).expect("serialize");
        assert_eq!(
            json,
            r#"{"v":2,"id":9,"event":{"kind":"notifications_changed"}}"#
        );
    }

    #[test]
    fn client_frames_parse() {
        let frame: ClientFrame =
            serde_json::from_str(r#"{"kind":"typing","conversation_id":5}"#).expect("parse");
        assert_eq!(
            frame,
            ClientFrame::Typing {
                conversation_id: ConversationId(5)
            }
        );
        let frame: ClientFrame =
            serde_json::from_str(r#"{"kind":"watch","post_ids":[3,4]}"#).expect("parse");
        assert_eq!(
            frame,
            ClientFrame::Watch {
                post_ids: vec![PostId(3), PostId(4)]
            }
        );
    }

    #[test]
    fn only_events_about_one_post_are_post_scoped() {
        let post = PostId(7);
        assert_eq!(
            LiveEvent::ReactionsChanged { post_id: post }.watched_post(),
            Some(post)
        );
        assert_eq!(
            LiveEvent::CommentsChanged { post_id: post }.watched_post(),
            Some(post)
        );
        assert_eq!(
            LiveEvent::PostUpdated { post_id: post }.watched_post(),
            Some(post)
        );
        assert_eq!(
            LiveEvent::PostCreated {
                post_id: post,
                author_id: UserId(1)
            }
            .watched_post(),
            None
        );
        assert_eq!(LiveEvent::NotificationsChanged.watched_post(), None);
    }
}
