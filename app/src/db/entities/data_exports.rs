//! `data_exports`: "Download your data" archives, built in the background
//! and kept for 7 days.

use sea_orm::entity::prelude::*;

/// Being built.
pub const PENDING: &str = "pending";
/// Ready to download until `expires_at_ms`.
pub const READY: &str = "ready";
/// Building failed for good (`failure` says why).
pub const FAILED: &str = "failed";

/// An export.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_exports")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Whose data.
    pub user_id: i64,
    /// 32 hex characters (128 random bits); the zip is `{key}/export.zip`
    /// in the media store.
    #[sea_orm(unique)]
    pub key: String,
    /// [`PENDING`], [`READY`] or [`FAILED`].
    pub status: String,
    /// The zip's size in bytes once ready.
    pub size_bytes: i64,
    /// Why it failed.
    pub failure: Option<String>,
    /// When it was asked for (ms).
    pub created_at_ms: i64,
    /// When the link stops working and the file is deleted (ms).
    pub expires_at_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
