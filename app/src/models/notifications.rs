//! Notification shapes.

use crate::ids::{CommentId, ConversationId, NotificationId, PostId};
use crate::models::Author;
use serde::{Deserialize, Serialize};

/// Notifications per page.
pub const NOTIFICATIONS_PAGE_SIZE: u64 = 20;

/// Why someone was notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone sent you a friend request.
    FriendRequest,
    /// Someone accepted your friend request.
    FriendAccepted,
    /// Someone reacted to your post.
    Reaction,
    /// Someone commented on your post.
    Comment,
    /// Someone replied to your comment.
    Reply,
    /// Someone mentioned you in a post or comment.
    Mention,
    /// Someone shared your post.
    Share,
    /// Someone added you to a group conversation.
    AddedToGroup,
}

impl NotificationKind {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FriendRequest => "friend_request",
            Self::FriendAccepted => "friend_accepted",
            Self::Reaction => "reaction",
            Self::Comment => "comment",
            Self::Reply => "reply",
            Self::Mention => "mention",
            Self::Share => "share",
            Self::AddedToGroup => "added_to_group",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::FriendRequest,
            Self::FriendAccepted,
            Self::Reaction,
            Self::Comment,
            Self::Reply,
            Self::Mention,
            Self::Share,
            Self::AddedToGroup,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// What the actors did, after their names ("reacted to your post").
    pub fn verb(self) -> &'static str {
        match self {
            Self::FriendRequest => "sent you a friend request",
            Self::FriendAccepted => "accepted your friend request",
            Self::Reaction => "reacted to your post",
            Self::Comment => "commented on your post",
            Self::Reply => "replied to your comment",
            Self::Mention => "mentioned you",
            Self::Share => "shared your post",
            Self::AddedToGroup => "added you to a group",
        }
    }
}

/// What opening a notification shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationTarget {
    /// A person's profile (`/u/{username}`).
    Person {
        /// Username.
        username: String,
    },
    /// A post (`/p/{id}`), optionally scrolled to a comment.
    Post {
        /// The post.
        post_id: PostId,
        /// The comment, if any.
        comment_id: Option<CommentId>,
    },
    /// A conversation (`/messages/{id}`).
    Conversation {
        /// The conversation.
        conversation_id: ConversationId,
        /// Its name.
        name: String,
    },
}

impl NotificationTarget {
    /// The path that opens it.
    pub fn href(&self) -> String {
        match self {
            Self::Person { username } => format!("/u/{username}"),
            Self::Post {
                post_id,
                comment_id: Some(c),
            } => format!("/p/{post_id}#comment-{c}"),
            Self::Post { post_id, .. } => format!("/p/{post_id}"),
            Self::Conversation {
                conversation_id, ..
            } => format!("/messages/{conversation_id}"),
        }
    }
}

/// One (grouped) notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    /// Notification id.
    pub id: NotificationId,
    /// Kind.
    pub kind: NotificationKind,
    /// The latest actor.
    pub actor: Author,
    /// How many other people did the same.
    pub others: u32,
    /// What it opens.
    pub target: NotificationTarget,
    /// Latest activity, ms since epoch.
    pub updated_at_ms: i64,
    /// Whether the recipient has read it.
    pub read: bool,
    /// For friend requests: whether the request is still waiting (then
    /// the page offers Accept / Decline).
    pub request_pending: bool,
}

impl NotificationView {
    /// The sentence shown, e.g. "Ana Lee and 3 others reacted to your post".
    pub fn text(&self) -> String {
        let who = match self.others {
            0 => self.actor.display_name.clone(),
            1 => format!("{} and 1 other", self.actor.display_name),
            n => format!("{} and {n} others", self.actor.display_name),
        };
        match (&self.kind, &self.target) {
            (NotificationKind::AddedToGroup, NotificationTarget::Conversation { name, .. }) => {
                format!("{who} added you to “{name}”")
            }
            (NotificationKind::Mention, NotificationTarget::Post { comment_id, .. }) => {
                let place = if comment_id.is_some() {
                    "a comment"
                } else {
                    "a post"
                };
                format!("{who} mentioned you in {place}")
            }
            (kind, _) => format!("{who} {}", kind.verb()),
        }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NotificationsPage {
    /// At most [`NOTIFICATIONS_PAGE_SIZE`] notifications.
    pub items: Vec<NotificationView>,
    /// Opaque cursor of the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn view(kind: NotificationKind, others: u32, target: NotificationTarget) -> NotificationView {
        NotificationView {
            id: NotificationId(1),
            kind,
            actor: Author {
                id: UserId(1),
                username: "ana".into(),
                display_name: "Ana Lee".into(),
                avatar: None,
            },
            others,
            target,
            updated_at_ms: 0,
            read: false,
            request_pending: false,
        }
    }

    #[test]
    fn sentences_group_actors() {
        let post = NotificationTarget::Post {
            post_id: PostId(4),
            comment_id: None,
        };
        assert_eq!(
            view(NotificationKind::Reaction, 3, post.clone()).text(),
            "Ana Lee and 3 others reacted to your post"
        );
        assert_eq!(
            view(NotificationKind::Comment, 1, post.clone()).text(),
            "Ana Lee and 1 other commented on your post"
        );
        assert_eq!(
            view(NotificationKind::Mention, 0, post).text(),
            "Ana Lee mentioned you in a post"
        );
        let group = NotificationTarget::Conversation {
            conversation_id: ConversationId(2),
            name: "Family".into(),
        };
        assert_eq!(group.href(), "/messages/2");
        assert_eq!(
            view(NotificationKind::AddedToGroup, 0, group).text(),
            "Ana Lee added you to “Family”"
        );
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            NotificationKind::FriendRequest,
            NotificationKind::Share,
            NotificationKind::AddedToGroup,
        ] {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
    }
}
