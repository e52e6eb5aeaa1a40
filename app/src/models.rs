//! Data shapes that server functions return to the browser. Times are
//! milliseconds since the Unix epoch, UTC.

use crate::ids::{PostId, UserId};
use serde::{Deserialize, Serialize};

/// The signed-in user, as the top bar and composer need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// Account id.
    pub id: UserId,
    /// Username as chosen at sign-up (unique case-insensitively).
    pub username: String,
    /// Name shown on posts and the profile.
    pub display_name: String,
    /// Avatar image URL (a placeholder until uploads exist).
    pub avatar_url: String,
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
    /// Avatar image URL.
    pub avatar_url: String,
}

/// One post as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    /// Post id (permalink `/p/{id}`).
    pub id: PostId,
    /// Who wrote it.
    pub author: Author,
    /// Text, 1–5,000 characters, `\n` line breaks.
    pub body: String,
    /// Creation time, ms since epoch.
    pub created_at_ms: i64,
    /// Last edit time, if edited.
    pub edited_at_ms: Option<i64>,
    /// Whether the viewer may edit and delete it (the server checks again).
    pub can_edit: bool,
}

/// One page of a feed, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FeedPage {
    /// At most [`FEED_PAGE_SIZE`] posts.
    pub posts: Vec<PostView>,
    /// Opaque cursor for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// Posts per feed page.
pub const FEED_PAGE_SIZE: u64 = 20;

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
    /// Avatar image URL.
    pub avatar_url: String,
    /// Cover image URL.
    pub cover_url: String,
    /// Joined, ms since epoch.
    pub joined_at_ms: i64,
    /// Whether the viewer owns this profile.
    pub is_owner: bool,
}
