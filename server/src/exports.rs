//! `GET /api/exports/{key}`: a "Download your data" zip, for its owner
//! only. Anyone else, a signed-out visitor, an archive still being built,
//! failed or expired, or a key that isn't one all get the same 404. The
//! answer is `application/zip` with `Content-Disposition: attachment;
//! filename="hearth-export-{username}-{YYYY-MM-DD}.zip"` (the day it was
//! asked for, UTC) and `Cache-Control: private, no-store`.

use crate::media::{error, not_found};
use app::auth::user_id_of;
use app::db::entities::users;
use app::error::AppError;
use app::services::data_export;
use app::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::EntityTrait as _;
use tower_sessions::Session;

/// The export download route, on `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/exports/{key}", get(download))
        .with_state(state)
}

async fn download(
    State(state): State<AppState>,
    session: Session,
    Path(key): Path<String>,
) -> Response {
    match download_inner(&state, &session, &key).await {
        Ok(Some(res)) => res,
        Ok(None) => not_found(),
        Err(e) => error(e),
    }
}

async fn download_inner(
    state: &AppState,
    session: &Session,
    key: &str,
) -> Result<Option<Response>, AppError> {
    let Some(me) = user_id_of(session).await? else {
        return Ok(None);
    };
    let Some(export) = data_export::downloadable(&state.db, me, key).await? else {
        return Ok(None);
    };
    let Some(user) = users::Entity::find_by_id(me.0).one(&state.db).await? else {
        return Ok(None);
    };
    // The media store hands whole files back; archives are read at once.
    let Some(bytes) = state
        .media
        .get_file(&export.key, data_export::EXPORT_FILE)
        .await?
    else {
        return Ok(None);
    };
    let day: String = app::time_fmt::iso_time(export.created_at_ms)
        .chars()
        .take(10)
        .collect();
    // Usernames are ASCII letters, digits and underscores: safe in a
    // quoted header parameter.
    let disposition = format!(
        "attachment; filename=\"hearth-export-{}-{day}.zip\"",
        user.username
    );
    Ok(Some(
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/zip"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition)
                        .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
    ))
}
