//! `reactions`: one reaction per person per post.

use sea_orm::entity::prelude::*;

/// `user_id` reacted to `post_id` with `kind`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reactions")]
pub struct Model {
    /// The post.
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: i64,
    /// Who reacted.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// `like`, `love`, `haha`, `wow`, `sad` or `angry`.
    pub kind: String,
    /// When, ms since epoch.
    pub created_at_ms: i64,
}

/// `reactions` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
