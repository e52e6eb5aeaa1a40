//! `media`: one processed photo upload. Its variants are files in the media
//! store under `{key}/{slot}.jpg`; this row says who owns it, what it is
//! for, and what it is attached to (a post or a message; avatars and
//! covers are pointed at by `profiles`). A row attached to nothing for a
//! day is swept with its files.

use sea_orm::entity::prelude::*;

/// A stored photo.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Random public key (32 hex digits): its URL and store folder.
    #[sea_orm(unique)]
    pub key: String,
    /// Who uploaded it (`users.id`).
    pub owner_id: i64,
    /// `post`, `message`, `avatar` or `cover` (`MediaPurpose`).
    pub purpose: String,
    /// Content type of every variant (`image/jpeg`).
    pub content_type: String,
    /// Bytes stored, all variants together.
    pub size_bytes: i64,
    /// Width of the largest variant, pixels.
    pub width: i32,
    /// Height of the largest variant, pixels.
    pub height: i32,
    /// BlurHash, 4×3 components.
    pub blurhash: String,
    /// Alt text, at most 500 characters.
    pub alt: String,
    /// The post it belongs to, once attached.
    pub post_id: Option<i64>,
    /// The message it belongs to, once attached.
    pub message_id: Option<i64>,
    /// Order within its post, from 0.
    pub position: i32,
    /// Upload time, ms since epoch.
    pub created_at_ms: i64,
}

/// `media` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
