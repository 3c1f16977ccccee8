//! What people do with comments after posting them: read one, edit, delete, agree, pin.
//!
//! Who may do what is the web crate's decision; these methods only keep the data whole (an edit
//! keeps the words it replaced, a deletion wipes the text and its history but keeps the thread).

use crate::model::*;
use crate::moderation::append_log;
use crate::queries::{COMMENT_COLUMNS, comment};
use crate::{Result, Store, StoreError, Timestamp};

impl Store {
    pub async fn comment(&self, id: i64) -> Result<Option<Comment>> {
        let row = sqlx::query(&format!("{COMMENT_COLUMNS} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(comment).transpose()
    }

    /// A discussion's pinned comments, oldest first.
    pub async fn pinned_comments(&self, discussion_id: i64) -> Result<Vec<Comment>> {
        let rows = sqlx::query(&format!(
            "{COMMENT_COLUMNS} WHERE c.discussion_id = $1 AND c.pinned_at IS NOT NULL ORDER BY c.pinned_at, c.id"
        ))
        .bind(discussion_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(comment).collect()
    }

    /// Replaces a comment's text, keeping the text it replaces, and marks it edited. `flags` are
    /// what the checks raised on the new text: they join the comment's flags (a flag, once raised,
    /// stays for the moderators to see).
    pub async fn edit_comment(&self, id: i64, body: &str, flags: &[CheckFlag], now: Timestamp) -> Result<()> {
        self.edit(id, body, flags, now, false).await
    }

    /// [`Store::edit_comment`] for a new text that suggests someone may be at risk: in the same
    /// transaction the comment is held for a moderator (when it was showing), and the hold logged.
    pub async fn edit_and_hold_comment(
        &self,
        id: i64,
        body: &str,
        flags: &[CheckFlag],
        now: Timestamp,
    ) -> Result<()> {
        self.edit(id, body, flags, now, true).await
    }

    async fn edit(&self, id: i64, body: &str, flags: &[CheckFlag], now: Timestamp, hold: bool) -> Result<()> {
        if body.trim().is_empty() {
            return Err(StoreError::Invalid("a comment cannot be empty".into()));
        }
        crate::refuse_nul("the comment", body)?;
        let mut tx = self.begin_write().await?;
        let before: Option<(String, Option<i64>, String)> =
            sqlx::query_as("SELECT body, deleted_at, flags FROM comments WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let old_flags = match &before {
            Some((_, _, flags)) => flags.split(',').filter_map(CheckFlag::parse).collect(),
            None => Vec::new(),
        };
        let all_flags = flag_list(old_flags.iter().chain(flags));
        match before {
            None => return Err(StoreError::Invalid(format!("there is no comment {id}"))),
            Some((_, Some(_), _)) => {
                return Err(StoreError::Invalid("a deleted comment cannot be edited".into()));
            }
            Some((old, None, _)) if old == body && !hold => return Ok(()),
            Some((old, None, _)) if old == body => {}
            Some((old, None, _)) => {
                sqlx::query(
                    "INSERT INTO comment_revisions (comment_id, body, replaced_at) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(old)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE comments SET body = $1, edited_at = $2, flags = $3 WHERE id = $4")
            .bind(body)
            .bind(now.0)
            .bind(all_flags)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if hold {
            let held = sqlx::query("UPDATE comments SET state = 'held' WHERE id = $1 AND state = 'visible'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if held.rows_affected() > 0 {
                crate::moderation::append_log(
                    &mut tx,
                    now,
                    None,
                    LogAction::Hold,
                    Some(id),
                    None,
                    crate::model::HELD_BY_THE_CHECKS,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Earlier versions of a comment's text, oldest first.
    pub async fn comment_revisions(&self, id: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT body FROM comment_revisions WHERE comment_id = $1 ORDER BY replaced_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deletes a comment at its author's wish: its text and earlier versions go, its agreements and
    /// open reports with them; the row stays so that its replies keep their thread.
    pub async fn delete_comment(&self, id: i64, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for sql in [
            "DELETE FROM comment_revisions WHERE comment_id = $1",
            "DELETE FROM agreements WHERE comment_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL")
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE comments SET body = '', deleted_at = $1, pinned_at = NULL, pinned_by = NULL \
             WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(now.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a person agrees with a comment (at most once), or takes it back.
    pub async fn set_agreement(
        &self,
        comment_id: i64,
        user_id: i64,
        agree: bool,
        now: Timestamp,
    ) -> Result<()> {
        if agree {
            sqlx::query(
                "INSERT INTO agreements (comment_id, user_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (comment_id, user_id) DO NOTHING",
            )
            .bind(comment_id)
            .bind(user_id)
            .bind(now.0)
            .execute(&self.writer)
            .await?;
        } else {
            sqlx::query("DELETE FROM agreements WHERE comment_id = $1 AND user_id = $2")
                .bind(comment_id)
                .bind(user_id)
                .execute(&self.writer)
                .await?;
        }
        Ok(())
    }

    /// Which of `comment_ids` the person agrees with.
    pub async fn agreed_among(&self, user_id: i64, comment_ids: &[i64]) -> Result<Vec<i64>> {
        if comment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (2..comment_ids.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT comment_id FROM agreements WHERE user_id = $1 AND comment_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar(&sql).bind(user_id);
        for id in comment_ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Pins a comment to the top of its discussion, or unpins it, and logs who did it.
    pub async fn set_pinned(
        &self,
        comment_id: i64,
        actor_id: i64,
        pinned: bool,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = if pinned {
            sqlx::query(
                "UPDATE comments SET pinned_at = $1, pinned_by = $2 \
                 WHERE id = $3 AND pinned_at IS NULL AND deleted_at IS NULL",
            )
            .bind(now.0)
            .bind(actor_id)
            .bind(comment_id)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE comments SET pinned_at = NULL, pinned_by = NULL WHERE id = $1 AND pinned_at IS NOT NULL",
            )
            .bind(comment_id)
            .execute(&mut *tx)
            .await?
        };
        if changed.rows_affected() > 0 {
            let action = if pinned { LogAction::Pin } else { LogAction::Unpin };
            append_log(&mut tx, now, Some(actor_id), action, Some(comment_id), None, "").await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Flags as the `comments.flags` column holds them: keys in a fixed order, each once, comma-separated.
pub(crate) fn flag_list<'a>(flags: impl IntoIterator<Item = &'a CheckFlag>) -> String {
    let flags: Vec<CheckFlag> = flags.into_iter().copied().collect();
    [CheckFlag::Safeguarding, CheckFlag::IncidentReport]
        .into_iter()
        .filter(|f| flags.contains(f))
        .map(CheckFlag::key)
        .collect::<Vec<_>>()
        .join(",")
}
