//! `jobs`: the durable background job queue (see [`crate::jobs`]).

use sea_orm::entity::prelude::*;

/// Waiting to run at `run_at_ms`.
pub const QUEUED: &str = "queued";
/// Claimed by a worker until `lease_until_ms`; reclaimed after that.
pub const RUNNING: &str = "running";
/// Finished.
pub const DONE: &str = "done";
/// Gave up after `max_attempts` (or a permanent error).
pub const FAILED: &str = "failed";

/// A job.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What to run (`transcode`, ...), picks the handler.
    pub kind: String,
    /// The handler's input, JSON.
    pub payload: String,
    /// [`QUEUED`], [`RUNNING`], [`DONE`] or [`FAILED`].
    pub status: String,
    /// Times claimed so far.
    pub attempts: i32,
    /// Claims allowed before giving up.
    pub max_attempts: i32,
    /// Not before this time, ms since epoch.
    pub run_at_ms: i64,
    /// While running: the claim holds until this time, ms since epoch.
    pub lease_until_ms: Option<i64>,
    /// The last failure, for operators.
    pub last_error: Option<String>,
    /// Enqueued, ms since epoch.
    pub created_at_ms: i64,
    /// Last change, ms since epoch.
    pub updated_at_ms: i64,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
