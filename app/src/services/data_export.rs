//! "Download your data": a zip built in the background. (Being written.)

use crate::jobs::JobError;
use crate::state::AppState;

/// Job kind of an export.
pub const EXPORT_JOB: &str = "export";

/// The export job. (Being written.)
///
/// # Errors
/// Never yet.
pub async fn run_export_job(
    state: AppState,
    job: crate::db::entities::jobs::Model,
) -> Result<(), JobError> {
    let _ = (state, job);
    Ok(())
}
