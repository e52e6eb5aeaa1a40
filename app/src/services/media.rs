//! Photos in the database: storing a processed upload, attaching it to a
//! post, message or profile, who may fetch it, and removing files once
//! nothing uses them. Cross-cutting: it takes plain ids and never calls
//! the domain services (posts, chat) back. The bytes themselves live in
//! the [`MediaStore`].
//!
//! Lifecycle: an upload is a `media` row attached to nothing; attaching
//! sets `post_id` / `message_id` or points a profile at it. Removing a
//! photo (or what it belongs to) moves its key to `media_trash` in the
//! same transaction; [`empty_trash`] deletes the files after the commit
//! and retries failures with backoff. Uploads still attached to nothing
//! after [`UNATTACHED_TTL_MS`] are swept by [`sweep_unattached`].

use crate::db::entities::{conversation_members, media, media_trash, messages, posts, profiles};
use crate::error::{AppError, AppResult};
use crate::ids::{PostId, UserId};
use crate::media::{MediaStore, new_key, process};
use crate::models::{ALT_MAX_CHARS, MAX_PHOTOS_PER_POST, MediaPurpose, Photo, PhotoInput};
use crate::services::visibility::ViewerCtx;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;

/// Uploads attached to nothing are swept after this long (24 hours).
pub const UNATTACHED_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// First retry of a failed file deletion after this long; doubles each time
/// up to an hour.
pub const TRASH_RETRY_MS: i64 = 30_000;

/// The public shape of a stored row.
pub fn photo_of(m: &media::Model) -> Photo {
    Photo {
        id: m.key.clone(),
        width: u32::try_from(m.width).unwrap_or(0),
        height: u32::try_from(m.height).unwrap_or(0),
        blurhash: m.blurhash.clone(),
        alt: m.alt.clone(),
    }
}

/// Processes `bytes` (decode under limits, orient, crop, variants), stores
/// the variants under a fresh random key, then records the row, attached
/// to nothing yet.
///
/// # Errors
/// `Validation` on `file` with the pipeline's message for files that
/// aren't photos we read, are too many pixels or are broken; `Internal`
/// when the store or database fails (files already written are trashed).
pub async fn store_upload<C: ConnectionTrait>(
    db: &C,
    store: &MediaStore,
    owner: UserId,
    purpose: MediaPurpose,
    bytes: Vec<u8>,
) -> AppResult<Photo> {
    let processed = store
        .run_image_work(move || process::process(&bytes, purpose))
        .await?
        .map_err(|e| AppError::validation("file", e.to_string()))?;
    let key = new_key();
    let size = i64::try_from(processed.size_bytes()).unwrap_or(i64::MAX);
    for (slot, bytes) in processed.variants {
        if let Err(e) = store.put(&key, slot, bytes).await {
            let _ = store.delete_all(&key).await;
            return Err(e.into());
        }
    }
    let row = media::ActiveModel {
        key: Set(key.clone()),
        owner_id: Set(owner.0),
        purpose: Set(purpose.as_str().to_owned()),
        content_type: Set("image/jpeg".to_owned()),
        size_bytes: Set(size),
        width: Set(i32::try_from(processed.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(processed.height).unwrap_or(i32::MAX)),
        blurhash: Set(processed.blurhash),
        alt: Set(String::new()),
        post_id: Set(None),
        message_id: Set(None),
        position: Set(0),
        created_at_ms: Set(now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match row {
        Ok(row) => Ok(photo_of(&row)),
        Err(e) => {
            let _ = store.delete_all(&key).await;
            Err(e.into())
        }
    }
}

/// Trimmed alt text, or a `Validation` error on `alt`.
///
/// # Errors
/// `Validation` on `alt` over [`ALT_MAX_CHARS`] characters.
pub fn clean_alt(alt: &str) -> AppResult<String> {
    let alt = alt.trim();
    if alt.chars().count() > ALT_MAX_CHARS {
        return Err(AppError::validation(
            "alt",
            "Alt text can be at most 500 characters.",
        ));
    }
    Ok(alt.to_owned())
}

/// `owner`'s uploads for `purpose` named in `inputs`, still attached to
/// nothing, in the order given.
///
/// # Errors
/// `Validation` on `photos` when there are more than `max`, one is named
/// twice, or one isn't such an upload (unknown, someone else's, already
/// used, or for another purpose); on `alt` for over-long alt text.
pub async fn unattached_uploads<C: ConnectionTrait>(
    db: &C,
    owner: UserId,
    purpose: MediaPurpose,
    inputs: &[PhotoInput],
    max: usize,
) -> AppResult<Vec<(media::Model, String)>> {
    if inputs.len() > max {
        return Err(AppError::validation(
            "photos",
            format!("A post can have at most {MAX_PHOTOS_PER_POST} photos."),
        ));
    }
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = inputs.iter().map(|p| p.id.as_str()).collect();
    let mut found: HashMap<String, media::Model> = media::Entity::find()
        .filter(media::Column::Key.is_in(keys))
        .filter(media::Column::OwnerId.eq(owner.0))
        .filter(media::Column::Purpose.eq(purpose.as_str()))
        .filter(media::Column::PostId.is_null())
        .filter(media::Column::MessageId.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.key.clone(), m))
        .collect();
    inputs
        .iter()
        .map(|input| {
            let row = found.remove(&input.id).ok_or_else(|| {
                AppError::validation(
                    "photos",
                    "One of the photos is no longer available. Remove it and add it again.",
                )
            })?;
            Ok((row, clean_alt(&input.alt)?))
        })
        .collect()
}

/// Attaches checked uploads (from [`unattached_uploads`]) to post `post`,
/// in order, with their alt texts.
///
/// # Errors
/// On database failure.
pub async fn attach_to_post<C: ConnectionTrait>(
    db: &C,
    post: PostId,
    uploads: Vec<(media::Model, String)>,
) -> AppResult<()> {
    for (position, (row, alt)) in uploads.into_iter().enumerate() {
        let mut active: media::ActiveModel = row.into();
        active.post_id = Set(Some(post.0));
        active.position = Set(i32::try_from(position).unwrap_or(i32::MAX));
        active.alt = Set(alt);
        active.update(db).await?;
    }
    Ok(())
}

/// Attaches a checked upload to message `message`.
///
/// # Errors
/// On database failure.
pub async fn attach_to_message<C: ConnectionTrait>(
    db: &C,
    message: i64,
    upload: (media::Model, String),
) -> AppResult<Photo> {
    let (row, alt) = upload;
    let mut active: media::ActiveModel = row.into();
    active.message_id = Set(Some(message));
    active.alt = Set(alt);
    Ok(photo_of(&active.update(db).await?))
}

/// Photos of posts `ids`, per post, in order.
///
/// # Errors
/// On database failure.
pub async fn photos_of_posts<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Photo>>> {
    let mut out: HashMap<i64, Vec<Photo>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = media::Entity::find()
        .filter(media::Column::PostId.is_in(ids.to_vec()))
        .order_by_asc(media::Column::PostId)
        .order_by_asc(media::Column::Position)
        .order_by_asc(media::Column::Id)
        .all(db)
        .await?;
    for m in rows {
        if let Some(post) = m.post_id {
            out.entry(post).or_default().push(photo_of(&m));
        }
    }
    Ok(out)
}

/// The photo of each message in `ids` that has one.
///
/// # Errors
/// On database failure.
pub async fn photos_of_messages<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, Photo>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(media::Entity::find()
        .filter(media::Column::MessageId.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| Some((m.message_id?, photo_of(&m))))
        .collect())
}

/// Photos by row id (for avatars and covers).
///
/// # Errors
/// On database failure.
pub async fn photos_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, Photo>> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(media::Entity::find()
        .filter(media::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, photo_of(&m)))
        .collect())
}

/// The row behind a media key, if any.
///
/// # Errors
/// On database failure.
pub async fn find_by_key<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<Option<media::Model>> {
    Ok(media::Entity::find()
        .filter(media::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// Whether `viewer` may fetch `m`, by the rules of what it belongs to:
/// its owner always; a post's photo whoever may see the post (the rule in
/// [`crate::services::visibility`]); a message's photo the conversation's
/// members while the message isn't deleted; an avatar or cover in use any
/// signed-in person; anything else (unattached uploads) nobody else.
/// Signed-out visitors never.
///
/// # Errors
/// On database failure.
pub async fn may_view<C: ConnectionTrait>(
    db: &C,
    viewer: Option<UserId>,
    m: &media::Model,
) -> AppResult<bool> {
    let Some(viewer) = viewer else {
        return Ok(false);
    };
    if m.owner_id == viewer.0 {
        return Ok(true);
    }
    if let Some(post_id) = m.post_id {
        let Some(post) = posts::Entity::find_by_id(post_id).one(db).await? else {
            return Ok(false);
        };
        return Ok(ViewerCtx::load(db, viewer).await?.can_see_post(&post));
    }
    if let Some(message_id) = m.message_id {
        let Some(msg) = messages::Entity::find_by_id(message_id).one(db).await? else {
            return Ok(false);
        };
        if msg.deleted_at_ms.is_some() {
            return Ok(false);
        }
        return Ok(
            conversation_members::Entity::find_by_id((msg.conversation_id, viewer.0))
                .one(db)
                .await?
                .is_some(),
        );
    }
    let in_use = profiles::Entity::find()
        .filter(
            Condition::any()
                .add(profiles::Column::AvatarMediaId.eq(m.id))
                .add(profiles::Column::CoverMediaId.eq(m.id)),
        )
        .one(db)
        .await?
        .is_some();
    Ok(in_use)
}

/// Moves rows to the trash: their keys into `media_trash`, the rows gone.
async fn trash_rows<C: ConnectionTrait>(db: &C, rows: Vec<media::Model>) -> AppResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    media_trash::Entity::insert_many(rows.iter().map(|m| media_trash::ActiveModel {
        key: Set(m.key.clone()),
        attempts: Set(0),
        next_attempt_at_ms: Set(now),
        ..Default::default()
    }))
    .exec_without_returning(db)
    .await?;
    for col in [
        profiles::Column::AvatarMediaId,
        profiles::Column::CoverMediaId,
    ] {
        profiles::Entity::update_many()
            .col_expr(col, Expr::value(Option::<i64>::None))
            .filter(col.is_in(ids.clone()))
            .exec(db)
            .await?;
    }
    media::Entity::delete_many()
        .filter(media::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(rows.len())
}

/// Trashes the photos of post `post` (call in the transaction that
/// deletes it; then [`empty_trash`] after the commit).
///
/// # Errors
/// On database failure.
pub async fn trash_post_photos<C: ConnectionTrait>(db: &C, post: PostId) -> AppResult<usize> {
    let rows = media::Entity::find()
        .filter(media::Column::PostId.eq(post.0))
        .all(db)
        .await?;
    trash_rows(db, rows).await
}

/// Trashes the photo of message `message`, if it has one.
///
/// # Errors
/// On database failure.
pub async fn trash_message_photo<C: ConnectionTrait>(db: &C, message: i64) -> AppResult<usize> {
    let rows = media::Entity::find()
        .filter(media::Column::MessageId.eq(message))
        .all(db)
        .await?;
    trash_rows(db, rows).await
}

/// `me`'s photo `key` on one of their posts.
async fn own_post_photo<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    key: &str,
) -> AppResult<media::Model> {
    let row = find_by_key(db, key)
        .await?
        .filter(|m| m.post_id.is_some())
        .ok_or(AppError::NotFound)?;
    if row.owner_id != me.0 {
        return Err(if may_view(db, Some(me), &row).await? {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    Ok(row)
}

/// Removes photo `key` from `me`'s post. A post keeps at least some text
/// or one photo.
///
/// # Errors
/// `NotFound` / `Forbidden` as for posts; `Validation` on `photos` when it
/// is the last photo of a post with no text.
pub async fn remove_post_photo<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    key: &str,
) -> AppResult<PostId> {
    let row = own_post_photo(db, me, key).await?;
    let post_id = row.post_id.ok_or(AppError::NotFound)?;
    let post = posts::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let count = media::Entity::find()
        .filter(media::Column::PostId.eq(post_id))
        .count(db)
        .await?;
    if count <= 1 && post.body.trim().is_empty() && !post.is_share {
        return Err(AppError::validation(
            "photos",
            "A post needs some text or a photo. Delete the post instead.",
        ));
    }
    trash_rows(db, vec![row]).await?;
    Ok(PostId(post_id))
}

/// Sets the alt text of photo `key` on `me`'s post.
///
/// # Errors
/// `NotFound` / `Forbidden` as for posts; `Validation` on `alt`.
pub async fn update_alt<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    key: &str,
    alt: &str,
) -> AppResult<(PostId, Photo)> {
    let alt = clean_alt(alt)?;
    let row = own_post_photo(db, me, key).await?;
    let post = PostId(row.post_id.ok_or(AppError::NotFound)?);
    let mut active: media::ActiveModel = row.into();
    active.alt = Set(alt);
    Ok((post, photo_of(&active.update(db).await?)))
}

/// Makes `me`'s upload `key` their avatar or cover (by the upload's
/// purpose), trashing the one it replaces.
///
/// # Errors
/// `Validation` on `photo` unless `key` is `me`'s unused avatar or cover
/// upload.
pub async fn set_profile_photo<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    purpose: MediaPurpose,
    key: &str,
) -> AppResult<Photo> {
    let bad = || AppError::validation("photo", "That photo is no longer available. Try again.");
    if !matches!(purpose, MediaPurpose::Avatar | MediaPurpose::Cover) {
        return Err(bad());
    }
    let row = find_by_key(db, key)
        .await?
        .filter(|m| m.owner_id == me.0 && m.purpose == purpose.as_str())
        .ok_or_else(bad)?;
    let profile = profiles::Entity::find_by_id(me.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = match purpose {
        MediaPurpose::Avatar => profile.avatar_media_id,
        _ => profile.cover_media_id,
    };
    if old == Some(row.id) {
        return Ok(photo_of(&row));
    }
    let mut active: profiles::ActiveModel = profile.into();
    match purpose {
        MediaPurpose::Avatar => active.avatar_media_id = Set(Some(row.id)),
        _ => active.cover_media_id = Set(Some(row.id)),
    }
    active.updated_at_ms = Set(now_ms());
    active.update(db).await?;
    if let Some(old) = old {
        let rows = media::Entity::find_by_id(old).all(db).await?;
        trash_rows(db, rows).await?;
    }
    Ok(photo_of(&row))
}

/// Removes `me`'s avatar or cover (the placeholder shows again).
///
/// # Errors
/// On database failure.
pub async fn remove_profile_photo<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    purpose: MediaPurpose,
) -> AppResult<()> {
    let Some(profile) = profiles::Entity::find_by_id(me.0).one(db).await? else {
        return Err(AppError::NotFound);
    };
    let current = match purpose {
        MediaPurpose::Avatar => profile.avatar_media_id,
        MediaPurpose::Cover => profile.cover_media_id,
        _ => None,
    };
    if let Some(id) = current {
        let rows = media::Entity::find_by_id(id).all(db).await?;
        trash_rows(db, rows).await?;
    }
    Ok(())
}

/// Trashes uploads attached to nothing (no post, no message, no profile)
/// for longer than [`UNATTACHED_TTL_MS`] before `now`. Returns how many.
///
/// # Errors
/// On database failure.
pub async fn sweep_unattached<C: ConnectionTrait>(db: &C, now: i64) -> AppResult<usize> {
    let in_profiles = |col: profiles::Column| {
        Query::select()
            .column(col)
            .from(profiles::Entity)
            .and_where(col.is_not_null())
            .to_owned()
    };
    let rows = media::Entity::find()
        .filter(media::Column::CreatedAtMs.lt(now - UNATTACHED_TTL_MS))
        .filter(media::Column::PostId.is_null())
        .filter(media::Column::MessageId.is_null())
        .filter(media::Column::Id.not_in_subquery(in_profiles(profiles::Column::AvatarMediaId)))
        .filter(media::Column::Id.not_in_subquery(in_profiles(profiles::Column::CoverMediaId)))
        .all(db)
        .await?;
    trash_rows(db, rows).await
}

/// Deletes the files of trashed keys that are due, removing each trash
/// row once the store confirms; a failure is retried later with doubling
/// backoff (from [`TRASH_RETRY_MS`] up to an hour). Returns how many keys
/// were emptied. Safe to run from several places at once.
///
/// # Errors
/// On database failure (store failures are logged and retried).
pub async fn empty_trash<C: ConnectionTrait>(db: &C, store: &MediaStore) -> AppResult<usize> {
    let now = now_ms();
    let due = media_trash::Entity::find()
        .filter(media_trash::Column::NextAttemptAtMs.lte(now))
        .order_by_asc(media_trash::Column::Id)
        .all(db)
        .await?;
    let mut emptied = 0;
    for row in due {
        match store.delete_all(&row.key).await {
            Ok(()) => {
                media_trash::Entity::delete_by_id(row.id).exec(db).await?;
                emptied += 1;
            }
            Err(e) => {
                tracing::warn!(error = ?e, key = %row.key, attempts = row.attempts, "deleting media files failed; will retry");
                let backoff = TRASH_RETRY_MS
                    .saturating_mul(1_i64 << row.attempts.clamp(0, 7))
                    .min(3_600_000);
                let mut active: media_trash::ActiveModel = row.into();
                active.attempts = Set(active.attempts.as_ref() + 1);
                active.next_attempt_at_ms = Set(now + backoff);
                active.update(db).await?;
            }
        }
    }
    Ok(emptied)
}
