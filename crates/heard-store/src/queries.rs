//! The queries behind [`Store`]'s methods, written once for both databases.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::model::*;
use crate::{Date, Result, Store, StoreError, Timestamp};

impl Store {
    /// Publishes a consultation (it is not a draft) with its objectives, timeline, documents and
    /// channels: the demo and imports. The back office starts a draft with [`Store::create_draft`].
    pub async fn create_consultation(&self, new: &NewConsultation) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_consultation(&mut tx, new, true).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every published consultation, soonest closing first. Drafts are for staff only.
    pub async fn list_consultations(&self) -> Result<Vec<ConsultationSummary>> {
        let rows = sqlx::query(&format!(
            "{CONSULTATION_SUMMARY} FROM consultations WHERE {PUBLISHED} ORDER BY closes_on, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(consultation_summary).collect()
    }

    /// A published consultation, as its public page shows it; a draft is not found.
    pub async fn consultation_by_slug(&self, slug: &str) -> Result<Option<Consultation>> {
        self.consultation_where(slug, PUBLISHED).await
    }

    /// A consultation's title, draft or published, by its id.
    pub async fn consultation_title(&self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT title FROM consultations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A consultation, draft or published, for the back office.
    pub async fn consultation_for_staff(&self, slug: &str) -> Result<Option<Consultation>> {
        self.consultation_where(slug, "TRUE").await
    }

    async fn consultation_where(&self, slug: &str, condition: &str) -> Result<Option<Consultation>> {
        // The summary's columns and the page's extra ones come from one row.
        let row = sqlx::query(&format!(
            "{CONSULTATION_SUMMARY}, results_expected, accessible_formats FROM consultations \
             WHERE slug = $1 AND {condition}"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let summary = consultation_summary(&row)?;
        let id = summary.id;
        Ok(Some(Consultation {
            results_expected: row.try_get("results_expected")?,
            accessible_formats: row.try_get("accessible_formats")?,
            objectives: self.objectives(id).await?,
            timeline: self.timeline(id).await?,
            documents: self.documents(id).await?,
            channels: self.channels(id).await?,
            discussions: self.discussions_of(id).await?,
            summary,
        }))
    }

    /// Adds a discussion to a consultation, with its prompt questions and hosts.
    pub async fn create_discussion(&self, consultation_id: i64, new: &NewDiscussion) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_discussion(&mut tx, consultation_id, new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a discussion and all its comments (and the consultation, when it is new) in one
    /// transaction: an import either lands whole or not at all.
    pub async fn import_discussion(&self, import: &DiscussionImport) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM consultations WHERE slug = $1")
            .bind(&import.consultation.slug)
            .fetch_optional(&mut *tx)
            .await?;
        let (consultation_id, consultation_created) = match existing {
            Some(id) => (id, false),
            None => (insert_consultation(&mut tx, &import.consultation, true).await?, true),
        };
        let mut discussion = import.discussion.clone();
        for name in &import.host_names {
            let host: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM users WHERE display_name = $1 AND role = 'host' ORDER BY id LIMIT 1",
            )
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
            let host = match host {
                Some(id) => id,
                None => insert_user(&mut tx, name, Role::Host, false).await?,
            };
            discussion.hosts.push(host);
        }
        let discussion_id = insert_discussion(&mut tx, consultation_id, &discussion).await?;
        let mut authors: Vec<(String, Role, i64)> = Vec::new();
        let mut ids = Vec::with_capacity(import.comments.len());
        for (n, comment) in import.comments.iter().enumerate() {
            let known =
                authors.iter().find(|(name, role, _)| *name == comment.author && *role == comment.role);
            let author_id = match known {
                Some((_, _, id)) => *id,
                None => {
                    let synthetic = comment.source == CommentSource::Synthetic;
                    let id = insert_user(&mut tx, &comment.author, comment.role, synthetic).await?;
                    authors.push((comment.author.clone(), comment.role, id));
                    id
                }
            };
            let parent_id = match comment.reply_to {
                Some(index) if index < n => Some(ids[index]),
                Some(index) => {
                    return Err(StoreError::Invalid(format!(
                        "comment {} replies to comment {}, which does not come before it",
                        n + 1,
                        index + 1
                    )));
                }
                None => None,
            };
            let new = NewComment {
                discussion_id,
                parent_id,
                author_id,
                body: comment.body.clone(),
                posted_at: comment.posted_at,
                source: comment.source,
                flags: Vec::new(),
            };
            ids.push(insert_comment(&mut tx, &new).await?);
        }
        tx.commit().await?;
        Ok(ImportOutcome { consultation_id, consultation_created, discussion_id, comments: ids.len() })
    }

    pub async fn discussion(
        &self,
        consultation_slug: &str,
        discussion_slug: &str,
    ) -> Result<Option<Discussion>> {
        let Some(consultation) = self.consultation_summary(consultation_slug).await? else {
            return Ok(None);
        };
        let row = sqlx::query(&format!(
            "{DISCUSSION_SUMMARY} WHERE d.consultation_id = $1 AND d.slug = $2 GROUP BY {DISCUSSION_GROUP}"
        ))
        .bind(consultation.id)
        .bind(discussion_slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let summary = discussion_summary(&row)?;
        let questions = sqlx::query_scalar(
            "SELECT text FROM discussion_questions WHERE discussion_id = $1 ORDER BY position",
        )
        .bind(summary.id)
        .fetch_all(&self.pool)
        .await?;
        let hosts = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM discussion_hosts h JOIN users u ON u.id = h.user_id \
             WHERE h.discussion_id = $1 ORDER BY h.position"
        ))
        .bind(summary.id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user)
        .collect::<Result<_>>()?;
        let host_organisation = row.try_get("host_organisation")?;
        Ok(Some(Discussion { summary, consultation, questions, hosts, host_organisation }))
    }

    /// Where a discussion is and when it is open, by its slugs, in one query.
    pub async fn discussion_ref(
        &self,
        consultation_slug: &str,
        discussion_slug: &str,
    ) -> Result<Option<DiscussionRef>> {
        let row =
            sqlx::query(&format!("{DISCUSSION_REF} WHERE c.slug = $1 AND d.slug = $2 AND {C_PUBLISHED}"))
                .bind(consultation_slug)
                .bind(discussion_slug)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(discussion_ref).transpose()
    }

    /// Where a discussion is and when it is open, by its id, for handlers that start from one of
    /// its comments.
    pub async fn discussion_ref_by_id(&self, id: i64) -> Result<Option<DiscussionRef>> {
        let row = sqlx::query(&format!("{DISCUSSION_REF} WHERE d.id = $1 AND {C_PUBLISHED}"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(discussion_ref).transpose()
    }

    /// The discussion with this id, for handlers that start from one of its comments.
    pub async fn discussion_by_id(&self, id: i64) -> Result<Option<Discussion>> {
        let row = sqlx::query(
            "SELECT c.slug AS consultation_slug, d.slug AS discussion_slug FROM discussions d \
             JOIN consultations c ON c.id = d.consultation_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let consultation: String = row.try_get("consultation_slug")?;
        let discussion: String = row.try_get("discussion_slug")?;
        self.discussion(&consultation, &discussion).await
    }

    pub async fn create_user(&self, display_name: &str, role: Role, synthetic: bool) -> Result<i64> {
        let mut conn = self.writer.acquire().await?;
        insert_user(&mut conn, display_name, role, synthetic).await
    }

    /// Posts a comment, or a reply when `parent_id` names a comment of the same discussion.
    pub async fn add_comment(&self, new: &NewComment) -> Result<i64> {
        let mut conn = self.writer.acquire().await?;
        insert_comment(&mut conn, new).await
    }

    /// One page of a discussion's threads in `sort` order; `page` counts from 1.
    pub async fn comment_page(
        &self,
        discussion_id: i64,
        page: u32,
        per_page: u32,
        sort: CommentSort,
    ) -> Result<CommentPage> {
        let per_page = per_page.clamp(1, 500);
        let page = page.max(1);
        let total_threads: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments WHERE discussion_id = $1 AND parent_id IS NULL",
        )
        .bind(discussion_id)
        .fetch_one(&self.pool)
        .await?;
        let order = match sort {
            CommentSort::Newest => "c.posted_at DESC, c.id DESC",
            CommentSort::Oldest => "c.posted_at, c.id",
            CommentSort::MostAgreed => "agree_count DESC, c.posted_at DESC, c.id DESC",
        };
        let tops = sqlx::query(&format!(
            "{COMMENT_COLUMNS} WHERE c.discussion_id = $1 AND c.parent_id IS NULL \
             ORDER BY {order} LIMIT $2 OFFSET $3"
        ))
        .bind(discussion_id)
        .bind(i64::from(per_page))
        .bind(i64::from(page - 1) * i64::from(per_page))
        .fetch_all(&self.pool)
        .await?;
        let mut threads: Vec<Thread> = tops
            .iter()
            .map(|row| Ok(Thread { comment: comment(row)?, replies: Vec::new() }))
            .collect::<Result<_>>()?;
        if !threads.is_empty() {
            // The replies of the page's threads, in one query.
            let placeholders: Vec<String> = (1..=threads.len()).map(|n| format!("${n}")).collect();
            let sql = &format!(
                "{COMMENT_COLUMNS} WHERE c.parent_id IN ({}) ORDER BY c.posted_at, c.id",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sql);
            for thread in &threads {
                query = query.bind(thread.comment.id);
            }
            for row in &query.fetch_all(&self.pool).await? {
                let reply = comment(row)?;
                if let Some(thread) = threads.iter_mut().find(|t| Some(t.comment.id) == reply.parent_id) {
                    thread.replies.push(reply);
                }
            }
        }
        Ok(CommentPage { threads, page, per_page, total_threads })
    }

    /// Comments of a discussion the public may read (not held, hidden or deleted), oldest first,
    /// `limit` from `offset`, and how many there are: the open data and the API. Replies come in
    /// the order posted like every other comment, with the id of the comment they answer.
    pub async fn published_comments(
        &self,
        discussion_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Comment>, i64)> {
        const PUBLISHED_COMMENT: &str =
            "c.discussion_id = $1 AND c.state = 'visible' AND c.deleted_at IS NULL";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM comments c WHERE {PUBLISHED_COMMENT}"))
                .bind(discussion_id)
                .fetch_one(&self.pool)
                .await?;
        let rows = sqlx::query(&format!(
            "{COMMENT_COLUMNS} WHERE {PUBLISHED_COMMENT} ORDER BY c.posted_at, c.id LIMIT $2 OFFSET $3"
        ))
        .bind(discussion_id)
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let comments = rows.iter().map(comment).collect::<Result<Vec<_>>>()?;
        Ok((comments, total))
    }

    async fn consultation_summary(&self, slug: &str) -> Result<Option<ConsultationSummary>> {
        let row = sqlx::query(&format!(
            "{CONSULTATION_SUMMARY} FROM consultations WHERE slug = $1 AND {PUBLISHED}"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(consultation_summary).transpose()
    }

    async fn objectives(&self, consultation_id: i64) -> Result<Vec<NewObjective>> {
        let rows = sqlx::query(
            "SELECT id, title, summary FROM objectives WHERE consultation_id = $1 ORDER BY position",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        let mut objectives = Vec::with_capacity(rows.len());
        for row in rows {
            let commitments =
                sqlx::query_scalar("SELECT text FROM commitments WHERE objective_id = $1 ORDER BY position")
                    .bind(row.try_get::<i64, _>("id")?)
                    .fetch_all(&self.pool)
                    .await?;
            objectives.push(NewObjective {
                title: row.try_get("title")?,
                summary: row.try_get("summary")?,
                commitments,
            });
        }
        Ok(objectives)
    }

    async fn timeline(&self, consultation_id: i64) -> Result<Vec<TimelineEntry>> {
        let rows = sqlx::query(
            "SELECT on_date, title, detail FROM timeline_entries WHERE consultation_id = $1 \
             ORDER BY on_date, position",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TimelineEntry {
                    on_date: date(row, "on_date")?,
                    title: row.try_get("title")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    async fn documents(&self, consultation_id: i64) -> Result<Vec<Document>> {
        let rows = sqlx::query(
            "SELECT title, url, format, easy_read FROM documents WHERE consultation_id = $1 ORDER BY position",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Document {
                    title: row.try_get("title")?,
                    url: row.try_get("url")?,
                    format: row.try_get("format")?,
                    easy_read: row.try_get::<i64, _>("easy_read")? != 0,
                })
            })
            .collect()
    }

    async fn channels(&self, consultation_id: i64) -> Result<Vec<Channel>> {
        let rows = sqlx::query(
            "SELECT kind, title, detail, address FROM channels WHERE consultation_id = $1 ORDER BY position",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(Channel {
                    kind: ChannelKind::parse(&kind).ok_or_else(|| corrupt("channel kind", &kind))?,
                    title: row.try_get("title")?,
                    detail: row.try_get("detail")?,
                    address: row.try_get("address")?,
                })
            })
            .collect()
    }

    async fn discussions_of(&self, consultation_id: i64) -> Result<Vec<DiscussionSummary>> {
        let rows = sqlx::query(&format!(
            "{DISCUSSION_SUMMARY} WHERE d.consultation_id = $1 GROUP BY {DISCUSSION_GROUP} ORDER BY d.position"
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(discussion_summary).collect()
    }
}

/// Inserts a consultation and its parts; `published` at once (the demo, imports) or as a draft.
pub(crate) async fn insert_consultation(
    conn: &mut AnyConnection,
    new: &NewConsultation,
    published: bool,
) -> Result<i64> {
    check_consultation(conn, new, None).await?;
    let now = Timestamp::now().0;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO consultations (slug, title, summary, organisation, respondent_noun, opens_on, \
         closes_on, recorded_responses, results_expected, accessible_formats, created_at, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
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
    .bind(now)
    .bind(published.then_some(now))
    .fetch_one(&mut *conn)
    .await?;
    insert_parts(conn, id, new).await?;
    Ok(id)
}

/// Refuses a consultation whose slug cannot be used or is taken by another (`except`: the one being
/// edited), or that closes before it opens.
pub(crate) async fn check_consultation(
    conn: &mut AnyConnection,
    new: &NewConsultation,
    except: Option<i64>,
) -> Result<()> {
    validate_slug(&new.slug)?;
    if new.closes_on < new.opens_on {
        return Err(StoreError::Invalid(format!(
            "the consultation closes ({}) before it opens ({})",
            new.closes_on, new.opens_on
        )));
    }
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM consultations WHERE slug = $1")
        .bind(&new.slug)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() && taken != except {
        return Err(StoreError::Invalid(format!("a consultation called {:?} exists already", new.slug)));
    }
    Ok(())
}

pub(crate) async fn insert_discussion(
    conn: &mut AnyConnection,
    consultation_id: i64,
    new: &NewDiscussion,
) -> Result<i64> {
    validate_slug(&new.slug)?;
    if new.closes_on < new.opens_on {
        return Err(StoreError::Invalid(format!(
            "the discussion closes ({}) before it opens ({})",
            new.closes_on, new.opens_on
        )));
    }
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM discussions WHERE consultation_id = $1 AND slug = $2")
            .bind(consultation_id)
            .bind(&new.slug)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Err(StoreError::Invalid(format!(
            "this consultation already has a discussion called {:?}",
            new.slug
        )));
    }
    let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM discussions WHERE consultation_id = $1")
        .bind(consultation_id)
        .fetch_one(&mut *conn)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO discussions (consultation_id, position, slug, title, intro, opens_on, closes_on, \
         host_organisation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(consultation_id)
    .bind(position)
    .bind(&new.slug)
    .bind(&new.title)
    .bind(&new.intro)
    .bind(new.opens_on.to_string())
    .bind(new.closes_on.to_string())
    .bind(&new.host_organisation)
    .fetch_one(&mut *conn)
    .await?;
    for (position, text) in new.questions.iter().enumerate() {
        sqlx::query("INSERT INTO discussion_questions (discussion_id, position, text) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(position as i64)
            .bind(text)
            .execute(&mut *conn)
            .await?;
    }
    for (position, user_id) in new.hosts.iter().enumerate() {
        sqlx::query("INSERT INTO discussion_hosts (discussion_id, user_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(user_id)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

async fn insert_user(
    conn: &mut AnyConnection,
    display_name: &str,
    role: Role,
    synthetic: bool,
) -> Result<i64> {
    let name = display_name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a display name cannot be empty".into()));
    }
    let ids = sqlx::query_scalar(
        "INSERT INTO users (display_name, role, synthetic, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(i64::from(synthetic))
    .bind(Timestamp::now().0)
    .fetch_all(&mut *conn)
    .await?;
    crate::only_row(ids)
}

pub(crate) async fn insert_comment(conn: &mut AnyConnection, new: &NewComment) -> Result<i64> {
    if new.body.trim().is_empty() {
        return Err(StoreError::Invalid("a comment cannot be empty".into()));
    }
    crate::refuse_nul("the comment", &new.body)?;
    let mut parent_id = new.parent_id;
    if let Some(parent) = new.parent_id {
        let row = sqlx::query("SELECT discussion_id, parent_id FROM comments WHERE id = $1")
            .bind(parent)
            .fetch_optional(&mut *conn)
            .await?;
        let found = row
            .map(|row| -> Result<(i64, Option<i64>)> {
                Ok((row.try_get("discussion_id")?, row.try_get("parent_id")?))
            })
            .transpose()?;
        match found {
            Some((discussion, grandparent)) if discussion == new.discussion_id => {
                // A reply to a reply joins its thread.
                parent_id = Some(grandparent.unwrap_or(parent));
            }
            _ => {
                return Err(StoreError::Invalid(format!(
                    "comment {parent} is not in this discussion, so it cannot be replied to here"
                )));
            }
        }
    }
    let ids = sqlx::query_scalar(
        "INSERT INTO comments (discussion_id, parent_id, author_id, body, posted_at, source, flags) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.discussion_id)
    .bind(parent_id)
    .bind(new.author_id)
    .bind(&new.body)
    .bind(new.posted_at.0)
    .bind(new.source.as_str())
    .bind(crate::posting::flag_list(&new.flags))
    .fetch_all(&mut *conn)
    .await?;
    crate::only_row(ids)
}

pub(crate) async fn insert_parts(conn: &mut AnyConnection, id: i64, new: &NewConsultation) -> Result<()> {
    check_links(new)?;
    for (position, objective) in new.objectives.iter().enumerate() {
        let objective_id: i64 = sqlx::query_scalar(
            "INSERT INTO objectives (consultation_id, position, title, summary) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&objective.title)
        .bind(&objective.summary)
        .fetch_one(&mut *conn)
        .await?;
        for (position, text) in objective.commitments.iter().enumerate() {
            sqlx::query("INSERT INTO commitments (objective_id, position, text) VALUES ($1, $2, $3)")
                .bind(objective_id)
                .bind(position as i64)
                .bind(text)
                .execute(&mut *conn)
                .await?;
        }
    }
    for (position, entry) in new.timeline.iter().enumerate() {
        sqlx::query(
            "INSERT INTO timeline_entries (consultation_id, position, on_date, title, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(entry.on_date.to_string())
        .bind(&entry.title)
        .bind(&entry.detail)
        .execute(&mut *conn)
        .await?;
    }
    for (position, document) in new.documents.iter().enumerate() {
        sqlx::query(
            "INSERT INTO documents (consultation_id, position, title, url, format, easy_read) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&document.title)
        .bind(&document.url)
        .bind(&document.format)
        .bind(i64::from(document.easy_read))
        .execute(&mut *conn)
        .await?;
    }
    for (position, channel) in new.channels.iter().enumerate() {
        sqlx::query(
            "INSERT INTO channels (consultation_id, position, kind, title, detail, address) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(channel.kind.as_str())
        .bind(&channel.title)
        .bind(&channel.detail)
        .bind(&channel.address)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Refuses a document's or a channel's link that a page could not safely carry (see [`crate::links`]).
fn check_links(new: &NewConsultation) -> Result<()> {
    let documents = new.documents.iter().map(|d| (&d.title, &d.url));
    // The survey's and events' ways to respond link to their page; email and post hold addresses.
    let channels = new
        .channels
        .iter()
        .filter(|c| matches!(c.kind, ChannelKind::Survey | ChannelKind::Events) && !c.address.is_empty())
        .map(|c| (&c.title, &c.address));
    for (title, link) in documents.chain(channels) {
        if let Some(problem) = crate::links::link_problem(link) {
            return Err(StoreError::Invalid(format!("{title}: {problem}")));
        }
    }
    Ok(())
}

/// What the public may see: published consultations not withdrawn (a condition on `consultations`).
pub(crate) const PUBLISHED: &str = "published_at IS NOT NULL AND withdrawn_at IS NULL";
/// [`PUBLISHED`] for `consultations c`.
pub(crate) const C_PUBLISHED: &str = "c.published_at IS NOT NULL AND c.withdrawn_at IS NULL";

/// The columns of a [`ConsultationSummary`]; callers add more columns or `FROM consultations`.
pub(crate) const CONSULTATION_SUMMARY: &str = "SELECT id, slug, title, summary, organisation, respondent_noun, \
     opens_on, closes_on, recorded_responses, published_at, results_published_at, withdrawn_at, \
     results_withdrawn_at";

/// A discussion closes when its consultation does, if not before: the `closes_on` every read gives is
/// the earlier of the two (ISO dates compare as text), so the one check posting makes, and the
/// closed state its page shows, follow the consultation. Staff's own date is kept as they typed it.
macro_rules! discussion_closes_on {
    ($consultation:literal) => {
        concat!(
            "CASE WHEN ",
            $consultation,
            ".closes_on < d.closes_on THEN ",
            $consultation,
            ".closes_on ELSE d.closes_on END AS closes_on"
        )
    };
}

/// Only comments the public can read are counted: not those deleted by their authors, held for a
/// moderator or hidden (a count of 3 over two readable comments would tell of the held one).
const DISCUSSION_SUMMARY: &str = concat!(
    "SELECT d.id, d.slug, d.title, d.intro, d.opens_on, ",
    discussion_closes_on!("k"),
    ", d.host_organisation, COUNT(c.id) AS comment_count FROM discussions d \
     JOIN consultations k ON k.id = d.consultation_id \
     LEFT JOIN comments c ON c.discussion_id = d.id AND c.deleted_at IS NULL AND c.state = 'visible'"
);

const DISCUSSION_REF: &str = concat!(
    "SELECT d.id, d.slug, d.title, d.opens_on, ",
    discussion_closes_on!("c"),
    ", c.slug AS consultation_slug FROM discussions d JOIN consultations c ON c.id = d.consultation_id"
);

const DISCUSSION_GROUP: &str =
    "d.id, d.slug, d.title, d.intro, d.opens_on, d.closes_on, k.closes_on, d.host_organisation, d.position";

pub(crate) const USER_COLUMNS: &str = "u.id AS user_id, u.display_name, u.role, u.synthetic";

/// The fields of a [`Comment`] (with its agreements counted), from `comments c` joined to its
/// author `u`.
macro_rules! comment_fields {
    () => {
        "c.id, c.discussion_id, c.parent_id, c.body, c.posted_at, c.source, c.edited_at, c.deleted_at, \
         c.state, c.hidden_reason, c.pinned_at, c.flags, \
         (SELECT COUNT(*) FROM agreements a WHERE a.comment_id = c.id) AS agree_count, \
         u.id AS user_id, u.display_name, u.role, u.synthetic"
    };
}

pub(crate) const COMMENT_FIELDS: &str = comment_fields!();

/// `SELECT` of a [`Comment`]'s fields `FROM comments c` and its author; callers add `WHERE ...`.
pub(crate) const COMMENT_COLUMNS: &str =
    concat!("SELECT ", comment_fields!(), " FROM comments c JOIN users u ON u.id = c.author_id");

pub(crate) fn consultation_summary(row: &AnyRow) -> Result<ConsultationSummary> {
    Ok(ConsultationSummary {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        organisation: row.try_get("organisation")?,
        respondent_noun: row.try_get("respondent_noun")?,
        opens_on: date(row, "opens_on")?,
        closes_on: date(row, "closes_on")?,
        recorded_responses: row.try_get("recorded_responses")?,
        published: row.try_get::<Option<i64>, _>("published_at")?.is_some(),
        results_published: row.try_get::<Option<i64>, _>("results_published_at")?.is_some(),
        withdrawn_at: row.try_get::<Option<i64>, _>("withdrawn_at")?.map(Timestamp),
        results_withdrawn_at: row.try_get::<Option<i64>, _>("results_withdrawn_at")?.map(Timestamp),
    })
}

fn discussion_summary(row: &AnyRow) -> Result<DiscussionSummary> {
    Ok(DiscussionSummary {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        intro: row.try_get("intro")?,
        opens_on: date(row, "opens_on")?,
        closes_on: date(row, "closes_on")?,
        comment_count: row.try_get("comment_count")?,
    })
}

fn discussion_ref(row: &AnyRow) -> Result<DiscussionRef> {
    Ok(DiscussionRef {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        opens_on: date(row, "opens_on")?,
        closes_on: date(row, "closes_on")?,
        consultation_slug: row.try_get("consultation_slug")?,
    })
}

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("user_id")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        synthetic: row.try_get::<i64, _>("synthetic")? != 0,
    })
}

pub(crate) fn comment(row: &AnyRow) -> Result<Comment> {
    let source: String = row.try_get("source")?;
    let state: String = row.try_get("state")?;
    let visibility = match state.as_str() {
        "visible" => Visibility::Visible,
        "held" => Visibility::Held,
        "hidden" => {
            let reason: Option<String> = row.try_get("hidden_reason")?;
            let reason = reason.unwrap_or_default();
            Visibility::Hidden(Guideline::parse(&reason).ok_or_else(|| corrupt("hidden reason", &reason))?)
        }
        other => return Err(corrupt("comment state", other)),
    };
    let flags: String = row.try_get("flags")?;
    Ok(Comment {
        id: row.try_get("id")?,
        discussion_id: row.try_get("discussion_id")?,
        parent_id: row.try_get("parent_id")?,
        author: user(row)?,
        body: row.try_get("body")?,
        posted_at: Timestamp(row.try_get("posted_at")?),
        source: CommentSource::parse(&source).ok_or_else(|| corrupt("comment source", &source))?,
        edited_at: row.try_get::<Option<i64>, _>("edited_at")?.map(Timestamp),
        deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
        visibility,
        agree_count: row.try_get("agree_count")?,
        pinned: row.try_get::<Option<i64>, _>("pinned_at")?.is_some(),
        flags: flags.split(',').filter_map(CheckFlag::parse).collect(),
    })
}

pub(crate) fn date(row: &AnyRow, column: &str) -> Result<Date> {
    let text: String = row.try_get(column)?;
    Date::parse_iso(&text).map_err(|_| corrupt(column, &text))
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("unexpected {what} {value:?} in the database").into()))
}

/// A slug is what a URL shows: lower-case letters, digits and single hyphens.
pub(crate) fn validate_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= 80
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{slug:?} cannot be used in a web address: use lower-case letters, digits and hyphens"
        )))
    }
}
