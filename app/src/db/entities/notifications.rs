//! `notifications`: one row per recipient and group ("Ana and 3 others
//! reacted to your post"); the actors are in `notification_actors`.

use sea_orm::entity::prelude::*;

/// A (grouped) notification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who is notified.
    pub recipient_id: i64,
    /// `NotificationKind` in snake case.
    pub kind: String,
    /// What groups: kind plus target (`reaction:post:12`); unique per
    /// recipient.
    pub group_key: String,
    /// The latest actor.
    pub actor_id: i64,
    /// Distinct actors in the group.
    pub actor_count: i32,
    /// Target post, if any.
    pub post_id: Option<i64>,
    /// Target comment, if any.
    pub comment_id: Option<i64>,
    /// Target conversation, if any.
    pub conversation_id: Option<i64>,
    /// The conversation's name when the notice was recorded ("added you to
    /// a group"): what the recipient saw then, not its later names.
    pub conversation_name: Option<String>,
    /// Last activity in the group, ms since epoch (sort key).
    pub updated_at_ms: i64,
    /// When the recipient read it; `None`: unread.
    pub read_at_ms: Option<i64>,
}

/// `notifications` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
