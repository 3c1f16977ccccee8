//! A discussion's page: its introduction and questions, hosts, pinned comments, the comments a page
//! at a time in the order asked for, and, for signed-in people, the forms to take part.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use heard_store::{
    Account, CheckFlag, Comment, CommentSort, Discussion, Role, Status, Timestamp, Visibility,
};
use serde::Deserialize;

use super::render;
use crate::auth::Visitor;
use crate::format::{agreement_count, and_list, paragraphs, preview, query_escape, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// Threads shown on one page unless the visitor asks for more.
pub const THREADS_PER_PAGE: u32 = 50;
/// The most threads one page may show.
pub const MAX_THREADS_PER_PAGE: u32 = 200;
/// Characters of a comment shown before "Show full comment".
const PREVIEW_CHARS: usize = 280;
/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;

#[derive(Debug, Deserialize)]
pub struct Paging {
    page: Option<String>,
    per_page: Option<String>,
    sort: Option<String>,
}

#[derive(Template)]
#[template(path = "discussion.html")]
struct DiscussionPage {
    nav: Nav,
    d: Discussion,
    consultation_href: String,
    status: Status,
    status_notice: String,
    ran_line: String,
    intro: Vec<String>,
    hosts_line: String,
    comment_total: String,
    pinned: Vec<CommentView>,
    threads: Vec<ThreadView>,
    page: u32,
    page_count: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
    sorts: Vec<SortLink>,
    part: TakingPart,
    max_comment_chars: usize,
}

/// What the visitor can do on this page, and what its forms carry.
pub struct TakingPart {
    pub signed_in: bool,
    /// Signed in, not blocked, and the discussion open.
    pub can_post: bool,
    pub blocked: Option<String>,
    pub csrf: String,
    pub sign_in_href: String,
    pub register_href: String,
    /// Where the forms on this page come back to: this page, as it was asked for.
    pub return_to: String,
    /// Where new comments and replies are posted.
    pub post_action: String,
}

struct SortLink {
    href: String,
    label: &'static str,
    current: bool,
}

struct ThreadView {
    comment: CommentView,
    replies: Vec<CommentView>,
}

pub struct CommentView {
    pub id: i64,
    pub author: String,
    pub badge: &'static str,
    pub is_host: bool,
    pub synthetic: bool,
    pub datetime: String,
    pub date_long: String,
    pub ago: String,
    pub edited: Option<String>,
    /// Shown instead of the text of a deleted or held comment.
    pub placeholder: Option<&'static str>,
    /// Held for a moderator, and shown to its author with a note saying nobody else sees it.
    pub held_for_author: bool,
    /// The guideline (anchor and title) a moderator hid the comment for.
    pub hidden: Option<(&'static str, &'static str)>,
    pub pinned: bool,
    /// Whole paragraphs, when the comment is short.
    pub whole: Vec<String>,
    /// The split, when the comment is long.
    pub before: Vec<String>,
    pub cut_head: String,
    pub cut_tail: String,
    pub after: Vec<String>,
    pub agreements: String,
    pub agreed: bool,
    pub can_agree: bool,
    pub can_reply: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_report: bool,
    pub can_pin: bool,
}

#[tracing::instrument(skip(state, visitor, paging), fields(consultation.slug = %slug, discussion.slug = %discussion))]
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, discussion)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> Result<Html<String>, WebError> {
    let Some(d) = state.store().discussion(&slug, &discussion).await? else {
        return Err(super::missing_consultation(&state, &slug, None).await);
    };
    // Odd paging values are a visitor's typo, not an error: fall back to the first page.
    let page = paging.page.and_then(|p| p.parse().ok()).filter(|&p| p >= 1).unwrap_or(1);
    let per_page = paging
        .per_page
        .and_then(|p| p.parse().ok())
        .filter(|&p| p >= 1)
        .map_or(THREADS_PER_PAGE, |p: u32| p.min(MAX_THREADS_PER_PAGE));
    let sort = paging.sort.as_deref().and_then(CommentSort::parse).unwrap_or_default();
    let comments = state.store().comment_page(d.summary.id, page, per_page, sort).await?;
    let page_count = comments.page_count();
    if page > page_count {
        return Err(WebError::NotFound);
    }
    let now = state.now();
    let today = state.local_date(now);
    let status = d.summary.status(today);
    let base = discussion_href(&d);
    let per = if per_page == THREADS_PER_PAGE { String::new() } else { format!("&per_page={per_page}") };
    let sorted = |sort: CommentSort| {
        if sort == CommentSort::Newest { String::new() } else { format!("&sort={}", sort.key()) }
    };
    let page_href = |p: u32| format!("{base}?page={p}{per}{}#comments", sorted(sort));
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
    let return_to = format!("{base}?page={page}{per}{}", sorted(sort));
    let part = taking_part(&state, &visitor, &d, status, return_to);
    let pinned_comments = state.store().pinned_comments(d.summary.id).await?;
    let mut ids: Vec<i64> = comments
        .threads
        .iter()
        .flat_map(|t| std::iter::once(t.comment.id).chain(t.replies.iter().map(|r| r.id)))
        .collect();
    ids.extend(pinned_comments.iter().map(|c| c.id));
    let agreed: HashSet<i64> = match visitor.user_id() {
        Some(user) => state.store().agreed_among(user, &ids).await?.into_iter().collect(),
        None => HashSet::new(),
    };
    let viewer = Viewer {
        account: visitor.account(),
        open: status == Status::Open,
        now,
        agreed: &agreed,
        time_zone: state.time_zone(),
    };
    let total = d.summary.comment_count;
    let page = DiscussionPage {
        nav: Nav::for_visitor(&visitor),
        consultation_href: format!("/consultations/{}", d.consultation.slug),
        status,
        status_notice,
        ran_line,
        intro: paragraphs(&d.summary.intro).into_iter().map(str::to_owned).collect(),
        hosts_line,
        comment_total: format!("{} {}", thousands(total), if total == 1 { "comment" } else { "comments" }),
        pinned: pinned_comments.iter().filter(|c| c.is_public()).map(|c| comment_view(c, &viewer)).collect(),
        threads: comments
            .threads
            .iter()
            .filter(|t| !withheld(&t.comment, &viewer))
            .map(|t| ThreadView {
                comment: comment_view(&t.comment, &viewer),
                replies: t
                    .replies
                    .iter()
                    .filter(|r| !withheld(r, &viewer))
                    .map(|r| comment_view(r, &viewer))
                    .collect(),
            })
            .collect(),
        page,
        page_count,
        previous_href: (page > 1).then(|| page_href(page - 1)),
        next_href: (page < page_count).then(|| page_href(page + 1)),
        sorts: CommentSort::ALL
            .into_iter()
            .map(|s| SortLink {
                href: format!("{base}?sort={}{per}#comments", s.key()),
                label: s.label(),
                current: s == sort,
            })
            .collect(),
        part,
        max_comment_chars: MAX_COMMENT_CHARS,
        d,
    };
    render(&page)
}

/// `/consultations/SLUG/discussions/SLUG`.
pub fn discussion_href(d: &Discussion) -> String {
    format!("/consultations/{}/discussions/{}", d.consultation.slug, d.summary.slug)
}

pub fn taking_part(
    state: &AppState,
    visitor: &Visitor,
    d: &Discussion,
    status: Status,
    return_to: String,
) -> TakingPart {
    let account = visitor.account();
    let blocked = account.and_then(policy::blocked_message);
    let (csrf, _) = visitor.form_token(state.settings().secure_cookies);
    let next = query_escape(&format!("{return_to}#comments"));
    TakingPart {
        signed_in: account.is_some(),
        can_post: account.is_some() && blocked.is_none() && status == Status::Open,
        blocked,
        csrf: if account.is_some() { csrf } else { String::new() },
        sign_in_href: format!("/login?next={next}"),
        register_href: format!("/register?next={next}"),
        post_action: format!("{}/comments", discussion_href(d)),
        return_to,
    }
}

struct Viewer<'a> {
    account: Option<&'a Account>,
    open: bool,
    now: Timestamp,
    agreed: &'a HashSet<i64>,
    time_zone: &'a heard_store::TimeZone,
}

/// Whether `c` is left out of the page for this viewer: a comment held because someone may be at
/// risk is seen by its author and moderators only; to everyone else it has not been posted.
fn withheld(c: &Comment, viewer: &Viewer) -> bool {
    c.visibility == Visibility::Held
        && !c.deleted
        && c.flags.contains(&CheckFlag::Safeguarding)
        && !viewer
            .account
            .is_some_and(|a| a.user.id == c.author.id || policy::allows(a.user.role, Action::Moderate))
}

fn comment_view(c: &Comment, viewer: &Viewer) -> CommentView {
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let me = viewer.account;
    let mine = me.is_some_and(|a| a.user.id == c.author.id);
    let may_take_part = me.is_some_and(|a| a.blocked.is_none());
    let public = c.is_public();
    let mut view = CommentView {
        id: c.id,
        author: c.author.display_name.clone(),
        badge: c.author.role.badge(),
        is_host: c.author.role != Role::Resident,
        synthetic: c.author.synthetic,
        datetime: viewer.time_zone.rfc3339(c.posted_at),
        date_long: viewer.time_zone.date(c.posted_at).long(),
        ago: c.posted_at.ago(viewer.now),
        edited: c.edited_at.filter(|_| public).map(|at| at.ago(viewer.now)),
        placeholder: if c.deleted {
            Some("This comment was deleted by its author.")
        } else if c.visibility == Visibility::Held && !mine {
            Some("This comment is hidden while a moderator reviews it.")
        } else {
            None
        },
        hidden: match c.visibility {
            Visibility::Hidden(g) if !c.deleted => Some((g.key(), g.title())),
            _ => None,
        },
        held_for_author: mine && !c.deleted && c.visibility == Visibility::Held,
        pinned: c.pinned && public,
        whole: Vec::new(),
        before: Vec::new(),
        cut_head: String::new(),
        cut_tail: String::new(),
        after: Vec::new(),
        agreements: if public && c.agree_count > 0 { agreement_count(c.agree_count) } else { String::new() },
        agreed: viewer.agreed.contains(&c.id),
        can_agree: public && viewer.open && may_take_part && !mine,
        can_reply: public && viewer.open && may_take_part,
        can_edit: viewer.open && me.is_some_and(|a| policy::may_edit(a, c, viewer.now)),
        can_delete: mine && !c.deleted,
        can_report: public && may_take_part && !mine,
        can_pin: !c.deleted
            && c.visibility == Visibility::Visible
            && me.is_some_and(|a| policy::allows(a.user.role, Action::Pin)),
    };
    if public || view.held_for_author {
        match preview(&c.body, PREVIEW_CHARS) {
            None => view.whole = owned(paragraphs(&c.body)),
            Some(p) => {
                view.before = owned(p.before);
                view.cut_head = p.cut_head.to_owned();
                view.cut_tail = p.cut_tail.to_owned();
                view.after = owned(p.after);
            }
        }
    }
    view
}
