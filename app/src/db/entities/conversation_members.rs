//! `conversation_members`: who is in a conversation, their role and how
//! far they have read.

use sea_orm::entity::prelude::*;

/// Membership of one user in one conversation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_members")]
pub struct Model {
    /// The conversation.
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: i64,
    /// The member.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// `admin` or `member`.
    pub role: String,
    /// When they joined, ms since epoch.
    pub joined_at_ms: i64,
    /// The newest message they have read (0: none).
    pub last_read_message_id: i64,
}

/// `conversation_members` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
