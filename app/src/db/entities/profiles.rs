//! `profiles`: what others see of a person, one row per account.

use sea_orm::entity::prelude::*;

/// A profile.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profiles")]
pub struct Model {
    /// The account (`users.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// Name shown on posts, 1–60 characters.
    pub display_name: String,
    /// Bio, at most 300 characters.
    pub bio: String,
    /// Profile picture (`media.id`), if any.
    pub avatar_media_id: Option<i64>,
    /// Cover picture (`media.id`), if any.
    pub cover_media_id: Option<i64>,
    /// Last change, ms since epoch.
    pub updated_at_ms: i64,
}

/// Relations of `profiles`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
