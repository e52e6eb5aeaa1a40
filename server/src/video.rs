//! Video routes: resumable uploads by the tus 1.0 protocol (core, creation,
//! termination, expiration; <https://tus.io/protocols/resumable-upload>)
//! under [`UPLOADS_PATH`], and the HLS files of a video under
//! `/media/{key}/hls/...`.
//!
//! Uploads belong to their creator: anyone else gets 404 for every method,
//! as for an unknown id. `PATCH` bodies stream to a local file (never held
//! in memory), which is synced to disk before the new offset is recorded,
//! so an acknowledged offset survives a crash. A body cut off midway keeps
//! what arrived (tus: the client then asks `HEAD` and continues). The last
//! byte turns the upload into a video being processed.
//!
//! Playlists and segments are served to whoever may see the video's post
//! (`services::videos::viewable`), 404 to anyone else, `private,
//! no-cache` with an ETag (files never change under a key).

use app::auth::user_id_of;
use app::models::video::{TUS_VERSION, UPLOADS_PATH};
use app::services::videos;
use app::state::AppState;
use app::time_fmt::now_ms;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use futures::StreamExt as _;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};
use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};
use tower_sessions::Session;

/// The tus content type of `PATCH` bodies.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// Uploads being written right now in this process (one `PATCH` at a time
/// per upload).
#[derive(Clone, Default)]
struct Busy(Arc<Mutex<HashSet<String>>>);

impl Busy {
    fn take(&self, key: &str) -> Option<BusyGuard> {
        let mut set = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        set.insert(key.to_owned()).then(|| BusyGuard {
            busy: self.clone(),
            key: key.to_owned(),
        })
    }
}

struct BusyGuard {
    busy: Busy,
    key: String,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.busy
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.key);
    }
}

#[derive(Clone)]
struct VideoState {
    app: AppState,
    busy: Busy,
}

/// The upload and HLS routes, on `state`.
pub fn router(state: AppState) -> axum::Router {
    let state = VideoState {
        app: state,
        busy: Busy::default(),
    };
    axum::Router::new()
        .route(UPLOADS_PATH, post(create).options(options))
        .route(
            &format!("{UPLOADS_PATH}/{{id}}"),
            axum::routing::head(head_upload)
                .patch(patch)
                .delete(terminate)
                .options(options),
        )
        .route("/media/{key}/hls/{*rest}", get(serve_hls))
        .with_state(state)
}

/// A tus answer: `status`, `Tus-Resumable`, no caching, and `text` (a
/// sentence for people) as the body when there is one.
fn tus(status: StatusCode, text: &str) -> Response {
    let mut res = if text.is_empty() {
        status.into_response()
    } else {
        (status, text.to_owned()).into_response()
    };
    let h = res.headers_mut();
    h.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn set(res: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(name, v);
    }
}

fn http_date(ms: i64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

/// Checks `Tus-Resumable` (every request but `OPTIONS` must carry it):
/// the 412 to answer instead, if it is wrong.
fn wrong_version(headers: &HeaderMap) -> Option<Response> {
    if headers.get("tus-resumable").and_then(|v| v.to_str().ok()) == Some(TUS_VERSION) {
        return None;
    }
    let mut res = tus(
        StatusCode::PRECONDITION_FAILED,
        "This server speaks tus 1.0.0 (send Tus-Resumable: 1.0.0).",
    );
    set(&mut res, "tus-version", TUS_VERSION);
    Some(res)
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "video upload");
    tus(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again.",
    )
}

fn not_found() -> Response {
    tus(StatusCode::NOT_FOUND, "That upload wasn't found.")
}

async fn options(State(s): State<VideoState>) -> Response {
    let mut res = tus(StatusCode::NO_CONTENT, "");
    set(&mut res, "tus-version", TUS_VERSION);
    set(&mut res, "tus-extension", "creation,termination,expiration");
    set(&mut res, "tus-max-size", s.app.video.max_bytes);
    res
}

/// Reads `filename` from tus `Upload-Metadata` (`key base64,key base64`).
fn file_name(headers: &HeaderMap) -> String {
    let Some(meta) = headers.get("upload-metadata").and_then(|v| v.to_str().ok()) else {
        return String::new();
    };
    meta.split(',')
        .filter_map(|pair| pair.trim().split_once(' '))
        .find(|(k, _)| *k == "filename")
        .and_then(|(_, v)| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .map(|s| s.chars().filter(|c| !c.is_control()).collect())
        .unwrap_or_default()
}

async fn create(State(s): State<VideoState>, session: Session, headers: HeaderMap) -> Response {
    if let Some(res) = wrong_version(&headers) {
        return res;
    }
    let me = match user_id_of(&session).await {
        Ok(Some(me)) => me,
        Ok(None) => return tus(StatusCode::UNAUTHORIZED, "Log in to upload videos."),
        Err(e) => return internal(e),
    };
    if let Err(e) = s
        .app
        .limits
        .check(me, app::services::limits::Action::Upload)
        .await
    {
        let mut res = tus(StatusCode::TOO_MANY_REQUESTS, &e.to_string());
        if let Some(wait) = e.retry_after_s() {
            set(&mut res, "retry-after", wait);
        }
        return res;
    }
    let Some(length) = header_u64(&headers, "upload-length") else {
        return tus(
            StatusCode::BAD_REQUEST,
            "Say how big the video is (Upload-Length); deferred lengths aren't supported.",
        );
    };
    if length == 0 {
        return tus(StatusCode::BAD_REQUEST, "That file is empty.");
    }
    match videos::create_upload(&s.app.db, &s.app.video, me, length, &file_name(&headers)).await {
        Ok(v) => {
            let mut res = tus(StatusCode::CREATED, "");
            set(&mut res, "location", format!("{UPLOADS_PATH}/{}", v.key));
            set(
                &mut res,
                "upload-expires",
                http_date(v.upload_expires_at_ms),
            );
            set(&mut res, "upload-offset", 0);
            res
        }
        Err(app::error::AppError::TooLarge(msg)) => tus(StatusCode::PAYLOAD_TOO_LARGE, &msg),
        Err(e) => internal(e),
    }
}

/// The caller's upload `id`, or the response to send instead (401, 404,
/// 410).
async fn find(
    s: &VideoState,
    session: &Session,
    id: &str,
) -> Result<app::db::entities::videos::Model, Box<Response>> {
    let me = match user_id_of(session).await {
        Ok(Some(me)) => me,
        Ok(None) => {
            return Err(Box::new(tus(
                StatusCode::UNAUTHORIZED,
                "Log in to upload videos.",
            )));
        }
        Err(e) => return Err(Box::new(internal(e))),
    };
    let v = match videos::owned(&s.app.db, me, id).await {
        Ok(Some(v)) => v,
        Ok(None) => return Err(Box::new(not_found())),
        Err(e) => return Err(Box::new(internal(e))),
    };
    if v.status == app::db::entities::videos::UPLOADING && v.upload_expires_at_ms < now_ms() {
        return Err(Box::new(tus(
            StatusCode::GONE,
            "That upload expired. Start it again.",
        )));
    }
    Ok(v)
}

fn with_offsets(mut res: Response, v: &app::db::entities::videos::Model) -> Response {
    set(&mut res, "upload-offset", v.upload_offset);
    set(&mut res, "upload-length", v.upload_length);
    if v.status == app::db::entities::videos::UPLOADING {
        set(
            &mut res,
            "upload-expires",
            http_date(v.upload_expires_at_ms),
        );
    }
    res
}

async fn head_upload(
    State(s): State<VideoState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(res) = wrong_version(&headers) {
        return res;
    }
    match find(&s, &session, &id).await {
        Ok(v) => with_offsets(tus(StatusCode::OK, ""), &v),
        Err(res) => *res,
    }
}

async fn terminate(
    State(s): State<VideoState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(res) = wrong_version(&headers) {
        return res;
    }
    let v = match find(&s, &session, &id).await {
        Ok(v) => v,
        Err(res) => return *res,
    };
    let Some(_guard) = s.busy.take(&v.key) else {
        return tus(
            StatusCode::CONFLICT,
            "That upload is being written; try again.",
        );
    };
    match videos::delete_upload(&s.app.db, &s.app.video, &v).await {
        Ok(()) => tus(StatusCode::NO_CONTENT, ""),
        Err(app::error::AppError::Conflict(msg)) => tus(StatusCode::CONFLICT, &msg),
        Err(e) => internal(e),
    }
}

async fn patch(
    State(s): State<VideoState>,
    session: Session,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    if let Some(res) = wrong_version(&headers) {
        return res;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.split(';').next().map(str::trim) != Some(OFFSET_OCTET_STREAM) {
        return tus(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the bytes as application/offset+octet-stream.",
        );
    }
    let Some(offset) = header_u64(&headers, "upload-offset") else {
        return tus(
            StatusCode::BAD_REQUEST,
            "Say where this piece starts (Upload-Offset).",
        );
    };
    let v = match find(&s, &session, &id).await {
        Ok(v) => v,
        Err(res) => return *res,
    };
    let (have, length) = (
        u64::try_from(v.upload_offset).unwrap_or(0),
        u64::try_from(v.upload_length).unwrap_or(0),
    );
    if offset != have || v.status != app::db::entities::videos::UPLOADING {
        return with_offsets(
            tus(
                StatusCode::CONFLICT,
                "That piece doesn't start where the upload stands; ask for its offset.",
            ),
            &v,
        );
    }
    if header_u64(&headers, header::CONTENT_LENGTH.as_str()).is_some_and(|n| have + n > length) {
        return tus(
            StatusCode::PAYLOAD_TOO_LARGE,
            "That piece goes past the size the upload declared.",
        );
    }
    let Some(_guard) = s.busy.take(&v.key) else {
        return with_offsets(
            tus(
                StatusCode::CONFLICT,
                "That upload is being written; try again.",
            ),
            &v,
        );
    };
    let (written, body_result) = match append(&s, &v, have, length, req.into_body()).await {
        Ok(x) => x,
        Err(e) => return internal(e),
    };
    let now_at = have + written;
    if written > 0
        && let Err(e) =
            videos::record_offset(&s.app.db, &v, i64::try_from(now_at).unwrap_or(i64::MAX)).await
    {
        return internal(e);
    }
    match body_result {
        Appended::Whole => {}
        Appended::Overflow => {
            return tus(
                StatusCode::PAYLOAD_TOO_LARGE,
                "That piece goes past the size the upload declared.",
            );
        }
        Appended::Cut => {
            return tus(
                StatusCode::BAD_REQUEST,
                "The piece was cut off; ask for the offset and continue.",
            );
        }
    }
    if now_at == length {
        let v = app::db::entities::videos::Model {
            upload_offset: i64::try_from(now_at).unwrap_or(i64::MAX),
            ..v
        };
        if let Err(e) = videos::finish_upload(&s.app, &v).await {
            return internal(e);
        }
    }
    let mut res = tus(StatusCode::NO_CONTENT, "");
    set(&mut res, "upload-offset", now_at);
    res
}

/// How a `PATCH` body ended.
enum Appended {
    /// All of it arrived.
    Whole,
    /// It went past the declared length (the excess was not written).
    Overflow,
    /// The connection broke midway (what arrived was kept).
    Cut,
}

/// Appends `body` to upload `v`'s file at `at` (dropping any bytes past
/// `at` left by a crash), up to `length`, then syncs it to disk. Returns
/// the bytes written and how the body ended.
async fn append(
    s: &VideoState,
    v: &app::db::entities::videos::Model,
    at: u64,
    length: u64,
    body: Body,
) -> anyhow::Result<(u64, Appended)> {
    let path = s.app.video.upload_path(&v.key);
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .await?;
    file.set_len(at).await?;
    file.seek(std::io::SeekFrom::Start(at)).await?;
    let mut written: u64 = 0;
    let mut stream = body.into_data_stream();
    let mut ended = Appended::Whole;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            ended = Appended::Cut;
            break;
        };
        let room = length - at - written;
        let take = usize::try_from(room).unwrap_or(usize::MAX).min(chunk.len());
        file.write_all(&chunk[..take]).await?;
        written += take as u64;
        if take < chunk.len() {
            ended = Appended::Overflow;
            break;
        }
    }
    file.flush().await?;
    file.sync_data().await?;
    Ok((written, ended))
}

async fn serve_hls(
    State(s): State<VideoState>,
    session: Session,
    Path((key, rest)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let name = format!("hls/{rest}");
    let Some(content_type) = videos::hls_file(&name) else {
        return crate::media::not_found();
    };
    let viewer = match user_id_of(&session).await {
        Ok(v) => v,
        Err(e) => return crate::media::error(e),
    };
    match videos::viewable(&s.app.db, viewer, &key).await {
        Ok(Some(v)) if v.status == app::db::entities::videos::READY => {}
        Ok(_) => return crate::media::not_found(),
        Err(e) => return crate::media::error(e),
    }
    let etag = format!("\"{key}-{}\"", rest.replace('/', "-"));
    if let Some(res) = crate::media::revalidated(&headers, &etag) {
        return res;
    }
    match s.app.media.get_file(&key, &name).await {
        Ok(Some(bytes)) => {
            let mut res = crate::media::private_file(&etag, content_type, bytes);
            res.headers_mut()
                .insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
            res
        }
        Ok(None) => crate::media::not_found(),
        Err(e) => crate::media::error(e.into()),
    }
}
