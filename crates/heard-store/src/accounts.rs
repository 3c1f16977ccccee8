//! Accounts, sessions and password resets: who may sign in, who is signed in, and what a person
//! can take away or delete.
//!
//! The store never sees a password or a token: callers hash passwords (Argon2id, in the web crate)
//! and pass the SHA-256 of session and reset tokens.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::*;
use crate::moderation::append_log;
use crate::queries::{corrupt, user};
use crate::{Result, Store, StoreError, Timestamp};

/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME: usize = 50;

/// The form of an email address that uniqueness and sign-in compare: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    /// Creates an account; [`StoreError::EmailTaken`] when the address (in any case) has one.
    pub async fn create_account(&self, new: &NewAccount) -> Result<i64> {
        let name = new.display_name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a display name cannot be empty".into()));
        }
        if name.chars().count() > MAX_DISPLAY_NAME {
            return Err(StoreError::Invalid(format!(
                "a display name can be at most {MAX_DISPLAY_NAME} characters"
            )));
        }
        let email = new.email.trim();
        if !looks_like_email(email) {
            return Err(StoreError::Invalid(format!("{email:?} is not an email address")));
        }
        if new.password_hash.is_empty() {
            return Err(StoreError::Invalid("an account needs a password".into()));
        }
        if let Some(borough) = &new.borough
            && !self.areas().contains(borough)
        {
            return Err(StoreError::Invalid(format!("{borough:?} is not a {} here", self.areas().noun())));
        }
        let d = &new.demographics;
        if !new.special_category_consent && (is_special(&d.ethnic_group) || is_special(&d.disability)) {
            return Err(StoreError::Invalid(
                "answers about ethnic group and disability are kept only with explicit consent".into(),
            ));
        }
        let key = email_key(email);
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1")
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::EmailTaken);
        }
        let inserted = sqlx::query_scalar(
            "INSERT INTO users (display_name, role, synthetic, created_at, email, email_key, password_hash, \
             borough, age_band, gender, ethnic_group, disability, email_confirmed_at, \
             special_category_consent_at) \
             VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(name)
        .bind(new.role.as_str())
        .bind(new.created_at.0)
        .bind(email)
        .bind(&key)
        .bind(&new.password_hash)
        .bind(&new.borough)
        .bind(&d.age_band)
        .bind(&d.gender)
        .bind(&d.ethnic_group)
        .bind(&d.disability)
        .bind(new.email_confirmed.then_some(new.created_at.0))
        .bind(new.special_category_consent.then_some(new.created_at.0))
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            // Two sign-ups with one address at once: the unique index decides.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(StoreError::EmailTaken),
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account(&self, user_id: i64) -> Result<Option<Account>> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.id = $1 AND u.email_key IS NOT NULL"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account).transpose()
    }

    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.email_key = $1"))
            .bind(email_key(email))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account).transpose()
    }

    /// Every account, newest first (staff and residents; not imported or synthetic authors).
    pub async fn accounts(&self, limit: i64) -> Result<Vec<Account>> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.email_key IS NOT NULL ORDER BY u.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account).collect()
    }

    /// The password hash to check a sign-in against.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE email_key = $1")
            .bind(email_key(email))
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: i64 = row.try_get("id")?;
        let hash: Option<String> = row.try_get("password_hash")?;
        Ok(hash.map(|password_hash| Credentials { user_id, password_hash }))
    }

    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Gives a person another role, and logs who did it.
    pub async fn set_role(&self, user_id: i64, role: Role, actor_id: i64, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(before) = before else {
            return Err(StoreError::Invalid(format!("there is no user {user_id}")));
        };
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let reason = format!("from {before} to {}", role.as_str());
        append_log(&mut tx, now, Some(actor_id), LogAction::SetRole, None, Some(user_id), &reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a session; expired sessions of the same person are cleared on the way.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(user_id)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now.0)
        .bind(expires_at.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed-in person for a session token's hash, if the session is live.
    pub async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT s.csrf_token, s.expires_at, {ACCOUNT_COLUMNS} FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Session {
            account: account(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: Timestamp(row.try_get("expires_at")?),
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Signs a person out everywhere.
    pub async fn delete_sessions_of(&self, user_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&self.writer).await?;
        Ok(())
    }

    pub async fn create_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now.0)
        .bind(expires_at.0)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Whose password a reset link resets, while it is unused and in date.
    pub async fn password_reset_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.deleted_at IS NULL",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Uses a reset link once: sets the new password, confirms the address (the link was mailed to
    /// it), and signs the person out everywhere. `None` when the link is used, out of date or unknown.
    pub async fn complete_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.0)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user_id else { return Ok(None) };
        // The link came by email, so whoever followed it holds the address: it is confirmed too.
        sqlx::query(
            "UPDATE users SET password_hash = $1, email_confirmed_at = COALESCE(email_confirmed_at, $3) \
             WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(password_hash)
        .bind(user_id)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Keeps a link that confirms the account's current address (the SHA-256 of its token).
    pub async fn create_email_confirmation(
        &self,
        user_id: i64,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let rows = sqlx::query(
            "INSERT INTO email_confirmations (token_hash, user_id, email_key, created_at, expires_at) \
             SELECT $1, id, email_key, $3, $4 FROM users WHERE id = $2 AND email_key IS NOT NULL \
             AND deleted_at IS NULL",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now.0)
        .bind(expires_at.0)
        .execute(&self.writer)
        .await?
        .rows_affected();
        if rows == 0 {
            return Err(StoreError::Invalid(format!("there is no account {user_id} to confirm")));
        }
        Ok(())
    }

    /// The account a confirmation link is for, while it is unused, in date, and the account still
    /// has the address it was sent to.
    pub async fn email_confirmation_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT c.user_id FROM email_confirmations c JOIN users u ON u.id = c.user_id \
             WHERE c.token_hash = $1 AND c.used_at IS NULL AND c.expires_at > $2 \
             AND u.email_key = c.email_key AND u.deleted_at IS NULL",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Uses a confirmation link once: the address it was sent to is confirmed, and from now on
    /// links the responses sent from it with the account. `None` when the link is used, out of date,
    /// unknown, or the account no longer has that address.
    pub async fn confirm_email(&self, token_hash: &str, now: Timestamp) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, String)> = sqlx::query_as(
            "UPDATE email_confirmations SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id, email_key",
        )
        .bind(now.0)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, key)) = row else { return Ok(None) };
        let confirmed = sqlx::query(
            "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $1) \
             WHERE id = $2 AND email_key = $3 AND deleted_at IS NULL",
        )
        .bind(now.0)
        .bind(user_id)
        .bind(&key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if confirmed == 0 {
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Withdraws consent to keep the answers about ethnic group and disability: they are deleted.
    pub async fn withdraw_special_category_consent(&self, user_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE users SET ethnic_group = NULL, disability = NULL, special_category_consent_at = NULL \
             WHERE id = $1",
        )
        .bind(user_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Everything heard holds about a person: their account, comments (with earlier versions),
    /// agreements and reports, survey drafts and submissions with their answers, places at events,
    /// and every response in the register that is theirs (by the account, or from its address once
    /// confirmed).
    pub async fn account_export(&self, user_id: i64) -> Result<Option<AccountExport>> {
        let Some(account) = self.account(user_id).await? else { return Ok(None) };
        let rows = sqlx::query(
            "SELECT c.id, c.parent_id, c.body, c.posted_at, c.edited_at, c.deleted_at, c.state, c.hidden_reason, \
             k.slug AS consultation, d.slug AS discussion FROM comments c \
             JOIN discussions d ON d.id = c.discussion_id JOIN consultations k ON k.id = d.consultation_id \
             WHERE c.author_id = $1 ORDER BY c.posted_at, c.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut comments = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let state: String = row.try_get("state")?;
            let visibility = match state.as_str() {
                "held" => Visibility::Held,
                "hidden" => {
                    let reason: String =
                        row.try_get::<Option<String>, _>("hidden_reason")?.unwrap_or_default();
                    Visibility::Hidden(
                        Guideline::parse(&reason).ok_or_else(|| corrupt("hidden reason", &reason))?,
                    )
                }
                _ => Visibility::Visible,
            };
            let earlier_versions = sqlx::query_scalar(
                "SELECT body FROM comment_revisions WHERE comment_id = $1 ORDER BY replaced_at, id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            comments.push(ExportedComment {
                id,
                consultation: row.try_get("consultation")?,
                discussion: row.try_get("discussion")?,
                reply_to: row.try_get("parent_id")?,
                body: row.try_get("body")?,
                posted_at: Timestamp(row.try_get("posted_at")?),
                edited_at: row.try_get::<Option<i64>, _>("edited_at")?.map(Timestamp),
                deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
                visibility,
                earlier_versions,
            });
        }
        let agreed_with =
            sqlx::query_scalar("SELECT comment_id FROM agreements WHERE user_id = $1 ORDER BY comment_id")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        let reports = sqlx::query(
            "SELECT comment_id, reason, created_at FROM reports WHERE reporter_id = $1 ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let reason: String = row.try_get("reason")?;
            Ok(ExportedReport {
                comment_id: row.try_get("comment_id")?,
                reason: Guideline::parse(&reason).ok_or_else(|| corrupt("report reason", &reason))?,
                at: Timestamp(row.try_get("created_at")?),
            })
        })
        .collect::<Result<_>>()?;
        let linked = self.linked_to(user_id).await?;
        let mut conn = self.pool.acquire().await?;
        let responses = linked_responses(&mut conn, &linked).await?;
        let survey_submissions = linked_submissions(&mut conn, &linked).await?;
        let event_registrations = linked_registrations(&mut conn, &linked).await?;
        Ok(Some(AccountExport {
            account,
            comments,
            agreed_with,
            reports,
            survey_submissions,
            event_registrations,
            responses,
        }))
    }

    /// Deletes an account: the person's details go, their name becomes [`FORMER_MEMBER`], and they
    /// are signed out everywhere. With them go their survey drafts, their places at events (the
    /// account's, and those taken with its confirmed address), and, unless they choose to keep them
    /// anonymously, their survey submissions and every response linked to them (by the account or
    /// its confirmed address), with the analysis runs' copies of those words and any quote of them.
    /// Kept anonymously, those stay under the former member with no address, borough or attached
    /// file. Comments stay under that name, or are deleted (leaving the same placeholder as any
    /// deleted comment) when `remove_comments` is set; a comment flagged for safeguarding is not
    /// deleted but held, hidden from the public, for the moderators (and the moderation log says
    /// so). Reports they made stay, under the former member, for the moderators' record.
    pub async fn delete_account(&self, user_id: i64, choice: &AccountDeletion, now: Timestamp) -> Result<()> {
        let linked = self.linked_to(user_id).await?;
        let mut tx = self.begin_write().await?;
        let submissions: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT id, status FROM survey_submissions WHERE user_id = $1{}",
            linked.by_address("response_id IN (SELECT id FROM responses WHERE email_key = $2)")
        ))
        .bind(user_id)
        .bind(linked.key())
        .fetch_all(&mut *tx)
        .await?;
        let response_ids: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM responses WHERE user_id = $1{}",
            linked.by_address("email_key = $2")
        ))
        .bind(user_id)
        .bind(linked.key())
        .fetch_all(&mut *tx)
        .await?;
        let drafts: Vec<i64> = submissions.iter().filter(|(_, s)| s == "draft").map(|(id, _)| *id).collect();
        let submitted: Vec<i64> =
            submissions.iter().filter(|(_, s)| s != "draft").map(|(id, _)| *id).collect();
        let in_list = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        if !drafts.is_empty() {
            let list = in_list(&drafts);
            sqlx::query(&format!("DELETE FROM survey_answers WHERE submission_id IN ({list})"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!("DELETE FROM survey_submissions WHERE id IN ({list})"))
                .execute(&mut *tx)
                .await?;
        }
        if choice.keep_words_anonymously {
            if !submitted.is_empty() {
                sqlx::query(&format!(
                    "UPDATE survey_submissions SET email = NULL, resume_token_hash = NULL WHERE id IN ({})",
                    in_list(&submitted)
                ))
                .execute(&mut *tx)
                .await?;
            }
            if !response_ids.is_empty() {
                // Linked to the former member's row, which holds nothing about them, the responses
                // stay counted once with whatever else they kept, and say nothing of who sent them.
                let list = in_list(&response_ids);
                sqlx::query(&format!(
                    "UPDATE responses SET user_id = $1, email_key = NULL, borough = '' WHERE id IN ({list})"
                ))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(&format!("DELETE FROM attachments WHERE response_id IN ({list})"))
                    .execute(&mut *tx)
                    .await?;
                let keys = response_ids.iter().map(|id| format!("'r{id}'")).collect::<Vec<_>>().join(", ");
                sqlx::query(&format!("UPDATE run_responses SET borough = '' WHERE response_key IN ({keys})"))
                    .execute(&mut *tx)
                    .await?;
            }
        } else {
            if !submitted.is_empty() {
                let list = in_list(&submitted);
                sqlx::query(&format!("DELETE FROM survey_answers WHERE submission_id IN ({list})"))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!("DELETE FROM survey_submissions WHERE id IN ({list})"))
                    .execute(&mut *tx)
                    .await?;
            }
            if !response_ids.is_empty() {
                let keys: Vec<String> = response_ids.iter().map(|id| format!("r{id}")).collect();
                forget_in_runs(&mut tx, &keys).await?;
                sqlx::query(&format!("DELETE FROM responses WHERE id IN ({})", in_list(&response_ids)))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query(&format!(
            "DELETE FROM event_registrations WHERE user_id = $1 OR person_key = $3{}",
            linked.by_address("person_key = 'e' || $2")
        ))
        .bind(user_id)
        .bind(linked.key())
        .bind(format!("u{user_id}"))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, email = NULL, email_key = NULL, password_hash = NULL, \
             borough = NULL, age_band = NULL, gender = NULL, ethnic_group = NULL, disability = NULL, \
             email_confirmed_at = NULL, special_category_consent_at = NULL, deleted_at = $2 WHERE id = $3",
        )
        .bind(FORMER_MEMBER)
        .bind(now.0)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM password_resets WHERE user_id = $1",
            "DELETE FROM email_confirmations WHERE user_id = $1",
            "DELETE FROM agreements WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        if choice.remove_comments {
            // A comment that may show someone at risk stays for the moderators: held, so the public
            // no longer sees it, with its words and earlier versions, and the log says why.
            let flagged: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT id FROM comments WHERE author_id = $1 AND deleted_at IS NULL AND {SAFEGUARDING}"
            ))
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
            for &id in &flagged {
                sqlx::query(
                    "UPDATE comments SET state = 'held', pinned_at = NULL, pinned_by = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                append_log(
                    &mut tx,
                    now,
                    None,
                    LogAction::Hold,
                    Some(id),
                    Some(user_id),
                    "its author deleted their account and asked for their comments to be removed; kept \
                     for review because it was flagged for safeguarding",
                )
                .await?;
            }
            let removed: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT id FROM comments WHERE author_id = $1 AND deleted_at IS NULL AND NOT {SAFEGUARDING}"
            ))
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
            if !removed.is_empty() {
                let list = in_list(&removed);
                sqlx::query(&format!("DELETE FROM comment_revisions WHERE comment_id IN ({list})"))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!(
                    "UPDATE comments SET body = '', deleted_at = $1, pinned_at = NULL, pinned_by = NULL \
                     WHERE id IN ({list})"
                ))
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
                let keys: Vec<String> = removed.iter().map(|id| format!("c{id}")).collect();
                forget_in_runs(&mut tx, &keys).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// How an account's responses are found: by its id, and by its address once confirmed.
    async fn linked_to(&self, user_id: i64) -> Result<Linked> {
        let row: Option<(Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT email_key, email_confirmed_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let address = match row {
            Some((Some(key), Some(_))) => Some(key),
            _ => None,
        };
        Ok(Linked { user_id, address })
    }
}

/// What the analysis runs' copies say instead of words their author took back.
pub const WORDS_REMOVED: &str = "[Removed: its author deleted their account]";

/// A comment the checks flagged for safeguarding (`flags` is comma-separated).
const SAFEGUARDING: &str = "(',' || flags || ',') LIKE '%,safeguarding,%'";

/// An account and, once confirmed, its address (as `email_key`).
struct Linked {
    user_id: i64,
    address: Option<String>,
}

impl Linked {
    /// `" OR <condition>"`, where `$2` in the condition is [`Linked::key`]: NULL when the address
    /// links nothing, which matches no row (the statement keeps its parameters either way).
    fn by_address(&self, condition: &str) -> String {
        format!(" OR {condition}")
    }

    fn key(&self) -> Option<String> {
        self.address.clone()
    }
}

/// Wipes the analysis runs' copies of the register lines of `keys` ("r5", "c12"; a response's
/// lines "r5-1", "r5-2" carry its key) and drops any quote taken from them; their place in the
/// themes' counts stays, as published.
pub(crate) async fn forget_in_runs(conn: &mut sqlx::AnyConnection, keys: &[String]) -> Result<()> {
    let list = keys.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    sqlx::query(&format!(
        "DELETE FROM run_quotes WHERE run_response_id IN \
         (SELECT id FROM run_responses WHERE response_key IN ({list}))"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!("UPDATE run_responses SET text = $1, borough = '' WHERE response_key IN ({list})"))
        .bind(WORDS_REMOVED)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn linked_responses(conn: &mut sqlx::AnyConnection, linked: &Linked) -> Result<Vec<ExportedResponse>> {
    let rows = sqlx::query(&format!(
        "SELECT r.id, k.slug, r.channel, r.source, r.received_on, r.respondent_type, r.organisation, r.borough, \
         CASE WHEN r.user_id = $1 THEN 'account' ELSE 'email address' END AS linked_by \
         FROM responses r JOIN consultations k ON k.id = r.consultation_id \
         WHERE r.user_id = $1{} ORDER BY r.received_on, r.id",
        linked.by_address("r.email_key = $2")
    ))
    .bind(linked.user_id)
    .bind(linked.key())
    .fetch_all(&mut *conn)
    .await?;
    let mut responses = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let texts =
            sqlx::query("SELECT question, text FROM response_texts WHERE response_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|t| {
                    Ok(crate::ResponseText { question: t.try_get("question")?, text: t.try_get("text")? })
                })
                .collect::<Result<_>>()?;
        let attachments =
            sqlx::query_scalar("SELECT file_name FROM attachments WHERE response_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        responses.push(ExportedResponse {
            id: format!("r{id}"),
            consultation: row.try_get("slug")?,
            channel: row.try_get("channel")?,
            source: row.try_get("source")?,
            received_on: row.try_get("received_on")?,
            respondent_type: row.try_get("respondent_type")?,
            organisation: row.try_get("organisation")?,
            borough: row.try_get("borough")?,
            linked_by: row.try_get("linked_by")?,
            texts,
            attachments,
        });
    }
    Ok(responses)
}

async fn linked_submissions(
    conn: &mut sqlx::AnyConnection,
    linked: &Linked,
) -> Result<Vec<ExportedSubmission>> {
    let rows = sqlx::query(&format!(
        "SELECT s.id, k.slug, v.title, s.status, s.email, s.respondent_type, s.organisation, s.created_at, \
         s.updated_at, s.submitted_at, s.response_id FROM survey_submissions s \
         JOIN surveys v ON v.id = s.survey_id JOIN consultations k ON k.id = s.consultation_id \
         WHERE s.user_id = $1{} ORDER BY s.created_at, s.id",
        linked.by_address("s.response_id IN (SELECT id FROM responses WHERE email_key = $2)")
    ))
    .bind(linked.user_id)
    .bind(linked.key())
    .fetch_all(&mut *conn)
    .await?;
    let mut submissions = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let values = sqlx::query(
            "SELECT a.question_id, q.prompt, a.value FROM survey_answers a \
             JOIN survey_questions q ON q.id = a.question_id JOIN survey_sections n ON n.id = q.section_id \
             WHERE a.submission_id = $1 ORDER BY n.position, q.position, q.id, a.position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut answers: Vec<(i64, ExportedAnswer)> = Vec::new();
        for v in &values {
            let question_id: i64 = v.try_get("question_id")?;
            let value: String = v.try_get("value")?;
            match answers.last_mut() {
                Some((q, answer)) if *q == question_id => answer.answer.push(value),
                _ => answers.push((
                    question_id,
                    ExportedAnswer { question: v.try_get("prompt")?, answer: vec![value] },
                )),
            }
        }
        submissions.push(ExportedSubmission {
            id,
            consultation: row.try_get("slug")?,
            survey: row.try_get("title")?,
            status: row.try_get("status")?,
            email: row.try_get("email")?,
            respondent_type: row.try_get("respondent_type")?,
            organisation: row.try_get("organisation")?,
            started_at: Timestamp(row.try_get("created_at")?),
            updated_at: Timestamp(row.try_get("updated_at")?),
            submitted_at: row.try_get::<Option<i64>, _>("submitted_at")?.map(Timestamp),
            response: row.try_get::<Option<i64>, _>("response_id")?.map(|r| format!("r{r}")),
            answers: answers.into_iter().map(|(_, a)| a).collect(),
        });
    }
    Ok(submissions)
}

async fn linked_registrations(
    conn: &mut sqlx::AnyConnection,
    linked: &Linked,
) -> Result<Vec<ExportedEventRegistration>> {
    let rows = sqlx::query(&format!(
        "SELECT k.slug, e.title, e.on_date, r.name, r.email, r.created_at FROM event_registrations r \
         JOIN events e ON e.id = r.event_id JOIN consultations k ON k.id = e.consultation_id \
         WHERE r.user_id = $1 OR r.person_key = $3{} ORDER BY r.created_at, r.id",
        linked.by_address("r.person_key = 'e' || $2")
    ))
    .bind(linked.user_id)
    .bind(linked.key())
    .bind(format!("u{}", linked.user_id))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ExportedEventRegistration {
                consultation: row.try_get("slug")?,
                event: row.try_get("title")?,
                on_date: row.try_get("on_date")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                registered_at: Timestamp(row.try_get("created_at")?),
            })
        })
        .collect()
}

/// An answer about ethnic group or disability that is special-category data (not "prefer not to say").
fn is_special(answer: &Option<String>) -> bool {
    answer.as_deref().is_some_and(|a| a != PREFER_NOT_TO_SAY)
}

const ACCOUNT_COLUMNS: &str = "u.id AS user_id, u.display_name, u.role, u.synthetic, u.email, u.borough, \
     u.age_band, u.gender, u.ethnic_group, u.disability, u.blocked_at, u.blocked_reason, u.created_at, \
     u.email_confirmed_at, u.special_category_consent_at";

fn account(row: &AnyRow) -> Result<Account> {
    let blocked_at: Option<i64> = row.try_get("blocked_at")?;
    Ok(Account {
        user: user(row)?,
        email: row.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
        borough: row.try_get("borough")?,
        demographics: Demographics {
            age_band: row.try_get("age_band")?,
            gender: row.try_get("gender")?,
            ethnic_group: row.try_get("ethnic_group")?,
            disability: row.try_get("disability")?,
        },
        blocked: match blocked_at {
            Some(at) => Some(Block {
                at: Timestamp(at),
                reason: row.try_get::<Option<String>, _>("blocked_reason")?.unwrap_or_default(),
            }),
            None => None,
        },
        created_at: Timestamp(row.try_get("created_at")?),
        email_confirmed_at: row.try_get::<Option<i64>, _>("email_confirmed_at")?.map(Timestamp),
        special_category_consent_at: row
            .try_get::<Option<i64>, _>("special_category_consent_at")?
            .map(Timestamp),
    })
}

/// Something, an @, something with a dot, no spaces: enough to catch a typo; the mail confirms.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}
