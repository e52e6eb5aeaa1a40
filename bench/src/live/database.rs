//! Where a run's data lives: a temporary SQLite file (the default), or a
//! fresh PostgreSQL database created for the run and dropped after it
//! (`--postgres`); and, with several instances, a Redis namespace of the
//! run's own, whose keys are deleted after it.

use anyhow::{Context as _, anyhow, bail};
use sea_orm::ConnectionTrait as _;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

/// The database of a run.
#[derive(Debug)]
pub enum BenchDatabase {
    /// A SQLite file in a temporary folder (removed when dropped).
    Sqlite {
        /// The folder holding the file.
        dir: tempfile::TempDir,
        /// `sqlite://...?mode=rwc`.
        url: String,
    },
    /// A database created on a PostgreSQL server for this run.
    Postgres(FreshPostgres),
}

impl BenchDatabase {
    /// A SQLite file in a new temporary folder under `parent` (the
    /// system's temporary folder when `None`).
    ///
    /// # Errors
    /// If the folder can't be created.
    pub fn sqlite(parent: Option<&Path>) -> anyhow::Result<Self> {
        let dir = match parent {
            Some(parent) => tempfile::tempdir_in(parent),
            None => tempfile::tempdir(),
        }
        .context("creating a temporary folder")?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        Ok(Self::Sqlite { dir, url })
    }

    /// The URL the set-up and the servers connect to.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { url, .. } => url.clone(),
            Self::Postgres(pg) => pg.url.clone(),
        }
    }

    /// What the report says about it.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { dir, .. } => format!("SQLite in {}", dir.path().display()),
            Self::Postgres(pg) => format!(
                "PostgreSQL database {} on {}",
                pg.name,
                app::db::redact(&pg.admin_url)
            ),
        }
    }

    /// Removes it: drops the PostgreSQL database (closing whatever still
    /// uses it); the SQLite folder goes when this value drops.
    ///
    /// # Errors
    /// If the database can't be dropped.
    pub async fn remove(self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { dir, .. } => {
                drop(dir);
                Ok(())
            }
            Self::Postgres(mut pg) => pg.drop_db().await,
        }
    }
}

/// A database `hearth_bench_<pid>_<nanos>` on a PostgreSQL server, dropped
/// by [`FreshPostgres::drop_db`] or, failing that, when this value drops
/// (an error or a panic on the way).
#[derive(Debug)]
pub struct FreshPostgres {
    admin_url: String,
    name: String,
    url: String,
    dropped: bool,
}

impl FreshPostgres {
    /// Creates the database through `admin_url`, a URL of an existing
    /// database whose user may `CREATE DATABASE` (e.g.
    /// `postgres://postgres@127.0.0.1:5432/test`).
    ///
    /// # Errors
    /// If the server is unreachable or refuses.
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("hearth_bench_{}_{nanos}", std::process::id());
        let url = database_url(admin_url, &name)?;
        let admin = sea_orm::Database::connect(admin_url)
            .await
            .with_context(|| format!("connecting to {}", app::db::redact(admin_url)))?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .with_context(|| format!("CREATE DATABASE {name}"))?;
        admin.close().await?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
            dropped: false,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database, cutting off whoever still uses it.
    ///
    /// # Errors
    /// If the server is unreachable or refuses.
    pub async fn drop_db(&mut self) -> anyhow::Result<()> {
        drop_database(&self.admin_url, &self.name).await?;
        self.dropped = true;
        Ok(())
    }
}

async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let admin = sea_orm::Database::connect(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .with_context(|| format!("DROP DATABASE {name}"))?;
    admin.close().await?;
    Ok(())
}

impl Drop for FreshPostgres {
    /// `Drop` can't await: a thread with a runtime of its own drops the
    /// database, and is waited for.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropper = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|rt| rt.block_on(drop_database(&admin_url, &name)))
        });
        match dropper.join() {
            Ok(Ok(())) => eprintln!("dropped database {}", self.name),
            Ok(Err(e)) => eprintln!("couldn't drop database {}: {e:#}", self.name),
            Err(_) => eprintln!("couldn't drop database {}: panicked", self.name),
        }
    }
}

/// `admin_url` with its database name replaced by `name` (a query string,
/// if any, kept).
///
/// # Errors
/// If `admin_url` has no database path.
pub fn database_url(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let Some((scheme, rest)) = base.split_once("://") else {
        bail!("{admin_url:?} is not a postgres:// URL");
    };
    if !scheme.starts_with("postgres") {
        bail!("{admin_url:?} is not a postgres:// URL");
    }
    let Some((host, _db)) = rest.rsplit_once('/') else {
        bail!("{admin_url:?} names no database (postgres://USER@HOST:PORT/DB)");
    };
    Ok(match query {
        Some(q) => format!("{scheme}://{host}/{name}?{q}"),
        None => format!("{scheme}://{host}/{name}"),
    })
}

/// A Redis namespace of a run's own (`hearth_bench_<pid>_<nanos>`) on the
/// Redis at `url`.
#[derive(Debug, Clone)]
pub struct RedisNamespace {
    /// `redis://[[user]:password@]host[:port][/db]`.
    pub url: String,
    /// The namespace (prefix of every key and channel).
    pub namespace: String,
}

impl RedisNamespace {
    /// A new random namespace on `url`, after checking that Redis answers.
    ///
    /// # Errors
    /// If Redis doesn't answer `PING`.
    pub async fn create(url: &str) -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let ns = Self {
            url: url.to_owned(),
            namespace: format!("hearth_bench_{}_{nanos}", std::process::id()),
        };
        let mut conn = Resp::connect(url).await?;
        match conn.command(&["PING"]).await? {
            Reply::Simple(s) if s == "PONG" => Ok(ns),
            other => Err(anyhow!("Redis answered PING with {other:?}")),
        }
    }

    /// Deletes every key of the namespace; returns how many.
    ///
    /// # Errors
    /// If Redis fails.
    pub async fn clear(&self) -> anyhow::Result<u64> {
        let mut conn = Resp::connect(&self.url).await?;
        let pattern = format!("{}:*", self.namespace);
        let mut cursor = "0".to_owned();
        let mut deleted = 0;
        loop {
            let reply = conn
                .command(&["SCAN", &cursor, "MATCH", &pattern, "COUNT", "1000"])
                .await?;
            let Reply::Array(mut parts) = reply else {
                bail!("unexpected SCAN reply {reply:?}");
            };
            let (Some(Reply::Array(keys)), Some(Reply::Bulk(Some(next)))) =
                (parts.pop(), parts.pop())
            else {
                bail!("unexpected SCAN reply");
            };
            let keys: Vec<String> = keys
                .into_iter()
                .filter_map(|k| match k {
                    Reply::Bulk(Some(k)) => Some(k),
                    _ => None,
                })
                .collect();
            if !keys.is_empty() {
                let mut args = vec!["DEL"];
                args.extend(keys.iter().map(String::as_str));
                if let Reply::Integer(n) = conn.command(&args).await? {
                    deleted += u64::try_from(n).unwrap_or(0);
                }
            }
            if next == "0" {
                return Ok(deleted);
            }
            cursor = next;
        }
    }
}

/// A reply of the Redis protocol (RESP2).
#[derive(Debug)]
enum Reply {
    Simple(String),
    Integer(i64),
    Bulk(Option<String>),
    Array(Vec<Reply>),
}

/// A minimal Redis client (the benchmark only pings and deletes its
/// namespace's keys; the server has the real one).
struct Resp {
    stream: BufReader<TcpStream>,
}

impl Resp {
    async fn connect(url: &str) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| anyhow!("{url:?}: only redis:// URLs are supported"))?;
        let (authority, db) = rest.split_once('/').unwrap_or((rest, ""));
        let (credentials, host) = match authority.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, authority),
        };
        let host = if host.is_empty() { "127.0.0.1" } else { host };
        let addr = if host.contains(':') && !host.ends_with(']') {
            host.to_owned()
        } else {
            format!("{host}:6379")
        };
        let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(&addr))
            .await
            .map_err(|_| anyhow!("connecting to Redis at {addr} timed out"))?
            .with_context(|| format!("connecting to Redis at {addr}"))?;
        let mut conn = Self {
            stream: BufReader::new(stream),
        };
        if let Some(credentials) = credentials {
            let reply = match credentials.split_once(':') {
                Some(("", password)) => conn.command(&["AUTH", password]).await?,
                Some((user, password)) => conn.command(&["AUTH", user, password]).await?,
                None => conn.command(&["AUTH", credentials]).await?,
            };
            if !matches!(reply, Reply::Simple(_)) {
                bail!("Redis refused AUTH: {reply:?}");
            }
        }
        let db = db.split('?').next().unwrap_or_default();
        if !db.is_empty() && db != "0" {
            conn.command(&["SELECT", db]).await?;
        }
        Ok(conn)
    }

    async fn command(&mut self, args: &[&str]) -> anyhow::Result<Reply> {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.stream.get_mut().write_all(out.as_bytes()).await?;
        tokio::time::timeout(Duration::from_secs(10), self.reply())
            .await
            .map_err(|_| anyhow!("Redis didn't answer {}", args[0]))?
    }

    async fn line(&mut self) -> anyhow::Result<String> {
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        if !line.ends_with("\r\n") {
            bail!("Redis closed the connection");
        }
        line.truncate(line.len() - 2);
        Ok(line)
    }

    fn reply(&mut self) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<Reply>> + '_>> {
        Box::pin(async move {
            let line = self.line().await?;
            let (kind, rest) = line.split_at(line.len().min(1));
            match kind {
                "+" => Ok(Reply::Simple(rest.to_owned())),
                "-" => Err(anyhow!("Redis: {rest}")),
                ":" => Ok(Reply::Integer(rest.parse()?)),
                "$" => {
                    let len: i64 = rest.parse()?;
                    if len < 0 {
                        return Ok(Reply::Bulk(None));
                    }
                    let mut buf = vec![0; usize::try_from(len)? + 2];
                    self.stream.read_exact(&mut buf).await?;
                    buf.truncate(buf.len() - 2);
                    Ok(Reply::Bulk(Some(
                        String::from_utf8_lossy(&buf).into_owned(),
                    )))
                }
                "*" => {
                    let len: i64 = rest.parse()?;
                    let mut items = Vec::with_capacity(usize::try_from(len.max(0))?);
                    for _ in 0..len.max(0) {
                        items.push(self.reply().await?);
                    }
                    Ok(Reply::Array(items))
                }
                _ => Err(anyhow!("unexpected Redis reply {line:?}")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_replaces_the_database() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/test", "b").unwrap(),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            database_url("postgresql://u:p@h/test?sslmode=disable", "b").unwrap(),
            "postgresql://u:p@h/b?sslmode=disable"
        );
        assert!(database_url("sqlite://x.db", "b").is_err());
        assert!(database_url("postgres://h", "b").is_err());
    }
}
