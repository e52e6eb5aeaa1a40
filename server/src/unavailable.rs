//! What a visitor sees while the database is down: `503 Service
//! Unavailable` with `Retry-After`, a small self-contained page saying
//! Hearth is temporarily unavailable (or, to a server-function call,
//! [`AppError::Busy`] as JSON), instead of an empty 500 after a long wait.
//!
//! Every dynamic request passes through [`database_unavailable`], outside
//! the session layer (the session store is the first thing a request asks
//! of the database, and tower-sessions turns its failure into a bare 500).
//! A response that is a server error (5xx), or one that takes longer than
//! [`SLOW_AFTER`], makes the middleware probe the database with [`DbHealth::check`]: one `SELECT 1`-style ping on a
//! connection of its own (so a pool that is merely full under load doesn't
//! look like a dead database), at most once per [`RECHECK_EVERY`], given up
//! after [`PROBE_TIMEOUT`]. If the probe fails, the database is taken as
//! down: that response and every request after it answer 503 at once,
//! without touching the database, while a background task probes every
//! [`RECHECK_EVERY`]; the first probe that succeeds lifts the state, so the
//! site recovers by itself, typically within a second or two of the
//! database coming back. Nothing is restarted: sqlx's pool replaces its
//! dead connections on the next acquire.

use app::error::{AppError, DB_UNAVAILABLE_RETRY_S};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OnceCell};

/// A request that takes longer than this has the database probed while it
/// runs.
pub const SLOW_AFTER: Duration = Duration::from_secs(2);
/// A probe that hasn't answered within this is a failed probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// A probe's verdict is reused for this long; while the database is down
/// it is probed again this often.
pub const RECHECK_EVERY: Duration = Duration::from_millis(500);

/// Whether the database answers, shared by all requests. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DbHealth {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    url: String,
    /// A one-connection pool of its own, opened at the first probe.
    probe: OnceCell<DatabaseConnection>,
    down: AtomicBool,
    /// When the last probe ran and whether it succeeded; the lock also
    /// keeps probes one at a time.
    last: Mutex<Option<(Instant, bool)>>,
}

impl DbHealth {
    /// Health of the database at `url` (the app's `DATABASE_URL`). Opens
    /// nothing until the first probe.
    pub fn new(url: &str) -> Self {
        Self {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                probe: OnceCell::new(),
                down: AtomicBool::new(false),
                last: Mutex::new(None),
            }),
        }
    }

    /// Whether the database is taken as down (requests answer 503 at once).
    pub fn is_down(&self) -> bool {
        self.inner.down.load(Ordering::Acquire)
    }

    /// Probes the database (or reuses a verdict younger than
    /// [`RECHECK_EVERY`]); on failure marks it down and starts watching
    /// for its return. Returns whether it answered.
    pub async fn check(&self) -> bool {
        let mut last = self.inner.last.lock().await;
        if let Some((at, up)) = *last
            && at.elapsed() < RECHECK_EVERY
        {
            return up;
        }
        let result = self.ping().await;
        *last = Some((Instant::now(), result.is_ok()));
        drop(last);
        match result {
            Ok(()) => true,
            Err(e) => {
                self.mark_down(&e);
                false
            }
        }
    }

    fn mark_down(&self, cause: &str) {
        if self.inner.down.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::error!(
            cause,
            "the database is unreachable: answering 503 until it is back"
        );
        let this = self.clone();
        tokio::spawn(async move { this.watch_until_back().await });
    }

    /// Probes every [`RECHECK_EVERY`] until the database answers, then
    /// lifts the down state.
    async fn watch_until_back(self) {
        let since = Instant::now();
        loop {
            tokio::time::sleep(RECHECK_EVERY).await;
            match self.ping().await {
                Ok(()) => break,
                Err(e) => tracing::debug!(error = %e, "the database is still unreachable"),
            }
        }
        *self.inner.last.lock().await = Some((Instant::now(), true));
        self.inner.down.store(false, Ordering::Release);
        tracing::warn!(
            down_ms = since.elapsed().as_millis(),
            "the database is back: serving again"
        );
    }

    async fn ping(&self) -> Result<(), String> {
        let ping = async {
            let db = self
                .inner
                .probe
                .get_or_try_init(|| async {
                    let mut opts = ConnectOptions::new(self.inner.url.clone());
                    opts.max_connections(1)
                        .min_connections(0)
                        .acquire_timeout(PROBE_TIMEOUT)
                        .connect_lazy(true)
                        .sqlx_logging(false);
                    Database::connect(opts).await
                })
                .await?;
            db.ping().await
        };
        match tokio::time::timeout(PROBE_TIMEOUT, ping).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {PROBE_TIMEOUT:?}")),
        }
    }
}

/// Middleware (outermost of the dynamic routes): while the database is
/// down, answers 503 without running the request. Otherwise runs it, and
/// turns a server error into the 503 when a probe finds the database
/// unreachable. A request still running after [`SLOW_AFTER`] has the
/// database probed meanwhile: if it is unreachable the request is given up
/// (dropped, as when a browser goes away) and answered 503 at once, rather
/// than after its queries' acquire timeouts and the session store's add up.
pub async fn database_unavailable(
    State(health): State<DbHealth>,
    req: Request,
    next: Next,
) -> Response {
    let reply = Reply::of(&req);
    if health.is_down() {
        return unavailable(reply);
    }
    let run = next.run(req);
    tokio::pin!(run);
    let res = tokio::select! {
        res = &mut run => res,
        () = tokio::time::sleep(SLOW_AFTER) => {
            let probe = health.check();
            tokio::pin!(probe);
            tokio::select! {
                res = &mut run => res,
                up = &mut probe => {
                    if !up {
                        return unavailable(reply);
                    }
                    run.await
                }
            }
        }
    };
    if res.status().is_server_error() && !health.check().await {
        return unavailable(reply);
    }
    res
}

/// How to say it: JSON to a server-function call from script, a page to
/// everything else (pages, and forms posted without JavaScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    Json,
    Page { reload: bool },
}

impl Reply {
    fn of(req: &Request) -> Self {
        let html = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if req.uri().path().starts_with("/api/") && !html {
            Self::Json
        } else {
            Self::Page {
                reload: req.method() == Method::GET,
            }
        }
    }
}

/// The page, self-contained (the stylesheet may be out of reach too).
/// `{reload}` becomes a refresh tag on pages that are safe to reload,
/// `{again}` says how to try again.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
{reload}<title>Hearth is temporarily unavailable</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;line-height:1.5}
main{max-width:32rem;padding:2rem;text-align:center}
h1{font-size:1.5rem}
</style>
</head>
<body>
<main>
<h1>Hearth is temporarily unavailable</h1>
<p>We can't reach our database right now. Everything you already posted or sent is safe.</p>
<p>{again}</p>
</main>
</body>
</html>
"#;

/// The 503 answer, with `Retry-After` and `Cache-Control: no-store`.
fn unavailable(reply: Reply) -> Response {
    let (content_type, body) = match reply {
        Reply::Json => (
            "application/json",
            serde_json::to_string(&AppError::Busy {
                retry_after_s: DB_UNAVAILABLE_RETRY_S,
            })
            .unwrap_or_default(),
        ),
        Reply::Page { reload: true } => (
            "text/html; charset=utf-8",
            PAGE.replace(
                "{reload}",
                &format!("<meta http-equiv=\"refresh\" content=\"{DB_UNAVAILABLE_RETRY_S}\">\n"),
            )
            .replace(
                "{again}",
                "This page tries again by itself in a few seconds, or <a href=\"\">try again now</a>.",
            ),
        ),
        Reply::Page { reload: false } => (
            "text/html; charset=utf-8",
            PAGE.replace("{reload}", "").replace(
                "{again}",
                "Go back and try again in a few seconds.",
            ),
        ),
    };
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::RETRY_AFTER,
        HeaderValue::from(DB_UNAVAILABLE_RETRY_S),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::to_bytes;
    use std::sync::atomic::AtomicUsize;
    use tower::ServiceExt as _;

    /// A router whose every route answers `status`, counting its calls.
    fn app(health: DbHealth, status: StatusCode, calls: Arc<AtomicUsize>) -> Router {
        Router::new()
            .fallback(move || {
                let calls = calls.clone();
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    (status, "inner")
                }
            })
            .layer(axum::middleware::from_fn_with_state(
                health,
                database_unavailable,
            ))
    }

    fn get(path: &str, accept: &str) -> Request {
        Request::builder()
            .uri(path)
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .expect("request")
    }

    async fn text(res: Response) -> String {
        String::from_utf8(
            to_bytes(res.into_body(), 1 << 20)
                .await
                .expect("body")
                .to_vec(),
        )
        .expect("utf-8")
    }

    /// A SQLite URL that can't be opened (its folder doesn't exist).
    fn dead_url(dir: &tempfile::TempDir) -> String {
        format!(
            "sqlite://{}",
            dir.path().join("missing/hearth.db").display()
        )
    }

    #[tokio::test]
    async fn a_server_error_with_the_database_up_passes_unchanged() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("up.db").display());
        let calls = Arc::new(AtomicUsize::new(0));
        let app = app(
            DbHealth::new(&url),
            StatusCode::INTERNAL_SERVER_ERROR,
            calls.clone(),
        );
        let res = app.oneshot(get("/", "text/html")).await.expect("answer");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(text(res).await, "inner");
    }

    #[tokio::test]
    async fn success_never_probes() {
        let dir = tempfile::tempdir().expect("dir");
        let health = DbHealth::new(&dead_url(&dir));
        let calls = Arc::new(AtomicUsize::new(0));
        let res = app(health.clone(), StatusCode::OK, calls)
            .oneshot(get("/", "text/html"))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(!health.is_down());
    }

    #[tokio::test]
    async fn a_request_stuck_on_a_dead_database_is_answered_503_soon() {
        let dir = tempfile::tempdir().expect("dir");
        let health = DbHealth::new(&dead_url(&dir));
        let app = Router::new()
            .fallback(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                StatusCode::OK
            })
            .layer(axum::middleware::from_fn_with_state(
                health.clone(),
                database_unavailable,
            ));
        let started = Instant::now();
        let res = app.oneshot(get("/", "text/html")).await.expect("answer");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            started.elapsed() < SLOW_AFTER + PROBE_TIMEOUT,
            "{:?}",
            started.elapsed()
        );
        assert!(health.is_down());
    }

    #[tokio::test]
    async fn with_the_database_down_pages_and_calls_answer_503_at_once() {
        let dir = tempfile::tempdir().expect("dir");
        let health = DbHealth::new(&dead_url(&dir));
        let calls = Arc::new(AtomicUsize::new(0));
        let app = app(
            health.clone(),
            StatusCode::INTERNAL_SERVER_ERROR,
            calls.clone(),
        );

        let res = app
            .clone()
            .oneshot(get("/", "text/html"))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "5");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
        let page = text(res).await;
        assert!(page.contains("Hearth is temporarily unavailable"), "{page}");
        assert!(page.contains("http-equiv=\"refresh\""), "{page}");
        assert!(health.is_down());
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Now nothing reaches the handlers: a script's server-function call
        // gets `Busy` as JSON, a page the page.
        let res = app
            .clone()
            .oneshot(get("/api/list_conversations", "*/*"))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
        let err: AppError = serde_json::from_str(&text(res).await).expect("AppError");
        assert_eq!(
            err,
            AppError::Busy {
                retry_after_s: DB_UNAVAILABLE_RETRY_S
            }
        );
        let res = app
            .oneshot(
                Request::builder()
                    .method(Method::POST)
                    .uri("/api/log_in")
                    .header(header::ACCEPT, "text/html,*/*")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let page = text(res).await;
        assert!(page.contains("temporarily unavailable"), "{page}");
        assert!(!page.contains("refresh"), "a POST isn't reloaded: {page}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
