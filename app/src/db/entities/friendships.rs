//! `friendships`: one row per pair of people (lower id in `user_a_id`),
//! holding a pending, accepted or declined friend request.

use sea_orm::entity::prelude::*;

/// A friendship or friend request between two people.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "friendships")]
pub struct Model {
    /// The lower of the two user ids.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_a_id: i64,
    /// The higher of the two user ids.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_b_id: i64,
    /// Who sent the (last) request.
    pub requester_id: i64,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    /// When the request was sent, ms since epoch.
    pub created_at_ms: i64,
    /// Last change (accept or decline time), ms since epoch.
    pub updated_at_ms: i64,
}

/// `friendships` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// `status` of a request awaiting an answer.
pub const PENDING: &str = "pending";
/// `status` of a friendship.
pub const ACCEPTED: &str = "accepted";
/// `status` of a declined request.
pub const DECLINED: &str = "declined";
