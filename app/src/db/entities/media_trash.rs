//! `media_trash`: media keys whose files must go, written in the same
//! transaction that removed their `media` row, deleted from the store after
//! the commit and retried with backoff until the store confirms.

use sea_orm::entity::prelude::*;

/// Files to remove.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media_trash")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The media key whose variants to delete.
    pub key: String,
    /// Failed attempts so far.
    pub attempts: i32,
    /// Not before this time, ms since epoch.
    pub next_attempt_at_ms: i64,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
