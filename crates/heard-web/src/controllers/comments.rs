//! Taking part in a discussion: posting a comment or a reply, editing it within 15 minutes,
//! deleting it, agreeing with others, reporting a comment, and (hosts) pinning one.
//!
//! Every form that carries text shows it again with what is wrong when it cannot be accepted, so
//! nothing typed is lost: on a closed discussion, a blocked account or an ended session too.
//!
//! Before a comment (or a reply, or an edit) is published, it goes through the checks
//! (`screening`): personal data holds it back on a page showing the found parts, with a choice to
//! edit it or to post it with those parts removed; flags are stored with the comment, and a comment
//! that raised any is followed by a page with the guidance it calls for (`posted`). One that
//! suggests someone may be at risk is held for a moderator before anyone else sees it (unless the
//! operator chose `SafeguardingPolicy::PublishAndFlag`), its author is told so with the support
//! page's numbers, and moderators are emailed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{
    CheckFlag, Comment, CommentSource, DiscussionRef, Guideline, NewComment, ReportOutcome, Status,
    Visibility,
};
use serde::Deserialize;

use super::accounts::{MessagePage, over_rate, over_rates};
use super::discussion::MAX_COMMENT_CHARS;
use super::screening::{Choice, Found, Guidance, Screened, screen};
use super::{FieldError, limited_message, page_response};
use crate::auth::{Posted, Visitor, local_path, sha256_hex};
use crate::format::{paragraphs, query_escape, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action, EDIT_WINDOW_SECS};
use crate::settings::SafeguardingPolicy;
use crate::{AppState, WebError, notify};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    body: String,
    parent_id: String,
    return_to: String,
    /// On the page showing personal data found: "edit" or "redact" (see [`Choice`]).
    choice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnQuery {
    return_to: String,
}

/// The page to write, or rewrite, a comment: shown to edit one, and again whenever a comment cannot
/// be accepted, with the text as typed.
#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    nav: Nav,
    title: String,
    action: String,
    csrf: String,
    body: String,
    error: Option<String>,
    /// Whether the form can be sent (false when the problem is not the text: show it to copy).
    can_submit: bool,
    submit_label: &'static str,
    return_to: String,
    parent_id: Option<i64>,
    parent: Option<Quote>,
    discussion_title: String,
    discussion_href: String,
    note: Option<String>,
    sign_in_href: Option<String>,
    max_comment_chars: usize,
    /// Personal data found in the text: the page shows it marked and asks what to do instead of
    /// showing the form.
    review: Option<Found>,
    /// The parts to take out, listed above the form when the author chose to edit.
    to_remove: Option<String>,
    /// "comment" or "reply".
    noun: &'static str,
}

struct Quote {
    author: String,
    paragraphs: Vec<String>,
}

impl Quote {
    fn of(c: &Comment) -> Quote {
        Quote {
            author: c.author.display_name.clone(),
            paragraphs: paragraphs(&c.body).into_iter().map(str::to_owned).collect(),
        }
    }
}

/// What a compose page needs besides the error: built once per request, shown on any refusal.
struct Compose<'a> {
    state: &'a AppState,
    visitor: &'a Visitor,
    d: &'a DiscussionRef,
    title: String,
    action: String,
    submit_label: &'static str,
    body: String,
    return_to: String,
    parent: Option<&'a Comment>,
    note: Option<String>,
}

impl Compose<'_> {
    fn page(
        &self,
        status: StatusCode,
        error: Option<String>,
        can_submit: bool,
    ) -> Result<Response, WebError> {
        self.render(status, error, can_submit, None, None)
    }

    /// The text held back for personal data: shown with the found parts marked, and a choice.
    fn review(&self, found: Found) -> Result<Response, WebError> {
        self.render(StatusCode::OK, None, true, Some(found), None)
    }

    /// The form again, to edit the text held back, with the parts found listed above it.
    async fn edit_again(&self) -> Result<Response, WebError> {
        // Only the personal data found is listed here, which the patterns alone find.
        let to_remove = match screen(self.body.trim(), Choice::Post, None).await {
            Screened::HoldBack(found) => Some(found.parts_line()),
            Screened::Publish { .. } => None,
        };
        self.render(StatusCode::OK, None, true, None, to_remove)
    }

    fn render(
        &self,
        status: StatusCode,
        error: Option<String>,
        can_submit: bool,
        review: Option<Found>,
        to_remove: Option<String>,
    ) -> Result<Response, WebError> {
        let (csrf, _) = self.visitor.form_token(self.state.settings().secure_cookies);
        let signed_in = self.visitor.session.is_some();
        let page = ComposePage {
            nav: Nav::for_visitor(self.visitor),
            title: self.title.clone(),
            action: self.action.clone(),
            csrf: if signed_in { csrf } else { String::new() },
            body: self.body.clone(),
            error,
            can_submit: can_submit && signed_in,
            submit_label: self.submit_label,
            return_to: self.return_to.clone(),
            parent_id: self.parent.map(|p| p.id),
            parent: self.parent.map(Quote::of),
            discussion_title: self.d.title.clone(),
            discussion_href: self.d.path(),
            note: self.note.clone(),
            sign_in_href: (!signed_in).then(|| format!("/login?next={}", query_escape(&self.return_to))),
            max_comment_chars: MAX_COMMENT_CHARS,
            review,
            to_remove,
            noun: if self.parent.is_some() { "reply" } else { "comment" },
        };
        page_response(&page, status, None)
    }

    fn refuse(&self, status: StatusCode, why: String) -> Result<Response, WebError> {
        self.page(status, Some(why), false)
    }

    fn correct(&self, status: StatusCode, why: String) -> Result<Response, WebError> {
        self.page(status, Some(why), true)
    }
}

/// Posts a comment, or a reply when the form names the comment replied to.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug, discussion.slug = %discussion))]
pub async fn post(
    State(state): State<AppState>,
    Path((slug, discussion)): Path<(String, String)>,
    posted: Posted<CommentForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let store = state.store();
    let Some(d) = store.discussion_ref(&slug, &discussion).await? else {
        // Withdrawn while they wrote: say so, and give their words back.
        return Err(super::missing_consultation(&state, &slug, Some(form.body.clone())).await);
    };
    let base = d.path();
    let parent = match form.parent_id.trim() {
        "" => None,
        id => {
            let id: i64 = id
                .parse()
                .map_err(|_| WebError::BadRequest("The comment replied to is not known.".into()))?;
            let parent = store.comment(id).await?.filter(|c| c.discussion_id == d.id);
            Some(parent.ok_or_else(|| {
                WebError::BadRequest("The comment replied to is not in this discussion.".into())
            })?)
        }
    };
    let compose = Compose {
        state: &state,
        visitor: &visitor,
        d: &d,
        title: match &parent {
            Some(p) => format!("Reply to {}", p.author.display_name),
            None => "Add your comment".into(),
        },
        action: format!("{base}/comments"),
        submit_label: if parent.is_some() { "Post reply" } else { "Post comment" },
        body: form.body.clone(),
        return_to: return_path(&form.return_to, &base),
        parent: parent.as_ref(),
        note: None,
    };
    let Some(session) = &visitor.session else {
        return compose.refuse(
            StatusCode::FORBIDDEN,
            "You need to sign in to post. Your text is below: copy it, sign in, and post it again.".into(),
        );
    };
    if let Some(why) = closed_message(&d, state.today()) {
        return compose.refuse(StatusCode::FORBIDDEN, why);
    }
    if let Some(why) = policy::blocked_message(&session.account) {
        return compose.refuse(StatusCode::FORBIDDEN, why);
    }
    if parent.as_ref().is_some_and(|p| !p.is_public()) {
        return compose.refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The comment you are replying to has been deleted or hidden, so it can no longer be replied to. \
             Your text is below if you want to post it as a comment of your own."
                .into(),
        );
    }
    if let Some(why) = text_problem(&form.body) {
        return compose.correct(StatusCode::UNPROCESSABLE_ENTITY, why);
    }
    let choice = Choice::parse(&form.choice);
    if choice == Choice::Edit {
        return compose.edit_again().await;
    }
    let (body, flags) = match screen(form.body.trim(), choice, state.reading()).await {
        Screened::HoldBack(found) => return compose.review(found),
        Screened::Publish { body, flags } => (body, flags),
    };
    if let Some(wait) = posting_limited(&state, &visitor).await? {
        return compose.correct(
            StatusCode::TOO_MANY_REQUESTS,
            format!("You have posted a lot in a short time. {}", limited_message(wait)),
        );
    }
    let guidance = Guidance::of(&flags);
    let hold = holds(&state, guidance);
    let new = NewComment {
        discussion_id: d.id,
        parent_id: parent.as_ref().map(|p| p.id),
        author_id: session.account.user.id,
        body,
        posted_at: state.now(),
        source: CommentSource::Web,
        flags,
    };
    let id = if hold { store.add_held_comment(&new).await? } else { store.add_comment(&new).await? };
    tracing::info!(
        comment.id = id,
        discussion.id = d.id,
        reply = parent.is_some(),
        redacted = choice == Choice::Redact,
        flagged = guidance.any(),
        held = hold,
        "comment posted"
    );
    if guidance.safeguarding {
        notify::safeguarding_raised(&state, id, &d.title, hold).await;
    }
    // A new comment shows first on the discussion's first page; a reply shows under its parent,
    // on the page the resident replied from.
    let to = if parent.is_some() { compose.return_to.clone() } else { base };
    Ok(after_posting(id, &to, guidance, false))
}

/// Whether a comment with these flags is held for a moderator before anyone else sees it: when it
/// suggests someone may be at risk, unless the operator chose to publish and flag such comments.
fn holds(state: &AppState, guidance: Guidance) -> bool {
    guidance.safeguarding && state.settings().safeguarding == SafeguardingPolicy::Hold
}

/// Where an author goes once their words are published: to them in the discussion, or first to
/// the page with the guidance their flags call for.
fn after_posting(id: i64, to: &str, guidance: Guidance, edited: bool) -> Response {
    if guidance.any() {
        let edited = if edited { "&edited=1" } else { "" };
        Redirect::to(&format!("/comments/{id}/posted?return_to={}{edited}", query_escape(to))).into_response()
    } else {
        Redirect::to(&format!("{to}#comment-{id}")).into_response()
    }
}

/// The page after posting a comment that raised a flag: the support page and the police's numbers.
#[derive(Template)]
#[template(path = "posted.html")]
struct PostedPage {
    nav: Nav,
    title: &'static str,
    /// Held for a moderator because someone may be at risk: nobody else sees it yet.
    held: bool,
    guidance: Guidance,
    comment_href: String,
    /// "comment" or "reply".
    noun: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostedQuery {
    return_to: String,
    edited: String,
}

/// "Your comment is posted", with the guidance its flags call for; only its author sees it.
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn posted(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<PostedQuery>,
) -> Result<Response, WebError> {
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let comment_href = format!("{}#comment-{id}", return_path(&query.return_to, &d.path()));
    if visitor.user_id() != Some(comment.author.id) || comment.deleted {
        return Ok(Redirect::to(&comment_href).into_response());
    }
    let held = comment.visibility == Visibility::Held && comment.flags.contains(&CheckFlag::Safeguarding);
    let title = match (held, query.edited == "1", comment.parent_id.is_some()) {
        (true, true, _) => "Your changes are saved, and waiting for a moderator",
        (true, false, true) => "Your reply is waiting for a moderator",
        (true, false, false) => "Your comment is waiting for a moderator",
        (false, true, _) => "Your changes are saved",
        (false, false, true) => "Your reply is posted",
        (false, false, false) => "Your comment is posted",
    };
    let page = PostedPage {
        nav: Nav::for_visitor(&visitor),
        title,
        held,
        guidance: Guidance::of(&comment.flags),
        comment_href,
        noun: if comment.parent_id.is_some() { "reply" } else { "comment" },
    };
    page_response(&page, StatusCode::OK, None)
}

/// The form to edit one's own comment, within 15 minutes of posting it.
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<ReturnQuery>,
) -> Result<Response, WebError> {
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let Some(session) = &visitor.session else {
        return Err(WebError::SignInRequired { next: format!("/comments/{id}/edit") });
    };
    if comment.author.id != session.account.user.id {
        return Err(WebError::forbidden("This is not your comment", "You can only edit your own comments."));
    }
    let now = state.now();
    if !policy::may_edit(&session.account, &comment, now)
        || closed_message(&d, state.local_date(now)).is_some()
    {
        return Err(WebError::forbidden(
            "This comment can no longer be edited",
            "Comments can be edited for 15 minutes after posting, while the discussion is open.",
        ));
    }
    let compose = edit_compose(&state, &visitor, &d, &comment, comment.body.clone(), &query.return_to);
    compose.page(StatusCode::OK, None, true)
}

#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<CommentForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let compose = edit_compose(&state, &visitor, &d, &comment, form.body.clone(), &form.return_to);
    let Some(session) = &visitor.session else {
        return compose.refuse(
            StatusCode::FORBIDDEN,
            "You need to sign in to edit. Your text is below: copy it, sign in, and edit again.".into(),
        );
    };
    if comment.author.id != session.account.user.id {
        return compose.refuse(StatusCode::FORBIDDEN, "You can only edit your own comments.".into());
    }
    let now = state.now();
    if let Some(why) = closed_message(&d, state.local_date(now)) {
        return compose.refuse(StatusCode::FORBIDDEN, why);
    }
    if !policy::may_edit(&session.account, &comment, now) {
        return compose.refuse(
            StatusCode::FORBIDDEN,
            "The 15 minutes to edit this comment have passed, so it stays as it was. Your new text is below if \
             you want to post it as a reply."
                .into(),
        );
    }
    if let Some(why) = text_problem(&form.body) {
        return compose.correct(StatusCode::UNPROCESSABLE_ENTITY, why);
    }
    let choice = Choice::parse(&form.choice);
    if choice == Choice::Edit {
        return compose.edit_again().await;
    }
    let (body, flags) = match screen(form.body.trim(), choice, state.reading()).await {
        Screened::HoldBack(found) => return compose.review(found),
        Screened::Publish { body, flags } => (body, flags),
    };
    if let Some(wait) = posting_limited(&state, &visitor).await? {
        return compose.correct(
            StatusCode::TOO_MANY_REQUESTS,
            format!("You have posted a lot in a short time. {}", limited_message(wait)),
        );
    }
    let guidance = Guidance::of(&flags);
    let hold = holds(&state, guidance);
    if hold {
        state.store().edit_and_hold_comment(id, &body, &flags, now).await?;
    } else {
        state.store().edit_comment(id, &body, &flags, now).await?;
    }
    tracing::info!(
        comment.id = id,
        redacted = choice == Choice::Redact,
        flagged = guidance.any(),
        held = hold,
        "comment edited"
    );
    if guidance.safeguarding {
        notify::safeguarding_raised(&state, id, &d.title, hold).await;
    }
    Ok(after_posting(id, &compose.return_to, guidance, true))
}

fn edit_compose<'a>(
    state: &'a AppState,
    visitor: &'a Visitor,
    d: &'a DiscussionRef,
    comment: &Comment,
    body: String,
    return_to: &str,
) -> Compose<'a> {
    let left = (comment.posted_at.0 + EDIT_WINDOW_SECS - state.now().0).max(0);
    let minutes = (left + 59) / 60;
    Compose {
        state,
        visitor,
        d,
        title: "Edit your comment".into(),
        action: format!("/comments/{}/edit", comment.id),
        submit_label: "Save changes",
        body,
        return_to: return_path(return_to, &d.path()),
        parent: None,
        note: Some(format!(
            "You can change your comment for {} more {}. It will be marked as edited.",
            thousands(minutes),
            if minutes == 1 { "minute" } else { "minutes" }
        )),
    }
}

#[derive(Template)]
#[template(path = "delete_comment.html")]
struct DeleteCommentPage {
    nav: Nav,
    csrf: String,
    id: i64,
    quote: Quote,
    return_to: String,
}

#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn delete_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<ReturnQuery>,
) -> Result<Response, WebError> {
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let session = own_comment(&visitor, &comment, &format!("/comments/{id}/delete"))?;
    let page = DeleteCommentPage {
        nav: Nav::for_visitor(&visitor),
        csrf: session.csrf_token.clone(),
        id,
        quote: Quote::of(&comment),
        return_to: return_path(&query.return_to, &d.path()),
    };
    page_response(&page, StatusCode::OK, None)
}

#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<CommentForm>,
) -> Result<Response, WebError> {
    let (comment, d) = comment_and_discussion(&state, id).await?;
    own_comment(&posted.visitor, &comment, &format!("/comments/{id}/delete"))?;
    state.store().delete_comment(id, state.now()).await?;
    tracing::info!(comment.id = id, "comment deleted by its author");
    let to = return_path(&posted.form.return_to, &d.path());
    Ok(Redirect::to(&format!("{to}#comment-{id}")).into_response())
}

fn own_comment<'a>(
    visitor: &'a Visitor,
    comment: &Comment,
    next: &str,
) -> Result<&'a crate::auth::SignedIn, WebError> {
    let Some(session) = &visitor.session else {
        return Err(WebError::SignInRequired { next: next.to_owned() });
    };
    if comment.author.id != session.account.user.id {
        return Err(WebError::forbidden(
            "This is not your comment",
            "You can only delete your own comments.",
        ));
    }
    if comment.deleted {
        return Err(WebError::forbidden(
            "This comment is already deleted",
            "There is nothing more to delete.",
        ));
    }
    Ok(session)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ToggleForm {
    agree: String,
    pinned: String,
    return_to: String,
}

/// Agrees with a comment, or takes it back: one agreement per person.
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn agree(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ToggleForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let to = return_path(&form.return_to, &d.path());
    let session = policy::require(&visitor, Action::TakePart, &to)?;
    if let Some(why) = policy::blocked_message(&session.account) {
        return Err(WebError::Forbidden { title: "Your account is blocked".into(), message: why });
    }
    if let Some(why) = closed_message(&d, state.today()) {
        return Err(WebError::Forbidden { title: "This discussion is not open".into(), message: why });
    }
    if !comment.is_public() {
        return Err(WebError::forbidden(
            "This comment cannot be agreed with",
            "It has been deleted or hidden.",
        ));
    }
    if comment.author.id == session.account.user.id {
        return Err(WebError::forbidden(
            "This is your own comment",
            "You cannot agree with your own comment.",
        ));
    }
    let bucket = format!("agree:account:{}", session.account.user.id);
    if let Some(wait) = over_rate(&state, &bucket, state.settings().limits.agreements_per_account).await? {
        return Err(WebError::TooManyRequests(limited_message(wait)));
    }
    state.store().set_agreement(id, session.account.user.id, form.agree != "0", state.now()).await?;
    Ok(Redirect::to(&format!("{to}#comment-{id}")).into_response())
}

/// Pins a comment to the top of its discussion, or unpins it (hosts and moderators).
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn pin(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ToggleForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let to = return_path(&form.return_to, &d.path());
    let session = policy::require(&visitor, Action::Pin, &to)?;
    let pinned = form.pinned != "0";
    if pinned && !comment.is_public() {
        return Err(WebError::forbidden("This comment cannot be pinned", "It has been deleted or hidden."));
    }
    state.store().set_pinned(id, session.account.user.id, pinned, state.now()).await?;
    tracing::info!(comment.id = id, pinned, "pin changed");
    Ok(Redirect::to(&format!("{to}#comment-{id}")).into_response())
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    nav: Nav,
    csrf: String,
    id: i64,
    quote: Quote,
    guidelines: Vec<(&'static str, &'static str, &'static str)>,
    chosen: String,
    error: Option<FieldError>,
    return_to: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
    return_to: String,
}

#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn report_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<ReturnQuery>,
) -> Result<Response, WebError> {
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let return_to = return_path(&query.return_to, &d.path());
    let session = may_report(&visitor, &comment, &format!("/comments/{id}/report"))?;
    report_page(
        &visitor,
        session.csrf_token.clone(),
        &comment,
        String::new(),
        None,
        return_to,
        StatusCode::OK,
    )
}

/// Reports a comment as breaking a guideline; enough reports hold it for review.
#[tracing::instrument(skip_all, fields(comment.id = id))]
pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReportForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let (comment, d) = comment_and_discussion(&state, id).await?;
    let return_to = return_path(&form.return_to, &d.path());
    let session = may_report(&visitor, &comment, &format!("/comments/{id}/report"))?;
    let csrf = session.csrf_token.clone();
    let Some(reason) = Guideline::parse(&form.reason) else {
        let error = FieldError::new("reason-respectful", "Choose the guideline the comment breaks.");
        return report_page(
            &visitor,
            csrf,
            &comment,
            form.reason,
            Some(error),
            return_to,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let bucket = format!("report:account:{}", session.account.user.id);
    if let Some(wait) = over_rate(&state, &bucket, state.settings().limits.reports_per_account).await? {
        let error = FieldError::new(
            "reason-respectful",
            format!("You have sent a lot of reports recently. {}", limited_message(wait)),
        );
        return report_page(
            &visitor,
            csrf,
            &comment,
            form.reason,
            Some(error),
            return_to,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let outcome = state
        .store()
        .report_comment(id, session.account.user.id, reason, state.now(), state.settings().reports_to_hold)
        .await?;
    tracing::info!(comment.id = id, outcome = ?outcome, "comment reported");
    let said = match outcome {
        ReportOutcome::Reported => {
            "A moderator will read the comment and decide whether it breaks our guidelines."
        }
        ReportOutcome::Held => {
            "Several people have reported this comment, so it is now hidden until a moderator reviews it."
        }
        ReportOutcome::AlreadyReported => {
            "You had already reported this comment. A moderator will look at it."
        }
    };
    let page = MessagePage {
        nav: Nav::for_visitor(&visitor),
        title: "Thank you for your report".into(),
        paragraphs: vec![said.into(), "We do not tell the person who wrote it who reported it.".into()],
        links: vec![(format!("{return_to}#comment-{id}"), "Back to the discussion".into())],
    };
    page_response(&page, StatusCode::OK, None)
}

fn may_report<'a>(
    visitor: &'a Visitor,
    comment: &Comment,
    next: &str,
) -> Result<&'a crate::auth::SignedIn, WebError> {
    let session = policy::require(visitor, Action::TakePart, next)?;
    if let Some(why) = policy::blocked_message(&session.account) {
        return Err(WebError::Forbidden { title: "Your account is blocked".into(), message: why });
    }
    if comment.author.id == session.account.user.id {
        return Err(WebError::forbidden(
            "This is your own comment",
            "You can delete it instead of reporting it.",
        ));
    }
    if comment.deleted || matches!(comment.visibility, Visibility::Hidden(_)) {
        return Err(WebError::forbidden("This comment has been removed", "There is no need to report it."));
    }
    if comment.visibility == Visibility::Held {
        return Err(WebError::forbidden(
            "This comment is already hidden",
            "It is waiting for a moderator to review it. Thank you for looking out for others.",
        ));
    }
    Ok(session)
}

fn report_page(
    visitor: &Visitor,
    csrf: String,
    comment: &Comment,
    chosen: String,
    error: Option<FieldError>,
    return_to: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = ReportPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        id: comment.id,
        quote: Quote::of(comment),
        guidelines: Guideline::ALL.into_iter().map(|g| (g.key(), g.title(), g.hint())).collect(),
        chosen,
        error,
        return_to,
    };
    page_response(&page, status, None)
}

async fn comment_and_discussion(state: &AppState, id: i64) -> Result<(Comment, DiscussionRef), WebError> {
    let comment = state.store().comment(id).await?.ok_or(WebError::NotFound)?;
    let d = state.store().discussion_ref_by_id(comment.discussion_id).await?.ok_or(WebError::NotFound)?;
    Ok((comment, d))
}

/// Why a discussion does not take comments today, if it does not.
fn closed_message(d: &DiscussionRef, today: heard_store::Date) -> Option<String> {
    match d.status(today) {
        Status::Open => None,
        Status::Upcoming => Some(format!(
            "This discussion opens on {}, and takes comments from then. Your text is below: copy it to post \
             when it opens.",
            d.opens_on.long()
        )),
        Status::Closed => Some(format!(
            "This discussion closed on {}, so it no longer takes comments. Your text is below if you want to \
             keep it.",
            d.closes_on.long()
        )),
    }
}

/// What is wrong with a comment's text, if anything.
fn text_problem(body: &str) -> Option<String> {
    let chars = body.trim().chars().count();
    if chars == 0 {
        return Some("Write your comment before posting it.".into());
    }
    if body.contains(heard_store::NUL) {
        return Some(
            "Your comment contains a NUL character (U+0000, an invisible control character, usually pasted in \
             by accident), which cannot be stored. It shows below as �: remove it and post again."
                .into(),
        );
    }
    if chars > MAX_COMMENT_CHARS {
        return Some(format!(
            "Your comment is {} characters long; the most is {}. Please shorten it.",
            thousands(chars as i64),
            thousands(MAX_COMMENT_CHARS as i64)
        ));
    }
    None
}

/// Counts a post against the account's and the address's limits; the seconds to wait when over.
async fn posting_limited(state: &AppState, visitor: &Visitor) -> Result<Option<i64>, WebError> {
    let limits = state.settings().limits;
    let account = format!("post:account:{}", visitor.user_id().unwrap_or_default());
    let address = format!("post:address:{}", sha256_hex(&visitor.address));
    over_rates(state, &[(&account, limits.posts_per_account), (&address, limits.posts_per_address)]).await
}

/// Where to go back to: a page of this discussion, or the discussion itself.
fn return_path(asked: &str, discussion: &str) -> String {
    match local_path(asked) {
        Some(path) if path == discussion || path.starts_with(&format!("{discussion}?")) => path.to_owned(),
        _ => discussion.to_owned(),
    }
}
