//! `live-bench`: Hearth's live chat under load.
//!
//! 1. **Set-up.** A fresh database (a SQLite file, or with `--postgres` a
//!    PostgreSQL database created for the run and dropped after it) gets
//!    `--clients` users, friendships and conversations (groups of
//!    `--group-size`, one-to-one for 2) and a signed-in session per user,
//!    written directly (no argon2 log-ins). The server then starts in a
//!    child process on that database; with `--instances N`, N children
//!    share it and a Redis namespace of the run's own.
//! 2. **Connect.** Every user opens one WebSocket (`/ws`, session cookie,
//!    same-origin `Origin`) and waits for `Hello`. Each connection counts
//!    as a tab coming online, which announces presence to the user's
//!    friends, so this phase measures presence: server CPU time and
//!    `PresenceChanged` frames received. Client `i` connects to instance
//!    `i mod N`; a conversation's members are consecutive users, so they
//!    are spread over the instances.
//! 3. **Messaging.** For `--duration` seconds users take turns sending
//!    messages over HTTP (the `SendMessage` server function) at `--rate`
//!    per second in all (0: as fast as `--in-flight` requests allow). Each
//!    body holds its send time and the instance it went through (the
//!    sender's own), so the other members' sockets time send-to-receipt
//!    when `MessageCreated` arrives and count the deliveries that crossed
//!    instances.
//! 4. **Teardown.** Sockets close, the server children are killed, the
//!    database (and the Redis namespace's keys) removed.
//!
//! Each server's memory (VmRSS, VmHWM) and CPU time come from
//! `/proc/<child pid>`.

pub mod child;
pub mod database;
pub mod fixture;
pub mod load;
pub mod sockets;

use crate::procfs;
use anyhow::{Context as _, anyhow, bail};
use app::ids::UserId;
use futures::StreamExt as _;
use hdrhistogram::Histogram;
use leptos::server_fn::ServerFn as _;
use sea_orm::{EntityTrait as _, PaginatorTrait as _};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Settings of a run (`live-bench --help`).
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// WebSocket clients, one signed-in user each.
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Seconds of messaging.
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Messages per second, all senders together; 0 = as fast as possible.
    #[arg(long, default_value_t = 500)]
    pub rate: u64,
    /// Members per conversation: 2 = one-to-one chats between pairs of
    /// friends; more = group chats (everyone in a group is friends).
    #[arg(long, default_value_t = 2)]
    pub group_size: usize,
    /// Extra random friends per user, beyond their conversation's members
    /// (more presence fan-out).
    #[arg(long, default_value_t = 0)]
    pub extra_friends: usize,
    /// Everyone hides their presence: connecting then announces nothing
    /// (the baseline to measure presence's cost against).
    #[arg(long)]
    pub hide_presence: bool,
    /// Message sends (HTTP requests) in flight at most.
    #[arg(long, default_value_t = 64)]
    pub in_flight: usize,
    /// WebSocket connection attempts in flight at most.
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
    /// Folder for the temporary SQLite database (default: the system's
    /// temporary folder); e.g. `/dev/shm` to take disk syncs out of the
    /// picture.
    #[arg(long, conflicts_with = "postgres")]
    pub db_dir: Option<std::path::PathBuf>,
    /// Run on PostgreSQL instead of SQLite: the URL of an existing
    /// database whose user may create databases, e.g.
    /// `postgres://postgres@127.0.0.1:5432/test`. A database
    /// `hearth_bench_<pid>_<nanos>` is created for the run and dropped at
    /// its end.
    #[arg(long, value_name = "ADMIN_URL")]
    pub postgres: Option<String>,
    /// Server instances (child processes) sharing the database and Redis;
    /// more than 1 needs `--postgres`. Clients are spread round-robin.
    #[arg(long, default_value_t = 1)]
    pub instances: usize,
    /// Redis the instances share when `--instances` is more than 1 (in a
    /// random namespace, whose keys are deleted at the end).
    #[arg(long, default_value = "redis://127.0.0.1:6379/")]
    pub redis: String,
}

/// Microseconds since the start of a run, shared by senders and receivers
/// (one process, one monotonic clock).
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    /// A clock starting now.
    pub fn start() -> Self {
        Self(Instant::now())
    }

    /// Microseconds since [`Clock::start`].
    pub fn now_us(self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// Runs the benchmark and prints its report on stdout (progress on
/// stderr). The run's database (and Redis namespace) is removed at the
/// end, also after an error or Ctrl-C.
///
/// # Errors
/// If set-up fails, a server doesn't start or doesn't accept the
/// sessions; load errors are counted and reported, then make the run
/// fail.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    if opts.clients < 2 {
        bail!("--clients must be at least 2");
    }
    if opts.instances == 0 {
        bail!("--instances must be at least 1");
    }
    if opts.instances > 1 && opts.postgres.is_none() {
        bail!(
            "--instances {} needs --postgres (instances share one PostgreSQL database)",
            opts.instances
        );
    }
    if opts.clients < opts.instances {
        bail!("--clients must be at least --instances");
    }
    let fd_limit = raise_fd_limit(opts.clients)?;
    let database = match &opts.postgres {
        Some(admin) => {
            let pg = database::FreshPostgres::create(admin).await?;
            eprintln!("created PostgreSQL database {}", pg.name());
            database::BenchDatabase::Postgres(pg)
        }
        None => database::BenchDatabase::sqlite(opts.db_dir.as_deref())?,
    };
    let redis = if opts.instances > 1 {
        match database::RedisNamespace::create(&opts.redis).await {
            Ok(ns) => Some(ns),
            Err(e) => {
                remove_database(database).await;
                return Err(e.context(format!("Redis at {}", app::db::redact(&opts.redis))));
            }
        }
    } else {
        None
    };

    let outcome = tokio::select! {
        outcome = measure(&opts, &database, redis.as_ref(), fd_limit) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    };

    if let Some(ns) = &redis {
        match ns.clear().await {
            Ok(n) => eprintln!("deleted {n} Redis keys of namespace {}", ns.namespace),
            Err(e) => eprintln!(
                "warning: couldn't delete the Redis keys {}:*: {e:#}",
                ns.namespace
            ),
        }
    }
    remove_database(database).await;

    let (report, failures) = outcome?;
    print!("{report}");
    // A run that lost messages, connections or a server must not look
    // green: say why and exit non-zero.
    if failures.is_empty() {
        Ok(())
    } else {
        for f in &failures {
            eprintln!("FAILED: {f}");
        }
        bail!("the run failed: {}", failures.join("; "))
    }
}

async fn remove_database(database: database::BenchDatabase) {
    let what = database.describe();
    match database.remove().await {
        Ok(()) => eprintln!("removed {what}"),
        Err(e) => eprintln!("warning: couldn't remove {what}: {e:#}"),
    }
}

/// The run itself, on a prepared (empty) database: returns the rendered
/// report and the failures it found.
async fn measure(
    opts: &Options,
    database: &database::BenchDatabase,
    redis: Option<&database::RedisNamespace>,
    fd_limit: u64,
) -> anyhow::Result<(String, Vec<String>)> {
    let ticks = procfs::ticks_per_second();
    let url = database.url();

    eprintln!("preparing {} users ...", opts.clients);
    let db = app::db::connect_and_migrate(&url).await?;
    let fixture = fixture::prepare(&db, opts).await?;
    db.close().await.context("closing the set-up connection")?;
    eprintln!(
        "prepared in {:.1} s; starting {} server{}",
        fixture.took.as_secs_f64(),
        opts.instances,
        if opts.instances == 1 { "" } else { "s" }
    );

    let child_redis = redis.map(|ns| child::ChildRedis {
        url: ns.url.clone(),
        namespace: ns.namespace.clone(),
    });
    let mut servers = Vec::with_capacity(opts.instances);
    for _ in 0..opts.instances {
        servers.push(child::ServerChild::start(&url, child_redis.as_ref()).await?);
    }
    let pids: Vec<u32> = servers.iter().map(child::ServerChild::pid).collect();
    let addrs: Vec<SocketAddr> = servers.iter().map(child::ServerChild::addr).collect();
    for (i, addr) in addrs.iter().enumerate() {
        let user = fixture
            .users
            .iter()
            .find(|u| u.instance == i)
            .ok_or_else(|| anyhow!("no user on instance {i}"))?;
        check_session(*addr, &user.cookie, user.id).await?;
    }
    let mem_idle = memories(&pids)?;
    let clock = Clock::start();

    // Phase 1: connect.
    eprintln!("connecting {} sockets ...", opts.clients);
    let counters = Arc::new(sockets::Counters::default());
    let (shutdown, shutdown_rx) = watch::channel(false);
    let cpu_before_connect = cpus(&pids, ticks)?;
    let connect_started = Instant::now();
    let attempts: Vec<(anyhow::Result<sockets::OpenSocket>, Duration)> =
        futures::stream::iter(fixture.users.iter().map(|user| {
            let (counters, shutdown_rx) = (Arc::clone(&counters), shutdown_rx.clone());
            let addr = addrs[user.instance];
            async move {
                let t = Instant::now();
                let res = sockets::connect(
                    addr,
                    &user.cookie,
                    clock,
                    counters,
                    shutdown_rx,
                    user.instance,
                )
                .await;
                (res, t.elapsed())
            }
        }))
        .buffer_unordered(opts.connect_concurrency.max(1))
        .collect()
        .await;
    let connect_time = connect_started.elapsed();
    let mut connect_hist = sockets::latency_histogram()?;
    let mut open = Vec::with_capacity(attempts.len());
    let mut connect_errors = Vec::new();
    for (res, took) in attempts {
        match res {
            Ok(socket) => {
                connect_hist.saturating_record(micros(took));
                open.push(socket);
            }
            Err(e) => connect_errors.push(format!("{e:#}")),
        }
    }
    let mut sockets_on = vec![0_u64; opts.instances];
    for socket in &open {
        sockets_on[socket.instance] += 1;
    }
    // Presence frames trail the last Hello slightly.
    settle(
        &counters.presence,
        Duration::from_millis(1_000),
        Duration::from_secs(15),
    )
    .await;
    let cpu_after_connect = cpus(&pids, ticks)?;
    let mem_connected = memories(&pids)?;
    let presence_frames = counters.presence.load(Ordering::Relaxed);
    let held_after_connect = counters.open.load(Ordering::Relaxed);

    // Phase 2: messaging.
    eprintln!(
        "messaging for {} s at {} ...",
        opts.duration,
        rate_label(opts.rate)
    );
    let sends = Arc::new(load::SendCounters::default());
    let progress = tokio::spawn(report_progress(Arc::clone(&sends), Arc::clone(&counters)));
    let cpu_before_messaging = cpus(&pids, ticks)?;
    let delivered_before = counters.delivered.load(Ordering::Relaxed);
    let cross_before = counters.delivered_cross.load(Ordering::Relaxed);
    let messaging_started = Instant::now();
    let plan = load::Plan {
        duration: Duration::from_secs(opts.duration),
        rate: opts.rate,
        in_flight: opts.in_flight,
    };
    let send_report = load::run(&addrs, &fixture.users, plan, clock, Arc::clone(&sends)).await?;
    let expected = sends.expected_deliveries.load(Ordering::Relaxed);
    let delivery_window = drain(
        &counters.delivered,
        delivered_before + expected,
        messaging_started,
    )
    .await;
    progress.abort();
    let cpu_after_messaging = cpus(&pids, ticks)?;
    let mem_end = memories(&pids)?;
    let held_at_end = counters.open.load(Ordering::Relaxed);
    let alive: Vec<bool> = servers
        .iter_mut()
        .map(child::ServerChild::is_running)
        .collect();

    // Phase 3: teardown.
    eprintln!("closing sockets ...");
    let _ = shutdown.send(true);
    let mut latency = sockets::latency_histogram()?;
    let mut cross_latency = sockets::latency_histogram()?;
    for socket in open {
        if let Ok(Ok(report)) = tokio::time::timeout(Duration::from_secs(30), socket.task).await {
            latency
                .add(&report.latency_us)
                .map_err(|e| anyhow!("merging histograms: {e}"))?;
            cross_latency
                .add(&report.cross_latency_us)
                .map_err(|e| anyhow!("merging histograms: {e}"))?;
        }
    }
    for server in servers {
        server.kill()?;
    }
    let db = app::db::connect_and_migrate(&url).await?;
    let stored = app::db::entities::messages::Entity::find()
        .count(&db)
        .await?;
    db.close().await?;
    let clients_mem = procfs::memory(None)?;
    let clients_cpu = procfs::cpu_ms(None, ticks)?;

    let instances = (0..opts.instances)
        .map(|i| InstanceFigures {
            sockets: sockets_on[i],
            connect_cpu_ms: cpu_after_connect[i].saturating_sub(cpu_before_connect[i]),
            messaging_cpu_ms: cpu_after_messaging[i].saturating_sub(cpu_before_messaging[i]),
            mem_idle: mem_idle[i],
            mem_connected: mem_connected[i],
            mem_end: mem_end[i],
            alive: alive[i],
        })
        .collect();
    let report = Report {
        opts,
        fixture: &fixture,
        fd_limit,
        database: database.describe(),
        redis: redis.map(|ns| format!("{}, namespace {}", app::db::redact(&ns.url), ns.namespace)),
        connect_time,
        connect_hist: &connect_hist,
        connect_errors: &connect_errors,
        held_after_connect,
        presence_frames,
        instances,
        send: &send_report,
        sends: &sends,
        delivered: counters.delivered.load(Ordering::Relaxed) - delivered_before,
        delivered_cross: counters.delivered_cross.load(Ordering::Relaxed) - cross_before,
        echoes: counters.echoes.load(Ordering::Relaxed),
        delivery_window,
        latency: &latency,
        cross_latency: &cross_latency,
        held_at_end,
        dropped: counters.dropped.load(Ordering::Relaxed),
        unparsed: counters.unparsed.load(Ordering::Relaxed),
        stored,
        clients_mem,
        clients_cpu,
    };
    Ok((report.render(), report.failures()))
}

/// Memory figures of each server child.
fn memories(pids: &[u32]) -> anyhow::Result<Vec<procfs::Memory>> {
    pids.iter().map(|pid| procfs::memory(Some(*pid))).collect()
}

/// CPU time (ms) of each server child.
fn cpus(pids: &[u32], ticks: u64) -> anyhow::Result<Vec<u64>> {
    pids.iter()
        .map(|pid| procfs::cpu_ms(Some(*pid), ticks))
        .collect()
}

/// Raises this process's open-file limit (inherited by the server child)
/// to fit the sockets; returns the soft limit in force.
fn raise_fd_limit(clients: usize) -> anyhow::Result<u64> {
    let want = (clients as u64) * 2 + 1_024;
    let got = rlimit::increase_nofile_limit(want).context("raising the open-file limit")?;
    if got < want {
        eprintln!("warning: open-file limit is {got}, {want} wanted; connections may fail");
    }
    Ok(got)
}

/// Checks that the server accepts a prepared session cookie
/// (`GetCurrentUser` answers with that user).
async fn check_session(
    addr: std::net::SocketAddr,
    cookie: &str,
    user: UserId,
) -> anyhow::Result<()> {
    let resp = reqwest::Client::new()
        .post(format!(
            "http://{addr}{}",
            app::server_fns::auth::GetCurrentUser::PATH
        ))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .context("calling GetCurrentUser")?;
    let status = resp.status();
    let text = resp.text().await?;
    let current: Option<app::models::CurrentUser> = serde_json::from_str(&text)
        .with_context(|| format!("GetCurrentUser answered {status}: {text}"))?;
    match current {
        Some(c) if c.id == user => Ok(()),
        other => Err(anyhow!(
            "the prepared session was not accepted (GetCurrentUser: {other:?})"
        )),
    }
}

/// Waits until `counter` hasn't changed for `quiet` (at most `limit`).
async fn settle(counter: &AtomicU64, quiet: Duration, limit: Duration) {
    let started = Instant::now();
    let mut last = counter.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while started.elapsed() < limit && since.elapsed() < quiet {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = counter.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        }
    }
}

/// Waits until `delivered` reaches `target`, or makes no progress for 5 s;
/// returns the time from `started` to the last delivery seen.
async fn drain(delivered: &AtomicU64, target: u64, started: Instant) -> Duration {
    let mut last = delivered.load(Ordering::Relaxed);
    let mut last_change = Instant::now();
    loop {
        if last >= target || last_change.elapsed() > Duration::from_secs(5) {
            return last_change.duration_since(started);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let now = delivered.load(Ordering::Relaxed);
        if now != last {
            last = now;
            last_change = Instant::now();
        }
    }
}

async fn report_progress(sends: Arc<load::SendCounters>, sockets: Arc<sockets::Counters>) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    tick.tick().await;
    loop {
        tick.tick().await;
        eprintln!(
            "  sent {} ok ({} errors), delivered {}, sockets open {}",
            sends.ok.load(Ordering::Relaxed),
            sends.http_errors.load(Ordering::Relaxed) + sends.failed.load(Ordering::Relaxed),
            sockets.delivered.load(Ordering::Relaxed),
            sockets.open.load(Ordering::Relaxed),
        );
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

fn rate_label(rate: u64) -> String {
    if rate == 0 {
        "max rate".to_owned()
    } else {
        format!("{rate} msg/s")
    }
}

/// One server instance's figures.
#[derive(Debug, Clone, Copy)]
struct InstanceFigures {
    /// Sockets connected to it.
    sockets: u64,
    connect_cpu_ms: u64,
    messaging_cpu_ms: u64,
    mem_idle: procfs::Memory,
    mem_connected: procfs::Memory,
    mem_end: procfs::Memory,
    /// Still running at the end of messaging.
    alive: bool,
}

/// Everything the report prints.
struct Report<'a> {
    opts: &'a Options,
    fixture: &'a fixture::Fixture,
    fd_limit: u64,
    database: String,
    /// Redis URL and namespace, with several instances.
    redis: Option<String>,
    connect_time: Duration,
    connect_hist: &'a Histogram<u64>,
    connect_errors: &'a [String],
    held_after_connect: u64,
    presence_frames: u64,
    instances: Vec<InstanceFigures>,
    send: &'a load::SendReport,
    sends: &'a load::SendCounters,
    delivered: u64,
    delivered_cross: u64,
    echoes: u64,
    delivery_window: Duration,
    latency: &'a Histogram<u64>,
    cross_latency: &'a Histogram<u64>,
    held_at_end: u64,
    dropped: u64,
    unparsed: u64,
    stored: u64,
    clients_mem: procfs::Memory,
    clients_cpu: u64,
}

impl Report<'_> {
    /// What went wrong in the run, if anything: a server died, a
    /// delivery (or a whole message) was lost or duplicated, a connection
    /// failed or dropped, a send failed.
    fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        let n = self.opts.clients as u64;
        for (i, instance) in self.instances.iter().enumerate() {
            if !instance.alive {
                out.push(format!(
                    "server instance {i} was no longer running at the end"
                ));
            }
        }
        let expected = self.sends.expected_deliveries.load(Ordering::Relaxed);
        if self.delivered < expected {
            out.push(format!(
                "{} of {expected} deliveries lost",
                expected - self.delivered
            ));
        } else if self.delivered > expected {
            out.push(format!(
                "{} deliveries beyond the {expected} expected (duplicates)",
                self.delivered - expected
            ));
        }
        let ok = self.sends.ok.load(Ordering::Relaxed);
        if ok == 0 {
            out.push("no message was sent".to_owned());
        }
        if self.stored != ok {
            out.push(format!(
                "{} messages stored, {ok} sends answered ok",
                self.stored
            ));
        }
        let send_errors = self.sends.http_errors.load(Ordering::Relaxed)
            + self.sends.failed.load(Ordering::Relaxed);
        if send_errors > 0 {
            out.push(format!("{send_errors} sends failed"));
        }
        if !self.connect_errors.is_empty() || self.held_after_connect < n {
            out.push(format!(
                "{} of {n} sockets connected ({} errors)",
                self.held_after_connect,
                self.connect_errors.len()
            ));
        }
        if self.dropped > 0 || self.held_at_end < self.held_after_connect {
            out.push(format!(
                "{} sockets dropped during the run ({} of {n} held at the end)",
                self.dropped, self.held_at_end
            ));
        }
        if self.unparsed > 0 {
            out.push(format!("{} frames didn't parse", self.unparsed));
        }
        out
    }

    /// The sum of `f` over the instances.
    fn total(&self, f: impl Fn(&InstanceFigures) -> u64) -> u64 {
        self.instances.iter().map(f).sum()
    }

    /// With several instances, one indented row per instance.
    fn per_instance(&self, out: &mut String, label: &str, f: impl Fn(&InstanceFigures) -> String) {
        if self.instances.len() > 1 {
            for (i, instance) in self.instances.iter().enumerate() {
                row(out, &format!("  {label} {i}"), f(instance));
            }
        }
    }

    fn render(&self) -> String {
        let o = self.opts;
        let n = o.clients as u64;
        let servers = self.instances.len();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Hearth live-bench: {} clients, group size {}, {} extra friends each{}, {} s at {}, {} sends in flight",
            o.clients,
            o.group_size,
            o.extra_friends,
            if o.hide_presence {
                ", presence hidden"
            } else {
                ""
            },
            o.duration,
            rate_label(o.rate),
            o.in_flight,
        );
        let _ = writeln!(
            out,
            "machine: {} CPUs shared by the server {} and the clients; open-file limit {}",
            std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
            if servers == 1 { "child" } else { "children" },
            self.fd_limit,
        );
        let _ = writeln!(out, "database: {}", self.database);
        match &self.redis {
            Some(redis) => {
                let _ = writeln!(
                    out,
                    "instances: {servers}, sharing the database and Redis ({redis}); client i on instance i mod {servers}, sending through it"
                );
            }
            None => {
                let _ = writeln!(out, "instances: 1");
            }
        }

        section(&mut out, "set-up");
        row(
            &mut out,
            "users / friend pairs / conversations",
            format!(
                "{} / {} / {}  (prepared in {:.1} s)",
                self.fixture.users.len(),
                self.fixture.friend_pairs,
                self.fixture.conversations,
                self.fixture.took.as_secs_f64()
            ),
        );

        section(&mut out, "connect (phase 1)");
        row(
            &mut out,
            "connections held",
            format!("{} / {n}", self.held_after_connect),
        );
        self.per_instance(&mut out, "on instance", |i| i.sockets.to_string());
        row(
            &mut out,
            "connect errors",
            errors(self.connect_errors.len(), self.connect_errors),
        );
        row(
            &mut out,
            "time to connect all",
            format!(
                "{:.2} s  ({:.0} connections/s, {} at a time)",
                self.connect_time.as_secs_f64(),
                per_second(self.held_after_connect, self.connect_time),
                o.connect_concurrency
            ),
        );
        row(
            &mut out,
            "connect + Hello p50 / p99 / max",
            quantiles(self.connect_hist, &[0.5, 0.99, 1.0]),
        );
        row(
            &mut out,
            "presence frames received",
            format!(
                "{}  ({:.2} per connect)",
                self.presence_frames,
                ratio(self.presence_frames, self.held_after_connect)
            ),
        );
        let connect_cpu = self.total(|i| i.connect_cpu_ms);
        row(
            &mut out,
            "server CPU during connect",
            format!(
                "{connect_cpu} ms  ({:.0} µs per connect)",
                ratio(connect_cpu * 1000, self.held_after_connect)
            ),
        );
        self.per_instance(&mut out, "instance", |i| format!("{} ms", i.connect_cpu_ms));
        let rss_idle = self.total(|i| i.mem_idle.rss_kib);
        let rss_connected = self.total(|i| i.mem_connected.rss_kib);
        row(
            &mut out,
            "server RSS idle -> connected",
            format!(
                "{} -> {}  ({:.1} KiB per connection)",
                mib(rss_idle),
                mib(rss_connected),
                ratio(
                    rss_connected.saturating_sub(rss_idle),
                    self.held_after_connect
                )
            ),
        );
        self.per_instance(&mut out, "instance", |i| {
            format!(
                "{} -> {}  ({:.1} KiB per connection)",
                mib(i.mem_idle.rss_kib),
                mib(i.mem_connected.rss_kib),
                ratio(
                    i.mem_connected.rss_kib.saturating_sub(i.mem_idle.rss_kib),
                    i.sockets
                )
            )
        });
        row(
            &mut out,
            "server threads",
            self.instances
                .iter()
                .map(|i| i.mem_connected.threads.to_string())
                .collect::<Vec<_>>()
                .join(" + "),
        );

        section(&mut out, "messaging (phase 2)");
        let ok = self.sends.ok.load(Ordering::Relaxed);
        let attempted = self.sends.attempted.load(Ordering::Relaxed);
        let http_errors = self.sends.http_errors.load(Ordering::Relaxed);
        let failed = self.sends.failed.load(Ordering::Relaxed);
        let expected = self.sends.expected_deliveries.load(Ordering::Relaxed);
        row(
            &mut out,
            "messages sent ok / attempted",
            format!("{ok} / {attempted}"),
        );
        row(
            &mut out,
            "send rate achieved",
            format!(
                "{:.1} msg/s  (over {:.1} s)",
                per_second(ok, self.send.elapsed),
                self.send.elapsed.as_secs_f64()
            ),
        );
        row(
            &mut out,
            "HTTP error answers / failed requests",
            format!("{http_errors} / {failed}"),
        );
        for e in &self.send.error_samples {
            row(&mut out, "  e.g.", e.clone());
        }
        row(
            &mut out,
            "delivered to other members",
            format!("{} of {expected} expected", self.delivered),
        );
        row(
            &mut out,
            "deliveries per second",
            format!(
                "{:.1} /s  (over {:.1} s)",
                per_second(self.delivered, self.delivery_window),
                self.delivery_window.as_secs_f64()
            ),
        );
        row(
            &mut out,
            "send -> receive p50 / p95 / p99 / max",
            quantiles(self.latency, &[0.5, 0.95, 0.99, 1.0]),
        );
        if servers > 1 {
            row(
                &mut out,
                "deliveries across instances",
                format!(
                    "{} of {}  ({:.1}%)",
                    self.delivered_cross,
                    self.delivered,
                    ratio(self.delivered_cross * 100, self.delivered)
                ),
            );
            row(
                &mut out,
                "  across: p50 / p95 / p99 / max",
                quantiles(self.cross_latency, &[0.5, 0.95, 0.99, 1.0]),
            );
        }
        row(
            &mut out,
            "HTTP round trip p50 / p99 / max",
            quantiles(&self.send.rtt_us, &[0.5, 0.99, 1.0]),
        );
        row(
            &mut out,
            "echoes to the sender's own socket",
            self.echoes.to_string(),
        );
        let window_ms = millis(self.delivery_window);
        let messaging_cpu = self.total(|i| i.messaging_cpu_ms);
        row(
            &mut out,
            "server CPU during messaging",
            format!(
                "{messaging_cpu} ms  ({:.0}% of one core, {:.0} µs per message)",
                ratio(messaging_cpu * 100, window_ms),
                ratio(messaging_cpu * 1000, ok)
            ),
        );
        self.per_instance(&mut out, "instance", |i| {
            format!(
                "{} ms  ({:.0}% of one core)",
                i.messaging_cpu_ms,
                ratio(i.messaging_cpu_ms * 100, window_ms)
            )
        });
        row(
            &mut out,
            if servers > 1 {
                "server RSS at end / peak, summed"
            } else {
                "server RSS at end / peak (VmHWM)"
            },
            format!(
                "{} / {}",
                mib(self.total(|i| i.mem_end.rss_kib)),
                mib(self.total(|i| i.mem_end.hwm_kib))
            ),
        );
        self.per_instance(&mut out, "instance", |i| {
            format!("{} / {}", mib(i.mem_end.rss_kib), mib(i.mem_end.hwm_kib))
        });
        row(
            &mut out,
            "connections held at end",
            format!(
                "{} / {n}  ({} dropped, {} unparsed frames)",
                self.held_at_end, self.dropped, self.unparsed
            ),
        );
        row(
            &mut out,
            "messages stored in the database",
            self.stored.to_string(),
        );
        row(
            &mut out,
            "servers still running at end",
            format!(
                "{} of {servers}",
                self.instances.iter().filter(|i| i.alive).count()
            ),
        );

        section(&mut out, "clients process (load generator)");
        row(
            &mut out,
            "RSS peak / CPU total",
            format!(
                "{} / {} ms",
                mib(self.clients_mem.hwm_kib),
                self.clients_cpu
            ),
        );
        out
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "{title}");
}

fn row(out: &mut String, label: &str, value: String) {
    let _ = writeln!(out, "  {label:<40} {value}");
}

fn errors(count: usize, samples: &[String]) -> String {
    match samples.first() {
        Some(first) => format!("{count}  (first: {first})"),
        None => count.to_string(),
    }
}

fn quantiles(h: &Histogram<u64>, qs: &[f64]) -> String {
    if h.is_empty() {
        return "n/a".to_owned();
    }
    let parts: Vec<String> = qs.iter().map(|q| ms(h.value_at_quantile(*q))).collect();
    format!("{}  ({} samples)", parts.join(" / "), h.len())
}

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn per_second(count: u64, over: Duration) -> f64 {
    let s = over.as_secs_f64();
    if s > 0.0 { count as f64 / s } else { 0.0 }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
