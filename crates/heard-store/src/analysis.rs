//! Analysis runs and the results staff review and publish.
//!
//! A run reads the register (or one channel or question of it) as it stood when the run started:
//! the texts it analysed are saved with it, so its themes stay readable, and comparable with a
//! later run, after more responses arrive. Counts are never stored: a theme's count, share and
//! positions are counted from `run_mapping` when read, so a merge or split changes every figure
//! at once. Every review change writes its `staff_log` entry in the same transaction.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::editing::append_staff_log;
use crate::queries::{USER_COLUMNS, corrupt, user};
use crate::{RegisterEntry, ResponseChannel, Result, StaffAction, Store, StoreError, Timestamp, User};

/// Which texts of the register a run reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum RunScope {
    All,
    Channel(ResponseChannel),
    /// Answers to one question: a survey question, or a discussion (its title is the question
    /// its comments answer).
    Question(String),
}

impl RunScope {
    pub fn key(&self) -> String {
        match self {
            RunScope::All => "all".to_string(),
            RunScope::Channel(c) => format!("channel:{}", c.as_str()),
            RunScope::Question(q) => format!("question:{q}"),
        }
    }

    pub fn parse(key: &str) -> Option<RunScope> {
        if key == "all" {
            return Some(RunScope::All);
        }
        if let Some(c) = key.strip_prefix("channel:") {
            return ResponseChannel::parse(c).map(RunScope::Channel);
        }
        key.strip_prefix("question:").filter(|q| !q.is_empty()).map(|q| RunScope::Question(q.to_string()))
    }

    /// As staff and the results page read it.
    pub fn label(&self) -> String {
        match self {
            RunScope::All => "All responses, every channel".to_string(),
            RunScope::Channel(c) => format!("{} responses", c.label()),
            RunScope::Question(q) => q.clone(),
        }
    }

    /// Whether one text of the register (its question and entry) is read by a run of this scope.
    pub fn includes(&self, entry: &RegisterEntry, question: &str) -> bool {
        match self {
            RunScope::All => true,
            RunScope::Channel(c) => entry.channel == *c,
            RunScope::Question(q) => question == q,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMethod {
    /// Themes found in the responses.
    Discover,
    /// Responses mapped to the analyst's themes.
    Framework,
}

impl RunMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RunMethod::Discover => "discover",
            RunMethod::Framework => "framework",
        }
    }

    pub fn parse(s: &str) -> Option<RunMethod> {
        [RunMethod::Discover, RunMethod::Framework].into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Queued,
    Running,
    Finished,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Finished => "finished",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        [RunStatus::Queued, RunStatus::Running, RunStatus::Finished, RunStatus::Failed]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    pub fn is_over(self) -> bool {
        matches!(self, RunStatus::Finished | RunStatus::Failed)
    }
}

/// A text's position toward the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Agree,
    Disagree,
    Unclear,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Agree => "agree",
            Stance::Disagree => "disagree",
            Stance::Unclear => "unclear",
        }
    }

    pub fn parse(s: &str) -> Option<Stance> {
        [Stance::Agree, Stance::Disagree, Stance::Unclear].into_iter().find(|m| m.as_str() == s)
    }
}

/// What a theme is: found, given by the analyst, a catch-all, or made by staff splitting a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunThemeKind {
    Discovered,
    Framework,
    /// Texts that raise nothing the other themes cover.
    Other,
    /// Empty or content-free texts.
    NoReason,
    Split,
}

impl RunThemeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunThemeKind::Discovered => "discovered",
            RunThemeKind::Framework => "framework",
            RunThemeKind::Other => "other",
            RunThemeKind::NoReason => "no_reason",
            RunThemeKind::Split => "split",
        }
    }

    pub fn parse(s: &str) -> Option<RunThemeKind> {
        [
            RunThemeKind::Discovered,
            RunThemeKind::Framework,
            RunThemeKind::Other,
            RunThemeKind::NoReason,
            RunThemeKind::Split,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    pub fn is_catch_all(self) -> bool {
        matches!(self, RunThemeKind::Other | RunThemeKind::NoReason)
    }
}

/// "You said, we did": what became of a theme in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanChange {
    /// Not written yet.
    Undecided,
    Changed,
    NotChanged,
    /// The plan already does what was asked.
    Already,
}

impl PlanChange {
    pub const ALL: [PlanChange; 4] =
        [PlanChange::Undecided, PlanChange::Changed, PlanChange::NotChanged, PlanChange::Already];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanChange::Undecided => "",
            PlanChange::Changed => "changed",
            PlanChange::NotChanged => "not_changed",
            PlanChange::Already => "already",
        }
    }

    pub fn parse(s: &str) -> Option<PlanChange> {
        PlanChange::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanChange::Undecided => "Not decided yet",
            PlanChange::Changed => "We changed the plan",
            PlanChange::NotChanged => "We did not change the plan",
            PlanChange::Already => "The plan already does this",
        }
    }
}

/// A run to start.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub consultation_id: i64,
    pub scope: RunScope,
    pub method: RunMethod,
    /// The analyst's themes, one "Label: description" a line, for [`RunMethod::Framework`].
    pub framework: String,
    /// Discover this many themes instead of letting the data decide.
    pub themes_wanted: Option<i64>,
    /// "accurate", "fast" or "lexical".
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisRun {
    pub id: i64,
    pub consultation_id: i64,
    pub scope: RunScope,
    pub method: RunMethod,
    pub framework: String,
    pub themes_wanted: Option<i64>,
    pub mode: String,
    /// What ran: the mode and model, once known.
    pub model: String,
    pub status: RunStatus,
    pub stage: String,
    pub done: i64,
    pub total: i64,
    pub error: String,
    /// Texts analysed.
    pub responses: i64,
    pub notes: Vec<String>,
    pub started_by: Option<User>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub published_at: Option<Timestamp>,
    /// In the results with only the themes staff marked reviewed.
    pub reviewed_only: bool,
}

/// Whether a run is in the published results, and with which of its themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPublication {
    /// Every theme, reviewed or not.
    AllThemes,
    /// Only the themes staff marked reviewed; the others stay in the back office.
    ReviewedThemesOnly,
    /// Not in the results. Once the consultation's results are out, taking a run out of them is a
    /// withdrawal, with a reason: [`Store::withdraw_run`].
    Out,
}

impl AnalysisRun {
    /// Progress as a whole percentage, for a progress bar.
    pub fn percent(&self) -> i64 {
        match self.status {
            RunStatus::Finished => 100,
            _ if self.total > 0 => (self.done * 100 / self.total).clamp(0, 100),
            _ => 0,
        }
    }
}

/// One text a run analysed, with what the run made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunText {
    /// Its line in the register's export: "r5", "r5-2" (a response's second text), "c12".
    pub line: String,
    pub response_key: String,
    pub channel: ResponseChannel,
    pub respondent_type: crate::RespondentType,
    pub organisation: String,
    pub borough: String,
    pub question: String,
    pub text: String,
    pub position: Stance,
    pub evidence_rich: bool,
    /// Index into [`RunResults::campaigns`].
    pub campaign: Option<usize>,
}

/// A theme a run found or was given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRunTheme {
    pub kind: RunThemeKind,
    pub label: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// Indexes into [`RunResults::texts`] of the texts that raise it.
    pub texts: Vec<usize>,
    /// Quotes offered (already redacted): an index into the texts, and the quote.
    pub quotes: Vec<(usize, String)>,
}

/// What a finished run found, saved in one transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunResults {
    pub model: String,
    pub notes: Vec<String>,
    pub texts: Vec<RunText>,
    pub themes: Vec<NewRunTheme>,
    /// Each campaign's template text (redacted).
    pub campaigns: Vec<String>,
}

/// Agree, disagree and unclear counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Positions {
    pub agree: i64,
    pub disagree: i64,
    pub unclear: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunQuote {
    pub id: i64,
    pub theme_id: i64,
    pub run_response_id: i64,
    pub line: String,
    pub text: String,
    pub channel: ResponseChannel,
    pub respondent_type: crate::RespondentType,
    pub approved: bool,
}

/// A theme as review and the results page show it, its figures counted now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunTheme {
    pub id: i64,
    pub run_id: i64,
    pub position: i64,
    pub kind: RunThemeKind,
    pub label: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// Texts that raise it.
    pub count: i64,
    /// `count` out of the run's texts.
    pub share: f64,
    pub positions: Positions,
    /// Of `count`, how many are campaign texts.
    pub campaign_texts: i64,
    pub reviewed: bool,
    pub outcome: PlanChange,
    pub we_did: String,
    pub quotes: Vec<RunQuote>,
}

/// A text of a run as staff read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunTextEntry {
    pub id: i64,
    pub line: String,
    pub response_key: String,
    pub channel: ResponseChannel,
    pub respondent_type: crate::RespondentType,
    pub organisation: String,
    pub borough: String,
    pub question: String,
    pub text: String,
    pub position: Stance,
    pub evidence_rich: bool,
    pub campaign_id: Option<i64>,
    /// The labels of the themes it raises (not merged away).
    pub themes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunCampaign {
    pub id: i64,
    pub template: String,
    pub size: i64,
    /// The themes its texts raise, most raised first.
    pub themes: Vec<String>,
}

/// A published run with what the results page shows of it: approved quotes only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedRun {
    pub run: AnalysisRun,
    pub themes: Vec<RunTheme>,
    pub campaigns: Vec<RunCampaign>,
}

const RUN_COLUMNS: &str = "r.id, r.consultation_id, r.scope, r.method, r.framework, r.themes_wanted, r.mode, \
     r.model, r.status, r.stage, r.done, r.total, r.error, r.responses, r.notes, r.created_at, r.finished_at, \
     r.published_at, r.reviewed_only";

const TEXT_COLUMNS: &str = "t.id, t.line, t.response_key, t.channel, t.respondent_type, t.organisation, \
     t.borough, t.question, t.text, t.position, t.evidence_rich, t.campaign_id";

impl Store {
    /// Records a run to start (queued); the caller then runs it and saves what it found.
    pub async fn create_run(&self, new: &NewRun, actor_id: i64, now: Timestamp) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_run(&mut tx, new, actor_id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a run and queues the job that will run it, together: a run recorded is a run some
    /// instance will take. The job's payload is made from the new run's id.
    pub async fn create_queued_run(
        &self,
        new: &NewRun,
        actor_id: i64,
        now: Timestamp,
        job_kind: &str,
        max_attempts: i64,
        payload: impl FnOnce(i64) -> String,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_run(&mut tx, new, actor_id, now).await?;
        let payload = payload(id);
        let job = crate::jobs::NewJob { kind: job_kind, payload: &payload, max_attempts, unique_key: None };
        crate::jobs::queue_job_in(&mut tx, &job, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn analysis_run(&self, id: i64) -> Result<Option<AnalysisRun>> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS}, {USER_COLUMNS} FROM analysis_runs r LEFT JOIN users u ON u.id = r.started_by \
             WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(analysis_run).transpose()
    }

    /// A consultation's runs, newest first.
    pub async fn analysis_runs(&self, consultation_id: i64) -> Result<Vec<AnalysisRun>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS}, {USER_COLUMNS} FROM analysis_runs r LEFT JOIN users u ON u.id = r.started_by \
             WHERE r.consultation_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(analysis_run).collect()
    }

    /// The newest finished run, whose themes exports carry.
    pub async fn latest_finished_run(&self, consultation_id: i64) -> Result<Option<AnalysisRun>> {
        Ok(self.analysis_runs(consultation_id).await?.into_iter().find(|r| r.status == RunStatus::Finished))
    }

    /// Where a queued or running run has got to (and that it is alive, now). A finished or failed
    /// run is left as it is.
    pub async fn set_run_progress(&self, id: i64, stage: &str, done: i64, total: i64) -> Result<()> {
        sqlx::query(
            "UPDATE analysis_runs SET status = 'running', stage = $1, done = $2, total = $3, updated_at = $4 \
             WHERE id = $5 AND status IN ('queued', 'running')",
        )
        .bind(stage)
        .bind(done)
        .bind(total)
        .bind(Timestamp::now().0)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn fail_run(&self, id: i64, error: &str, now: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE analysis_runs SET status = 'failed', error = $1, finished_at = $2 \
             WHERE id = $3 AND status IN ('queued', 'running')",
        )
        .bind(error)
        .bind(now.0)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// How many runs are queued and how many running, across every instance (for the metrics).
    pub async fn unfinished_run_counts(&self) -> Result<(i64, i64)> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM analysis_runs WHERE status IN ('queued', 'running') GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        let count = |status: &str| rows.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
        Ok((count("queued"), count("running")))
    }

    /// Marks runs that a stopped server left unfinished as failed, so nobody waits for them.
    /// With several instances sharing PostgreSQL, only call it when no other instance runs.
    pub async fn interrupt_runs(&self, now: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE analysis_runs SET status = 'failed', error = 'stopped when heard was restarted; start it again', \
             finished_at = $1 WHERE status IN ('queued', 'running')",
        )
        .bind(now.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Marks running runs that have not reported progress for `quiet_secs` as failed: the instance
    /// running them stopped, and their job was not taken again (it had its last attempt). (A
    /// running run reports at every stage and every chunk of responses, seconds apart.) A queued
    /// run is waiting for its job's turn, so it is left alone. Safe with several instances sharing
    /// PostgreSQL, unlike [`Store::interrupt_runs`].
    pub async fn interrupt_stalled_runs(&self, now: Timestamp, quiet_secs: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE analysis_runs SET status = 'failed', \
             error = 'it stopped reporting progress: the server running it was stopped; start it again', \
             finished_at = $1 WHERE status = 'running' AND updated_at < $2",
        )
        .bind(now.0)
        .bind(now.0 - quiet_secs)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Saves everything a run found and marks it finished, all in one transaction.
    pub async fn save_run_results(&self, id: i64, results: &RunResults, now: Timestamp) -> Result<()> {
        for theme in &results.themes {
            if let Some(bad) = theme
                .texts
                .iter()
                .chain(theme.quotes.iter().map(|(i, _)| i))
                .find(|&&i| i >= results.texts.len())
            {
                return Err(StoreError::Invalid(format!(
                    "theme {:?} names text {bad}, which the run does not have",
                    theme.label
                )));
            }
        }
        let mut tx = self.begin_write().await?;
        let mut campaign_ids = Vec::with_capacity(results.campaigns.len());
        for template in &results.campaigns {
            let cid: i64 = sqlx::query_scalar(
                "INSERT INTO run_campaigns (run_id, template) VALUES ($1, $2) RETURNING id",
            )
            .bind(id)
            .bind(template)
            .fetch_one(&mut *tx)
            .await?;
            campaign_ids.push(cid);
        }
        let mut text_ids = Vec::with_capacity(results.texts.len());
        for t in &results.texts {
            let campaign = match t.campaign {
                Some(c) => Some(*campaign_ids.get(c).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "text {} names campaign {c}, which the run does not have",
                        t.line
                    ))
                })?),
                None => None,
            };
            let tid: i64 = sqlx::query_scalar(
                "INSERT INTO run_responses (run_id, line, response_key, channel, respondent_type, organisation, \
                 borough, question, text, position, evidence_rich, campaign_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(id)
            .bind(&t.line)
            .bind(&t.response_key)
            .bind(t.channel.as_str())
            .bind(t.respondent_type.as_str())
            .bind(&t.organisation)
            .bind(&t.borough)
            .bind(&t.question)
            .bind(&t.text)
            .bind(t.position.as_str())
            .bind(i64::from(t.evidence_rich))
            .bind(campaign)
            .fetch_one(&mut *tx)
            .await?;
            text_ids.push(tid);
        }
        for (position, theme) in results.themes.iter().enumerate() {
            let theme_id: i64 = sqlx::query_scalar(
                "INSERT INTO run_themes (run_id, position, kind, label, description, keywords) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(id)
            .bind(position as i64)
            .bind(theme.kind.as_str())
            .bind(&theme.label)
            .bind(&theme.description)
            .bind(theme.keywords.join("\n"))
            .fetch_one(&mut *tx)
            .await?;
            let mut texts = theme.texts.clone();
            texts.sort_unstable();
            texts.dedup();
            for i in texts {
                sqlx::query("INSERT INTO run_mapping (theme_id, run_response_id) VALUES ($1, $2)")
                    .bind(theme_id)
                    .bind(text_ids[i])
                    .execute(&mut *tx)
                    .await?;
            }
            let mut quoted = Vec::new();
            for (i, quote) in &theme.quotes {
                if quoted.contains(i) {
                    continue;
                }
                quoted.push(*i);
                sqlx::query("INSERT INTO run_quotes (theme_id, run_response_id, text) VALUES ($1, $2, $3)")
                    .bind(theme_id)
                    .bind(text_ids[*i])
                    .bind(quote)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let saved = sqlx::query(
            "UPDATE analysis_runs SET status = 'finished', stage = 'finished', done = total, model = $1, \
             notes = $2, responses = $3, finished_at = $4, error = '' WHERE id = $5 AND status IN ('queued', 'running')",
        )
        .bind(&results.model)
        .bind(results.notes.join("\n"))
        .bind(results.texts.len() as i64)
        .bind(now.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if saved.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "run {id} is not running any more; its results were not saved"
            )));
        }
        tx.commit().await?;
        Ok(())
    }

    /// A run's themes (those merged away left out), in order, with their figures and every quote
    /// offered.
    pub async fn run_themes(&self, run_id: i64) -> Result<Vec<RunTheme>> {
        self.themes_of(run_id, false).await
    }

    async fn themes_of(&self, run_id: i64, approved_quotes_only: bool) -> Result<Vec<RunTheme>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_responses WHERE run_id = $1")
            .bind(run_id)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT th.id, th.run_id, th.position, th.kind, th.label, th.description, th.keywords, th.reviewed_at, \
             th.outcome, th.we_did, COUNT(t.id) AS count, \
             COALESCE(SUM(CASE WHEN t.position = 'agree' THEN 1 ELSE 0 END), 0) AS agree, \
             COALESCE(SUM(CASE WHEN t.position = 'disagree' THEN 1 ELSE 0 END), 0) AS disagree, \
             COALESCE(SUM(CASE WHEN t.position = 'unclear' THEN 1 ELSE 0 END), 0) AS unclear, \
             COALESCE(SUM(CASE WHEN t.campaign_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS campaign_texts \
             FROM run_themes th LEFT JOIN run_mapping m ON m.theme_id = th.id \
             LEFT JOIN run_responses t ON t.id = m.run_response_id \
             WHERE th.run_id = $1 AND th.merged_into IS NULL \
             GROUP BY th.id, th.run_id, th.position, th.kind, th.label, th.description, th.keywords, \
             th.reviewed_at, th.outcome, th.we_did ORDER BY th.position, th.id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        let quotes = self.run_quotes(run_id, approved_quotes_only).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let kind: String = row.try_get("kind")?;
                let outcome: String = row.try_get("outcome")?;
                let keywords: String = row.try_get("keywords")?;
                let reviewed_at: Option<i64> = row.try_get("reviewed_at")?;
                let count: i64 = row.try_get("count")?;
                Ok(RunTheme {
                    id,
                    run_id: row.try_get("run_id")?,
                    position: row.try_get("position")?,
                    kind: RunThemeKind::parse(&kind).ok_or_else(|| corrupt("theme kind", &kind))?,
                    label: row.try_get("label")?,
                    description: row.try_get("description")?,
                    keywords: keywords.lines().map(str::to_string).collect(),
                    count,
                    share: if total > 0 { count as f64 / total as f64 } else { 0.0 },
                    positions: Positions {
                        agree: row.try_get("agree")?,
                        disagree: row.try_get("disagree")?,
                        unclear: row.try_get("unclear")?,
                    },
                    campaign_texts: row.try_get("campaign_texts")?,
                    reviewed: reviewed_at.is_some(),
                    outcome: PlanChange::parse(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?,
                    we_did: row.try_get("we_did")?,
                    quotes: quotes.iter().filter(|q| q.theme_id == id).cloned().collect(),
                })
            })
            .collect()
    }

    async fn run_quotes(&self, run_id: i64, approved_only: bool) -> Result<Vec<RunQuote>> {
        let approved = if approved_only { "AND q.approved_at IS NOT NULL" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT q.id, q.theme_id, q.run_response_id, q.text, q.approved_at, t.line, t.channel, t.respondent_type \
             FROM run_quotes q JOIN run_themes th ON th.id = q.theme_id JOIN run_responses t ON t.id = q.run_response_id \
             WHERE th.run_id = $1 {approved} ORDER BY q.theme_id, q.id"
        ))
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let approved_at: Option<i64> = row.try_get("approved_at")?;
                Ok(RunQuote {
                    id: row.try_get("id")?,
                    theme_id: row.try_get("theme_id")?,
                    run_response_id: row.try_get("run_response_id")?,
                    line: row.try_get("line")?,
                    text: row.try_get("text")?,
                    channel: channel(row)?,
                    respondent_type: respondent_type(row)?,
                    approved: approved_at.is_some(),
                })
            })
            .collect()
    }

    /// A page of the texts that raise a theme (`page` counts from 1), and how many there are.
    pub async fn theme_texts(
        &self,
        theme_id: i64,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<RunTextEntry>, i64)> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_mapping WHERE theme_id = $1")
            .bind(theme_id)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {TEXT_COLUMNS} FROM run_mapping m JOIN run_responses t ON t.id = m.run_response_id \
             WHERE m.theme_id = $1 ORDER BY t.id LIMIT $2 OFFSET $3"
        ))
        .bind(theme_id)
        .bind(per_page.max(1))
        .bind((page.max(1) - 1) * per_page.max(1))
        .fetch_all(&self.pool)
        .await?;
        Ok((self.text_entries(&rows).await?, total))
    }

    /// The texts of a run from organisations, which analysts report on their own.
    pub async fn organisation_texts(&self, run_id: i64) -> Result<Vec<RunTextEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {TEXT_COLUMNS} FROM run_responses t WHERE t.run_id = $1 AND t.respondent_type = 'organisation' \
             ORDER BY t.organisation, t.id"
        ))
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        self.text_entries(&rows).await
    }

    /// Every text of a run with its themes, in the register's order, for exports.
    pub async fn run_texts(&self, run_id: i64) -> Result<Vec<RunTextEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {TEXT_COLUMNS} FROM run_responses t WHERE t.run_id = $1 ORDER BY t.id"
        ))
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        self.text_entries(&rows).await
    }

    async fn text_entries(&self, rows: &[sqlx::any::AnyRow]) -> Result<Vec<RunTextEntry>> {
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let position: String = row.try_get("position")?;
            let evidence: i64 = row.try_get("evidence_rich")?;
            entries.push(RunTextEntry {
                id: row.try_get("id")?,
                line: row.try_get("line")?,
                response_key: row.try_get("response_key")?,
                channel: channel(row)?,
                respondent_type: respondent_type(row)?,
                organisation: row.try_get("organisation")?,
                borough: row.try_get("borough")?,
                question: row.try_get("question")?,
                text: row.try_get("text")?,
                position: Stance::parse(&position).ok_or_else(|| corrupt("position", &position))?,
                evidence_rich: evidence != 0,
                campaign_id: row.try_get("campaign_id")?,
                themes: Vec::new(),
            });
        }
        if let (Some(first), Some(last)) =
            (entries.iter().map(|e| e.id).min(), entries.iter().map(|e| e.id).max())
        {
            // One query for the themes of every text listed: the ids of a run's texts are dense.
            let labels = sqlx::query(
                "SELECT m.run_response_id, th.label FROM run_mapping m JOIN run_themes th ON th.id = m.theme_id \
                 WHERE m.run_response_id BETWEEN $1 AND $2 ORDER BY th.position, th.id",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&self.pool)
            .await?;
            let mut by_id: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
            for row in &labels {
                by_id.entry(row.try_get("run_response_id")?).or_default().push(row.try_get("label")?);
            }
            for e in &mut entries {
                e.themes = by_id.remove(&e.id).unwrap_or_default();
            }
        }
        Ok(entries)
    }

    /// A run's campaigns, largest first.
    pub async fn run_campaigns(&self, run_id: i64) -> Result<Vec<RunCampaign>> {
        let rows = sqlx::query(
            "SELECT c.id, c.template, COUNT(t.id) AS size FROM run_campaigns c \
             LEFT JOIN run_responses t ON t.campaign_id = c.id WHERE c.run_id = $1 \
             GROUP BY c.id, c.template ORDER BY COUNT(t.id) DESC, c.id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        let themes = sqlx::query(
            "SELECT t.campaign_id, th.label, COUNT(*) AS n FROM run_responses t \
             JOIN run_mapping m ON m.run_response_id = t.id JOIN run_themes th ON th.id = m.theme_id \
             WHERE t.run_id = $1 AND t.campaign_id IS NOT NULL GROUP BY t.campaign_id, th.label \
             ORDER BY COUNT(*) DESC, th.label",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let mut labels = Vec::new();
                for t in &themes {
                    let cid: i64 = t.try_get("campaign_id")?;
                    if cid == id {
                        labels.push(t.try_get("label")?);
                    }
                }
                Ok(RunCampaign {
                    id,
                    template: row.try_get("template")?,
                    size: row.try_get("size")?,
                    themes: labels,
                })
            })
            .collect()
    }

    /// Renames a theme and rewrites its description.
    pub async fn rename_theme(
        &self,
        theme_id: i64,
        label: &str,
        description: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let label = label.trim();
        if label.is_empty() {
            return Err(StoreError::Invalid("a theme needs a name".into()));
        }
        let mut tx = self.begin_write().await?;
        let (run_id, consultation_id, old) = theme_owner(&mut tx, theme_id).await?;
        refuse_a_taken_name(&mut tx, run_id, theme_id, label).await?;
        sqlx::query("UPDATE run_themes SET label = $1, description = $2 WHERE id = $3")
            .bind(label)
            .bind(description.trim())
            .bind(theme_id)
            .execute(&mut *tx)
            .await?;
        let detail = if old == label {
            format!("run {run_id}: described {label:?}")
        } else {
            format!("run {run_id}: {old:?} renamed {label:?}")
        };
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::ReviewTheme,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_theme_reviewed(
        &self,
        theme_id: i64,
        reviewed: bool,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (run_id, consultation_id, label) = theme_owner(&mut tx, theme_id).await?;
        sqlx::query("UPDATE run_themes SET reviewed_at = $1, reviewed_by = $2 WHERE id = $3")
            .bind(reviewed.then_some(now.0))
            .bind(reviewed.then_some(actor_id))
            .bind(theme_id)
            .execute(&mut *tx)
            .await?;
        let what = if reviewed { "marked reviewed" } else { "marked not reviewed" };
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::ReviewTheme,
            &format!("run {run_id}: {label:?} {what}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves every text and quote of `from` into `into`, which then counts each text once; the
    /// merged themes are kept (marked) for the trail, and no longer shown.
    pub async fn merge_themes(&self, into: i64, from: &[i64], actor_id: i64, now: Timestamp) -> Result<()> {
        let from: Vec<i64> = from.iter().copied().filter(|&f| f != into).collect();
        if from.is_empty() {
            return Err(StoreError::Invalid("choose at least one other theme to merge into this one".into()));
        }
        let mut tx = self.begin_write().await?;
        let (run_id, consultation_id, into_label) = theme_owner(&mut tx, into).await?;
        let mut merged = Vec::new();
        for &f in &from {
            let (f_run, _, f_label) = theme_owner(&mut tx, f).await?;
            if f_run != run_id {
                return Err(StoreError::Invalid("themes of different runs cannot be merged".into()));
            }
            sqlx::query(
                "INSERT INTO run_mapping (theme_id, run_response_id) SELECT $1, m.run_response_id FROM run_mapping m \
                 WHERE m.theme_id = $2 AND NOT EXISTS \
                 (SELECT 1 FROM run_mapping k WHERE k.theme_id = $1 AND k.run_response_id = m.run_response_id)",
            )
            .bind(into)
            .bind(f)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM run_mapping WHERE theme_id = $1").bind(f).execute(&mut *tx).await?;
            sqlx::query(
                "UPDATE run_quotes SET theme_id = $1 WHERE theme_id = $2 AND run_response_id NOT IN \
                 (SELECT run_response_id FROM run_quotes WHERE theme_id = $1)",
            )
            .bind(into)
            .bind(f)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM run_quotes WHERE theme_id = $1").bind(f).execute(&mut *tx).await?;
            sqlx::query("UPDATE run_themes SET merged_into = $1 WHERE id = $2")
                .bind(into)
                .bind(f)
                .execute(&mut *tx)
                .await?;
            merged.push(format!("{f_label:?}"));
        }
        let detail = format!("run {run_id}: merged {} into {into_label:?}", merged.join(", "));
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::ReviewTheme,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves the chosen texts (ids of the run's texts) out of a theme into a new one.
    pub async fn split_theme(
        &self,
        theme_id: i64,
        label: &str,
        description: &str,
        texts: &[i64],
        actor_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let label = label.trim();
        if label.is_empty() {
            return Err(StoreError::Invalid("the new theme needs a name".into()));
        }
        if texts.is_empty() {
            return Err(StoreError::Invalid("choose the responses to move into the new theme".into()));
        }
        let mut tx = self.begin_write().await?;
        let (run_id, consultation_id, old) = theme_owner(&mut tx, theme_id).await?;
        refuse_a_taken_name(&mut tx, run_id, -1, label).await?;
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM run_themes WHERE run_id = $1")
                .bind(run_id)
                .fetch_one(&mut *tx)
                .await?;
        let new_id: i64 = sqlx::query_scalar(
            "INSERT INTO run_themes (run_id, position, kind, label, description) VALUES ($1, $2, 'split', $3, $4) RETURNING id",
        )
        .bind(run_id)
        .bind(position)
        .bind(label)
        .bind(description.trim())
        .fetch_one(&mut *tx)
        .await?;
        for &t in texts {
            let moved = sqlx::query(
                "UPDATE run_mapping SET theme_id = $1 WHERE theme_id = $2 AND run_response_id = $3",
            )
            .bind(new_id)
            .bind(theme_id)
            .bind(t)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() != 1 {
                return Err(StoreError::Invalid(format!("response {t} is not in the theme {old:?}")));
            }
            sqlx::query("UPDATE run_quotes SET theme_id = $1 WHERE theme_id = $2 AND run_response_id = $3")
                .bind(new_id)
                .bind(theme_id)
                .bind(t)
                .execute(&mut *tx)
                .await?;
        }
        let detail =
            format!("run {run_id}: moved {} responses from {old:?} into a new theme {label:?}", texts.len());
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::ReviewTheme,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(new_id)
    }

    /// Offers a text of the theme as a quote (`text` redacted by the caller).
    pub async fn add_quote(
        &self,
        theme_id: i64,
        run_response_id: i64,
        text: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let (run_id, consultation_id, label) = theme_owner(&mut tx, theme_id).await?;
        let in_theme: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM run_mapping WHERE theme_id = $1 AND run_response_id = $2",
        )
        .bind(theme_id)
        .bind(run_response_id)
        .fetch_one(&mut *tx)
        .await?;
        if in_theme == 0 {
            return Err(StoreError::Invalid(format!("that response is not in the theme {label:?}")));
        }
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM run_quotes WHERE theme_id = $1 AND run_response_id = $2")
                .bind(theme_id)
                .bind(run_response_id)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                let id: i64 = sqlx::query_scalar("INSERT INTO run_quotes (theme_id, run_response_id, text) VALUES ($1, $2, $3) RETURNING id")
                    .bind(theme_id)
                    .bind(run_response_id)
                    .bind(text)
                    .fetch_one(&mut *tx)
                    .await?;
                append_staff_log(
                    &mut tx,
                    now,
                    Some(actor_id),
                    Some(consultation_id),
                    StaffAction::ReviewTheme,
                    &format!("run {run_id}: offered a quote for {label:?}"),
                )
                .await?;
                id
            }
        };
        tx.commit().await?;
        Ok(id)
    }

    /// Approves a quote for publication, or withdraws the approval.
    pub async fn set_quote_approved(
        &self,
        quote_id: i64,
        approved: bool,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let theme_id: Option<i64> = sqlx::query_scalar("SELECT theme_id FROM run_quotes WHERE id = $1")
            .bind(quote_id)
            .fetch_optional(&mut *tx)
            .await?;
        let theme_id =
            theme_id.ok_or_else(|| StoreError::Invalid(format!("there is no quote {quote_id}")))?;
        let (run_id, consultation_id, label) = theme_owner(&mut tx, theme_id).await?;
        sqlx::query("UPDATE run_quotes SET approved_at = $1, approved_by = $2 WHERE id = $3")
            .bind(approved.then_some(now.0))
            .bind(approved.then_some(actor_id))
            .bind(quote_id)
            .execute(&mut *tx)
            .await?;
        let what = if approved { "approved" } else { "withdrew" };
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::ReviewTheme,
            &format!("run {run_id}: {what} quote {quote_id} of {label:?}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes "you said, we did" for a theme.
    pub async fn set_we_did(
        &self,
        theme_id: i64,
        outcome: PlanChange,
        we_did: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        if outcome != PlanChange::Undecided && we_did.trim().is_empty() {
            return Err(StoreError::Invalid("say what changed and why, or why not".into()));
        }
        let mut tx = self.begin_write().await?;
        let (run_id, consultation_id, label) = theme_owner(&mut tx, theme_id).await?;
        sqlx::query("UPDATE run_themes SET outcome = $1, we_did = $2 WHERE id = $3")
            .bind(outcome.as_str())
            .bind(we_did.trim())
            .bind(theme_id)
            .execute(&mut *tx)
            .await?;
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::ReviewTheme,
            &format!("run {run_id}: wrote what we did about {label:?}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a finished run's themes in the published results (all of them, or only those reviewed),
    /// or takes them out while the results are not yet public. Once they are, taking a run out is
    /// refused here: it is a withdrawal, [`Store::withdraw_run`], with a reason.
    pub async fn publish_run(
        &self,
        run_id: i64,
        publication: RunPublication,
        actor_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT r.consultation_id, r.status, r.published_at, c.results_published_at FROM analysis_runs r \
             JOIN consultations c ON c.id = r.consultation_id WHERE r.id = $1",
        )
        .bind(run_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("there is no analysis run {run_id}")))?;
        let consultation_id: i64 = row.try_get("consultation_id")?;
        let status: String = row.try_get("status")?;
        let was_published = row.try_get::<Option<i64>, _>("published_at")?.is_some();
        let results_out = row.try_get::<Option<i64>, _>("results_published_at")?.is_some();
        let published = publication != RunPublication::Out;
        if published && status != "finished" {
            return Err(StoreError::Invalid("only a finished run can be published".into()));
        }
        if !published && was_published && results_out {
            return Err(StoreError::Invalid(
                "the results are public: an administrator withdraws the run from them, with a reason".into(),
            ));
        }
        let reviewed_only = publication == RunPublication::ReviewedThemesOnly;
        sqlx::query("UPDATE analysis_runs SET published_at = $1, reviewed_only = $2 WHERE id = $3")
            .bind(published.then_some(now.0))
            .bind(i64::from(reviewed_only))
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        let (action, detail) = match publication {
            RunPublication::AllThemes => (StaffAction::PublishRun, format!("run {run_id}")),
            RunPublication::ReviewedThemesOnly => {
                (StaffAction::PublishRun, format!("run {run_id}, reviewed themes only"))
            }
            RunPublication::Out => (StaffAction::WithdrawRun, format!("run {run_id}")),
        };
        append_staff_log(&mut tx, now, Some(actor_id), Some(consultation_id), action, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a run out of the published results (an administrator's decision; the web checks the
    /// role), with the reason in the staff log. `false` when it was not in them.
    pub async fn withdraw_run(
        &self,
        run_id: i64,
        actor_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let reason = crate::editing::required_reason(reason)?;
        let mut tx = self.begin_write().await?;
        // Read to the end, as every write with `RETURNING` is (see `only_row`).
        let taken_out: Vec<i64> = sqlx::query_scalar(
            "UPDATE analysis_runs SET published_at = NULL, reviewed_only = 0 \
             WHERE id = $1 AND published_at IS NOT NULL RETURNING consultation_id",
        )
        .bind(run_id)
        .fetch_all(&mut *tx)
        .await?;
        let Some(&consultation_id) = taken_out.first() else { return Ok(false) };
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::WithdrawRun,
            &format!("run {run_id}: {reason}"),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The runs whose themes the results page shows, oldest first, with approved quotes only.
    pub async fn published_runs(&self, consultation_id: i64) -> Result<Vec<PublishedRun>> {
        let mut published: Vec<AnalysisRun> = self
            .analysis_runs(consultation_id)
            .await?
            .into_iter()
            .filter(|r| r.published_at.is_some() && r.status == RunStatus::Finished)
            .collect();
        published.reverse();
        let mut runs = Vec::with_capacity(published.len());
        for run in published {
            let mut themes = self.themes_of(run.id, true).await?;
            if run.reviewed_only {
                themes.retain(|t| t.reviewed);
            }
            let campaigns = self.run_campaigns(run.id).await?;
            runs.push(PublishedRun { run, themes, campaigns });
        }
        Ok(runs)
    }
}

/// The run, consultation and label of a theme still shown (not merged away).
/// Refuses a name that another theme of the run (`except` aside) already has, whatever its case:
/// two themes with one name would read as one on every page, and comparisons match themes by name.
async fn refuse_a_taken_name(conn: &mut AnyConnection, run_id: i64, except: i64, label: &str) -> Result<()> {
    let taken: Option<String> = sqlx::query_scalar(
        "SELECT label FROM run_themes WHERE run_id = $1 AND id <> $2 AND merged_into IS NULL \
         AND LOWER(label) = LOWER($3)",
    )
    .bind(run_id)
    .bind(except)
    .bind(label)
    .fetch_optional(&mut *conn)
    .await?;
    match taken {
        Some(other) => Err(StoreError::Invalid(format!(
            "another theme of this run is already called “{other}”: merge the two, or choose another name"
        ))),
        None => Ok(()),
    }
}

async fn theme_owner(conn: &mut AnyConnection, theme_id: i64) -> Result<(i64, i64, String)> {
    let row = sqlx::query(
        "SELECT th.run_id, r.consultation_id, th.label, th.merged_into FROM run_themes th \
         JOIN analysis_runs r ON r.id = th.run_id WHERE th.id = $1",
    )
    .bind(theme_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::Invalid(format!("there is no theme {theme_id}")))?;
    let merged: Option<i64> = row.try_get("merged_into")?;
    let label: String = row.try_get("label")?;
    if merged.is_some() {
        return Err(StoreError::Invalid(format!("the theme {label:?} was merged into another")));
    }
    Ok((row.try_get("run_id")?, row.try_get("consultation_id")?, label))
}

fn analysis_run(row: &sqlx::any::AnyRow) -> Result<AnalysisRun> {
    let scope: String = row.try_get("scope")?;
    let method: String = row.try_get("method")?;
    let status: String = row.try_get("status")?;
    let notes: String = row.try_get("notes")?;
    let started_by: Option<i64> = row.try_get("user_id")?;
    let finished_at: Option<i64> = row.try_get("finished_at")?;
    let published_at: Option<i64> = row.try_get("published_at")?;
    Ok(AnalysisRun {
        id: row.try_get("id")?,
        consultation_id: row.try_get("consultation_id")?,
        scope: RunScope::parse(&scope).ok_or_else(|| corrupt("run scope", &scope))?,
        method: RunMethod::parse(&method).ok_or_else(|| corrupt("run method", &method))?,
        framework: row.try_get("framework")?,
        themes_wanted: row.try_get("themes_wanted")?,
        mode: row.try_get("mode")?,
        model: row.try_get("model")?,
        status: RunStatus::parse(&status).ok_or_else(|| corrupt("run status", &status))?,
        stage: row.try_get("stage")?,
        done: row.try_get("done")?,
        total: row.try_get("total")?,
        error: row.try_get("error")?,
        responses: row.try_get("responses")?,
        notes: notes.lines().filter(|l| !l.is_empty()).map(str::to_string).collect(),
        started_by: started_by.map(|_| user(row)).transpose()?,
        created_at: Timestamp(row.try_get("created_at")?),
        finished_at: finished_at.map(Timestamp),
        published_at: published_at.map(Timestamp),
        reviewed_only: row.try_get::<i64, _>("reviewed_only")? != 0,
    })
}

fn channel(row: &sqlx::any::AnyRow) -> Result<ResponseChannel> {
    let c: String = row.try_get("channel")?;
    ResponseChannel::parse(&c).ok_or_else(|| corrupt("channel", &c))
}

fn respondent_type(row: &sqlx::any::AnyRow) -> Result<crate::RespondentType> {
    let c: String = row.try_get("respondent_type")?;
    crate::RespondentType::parse(&c).ok_or_else(|| corrupt("respondent_type", &c))
}

async fn insert_run(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    new: &NewRun,
    actor_id: i64,
    now: Timestamp,
) -> Result<i64> {
    if new.method == RunMethod::Framework && new.framework.trim().is_empty() {
        return Err(StoreError::Invalid("a framework run needs at least one theme".into()));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO analysis_runs (consultation_id, scope, method, framework, themes_wanted, mode, status, \
         started_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $8) RETURNING id",
    )
    .bind(new.consultation_id)
    .bind(new.scope.key())
    .bind(new.method.as_str())
    .bind(&new.framework)
    .bind(new.themes_wanted)
    .bind(&new.mode)
    .bind(actor_id)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    let detail = format!("run {id}: {}, {}, {} mode", new.scope.label(), new.method.as_str(), new.mode);
    append_staff_log(
        &mut **tx,
        now,
        Some(actor_id),
        Some(new.consultation_id),
        StaffAction::StartAnalysis,
        &detail,
    )
    .await?;
    Ok(id)
}
