//! The back office's consultations: drafts, editing everything a consultation page shows, the
//! lifecycle steps staff take (publish, publish results), and the staff log they all write.
//!
//! Every change is one transaction with its `staff_log` entry, so the trail never misses a change
//! and never records one that did not happen. The log is append-only: database triggers refuse any
//! `UPDATE` or `DELETE` on it.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::model::*;
use crate::queries::{
    CONSULTATION_SUMMARY, USER_COLUMNS, check_consultation, consultation_summary, corrupt, date,
    insert_consultation, insert_discussion, insert_parts, user, validate_slug,
};
use crate::register::ResponseChannel;
use crate::{Date, Result, Store, StoreError, Timestamp};

/// A consultation as staff edit it: what its page shows, and its discussions with their prompt
/// questions and hosts.
#[derive(Debug, Clone)]
pub struct ConsultationEdit {
    pub consultation: NewConsultation,
    pub discussions: Vec<NewDiscussion>,
}

/// What a staff log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaffAction {
    CreateConsultation,
    EditConsultation,
    Publish,
    PublishResults,
    CloseConsultation,
    CreateEvent,
    EditEvent,
    RecordEventNotes,
    StartAnalysis,
    ReviewTheme,
    PublishRun,
    WithdrawRun,
    ApplyRetention,
    CorrectResponse,
    DeleteResponse,
    WithdrawConsultation,
    WithdrawResults,
}

impl StaffAction {
    pub const ALL: [StaffAction; 17] = [
        StaffAction::CreateConsultation,
        StaffAction::EditConsultation,
        StaffAction::Publish,
        StaffAction::PublishResults,
        StaffAction::CloseConsultation,
        StaffAction::CreateEvent,
        StaffAction::EditEvent,
        StaffAction::RecordEventNotes,
        StaffAction::StartAnalysis,
        StaffAction::ReviewTheme,
        StaffAction::PublishRun,
        StaffAction::WithdrawRun,
        StaffAction::ApplyRetention,
        StaffAction::CorrectResponse,
        StaffAction::DeleteResponse,
        StaffAction::WithdrawConsultation,
        StaffAction::WithdrawResults,
    ];

    pub fn key(self) -> &'static str {
        match self {
            StaffAction::CreateConsultation => "create-consultation",
            StaffAction::EditConsultation => "edit-consultation",
            StaffAction::Publish => "publish",
            StaffAction::PublishResults => "publish-results",
            StaffAction::CloseConsultation => "close-consultation",
            StaffAction::CreateEvent => "create-event",
            StaffAction::EditEvent => "edit-event",
            StaffAction::RecordEventNotes => "record-event-notes",
            StaffAction::StartAnalysis => "start-analysis",
            StaffAction::ReviewTheme => "review-theme",
            StaffAction::PublishRun => "publish-run",
            StaffAction::WithdrawRun => "withdraw-run",
            StaffAction::ApplyRetention => "apply-retention",
            StaffAction::CorrectResponse => "correct-response",
            StaffAction::DeleteResponse => "delete-response",
            StaffAction::WithdrawConsultation => "withdraw-consultation",
            StaffAction::WithdrawResults => "withdraw-results",
        }
    }

    pub fn parse(s: &str) -> Option<StaffAction> {
        StaffAction::ALL.into_iter().find(|a| a.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffAction::CreateConsultation => "Created the draft",
            StaffAction::EditConsultation => "Edited the consultation",
            StaffAction::Publish => "Published the consultation",
            StaffAction::PublishResults => "Published the results",
            StaffAction::CloseConsultation => "Closed the consultation early",
            StaffAction::CreateEvent => "Added an event",
            StaffAction::EditEvent => "Edited an event",
            StaffAction::RecordEventNotes => "Recorded notes from an event",
            StaffAction::StartAnalysis => "Started an analysis",
            StaffAction::ReviewTheme => "Reviewed a theme",
            StaffAction::PublishRun => "Put an analysis in the published results",
            StaffAction::WithdrawRun => "Took an analysis out of the published results",
            StaffAction::ApplyRetention => "Removed personal data at the end of its retention period",
            StaffAction::CorrectResponse => "Corrected a response",
            StaffAction::DeleteResponse => "Deleted a response",
            StaffAction::WithdrawConsultation => "Withdrew the consultation",
            StaffAction::WithdrawResults => "Withdrew the published results",
        }
    }
}

/// One line of the staff log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffLogEntry {
    pub at: Timestamp,
    pub actor: Option<User>,
    pub action: StaffAction,
    pub detail: String,
}

impl Store {
    /// Every consultation, drafts too, soonest closing first.
    pub async fn all_consultations(&self) -> Result<Vec<ConsultationSummary>> {
        let rows = sqlx::query(&format!("{CONSULTATION_SUMMARY} FROM consultations ORDER BY closes_on, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(consultation_summary).collect()
    }

    /// Starts a consultation as a draft, which only staff see until it is published.
    pub async fn create_draft(&self, edit: &ConsultationEdit, actor_id: i64, now: Timestamp) -> Result<i64> {
        check_discussions(&edit.discussions)?;
        let mut tx = self.begin_write().await?;
        let id = insert_consultation(&mut tx, &edit.consultation, false).await?;
        for discussion in &edit.discussions {
            insert_discussion(&mut tx, id, discussion).await?;
        }
        append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::CreateConsultation, "").await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces what a consultation's page shows. Discussions are matched by slug: those kept are
    /// updated in place (their comments stay), new ones are added, and one left out is removed only
    /// when nobody has commented in it.
    pub async fn update_consultation(
        &self,
        id: i64,
        edit: &ConsultationEdit,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        check_discussions(&edit.discussions)?;
        let new = &edit.consultation;
        let mut tx = self.begin_write().await?;
        check_consultation(&mut tx, new, Some(id)).await?;
        let updated = sqlx::query(
            "UPDATE consultations SET slug = $1, title = $2, summary = $3, organisation = $4, \
             respondent_noun = $5, opens_on = $6, closes_on = $7, recorded_responses = $8, \
             results_expected = $9, accessible_formats = $10 WHERE id = $11",
        )
        .bind(&new.slug)
        .bind(&new.title)
        .bind(&new.summary)
        .bind(&new.organisation)
        .bind(&new.respondent_noun)
        .bind(new.opens_on.to_string())
        .bind(new.closes_on.to_string())
        .bind(new.recorded_responses)
        .bind(&new.results_expected)
        .bind(&new.accessible_formats)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Invalid("there is no such consultation".into()));
        }
        // Objectives, timeline, documents and channels have nothing hanging from them: rewrite them.
        for table in ["objectives", "timeline_entries", "documents", "channels"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE consultation_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        insert_parts(&mut tx, id, new).await?;
        update_discussions(&mut tx, id, &edit.discussions).await?;
        append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::EditConsultation, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes a draft: from now on its dates open and close it. Publishing twice changes nothing.
    pub async fn publish_consultation(&self, id: i64, actor_id: i64, now: Timestamp) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE consultations SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
                .bind(now.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        let changed = done.rows_affected() > 0;
        if changed {
            append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::Publish, "").await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Marks a closed consultation's results as published. Refused before it has closed, and once
    /// it is withdrawn. Results withdrawn earlier can be published again.
    pub async fn publish_results(&self, id: i64, actor_id: i64, now: Timestamp) -> Result<bool> {
        self.publish_results_with(id, None, actor_id, now).await
    }

    /// [`Store::publish_results`], first setting for every run in the results whether it shows only
    /// the themes staff reviewed (`Some`), in the same transaction; `None` leaves each run's choice.
    pub async fn publish_results_with(
        &self,
        id: i64,
        reviewed_only: Option<bool>,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let row: Option<(Option<i64>, Option<i64>, String, Option<i64>)> = sqlx::query_as(
            "SELECT published_at, results_published_at, closes_on, withdrawn_at FROM consultations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((published, results, closes_on, withdrawn)) = row else {
            return Err(StoreError::Invalid("there is no such consultation".into()));
        };
        if withdrawn.is_some() {
            return Err(StoreError::Invalid("the consultation was withdrawn".into()));
        }
        let closes_on = Date::parse_iso(&closes_on).map_err(|_| corrupt("closes_on", &closes_on))?;
        if published.is_none() || closes_on >= self.today(now) {
            return Err(StoreError::Invalid(format!(
                "results can be published once the consultation has closed (it closes on {})",
                closes_on.long()
            )));
        }
        if results.is_some() {
            return Ok(false);
        }
        if let Some(reviewed_only) = reviewed_only {
            sqlx::query(
                "UPDATE analysis_runs SET reviewed_only = $1 WHERE consultation_id = $2 AND published_at IS NOT NULL",
            )
            .bind(i64::from(reviewed_only))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let detail = match reviewed_only {
            Some(true) => "reviewed themes only",
            _ => "",
        };
        sqlx::query(
            "UPDATE consultations SET results_published_at = $1, results_withdrawn_at = NULL WHERE id = $2",
        )
        .bind(now.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::PublishResults, detail).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Withdraws a published consultation (an administrator's decision; the web checks the role):
    /// from now on no public query finds it, so its pages, discussions, survey, events, results, API
    /// answers and open data are gone from the public site, and [`Store::withdrawn_consultation`]
    /// lets its address say so. Everything it received is kept for staff. Final. `reason` is
    /// required and goes in the staff log. Withdrawing twice changes nothing (`false`); a draft,
    /// which nobody outside has seen, is refused.
    pub async fn withdraw_consultation(
        &self,
        id: i64,
        actor_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let reason = required_reason(reason)?;
        let mut tx = self.begin_write().await?;
        let row: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT published_at, withdrawn_at FROM consultations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        match row {
            None => return Err(StoreError::Invalid("there is no such consultation".into())),
            Some((None, _)) => {
                return Err(StoreError::Invalid(
                    "only a published consultation can be withdrawn: a draft is seen by staff only".into(),
                ));
            }
            Some((Some(_), Some(_))) => return Ok(false),
            Some((Some(_), None)) => {}
        }
        sqlx::query("UPDATE consultations SET withdrawn_at = $1 WHERE id = $2")
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::WithdrawConsultation, reason)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Withdraws a consultation's published results: the results page, the API's results and
    /// survey counts and the open data's themes are no longer public, and the consultation's page
    /// says they were withdrawn instead of linking to them. The runs and their review stay, and the
    /// results can be published again. `reason` goes in the staff log. `false` when the results
    /// are not out.
    pub async fn withdraw_results(
        &self,
        id: i64,
        actor_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let reason = required_reason(reason)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE consultations SET results_published_at = NULL, results_withdrawn_at = $1 \
             WHERE id = $2 AND results_published_at IS NOT NULL",
        )
        .bind(now.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let changed = done.rows_affected() > 0;
        if changed {
            append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::WithdrawResults, reason)
                .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// A consultation that was published and then withdrawn, for the page its address now shows.
    pub async fn withdrawn_consultation(&self, slug: &str) -> Result<Option<ConsultationSummary>> {
        let row = sqlx::query(&format!(
            "{CONSULTATION_SUMMARY} FROM consultations WHERE slug = $1 AND published_at IS NOT NULL \
             AND withdrawn_at IS NOT NULL"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(consultation_summary).transpose()
    }

    /// Closes an open consultation now: its closing date becomes yesterday (status comes from dates,
    /// and a day closes at its end), so from this moment its discussions and survey take nothing and
    /// a response received today is late. Logged with both dates. Refused unless it is published and
    /// open (closing one already closed changes nothing: `None`), and on its opening day, which it
    /// cannot close before.
    pub async fn close_consultation(&self, id: i64, actor_id: i64, now: Timestamp) -> Result<Option<Date>> {
        let today = self.today(now);
        let mut tx = self.begin_write().await?;
        let row: Option<(Option<i64>, String, String)> = sqlx::query_as(
            "SELECT CASE WHEN withdrawn_at IS NULL THEN published_at END, opens_on, closes_on \
                 FROM consultations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((published, opens_on, closes_on)) = row else {
            return Err(StoreError::Invalid("there is no such consultation".into()));
        };
        let opens_on = Date::parse_iso(&opens_on).map_err(|_| corrupt("opens_on", &opens_on))?;
        let closes_on = Date::parse_iso(&closes_on).map_err(|_| corrupt("closes_on", &closes_on))?;
        match (published, Status::on(today, opens_on, closes_on)) {
            (Some(_), Status::Open) => {}
            (Some(_), Status::Closed) => return Ok(None),
            _ => return Err(StoreError::Invalid("only an open consultation can be closed".into())),
        }
        let yesterday = today.add_days(-1);
        if yesterday < opens_on {
            return Err(StoreError::Invalid(format!(
                "it opened today, so it can be closed from tomorrow; to stop it opening, change its dates                  (it closes on {})",
                closes_on.long()
            )));
        }
        sqlx::query("UPDATE consultations SET closes_on = $1 WHERE id = $2")
            .bind(yesterday.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail =
            format!("closing date brought forward from {} to {}", closes_on.long(), yesterday.long());
        append_staff_log(&mut tx, now, Some(actor_id), Some(id), StaffAction::CloseConsultation, &detail)
            .await?;
        tx.commit().await?;
        Ok(Some(yesterday))
    }

    /// What the register holds received after `day`, by channel (channels with none left out):
    /// what a closing date brought forward to `day` would leave late. Counted as the register counts
    /// (residents' comments not deleted, every other response).
    pub async fn received_after(
        &self,
        consultation_id: i64,
        day: Date,
    ) -> Result<Vec<(ResponseChannel, i64)>> {
        // A comment counts as after `day` from the local midnight that ends it.
        let next_day = self.time_zone().day_start(day.add_days(1));
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT channel, COUNT(*) FROM ( \
               SELECT 'online' AS channel FROM comments c JOIN discussions d ON d.id = c.discussion_id \
               JOIN users u ON u.id = c.author_id WHERE d.consultation_id = $1 AND u.role = 'resident' \
               AND c.deleted_at IS NULL AND c.posted_at >= $2 \
               UNION ALL \
               SELECT channel FROM responses WHERE consultation_id = $1 AND received_on > $3 \
             ) late GROUP BY channel ORDER BY channel",
        )
        .bind(consultation_id)
        .bind(next_day.0)
        .bind(day.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut late = rows
            .into_iter()
            .map(|(channel, n)| {
                ResponseChannel::parse(&channel).map(|c| (c, n)).ok_or_else(|| corrupt("channel", &channel))
            })
            .collect::<Result<Vec<_>>>()?;
        late.sort_by_key(|(c, _)| *c);
        Ok(late)
    }

    /// A consultation's discussions as the edit form shows them: questions and hosts included.
    pub async fn discussions_for_editing(&self, consultation_id: i64) -> Result<Vec<NewDiscussion>> {
        let rows = sqlx::query(
            "SELECT id, slug, title, intro, opens_on, closes_on, host_organisation FROM discussions \
             WHERE consultation_id = $1 ORDER BY position, id",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        let mut discussions = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let questions = sqlx::query_scalar(
                "SELECT text FROM discussion_questions WHERE discussion_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            let hosts = sqlx::query_scalar(
                "SELECT user_id FROM discussion_hosts WHERE discussion_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            discussions.push(NewDiscussion {
                slug: row.try_get("slug")?,
                title: row.try_get("title")?,
                intro: row.try_get("intro")?,
                opens_on: date(&row, "opens_on")?,
                closes_on: date(&row, "closes_on")?,
                questions,
                hosts,
                host_organisation: row.try_get("host_organisation")?,
            });
        }
        Ok(discussions)
    }

    /// Everyone with the host role (who may join discussions), by name.
    pub async fn hosts(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.role = 'host' AND u.deleted_at IS NULL \
             ORDER BY u.display_name, u.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user).collect()
    }

    /// What staff did to a consultation and its events, newest first.
    pub async fn staff_log(&self, consultation_id: i64) -> Result<Vec<StaffLogEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT l.at, l.action, l.detail, {USER_COLUMNS} FROM staff_log l \
             LEFT JOIN users u ON u.id = l.actor_id WHERE l.consultation_id = $1 ORDER BY l.at DESC, l.id DESC"
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let action: String = row.try_get("action")?;
                let actor: Option<i64> = row.try_get("user_id")?;
                Ok(StaffLogEntry {
                    at: Timestamp(row.try_get("at")?),
                    actor: actor.map(|_| user(row)).transpose()?,
                    action: StaffAction::parse(&action).ok_or_else(|| corrupt("staff action", &action))?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}

/// Appends one entry to the staff log, in the caller's transaction.
pub(crate) async fn append_staff_log(
    conn: &mut AnyConnection,
    now: Timestamp,
    actor_id: Option<i64>,
    consultation_id: Option<i64>,
    action: StaffAction,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_log (at, actor_id, consultation_id, action, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now.0)
    .bind(actor_id)
    .bind(consultation_id)
    .bind(action.key())
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A withdrawal's reason, trimmed; refused when empty (the staff log must say why).
pub(crate) fn required_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("say why: the reason goes in the staff log".into()));
    }
    if reason.chars().count() > 1000 {
        return Err(StoreError::Invalid("the reason is too long: at most 1,000 characters".into()));
    }
    Ok(reason)
}

/// Each discussion's slug usable and used once, its dates in order.
fn check_discussions(discussions: &[NewDiscussion]) -> Result<()> {
    for (n, d) in discussions.iter().enumerate() {
        validate_slug(&d.slug)?;
        if d.closes_on < d.opens_on {
            return Err(StoreError::Invalid(format!(
                "the discussion {:?} closes ({}) before it opens ({})",
                d.slug, d.closes_on, d.opens_on
            )));
        }
        if discussions[..n].iter().any(|e| e.slug == d.slug) {
            return Err(StoreError::Invalid(format!("two discussions are called {:?}", d.slug)));
        }
    }
    Ok(())
}

async fn update_discussions(
    conn: &mut AnyConnection,
    consultation_id: i64,
    discussions: &[NewDiscussion],
) -> Result<()> {
    let existing: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT d.id, d.slug, d.title FROM discussions d WHERE d.consultation_id = $1 ORDER BY d.position",
    )
    .bind(consultation_id)
    .fetch_all(&mut *conn)
    .await?;
    for (id, slug, title) in &existing {
        if discussions.iter().any(|d| d.slug == *slug) {
            continue;
        }
        let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE discussion_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if comments > 0 {
            return Err(StoreError::Invalid(format!(
                "the discussion \u{201c}{title}\u{201d} has comments, so it cannot be removed: keep its slug {slug:?}"
            )));
        }
        sqlx::query("DELETE FROM discussions WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    for (position, d) in discussions.iter().enumerate() {
        let id = match existing.iter().find(|(_, slug, _)| *slug == d.slug) {
            Some((id, _, _)) => {
                sqlx::query(
                    "UPDATE discussions SET title = $1, intro = $2, opens_on = $3, closes_on = $4, \
                     host_organisation = $5 WHERE id = $6",
                )
                .bind(&d.title)
                .bind(&d.intro)
                .bind(d.opens_on.to_string())
                .bind(d.closes_on.to_string())
                .bind(&d.host_organisation)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                for table in ["discussion_questions", "discussion_hosts"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE discussion_id = $1"))
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                }
                for (position, text) in d.questions.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO discussion_questions (discussion_id, position, text) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(position as i64)
                    .bind(text)
                    .execute(&mut *conn)
                    .await?;
                }
                for (position, user_id) in d.hosts.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO discussion_hosts (discussion_id, user_id, position) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(user_id)
                    .bind(position as i64)
                    .execute(&mut *conn)
                    .await?;
                }
                *id
            }
            None => insert_discussion(conn, consultation_id, d).await?,
        };
        sqlx::query("UPDATE discussions SET position = $1 WHERE id = $2")
            .bind(position as i64)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
