//! Running several Hearth instances behind a load balancer: what they
//! share through Redis (`HEARTH_REDIS_URL`).
//!
//! One instance alone needs none of this: its hub, presence counts, rate
//! limits and session revocations live in its memory. With Redis
//! configured, each of those gains a cross-instance form:
//! - [`hub::RedisHub`]: live frames are published on the `hearth:live`
//!   channel and delivered by every instance to its own sockets; durable
//!   events reach sockets in id order, gaps filled from the database;
//! - [`presence::RedisPresence`]: tab counts per user and instance, with an
//!   instance heartbeat, so a crashed instance's tabs go offline;
//! - [`limits`]: rate-limit counters (GCRA in a Lua script);
//! - ended sessions on the `hearth:revoked` channel
//!   ([`crate::revocation::Revocations::with_redis`]).
//!
//! Redis holds nothing that can't be lost: durable events are rows in the
//! database, and instances catch up from it. When Redis is unreachable,
//! every instance keeps serving pages and delivering its own events, falls
//! back to in-process limits, logs the outage once, and reconnects by
//! itself ([`RedisLink`]).

pub mod hub;
pub mod limits;
pub mod presence;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The pub/sub channel of live frames ([`hub::RedisHub`]), after the
/// namespace (`hearth:live` by default).
pub const LIVE_CHANNEL: &str = "live";
/// The pub/sub channel of ended sessions, after the namespace.
pub const REVOKED_CHANNEL: &str = "revoked";
/// The default namespace of every key and channel
/// (`HEARTH_REDIS_NAMESPACE`).
pub const DEFAULT_NAMESPACE: &str = "hearth";
/// Messages waiting to be published; past this they are dropped (counted
/// in `hearth_redis_publish_dropped_total`).
pub const PUBLISH_QUEUE: usize = 16_384;
/// Connect and response timeout of Redis commands.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(1);
/// After a failed command, publishing is skipped (messages dropped) for
/// this long rather than waiting on a dead server per message.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Handles one message of a subscribed channel (its payload).
pub type Handler = Box<dyn Fn(&str) + Send + Sync>;
/// Runs after the subscription is (re-)established.
pub type OnConnect = Box<dyn Fn() + Send + Sync>;

/// This process's identity among the instances (random at start-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstanceId(pub u64);

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The connection to Redis shared by the cross-instance parts: a command
/// connection that reconnects by itself, an ordered publishing queue, and
/// one subscription task dispatching to the handlers registered with
/// [`RedisLink::on_message`]. Construct with [`RedisLink::new`], register,
/// then [`RedisLink::start`].
pub struct RedisLink {
    client: redis::Client,
    namespace: String,
    conn: redis::aio::ConnectionManager,
    instance: InstanceId,
    up: AtomicBool,
    /// When a command last failed (ms since `epoch`), 0 if never.
    failed_at: AtomicU64,
    epoch: Instant,
    queue: mpsc::Sender<(&'static str, String)>,
    queue_rx: Mutex<Option<mpsc::Receiver<(&'static str, String)>>>,
    handlers: Mutex<Vec<(&'static str, Arc<Handler>)>>,
    on_connect: Mutex<Vec<Arc<OnConnect>>>,
}

impl fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLink")
            .field("instance", &self.instance)
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RedisLink {
    /// A link to the Redis at `url` (`redis://host:port/db`) whose keys
    /// and channels start with `namespace` and `:` (deployments, or test
    /// runs, sharing one Redis use different namespaces; pub/sub channels
    /// ignore the database number). Connects lazily: an unreachable server
    /// is not an error here.
    ///
    /// # Errors
    /// When `url` is not a Redis URL.
    pub fn new(url: &str, namespace: &str) -> anyhow::Result<Arc<Self>> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = redis::aio::ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        let (queue, queue_rx) = mpsc::channel(PUBLISH_QUEUE);
        Ok(Arc::new(Self {
            client,
            namespace: namespace.to_owned(),
            conn,
            instance: InstanceId(rand::random::<u64>() >> 1),
            up: AtomicBool::new(false),
            failed_at: AtomicU64::new(0),
            epoch: Instant::now(),
            queue,
            queue_rx: Mutex::new(Some(queue_rx)),
            handlers: Mutex::default(),
            on_connect: Mutex::default(),
        }))
    }

    /// The key or channel `name` in this link's namespace.
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.namespace)
    }

    /// The namespace (passed to Lua scripts as `KEYS[1]`).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// This instance's id.
    pub fn instance(&self) -> InstanceId {
        self.instance
    }

    /// A command connection (cheap clone; reconnects by itself).
    pub fn conn(&self) -> redis::aio::ConnectionManager {
        self.conn.clone()
    }

    /// Whether the last command or the subscription succeeded.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Records a failure; logs only the transition from up to down, so an
    /// outage is one log line, not one per frame.
    pub fn mark_down(&self, what: &str, error: &dyn fmt::Display) {
        self.failed_at.store(
            u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        if self.up.swap(false, Ordering::Relaxed) {
            tracing::warn!(error = %error, during = what, "Redis unreachable; serving this instance's sockets alone and catching up from the database");
            metrics::counter!("hearth_redis_outages_total").increment(1);
        }
    }

    /// Records a success; logs the transition back up.
    pub fn mark_up(&self) {
        if !self.up.swap(true, Ordering::Relaxed) {
            tracing::info!(instance = %self.instance, "Redis reachable");
        }
    }

    /// Whether a command failed within [`RETRY_AFTER`].
    fn failed_recently(&self) -> bool {
        let at = self.failed_at.load(Ordering::Relaxed);
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        at != 0 && !self.is_up() && now.saturating_sub(at) < RETRY_AFTER.as_millis() as u64
    }

    /// Runs `f` on a connection, unless Redis failed within
    /// [`RETRY_AFTER`]; records the outcome.
    ///
    /// # Errors
    /// The command's error, or an I/O error while Redis is known down.
    pub async fn run<T, F, Fut>(&self, what: &str, f: F) -> redis::RedisResult<T>
    where
        F: FnOnce(redis::aio::ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if self.failed_recently() {
            return Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "Redis is down; retrying shortly",
            )));
        }
        match f(self.conn()).await {
            Ok(v) => {
                self.mark_up();
                Ok(v)
            }
            Err(e) => {
                self.mark_down(what, &e);
                Err(e)
            }
        }
    }

    /// Whether Redis answers `PING` now (for `/readyz`).
    pub async fn ping(&self) -> bool {
        let mut conn = self.conn();
        let pong: redis::RedisResult<String> =
            tokio::time::timeout(REDIS_TIMEOUT, redis::cmd("PING").query_async(&mut conn))
                .await
                .unwrap_or_else(|_| Err((redis::ErrorKind::Io, "timed out").into()));
        pong.is_ok()
    }

    /// Queues `payload` for publication on `channel`, in order after the
    /// earlier ones. Never blocks: a full queue drops it.
    pub fn publish(&self, channel: &'static str, payload: String) {
        if self.queue.try_send((channel, payload)).is_err() {
            metrics::counter!("hearth_redis_publish_dropped_total").increment(1);
        }
    }

    /// Calls `handler` with the payload of every message another instance
    /// (or this one) publishes on `channel`. Register before
    /// [`RedisLink::start`].
    pub fn on_message(&self, channel: &'static str, handler: Handler) {
        lock(&self.handlers).push((channel, Arc::new(handler)));
    }

    /// Calls `f` each time the subscription is established, the first time
    /// and after every outage (to catch up on what was missed).
    pub fn on_connect(&self, f: OnConnect) {
        lock(&self.on_connect).push(Arc::new(f));
    }

    /// Starts the publishing and subscription tasks (once).
    pub fn start(self: &Arc<Self>) {
        if let Some(rx) = lock(&self.queue_rx).take() {
            tokio::spawn(Arc::clone(self).publish_forever(rx));
            tokio::spawn(Arc::clone(self).subscribe_forever());
        }
    }

    async fn publish_forever(self: Arc<Self>, mut rx: mpsc::Receiver<(&'static str, String)>) {
        while let Some((channel, payload)) = rx.recv().await {
            let channel = self.key(channel);
            let sent = self
                .run("publishing", |mut conn| async move {
                    redis::cmd("PUBLISH")
                        .arg(channel)
                        .arg(payload)
                        .query_async::<i64>(&mut conn)
                        .await
                })
                .await;
            if sent.is_err() {
                metrics::counter!("hearth_redis_publish_dropped_total").increment(1);
            }
        }
    }

    async fn subscribe_forever(self: Arc<Self>) {
        use futures::StreamExt as _;
        let mut backoff = Duration::from_millis(200);
        loop {
            let channels: Vec<&'static str> =
                lock(&self.handlers).iter().map(|(c, _)| *c).collect();
            let subscribed = async {
                let mut pubsub =
                    tokio::time::timeout(REDIS_TIMEOUT, self.client.get_async_pubsub())
                        .await
                        .map_err(|_| {
                            redis::RedisError::from((redis::ErrorKind::Io, "connect timed out"))
                        })??;
                for channel in &channels {
                    pubsub.subscribe(self.key(channel)).await?;
                }
                redis::RedisResult::Ok(pubsub)
            }
            .await;
            let mut pubsub = match subscribed {
                Ok(p) => p,
                Err(e) => {
                    self.mark_down("subscribing", &e);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
            };
            backoff = Duration::from_millis(200);
            self.mark_up();
            let callbacks: Vec<Arc<OnConnect>> = lock(&self.on_connect).clone();
            for f in callbacks {
                f();
            }
            let handlers: Vec<(&'static str, Arc<Handler>)> = lock(&self.handlers).clone();
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let Ok(payload) = msg.get_payload::<String>() else {
                    continue;
                };
                let channel = msg.get_channel_name();
                let Some(channel) = channel
                    .strip_prefix(self.namespace.as_str())
                    .and_then(|c| c.strip_prefix(':'))
                else {
                    continue;
                };
                for (c, handler) in &handlers {
                    if *c == channel {
                        handler(&payload);
                    }
                }
            }
            self.mark_down("subscription", &"connection closed");
            tokio::time::sleep(backoff).await;
        }
    }
}

/// Reads Redis's clock in ms inside a Lua script (instances' clocks may
/// differ; Redis's is the one they share).
pub(crate) const LUA_NOW_MS: &str = "local __t = redis.call('TIME'); local now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)";
