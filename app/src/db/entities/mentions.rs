//! `mentions`: `@username`s resolved when a post or comment is written, so
//! rendering never re-parses or looks names up.

use sea_orm::entity::prelude::*;

/// `user_id` is mentioned in a post or a comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mentions")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The post, for a mention in a post.
    pub post_id: Option<i64>,
    /// The comment, for a mention in a comment.
    pub comment_id: Option<i64>,
    /// Who is mentioned.
    pub user_id: i64,
}

/// `mentions` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
