//! `live_events`: the durable live-event log. Events that must survive a
//! reconnect (messages, membership changes, notifications) are written
//! here, in the transaction of the change they describe, and replayed to a
//! socket that resumes after the last id it saw. Rows older than the
//! retention period are swept.

use sea_orm::entity::prelude::*;

/// One durable event, addressed to one user or to a conversation's members.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "live_events")]
pub struct Model {
    /// Event id: the `id` browsers resume after.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// When, ms since epoch.
    pub created_at_ms: i64,
    /// The recipient, for events addressed to one user.
    pub user_id: Option<i64>,
    /// The conversation whose current members receive it.
    pub conversation_id: Option<i64>,
    /// The message it is about, if any (replay sends its current state).
    pub message_id: Option<i64>,
    /// The `LiveEvent`, JSON.
    pub payload: String,
}

/// `live_events` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
