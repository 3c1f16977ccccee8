//! A discussion's page: its introduction and questions, hosts, and the comments, a page at a time.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use heard_store::{Comment, Discussion, Role, Status, Timestamp};
use serde::Deserialize;

use super::render;
use crate::format::{and_list, paragraphs, preview, thousands};
use crate::{AppState, WebError};

/// Threads shown on one page unless the visitor asks for more.
pub const THREADS_PER_PAGE: u32 = 50;
/// The most threads one page may show.
pub const MAX_THREADS_PER_PAGE: u32 = 200;
/// Characters of a comment shown before "Show full comment".
const PREVIEW_CHARS: usize = 280;

#[derive(Debug, Deserialize)]
pub struct Paging {
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Template)]
#[template(path = "discussion.html")]
struct DiscussionPage {
    d: Discussion,
    consultation_href: String,
    status: Status,
    status_notice: String,
    ran_line: String,
    intro: Vec<String>,
    hosts_line: String,
    comment_total: String,
    threads: Vec<ThreadView>,
    page: u32,
    page_count: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
}

struct ThreadView {
    comment: CommentView,
    replies: Vec<CommentView>,
}

struct CommentView {
    id: i64,
    author: String,
    badge: &'static str,
    is_host: bool,
    synthetic: bool,
    datetime: String,
    date_long: String,
    ago: String,
    /// Whole paragraphs, when the comment is short.
    whole: Vec<String>,
    /// The split, when the comment is long.
    before: Vec<String>,
    cut_head: String,
    cut_tail: String,
    after: Vec<String>,
}

#[tracing::instrument(skip(state, paging), fields(consultation.slug = %slug, discussion.slug = %discussion))]
pub async fn show(
    State(state): State<AppState>,
    Path((slug, discussion)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> Result<Html<String>, WebError> {
    let d = state.store().discussion(&slug, &discussion).await?.ok_or(WebError::NotFound)?;
    // Odd paging values are a visitor's typo, not an error: fall back to the first page.
    let page = paging.page.and_then(|p| p.parse().ok()).filter(|&p| p >= 1).unwrap_or(1);
    let per_page = paging
        .per_page
        .and_then(|p| p.parse().ok())
        .filter(|&p| p >= 1)
        .map_or(THREADS_PER_PAGE, |p: u32| p.min(MAX_THREADS_PER_PAGE));
    let comments =
        state.store().comment_page(d.summary.id, page, per_page, heard_store::CommentSort::Newest).await?;
    let page_count = comments.page_count();
    if page > page_count {
        return Err(WebError::NotFound);
    }
    let now = state.now();
    let today = now.date();
    let status = d.summary.status(today);
    let base = format!("/consultations/{}/discussions/{}", d.consultation.slug, d.summary.slug);
    let page_href = |p: u32| {
        let per = if per_page == THREADS_PER_PAGE { String::new() } else { format!("&per_page={per_page}") };
        format!("{base}?page={p}{per}#comments")
    };
    let (opens, closes) = (d.summary.opens_on.long(), d.summary.closes_on.long());
    let status_notice = match status {
        Status::Upcoming => format!("This discussion opens on {opens}."),
        Status::Open => format!("This discussion is open until {closes}."),
        Status::Closed => format!(
            "This discussion closed on {closes}. You can read what people said, but you can no longer add comments."
        ),
    };
    let ran_line = match status {
        Status::Closed => format!("The discussion ran from {opens} to {closes}."),
        _ => format!("The discussion runs from {opens} to {closes}."),
    };
    let host_names: Vec<&str> = d.hosts.iter().map(|h| h.display_name.as_str()).collect();
    let hosts_line = match (host_names.len(), d.host_organisation.as_str()) {
        (0, _) => String::new(),
        (_, "") => format!("{} will be joining in the discussion below.", and_list(&host_names)),
        (_, org) => format!("{} from {org} will be joining in the discussion below.", and_list(&host_names)),
    };
    let total = d.summary.comment_count;
    let page = DiscussionPage {
        consultation_href: format!("/consultations/{}", d.consultation.slug),
        status,
        status_notice,
        ran_line,
        intro: paragraphs(&d.summary.intro).into_iter().map(str::to_owned).collect(),
        hosts_line,
        comment_total: format!("{} {}", thousands(total), if total == 1 { "comment" } else { "comments" }),
        threads: comments
            .threads
            .iter()
            .map(|t| ThreadView {
                comment: comment_view(&t.comment, now),
                replies: t.replies.iter().map(|r| comment_view(r, now)).collect(),
            })
            .collect(),
        page,
        page_count,
        previous_href: (page > 1).then(|| page_href(page - 1)),
        next_href: (page < page_count).then(|| page_href(page + 1)),
        d,
    };
    render(&page)
}

fn comment_view(c: &Comment, now: Timestamp) -> CommentView {
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let mut view = CommentView {
        id: c.id,
        author: c.author.display_name.clone(),
        badge: c.author.role.badge(),
        is_host: c.author.role != Role::Resident,
        synthetic: c.author.synthetic,
        datetime: c.posted_at.rfc3339(),
        date_long: c.posted_at.date().long(),
        ago: c.posted_at.ago(now),
        whole: Vec::new(),
        before: Vec::new(),
        cut_head: String::new(),
        cut_tail: String::new(),
        after: Vec::new(),
    };
    match preview(&c.body, PREVIEW_CHARS) {
        None => view.whole = owned(paragraphs(&c.body)),
        Some(p) => {
            view.before = owned(p.before);
            view.cut_head = p.cut_head.to_owned();
            view.cut_tail = p.cut_tail.to_owned();
            view.after = owned(p.after);
        }
    }
    view
}
