//! The job queue: background work that must happen once, whichever app instance does it.
//!
//! The store knows the queue's mechanics, not the work: a job is a kind and a payload the caller
//! reads (the web's `jobs.rs` says what each kind does). An instance claims a due job with a lease
//! (`claimed_by`, `lease_until`); while the lease is live nobody else takes it, and once it has
//! lapsed (the instance died, or stopped without handing it back) any instance takes it again. A
//! claim is one statement: on PostgreSQL its row is picked with `FOR UPDATE SKIP LOCKED`, so
//! instances claiming at once each get a different job without waiting for one another; on SQLite
//! it runs in the single writer's `IMMEDIATE` transaction, so claims follow one another.
//! A job that fails waits a back-off and is tried again, up to its `max_attempts`; then it is
//! failed for good, with its last error, for the operator to see.

use crate::{Backend, Result, Store, Timestamp};

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// What kind of work ("mail", "analysis"): the worker's to interpret.
    pub kind: &'a str,
    /// What to do, as the worker reads it (JSON in heard).
    pub payload: &'a str,
    /// How many times it is tried before it is failed for good (at least 1).
    pub max_attempts: i64,
    /// A key no other job has had: a job with a key already queued is not queued again, so
    /// instances can each queue periodic work and it runs once.
    pub unique_key: Option<&'a str>,
}

/// A job an instance has claimed: its lease is live until it finishes, fails or hands it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// This attempt's number, from 1.
    pub attempt: i64,
    pub max_attempts: i64,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its time (`run_after`) and an instance.
    Queued,
    /// Claimed, with a lease.
    Running,
    Done,
    /// Tried `max_attempts` times, or its instance died holding it as often.
    Failed,
}

impl JobState {
    fn parse(s: &str) -> JobState {
        match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            _ => JobState::Failed,
        }
    }
}

/// One job as the queue holds it (for the operator and the tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub state: JobState,
    pub attempts: i64,
    pub run_after: Timestamp,
    pub claimed_by: Option<String>,
    pub last_error: String,
}

/// What a failed attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// It is tried again from then.
    RetryAt(Timestamp),
    /// It had its last attempt.
    Failed,
    /// The lease was no longer this instance's (it lapsed and another took the job): nothing
    /// was changed.
    NotHeld,
}

/// How many jobs stand in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub failed: i64,
}

/// The wait before attempt `attempt + 1`: 30 s, doubling, at most an hour.
pub fn retry_delay_secs(attempt: i64) -> i64 {
    (30i64 << (attempt - 1).clamp(0, 7)).min(3600)
}

impl Store {
    /// Queues a job, due at once. `None` when its `unique_key` was queued before.
    pub async fn queue_job(&self, job: &NewJob<'_>, now: Timestamp) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let id = queue_job_in(&mut tx, job, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims the next due job of one of `kinds` for `worker` until `now + lease_secs`: a queued
    /// job whose time has come, or a running one whose lease has lapsed. A lapsed job that has
    /// had its last attempt is failed instead ("its instance stopped while running it").
    pub async fn claim_job(
        &self,
        worker: &str,
        kinds: &[&str],
        now: Timestamp,
        lease_secs: i64,
    ) -> Result<Option<ClaimedJob>> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE jobs SET state = 'failed', payload = '', claimed_by = NULL, lease_until = NULL, \
             finished_at = $1, last_error = CASE WHEN last_error = '' \
             THEN 'the instance running it stopped before it finished' ELSE last_error END \
             WHERE state = 'running' AND lease_until <= $1 AND attempts >= max_attempts",
        )
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let kinds_list = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', claimed_by = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE kind IN ({kinds_list}) \
             AND ((state = 'queued' AND run_after <= $3) \
             OR (state = 'running' AND lease_until <= $3 AND attempts < max_attempts)) \
             ORDER BY run_after, id LIMIT 1{skip_locked}) \
             RETURNING id, kind, payload, attempts, max_attempts"
        );
        let mut query = sqlx::query_as::<_, (i64, String, String, i64, i64)>(&sql)
            .bind(worker)
            .bind(now.0 + lease_secs)
            .bind(now.0);
        for kind in kinds {
            query = query.bind(*kind);
        }
        let claimed = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(claimed.into_iter().next().map(|(id, kind, payload, attempt, max_attempts)| ClaimedJob {
            id,
            kind,
            payload,
            attempt,
            max_attempts,
        }))
    }

    /// Extends `worker`'s lease on job `id` to `until`; false when the lease is no longer its.
    pub async fn renew_job_lease(&self, id: i64, worker: &str, until: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND claimed_by = $3 AND state = 'running'",
        )
        .bind(until.0)
        .bind(id)
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks job `id` done; false when the lease was no longer `worker`'s.
    pub async fn finish_job(&self, id: i64, worker: &str, now: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'done', payload = '', claimed_by = NULL, lease_until = NULL, finished_at = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state = 'running'",
        )
        .bind(now.0)
        .bind(id)
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that an attempt at job `id` failed with `error` (kept for the operator; never
    /// personal data): it waits [`retry_delay_secs`] and is tried again, or, after its last
    /// attempt, is failed for good.
    pub async fn fail_job(&self, id: i64, worker: &str, error: &str, now: Timestamp) -> Result<AfterFailure> {
        let mut tx = self.begin_write().await?;
        let held: Option<(i64, i64)> = sqlx::query_as(
            "SELECT attempts, max_attempts FROM jobs WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
        )
        .bind(id)
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((attempts, max_attempts)) = held else { return Ok(AfterFailure::NotHeld) };
        let after = if attempts >= max_attempts {
            sqlx::query(
                "UPDATE jobs SET state = 'failed', payload = '', claimed_by = NULL, lease_until = NULL, \
                 last_error = $1, finished_at = $2 WHERE id = $3",
            )
            .bind(error)
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            AfterFailure::Failed
        } else {
            let at = Timestamp(now.0 + retry_delay_secs(attempts));
            sqlx::query(
                "UPDATE jobs SET state = 'queued', claimed_by = NULL, lease_until = NULL, last_error = $1, \
                 run_after = $2 WHERE id = $3",
            )
            .bind(error)
            .bind(at.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            AfterFailure::RetryAt(at)
        };
        tx.commit().await?;
        Ok(after)
    }

    /// Hands back every job `worker` holds (an instance shutting down): queued again at once,
    /// lease cleared, the attempt not counted.
    pub async fn release_jobs(&self, worker: &str) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', claimed_by = NULL, lease_until = NULL, \
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END \
             WHERE claimed_by = $1 AND state = 'running'",
        )
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Hands back every running job, whoever claimed it: for SQLite at start, since one process
    /// owns the file and the last one has stopped. (On PostgreSQL leases lapse instead.)
    pub async fn release_all_jobs(&self) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', claimed_by = NULL, lease_until = NULL WHERE state = 'running'",
        )
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Whether a job of one of `kinds` may be due at `now` (a read, no lock: workers ask before
    /// claiming, which writes).
    pub async fn job_due(&self, kinds: &[&str], now: Timestamp) -> Result<bool> {
        if kinds.is_empty() {
            return Ok(false);
        }
        let kinds_list = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT id FROM jobs WHERE kind IN ({kinds_list}) AND \
             ((state = 'queued' AND run_after <= $1) OR (state = 'running' AND lease_until <= $1)) LIMIT 1"
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(now.0);
        for kind in kinds {
            query = query.bind(*kind);
        }
        Ok(query.fetch_optional(&self.pool).await?.is_some())
    }

    pub async fn job(&self, id: i64) -> Result<Option<JobRecord>> {
        let row: Option<(i64, String, String, i64, i64, Option<String>, String)> = sqlx::query_as(
            "SELECT id, kind, state, attempts, run_after, claimed_by, last_error FROM jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, kind, state, attempts, run_after, claimed_by, last_error)| JobRecord {
            id,
            kind,
            state: JobState::parse(&state),
            attempts,
            run_after: Timestamp(run_after),
            claimed_by,
            last_error,
        }))
    }

    /// Every job of `kind`, oldest first.
    pub async fn jobs_of_kind(&self, kind: &str) -> Result<Vec<JobRecord>> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        let mut jobs = Vec::with_capacity(ids.len());
        for id in ids {
            jobs.extend(self.job(id).await?);
        }
        Ok(jobs)
    }

    pub async fn job_counts(&self) -> Result<JobCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs WHERE state <> 'done' GROUP BY state")
                .fetch_all(&self.pool)
                .await?;
        let mut counts = JobCounts::default();
        for (state, n) in rows {
            match JobState::parse(&state) {
                JobState::Queued => counts.queued = n,
                JobState::Running => counts.running = n,
                JobState::Failed => counts.failed = n,
                JobState::Done => {}
            }
        }
        Ok(counts)
    }

    /// Forgets jobs done before `before` (failed ones stay, for the operator). A periodic job's key
    /// names its hour or day, which has passed, so it is forgotten too.
    pub async fn prune_jobs(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
            .bind(before.0)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Queues `job` in a transaction the caller writes more in (a run and its job go in together).
pub(crate) async fn queue_job_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    job: &NewJob<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, unique_key, max_attempts, run_after, created_at) \
         VALUES ($1, $2, 'queued', $3, $4, $5, $5) ON CONFLICT (unique_key) DO NOTHING RETURNING id",
    )
    .bind(job.kind)
    .bind(job.payload)
    .bind(job.unique_key)
    .bind(job.max_attempts.max(1))
    .bind(now.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(ids.into_iter().next())
}
