//! `GET /api/exports/{key}`: a "Download your data" zip, for its owner
//! only. (Being written.)

use app::state::AppState;
use axum::Router;

/// The export download route.
pub fn router(state: AppState) -> Router {
    let _ = state;
    Router::new()
}
