//! `conversation_bans`: people an admin removed from a group or room. A
//! banned person can't join the room again on their own, nor be added back
//! to the group by anyone but an admin (which lifts the ban).

use sea_orm::entity::prelude::*;

/// A ban from one conversation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_bans")]
pub struct Model {
    /// The group or room.
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: i64,
    /// Who was removed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// The admin who removed them (`None` once that account is deleted).
    pub banned_by: Option<i64>,
    /// When, ms since epoch.
    pub created_at_ms: i64,
}

/// `conversation_bans` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
