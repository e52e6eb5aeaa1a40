//! Server functions answer every error with status 500 and the
//! `AppError` as JSON. This middleware gives those answers their real
//! status (`AppError::http_status`: 401, 403, 404, 409, 422, 429 and 503 with
//! `Retry-After`), so clients, proxies and logs can tell a refused request
//! from a server failure. Form posts without JavaScript are redirects and
//! pass untouched.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Largest error body read back (errors are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Middleware: re-status server-function error responses.
pub async fn app_error_status(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR || !is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(retry_after_s) = err.retry_after_s()
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            parts.headers.insert(header::RETRY_AFTER, v);
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}
