//! Probes for load balancers and orchestrators, on the public port and
//! outside sessions and the database-outage page:
//! - `GET /healthz`: `200 ok` while the process serves requests;
//! - `GET /readyz`: `200 ready` when the database answers within 2 s and,
//!   when configured, Redis too; otherwise `503` naming what is down
//!   (e.g. `redis: down`), so the proxy sends traffic elsewhere. During a
//!   graceful shutdown it answers `503 shutting down`.

use app::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use std::time::Duration;

/// How long `/readyz` waits for each dependency.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The `/healthz` and `/readyz` routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    if state.shutdown.is_triggered() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down".to_owned());
    }
    let mut down = Vec::new();
    let db_ok = matches!(
        tokio::time::timeout(PROBE_TIMEOUT, state.db.ping()).await,
        Ok(Ok(()))
    );
    if !db_ok {
        down.push("database: down");
    }
    if let Some(redis) = &state.redis
        && !redis.ping().await
    {
        down.push("redis: down");
    }
    if down.is_empty() {
        (StatusCode::OK, "ready".to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, down.join("\n"))
    }
}
