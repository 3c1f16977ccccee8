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
            && !LONDON_BOROUGHS.contains(&borough.as_str())
        {
            return Err(StoreError::Invalid(format!("{borough:?} is not a London borough")));
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
        let d = &new.demographics;
        let inserted = sqlx::query_scalar(
            "INSERT INTO users (display_name, role, synthetic, created_at, email, email_key, password_hash, \
             borough, age_band, gender, ethnic_group, disability) \
             VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
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

    /// Uses a reset link once: sets the new password and signs the person out everywhere. `None`
    /// when the link is used, out of date or unknown.
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
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Everything heard holds about a person: their account, comments (with earlier versions),
    /// agreements and reports.
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
        Ok(Some(AccountExport { account, comments, agreed_with, reports }))
    }

    /// Deletes an account: the person's details go, their name becomes [`FORMER_MEMBER`], and they
    /// are signed out everywhere. Their comments stay under that name, or are deleted (leaving the
    /// same placeholder as any deleted comment) when `remove_comments` is set.
    pub async fn delete_account(&self, user_id: i64, remove_comments: bool, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, email = NULL, email_key = NULL, password_hash = NULL, \
             borough = NULL, age_band = NULL, gender = NULL, ethnic_group = NULL, disability = NULL, \
             deleted_at = $2 WHERE id = $3",
        )
        .bind(FORMER_MEMBER)
        .bind(now.0)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM password_resets WHERE user_id = $1",
            "DELETE FROM agreements WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        if remove_comments {
            sqlx::query(
                "DELETE FROM comment_revisions WHERE comment_id IN (SELECT id FROM comments WHERE author_id = $1)",
            )
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE comments SET body = '', deleted_at = $1, pinned_at = NULL, pinned_by = NULL \
                 WHERE author_id = $2 AND deleted_at IS NULL",
            )
            .bind(now.0)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

const ACCOUNT_COLUMNS: &str = "u.id AS user_id, u.display_name, u.role, u.synthetic, u.email, u.borough, \
     u.age_band, u.gender, u.ethnic_group, u.disability, u.blocked_at, u.blocked_reason, u.created_at";

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
