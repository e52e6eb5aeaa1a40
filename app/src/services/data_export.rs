//! "Download your data": a zip of everything a person put into Hearth,
//! built in the background and kept for 7 days.
//!
//! - [`request_export`] records a `pending` row in `data_exports` and
//!   enqueues an [`EXPORT_JOB`] in the same transaction (at most one at a
//!   time, and one an hour).
//! - [`run_export_job`] reads the person's data, writes the zip into a
//!   temporary file on the blocking pool (entries are fed to it one at a
//!   time, so only one photo or video segment is in memory at once),
//!   stores it as `{key}/export.zip` in the media store, marks the row
//!   `ready` (expiring [`EXPORT_TTL_MS`] later) and mails the owner, both
//!   in one transaction. Idempotent: a rerun after a crash rebuilds the
//!   same file, and only the run that flips `pending` to `ready` mails.
//! - [`sweep_expired`] (the server's hourly janitor) moves expired
//!   archives to the media trash and deletes their rows.
//!
//! The zip holds `README.txt`, `profile.json`, `posts.json`,
//! `comments.json`, `reactions.json`, `friends.json`, `follows.json`,
//! `blocks.json`, `messages.json` (the messages the person sent),
//! `photos/{key}.jpg` (the largest variant of each of their photos) and
//! `videos/{key}.ts` (each ready video's top rendition: its MPEG-TS
//! segments concatenated, which plays as one file). Times in the JSON
//! files are milliseconds since the Unix epoch, UTC.

use crate::db::entities::{
    blocks, comments, data_exports, follows, friendships, media, media_trash, messages, posts,
    profiles, reactions, users, videos,
};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::jobs::JobError;
use crate::media::{MediaStore, new_key};
use crate::models::{DataExportInfo, DataExportStatus, VARIANT_SLOTS};
use crate::state::AppState;
use crate::time_fmt::now_ms;
use bytes::Bytes;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    DbBackend, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

/// Job kind of an export.
pub const EXPORT_JOB: &str = "export";
/// Tries per export before it is marked failed (backoff 10 s, 20 s).
pub const EXPORT_ATTEMPTS: i32 = 3;
/// How long a ready archive can be downloaded: 7 days, in ms.
pub const EXPORT_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// At most one archive is asked for per this long: one hour, in ms.
pub const EXPORT_COOLDOWN_MS: i64 = 3600 * 1000;
/// The archive's file name under its key in the media store.
pub const EXPORT_FILE: &str = "export.zip";
/// Entries queued between the reader and the zip writer (bounds memory to
/// a few photos or segments).
const PIPE_DEPTH: usize = 4;

/// What an export job carries.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportPayload {
    /// The export's key (`data_exports.key`).
    pub key: String,
}

fn info_of(row: &data_exports::Model) -> DataExportInfo {
    let status = match row.status.as_str() {
        data_exports::READY => DataExportStatus::Ready,
        data_exports::FAILED => DataExportStatus::Failed,
        _ => DataExportStatus::Pending,
    };
    DataExportInfo {
        id: row.key.clone(),
        status,
        size_bytes: u64::try_from(row.size_bytes).unwrap_or(0),
        created_at_ms: row.created_at_ms,
        expires_at_ms: row.expires_at_ms,
        download_url: (status == DataExportStatus::Ready)
            .then(|| format!("/api/exports/{}", row.key)),
    }
}

/// Asks for a new archive of `user`'s data: a pending row and its job, in
/// one transaction (the job workers are woken after the commit).
///
/// # Errors
/// `RateLimited` while one is pending, or within an hour of the last one
/// that didn't fail (`retry_after_s`: until the hour is up, at least a
/// minute); `Internal` on database failure.
pub async fn request_export(state: &AppState, user: UserId) -> AppResult<DataExportInfo> {
    let now = now_ms();
    let txn = crate::db::begin_write(&state.db).await?;
    // PostgreSQL: serialize concurrent requests of one person on their row
    // (SQLite's `BEGIN IMMEDIATE` already serializes writers).
    if txn.get_database_backend() == DbBackend::Postgres {
        users::Entity::find_by_id(user.0)
            .lock_exclusive()
            .one(&txn)
            .await?;
    }
    let recent = data_exports::Entity::find()
        .filter(data_exports::Column::UserId.eq(user.0))
        .filter(data_exports::Column::Status.ne(data_exports::FAILED))
        .filter(
            Condition::any()
                .add(data_exports::Column::Status.eq(data_exports::PENDING))
                .add(data_exports::Column::CreatedAtMs.gt(now - EXPORT_COOLDOWN_MS)),
        )
        .order_by_desc(data_exports::Column::CreatedAtMs)
        .one(&txn)
        .await?;
    if let Some(r) = recent {
        let wait_ms = (r.created_at_ms + EXPORT_COOLDOWN_MS - now).max(60_000);
        return Err(AppError::RateLimited {
            retry_after_s: u64::try_from(wait_ms).unwrap_or(60).div_ceil(1000),
        });
    }
    let key = new_key();
    let row = data_exports::ActiveModel {
        user_id: Set(user.0),
        key: Set(key.clone()),
        status: Set(data_exports::PENDING.to_owned()),
        size_bytes: Set(0),
        failure: Set(None),
        created_at_ms: Set(now),
        // Replaced when it becomes ready; a build stuck this long is swept.
        expires_at_ms: Set(now + EXPORT_TTL_MS),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::jobs::enqueue(&txn, EXPORT_JOB, &ExportPayload { key }, EXPORT_ATTEMPTS).await?;
    txn.commit().await?;
    state.job_signal.wake();
    Ok(info_of(&row))
}

/// `user`'s archives that haven't expired, newest first (at most 10).
///
/// # Errors
/// `Internal` on database failure.
pub async fn list_exports<C: ConnectionTrait>(
    db: &C,
    user: UserId,
) -> AppResult<Vec<DataExportInfo>> {
    Ok(data_exports::Entity::find()
        .filter(data_exports::Column::UserId.eq(user.0))
        .filter(data_exports::Column::ExpiresAtMs.gt(now_ms()))
        .order_by_desc(data_exports::Column::CreatedAtMs)
        .order_by_desc(data_exports::Column::Id)
        .limit(10)
        .all(db)
        .await?
        .iter()
        .map(info_of)
        .collect())
}

/// `user`'s ready, unexpired archive `key`, or `None` (unknown, someone
/// else's, pending, failed or expired: the download route answers 404 for
/// all of them).
///
/// # Errors
/// `Internal` on database failure.
pub async fn downloadable<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    key: &str,
) -> AppResult<Option<data_exports::Model>> {
    if !crate::media::is_key(key) {
        return Ok(None);
    }
    Ok(data_exports::Entity::find()
        .filter(data_exports::Column::Key.eq(key))
        .filter(data_exports::Column::UserId.eq(user.0))
        .filter(data_exports::Column::Status.eq(data_exports::READY))
        .filter(data_exports::Column::ExpiresAtMs.gt(now_ms()))
        .one(db)
        .await?)
}

/// Moves archives whose time is up (before `now`, ms) to the media trash
/// and deletes their rows, in one transaction. The trash deletes the files
/// (the server's janitor empties it every minute). Returns how many.
///
/// # Errors
/// `Internal` on database failure.
pub async fn sweep_expired(db: &sea_orm::DatabaseConnection, now: i64) -> AppResult<usize> {
    let txn = crate::db::begin_write(db).await?;
    let rows = data_exports::Entity::find()
        .filter(data_exports::Column::ExpiresAtMs.lte(now))
        .all(&txn)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    trash_rows(&txn, &rows).await?;
    txn.commit().await?;
    Ok(rows.len())
}

/// Moves the files of `rows` to the media trash and deletes the rows (in
/// the caller's transaction; empty the trash after the commit).
///
/// # Errors
/// `Internal` on database failure.
pub async fn trash_rows<C: ConnectionTrait>(db: &C, rows: &[data_exports::Model]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    media_trash::Entity::insert_many(rows.iter().map(|r| media_trash::ActiveModel {
        key: Set(r.key.clone()),
        attempts: Set(0),
        next_attempt_at_ms: Set(now),
        ..Default::default()
    }))
    .exec_without_returning(db)
    .await?;
    data_exports::Entity::delete_many()
        .filter(data_exports::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .exec(db)
        .await?;
    Ok(())
}

/// The export job: builds, stores and announces the archive of the
/// payload's key. A deleted export (its account was deleted meanwhile) or
/// one no longer pending is skipped. When the last try fails, the export
/// is marked failed so the page stops saying "preparing".
///
/// # Errors
/// A [`JobError`] when the build failed (retried with backoff), permanent
/// for a payload that isn't an export's.
pub async fn run_export_job(
    state: AppState,
    job: crate::db::entities::jobs::Model,
) -> Result<(), JobError> {
    let payload: ExportPayload = serde_json::from_str(&job.payload).map_err(|e| JobError {
        message: format!("bad export payload: {e}"),
        permanent: true,
    })?;
    let Some(row) = data_exports::Entity::find()
        .filter(data_exports::Column::Key.eq(&payload.key))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    if row.status != data_exports::PENDING {
        return Ok(());
    }
    let result = build(&state, &row).await;
    if let Err(e) = &result
        && (e.permanent || job.attempts >= job.max_attempts)
    {
        tracing::error!(export = %row.key, error = %e.message, "export gave up");
        data_exports::Entity::update_many()
            .col_expr(
                data_exports::Column::Status,
                Expr::value(data_exports::FAILED),
            )
            .col_expr(
                data_exports::Column::Failure,
                Expr::value(e.message.chars().take(500).collect::<String>()),
            )
            .filter(data_exports::Column::Id.eq(row.id))
            .filter(data_exports::Column::Status.eq(data_exports::PENDING))
            .exec(&state.db)
            .await?;
    }
    result
}

/// One attempt: the zip, the store, the row and the mail.
async fn build(state: &AppState, row: &data_exports::Model) -> Result<(), JobError> {
    let Some(user) = users::Entity::find_by_id(row.user_id)
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let path = std::env::temp_dir().join(format!("hearth-export-{}.zip", row.key));
    let written = write_zip(state, &user, path.clone()).await;
    let stored = match written {
        Ok(()) => store(&state.media, &row.key, &path).await,
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&path).await;
    let size = stored?;

    let now = now_ms();
    let expires = now + EXPORT_TTL_MS;
    let txn = crate::db::begin_write(&state.db).await?;
    let flipped = data_exports::Entity::update_many()
        .col_expr(
            data_exports::Column::Status,
            Expr::value(data_exports::READY),
        )
        .col_expr(
            data_exports::Column::SizeBytes,
            Expr::value(i64::try_from(size).unwrap_or(i64::MAX)),
        )
        .col_expr(data_exports::Column::ExpiresAtMs, Expr::value(expires))
        .filter(data_exports::Column::Id.eq(row.id))
        .filter(data_exports::Column::Status.eq(data_exports::PENDING))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if flipped {
        crate::mail::enqueue(&txn, &ready_mail(state, &user, size, expires)).await?;
    }
    txn.commit().await?;
    if flipped {
        state.job_signal.wake();
    } else if data_exports::Entity::find_by_id(row.id)
        .one(&state.db)
        .await?
        .is_none()
    {
        // Deleted while we built it (the account went, or it expired):
        // its key was trashed, perhaps before we stored; delete what we
        // just stored too.
        let _ = state.media.delete_all(&row.key).await;
    }
    Ok(())
}

/// Stores the finished zip; returns its size in bytes.
async fn store(store: &MediaStore, key: &str, path: &PathBuf) -> Result<u64, JobError> {
    // The media store takes whole files; the zip is read back once here.
    let bytes = tokio::fs::read(path).await?;
    let size = bytes.len() as u64;
    store
        .put_file(key, EXPORT_FILE, bytes)
        .await
        .map_err(|e| JobError::from(format!("{e:#}")))?;
    Ok(size)
}

fn ready_mail(state: &AppState, user: &users::Model, size: u64, expires: i64) -> crate::mail::Mail {
    crate::mail::compose(
        &user.email,
        "Your Hearth data is ready",
        &format!("Hi {},", user.first_name),
        &[
            format!(
                "The copy of your Hearth data you asked for is ready: a zip file of {} with your \
                 profile, posts, comments, reactions, friends, follows, the messages you sent, \
                 and your photos and videos.",
                crate::services::videos::size_label(size)
            ),
            format!(
                "Download it from your account settings (you need to be logged in) until {}. \
                 After that it is deleted; you can ask for a new one any time.",
                crate::time_fmt::exact_time(expires)
            ),
        ],
        Some((
            "Download your data",
            &state.accounts.link("/settings/account"),
        )),
        "If you didn't ask for this, change your password: someone else may be using your account.",
    )
}

/// One item fed to the zip writer.
enum Piece {
    /// Starts file `name`; `compress` deflates it (JSON and text; photos
    /// and video are compressed already and are stored).
    File { name: String, compress: bool },
    /// More bytes of the current file.
    Data(Bytes),
}

/// Writes the whole archive of `user` to `path`: the zip writer runs on
/// the blocking pool, fed through a short channel.
async fn write_zip(state: &AppState, user: &users::Model, path: PathBuf) -> Result<(), JobError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(PIPE_DEPTH);
    let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        use zip::CompressionMethod;
        use zip::write::SimpleFileOptions;
        let file = std::fs::File::create(&path)?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        while let Some(piece) = rx.blocking_recv() {
            match piece {
                Piece::File { name, compress } => {
                    let options = SimpleFileOptions::default()
                        .compression_method(if compress {
                            CompressionMethod::Deflated
                        } else {
                            CompressionMethod::Stored
                        })
                        .large_file(!compress);
                    zip.start_file(name, options)?;
                }
                Piece::Data(bytes) => zip.write_all(&bytes)?,
            }
        }
        zip.finish()?.flush()?;
        Ok(())
    });
    let fed = feed(state, user, &tx).await;
    drop(tx);
    let written = writer
        .await
        .map_err(|e| JobError::from(format!("zip writer panicked: {e}")))?;
    // The writer's own error explains a feed that stopped because of it.
    written.map_err(|e| JobError::from(format!("writing the zip: {e:#}")))?;
    fed
}

/// Sends one whole file to the writer.
async fn send_file(
    tx: &tokio::sync::mpsc::Sender<Piece>,
    name: &str,
    compress: bool,
    bytes: Bytes,
) -> Result<(), JobError> {
    send(
        tx,
        Piece::File {
            name: name.to_owned(),
            compress,
        },
    )
    .await?;
    send(tx, Piece::Data(bytes)).await
}

async fn send(tx: &tokio::sync::mpsc::Sender<Piece>, piece: Piece) -> Result<(), JobError> {
    tx.send(piece)
        .await
        .map_err(|_| JobError::from("the zip writer stopped"))
}

async fn send_json(
    tx: &tokio::sync::mpsc::Sender<Piece>,
    name: &str,
    value: &serde_json::Value,
) -> Result<(), JobError> {
    let bytes = serde_json::to_vec_pretty(value)?;
    send_file(tx, name, true, Bytes::from(bytes)).await
}

/// Usernames and display names of `ids`, for the lists of people.
async fn people<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, (String, String)>> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .find_also_related(profiles::Entity)
        .all(db)
        .await?
        .into_iter()
        .map(|(u, p)| {
            let name = p.map_or_else(String::new, |p| p.display_name);
            (u.id, (u.username, name))
        })
        .collect())
}

fn person(people: &HashMap<i64, (String, String)>, id: i64) -> serde_json::Value {
    match people.get(&id) {
        Some((username, name)) => json!({ "username": username, "display_name": name }),
        None => json!({ "username": null, "display_name": "Deleted account" }),
    }
}

/// Reads everything and feeds it to the writer, file by file.
async fn feed(
    state: &AppState,
    user: &users::Model,
    tx: &tokio::sync::mpsc::Sender<Piece>,
) -> Result<(), JobError> {
    let db = &state.db;
    let me = user.id;

    send_file(
        tx,
        "README.txt",
        true,
        Bytes::from(readme(user).into_bytes()),
    )
    .await?;

    // Profile.
    let profile = profiles::Entity::find_by_id(me).one(db).await?;
    let own_media = media::Entity::find()
        .filter(media::Column::OwnerId.eq(me))
        .order_by_asc(media::Column::Id)
        .all(db)
        .await?;
    let key_of: HashMap<i64, String> = own_media.iter().map(|m| (m.id, m.key.clone())).collect();
    let photo_file = |id: Option<i64>| {
        id.and_then(|id| key_of.get(&id))
            .map(|k| format!("photos/{k}.jpg"))
    };
    send_json(
        tx,
        "profile.json",
        &json!({
            "username": user.username,
            "email": user.email,
            "email_confirmed_at_ms": user.email_confirmed_at_ms,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": profile.as_ref().map(|p| p.display_name.clone()),
            "bio": profile.as_ref().map(|p| p.bio.clone()),
            "avatar": photo_file(profile.as_ref().and_then(|p| p.avatar_media_id)),
            "cover": photo_file(profile.as_ref().and_then(|p| p.cover_media_id)),
            "joined_at_ms": user.created_at_ms,
            "two_factor_on": user.totp_enabled_at_ms.is_some(),
            "send_read_receipts": user.send_read_receipts,
            "show_presence": user.show_presence,
        }),
    )
    .await?;

    // Posts, with their photos and video by file name.
    let own_videos = videos::Entity::find()
        .filter(videos::Column::OwnerId.eq(me))
        .order_by_asc(videos::Column::Id)
        .all(db)
        .await?;
    let mut post_photos: HashMap<i64, Vec<serde_json::Value>> = HashMap::new();
    let mut by_position: Vec<&media::Model> = own_media.iter().collect();
    by_position.sort_by_key(|m| (m.post_id, m.position, m.id));
    for m in by_position {
        if let Some(post) = m.post_id {
            post_photos.entry(post).or_default().push(json!({
                "file": format!("photos/{}.jpg", m.key),
                "alt": m.alt,
            }));
        }
    }
    let post_video: HashMap<i64, String> = own_videos
        .iter()
        .filter(|v| v.status == videos::READY)
        .filter_map(|v| Some((v.post_id?, format!("videos/{}.ts", v.key))))
        .collect();
    let posts: Vec<serde_json::Value> = posts::Entity::find()
        .filter(posts::Column::AuthorId.eq(me))
        .order_by_asc(posts::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| {
            json!({
                "id": p.id,
                "text": p.body,
                "visibility": p.visibility,
                "created_at_ms": p.created_at_ms,
                "edited_at_ms": p.edited_at_ms,
                "shared_post_id": if p.is_share { p.shared_post_id } else { None },
                "published": p.published,
                "photos": post_photos.remove(&p.id).unwrap_or_default(),
                "video": post_video.get(&p.id),
            })
        })
        .collect();
    send_json(tx, "posts.json", &json!(posts)).await?;

    let comments: Vec<serde_json::Value> = comments::Entity::find()
        .filter(comments::Column::AuthorId.eq(me))
        .order_by_asc(comments::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id,
                "post_id": c.post_id,
                "reply_to_comment_id": c.parent_id,
                "text": c.body,
                "created_at_ms": c.created_at_ms,
                "edited_at_ms": c.edited_at_ms,
            })
        })
        .collect();
    send_json(tx, "comments.json", &json!(comments)).await?;

    let reactions: Vec<serde_json::Value> = reactions::Entity::find()
        .filter(reactions::Column::UserId.eq(me))
        .order_by_asc(reactions::Column::CreatedAtMs)
        .order_by_asc(reactions::Column::PostId)
        .all(db)
        .await?
        .into_iter()
        .map(|r| json!({ "post_id": r.post_id, "reaction": r.kind, "created_at_ms": r.created_at_ms }))
        .collect();
    send_json(tx, "reactions.json", &json!(reactions)).await?;

    // People: friends and requests, follows both ways, blocks.
    let friendships = friendships::Entity::find()
        .filter(
            Condition::any()
                .add(friendships::Column::UserAId.eq(me))
                .add(friendships::Column::UserBId.eq(me)),
        )
        .order_by_asc(friendships::Column::CreatedAtMs)
        .order_by_asc(friendships::Column::UserAId)
        .order_by_asc(friendships::Column::UserBId)
        .all(db)
        .await?;
    let following = follows::Entity::find()
        .filter(follows::Column::FollowerId.eq(me))
        .order_by_asc(follows::Column::CreatedAtMs)
        .order_by_asc(follows::Column::FolloweeId)
        .all(db)
        .await?;
    let followers = follows::Entity::find()
        .filter(follows::Column::FolloweeId.eq(me))
        .order_by_asc(follows::Column::CreatedAtMs)
        .order_by_asc(follows::Column::FollowerId)
        .all(db)
        .await?;
    let blocked = blocks::Entity::find()
        .filter(blocks::Column::BlockerId.eq(me))
        .order_by_asc(blocks::Column::CreatedAtMs)
        .order_by_asc(blocks::Column::BlockedId)
        .all(db)
        .await?;
    let other = |f: &friendships::Model| {
        if f.user_a_id == me {
            f.user_b_id
        } else {
            f.user_a_id
        }
    };
    let who = people(
        db,
        friendships
            .iter()
            .map(other)
            .chain(following.iter().map(|f| f.followee_id))
            .chain(followers.iter().map(|f| f.follower_id))
            .chain(blocked.iter().map(|b| b.blocked_id)),
    )
    .await?;
    let friends: Vec<serde_json::Value> = friendships
        .iter()
        .map(|f| {
            let mut entry = person(&who, other(f));
            entry["status"] = json!(f.status);
            entry["asked_by_you"] = json!(f.requester_id == me);
            entry["since_ms"] = json!(f.updated_at_ms);
            entry
        })
        .collect();
    send_json(tx, "friends.json", &json!(friends)).await?;
    let with_time = |id: i64, at: i64| {
        let mut entry = person(&who, id);
        entry["since_ms"] = json!(at);
        entry
    };
    send_json(
        tx,
        "follows.json",
        &json!({
            "following": following.iter().map(|f| with_time(f.followee_id, f.created_at_ms)).collect::<Vec<_>>(),
            "followers": followers.iter().map(|f| with_time(f.follower_id, f.created_at_ms)).collect::<Vec<_>>(),
        }),
    )
    .await?;
    send_json(
        tx,
        "blocks.json",
        &json!(
            blocked
                .iter()
                .map(|b| with_time(b.blocked_id, b.created_at_ms))
                .collect::<Vec<_>>()
        ),
    )
    .await?;

    let message_photo: HashMap<i64, String> = own_media
        .iter()
        .filter_map(|m| Some((m.message_id?, format!("photos/{}.jpg", m.key))))
        .collect();
    let messages: Vec<serde_json::Value> = messages::Entity::find()
        .filter(messages::Column::SenderId.eq(me))
        .order_by_asc(messages::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let deleted = m.deleted_at_ms.is_some();
            json!({
                "id": m.id,
                "conversation_id": m.conversation_id,
                "text": m.body,
                "photo": if deleted { None } else { message_photo.get(&m.id) },
                "sent_at_ms": m.created_at_ms,
                "edited_at_ms": m.edited_at_ms,
                "deleted_at_ms": m.deleted_at_ms,
            })
        })
        .collect();
    send_json(tx, "messages.json", &json!(messages)).await?;

    // Photos: the largest variant each has.
    for m in &own_media {
        for slot in VARIANT_SLOTS.iter().rev() {
            if let Some(bytes) = state
                .media
                .get(&m.key, *slot)
                .await
                .map_err(|e| JobError::from(format!("{e:#}")))?
            {
                send_file(tx, &format!("photos/{}.jpg", m.key), false, bytes).await?;
                break;
            }
        }
    }

    // Videos: the top rendition's segments, end to end.
    for v in own_videos.iter().filter(|v| v.status == videos::READY) {
        let Some(top) = v
            .renditions
            .split(',')
            .filter_map(|r| r.trim().parse::<u32>().ok())
            .max()
        else {
            continue;
        };
        let Some(playlist) = get(&state.media, &v.key, &format!("hls/{top}/index.m3u8")).await?
        else {
            continue;
        };
        let playlist = String::from_utf8_lossy(&playlist).into_owned();
        send(
            tx,
            Piece::File {
                name: format!("videos/{}.ts", v.key),
                compress: false,
            },
        )
        .await?;
        for line in playlist.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let name = format!("hls/{top}/{line}");
            if crate::services::videos::hls_file(&name) != Some("video/mp2t") {
                continue;
            }
            if let Some(seg) = get(&state.media, &v.key, &name).await? {
                send(tx, Piece::Data(seg)).await?;
            }
        }
    }
    Ok(())
}

async fn get(store: &MediaStore, key: &str, name: &str) -> Result<Option<Bytes>, JobError> {
    store
        .get_file(key, name)
        .await
        .map_err(|e| JobError::from(format!("{e:#}")))
}

fn readme(user: &users::Model) -> String {
    format!(
        "Your Hearth data\r\n\
         ================\r\n\
         \r\n\
         This archive holds what @{username} put into Hearth, as of {when}.\r\n\
         \r\n\
         profile.json    your account and profile: names, email, bio, settings\r\n\
         posts.json      your posts, with their photos and video by file name\r\n\
         comments.json   your comments and replies (with the post they are on)\r\n\
         reactions.json  your reactions to posts\r\n\
         friends.json    your friends and friend requests, both ways\r\n\
         follows.json    who you follow (\"following\") and who follows you (\"followers\")\r\n\
         blocks.json     the people you blocked\r\n\
         messages.json   the chat messages you sent, with their conversation and time\r\n\
         photos/         your photos (posts, messages, profile), the largest size kept\r\n\
         videos/         your videos, the highest quality kept, as MPEG-TS files\r\n\
         \r\n\
         Times are milliseconds since 1 January 1970, UTC. Other people's posts,\r\n\
         comments and messages aren't included: they are theirs.\r\n",
        username = user.username,
        when = crate::time_fmt::exact_time(now_ms()),
    )
}
