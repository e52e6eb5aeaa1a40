//! `comments`: comments on posts, with one level of replies.

use sea_orm::entity::prelude::*;

/// A comment, or a reply when `parent_id` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// Who wrote it.
    pub author_id: i64,
    /// The top-level comment this replies to.
    pub parent_id: Option<i64>,
    /// Text, 1–2,000 characters.
    pub body: String,
    /// When, ms since epoch.
    pub created_at_ms: i64,
    /// Last edit, if edited.
    pub edited_at_ms: Option<i64>,
}

/// `comments` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
