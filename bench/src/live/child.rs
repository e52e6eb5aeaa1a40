//! The server under test, in a child process of its own (the benchmark
//! binary re-executed as `live-bench serve-child`), so its memory and CPU
//! time can be read from `/proc/<pid>` apart from the clients'.

use anyhow::{Context as _, anyhow};
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::Stdio;
use std::process::{Child, ChildStdout, Command};
use std::time::Duration;

/// The line prefix with which the child announces its address on stdout.
const LISTENING: &str = "listening ";
/// How long the child may take to migrate and bind.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a child with Redis waits for its link to come up.
const REDIS_TIMEOUT: Duration = Duration::from_secs(10);

/// Redis settings of a server child that is one instance among several.
#[derive(Debug, Clone)]
pub struct ChildRedis {
    /// `HEARTH_REDIS_URL`.
    pub url: String,
    /// `HEARTH_REDIS_NAMESPACE`.
    pub namespace: String,
}

/// `serve-child`: runs Hearth on `database_url` (already migrated and
/// filled), bound to `addr`, printing `listening ADDR` on stdout once
/// bound (and, with `redis`, once its Redis link is up). Logs warnings and
/// errors to stderr (`RUST_LOG` overrides).
///
/// # Errors
/// If the server can't start or stops with an error.
pub async fn serve(
    database_url: String,
    addr: SocketAddr,
    redis: Option<ChildRedis>,
) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=warn")),
        )
        .init();
    let mut config = server::config::Config::for_tests(database_url);
    config.site_addr = addr;
    if let Some(redis) = redis {
        config.redis_url = Some(redis.url);
        config.redis_namespace = redis.namespace;
    }
    let application = server::Application::build(&config).await?;
    let bound = application.local_addr()?;
    let link = application.state().redis.clone();
    let serving = tokio::spawn(application.run_until_stopped());
    if let Some(link) = link {
        // The link starts with the server; wait until Redis answered and
        // the subscription had a moment to settle, so the first sockets'
        // presence frames aren't lost.
        let started = std::time::Instant::now();
        while !link.is_up() {
            if started.elapsed() > REDIS_TIMEOUT {
                return Err(anyhow!("Redis not reachable within {REDIS_TIMEOUT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{LISTENING}{bound}")?;
        stdout.flush()?;
    }
    serving.await.context("the server task")?
}

/// A running server child; killed when dropped.
#[derive(Debug)]
pub struct ServerChild {
    child: Child,
    addr: SocketAddr,
    _stdout: BufReader<ChildStdout>,
}

impl ServerChild {
    /// Starts `<this executable> serve-child` on `database_url` (with
    /// `redis`: as one instance among several) and waits until it
    /// listens.
    ///
    /// # Errors
    /// If it can't be started or doesn't report an address in time.
    pub async fn start(database_url: &str, redis: Option<&ChildRedis>) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("locating this executable")?;
        let mut command = Command::new(exe);
        command.args(["serve-child", "--db", database_url, "--addr", "127.0.0.1:0"]);
        if let Some(redis) = redis {
            command.args([
                "--redis-url",
                &redis.url,
                "--redis-namespace",
                &redis.namespace,
            ]);
        }
        let mut child = command
            // Leptos reads its options from the environment; this silences
            // its warning about a missing output name.
            .env("LEPTOS_OUTPUT_NAME", "hearth")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the server child")?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(anyhow!("no stdout of the server child"));
        };
        // Blocking read of the first line, off the runtime's workers.
        let read = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            reader.read_line(&mut line).map(|_| (reader, line))
        });
        let started = match tokio::time::timeout(START_TIMEOUT, read).await {
            Ok(Ok(Ok(started))) => Ok(started),
            Ok(Ok(Err(e))) => Err(anyhow!(e).context("reading the server child's address")),
            Ok(Err(e)) => Err(anyhow!(e).context("reading the server child's address")),
            Err(_) => Err(anyhow!("the server child did not start in time")),
        };
        let (reader, line) = match started {
            Ok(started) => started,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let addr = match line.trim().strip_prefix(LISTENING).map(str::parse) {
            Some(Ok(addr)) => addr,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(anyhow!("the server child said {line:?}"));
            }
        };
        Ok(Self {
            child,
            addr,
            _stdout: reader,
        })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills it (SIGKILL) and reaps it.
    ///
    /// # Errors
    /// If it can't be killed.
    pub fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().context("killing the server child")?;
        self.child.wait().context("reaping the server child")?;
        Ok(())
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
