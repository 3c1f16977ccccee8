//! Reports, the moderation queue, hiding and restoring, blocking, and the moderation log.
//!
//! Every moderation action is written to `moderation_log` in the same transaction as the change it
//! records. The log is append-only: the store has no method to change it, and database triggers
//! refuse any `UPDATE` or `DELETE` on it, whatever program connects.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::model::*;
use crate::queries::{COMMENT_FIELDS, comment, corrupt};
use crate::{Result, Store, StoreError, Timestamp};

impl Store {
    /// Records a person's report of a comment. When the comment's unresolved reports reach
    /// `hold_after`, it is held (hidden pending review) and the hold is logged.
    pub async fn report_comment(
        &self,
        comment_id: i64,
        reporter_id: i64,
        reason: Guideline,
        now: Timestamp,
        hold_after: i64,
    ) -> Result<ReportOutcome> {
        let mut tx = self.begin_write().await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO reports (comment_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (comment_id, reporter_id) DO NOTHING RETURNING id",
        )
        .bind(comment_id)
        .bind(reporter_id)
        .bind(reason.key())
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Ok(ReportOutcome::AlreadyReported);
        }
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE comment_id = $1 AND resolved_at IS NULL")
                .bind(comment_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut outcome = ReportOutcome::Reported;
        if open >= hold_after.max(1) {
            let held = sqlx::query(
                "UPDATE comments SET state = 'held' WHERE id = $1 AND state = 'visible' AND deleted_at IS NULL",
            )
            .bind(comment_id)
            .execute(&mut *tx)
            .await?;
            if held.rows_affected() > 0 {
                let why = format!("{open} reports, held until a moderator reviews it");
                append_log(&mut tx, now, None, LogAction::Hold, Some(comment_id), None, &why).await?;
                outcome = ReportOutcome::Held;
            }
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// Hides comments for breaking a guideline, or restores them (which also dismisses their open
    /// reports), with one log entry per comment changed. `note` is the moderator's reason: optional
    /// when hiding (the guideline says why), required when restoring. Returns how many changed.
    pub async fn moderate(
        &self,
        comment_ids: &[i64],
        decision: Decision,
        actor_id: i64,
        note: &str,
        now: Timestamp,
    ) -> Result<usize> {
        Ok(self.moderate_comments(comment_ids, decision, actor_id, note, now).await?.len())
    }

    /// [`Store::moderate`], returning the ids of the comments that changed (restoring a held
    /// comment publishes it), in the order given.
    pub async fn moderate_comments(
        &self,
        comment_ids: &[i64],
        decision: Decision,
        actor_id: i64,
        note: &str,
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        let note = note.trim();
        if decision == Decision::Restore && note.is_empty() {
            return Err(StoreError::Invalid("say why the comments are restored".into()));
        }
        let mut tx = self.begin_write().await?;
        let mut changed = Vec::new();
        for &id in comment_ids {
            let current: Option<(String, Option<String>, i64)> = sqlx::query_as(
                "SELECT state, hidden_reason, \
                 (SELECT COUNT(*) FROM reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL) \
                 FROM comments c WHERE id = $1 AND deleted_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((state, hidden_reason, open_reports)) = current else { continue };
            let (action, reason) = match decision {
                Decision::Hide(guideline) => {
                    if state == "hidden"
                        && hidden_reason.as_deref() == Some(guideline.key())
                        && open_reports == 0
                    {
                        continue;
                    }
                    sqlx::query("UPDATE comments SET state = 'hidden', hidden_reason = $1 WHERE id = $2")
                        .bind(guideline.key())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let reason = if note.is_empty() {
                        guideline.title().to_owned()
                    } else {
                        format!("{}: {note}", guideline.title())
                    };
                    (LogAction::Hide, reason)
                }
                Decision::Restore => {
                    if state == "visible" && open_reports == 0 {
                        continue;
                    }
                    sqlx::query("UPDATE comments SET state = 'visible', hidden_reason = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    (LogAction::Restore, note.to_owned())
                }
            };
            sqlx::query("UPDATE reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL")
                .bind(now.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append_log(&mut tx, now, Some(actor_id), action, Some(id), None, &reason).await?;
            changed.push(id);
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The comments a moderator should look at under `filter`, newest first, optionally in one
    /// discussion.
    pub async fn moderation_queue(
        &self,
        filter: QueueFilter,
        discussion_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<QueueItem>> {
        self.queue_items(queue_condition(filter), 0, filter, discussion_id, limit).await
    }

    /// The queue's rows matching `condition`, and only comment `id` unless it is 0.
    async fn queue_items(
        &self,
        condition: &str,
        id: i64,
        filter: QueueFilter,
        discussion_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<QueueItem>> {
        // Comments still waiting for a decision come first on the safeguarding tab.
        let first = match filter {
            QueueFilter::Safeguarding => "CASE WHEN c.state = 'held' THEN 0 ELSE 1 END, ",
            _ => "",
        };
        let sql = format!(
            "SELECT {COMMENT_FIELDS}, u.blocked_at, d.slug AS discussion_slug, d.title AS discussion_title, \
             k.slug AS consultation_slug, \
             CASE WHEN c.state = 'held' AND (SELECT l.reason FROM moderation_log l WHERE l.comment_id = c.id \
             AND l.action = 'hold' ORDER BY l.id DESC LIMIT 1) = $3 THEN 1 ELSE 0 END AS held_by_checks \
             FROM comments c JOIN users u ON u.id = c.author_id \
             JOIN discussions d ON d.id = c.discussion_id JOIN consultations k ON k.id = d.consultation_id \
             WHERE {condition} AND ($1 = 0 OR c.discussion_id = $1) AND ($4 = 0 OR c.id = $4) \
             ORDER BY {first}c.posted_at DESC, c.id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(discussion_id.unwrap_or(0))
            .bind(limit)
            .bind(HELD_BY_THE_CHECKS)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let mut items: Vec<QueueItem> = rows.iter().map(queue_item).collect::<Result<_>>()?;
        if items.is_empty() {
            return Ok(items);
        }
        let placeholders: Vec<String> = (1..=items.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT comment_id, reason, COUNT(*) AS n FROM reports \
             WHERE resolved_at IS NULL AND comment_id IN ({}) GROUP BY comment_id, reason",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for item in &items {
            query = query.bind(item.comment.id);
        }
        for row in query.fetch_all(&self.pool).await? {
            let id: i64 = row.try_get("comment_id")?;
            let reason: String = row.try_get("reason")?;
            let reason = Guideline::parse(&reason).ok_or_else(|| corrupt("report reason", &reason))?;
            let count: i64 = row.try_get("n")?;
            if let Some(item) = items.iter_mut().find(|i| i.comment.id == id) {
                item.open_reports.push((reason, count));
            }
        }
        for item in &mut items {
            item.open_reports.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.key().cmp(b.0.key())));
        }
        Ok(items)
    }

    /// One comment as the queue shows it, whatever its state.
    pub async fn queue_item(&self, comment_id: i64) -> Result<Option<QueueItem>> {
        let mut items = self.queue_items("1 = 1", comment_id, QueueFilter::All, None, 1).await?;
        Ok(items.pop())
    }

    /// How many comments each of the queue's tabs lists, optionally in one discussion, in the
    /// order of [`QueueFilter::ALL`]. One query.
    pub async fn queue_counts(&self, discussion_id: Option<i64>) -> Result<Vec<(QueueFilter, i64)>> {
        let sums: Vec<String> = QueueFilter::ALL
            .iter()
            .enumerate()
            .map(|(i, f)| {
                format!("COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS n{i}", queue_condition(*f))
            })
            .collect();
        let sql =
            format!("SELECT {} FROM comments c WHERE ($1 = 0 OR c.discussion_id = $1)", sums.join(", "));
        let row = sqlx::query(&sql).bind(discussion_id.unwrap_or(0)).fetch_one(&self.pool).await?;
        QueueFilter::ALL
            .iter()
            .enumerate()
            .map(|(i, f)| Ok((*f, row.try_get::<i64, _>(format!("n{i}").as_str())?)))
            .collect()
    }

    /// Adds a comment held for a moderator before anyone else sees it, because the checks before
    /// posting suggest someone may be at risk: written, held and logged in one transaction.
    pub async fn add_held_comment(&self, new: &NewComment) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = crate::queries::insert_comment(&mut tx, new).await?;
        sqlx::query("UPDATE comments SET state = 'held' WHERE id = $1").bind(id).execute(&mut *tx).await?;
        append_log(&mut tx, new.posted_at, None, LogAction::Hold, Some(id), None, HELD_BY_THE_CHECKS).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The accounts to tell when a comment needs a safeguarding review: moderators and
    /// administrators with an email address who are not blocked, as (id, address).
    pub async fn moderator_addresses(&self) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT id, email FROM users WHERE role IN ('moderator', 'admin') AND email IS NOT NULL \
             AND blocked_at IS NULL AND deleted_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("email")?))).collect()
    }

    /// What to tell the authors of `comment_ids` that are hidden now: one notice per comment whose
    /// author has an address (not a deleted account, nor an imported or generated author).
    pub async fn hidden_notices(&self, comment_ids: &[i64]) -> Result<Vec<HiddenNotice>> {
        let mut notices = Vec::new();
        for &id in comment_ids {
            let row = sqlx::query(
                "SELECT c.id, c.hidden_reason, u.id AS author_id, u.email, u.display_name, d.title AS discussion_title, \
                 d.slug AS discussion_slug, k.slug AS consultation_slug FROM comments c \
                 JOIN users u ON u.id = c.author_id JOIN discussions d ON d.id = c.discussion_id \
                 JOIN consultations k ON k.id = d.consultation_id \
                 WHERE c.id = $1 AND c.state = 'hidden' AND u.email IS NOT NULL AND u.deleted_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else { continue };
            let reason: Option<String> = row.try_get("hidden_reason")?;
            let reason = reason.unwrap_or_default();
            notices.push(HiddenNotice {
                comment_id: id,
                author_id: row.try_get("author_id")?,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                guideline: Guideline::parse(&reason).ok_or_else(|| corrupt("hidden reason", &reason))?,
                discussion_title: row.try_get("discussion_title")?,
                consultation_slug: row.try_get("consultation_slug")?,
                discussion_slug: row.try_get("discussion_slug")?,
            });
        }
        Ok(notices)
    }

    /// Every discussion, as "Consultation: Discussion", for the queue's filter.
    pub async fn discussion_titles(&self) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT d.id, k.title AS consultation, d.title FROM discussions d \
             JOIN consultations k ON k.id = d.consultation_id ORDER BY k.closes_on DESC, k.id, d.position",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let consultation: String = row.try_get("consultation")?;
                let title: String = row.try_get("title")?;
                Ok((row.try_get("id")?, format!("{consultation}: {title}")))
            })
            .collect()
    }

    /// The most recent `limit` log entries, newest first.
    pub async fn moderation_log(&self, limit: i64) -> Result<Vec<LogEntry>> {
        self.log_entries(0, limit).await
    }

    /// The log entries about one comment, newest first.
    pub async fn comment_log(&self, comment_id: i64) -> Result<Vec<LogEntry>> {
        self.log_entries(comment_id, 500).await
    }

    /// Log entries, newest first: about `comment_id`, or all when it is 0.
    async fn log_entries(&self, comment_id: i64, limit: i64) -> Result<Vec<LogEntry>> {
        let rows = sqlx::query(
            "SELECT l.id, l.at, l.action, l.comment_id, l.reason, \
             a.id AS actor_id, a.display_name AS actor_name, a.role AS actor_role, a.synthetic AS actor_synthetic, \
             s.id AS subject_id, s.display_name AS subject_name, s.role AS subject_role, \
             s.synthetic AS subject_synthetic \
             FROM moderation_log l LEFT JOIN users a ON a.id = l.actor_id \
             LEFT JOIN users s ON s.id = l.subject_user_id WHERE ($2 = 0 OR l.comment_id = $2) \
             ORDER BY l.id DESC LIMIT $1",
        )
        .bind(limit)
        .bind(comment_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let action: String = row.try_get("action")?;
                Ok(LogEntry {
                    id: row.try_get("id")?,
                    at: Timestamp(row.try_get("at")?),
                    actor: prefixed_user(row, "actor")?,
                    action: LogAction::parse(&action).ok_or_else(|| corrupt("log action", &action))?,
                    comment_id: row.try_get("comment_id")?,
                    subject: prefixed_user(row, "subject")?,
                    reason: row.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Blocks a person from posting, agreeing and reporting (they can still sign in, download their
    /// data and delete their account), or lifts the block; either way with a reason, logged.
    pub async fn set_blocked(
        &self,
        user_id: i64,
        blocked: bool,
        reason: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("say why".into()));
        }
        let mut tx = self.begin_write().await?;
        let changed = if blocked {
            sqlx::query(
                "UPDATE users SET blocked_at = $1, blocked_reason = $2 WHERE id = $3 AND blocked_at IS NULL",
            )
            .bind(now.0)
            .bind(reason)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE users SET blocked_at = NULL, blocked_reason = NULL WHERE id = $1 AND blocked_at IS NOT NULL",
            )
            .bind(user_id)
            .execute(&mut *tx)
            .await?
        };
        if changed.rows_affected() > 0 {
            let action = if blocked { LogAction::Block } else { LogAction::Unblock };
            append_log(&mut tx, now, Some(actor_id), action, None, Some(user_id), reason).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Appends one entry to the moderation log, inside the caller's transaction.
pub(crate) async fn append_log(
    conn: &mut AnyConnection,
    at: Timestamp,
    actor_id: Option<i64>,
    action: LogAction,
    comment_id: Option<i64>,
    subject_user_id: Option<i64>,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO moderation_log (at, actor_id, action, comment_id, subject_user_id, reason) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(at.0)
    .bind(actor_id)
    .bind(action.key())
    .bind(comment_id)
    .bind(subject_user_id)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The SQL condition (on `comments c`) of a queue tab.
fn queue_condition(filter: QueueFilter) -> &'static str {
    match filter {
        // Deleted ones too: the record stays, whatever the author did since.
        QueueFilter::Safeguarding => "(',' || c.flags || ',') LIKE '%,safeguarding,%'",
        QueueFilter::Reported => {
            "c.deleted_at IS NULL AND (c.state = 'held' OR EXISTS \
             (SELECT 1 FROM reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL))"
        }
        QueueFilter::Flagged => "c.deleted_at IS NULL AND c.flags <> ''",
        QueueFilter::Hidden => "c.state = 'hidden'",
        QueueFilter::All => "1 = 1",
    }
}

fn queue_item(row: &AnyRow) -> Result<QueueItem> {
    Ok(QueueItem {
        comment: comment(row)?,
        held_by_checks: row.try_get::<i64, _>("held_by_checks")? != 0,
        consultation_slug: row.try_get("consultation_slug")?,
        discussion_slug: row.try_get("discussion_slug")?,
        discussion_title: row.try_get("discussion_title")?,
        open_reports: Vec::new(),
        author_blocked: row.try_get::<Option<i64>, _>("blocked_at")?.is_some(),
    })
}

fn prefixed_user(row: &AnyRow, prefix: &str) -> Result<Option<User>> {
    let id: Option<i64> = row.try_get(format!("{prefix}_id").as_str())?;
    let Some(id) = id else { return Ok(None) };
    let role: String = row.try_get(format!("{prefix}_role").as_str())?;
    Ok(Some(User {
        id,
        display_name: row.try_get(format!("{prefix}_name").as_str())?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        synthetic: row.try_get::<i64, _>(format!("{prefix}_synthetic").as_str())? != 0,
    }))
}
