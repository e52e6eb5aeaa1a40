//! `conversations`: one-to-one chats, group chats and public rooms.

use sea_orm::entity::prelude::*;

/// A conversation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `direct`, `group` or `room`.
    pub kind: String,
    /// Name of a group or room, 1–80 characters; `None` for one-to-one.
    pub name: Option<String>,
    /// Who created it (`None` once that account is gone).
    pub created_by: Option<i64>,
    /// For one-to-one chats, `"{lower id}:{higher id}"`, unique, so a
    /// pair has one conversation.
    pub direct_key: Option<String>,
    /// Creation time, ms since epoch.
    pub created_at_ms: i64,
    /// Time of the last message (or creation), ms since epoch; the
    /// mailbox is sorted by it.
    pub last_activity_ms: i64,
    /// The newest message, if any.
    pub last_message_id: Option<i64>,
}

/// `conversations` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
