//! `notification_actors`: the people behind a grouped notification.

use sea_orm::entity::prelude::*;

/// One actor of one notification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_actors")]
pub struct Model {
    /// The notification.
    #[sea_orm(primary_key, auto_increment = false)]
    pub notification_id: i64,
    /// The actor.
    #[sea_orm(primary_key, auto_increment = false)]
    pub actor_id: i64,
    /// When they (last) acted, ms since epoch.
    pub created_at_ms: i64,
}

/// `notification_actors` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
