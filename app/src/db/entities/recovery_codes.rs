//! `recovery_codes`: two-factor recovery codes, SHA-256 hashed, single use.

use sea_orm::entity::prelude::*;

/// A recovery code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_codes")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Whose code.
    pub user_id: i64,
    /// Lower-case hex SHA-256 of the normalised code.
    pub code_hash: String,
    /// When it was used (ms).
    pub used_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
