//! Photo routes. `POST /api/media?purpose=post|message|avatar|cover` takes
//! one image as multipart field `file` (at most 20 MiB; bigger bodies are
//! cut off with 413), processes it off the async runtime and answers the
//! stored [`Photo`] as JSON, or an [`AppError`] as JSON with its status.
//! `GET /media/{key}/{slot}.jpg` serves a variant to whoever may see what
//! it belongs to (`services::media::may_view`), 404 to anyone else, with
//! `Cache-Control: private, no-cache` and an ETag, so every use is
//! re-checked and a repeat costs a 304.

use app::auth::user_id_of;
use app::error::AppError;
use app::models::{MAX_PHOTO_BYTES, MediaPurpose, Photo, VARIANT_SLOTS};
use app::services::media;
use app::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

/// Room for the multipart envelope around one file.
const MULTIPART_SLACK: u64 = 64 * 1024;

/// The photo routes, on `state`.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/api/media",
            post(upload).layer(DefaultBodyLimit::max(
                usize::try_from(MAX_PHOTO_BYTES + MULTIPART_SLACK).unwrap_or(usize::MAX),
            )),
        )
        .route("/media/{key}/{file}", get(serve))
        .with_state(state)
}

/// An [`AppError`] as JSON with its status.
pub(crate) fn error(err: AppError) -> Response {
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry = err.retry_after_s();
    let mut res = (status, Json(err)).into_response();
    if let Some(s) = retry
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn too_large() -> AppError {
    AppError::TooLarge("Photos can be at most 20 MB each. Choose a smaller one.".to_owned())
}

/// Query of the upload route.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// `post`, `message`, `avatar` or `cover`.
    purpose: Option<String>,
}

async fn upload(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    match upload_inner(&state, &session, q, &headers, multipart).await {
        Ok(photo) => Json(photo).into_response(),
        Err(e) => error(e),
    }
}

async fn upload_inner(
    state: &AppState,
    session: &Session,
    q: UploadQuery,
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<Photo, AppError> {
    let me = user_id_of(session).await?.ok_or(AppError::Unauthorized)?;
    state
        .limits
        .check(me, app::services::limits::Action::Upload)
        .await?;
    let purpose = q
        .purpose
        .as_deref()
        .and_then(MediaPurpose::parse)
        .ok_or_else(|| AppError::validation("purpose", "Say what the photo is for."))?;
    // Refuse a declared oversize body before reading any of it.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PHOTO_BYTES + MULTIPART_SLACK) {
        return Err(too_large());
    }
    let body_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            AppError::validation("file", "The upload was interrupted. Try again.")
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(body_error)? {
            if (bytes.len() + chunk.len()) as u64 > MAX_PHOTO_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            break;
        }
        return media::store_upload(&state.db, &state.media, me, purpose, bytes).await;
    }
    Err(AppError::validation("file", "Choose a photo to upload."))
}

/// 404, not cached.
pub(crate) fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "private, no-store")],
        "Not found",
    )
        .into_response()
}

async fn serve(
    State(state): State<AppState>,
    session: Session,
    Path((key, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let slot = file
        .strip_suffix(".jpg")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|s| VARIANT_SLOTS.contains(s));
    let Some(slot) = slot.filter(|_| app::media::is_key(&key)) else {
        return not_found();
    };
    match serve_inner(&state, &session, &key, slot, &headers).await {
        Ok(Some(res)) => res,
        Ok(None) => not_found(),
        Err(e) => error(e),
    }
}

/// The same key and slot always hold the same bytes, so the ETag is
/// `"{key}-{slot}"`; a matching `If-None-Match` gets 304 from here.
pub(crate) fn revalidated(headers: &HeaderMap, etag: &str) -> Option<Response> {
    let hit = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    hit.then(|| (StatusCode::NOT_MODIFIED, caching(etag)).into_response())
}

fn caching(etag: &str) -> [(header::HeaderName, HeaderValue); 3] {
    [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(etag).unwrap_or_else(|_| HeaderValue::from_static("\"x\"")),
        ),
    ]
}

/// A stored file for one viewer: `private, no-cache` (every use is
/// re-checked), `nosniff`, its ETag and type.
pub(crate) fn private_file(
    etag: &str,
    content_type: &'static str,
    bytes: bytes::Bytes,
) -> Response {
    (
        caching(etag),
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response()
}

async fn serve_inner(
    state: &AppState,
    session: &Session,
    key: &str,
    slot: u32,
    headers: &HeaderMap,
) -> Result<Option<Response>, AppError> {
    let viewer = user_id_of(session).await?;
    let allowed = match media::find_by_key(&state.db, key).await? {
        Some(row) => media::may_view(&state.db, viewer, &row).await?,
        // A video's poster shares the key's folder.
        None => app::services::videos::viewable(&state.db, viewer, key)
            .await?
            .is_some_and(|v| v.status == app::db::entities::videos::READY),
    };
    if !allowed {
        return Ok(None);
    }
    let etag = format!("\"{key}-{slot}\"");
    if let Some(res) = revalidated(headers, &etag) {
        return Ok(Some(res));
    }
    let Some(bytes) = state.media.get(key, slot).await? else {
        return Ok(None);
    };
    Ok(Some(private_file(&etag, "image/jpeg", bytes)))
}
