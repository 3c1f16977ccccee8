//! Counters behind rate limits and lock-outs, kept in the database so that every app instance
//! sees the same counts. Buckets are opaque strings chosen by the caller ("login:account:<hash>").

use crate::model::{LockoutPolicy, RateLimit};
use crate::{Result, Store, StoreError, Timestamp};

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
        let mut outcomes = self.rate_limits(&[(bucket, limit)], now, window_secs).await?;
        outcomes.pop().ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// Counts one attempt in each of `buckets` (a name and its limit), all with fixed windows of
    /// `window_secs`, in one statement; says for each, in order, whether it is within its limit.
    pub async fn rate_limits(
        &self,
        buckets: &[(&str, i64)],
        now: Timestamp,
        window_secs: i64,
    ) -> Result<Vec<RateLimit>> {
        if buckets.is_empty() {
            return Ok(Vec::new());
        }
        if buckets
            .iter()
            .enumerate()
            .any(|(i, (name, _))| buckets[..i].iter().any(|(other, _)| other == name))
        {
            return Err(StoreError::Invalid("a bucket is counted once per attempt".into()));
        }
        let rows: Vec<String> = (0..buckets.len()).map(|i| format!("(${}, $1, 1)", i + 3)).collect();
        let sql = format!(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES {} \
             ON CONFLICT (bucket) DO UPDATE SET \
             hits = CASE WHEN rate_limits.window_start <= $2 THEN 1 ELSE rate_limits.hits + 1 END, \
             window_start = CASE WHEN rate_limits.window_start <= $2 THEN $1 ELSE rate_limits.window_start END \
             RETURNING bucket, hits, window_start",
            rows.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, i64, i64)>(&sql).bind(now.0).bind(now.0 - window_secs);
        for (bucket, _) in buckets {
            query = query.bind(*bucket);
        }
        // Read to the end: see `only_row`.
        let counted = query.fetch_all(&self.writer).await?;
        buckets
            .iter()
            .map(|(bucket, limit)| {
                let (_, hits, window_start) = counted
                    .iter()
                    .find(|(name, ..)| name == bucket)
                    .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
                Ok(if hits > limit {
                    RateLimit::Limited { retry_after: (window_start + window_secs - now.0).max(1) }
                } else {
                    RateLimit::Allowed
                })
            })
            .collect()
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
