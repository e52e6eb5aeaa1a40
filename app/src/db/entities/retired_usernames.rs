//! `retired_usernames`: a deleted account's username stays taken until
//! `free_at_ms` (30 days), so no one can pose as the person right away.

use sea_orm::entity::prelude::*;

/// A retired username.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retired_usernames")]
pub struct Model {
    /// [`crate::validation::username_key`] of the name.
    #[sea_orm(primary_key, auto_increment = false)]
    pub username_key: String,
    /// When it may be taken again (ms).
    pub free_at_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
