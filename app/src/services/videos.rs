//! Videos in the database, from the first uploaded byte to a playable
//! post: the tus upload's state (the bytes are a local file, see
//! [`VideoSettings::upload_path`]), the transcode job, attaching a video
//! to a post (published when the video is ready), who may fetch its
//! playlists and segments, and removal.
//!
//! Lifecycle of a `videos` row: `uploading` (offset grows with each
//! `PATCH`) → `processing` when the last byte arrives (a `transcode` job
//! is enqueued in the same transaction) → `ready` (HLS files and poster in
//! the media store under its key; its post, if any, is published) or
//! `failed` (the reason is shown to the author; the post stays
//! unpublished). Unfinished uploads expire after a day and are swept.

use crate::db::entities::{media_trash, posts, videos};
use crate::error::{AppError, AppResult};
use crate::events::LiveEvent;
use crate::hub::{Audience, EventHub};
use crate::ids::{PostId, UserId};
use crate::jobs::{self, JobError};
use crate::media::{MediaStore, new_key, process};
use crate::models::MediaPurpose;
use crate::models::video::{UPLOAD_EXPIRES_MS, Video, VideoState};
use crate::services::visibility::ViewerCtx;
use crate::state::AppState;
use crate::time_fmt::now_ms;
use crate::video::{self as vp, VideoSettings};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    QueryFilter as _,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The job kind that transcodes a video.
pub const TRANSCODE_JOB: &str = "transcode";
/// Tries per transcode before giving up (a crash counts as one).
pub const TRANSCODE_ATTEMPTS: i32 = 3;

/// What a transcode job carries.
#[derive(Debug, Serialize, Deserialize)]
pub struct TranscodePayload {
    /// The video's key.
    pub key: String,
}

/// The public shape of a row.
pub fn video_of(v: &videos::Model) -> Video {
    let state = match v.status.as_str() {
        videos::READY => VideoState::Ready,
        videos::FAILED => VideoState::Failed {
            reason: v
                .failure
                .clone()
                .unwrap_or_else(|| "Something went wrong.".to_owned()),
        },
        _ => VideoState::Processing {
            percent: u8::try_from(v.progress.clamp(0, 100)).unwrap_or(0),
        },
    };
    Video {
        id: v.key.clone(),
        width: u32::try_from(v.width).unwrap_or(0),
        height: u32::try_from(v.height).unwrap_or(0),
        duration_ms: u64::try_from(v.duration_ms).unwrap_or(0),
        renditions: v
            .renditions
            .split(',')
            .filter_map(|r| r.parse().ok())
            .collect(),
        blurhash: v.blurhash.clone(),
        file_name: v.file_name.clone(),
        state,
    }
}

/// Starts an upload of `length` bytes for `owner`: a row and an empty
/// file. `file_name` is only for the owner's messages (at most 255
/// characters kept).
///
/// # Errors
/// `TooLarge` over the limit; `Internal` on database or disk failure.
pub async fn create_upload<C: ConnectionTrait>(
    db: &C,
    settings: &VideoSettings,
    owner: UserId,
    length: u64,
    file_name: &str,
) -> AppResult<videos::Model> {
    if length > settings.max_bytes {
        return Err(AppError::TooLarge(format!(
            "Videos can be at most {} each.",
            size_label(settings.max_bytes)
        )));
    }
    tokio::fs::create_dir_all(&settings.upload_dir)
        .await
        .map_err(anyhow::Error::from)?;
    let key = new_key();
    tokio::fs::File::create(settings.upload_path(&key))
        .await
        .map_err(anyhow::Error::from)?;
    let now = now_ms();
    let row = videos::ActiveModel {
        key: Set(key),
        owner_id: Set(owner.0),
        post_id: Set(None),
        status: Set(videos::UPLOADING.to_owned()),
        upload_length: Set(i64::try_from(length).unwrap_or(i64::MAX)),
        upload_offset: Set(0),
        upload_expires_at_ms: Set(now + UPLOAD_EXPIRES_MS),
        file_name: Set(file_name.chars().take(255).collect()),
        created_at_ms: Set(now),
        updated_at_ms: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row)
}

/// `owner`'s video `key`, or `None` (unknown, or someone else's: both
/// answer 404 so ids don't leak).
///
/// # Errors
/// `Internal` on database failure.
pub async fn owned<C: ConnectionTrait>(
    db: &C,
    owner: UserId,
    key: &str,
) -> AppResult<Option<videos::Model>> {
    if !crate::media::is_key(key) {
        return Ok(None);
    }
    Ok(videos::Entity::find()
        .filter(videos::Column::Key.eq(key))
        .filter(videos::Column::OwnerId.eq(owner.0))
        .one(db)
        .await?)
}

/// Records that upload `v` now holds `offset` bytes (only if it still held
/// `v.upload_offset`: two writers can't both move it).
///
/// # Errors
/// `Conflict` if it moved meanwhile; `Internal` on database failure.
pub async fn record_offset<C: ConnectionTrait>(
    db: &C,
    v: &videos::Model,
    offset: i64,
) -> AppResult<()> {
    let moved = videos::Entity::update_many()
        .col_expr(videos::Column::UploadOffset, Expr::value(offset))
        .col_expr(videos::Column::UpdatedAtMs, Expr::value(now_ms()))
        .filter(videos::Column::Id.eq(v.id))
        .filter(videos::Column::UploadOffset.eq(v.upload_offset))
        .filter(videos::Column::Status.eq(videos::UPLOADING))
        .exec(db)
        .await?
        .rows_affected;
    if moved == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "The upload moved on meanwhile; ask for its offset again.".to_owned(),
        ))
    }
}

/// The upload `v` is complete: it becomes `processing` and a transcode job
/// is enqueued, in one transaction; idle workers are woken.
///
/// # Errors
/// `Internal` on database failure.
pub async fn finish_upload(state: &AppState, v: &videos::Model) -> AppResult<()> {
    let txn = crate::db::begin_write(&state.db).await?;
    videos::Entity::update_many()
        .col_expr(videos::Column::Status, Expr::value(videos::PROCESSING))
        .col_expr(videos::Column::UpdatedAtMs, Expr::value(now_ms()))
        .filter(videos::Column::Id.eq(v.id))
        .exec(&txn)
        .await?;
    jobs::enqueue(
        &txn,
        TRANSCODE_JOB,
        &TranscodePayload { key: v.key.clone() },
        TRANSCODE_ATTEMPTS,
    )
    .await?;
    txn.commit().await?;
    state.job_signal.wake();
    Ok(())
}

/// Cancels upload `v` (tus termination): its row and file go. Only while
/// it is still uploading.
///
/// # Errors
/// `Conflict` once complete; `Internal` on failure.
pub async fn delete_upload<C: ConnectionTrait>(
    db: &C,
    settings: &VideoSettings,
    v: &videos::Model,
) -> AppResult<()> {
    if v.status != videos::UPLOADING {
        return Err(AppError::Conflict(
            "That upload is complete; delete its post instead.".to_owned(),
        ));
    }
    videos::Entity::delete_by_id(v.id).exec(db).await?;
    remove_local(settings, &v.key).await;
    Ok(())
}

/// Removes `key`'s upload file and every transcode scratch folder.
async fn remove_local(settings: &VideoSettings, key: &str) {
    let _ = tokio::fs::remove_file(settings.upload_path(key)).await;
    remove_work_dirs(settings, key).await;
}

async fn remove_work_dirs(settings: &VideoSettings, key: &str) {
    let Ok(mut dir) = tokio::fs::read_dir(&settings.upload_dir).await else {
        return;
    };
    let prefix = format!("{key}.work");
    while let Ok(Some(e)) = dir.next_entry().await {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = tokio::fs::remove_dir_all(e.path()).await;
        }
    }
}

/// Sweeps uploads still unfinished after their expiry (24 h): rows and
/// files. Returns how many.
///
/// # Errors
/// `Internal` on database failure.
pub async fn sweep_expired_uploads<C: ConnectionTrait>(
    db: &C,
    settings: &VideoSettings,
    now: i64,
) -> AppResult<usize> {
    let rows = videos::Entity::find()
        .filter(videos::Column::Status.eq(videos::UPLOADING))
        .filter(videos::Column::UploadExpiresAtMs.lt(now))
        .all(db)
        .await?;
    for v in &rows {
        videos::Entity::delete_by_id(v.id).exec(db).await?;
        remove_local(settings, &v.key).await;
    }
    Ok(rows.len())
}

/// Checks that `key` is `owner`'s complete video, attached to nothing and
/// not failed: what `create_post(video = key)` may attach.
///
/// # Errors
/// `Validation` on `video` otherwise.
pub async fn attachable<C: ConnectionTrait>(
    db: &C,
    owner: UserId,
    key: &str,
) -> AppResult<videos::Model> {
    let bad = |m: &str| AppError::validation("video", m);
    let v = owned(db, owner, key)
        .await?
        .ok_or_else(|| bad("That video upload wasn't found. Upload it again."))?;
    if v.post_id.is_some() {
        return Err(bad("That video is already in a post."));
    }
    match v.status.as_str() {
        videos::UPLOADING => Err(bad("That video hasn't finished uploading.")),
        videos::FAILED => Err(bad(&format!(
            "That video couldn't be processed: {}",
            v.failure.as_deref().unwrap_or("")
        ))),
        _ => Ok(v),
    }
}

/// Attaches video `v` to `post` (in the post's transaction).
///
/// # Errors
/// `Internal` on database failure.
pub async fn attach_to_post<C: ConnectionTrait>(
    db: &C,
    v: &videos::Model,
    post: PostId,
) -> AppResult<()> {
    videos::Entity::update_many()
        .col_expr(videos::Column::PostId, Expr::value(post.0))
        .filter(videos::Column::Id.eq(v.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The videos of `post_ids`, by post id.
///
/// # Errors
/// `Internal` on database failure.
pub async fn videos_of_posts<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
) -> AppResult<HashMap<i64, Video>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(videos::Entity::find()
        .filter(videos::Column::PostId.is_in(post_ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|v| v.post_id.map(|p| (p, video_of(&v))))
        .collect())
}

/// Video `key` if `viewer` may fetch its files: its owner, or someone who
/// may see its (published) post. `None` otherwise, and for signed-out
/// visitors.
///
/// # Errors
/// `Internal` on database failure.
pub async fn viewable<C: ConnectionTrait>(
    db: &C,
    viewer: Option<UserId>,
    key: &str,
) -> AppResult<Option<videos::Model>> {
    let Some(viewer) = viewer else {
        return Ok(None);
    };
    if !crate::media::is_key(key) {
        return Ok(None);
    }
    let Some(v) = videos::Entity::find()
        .filter(videos::Column::Key.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if v.owner_id == viewer.0 {
        return Ok(Some(v));
    }
    let Some(post_id) = v.post_id else {
        return Ok(None);
    };
    let Some(post) = posts::Entity::find_by_id(post_id).one(db).await? else {
        return Ok(None);
    };
    let ok = ViewerCtx::load(db, viewer).await?.can_see_post(&post);
    Ok(ok.then_some(v))
}

/// Trashes the video of post `post`, if any (call in the transaction that
/// deletes the post; the media trash empties after the commit). A
/// transcode still running for it notices and removes its local files.
///
/// # Errors
/// `Internal` on database failure.
pub async fn trash_post_video<C: ConnectionTrait>(db: &C, post: PostId) -> AppResult<()> {
    let rows = videos::Entity::find()
        .filter(videos::Column::PostId.eq(post.0))
        .all(db)
        .await?;
    for v in rows {
        media_trash::ActiveModel {
            key: Set(v.key.clone()),
            attempts: Set(0),
            next_attempt_at_ms: Set(now_ms()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        videos::Entity::delete_by_id(v.id).exec(db).await?;
    }
    Ok(())
}

fn to_owner(hub: &EventHub, v: &videos::Model, event: LiveEvent) {
    hub.publish(Audience::Users(vec![UserId(v.owner_id)]), event);
}

async fn set_failed(state: &AppState, v: &videos::Model, reason: &str) -> AppResult<()> {
    videos::Entity::update_many()
        .col_expr(videos::Column::Status, Expr::value(videos::FAILED))
        .col_expr(videos::Column::Failure, Expr::value(reason.to_owned()))
        .col_expr(videos::Column::UpdatedAtMs, Expr::value(now_ms()))
        .filter(videos::Column::Id.eq(v.id))
        // Never undo a finished or deleted video.
        .filter(videos::Column::Status.eq(videos::PROCESSING))
        .exec(&state.db)
        .await?;
    remove_local(&state.video, &v.key).await;
    to_owner(
        &state.hub,
        v,
        LiveEvent::VideoProcessed {
            video_id: v.key.clone(),
            post_id: v.post_id.map(PostId),
            failure: Some(reason.to_owned()),
        },
    );
    Ok(())
}

/// The transcode job: probes the upload, refuses what isn't an acceptable
/// video (the video fails with the reason; the job is done), transcodes to
/// HLS with progress pushed live to the owner, makes the poster, stores
/// everything under the video's key, marks it ready and publishes its
/// post. Idempotent: a rerun after a crash starts the transcode over, and
/// a video no longer processing (deleted, done) is skipped.
///
/// # Errors
/// A [`JobError`] for failures worth retrying (ffmpeg crashed, the store
/// refused); the job queue retries with backoff.
pub async fn run_transcode(
    state: AppState,
    job: crate::db::entities::jobs::Model,
) -> Result<(), JobError> {
    let payload: TranscodePayload = serde_json::from_str(&job.payload).map_err(|e| JobError {
        message: format!("bad payload: {e}"),
        permanent: true,
    })?;
    let Some(v) = videos::Entity::find()
        .filter(videos::Column::Key.eq(&payload.key))
        .one(&state.db)
        .await?
    else {
        // Deleted (with its post) before or while we ran.
        remove_local(&state.video, &payload.key).await;
        return Ok(());
    };
    if v.status != videos::PROCESSING {
        return Ok(());
    }
    let result = transcode_attempt(&state, &job, &v).await;
    if let Err(e) = &result
        && (e.permanent || job.attempts >= job.max_attempts)
    {
        // No try is left: say so on the video, whichever step failed
        // (ffmpeg, the poster, the store), so it never stays "Processing".
        tracing::error!(video = %v.key, error = %e.message, "transcode gave up");
        set_failed(
            &state,
            &v,
            "This video couldn't be processed. Try exporting it again as MP4.",
        )
        .await?;
    }
    result
}

/// One attempt of [`run_transcode`] on a processing video `v`.
async fn transcode_attempt(
    state: &AppState,
    job: &crate::db::entities::jobs::Model,
    v: &videos::Model,
) -> Result<(), JobError> {
    let state = state.clone();
    let v = v.clone();
    let src = state.video.upload_path(&v.key);
    let probe = match vp::probe(&src).await? {
        Ok(p) => p,
        Err(refusal) => {
            set_failed(&state, &v, &refusal.to_string()).await?;
            return Ok(());
        }
    };
    if let Err(refusal) = vp::check_limits(&probe, state.video.max_seconds) {
        set_failed(&state, &v, &refusal.to_string()).await?;
        return Ok(());
    }
    videos::Entity::update_many()
        .col_expr(
            videos::Column::DurationMs,
            Expr::value(i64::try_from(probe.duration_ms).unwrap_or(0)),
        )
        .col_expr(videos::Column::Progress, Expr::value(0))
        .filter(videos::Column::Id.eq(v.id))
        .exec(&state.db)
        .await?;
    remove_work_dirs(&state.video, &v.key).await;
    let work = state.video.work_dir(&v.key, job.attempts);
    tokio::fs::create_dir_all(&work).await?;
    let plan = vp::plan(probe.width, probe.height);

    // Progress: to the owner's tabs at each percent, to the row every 5 %.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
    let reporter = {
        let state = state.clone();
        let v = v.clone();
        tokio::spawn(async move {
            let mut saved = 0;
            // The post is often created while the video transcodes: pick
            // up its id each time the row is written.
            let mut post_id = v.post_id;
            while let Some(p) = rx.recv().await {
                if p >= saved + 5 {
                    saved = p;
                    let _ = videos::Entity::update_many()
                        .col_expr(videos::Column::Progress, Expr::value(i32::from(p)))
                        .filter(videos::Column::Id.eq(v.id))
                        .exec(&state.db)
                        .await;
                    if post_id.is_none()
                        && let Ok(Some(row)) = videos::Entity::find_by_id(v.id).one(&state.db).await
                    {
                        post_id = row.post_id;
                    }
                }
                to_owner(
                    &state.hub,
                    &v,
                    LiveEvent::VideoProgress {
                        video_id: v.key.clone(),
                        post_id: post_id.map(PostId),
                        percent: p,
                    },
                );
            }
        })
    };
    let result = vp::transcode(&src, &work, &probe, &plan, |p| {
        let _ = tx.send(p);
    })
    .await;
    drop(tx);
    let _ = reporter.await;
    result?;

    let poster = vp::poster_frame(&src, &probe).await?;
    let processed = state
        .media
        .run_image_work(move || process::process(&poster, MediaPurpose::Post))
        .await?
        .map_err(|e| JobError::from(format!("poster: {e}")))?;
    let mut size: u64 = processed.size_bytes();
    for (slot, bytes) in processed.variants {
        state.media.put(&v.key, slot, bytes).await?;
    }
    size += store_tree(&state.media, &v.key, &work, "hls").await?;
    let top = plan.last().copied();
    let now = now_ms();
    let txn = crate::db::begin_write(&state.db).await?;
    let still = videos::Entity::update_many()
        .col_expr(videos::Column::Status, Expr::value(videos::READY))
        .col_expr(videos::Column::Progress, Expr::value(100))
        .col_expr(
            videos::Column::SizeBytes,
            Expr::value(i64::try_from(size).unwrap_or(i64::MAX)),
        )
        .col_expr(
            videos::Column::Width,
            Expr::value(top.map_or(0, |t| i32::try_from(t.width).unwrap_or(0))),
        )
        .col_expr(
            videos::Column::Height,
            Expr::value(top.map_or(0, |t| i32::try_from(t.height).unwrap_or(0))),
        )
        .col_expr(
            videos::Column::Renditions,
            Expr::value(
                plan.iter()
                    .map(|p| p.rung.height.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        )
        .col_expr(videos::Column::Blurhash, Expr::value(processed.blurhash))
        .col_expr(videos::Column::UpdatedAtMs, Expr::value(now))
        .filter(videos::Column::Id.eq(v.id))
        .filter(videos::Column::Status.eq(videos::PROCESSING))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    // The post may have been attached while we worked: read it now.
    let post_id = videos::Entity::find_by_id(v.id)
        .one(&txn)
        .await?
        .and_then(|r| r.post_id);
    if let Some(post_id) = post_id {
        posts::Entity::update_many()
            .col_expr(posts::Column::Published, Expr::value(true))
            .filter(posts::Column::Id.eq(post_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    remove_local(&state.video, &v.key).await;
    if !still {
        // Deleted meanwhile: the post's deletion trashed the key; empty
        // the trash again so what we just stored goes too.
        state.empty_media_trash().await;
        return Ok(());
    }
    if let Some(post_id) = post_id
        && let Some(post) = posts::Entity::find_by_id(post_id).one(&state.db).await?
    {
        crate::services::posts::announce_published(&state.db, &state.hub, &post).await?;
    }
    to_owner(
        &state.hub,
        &v,
        LiveEvent::VideoProcessed {
            video_id: v.key.clone(),
            post_id: post_id.map(PostId),
            failure: None,
        },
    );
    Ok(())
}

/// Uploads every file under `dir/` to the store as `{key}/{prefix}/...`;
/// returns the bytes stored.
async fn store_tree(
    store: &MediaStore,
    key: &str,
    dir: &Path,
    prefix: &str,
) -> anyhow::Result<u64> {
    let mut total = 0;
    let mut stack = vec![(dir.to_path_buf(), prefix.to_owned())];
    while let Some((d, name)) = stack.pop() {
        let mut entries = tokio::fs::read_dir(&d).await?;
        while let Some(e) = entries.next_entry().await? {
            let file = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if e.file_type().await?.is_dir() {
                stack.push((path, format!("{name}/{file}")));
            } else {
                let bytes = tokio::fs::read(&path).await?;
                total += bytes.len() as u64;
                store
                    .put_file(key, &format!("{name}/{file}"), bytes)
                    .await?;
            }
        }
    }
    Ok(total)
}

/// `bytes` for people: "1 GB", "500 MB" (powers of 1,024, as file
/// managers show them).
pub fn size_label(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= 1024 * MIB && bytes.is_multiple_of(1024 * MIB) {
        format!("{} GB", bytes / (1024 * MIB))
    } else {
        format!("{} MB", bytes.div_ceil(MIB))
    }
}

/// Whether `name` is a file a video serves: `hls/master.m3u8`,
/// `hls/{digits}/index.m3u8` or `hls/{digits}/seg_{digits}.ts`, with its
/// content type.
pub fn hls_file(name: &str) -> Option<&'static str> {
    let parts: Vec<&str> = name.split('/').collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        ["hls", "master.m3u8"] => Some("application/vnd.apple.mpegurl"),
        ["hls", r, "index.m3u8"] if digits(r) => Some("application/vnd.apple.mpegurl"),
        ["hls", r, seg] if digits(r) => seg
            .strip_prefix("seg_")
            .and_then(|s| s.strip_suffix(".ts"))
            .filter(|n| digits(n))
            .map(|_| "video/mp2t"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hls_names_are_served() {
        assert_eq!(
            hls_file("hls/master.m3u8"),
            Some("application/vnd.apple.mpegurl")
        );
        assert_eq!(
            hls_file("hls/720/index.m3u8"),
            Some("application/vnd.apple.mpegurl")
        );
        assert_eq!(hls_file("hls/360/seg_002.ts"), Some("video/mp2t"));
        for bad in [
            "hls/../x",
            "hls/720/../../etc",
            "hls/x/index.m3u8",
            "hls/360/seg_.ts",
            "other",
            "hls/360/seg_1.mp4",
        ] {
            assert_eq!(hls_file(bad), None, "{bad}");
        }
    }
}
