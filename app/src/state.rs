//! Server state shared with server functions (through Leptos context) and
//! axum handlers.

use crate::hub::EventHub;
use crate::jobs::JobSignal;
use crate::media::MediaStore;
use crate::services::presence::PresenceTracker;
use crate::services::throttle::LoginThrottle;
use crate::video::VideoSettings;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Database pool.
    pub db: DatabaseConnection,
    /// Live event fan-out.
    pub hub: EventHub,
    /// Per-IP log-in limiter.
    pub login_throttle: Arc<LoginThrottle>,
    /// Who is online (tabs per user in this process).
    pub presence: Arc<PresenceTracker>,
    /// Photo and video files.
    pub media: MediaStore,
    /// Video limits, the upload folder and transcode settings.
    pub video: Arc<VideoSettings>,
    /// Wakes this process's idle job workers when a job is enqueued.
    pub job_signal: JobSignal,
}

impl AppState {
    /// State on `db` and `media` with a fresh hub and throttle, and video
    /// defaults with uploads in `data/uploads` (see [`AppState::with_video`]).
    pub fn new(db: DatabaseConnection, media: MediaStore) -> Self {
        Self {
            db,
            media,
            video: Arc::new(VideoSettings::new("data/uploads")),
            job_signal: JobSignal::default(),
            hub: EventHub::default(),
            login_throttle: Arc::new(LoginThrottle::default()),
            presence: Arc::new(PresenceTracker::default()),
        }
    }
}

impl AppState {
    /// The same state with these video settings.
    #[must_use]
    pub fn with_video(mut self, video: VideoSettings) -> Self {
        self.video = Arc::new(video);
        self
    }

    /// Deletes the files of trashed photos now (after the commit that
    /// trashed them). Failures are logged; the background janitor retries.
    pub async fn empty_media_trash(&self) {
        if let Err(e) = crate::services::media::empty_trash(&self.db, &self.media).await {
            tracing::warn!(error = %e, "emptying the media trash; will retry");
        }
    }
}

/// The [`AppState`] from the Leptos context of the current request.
///
/// # Errors
/// `Internal` when called outside a request that provides it.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        crate::error::AppError::Internal
    })
}
