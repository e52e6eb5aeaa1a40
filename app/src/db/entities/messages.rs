//! `messages`: chat messages.

use sea_orm::entity::prelude::*;

/// A message in a conversation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    /// Row id; increases with time within a database.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The conversation.
    pub conversation_id: i64,
    /// Who sent it.
    pub sender_id: i64,
    /// Text, 1–4,000 characters; emptied when deleted.
    pub body: String,
    /// When it was sent, ms since epoch.
    pub created_at_ms: i64,
    /// Last edit, if edited.
    pub edited_at_ms: Option<i64>,
    /// When its sender deleted it, if deleted.
    pub deleted_at_ms: Option<i64>,
}

/// `messages` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
