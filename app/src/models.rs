//! Data shapes that server functions return to the browser. Times are
//! milliseconds since the Unix epoch, UTC.

use crate::ids::{CommentId, EventId, PostId, UserId};
use serde::{Deserialize, Serialize};

pub mod chat;
pub mod media;
pub mod notifications;
pub mod video;

pub use chat::*;
pub use media::*;
pub use notifications::*;
pub use video::*;

/// The signed-in user, as the top bar and composer need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// Account id.
    pub id: UserId,
    /// Username as chosen at sign-up (unique case-insensitively).
    pub username: String,
    /// Name shown on posts and the profile.
    pub display_name: String,
    /// Profile picture; `None` shows the placeholder.
    pub avatar: Option<Photo>,
    /// The newest durable live event when this was read: a freshly loaded
    /// page opens its socket with `?after=` this id, so nothing that
    /// happened between rendering and connecting is missed.
    pub live_cursor: EventId,
    /// The account's email address (shown to its owner only).
    pub email: String,
    /// `None` once the email address is confirmed; otherwise the address
    /// waiting for confirmation (the banner shows it).
    pub unconfirmed_email: Option<String>,
    /// Whether posting, commenting, messaging and friend requests wait for
    /// the confirmation (`HEARTH_REQUIRE_CONFIRMED_EMAIL`).
    pub confirmation_required: bool,
}

/// What a log-in's password step leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogInStep {
    /// Signed in.
    SignedIn,
    /// The password was right and two-factor is on: the browser must send
    /// a code (`verify_log_in_code`) within 5 minutes. The half-signed-in
    /// state is kept in the server-side session, not in the cookie.
    TwoFactor,
}

/// A post's author as shown on a post card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Account id.
    pub id: UserId,
    /// Username, for the `/u/{username}` link.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Profile picture; `None` shows the placeholder.
    pub avatar: Option<Photo>,
}

/// One post as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    /// Post id (permalink `/p/{id}`).
    pub id: PostId,
    /// Who wrote it.
    pub author: Author,
    /// Text, 0–5,000 characters (empty only with photos), `\n` line breaks.
    pub body: String,
    /// Creation time, ms since epoch.
    pub created_at_ms: i64,
    /// Last edit time, if edited.
    pub edited_at_ms: Option<i64>,
    /// Whether the viewer may edit and delete it (the server checks again).
    pub can_edit: bool,
    /// Who may see it.
    pub visibility: Visibility,
    /// Usernames mentioned in `body` (resolved when it was written).
    pub mentions: Vec<String>,
    /// Photos, in the author's order (at most 10).
    pub photos: Vec<Photo>,
    /// The post's video, if it has one. Until it is ready only its author
    /// sees the post (with the processing state).
    #[serde(default)]
    pub video: Option<Video>,
    /// For a share: the shared post, or why it can't be shown.
    pub shared: Option<SharedPost>,
    /// Reaction counts and the viewer's own reaction.
    pub reactions: ReactionSummary,
    /// Comments and replies the viewer can see.
    pub comment_count: u32,
}

/// The post a share embeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SharedPost {
    /// The root post, visible to the viewer.
    Available(Box<EmbeddedPost>),
    /// Deleted, or not visible to the viewer: "This content isn't available".
    Unavailable,
}

/// A shared post as embedded in a share (no nested share, no counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedPost {
    /// Post id (permalink).
    pub id: PostId,
    /// Who wrote it.
    pub author: Author,
    /// Its text.
    pub body: String,
    /// Usernames mentioned in `body`.
    pub mentions: Vec<String>,
    /// Its photos.
    pub photos: Vec<Photo>,
    /// Creation time, ms since epoch.
    pub created_at_ms: i64,
    /// Who may see it.
    pub visibility: Visibility,
}

/// The six reactions, in the order the picker shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReactionKind {
    /// A thumb up.
    Like,
    /// A red heart.
    Love,
    /// A laughing face.
    Haha,
    /// A surprised face.
    Wow,
    /// A crying face.
    Sad,
    /// An angry face.
    Angry,
}

impl ReactionKind {
    /// All kinds, picker order.
    pub const ALL: [Self; 6] = [
        Self::Like,
        Self::Love,
        Self::Haha,
        Self::Wow,
        Self::Sad,
        Self::Angry,
    ];

    /// Stored and form value (`like`, `love`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Like => "like",
            Self::Love => "love",
            Self::Haha => "haha",
            Self::Wow => "wow",
            Self::Sad => "sad",
            Self::Angry => "angry",
        }
    }

    /// Parses [`ReactionKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Name shown to people: "Like", "Love"...
    pub fn label(self) -> &'static str {
        match self {
            Self::Like => "Like",
            Self::Love => "Love",
            Self::Haha => "Haha",
            Self::Wow => "Wow",
            Self::Sad => "Sad",
            Self::Angry => "Angry",
        }
    }
}

/// Reactions on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReactionSummary {
    /// Count per kind, kinds with none left out, picker order.
    pub counts: Vec<(ReactionKind, u32)>,
    /// The viewer's reaction.
    pub mine: Option<ReactionKind>,
}

impl ReactionSummary {
    /// All reactions.
    pub fn total(&self) -> u32 {
        self.counts.iter().map(|(_, n)| n).sum()
    }

    /// The summary after the viewer switches from `mine` to `to`
    /// (optimistic UI; the server's answer replaces it).
    pub fn with_mine(&self, to: Option<ReactionKind>) -> Self {
        let mut counts: std::collections::BTreeMap<ReactionKind, u32> =
            self.counts.iter().copied().collect();
        if let Some(old) = self.mine
            && let Some(n) = counts.get_mut(&old)
        {
            *n = n.saturating_sub(1);
        }
        if let Some(new) = to {
            *counts.entry(new).or_default() += 1;
        }
        Self {
            counts: counts.into_iter().filter(|(_, n)| *n > 0).collect(),
            mine: to,
        }
    }
}

/// Someone who reacted, for the "who reacted" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactor {
    /// The person.
    pub person: PersonCard,
    /// Their reaction.
    pub kind: ReactionKind,
}

/// A comment or reply as the viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    /// Comment id.
    pub id: CommentId,
    /// The post it's on.
    pub post_id: PostId,
    /// The top-level comment it replies to.
    pub parent_id: Option<CommentId>,
    /// Who wrote it.
    pub author: Author,
    /// Text, 1–2,000 characters.
    pub body: String,
    /// Usernames mentioned in `body`.
    pub mentions: Vec<String>,
    /// When, ms since epoch.
    pub created_at_ms: i64,
    /// Last edit, if edited.
    pub edited_at_ms: Option<i64>,
    /// The viewer wrote it (may edit and delete).
    pub can_edit: bool,
    /// The viewer may delete it (its author, or the post's author).
    pub can_delete: bool,
    /// Replies (top-level comments only).
    pub reply_count: u32,
}

/// Comments per page.
pub const COMMENTS_PAGE_SIZE: u64 = 20;

/// A page of comments (oldest first) or replies (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CommentsPage {
    /// At most [`COMMENTS_PAGE_SIZE`] comments.
    pub comments: Vec<CommentView>,
    /// Cursor for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// One page of a feed, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FeedPage {
    /// At most [`FEED_PAGE_SIZE`] posts.
    pub posts: Vec<PostView>,
    /// Opaque cursor for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// Posts per page of a feed or a profile. Ten fill more than a desktop
/// screen; the list loads the next page as the reader nears its end, so a
/// first view renders, sends and hydrates only these.
pub const FEED_PAGE_SIZE: u64 = 10;

/// A profile page's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    /// Account id.
    pub user_id: UserId,
    /// Username.
    pub username: String,
    /// Display name (editable by the owner).
    pub display_name: String,
    /// First name from sign-up.
    pub first_name: String,
    /// Last name from sign-up.
    pub last_name: String,
    /// Bio, at most 300 characters.
    pub bio: String,
    /// Profile picture; `None` shows the placeholder.
    pub avatar: Option<Photo>,
    /// Cover picture; `None` shows the placeholder.
    pub cover: Option<Photo>,
    /// Joined, ms since epoch.
    pub joined_at_ms: i64,
    /// Whether the viewer owns this profile.
    pub is_owner: bool,
    /// The viewer's relationship with this person.
    pub relationship: Relationship,
}

/// Who may see a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone signed in to Hearth.
    Public,
    /// The author's friends (the default).
    #[default]
    Friends,
    /// The author alone.
    OnlyMe,
}

impl Visibility {
    /// All values, in the order a picker lists them.
    pub const ALL: [Self; 3] = [Self::Public, Self::Friends, Self::OnlyMe];

    /// The stored and form value: `public`, `friends`, `only_me`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Friends => "friends",
            Self::OnlyMe => "only_me",
        }
    }

    /// Parses [`Visibility::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Label shown to people: "Public", "Friends", "Only me".
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Friends => "Friends",
            Self::OnlyMe => "Only me",
        }
    }
}

/// Where the viewer stands with another person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FriendState {
    /// It's the viewer's own profile.
    Myself,
    /// Strangers: "Add friend".
    NotFriends,
    /// The viewer sent a request: "Cancel request".
    RequestSent,
    /// The other person sent one: "Accept" / "Decline".
    RequestReceived,
    /// Friends: the "Friends" menu with "Unfriend".
    Friends,
    /// The viewer blocked them.
    Blocked,
}

/// The viewer's relationship with a person, for the profile's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    /// Friendship state.
    pub friend: FriendState,
    /// The viewer follows them.
    pub following: bool,
    /// They follow the viewer.
    pub follows_you: bool,
    /// After a declined request: when the viewer may ask again (ms since epoch).
    pub can_request_again_at_ms: Option<i64>,
}

/// A person in a list (friends, requests, suggestions, directory, search).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCard {
    /// Account id.
    pub id: UserId,
    /// Username, for `/u/{username}`.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Profile picture; `None` shows the placeholder.
    pub avatar: Option<Photo>,
    /// Friends in common with the viewer, where computed.
    pub mutual_friends: Option<u32>,
}

/// A page of people, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PeoplePage {
    /// At most [`PEOPLE_PAGE_SIZE`] people.
    pub people: Vec<PersonCard>,
    /// Opaque cursor for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// What the search page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SearchResults {
    /// People by username or name.
    pub people: Vec<PersonCard>,
    /// Posts the searcher may see, best match first.
    pub posts: Vec<PostView>,
}

/// People per page in lists.
pub const PEOPLE_PAGE_SIZE: u64 = 30;

/// The "Friends" page: friends, and requests both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FriendsOverview {
    /// Friends, by name.
    pub friends: Vec<PersonCard>,
    /// Requests others sent the viewer, newest first.
    pub received: Vec<PersonCard>,
    /// Requests the viewer sent, newest first.
    pub sent: Vec<PersonCard>,
}

/// One of the viewer's signed-in sessions, for "Where you're logged in".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Opaque name of the session for "End session" (a digest of its id;
    /// never the id itself, which is the cookie's secret).
    pub handle: String,
    /// Browser and device from its `User-Agent`, e.g. "Chrome 156 on
    /// Linux", or "Unknown browser".
    pub device: String,
    /// The IP address it signed in from, if known.
    pub ip: Option<String>,
    /// When it signed in (ms), if known.
    pub signed_in_at_ms: Option<i64>,
    /// When it was last used (ms).
    pub last_active_ms: i64,
    /// Whether this is the session of the browser asking.
    pub this_device: bool,
}

/// Where a "Download your data" archive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataExportStatus {
    /// Being built in the background (usually under a minute; longer with
    /// many videos).
    Pending,
    /// Ready to download until its `expires_at_ms`.
    Ready,
    /// Building failed for good; ask for a new one.
    Failed,
}

/// One "Download your data" archive, as its owner sees it on
/// `/settings/account`. Expired archives are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataExportInfo {
    /// The archive's key: 32 lower-case hex digits.
    pub id: String,
    /// Pending, ready or failed.
    pub status: DataExportStatus,
    /// The zip's size in bytes (0 until ready).
    pub size_bytes: u64,
    /// When it was asked for, ms since epoch.
    pub created_at_ms: i64,
    /// When the download stops working and the file is deleted, ms since
    /// epoch (7 days after it became ready).
    pub expires_at_ms: i64,
    /// The owner-only download path (`/api/exports/{id}`) once ready.
    pub download_url: Option<String>,
}
