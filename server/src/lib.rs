//! Hearth's HTTP server: configuration, the axum router (Leptos pages and
//! server functions, the live WebSocket, static files) and its middleware.
//! `main.rs` only parses the command line and calls [`Application::build`].

// Leptos' typed views (not erased outside cargo-leptos debug builds) nest
// deeper than the default limit of 128.
#![recursion_limit = "256"]

/// The allocator of every binary that links the server (the server itself,
/// the benchmarks, the integration tests): mimalloc instead of glibc's
/// malloc. Rendering a feed page allocates tens of thousands of small
/// strings, views and reactive owners; under `bench/feed.sh` glibc's malloc,
/// free and `malloc_consolidate` took about a third of the server's CPU
/// (`perf record`, `docs/bench.md`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod config;
pub mod error_status;
pub mod exports;
pub mod headers;
pub mod health;
pub mod live;
pub mod media;
pub mod metrics;
pub mod origin;
pub mod proxy;
pub mod render_guard;
pub mod session_refresh;
pub mod unavailable;
pub mod video;

use anyhow::Context as _;
use app::session_store::DbSessionStore;
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt;
use config::Config;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "hearth_session";
/// Sessions expire after this much inactivity (sliding: a request pushes
/// the expiry back, written at most hourly, see
/// [`session_refresh`]).
pub const SESSION_IDLE_DAYS: i64 = 30;

/// Leptos' options from the environment cargo-leptos sets (or its defaults:
/// site root `target/site`), with the bind address from `config`.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut opts = get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("hearth").build());
    if opts.output_name.is_empty() {
        opts.output_name = "hearth".into();
    }
    if let Some(root) = &config.site_root {
        opts.site_root = root.as_str().into();
    }
    // cargo-leptos writes the hashed file names beside the binary it builds
    // (`hash-files` in Cargo.toml); a copied binary takes hash.txt along.
    // It only tells the server when it runs the binary itself, so look.
    if !opts.hash_files && hash_file_beside_binary(&opts) {
        opts.hash_files = true;
    }
    opts.site_addr = config.site_addr;
    opts
}

/// Whether the hash file cargo-leptos writes (`hash.txt`, listing the
/// content hashes in the names of the wasm, JS and CSS files) sits beside
/// the running binary.
fn hash_file_beside_binary(opts: &LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(opts.hash_file.as_ref())))
        .is_some_and(|path| path.is_file())
}

/// Builds the whole router on `state`.
pub fn build_router(state: AppState, options: LeptosOptions, config: &Config) -> Router {
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(SESSION_IDLE_DAYS),
        ));
    let allowed_origin = config.public_origin();
    let db_health = unavailable::DbHealth::new(&config.database_url);

    let probe_state = state.clone();
    let context_state = state.clone();
    let shell_options = options.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .with_state(options.clone())
        .layer(axum::middleware::from_fn(
            render_guard::retry_stalled_render,
        ));
    let photos = media::router(state.clone())
        .merge(video::router(state.clone()))
        .merge(exports::router(state.clone()));
    let live = Router::new()
        .route("/ws", get(live::ws_handler))
        .with_state(live::LiveState {
            app: state,
            allowed_origin: allowed_origin.clone(),
        });

    let site_root = std::path::PathBuf::from(options.site_root.as_ref());
    let assets = health::router(probe_state)
        .nest_service(
            "/pkg",
            // cargo-leptos --precompress writes .br and .gz beside each
            // file in release builds; those are sent as they are.
            ServeDir::new(site_root.join(options.site_pkg_dir.as_ref()))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .nest_service("/img", ServeDir::new(site_root.join("img")))
        // hls.js, copied from npm by scripts/setup.sh; loaded by pages that
        // play a video.
        .nest_service("/vendor", ServeDir::new(site_root.join("vendor")))
        .route_service(
            "/favicon.svg",
            ServeFile::new(site_root.join("favicon.svg")),
        );

    let dynamic = pages
        .merge(live)
        .merge(photos)
        .layer(axum::middleware::from_fn(error_status::app_error_status))
        .layer(axum::middleware::from_fn_with_state(
            allowed_origin,
            origin::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn(session_refresh::refresh_session))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            db_health,
            unavailable::database_unavailable,
        ));
    assets
        .merge(dynamic)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(headers::SecurityHeaders::new(config, &options)),
            headers::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            config.trusted_proxies.clone(),
            proxy::resolve_client,
        ))
        .layer(CompressionLayer::new().quality(DYNAMIC_COMPRESSION))
        .layer(TraceLayer::new_for_http())
}

/// A bound, ready-to-run server (zero-to-production's `Application`).
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    metrics_addr: Option<SocketAddr>,
}

/// The level at which responses are compressed on the fly (pages, server
/// function answers; the static files go out precompressed at the best
/// level instead): brotli quality 1 and gzip level 1, not tower-http's
/// default (brotli 4). On the demo feed page (65 KB of HTML) quality 1
/// gives 7.8 KB instead of 6.5 KB, and the feed served with
/// `Accept-Encoding: br` went from 300–320 to 430–460 req/s on the 2-core
/// benchmark machine (`docs/bench.md`): quality 4 allocates and zeroes
/// larger match tables for every response.
pub const DYNAMIC_COMPRESSION: CompressionLevel = CompressionLevel::Precise(1);

/// How long a graceful shutdown waits for live sockets to close after
/// telling them to (1012) before the process exits anyway.
pub const SOCKET_DRAIN: Duration = Duration::from_secs(5);

impl Application {
    /// Connects to the database, runs migrations, binds `config.site_addr`
    /// (port 0 picks a free port) and builds the router.
    ///
    /// # Errors
    /// Database, migration or bind failures.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let db = app::db::connect_and_migrate(&config.database_url).await?;
        let media = app::media::MediaStore::open(&config.media_url)?;
        tracing::info!(at = media.describe(), "media store");
        let mut options = leptos_options(config);
        let listener = tokio::net::TcpListener::bind(config.site_addr)
            .await
            .with_context(|| format!("binding {}", config.site_addr))?;
        options.site_addr = listener.local_addr()?;
        let (mailer, accounts) = config.mail(options.site_addr)?;
        tracing::info!(to = %mailer.describe(), "mail");
        let mut state = AppState::new(db.clone(), media)
            .with_video(config.video_settings())
            .with_mail(mailer, accounts)
            .with_signup_limit(config.signups_per_ip_hour);
        let mut limits = if config.rate_limits {
            app::services::limits::Limits::default()
        } else {
            app::services::limits::Limits::off()
        };
        if let Some(url) = &config.redis_url {
            let link = app::cluster::RedisLink::new(url, &config.redis_namespace)
                .with_context(|| format!("HEARTH_REDIS_URL {}", app::db::redact(url)))?;
            tracing::info!(at = %app::db::redact(url), instance = %link.instance(), "Redis: one instance among several");
            let hub = app::cluster::hub::RedisHub::start(
                db,
                Arc::clone(&link),
                app::hub::CONNECTION_QUEUE,
            )
            .await
            .map_err(|e| anyhow::anyhow!("starting the Redis hub: {e}"))?;
            if config.rate_limits {
                limits = app::services::limits::Limits::new(Arc::new(
                    app::cluster::limits::RedisLimits::new(Arc::clone(&link)),
                ));
            }
            state = state.with_redis(link, app::hub::EventHub::new(Arc::new(hub)));
        }
        let state = state.with_limits(limits);
        let router = build_router(state.clone(), options, config);
        Ok(Self {
            listener,
            router,
            state,
            metrics_addr: config.metrics_addr,
        })
    }

    /// The bound address.
    ///
    /// # Errors
    /// If the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state (database, hub), for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C / SIGTERM, with transcode workers (durable jobs,
    /// `HEARTH_TRANSCODE_CONCURRENCY` at once), background sweeps of expired
    /// sessions and replayable live events older than 7 days (hourly), idle
    /// throttle entries (every 5 minutes), photo files to delete (every
    /// minute) and uploads never attached (hourly).
    ///
    /// # Errors
    /// If serving fails.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        if let Some(link) = &self.state.redis {
            tokio::spawn(
                Arc::clone(&self.state.presence)
                    .run_cluster(self.state.db.clone(), self.state.hub.clone()),
            );
            link.start();
        }
        if let Some(addr) = self.metrics_addr {
            match metrics::install() {
                Some(handle) => {
                    let state = self.state.clone();
                    tokio::spawn(async move {
                        if let Err(e) = metrics::serve(addr, handle, state).await {
                            tracing::error!(error = %e, "serving metrics");
                        }
                    });
                }
                None => tracing::warn!("metrics recorder unavailable; no /metrics"),
            }
        }
        let store = DbSessionStore::new(self.state.db.clone());
        tokio::spawn(store.sweep_forever(Duration::from_secs(3600)));
        let db = self.state.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                match app::services::live_log::sweep(&db).await {
                    Ok(n) if n > 0 => tracing::info!(swept = n, "old live events"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "sweeping live events"),
                }
            }
        });
        let state = self.state.clone();
        tokio::spawn(async move {
            // Retry failed file deletions every minute; sweep uploads left
            // unattached for a day every hour.
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            let mut n: u64 = 0;
            loop {
                tick.tick().await;
                if n.is_multiple_of(60) {
                    let now = app::time_fmt::now_ms();
                    log_sweep(
                        "expired video uploads",
                        app::services::videos::sweep_expired_uploads(&state.db, &state.video, now)
                            .await,
                    );
                    log_sweep(
                        "unattached uploads",
                        app::services::media::sweep_unattached(&state.db, now).await,
                    );
                    log_sweep(
                        "expired data exports",
                        app::services::data_export::sweep_expired(&state.db, now).await,
                    );
                }
                n += 1;
                state.empty_media_trash().await;
            }
        });
        // Durable jobs: transcodes at the configured concurrency (0: another
        // instance runs them), mail two at a time, "Download your data"
        // archives one at a time.
        if self.state.video.transcode_concurrency > 0 {
            spawn_workers(
                &self.state,
                app::services::videos::TRANSCODE_JOB,
                self.state.video.transcode_concurrency,
                |state, job| Box::pin(app::services::videos::run_transcode(state, job)),
            );
        }
        spawn_workers(&self.state, app::mail::MAIL_JOB, 2, |state, job| {
            Box::pin(app::mail::run_mail_job(state, job))
        });
        spawn_workers(
            &self.state,
            app::services::data_export::EXPORT_JOB,
            1,
            |state, job| Box::pin(app::services::data_export::run_export_job(state, job)),
        );
        let state = self.state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(300));
            loop {
                tick.tick().await;
                state.login_throttle.sweep();
                state.reset_throttle.sweep();
                state.signup_throttle.sweep();
                state.presence.sweep();
                state.limits.sweep();
            }
        });
        let shutdown = self.state.shutdown.clone();
        let listener = self.listener.tap_io(set_nodelay);
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            tokio::select! {
                () = shutdown_signal() => {}
                () = shutdown.wait() => {}
            }
            // Stop taking requests; sockets close with 1012 at once.
            shutdown.trigger();
        })
        .await
        .context("serving");
        // In-flight requests have finished; give the sockets a moment to
        // send their close frames, then leave the shared presence counts.
        let deadline = tokio::time::Instant::now() + SOCKET_DRAIN;
        while self.state.hub.connection_count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.state.presence.leave_cluster().await;
        tracing::info!("stopped");
        served
    }
}

/// Logs what a janitor sweep removed, or why it failed.
fn log_sweep(what: &str, result: Result<usize, app::error::AppError>) {
    match result {
        Ok(n) if n > 0 => tracing::info!(swept = n, "{what}"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "sweeping {what}"),
    }
}

/// Runs job workers of `kind` in this process, `concurrency` at once,
/// under the configured job lease, polling every 2 s.
fn spawn_workers(
    state: &AppState,
    kind: &'static str,
    concurrency: usize,
    run: fn(AppState, app::db::entities::jobs::Model) -> app::jobs::JobFuture,
) {
    let for_handler = state.clone();
    let handler: app::jobs::Handler = Arc::new(move |job| run(for_handler.clone(), job));
    tokio::spawn(app::jobs::run_workers(
        state.db.clone(),
        kind,
        concurrency,
        state.video.job_lease,
        Duration::from_secs(2),
        state.job_signal.clone(),
        handler,
    ));
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Turns Nagle's algorithm off on an accepted socket (`TCP_NODELAY`), for
/// `axum::serve::ListenerExt::tap_io`. A response leaves in more than one
/// write (headers, then a streamed body), and with Nagle's algorithm on,
/// the second write waited for the client's delayed ACK, about 40 ms on
/// Linux: one connection got 36 static files a second.
pub(crate) fn set_nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "couldn't set TCP_NODELAY");
    }
}
