//! Retention: personal data removed a set number of months after a consultation's results are
//! published (`heard retention`), so that nothing identifying is kept longer than the privacy notice
//! says.
//!
//! What goes, per consultation: the email addresses its responses came from (replaced by a
//! pseudonym per address, so that someone who wrote twice is still counted once and the published
//! figures do not change; a response from an account's confirmed address is first given to that
//! account, whose owner can still see and delete it), files sent with responses (scanned letters
//! carry names and addresses), the addresses and resume links of survey submissions, survey drafts
//! never sent, and places at its events (names and addresses). What people wrote stays: it is the
//! record of what was said, and carries no address. Accounts are their owners' to delete.

use serde::Serialize;
use sqlx::Row;

use crate::editing::{StaffAction, append_staff_log};
use crate::{Date, Result, Store, Timestamp};

/// What retention removes, or would remove, from one consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionItem {
    pub consultation_id: i64,
    pub slug: String,
    pub title: String,
    pub results_published_on: Date,
    /// Responses whose sender's email address is removed.
    pub addresses: i64,
    /// Files sent with responses.
    pub attachments: i64,
    /// Survey submissions that keep an email address or a resume link.
    pub survey_addresses: i64,
    /// Survey drafts never sent.
    pub drafts: i64,
    /// Places at events, with the names and addresses on them.
    pub event_places: i64,
}

impl RetentionItem {
    pub fn is_empty(&self) -> bool {
        self.addresses + self.attachments + self.survey_addresses + self.drafts + self.event_places == 0
    }

    /// "3 email addresses, 1 attached file..." for logs and the command's output.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.addresses, "email address of a response", "email addresses of responses"),
            (self.attachments, "attached file", "attached files"),
            (self.survey_addresses, "survey submission's address", "survey submissions' addresses"),
            (self.drafts, "unsent survey draft", "unsent survey drafts"),
            (self.event_places, "event place", "event places"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect();
        if parts.is_empty() { "nothing left to remove".into() } else { parts.join(", ") }
    }
}

impl Store {
    /// The consultations whose results were published at least `months` months before `today`,
    /// with what retention would remove from each (nothing is changed).
    pub async fn retention_due(&self, months: u32, today: Date) -> Result<Vec<RetentionItem>> {
        let cutoff = today.add_months(-(months as i32));
        let rows = sqlx::query(
            "SELECT id, slug, title, results_published_at FROM consultations \
             WHERE results_published_at IS NOT NULL AND results_published_at < $1 ORDER BY results_published_at, id",
        )
        .bind(self.time_zone().day_start(cutoff.add_days(1)).0)
        .fetch_all(&self.pool)
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let count = |sql: &'static str| async move {
                let n: i64 = sqlx::query_scalar(sql).bind(id).fetch_one(&self.pool).await?;
                Result::<i64>::Ok(n)
            };
            items.push(RetentionItem {
                consultation_id: id,
                slug: row.try_get("slug")?,
                title: row.try_get("title")?,
                results_published_on: self.today(Timestamp(row.try_get("results_published_at")?)),
                addresses: count(
                    "SELECT COUNT(*) FROM responses WHERE consultation_id = $1 AND email_key IS NOT NULL \
                     AND email_key LIKE '%@%'",
                )
                .await?,
                attachments: count(
                    "SELECT COUNT(*) FROM attachments a JOIN responses r ON r.id = a.response_id \
                     WHERE r.consultation_id = $1",
                )
                .await?,
                survey_addresses: count(
                    "SELECT COUNT(*) FROM survey_submissions WHERE consultation_id = $1 AND status = 'submitted' \
                     AND (email IS NOT NULL OR resume_token_hash IS NOT NULL)",
                )
                .await?,
                drafts: count(
                    "SELECT COUNT(*) FROM survey_submissions WHERE consultation_id = $1 AND status = 'draft'",
                )
                .await?,
                event_places: count(
                    "SELECT COUNT(*) FROM event_registrations g JOIN events e ON e.id = g.event_id \
                     WHERE e.consultation_id = $1",
                )
                .await?,
            });
        }
        Ok(items)
    }

    /// Removes what [`Store::retention_due`] lists, each consultation in one transaction with its
    /// staff log entry (by heard itself), and returns what was removed.
    pub async fn apply_retention(
        &self,
        months: u32,
        today: Date,
        now: Timestamp,
    ) -> Result<Vec<RetentionItem>> {
        let due = self.retention_due(months, today).await?;
        for item in due.iter().filter(|i| !i.is_empty()) {
            let id = item.consultation_id;
            let mut tx = self.begin_write().await?;
            // A response from an account's confirmed address is the account's already (it counts
            // and shows as theirs): say so by its id, so that removing the address changes nothing.
            sqlx::query(
                "UPDATE responses SET user_id = (SELECT u.id FROM users u WHERE u.email_key = responses.email_key \
                 AND u.email_confirmed_at IS NOT NULL) \
                 WHERE consultation_id = $1 AND user_id IS NULL AND email_key IS NOT NULL AND EXISTS \
                 (SELECT 1 FROM users u WHERE u.email_key = responses.email_key AND u.email_confirmed_at IS NOT NULL)",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let keys: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT email_key FROM responses WHERE consultation_id = $1 AND email_key LIKE '%@%' \
                 ORDER BY email_key",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            // A pseudonym per address, which no account's address can equal (it has no "@").
            for (n, key) in keys.iter().enumerate() {
                sqlx::query(
                    "UPDATE responses SET email_key = $1 WHERE consultation_id = $2 AND email_key = $3",
                )
                .bind(format!("retained-{id}-{}", n + 1))
                .bind(id)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            for sql in [
                "DELETE FROM attachments WHERE response_id IN (SELECT id FROM responses WHERE consultation_id = $1)",
                "UPDATE survey_submissions SET email = NULL, resume_token_hash = NULL \
                 WHERE consultation_id = $1 AND status = 'submitted'",
                "DELETE FROM survey_answers WHERE submission_id IN \
                 (SELECT id FROM survey_submissions WHERE consultation_id = $1 AND status = 'draft')",
                "DELETE FROM survey_submissions WHERE consultation_id = $1 AND status = 'draft'",
                "DELETE FROM event_registrations WHERE event_id IN (SELECT id FROM events WHERE consultation_id = $1)",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            let detail = format!(
                "{} months after the results were published ({}): removed {}",
                months,
                item.results_published_on.long(),
                item.summary()
            );
            append_staff_log(&mut tx, now, None, Some(id), StaffAction::ApplyRetention, &detail).await?;
            tx.commit().await?;
            tracing::info!(consultation.id = id, "retention applied");
        }
        Ok(due)
    }
}
