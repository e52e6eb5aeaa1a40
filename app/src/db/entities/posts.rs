//! `posts`: text posts.

use sea_orm::entity::prelude::*;

/// A post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The author (`users.id`).
    pub author_id: i64,
    /// Text, 1–5,000 characters.
    pub body: String,
    /// Creation time, ms since epoch (feed order, with `id`).
    pub created_at_ms: i64,
    /// Last edit time, if edited.
    pub edited_at_ms: Option<i64>,
    /// Who may see it: `public`, `friends` or `only_me`.
    pub visibility: String,
    /// Whether it is a share of another post.
    pub is_share: bool,
    /// The shared (root) post, for shares; `None` once that post is deleted.
    pub shared_post_id: Option<i64>,
    /// Whether people other than the author may see it: false while its
    /// video is still processing (or failed).
    pub published: bool,
}

/// Relations of `posts`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The author.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::AuthorId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
