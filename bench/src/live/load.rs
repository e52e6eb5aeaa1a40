//! The messaging phase: users send chat messages through the `SendMessage`
//! server function (url-encoded form POSTs, as the browser does) on a
//! shared keep-alive connection pool, paced to a target aggregate rate or
//! as fast as the in-flight limit allows.

use super::Clock;
use super::fixture::BenchUser;
use super::sockets::{body, latency_histogram};
use anyhow::anyhow;
use hdrhistogram::Histogram;
use leptos::server_fn::ServerFn as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// One HTTP send may take at most this long.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the messaging phase is driven.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// How long to send.
    pub duration: Duration,
    /// Messages per second, all users together; 0: as fast as possible.
    pub rate: u64,
    /// Requests in flight at most.
    pub in_flight: usize,
}

/// Counters of the sends, shared with the driver's progress output.
#[derive(Debug, Default)]
pub struct SendCounters {
    /// Requests started.
    pub attempted: AtomicU64,
    /// Requests answered with success.
    pub ok: AtomicU64,
    /// Requests answered with an error status.
    pub http_errors: AtomicU64,
    /// Requests that failed to complete (connection error, timeout).
    pub failed: AtomicU64,
    /// Deliveries the successful sends should cause (other members).
    pub expected_deliveries: AtomicU64,
}

/// What the sends did.
#[derive(Debug)]
pub struct SendReport {
    /// From the first send to the last answer.
    pub elapsed: Duration,
    /// Request round-trip times (until the answer's body), in µs.
    pub rtt_us: Histogram<u64>,
    /// The first few error answers, for the report.
    pub error_samples: Vec<String>,
}

/// Sends messages per `plan`, users taking turns, each through the
/// instance its socket is on (`addrs[user.instance]`), then waits for the
/// requests in flight.
///
/// # Errors
/// If the HTTP client can't be built, or a user's instance has no
/// address.
pub async fn run(
    addrs: &[SocketAddr],
    users: &[BenchUser],
    plan: Plan,
    clock: Clock,
    counters: Arc<SendCounters>,
) -> anyhow::Result<SendReport> {
    if users.is_empty() {
        return Err(anyhow!("no users"));
    }
    if users.iter().any(|u| u.instance >= addrs.len()) {
        return Err(anyhow!("a user's instance has no address"));
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.in_flight.max(1))
        .tcp_nodelay(true)
        .timeout(REQUEST_TIMEOUT)
        .build()?;
    // Per instance: the server function's URL and the same-origin
    // `Origin` header.
    let targets: Vec<(Arc<str>, Arc<str>)> = addrs
        .iter()
        .map(|addr| {
            (
                Arc::from(format!(
                    "http://{addr}{}",
                    app::server_fns::chat::SendMessage::PATH
                )),
                Arc::from(format!("http://{addr}")),
            )
        })
        .collect();
    let rtt = Arc::new(Mutex::new(latency_histogram()?));
    let samples = Arc::new(Mutex::new(Vec::<String>::new()));
    let permits = Arc::new(Semaphore::new(plan.in_flight.max(1)));

    let started = Instant::now();
    let deadline = started + plan.duration;
    let mut issued: u64 = 0;
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        if plan.rate > 0 {
            let due = (now.duration_since(started).as_secs_f64() * plan.rate as f64) as u64;
            if issued >= due {
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            }
        }
        let Ok(Ok(permit)) =
            tokio::time::timeout_at(deadline, Arc::clone(&permits).acquire_owned()).await
        else {
            break;
        };
        let idx = usize::try_from(issued % users.len() as u64).unwrap_or(0);
        let user = users[idx].clone();
        issued += 1;
        let (url, origin) = &targets[user.instance];
        let (client, url, origin) = (client.clone(), Arc::clone(url), Arc::clone(origin));
        let (counters, rtt, samples) = (
            Arc::clone(&counters),
            Arc::clone(&rtt),
            Arc::clone(&samples),
        );
        tokio::spawn(async move {
            let _permit = permit;
            counters.attempted.fetch_add(1, Ordering::Relaxed);
            let sent_us = clock.now_us();
            let form = [
                ("conversation_id", user.conversation.to_string()),
                ("body", body(sent_us, user.instance)),
            ];
            let result = async {
                let resp = client
                    .post(&*url)
                    .header("cookie", &user.cookie)
                    .header("origin", &*origin)
                    .form(&form)
                    .send()
                    .await?;
                let status = resp.status();
                let body = resp.text().await?;
                reqwest::Result::Ok((status, body))
            }
            .await;
            let took = clock.now_us().saturating_sub(sent_us).max(1);
            match result {
                Ok((status, _)) if status.is_success() => {
                    counters.ok.fetch_add(1, Ordering::Relaxed);
                    counters
                        .expected_deliveries
                        .fetch_add(user.recipients as u64, Ordering::Relaxed);
                    rtt.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .saturating_record(took);
                }
                Ok((status, body)) => {
                    counters.http_errors.fetch_add(1, Ordering::Relaxed);
                    sample(&samples, format!("{status}: {}", truncate(&body)));
                }
                Err(e) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    sample(&samples, format!("request failed: {e}"));
                }
            }
        });
    }
    // Wait for the requests in flight.
    let all = u32::try_from(plan.in_flight.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(
        REQUEST_TIMEOUT + Duration::from_secs(5),
        permits.acquire_many(all),
    )
    .await;
    let elapsed = started.elapsed();
    let rtt_us = rtt.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let error_samples = samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Ok(SendReport {
        elapsed,
        rtt_us,
        error_samples,
    })
}

fn sample(samples: &Mutex<Vec<String>>, text: String) {
    let mut s = samples.lock().unwrap_or_else(PoisonError::into_inner);
    if s.len() < 5 {
        s.push(text);
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}
