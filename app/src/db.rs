//! Persistence: SeaORM entities, migrations and the connection set-up.
//! Server-only (`ssr`).

pub mod entities;
pub mod migrations;

use anyhow::Context as _;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait as _;

/// Opens the database at `url` and applies pending migrations.
///
/// See [`connect`] for the connection settings.
///
/// # Errors
/// When the database can't be reached or a migration fails.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url).await?;
    migrations::Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    Ok(db)
}

/// Opens a pool on the database at `url`, as the server does, without
/// migrating.
///
/// `sqlite://path?mode=rwc` (the default) creates the file and its folder
/// on first run. Every SQLite connection is opened with
/// `journal_mode = WAL`, `synchronous = NORMAL` and `foreign_keys = ON`
/// ([SQLite's pragma reference](https://sqlite.org/pragma.html#pragma_synchronous)).
/// `postgres://...` works unchanged.
///
/// Durability under WAL with `synchronous = NORMAL`: a commit is in the
/// WAL file (the operating system's cache) before it is answered, so a
/// crash or `kill -9` of the server loses nothing
/// (`server/tests/api/crash.rs` kills it mid-write and checks). The WAL is
/// synced at checkpoints, not at each commit, so a power cut or kernel
/// crash may lose the last commits before a checkpoint, never the
/// database's consistency. `FULL` would sync every commit: one fsync per
/// write, for a guarantee only a power cut tests.
///
/// # Errors
/// When the database can't be reached.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    if let Some(path) = sqlite_file_path(url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating database folder {}", dir.display()))?;
    }
    let sqlite = url.starts_with("sqlite");
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(if sqlite { 8 } else { 16 })
        .acquire_timeout(acquire_timeout(sqlite))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
        });
    Database::connect(opts)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))
}

/// How long a query waits for a pooled connection before it fails
/// (`DbErr::ConnectionAcquire`, answered 503 with `Retry-After`).
///
/// A PostgreSQL server that is down refuses connections, and sqlx keeps
/// retrying until this deadline: its default of 30 s would hold every
/// request that long. 5 s is far more than a healthy pool ever waits and
/// short enough for a page to fail quickly. A SQLite file never goes
/// away, so there a wait only means load (writers queue on the file's
/// lock behind the 5 s busy timeout): keep sqlx's 30 s.
pub fn acquire_timeout(sqlite: bool) -> std::time::Duration {
    std::time::Duration::from_secs(if sqlite { 30 } else { 5 })
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// up front (`BEGIN IMMEDIATE`): a deferred transaction that reads first
/// and then writes fails with "database is locked" when another writer
/// committed meanwhile, which the busy timeout can't retry. Elsewhere a
/// plain `BEGIN`.
///
/// # Errors
/// When the database can't start one.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait as _};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The PostgreSQL advisory lock key that orders durable live events
/// (ASCII "hearthle").
pub const LIVE_EVENTS_LOCK: i64 = 0x6865_6172_7468_6c65;

/// [`begin_write`] for a transaction that writes durable live events
/// (`live_events` rows): on PostgreSQL it first takes the transaction-level
/// advisory lock [`LIVE_EVENTS_LOCK`], held until commit or rollback, so
/// such transactions commit in the order of their event ids across every
/// instance (ids come from a sequence at insert time). A reader that sees
/// id `n` committed then sees every smaller id that will ever commit, which
/// lets instances fill gaps from the database
/// ([`crate::cluster::hub`]). Taken first, before any row lock, so it can't
/// join a deadlock. SQLite needs nothing: its writers are serialized.
///
/// # Errors
/// On database failure.
pub async fn begin_ordered_write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    let txn = begin_write(db).await?;
    lock_live_events(&txn).await?;
    Ok(txn)
}

/// Takes [`LIVE_EVENTS_LOCK`] in `txn` on PostgreSQL (see
/// [`begin_ordered_write`]); nothing on SQLite. Taking it again in the same
/// transaction is harmless.
///
/// # Errors
/// On database failure.
pub async fn lock_live_events<C: sea_orm::ConnectionTrait>(txn: &C) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({LIVE_EVENTS_LOCK})"),
        ))
        .await?;
    }
    Ok(())
}

/// The file path of a `sqlite:` URL, or `None` for other URLs and in-memory
/// databases.
pub fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.to_owned())
}

/// `url` with any password replaced by `***`, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_file_path("sqlite://data/hearth.db?mode=rwc").as_deref(),
            Some("data/hearth.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://x@y/z"), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
