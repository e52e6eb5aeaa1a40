//! Server state shared with server functions (through Leptos context) and
//! axum handlers.

use crate::hub::EventHub;
use crate::jobs::JobSignal;
use crate::mail::Mailer;
use crate::media::MediaStore;
use crate::revocation::Revocations;
use crate::services::presence::PresenceTracker;
use crate::services::throttle::LoginThrottle;
use crate::video::VideoSettings;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Sign-ups allowed per client IP per hour by default (issue G: every
/// sign-up costs an Argon2 hash and a mail).
pub const SIGNUPS_PER_IP_HOUR: u32 = 5;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Database pool.
    pub db: DatabaseConnection,
    /// Live event fan-out.
    pub hub: EventHub,
    /// Per-IP log-in limiter.
    pub login_throttle: Arc<LoginThrottle>,
    /// Per-IP limiter of "Forgot password?" requests.
    pub reset_throttle: Arc<LoginThrottle>,
    /// Per-IP limiter of sign-ups (see [`AppState::with_signup_limit`]).
    pub signup_throttle: Arc<LoginThrottle>,
    /// Who is online (tabs per user in this process).
    pub presence: Arc<PresenceTracker>,
    /// Photo and video files.
    pub media: MediaStore,
    /// Video limits, the upload folder and transcode settings.
    pub video: Arc<VideoSettings>,
    /// Wakes this process's idle job workers when a job is enqueued.
    pub job_signal: JobSignal,
    /// Where mail goes (SMTP or the outbox folder).
    pub mailer: Mailer,
    /// Mail sender, public URL and the email-confirmation rule.
    pub accounts: Arc<AccountSettings>,
    /// Ended sessions, to close their sockets.
    pub revocations: Revocations,
    /// Per-user rate limits on writes.
    pub limits: crate::services::limits::Limits,
    /// The Redis shared with other instances, when configured
    /// (`HEARTH_REDIS_URL`; see [`crate::cluster`]).
    pub redis: Option<Arc<crate::cluster::RedisLink>>,
    /// Set when the server begins a graceful shutdown: live sockets close
    /// with 1012 ("service restart") so browsers reconnect elsewhere.
    pub shutdown: Shutdown,
}

/// A graceful-shutdown flag that tasks can wait on. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Shutdown(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::channel(false).0))
    }
}

impl Shutdown {
    /// Begins the shutdown (idempotent).
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Whether the shutdown has begun.
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the shutdown begins (at once if it has).
    pub async fn wait(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives as long as `self`, so this can't fail.
        let _ = rx.wait_for(|down| *down).await;
    }
}

/// Account settings from the configuration.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    /// `From:` of every mail, e.g. `Hearth <no-reply@hearth.example>`.
    pub mail_from: String,
    /// The site's public URL without a trailing `/`, for links in mail,
    /// e.g. `https://hearth.example`.
    pub public_url: String,
    /// When true, accounts whose email isn't confirmed can read but not
    /// post, comment, message or send friend requests
    /// (`HEARTH_REQUIRE_CONFIRMED_EMAIL`).
    pub require_confirmed_email: bool,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            mail_from: "Hearth <no-reply@hearth.localhost>".to_owned(),
            public_url: "http://127.0.0.1:3000".to_owned(),
            require_confirmed_email: false,
        }
    }
}

impl AccountSettings {
    /// `public_url` + `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

impl AppState {
    /// State on `db` and `media` with a fresh hub and throttle, video
    /// defaults with uploads in `data/uploads` (see [`AppState::with_video`])
    /// and mail to `data/outbox` (see [`AppState::with_mail`]).
    pub fn new(db: DatabaseConnection, media: MediaStore) -> Self {
        Self {
            db,
            media,
            video: Arc::new(VideoSettings::new("data/uploads")),
            job_signal: JobSignal::default(),
            hub: EventHub::default(),
            login_throttle: Arc::new(LoginThrottle::default()),
            signup_throttle: Arc::new(LoginThrottle::new(
                SIGNUPS_PER_IP_HOUR,
                std::time::Duration::from_secs(3600),
            )),
            reset_throttle: Arc::new(LoginThrottle::new(
                crate::services::passwords::RESET_IP_REQUESTS,
                crate::services::passwords::RESET_IP_WINDOW,
            )),
            presence: Arc::new(PresenceTracker::default()),
            mailer: Mailer::Outbox("data/outbox".into()),
            accounts: Arc::new(AccountSettings::default()),
            revocations: Revocations::default(),
            limits: crate::services::limits::Limits::default(),
            redis: None,
            shutdown: Shutdown::default(),
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

    /// The same state allowing `per_hour` sign-ups per client IP (by /64
    /// for IPv6) instead of [`SIGNUPS_PER_IP_HOUR`].
    #[must_use]
    pub fn with_signup_limit(mut self, per_hour: u32) -> Self {
        self.signup_throttle = Arc::new(LoginThrottle::new(
            per_hour,
            std::time::Duration::from_secs(3600),
        ));
        self
    }

    /// The same state with these rate limits.
    #[must_use]
    pub fn with_limits(mut self, limits: crate::services::limits::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same state as one instance among several sharing `link`'s
    /// Redis: live frames through `hub` (a [`crate::cluster::hub::RedisHub`]),
    /// presence counts, session revocations and the per-IP limits in Redis.
    /// Call after [`AppState::with_signup_limit`]; set the per-user limits
    /// with [`AppState::with_limits`] and a
    /// [`crate::cluster::limits::RedisLimits`]. Start the link afterwards
    /// ([`crate::cluster::RedisLink::start`]).
    #[must_use]
    pub fn with_redis(mut self, link: Arc<crate::cluster::RedisLink>, hub: EventHub) -> Self {
        self.hub = hub;
        self.revocations = Revocations::with_redis(Arc::clone(&link));
        self.presence = Arc::new(PresenceTracker::default().with_redis(Arc::new(
            crate::cluster::presence::RedisPresence::new(Arc::clone(&link)),
        )));
        self.login_throttle = Arc::new(self.login_throttle.to_shared(Arc::clone(&link), "login"));
        self.signup_throttle =
            Arc::new(self.signup_throttle.to_shared(Arc::clone(&link), "signup"));
        self.reset_throttle = Arc::new(self.reset_throttle.to_shared(Arc::clone(&link), "reset"));
        self.redis = Some(link);
        self
    }

    /// The same state with this mailer and these account settings.
    #[must_use]
    pub fn with_mail(mut self, mailer: Mailer, accounts: AccountSettings) -> Self {
        self.mailer = mailer;
        self.accounts = Arc::new(accounts);
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
