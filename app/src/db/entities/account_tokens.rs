//! `account_tokens`: single-use links mailed to a person (see
//! [`crate::services::tokens`]). Only the SHA-256 of each token is stored.

use sea_orm::entity::prelude::*;

/// Confirms the account's email address (valid 24 h).
pub const CONFIRM_EMAIL: &str = "confirm_email";
/// Confirms a new email address; `email` holds it (valid 24 h).
pub const CHANGE_EMAIL: &str = "change_email";
/// Sets a new password (valid 1 h).
pub const RESET_PASSWORD: &str = "reset_password";

/// A mailed token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Whose account the token acts on.
    pub user_id: i64,
    /// [`CONFIRM_EMAIL`], [`CHANGE_EMAIL`] or [`RESET_PASSWORD`].
    pub purpose: String,
    /// Lower-case hex SHA-256 of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The address it confirms (confirmation and change tokens).
    pub email: Option<String>,
    /// When it was made (ms); rate limits count these.
    pub created_at_ms: i64,
    /// When it stops working (ms).
    pub expires_at_ms: i64,
    /// When it was used or voided (ms); a used token never works again.
    pub used_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
