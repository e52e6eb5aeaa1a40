//! Sliding session expiry without a write per request: the session layer
//! saves only modified sessions, and this middleware modifies a signed-in
//! one when its last write-back is an hour old
//! ([`app::auth::SESSION_REFRESH_MS`]).

use app::time_fmt::now_ms;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

/// Middleware (inside the session layer): refresh the session when due.
/// A store failure is logged and the request goes on; the handler meets
/// the same failure if it needs the session.
pub async fn refresh_session(session: Session, req: Request, next: Next) -> Response {
    if let Err(err) = app::auth::refresh_if_due(&session, now_ms()).await {
        tracing::warn!(error = %err, "refreshing the session failed");
    }
    next.run(req).await
}
