//! `blocks`: `blocker_id` has blocked `blocked_id`.

use sea_orm::entity::prelude::*;

/// A block.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blocks")]
pub struct Model {
    /// Who blocked.
    #[sea_orm(primary_key, auto_increment = false)]
    pub blocker_id: i64,
    /// Who is blocked.
    #[sea_orm(primary_key, auto_increment = false)]
    pub blocked_id: i64,
    /// Since, ms since epoch.
    pub created_at_ms: i64,
}

/// `blocks` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
