//! `follows`: one-way subscriptions to a person's posts.

use sea_orm::entity::prelude::*;

/// `follower_id` follows `followee_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follows")]
pub struct Model {
    /// Who follows.
    #[sea_orm(primary_key, auto_increment = false)]
    pub follower_id: i64,
    /// Who is followed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub followee_id: i64,
    /// Since, ms since epoch.
    pub created_at_ms: i64,
}

/// `follows` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
