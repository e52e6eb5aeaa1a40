//! `videos`: one video from its first uploaded byte to its HLS renditions.
//! While `uploading`, the bytes received so far are a file in the upload
//! folder (tus); once complete it is `processing` (a `transcode` job in
//! `jobs`), then `ready` (files in the media store under `{key}/`) or
//! `failed` (with a reason for its owner).

use sea_orm::entity::prelude::*;

/// `uploading`: bytes still arriving.
pub const UPLOADING: &str = "uploading";
/// `processing`: complete, waiting for or being transcoded.
pub const PROCESSING: &str = "processing";
/// `ready`: playable.
pub const READY: &str = "ready";
/// `failed`: can't be played; see `failure`.
pub const FAILED: &str = "failed";

/// A video.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "videos")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Random public key (32 hex digits): the upload id, its URLs and its
    /// store folder.
    #[sea_orm(unique)]
    pub key: String,
    /// Who uploaded it (`users.id`).
    pub owner_id: i64,
    /// The post it belongs to, once attached.
    pub post_id: Option<i64>,
    /// [`UPLOADING`], [`PROCESSING`], [`READY`] or [`FAILED`].
    pub status: String,
    /// Declared size of the upload, bytes (tus `Upload-Length`).
    pub upload_length: i64,
    /// Bytes received so far (tus `Upload-Offset`).
    pub upload_offset: i64,
    /// An unfinished upload is swept after this time, ms since epoch.
    pub upload_expires_at_ms: i64,
    /// The uploader's file name (from tus metadata), for their messages.
    pub file_name: String,
    /// Transcode progress, 0–100.
    pub progress: i32,
    /// Why it failed, for the owner.
    pub failure: Option<String>,
    /// Bytes stored in the media store (playlists, segments, poster).
    pub size_bytes: i64,
    /// Display width of the largest rendition, pixels.
    pub width: i32,
    /// Display height of the largest rendition, pixels.
    pub height: i32,
    /// Length, milliseconds.
    pub duration_ms: i64,
    /// Short sides of the renditions, ascending, comma-separated (`360,720`).
    pub renditions: String,
    /// BlurHash of the poster.
    pub blurhash: String,
    /// Created (upload started), ms since epoch.
    pub created_at_ms: i64,
    /// Last change, ms since epoch.
    pub updated_at_ms: i64,
}

/// `videos` relations are queried explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
