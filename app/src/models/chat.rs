//! Chat shapes: conversations, messages, read receipts, presence and the
//! unread badges.

use crate::ids::{ConversationId, MessageId, UserId};
use crate::models::{Author, Photo};
use serde::{Deserialize, Serialize};

/// Messages per history page.
pub const MESSAGES_PAGE_SIZE: u64 = 30;
/// Longest message, in characters.
pub const MESSAGE_MAX_CHARS: usize = 4_000;
/// Longest group or room name, in characters.
pub const CONVERSATION_NAME_MAX_CHARS: usize = 80;
/// How long "… is typing" stays up after the last typing signal.
pub const TYPING_EXPIRES_MS: u64 = 5_000;
/// A tab re-sends its typing signal at most this often while typing.
pub const TYPING_RESEND_MS: u64 = 3_000;

/// What kind of conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// Two friends.
    Direct,
    /// A named group; its creator is admin; members add their friends.
    Group,
    /// A public room in the directory that anyone may join.
    Room,
}

impl ConversationKind {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
            Self::Room => "room",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(Self::Direct),
            "group" => Some(Self::Group),
            "room" => Some(Self::Room),
            _ => None,
        }
    }
}

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// May rename the conversation and remove members.
    Admin,
    /// Everyone else.
    Member,
}

impl MemberRole {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// Parses the database spelling (anything unknown is a member).
    pub fn parse(s: &str) -> Self {
        if s == "admin" {
            Self::Admin
        } else {
            Self::Member
        }
    }
}

/// One message as members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    /// Message id (increasing within a conversation).
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Who sent it.
    pub sender: Author,
    /// Text, 0–4,000 characters (empty only with a photo), `\n` line
    /// breaks; empty once deleted.
    pub body: String,
    /// A photo sent with the message (`None` once deleted).
    pub photo: Option<Photo>,
    /// When it was sent, ms since epoch.
    pub created_at_ms: i64,
    /// Whether its sender edited it.
    pub edited: bool,
    /// Whether its sender deleted it ("This message was deleted").
    pub deleted: bool,
}

/// The newest message of a conversation, for the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePreview {
    /// Who sent it (display name; "You" is decided by the page).
    pub sender_id: UserId,
    /// Sender's display name.
    pub sender_name: String,
    /// The start of the text (at most 120 characters); empty if deleted.
    pub excerpt: String,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// One row of the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// Conversation id (`/messages/{id}`).
    pub id: ConversationId,
    /// Kind.
    pub kind: ConversationKind,
    /// The group or room name, or the other person's name.
    pub title: String,
    /// For one-to-one chats, the other person.
    pub other: Option<Author>,
    /// The newest message, if any.
    pub last_message: Option<MessagePreview>,
    /// Last activity, ms since epoch (the sort key, newest first).
    pub last_activity_ms: i64,
    /// Messages from others the viewer hasn't read.
    pub unread: u32,
}

/// A member as the conversation page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// The person.
    pub person: Author,
    /// Their role.
    pub role: MemberRole,
}

/// How far one member has read, for "Seen" marks. Only members who send
/// read receipts appear, and only to viewers who send them too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadMarker {
    /// The reader.
    pub user_id: UserId,
    /// The newest message they have read.
    pub message_id: MessageId,
}

/// The conversation page's header data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDetail {
    /// Conversation id.
    pub id: ConversationId,
    /// Kind.
    pub kind: ConversationKind,
    /// Group or room name, or the other person's name.
    pub title: String,
    /// For one-to-one chats, the other person.
    pub other: Option<Author>,
    /// Members, admins first, then by name.
    pub members: Vec<MemberView>,
    /// The viewer's role.
    pub my_role: MemberRole,
    /// `None` if the viewer may send; otherwise why not (shown instead of
    /// the composer).
    pub cannot_send: Option<String>,
    /// Other members' read positions (empty when the viewer turned read
    /// receipts off).
    pub receipts: Vec<ReadMarker>,
}

/// A page of history, oldest first within the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MessagesPage {
    /// At most [`MESSAGES_PAGE_SIZE`] messages, oldest first.
    pub messages: Vec<MessageView>,
    /// Pass as `before` for the next (older) page; `None` at the start.
    pub older: Option<MessageId>,
}

/// A public room in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCard {
    /// Conversation id.
    pub id: ConversationId,
    /// Room name.
    pub name: String,
    /// Members.
    pub member_count: u32,
    /// Whether the viewer is a member.
    pub joined: bool,
    /// Last activity, ms since epoch.
    pub last_activity_ms: i64,
}

/// The top bar's badges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UnreadCounts {
    /// Unread messages from others, over all conversations.
    pub messages: u32,
    /// Unread notifications.
    pub notifications: u32,
}

/// Someone's presence as a friend sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// At least one tab open (or closed less than the grace period ago).
    pub online: bool,
    /// When they were last online, ms since epoch, if known.
    pub last_seen_ms: Option<i64>,
}

/// A friend's presence, as listed by `get_friends_presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendPresence {
    /// The friend.
    pub user_id: UserId,
    /// Their presence.
    pub presence: Presence,
}

/// Privacy settings of the live features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveSettings {
    /// Send read receipts (off: others don't see "Seen" from you, and you
    /// don't see theirs).
    pub send_read_receipts: bool,
    /// Show friends when you're online and when you were last seen.
    pub show_presence: bool,
}
