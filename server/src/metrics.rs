//! Prometheus metrics (the `metrics` facade with
//! `metrics-exporter-prometheus`), served at `GET /metrics` on their own
//! listener (`HEARTH_METRICS_ADDR`), never on the public port.
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `hearth_http_requests_total` | counter | `method`, `route`, `status` | responses sent |
//! | `hearth_http_request_duration_seconds` | histogram | `method`, `route` | time to the response head |
//! | `hearth_live_sockets` | gauge | | open WebSockets on this instance |
//! | `hearth_live_lagged_connections_total` | counter | | sockets dropped for a full queue (1013) |
//! | `hearth_live_replayed_events_total` | counter | | durable events replayed to reconnecting sockets |
//! | `hearth_live_events_caught_up_total` | counter | | durable events delivered from the database, not Redis |
//! | `hearth_redis_publish_dropped_total` | counter | | frames not published (queue full, Redis down) |
//! | `hearth_redis_outages_total` | counter | | transitions of the Redis link to down |
//! | `hearth_redis_up` | gauge | | 1 while Redis answers (with `HEARTH_REDIS_URL`) |
//! | `hearth_jobs` | gauge | `kind`, `status` | durable jobs queued, running or failed |
//!
//! `route` is the matched route pattern (`/u/{username}`), or for server
//! functions their path; requests no route matched aren't counted, so
//! scanners can't grow the label set.

use app::state::AppState;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::serve::ListenerExt as _;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Latency buckets in seconds (5 ms to 10 s).
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder for this process (once; later calls
/// return the same handle). `None` if another recorder was installed.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("hearth_http_request_duration_seconds".to_owned()),
                    BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "installing the metrics recorder");
                    None
                }
            }
        })
        .clone()
}

/// Middleware (a route layer): counts each response and its latency by
/// method, route pattern and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status();
    let route = match route {
        // Server functions share one catch-all route; their paths are a
        // fixed set, except for unknown ones (404), which aren't labelled.
        Some(r) if path.starts_with("/api/") && status.as_u16() != 404 && r.contains('*') => path,
        Some(r) => r,
        None => return response,
    };
    let status = status.as_u16().to_string();
    metrics::histogram!(
        "hearth_http_request_duration_seconds",
        "method" => method.clone(),
        "route" => route.clone()
    )
    .record(start.elapsed().as_secs_f64());
    metrics::counter!(
        "hearth_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status
    )
    .increment(1);
    response
}

/// Serves `GET /metrics` from `handle` on `addr` until `state` shuts down.
///
/// # Errors
/// When `addr` can't be bound.
pub async fn serve(
    addr: SocketAddr,
    handle: PrometheusHandle,
    state: AppState,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "metrics at /metrics");
    let (hub, redis) = (state.hub.clone(), state.redis.clone());
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (handle, hub, redis) = (handle.clone(), hub.clone(), redis.clone());
            async move {
                // Read at scrape time, so they are never a tick old.
                metrics::gauge!("hearth_live_sockets").set(hub.connection_count() as f64);
                if let Some(redis) = redis {
                    metrics::gauge!("hearth_redis_up").set(if redis.is_up() { 1.0 } else { 0.0 });
                }
                handle.render()
            }
        }),
    );
    let shutdown = state.shutdown.clone();
    tokio::spawn(gauges_forever(state));
    axum::serve(listener.tap_io(crate::set_nodelay), router)
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await?;
    Ok(())
}

/// Every 5 s: the job queue (one query).
async fn gauges_forever(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        match app::jobs::counts(&state.db).await {
            Ok(counts) => {
                for ((kind, status), n) in counts {
                    metrics::gauge!("hearth_jobs", "kind" => kind, "status" => status)
                        .set(n as f64);
                }
            }
            Err(e) => tracing::warn!(error = %e, "counting jobs for metrics"),
        }
    }
}
