//! Configuration: command-line flags, each with an environment variable and
//! a default that works on a fresh machine.

use std::net::SocketAddr;

/// Server settings. Every flag can also be set by the environment variable
/// named beside it.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database URL: `sqlite://PATH?mode=rwc` (file created on first run)
    /// or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/hearth.db?mode=rwc"
    )]
    pub database_url: String,

    /// Address to listen on (Leptos' own variable).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// Folder with the built site (`pkg/`, images); cargo-leptos' default.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    pub site_root: Option<String>,

    /// The URL people use to reach Hearth, e.g. `https://hearth.example`.
    /// When it is https, the session cookie is marked `Secure`; its origin is
    /// also accepted on state-changing requests behind a proxy that
    /// rewrites `Host`.
    #[arg(long, env = "HEARTH_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Where photo files go: a local folder (created on first run), or
    /// `s3://bucket/prefix` for any S3-compatible store (credentials,
    /// region and endpoint from the usual `AWS_*` variables).
    #[arg(long, env = "HEARTH_MEDIA_URL", default_value = "data/media")]
    pub media_url: String,

    /// Local folder for video uploads in progress and transcoding scratch
    /// (created on first use).
    #[arg(long, env = "HEARTH_UPLOAD_DIR", default_value = "data/uploads")]
    pub upload_dir: String,

    /// Largest video upload, bytes (1 GiB).
    #[arg(long, env = "HEARTH_VIDEO_MAX_BYTES", default_value_t = app::models::video::DEFAULT_MAX_VIDEO_BYTES)]
    pub video_max_bytes: u64,

    /// Longest video, seconds (10 minutes).
    #[arg(long, env = "HEARTH_VIDEO_MAX_SECONDS", default_value_t = app::models::video::DEFAULT_MAX_VIDEO_SECONDS)]
    pub video_max_seconds: u32,

    /// Video transcodes at once in this process; 0 runs none here (another
    /// instance on the same database does them).
    #[arg(long, env = "HEARTH_TRANSCODE_CONCURRENCY", default_value_t = 1)]
    pub transcode_concurrency: usize,

    /// Seconds a background job stays claimed without a heartbeat before
    /// another worker takes it over (after a crash).
    #[arg(long, env = "HEARTH_JOB_LEASE_SECONDS", default_value_t = 60)]
    pub job_lease_seconds: u64,

    /// SMTP relay for outgoing mail: `smtps://user:pass@host:465`
    /// (implicit TLS), `smtp://user:pass@host:587` (STARTTLS required), or
    /// `smtp://127.0.0.1:2525?tls=none` for an unencrypted relay on this
    /// machine. Unset: mail is written to `HEARTH_OUTBOX_DIR` instead.
    #[arg(long, env = "HEARTH_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The `From:` of every mail.
    #[arg(
        long,
        env = "HEARTH_MAIL_FROM",
        default_value = "Hearth <no-reply@hearth.localhost>"
    )]
    pub mail_from: String,

    /// Folder for `.eml` files when no SMTP relay is set (created on first
    /// mail).
    #[arg(long, env = "HEARTH_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: String,

    /// Per-user rate limits on writes (`services::limits`): `on`, or `off`
    /// for load tests.
    #[arg(long, env = "HEARTH_RATE_LIMITS", default_value_t = true, action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub rate_limits: bool,

    /// Sign-ups allowed per client IP address (IPv6: per /64) per hour.
    #[arg(long, env = "HEARTH_SIGNUPS_PER_IP_HOUR", default_value_t = app::state::SIGNUPS_PER_IP_HOUR)]
    pub signups_per_ip_hour: u32,

    /// Reverse proxies in front of Hearth, as comma-separated CIDRs (or
    /// single addresses), e.g. `127.0.0.1/32,10.0.0.0/8`. Only when the TCP
    /// peer is one of them are its `X-Forwarded-For` / `Forwarded` (for the
    /// client's address) and `X-Forwarded-Proto` (https: `Secure` cookies,
    /// HSTS) believed. Empty (the default): the TCP peer is the client.
    #[arg(long, env = "HEARTH_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: crate::proxy::TrustedProxies,

    /// When true, accounts whose email isn't confirmed can read but not
    /// post, comment, message or send friend requests.
    #[arg(long, env = "HEARTH_REQUIRE_CONFIRMED_EMAIL", default_value_t = false, action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub require_confirmed_email: bool,

    /// Redis shared by several instances behind a load balancer, e.g.
    /// `redis://127.0.0.1:6379/` (live delivery across instances, presence,
    /// rate limits, session revocations; see `docs/deploy.md`). Unset (the
    /// default): this instance works alone and needs no Redis.
    #[arg(long, env = "HEARTH_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key and channel, so deployments (or test
    /// runs) can share one Redis.
    #[arg(long, env = "HEARTH_REDIS_NAMESPACE", default_value = app::cluster::DEFAULT_NAMESPACE)]
    pub redis_namespace: String,

    /// Where to serve Prometheus metrics (`GET /metrics`), e.g.
    /// `127.0.0.1:9100`: a private address, since the figures aren't for
    /// visitors. Unset (the default): no metrics endpoint.
    #[arg(long, env = "HEARTH_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

impl Config {
    /// Whether cookies must be `Secure` (served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// `scheme://host[:port]` of [`Config::public_url`], if set.
    pub fn public_origin(&self) -> Option<String> {
        let url = self.public_url.as_deref()?;
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        Some(format!("{scheme}://{host}"))
    }

    /// The video settings.
    pub fn video_settings(&self) -> app::video::VideoSettings {
        app::video::VideoSettings {
            max_bytes: self.video_max_bytes,
            max_seconds: self.video_max_seconds,
            transcode_concurrency: self.transcode_concurrency,
            job_lease: std::time::Duration::from_secs(self.job_lease_seconds.max(1)),
            ..app::video::VideoSettings::new(&self.upload_dir)
        }
    }

    /// The mailer and account settings; links in mail start with
    /// [`Config::public_url`], or `http://{bound}` when it isn't set.
    ///
    /// # Errors
    /// A bad `HEARTH_SMTP_URL`.
    pub fn mail(
        &self,
        bound: SocketAddr,
    ) -> anyhow::Result<(app::mail::Mailer, app::state::AccountSettings)> {
        let mailer = app::mail::Mailer::new(
            self.smtp_url.as_deref(),
            std::path::Path::new(&self.outbox_dir),
        )?;
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned();
        Ok((
            mailer,
            app::state::AccountSettings {
                mail_from: self.mail_from.clone(),
                public_url,
                require_confirmed_email: self.require_confirmed_email,
            },
        ))
    }

    /// Settings for tests: the given database, an ephemeral port, photos
    /// in memory, uploads and the mail outbox in fresh temporary folders.
    pub fn for_tests(database_url: String) -> Self {
        Self {
            database_url,
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            site_root: None,
            public_url: None,
            media_url: "memory:".to_owned(),
            upload_dir: std::env::temp_dir()
                .join(format!("hearth-uploads-{}", app::media::new_key()))
                .display()
                .to_string(),
            video_max_bytes: app::models::video::DEFAULT_MAX_VIDEO_BYTES,
            video_max_seconds: app::models::video::DEFAULT_MAX_VIDEO_SECONDS,
            transcode_concurrency: 1,
            job_lease_seconds: 60,
            smtp_url: None,
            mail_from: "Hearth <no-reply@hearth.localhost>".to_owned(),
            outbox_dir: std::env::temp_dir()
                .join(format!("hearth-outbox-{}", app::media::new_key()))
                .display()
                .to_string(),
            require_confirmed_email: false,
            trusted_proxies: crate::proxy::TrustedProxies::default(),
            // Each test signs its people up from 127.0.0.1.
            signups_per_ip_hour: 10_000,
            // Tests about limits turn them on.
            rate_limits: false,
            redis_url: None,
            redis_namespace: app::cluster::DEFAULT_NAMESPACE.to_owned(),
            metrics_addr: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_public_url_means_secure_cookies() {
        let mut c = Config::for_tests("sqlite::memory:".into());
        assert!(!c.secure_cookies());
        c.public_url = Some("https://hearth.example/app".into());
        assert!(c.secure_cookies());
        assert_eq!(c.public_origin().as_deref(), Some("https://hearth.example"));
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn trusted_proxies_default_to_none_and_parse_a_list() {
        use clap::Parser as _;
        let cli = Cli::try_parse_from(["hearth"]).expect("defaults parse");
        assert!(cli.config.trusted_proxies.is_empty());
        let cli = Cli::try_parse_from(["hearth", "--trusted-proxies", "10.0.0.0/8, ::1"])
            .expect("list parses");
        assert_eq!(cli.config.trusted_proxies.nets().len(), 2);
        assert!(Cli::try_parse_from(["hearth", "--trusted-proxies", "10.0.0.0/99"]).is_err());
    }
}
