//! The moderators' pages: the queue (safeguarding first, then reported, flagged, hidden, or every
//! comment; each tab with its count; by discussion) with bulk hide and restore, one comment's page
//! to decide on it alone, a member's page to block or unblock them, and the moderation log.
//! Moderators see a hidden comment's words, and can never change them. Hiding a comment emails its
//! author (when mail is set up and they have an address), naming the guideline.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{Decision, Guideline, LogEntry, QueueFilter, QueueItem, Timestamp, Visibility};
use serde::Deserialize;

use super::{FieldError, page_response};
use crate::auth::{Posted, Visitor};
use crate::format::{paragraphs, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError, notify};

/// The most comments the queue lists at once.
const QUEUE_LIMIT: i64 = 200;
const LOG_LIMIT: i64 = 500;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    filter: String,
    discussion: String,
    changed: String,
    decision: String,
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    nav: Nav,
    csrf: String,
    filters: Vec<FilterLink>,
    filter: &'static str,
    filter_label: &'static str,
    discussions: Vec<(i64, String, bool)>,
    discussion: String,
    rows: Vec<QueueRow>,
    guidelines: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    errors: Vec<FieldError>,
    decision: String,
    guideline: String,
    note: String,
}

impl QueuePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

struct FilterLink {
    href: String,
    label: &'static str,
    count: String,
    current: bool,
}

struct QueueRow {
    id: i64,
    /// Held by the checks because someone may be at risk, and not yet decided on.
    held_by_checks: bool,
    author: String,
    author_id: i64,
    badge: &'static str,
    author_blocked: bool,
    discussion_title: String,
    href: String,
    datetime: String,
    posted: String,
    paragraphs: Vec<String>,
    state: String,
    reports: String,
    flags: Vec<&'static str>,
    edited: bool,
    checked: bool,
}

#[tracing::instrument(skip_all)]
pub async fn queue(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Moderate, "/moderation")?;
    let notice = match (query.decision.as_str(), query.changed.parse::<i64>()) {
        ("hide", Ok(n)) => Some(format!("{} hidden.", comments_count(n))),
        ("restore", Ok(n)) => {
            Some(format!("{} published or restored, and their reports dealt with.", comments_count(n)))
        }
        _ => None,
    };
    let form = BulkForm { filter: query.filter, discussion: query.discussion, ..BulkForm::default() };
    queue_page(
        &state,
        &visitor,
        session.csrf_token.clone(),
        form,
        HashSet::new(),
        Vec::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    decision: String,
    guideline: String,
    note: String,
    filter: String,
    discussion: String,
}

/// Hides or restores the ticked comments, with a reason.
#[tracing::instrument(skip_all)]
pub async fn bulk(State(state): State<AppState>, posted: Posted<BulkForm>) -> Result<Response, WebError> {
    let Posted { visitor, form, fields } = posted;
    let session = policy::require(&visitor, Action::Moderate, "/moderation")?;
    let ids: Vec<i64> =
        fields.iter().filter(|(k, _)| k == "comment").filter_map(|(_, v)| v.parse().ok()).collect();
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new("queue", "Tick at least one comment."));
    }
    let decision = decision(&form.decision, &form.guideline, &form.note, "comments", &mut errors);
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        let csrf = session.csrf_token.clone();
        let ticked = ids.into_iter().collect();
        return queue_page(
            &state,
            &visitor,
            csrf,
            form,
            ticked,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let actor = session.account.user.id;
    let changed = state.store().moderate_comments(&ids, decision, actor, &form.note, state.now()).await?;
    tracing::info!(
        moderator.id = actor,
        changed = changed.len(),
        decision = form.decision,
        "moderated comments"
    );
    if matches!(decision, Decision::Hide(_)) {
        notify::comments_hidden(&state, &changed).await;
    }
    let changed = changed.len();
    let to = format!(
        "/moderation?filter={}&discussion={}&changed={changed}&decision={}",
        QueueFilter::parse(&form.filter).unwrap_or_default().key(),
        form.discussion.parse::<i64>().map(|d| d.to_string()).unwrap_or_default(),
        form.decision
    );
    Ok(Redirect::to(&to).into_response())
}

/// The decision a form asks for, or the problems with it added to `errors` (`what`: "comments",
/// or "comment").
fn decision(
    decision: &str,
    guideline: &str,
    note: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Decision> {
    let them = if what == "comment" { "it" } else { "them" };
    match (decision, Guideline::parse(guideline)) {
        ("hide", Some(guideline)) => Some(Decision::Hide(guideline)),
        ("hide", None) => {
            let breaks = if what == "comment" { "breaks" } else { "break" };
            errors.push(FieldError::new("guideline", format!("Choose the guideline the {what} {breaks}.")));
            None
        }
        ("restore", _) if note.trim().is_empty() => {
            errors.push(FieldError::new(
                "note",
                format!("Say why you publish or restore {them}, for the log."),
            ));
            None
        }
        ("restore", _) => Some(Decision::Restore),
        _ => {
            errors.push(FieldError::new(
                "decision-hide",
                format!("Choose whether to hide {them}, or to publish or restore {them}."),
            ));
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn queue_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: String,
    form: BulkForm,
    ticked: HashSet<i64>,
    errors: Vec<FieldError>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let filter = QueueFilter::parse(&form.filter).unwrap_or_default();
    let discussion = form.discussion.parse::<i64>().ok().filter(|&d| d > 0);
    let items = state.store().moderation_queue(filter, discussion, QUEUE_LIMIT).await?;
    let counts = state.store().queue_counts(discussion).await?;
    let in_discussion = discussion.map(|d| format!("&discussion={d}")).unwrap_or_default();
    let page = QueuePage {
        nav: Nav::for_visitor(visitor),
        csrf,
        filters: counts
            .into_iter()
            .map(|(f, n)| FilterLink {
                href: format!("/moderation?filter={}{in_discussion}", f.key()),
                label: f.label(),
                count: thousands(n),
                current: f == filter,
            })
            .collect(),
        filter: filter.key(),
        filter_label: filter.label(),
        discussions: state
            .store()
            .discussion_titles()
            .await?
            .into_iter()
            .map(|(id, title)| (id, title, Some(id) == discussion))
            .collect(),
        discussion: discussion.map(|d| d.to_string()).unwrap_or_default(),
        rows: items.iter().map(|item| queue_row(item, &ticked, state.now(), state.time_zone())).collect(),
        guidelines: Guideline::ALL.into_iter().map(|g| (g.key(), g.title())).collect(),
        notice,
        errors,
        decision: form.decision,
        guideline: form.guideline,
        note: form.note,
    };
    page_response(&page, status, None)
}

fn queue_row(
    item: &QueueItem,
    ticked: &HashSet<i64>,
    now: Timestamp,
    time_zone: &heard_store::TimeZone,
) -> QueueRow {
    let c = &item.comment;
    let state = if c.deleted {
        "Deleted by its author".to_owned()
    } else {
        match c.visibility {
            Visibility::Visible => "Visible".to_owned(),
            Visibility::Held if item.held_by_checks => {
                "Held by the checks: nobody else sees it until a moderator decides".to_owned()
            }
            Visibility::Held => "Held for review after reports".to_owned(),
            Visibility::Hidden(g) => format!("Hidden: {}", g.title()),
        }
    };
    let total: i64 = item.open_reports.iter().map(|(_, n)| n).sum();
    let reports = if total == 0 {
        String::new()
    } else {
        let each: Vec<String> =
            item.open_reports.iter().map(|(g, n)| format!("{} ({n})", g.title())).collect();
        format!(
            "Reported {} {}: {}",
            thousands(total),
            if total == 1 { "time" } else { "times" },
            each.join(", ")
        )
    };
    QueueRow {
        id: c.id,
        held_by_checks: item.held_by_checks && !c.deleted,
        author: c.author.display_name.clone(),
        author_id: c.author.id,
        badge: c.author.role.badge(),
        author_blocked: item.author_blocked,
        discussion_title: item.discussion_title.clone(),
        href: format!(
            "/consultations/{}/discussions/{}?per_page=200#comment-{}",
            item.consultation_slug, item.discussion_slug, c.id
        ),
        datetime: time_zone.rfc3339(c.posted_at),
        posted: c.posted_at.ago(now),
        paragraphs: paragraphs(&c.body).into_iter().map(str::to_owned).collect(),
        state,
        reports,
        flags: c.flags.iter().map(|f| f.label()).collect(),
        edited: c.edited_at.is_some(),
        checked: ticked.contains(&c.id),
    }
}

#[derive(Template)]
#[template(path = "moderation_comment.html")]
struct CommentPage {
    nav: Nav,
    csrf: String,
    row: QueueRow,
    log: Vec<LogRow>,
    guidelines: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    errors: Vec<FieldError>,
    decision: String,
    guideline: String,
    note: String,
    return_to: String,
}

impl CommentPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentQuery {
    changed: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    guideline: String,
    note: String,
}

/// One comment, with what is known about it and the form to decide on it alone.
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<CommentQuery>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Moderate, &format!("/moderation/comments/{id}"))?;
    let notice = match query.changed.as_str() {
        "hide" => {
            Some("The comment is hidden, and its author told why when they have an email address.".to_owned())
        }
        "restore" => Some("The comment is published, and any reports dealt with.".to_owned()),
        "none" => Some("Nothing changed: the comment was already like that.".to_owned()),
        _ => None,
    };
    let form = DecisionForm::default();
    comment_page(&state, &visitor, session.csrf_token.clone(), id, form, Vec::new(), notice, StatusCode::OK)
        .await
}

/// Hides, or publishes (restores), one comment.
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<DecisionForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Moderate, &format!("/moderation/comments/{id}"))?;
    let mut errors = Vec::new();
    let Some(decision) = decision(&form.decision, &form.guideline, &form.note, "comment", &mut errors) else {
        let csrf = session.csrf_token.clone();
        return comment_page(
            &state,
            &visitor,
            csrf,
            id,
            form,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if state.store().comment(id).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let actor = session.account.user.id;
    let changed = state.store().moderate_comments(&[id], decision, actor, &form.note, state.now()).await?;
    tracing::info!(
        moderator.id = actor,
        changed = changed.len(),
        decision = form.decision,
        "moderated a comment"
    );
    if matches!(decision, Decision::Hide(_)) {
        notify::comments_hidden(&state, &changed).await;
    }
    let what = if changed.is_empty() { "none" } else { form.decision.as_str() };
    Ok(Redirect::to(&format!("/moderation/comments/{id}?changed={what}")).into_response())
}

#[allow(clippy::too_many_arguments)]
async fn comment_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: String,
    id: i64,
    form: DecisionForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let item = state.store().queue_item(id).await?.ok_or(WebError::NotFound)?;
    let log = state.store().comment_log(id).await?;
    let filter = if item.comment.flags.contains(&heard_store::CheckFlag::Safeguarding) {
        QueueFilter::Safeguarding
    } else {
        QueueFilter::Reported
    };
    let page = CommentPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        row: queue_row(&item, &HashSet::new(), state.now(), state.time_zone()),
        log: log.iter().map(|e| log_row(&state, e)).collect(),
        guidelines: Guideline::ALL.into_iter().map(|g| (g.key(), g.title())).collect(),
        notice,
        errors,
        decision: form.decision,
        guideline: form.guideline,
        note: form.note,
        return_to: format!("/moderation?filter={}", filter.key()),
    };
    page_response(&page, status, None)
}

fn comments_count(n: i64) -> String {
    match n {
        1 => "1 comment".to_owned(),
        n => format!("{} comments", thousands(n)),
    }
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage {
    nav: Nav,
    rows: Vec<LogRow>,
}

struct LogRow {
    datetime: String,
    when: String,
    who: String,
    what: &'static str,
    comment: Option<i64>,
    member: Option<(i64, String)>,
    why: String,
}

/// The moderation log, newest first. It can only be read: nothing in heard changes it.
#[tracing::instrument(skip_all)]
pub async fn log(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    policy::require(&visitor, Action::Moderate, "/moderation/log")?;
    let entries = state.store().moderation_log(LOG_LIMIT).await?;
    let page = LogPage {
        nav: Nav::for_visitor(&visitor),
        rows: entries.iter().map(|e| log_row(&state, e)).collect(),
    };
    page_response(&page, StatusCode::OK, None)
}

fn log_row(state: &AppState, e: &LogEntry) -> LogRow {
    LogRow {
        datetime: state.datetime(e.at),
        when: state.when(e.at),
        who: e.actor.as_ref().map_or_else(|| "heard (automatic)".to_owned(), |u| u.display_name.clone()),
        what: e.action.label(),
        comment: e.comment_id,
        member: e.subject.as_ref().map(|u| (u.id, u.display_name.clone())),
        why: e.reason.clone(),
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    nav: Nav,
    csrf: String,
    id: i64,
    name: String,
    role: &'static str,
    joined: String,
    blocked: Option<(String, String)>,
    can_block: bool,
    reason: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlockForm {
    blocked: String,
    reason: String,
}

/// A member as moderators see them, with the form to block or unblock them.
#[tracing::instrument(skip_all, fields(user.id = id))]
pub async fn member(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Moderate, &format!("/moderation/users/{id}"))?;
    member_page(&state, &visitor, session.csrf_token.clone(), id, String::new(), None, StatusCode::OK).await
}

#[tracing::instrument(skip_all, fields(user.id = id))]
pub async fn block(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<BlockForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Moderate, &format!("/moderation/users/{id}"))?;
    let subject = state.store().account(id).await?.ok_or(WebError::NotFound)?;
    if !policy::may_block(session.account.user.role, subject.user.role) || id == session.account.user.id {
        return Err(WebError::forbidden(
            "You cannot block this member",
            "Moderators can block residents and hosts; only administrators can block moderators.",
        ));
    }
    let csrf = session.csrf_token.clone();
    if form.reason.trim().is_empty() {
        let why = "Say why, for the moderation log.".to_owned();
        return member_page(
            &state,
            &visitor,
            csrf,
            id,
            form.reason,
            Some(why),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let blocked = form.blocked != "0";
    state.store().set_blocked(id, blocked, &form.reason, session.account.user.id, state.now()).await?;
    tracing::info!(user.id = id, blocked, moderator.id = session.account.user.id, "block changed");
    Ok(Redirect::to(&format!("/moderation/users/{id}")).into_response())
}

async fn member_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: String,
    id: i64,
    reason: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let Some(account) = state.store().account(id).await? else {
        return Err(WebError::forbidden(
            "This person has no account here",
            "Their comments were imported or generated, so there is no account to block. You can still hide \
             their comments.",
        ));
    };
    let actor = visitor.role().expect("checked by the caller");
    let page = MemberPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        id,
        name: account.user.display_name.clone(),
        role: account.user.role.badge(),
        joined: state.local_date(account.created_at).long(),
        blocked: account.blocked.as_ref().map(|b| (state.local_date(b.at).long(), b.reason.clone())),
        can_block: policy::may_block(actor, account.user.role) && Some(id) != visitor.user_id(),
        reason,
        error,
    };
    page_response(&page, status, None)
}
