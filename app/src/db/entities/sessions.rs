//! `sessions`: server-side browser sessions (tower-sessions records).

use sea_orm::entity::prelude::*;

/// A session record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// Session id as tower-sessions prints it (base64 of 128 random bits).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// JSON map of session values.
    pub data: String,
    /// Expiry, ms since epoch; expired rows are ignored and swept.
    pub expiry_ms: i64,
    /// The signed-in user (copied from `data` on each save), `None` for a
    /// signed-out session; lets "log out everywhere" find every session.
    pub user_id: Option<i64>,
    /// When the session was last used (ms).
    pub last_active_ms: i64,
}

/// `sessions` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
