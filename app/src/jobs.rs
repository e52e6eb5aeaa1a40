//! The durable background job queue, on our own database (table `jobs`),
//! so it needs no second driver and works the same on SQLite and
//! PostgreSQL. Video transcodes run here; mail (issue F) will too.
//!
//! - [`enqueue`] writes a `queued` row, inside the caller's transaction
//!   when given one, so a job exists exactly when the change that needs
//!   it committed.
//! - A worker [`claim`]s the oldest due job with a conditional `UPDATE`
//!   (it wins only if the row is still as it read it), which sets a lease
//!   (`lease_until_ms`). While the handler runs, a heartbeat extends the
//!   lease; a job whose lease ran out (its worker was killed, `kill -9`
//!   included) is due again and another claim takes it over. Handlers must
//!   therefore be idempotent: they may run again after a crash.
//! - A failed attempt is retried with exponential backoff ([`backoff_ms`])
//!   until `max_attempts`, then marked `failed` with the last error.
//! - A job's payload is erased ([`ERASED_PAYLOAD`]) once it is done or
//!   failed for good.

use crate::db::entities::jobs;
use crate::error::AppResult;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, Set,
};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// What a job's payload becomes once it is done or failed for good: mail
/// payloads hold links that must not outlive their sending.
pub const ERASED_PAYLOAD: &str = "{}";

/// First retry delay; doubled per attempt up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: i64 = 10_000;
/// Longest retry delay: one hour.
pub const MAX_BACKOFF_MS: i64 = 3_600_000;

/// Delay before the next try after `attempts` failed ones (1 → 10 s,
/// 2 → 20 s, ... capped at an hour).
pub fn backoff_ms(attempts: i32) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    FIRST_BACKOFF_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_MS)
}

/// Adds a job of `kind` with `payload` (serialized as JSON), due now.
/// Returns its id.
///
/// # Errors
/// `Internal` on database failure.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: &impl Serialize,
    max_attempts: i32,
) -> AppResult<i64> {
    let now = now_ms();
    let row = jobs::ActiveModel {
        kind: Set(kind.to_owned()),
        payload: Set(serde_json::to_string(payload).map_err(anyhow::Error::from)?),
        status: Set(jobs::QUEUED.to_owned()),
        attempts: Set(0),
        max_attempts: Set(max_attempts.max(1)),
        run_at_ms: Set(now),
        lease_until_ms: Set(None),
        last_error: Set(None),
        created_at_ms: Set(now),
        updated_at_ms: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Claims the oldest due job of `kind` for `lease`: a queued one whose
/// time has come, or a running one whose lease expired. `None` if there is
/// none. Safe against other workers and other processes: the `UPDATE`
/// only succeeds if the row is unchanged since it was read.
///
/// # Errors
/// `Internal` on database failure.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    lease: Duration,
) -> AppResult<Option<jobs::Model>> {
    for _ in 0..5 {
        let now = now_ms();
        let due = Condition::any()
            .add(
                Condition::all()
                    .add(jobs::Column::Status.eq(jobs::QUEUED))
                    .add(jobs::Column::RunAtMs.lte(now)),
            )
            .add(
                Condition::all()
                    .add(jobs::Column::Status.eq(jobs::RUNNING))
                    .add(jobs::Column::LeaseUntilMs.lt(now)),
            );
        let Some(job) = jobs::Entity::find()
            .filter(jobs::Column::Kind.eq(kind))
            .filter(due)
            .order_by_asc(jobs::Column::RunAtMs)
            .order_by_asc(jobs::Column::Id)
            .limit(1)
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        let lease_until = now + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        let won = jobs::Entity::update_many()
            .col_expr(jobs::Column::Status, Expr::value(jobs::RUNNING))
            .col_expr(jobs::Column::Attempts, Expr::value(job.attempts + 1))
            .col_expr(jobs::Column::LeaseUntilMs, Expr::value(lease_until))
            .col_expr(jobs::Column::UpdatedAtMs, Expr::value(now))
            .filter(jobs::Column::Id.eq(job.id))
            .filter(jobs::Column::Status.eq(job.status.clone()))
            .filter(jobs::Column::Attempts.eq(job.attempts))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if won {
            return Ok(Some(jobs::Model {
                status: jobs::RUNNING.to_owned(),
                attempts: job.attempts + 1,
                lease_until_ms: Some(lease_until),
                updated_at_ms: now,
                ..job
            }));
        }
    }
    Ok(None)
}

/// Extends the lease of `job` (as claimed) to `lease` from now. `false`
/// if the claim was lost (another worker took the job over).
///
/// # Errors
/// `Internal` on database failure.
pub async fn heartbeat<C: ConnectionTrait>(
    db: &C,
    job: &jobs::Model,
    lease: Duration,
) -> AppResult<bool> {
    let now = now_ms();
    let until = now + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    Ok(mine(jobs::Entity::update_many(), job)
        .col_expr(jobs::Column::LeaseUntilMs, Expr::value(until))
        .col_expr(jobs::Column::UpdatedAtMs, Expr::value(now))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

fn mine(
    update: sea_orm::UpdateMany<jobs::Entity>,
    job: &jobs::Model,
) -> sea_orm::UpdateMany<jobs::Entity> {
    update
        .filter(jobs::Column::Id.eq(job.id))
        .filter(jobs::Column::Status.eq(jobs::RUNNING))
        .filter(jobs::Column::Attempts.eq(job.attempts))
}

/// Marks a claimed job done.
///
/// # Errors
/// `Internal` on database failure.
pub async fn complete<C: ConnectionTrait>(db: &C, job: &jobs::Model) -> AppResult<()> {
    mine(jobs::Entity::update_many(), job)
        .col_expr(jobs::Column::Status, Expr::value(jobs::DONE))
        .col_expr(jobs::Column::Payload, Expr::value(ERASED_PAYLOAD))
        .col_expr(jobs::Column::LeaseUntilMs, Expr::value(Option::<i64>::None))
        .col_expr(jobs::Column::UpdatedAtMs, Expr::value(now_ms()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: queued again after [`backoff_ms`], or
/// `failed` for good when attempts are used up or `permanent`.
///
/// # Errors
/// `Internal` on database failure.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    job: &jobs::Model,
    error: &str,
    permanent: bool,
) -> AppResult<()> {
    let now = now_ms();
    let give_up = permanent || job.attempts >= job.max_attempts;
    let error: String = error.chars().take(2000).collect();
    let mut update = mine(jobs::Entity::update_many(), job);
    if give_up {
        update = update.col_expr(jobs::Column::Payload, Expr::value(ERASED_PAYLOAD));
    }
    update
        .col_expr(
            jobs::Column::Status,
            Expr::value(if give_up { jobs::FAILED } else { jobs::QUEUED }),
        )
        .col_expr(
            jobs::Column::RunAtMs,
            Expr::value(now + backoff_ms(job.attempts)),
        )
        .col_expr(jobs::Column::LeaseUntilMs, Expr::value(Option::<i64>::None))
        .col_expr(jobs::Column::LastError, Expr::value(error))
        .col_expr(jobs::Column::UpdatedAtMs, Expr::value(now))
        .exec(db)
        .await?;
    Ok(())
}

/// How a handler's attempt ended badly.
#[derive(Debug)]
pub struct JobError {
    /// For the log and `jobs.last_error`.
    pub message: String,
    /// Don't retry (the input can never work).
    pub permanent: bool,
}

impl<E: std::fmt::Display> From<E> for JobError {
    fn from(e: E) -> Self {
        Self {
            message: e.to_string(),
            permanent: false,
        }
    }
}

/// One run of a job handler.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;

/// A job handler: gets the claimed row, answers how it went.
pub type Handler = Arc<dyn Fn(jobs::Model) -> JobFuture + Send + Sync>;

/// Wakes idle workers of this process when a job is enqueued here (other
/// processes find it by polling).
#[derive(Debug, Clone, Default)]
pub struct JobSignal(Arc<Notify>);

impl JobSignal {
    /// Tells idle workers to look now.
    pub fn wake(&self) {
        self.0.notify_waiters();
    }
}

/// Jobs not done, by kind and status (`queued`, `running`, `failed`), for
/// the metrics.
///
/// # Errors
/// On database failure.
pub async fn counts<C: ConnectionTrait>(db: &C) -> AppResult<Vec<((String, String), i64)>> {
    let rows: Vec<(String, String, i64)> = jobs::Entity::find()
        .select_only()
        .column(jobs::Column::Kind)
        .column(jobs::Column::Status)
        .column_as(jobs::Column::Id.count(), "n")
        .filter(jobs::Column::Status.ne(jobs::DONE))
        .group_by(jobs::Column::Kind)
        .group_by(jobs::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(k, s, n)| ((k, s), n)).collect())
}

/// Runs jobs of `kind` forever, at most `concurrency` at once, each under
/// a lease of `lease` renewed every third of it. Idle workers poll every
/// `poll` or when `signal` wakes them.
pub async fn run_workers(
    db: DatabaseConnection,
    kind: &'static str,
    concurrency: usize,
    lease: Duration,
    poll: Duration,
    signal: JobSignal,
    handler: Handler,
) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let notified = signal.0.notified();
        let job = match claim(&db, kind, lease).await {
            Ok(Some(job)) => job,
            Ok(None) => {
                drop(permit);
                let _ = tokio::time::timeout(poll, notified).await;
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, kind, "claiming a job");
                drop(permit);
                tokio::time::sleep(poll).await;
                continue;
            }
        };
        let db = db.clone();
        let handler = handler.clone();
        tokio::spawn(async move {
            let _permit = permit;
            tracing::info!(job = job.id, kind, attempt = job.attempts, "job started");
            let work = handler(job.clone());
            tokio::pin!(work);
            let mut beat = tokio::time::interval(lease / 3);
            beat.tick().await;
            let result = loop {
                tokio::select! {
                    r = &mut work => break Some(r),
                    _ = beat.tick() => match heartbeat(&db, &job, lease).await {
                        Ok(true) => {}
                        Ok(false) => break None,
                        Err(e) => tracing::warn!(error = %e, job = job.id, "job heartbeat"),
                    },
                }
            };
            let outcome = match result {
                None => {
                    tracing::warn!(job = job.id, kind, "lost the job's lease; stopped");
                    Ok(())
                }
                Some(Ok(())) => complete(&db, &job).await,
                Some(Err(e)) => {
                    tracing::error!(job = job.id, kind, attempt = job.attempts, error = %e.message, "job failed");
                    fail(&db, &job, &e.message, e.permanent).await
                }
            };
            if let Err(e) = outcome {
                tracing::error!(error = %e, job = job.id, "recording a job's outcome");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(2), 20_000);
        assert_eq!(backoff_ms(4), 80_000);
        assert_eq!(backoff_ms(30), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(0), 10_000);
    }
}
