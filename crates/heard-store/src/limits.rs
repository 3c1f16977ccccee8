//! Counters behind rate limits and lock-outs, kept in the database so that every app instance
//! sees the same counts. Buckets are opaque strings chosen by the caller ("login:account:<hash>").

use crate::model::{LockoutPolicy, RateLimit};
use crate::{Result, Store, Timestamp};

impl Store {
    /// Counts one attempt in `bucket`'s fixed window of `window_secs`, and says whether it is
    /// within `limit` attempts.
    pub async fn rate_limit(
        &self,
        bucket: &str,
        now: Timestamp,
        window_secs: i64,
        limit: i64,
    ) -> Result<RateLimit> {
        let (hits, window_start): (i64, i64) = crate::only_row(sqlx::query_as(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
             hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
             window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
             RETURNING hits, window_start",
        )
        .bind(bucket)
        .bind(now.0)
        .bind(now.0 - window_secs)
        .fetch_all(&self.writer)
        .await?)?;
        Ok(if hits > limit {
            RateLimit::Limited { retry_after: (window_start + window_secs - now.0).max(1) }
        } else {
            RateLimit::Allowed
        })
    }

    /// Seconds until `bucket` unlocks, if it is locked.
    pub async fn locked_for(&self, bucket: &str, now: Timestamp) -> Result<Option<i64>> {
        let until: Option<i64> = sqlx::query_scalar("SELECT locked_until FROM lockouts WHERE bucket = $1")
            .bind(bucket)
            .fetch_optional(&self.pool)
            .await?;
        Ok(until.filter(|&until| until > now.0).map(|until| until - now.0))
    }

    /// Counts a failure in `bucket`; returns the seconds it is now locked for, if it is.
    pub async fn record_failure(
        &self,
        bucket: &str,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> Result<Option<i64>> {
        let failures: i64 = crate::only_row(sqlx::query_scalar(
            "INSERT INTO lockouts (bucket, failures, last_failure_at, locked_until) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (bucket) DO UPDATE SET \
             failures = CASE WHEN lockouts.last_failure_at <= $3 THEN 1 ELSE lockouts.failures + 1 END, \
             last_failure_at = $2 RETURNING failures",
        )
        .bind(bucket)
        .bind(now.0)
        .bind(now.0 - policy.forget_after_secs)
        .fetch_all(&self.writer)
        .await?)?;
        let over = failures - policy.free_failures;
        if over <= 0 {
            return Ok(None);
        }
        // Doubling from the base for each failure past the free ones, up to the most.
        let lock = policy.base_secs.saturating_mul(1_i64 << (over - 1).min(30)).min(policy.max_secs);
        sqlx::query(
            "UPDATE lockouts SET locked_until = CASE WHEN locked_until > $1 THEN locked_until ELSE $1 END \
             WHERE bucket = $2",
        )
        .bind(now.0 + lock)
        .bind(bucket)
        .execute(&self.writer)
        .await?;
        Ok(Some(lock))
    }

    /// Forgets `bucket`'s failures (after a success).
    pub async fn clear_failures(&self, bucket: &str) -> Result<()> {
        sqlx::query("DELETE FROM lockouts WHERE bucket = $1").bind(bucket).execute(&self.writer).await?;
        Ok(())
    }

    /// Deletes counters and expired sessions and reset links untouched since `before`.
    pub async fn prune_counters(&self, before: Timestamp) -> Result<()> {
        for sql in [
            "DELETE FROM rate_limits WHERE window_start < $1",
            "DELETE FROM lockouts WHERE last_failure_at < $1 AND locked_until < $1",
            "DELETE FROM sessions WHERE expires_at < $1",
            "DELETE FROM password_resets WHERE expires_at < $1",
        ] {
            sqlx::query(sql).bind(before.0).execute(&self.writer).await?;
        }
        Ok(())
    }
}
