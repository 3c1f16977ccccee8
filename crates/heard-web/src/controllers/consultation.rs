//! A consultation's page: status and dates, the plan, the timeline, and every way to respond.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use heard_store::{ChannelKind, Consultation, Document, Stage, Status};

use super::render;
use crate::auth::Visitor;
use crate::format::{paragraphs, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage {
    nav: Nav,
    /// A draft, shown to staff only.
    draft: bool,
    c: Consultation,
    status: Status,
    responses_line: String,
    deadline_line: String,
    summary: Vec<String>,
    timeline: Vec<TimelineRow>,
    discussions: Vec<DiscussionRow>,
    documents: Vec<Document>,
    easy_read: Vec<Document>,
    /// Once they are out, the page no longer says when results are expected.
    results_published: bool,
    /// When published results were withdrawn ("3 April 2025"), while they are not out again.
    results_withdrawn: Option<String>,
    /// The events page, when the consultation has events.
    events_href: Option<String>,
    /// Whether a way to respond is "events" (the link then goes with it).
    events_channel: bool,
    survey: Option<SurveyLink>,
    /// The back office links, for staff who build the survey.
    staff_survey_href: Option<String>,
    /// "What we heard", once published (staff see a preview link before).
    results: Option<ResultsLink>,
}

struct ResultsLink {
    href: String,
    published: bool,
}

/// The survey among the ways to respond.
struct SurveyLink {
    href: String,
    title: String,
    /// Whether it takes answers today.
    open: bool,
}

struct TimelineRow {
    date_iso: String,
    date_long: String,
    title: String,
    detail: String,
    happened: bool,
}

struct DiscussionRow {
    href: String,
    title: String,
    status: Status,
    comments: String,
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, WebError> {
    let c = match state.store().consultation_by_slug(&slug).await? {
        Some(c) => c,
        // Staff preview a draft as the public will see it; to everyone else it does not exist. A
        // withdrawn one says so, to staff too.
        None => match state.store().consultation_for_staff(&slug).await? {
            Some(c)
                if c.summary.withdrawn_at.is_none()
                    && visitor.role().is_some_and(|r| policy::allows(r, Action::ManageConsultations)) =>
            {
                c
            }
            _ => return Err(super::missing_consultation(&state, &slug, None).await),
        },
    };
    let today = state.today();
    let s = &c.summary;
    let status = s.status(today);
    let respondents = state.store().respondent_count(s.id).await?;
    let responses_line = responded_line(respondents, s.recorded_responses, &s.respondent_noun)
        .unwrap_or_else(|| "No responses yet".to_owned());
    let deadline_line = match status {
        Status::Upcoming => format!("Opens on {}", s.opens_on.long()),
        Status::Open => {
            let days = s.closes_on.days_since_epoch() - today.days_since_epoch();
            let left = match days {
                0 => "closes today".to_owned(),
                1 => "1 day left".to_owned(),
                n => format!("{n} days left"),
            };
            format!("Open until {} ({left})", s.closes_on.long())
        }
        Status::Closed => format!("Closed on {}", s.closes_on.long()),
    };
    let timeline = c
        .timeline
        .iter()
        .map(|t| TimelineRow {
            date_iso: t.on_date.to_string(),
            date_long: t.on_date.long(),
            title: t.title.clone(),
            detail: t.detail.clone(),
            happened: t.on_date <= today,
        })
        .collect();
    let discussions = c
        .discussions
        .iter()
        .map(|d| DiscussionRow {
            href: format!("/consultations/{}/discussions/{}", s.slug, d.slug),
            title: d.title.clone(),
            status: d.status(today),
            comments: format!(
                "{} {}",
                thousands(d.comment_count),
                if d.comment_count == 1 { "comment" } else { "comments" }
            ),
        })
        .collect();
    let (easy_read, documents) = c.documents.iter().cloned().partition(|d| d.easy_read);
    let events_href = (!state.store().events_of(s.id).await?.is_empty())
        .then(|| format!("/consultations/{}/events", s.slug));
    let events_channel = c.channels.iter().any(|ch| ch.kind == ChannelKind::Events);
    let survey = state.store().survey_for(&slug).await?.map(|survey| SurveyLink {
        href: super::survey::survey_path(&slug),
        open: survey.accepts_answers(today),
        title: survey.title,
    });
    let staff_survey_href = visitor
        .role()
        .is_some_and(|r| crate::policy::allows(r, crate::policy::Action::BuildSurvey))
        .then(|| format!("/admin/consultations/{slug}/survey"));
    let results_published = s.stage(today) == Stage::ResultsPublished;
    // Results that were out and were taken down: the page says so instead of when they are expected.
    let results_withdrawn = (!results_published)
        .then_some(s.results_withdrawn_at)
        .flatten()
        .map(|at| state.local_date(at).long());
    let results = (results_published
        || visitor.role().is_some_and(|r| policy::allows(r, Action::ManageConsultations)))
    .then(|| ResultsLink {
        href: format!("/consultations/{}/results", s.slug),
        published: results_published,
    });
    let page = ConsultationPage {
        nav: Nav::for_visitor(&visitor),
        results_published,
        results_withdrawn,
        results,
        events_href,
        events_channel,
        draft: !c.summary.published,
        status,
        responses_line,
        deadline_line,
        summary: paragraphs(&s.summary).into_iter().map(str::to_owned).collect(),
        timeline,
        discussions,
        documents,
        easy_read,
        survey,
        staff_survey_href,
        c,
    };
    render(&page)
}

impl ConsultationPage {
    /// A way to respond's heading; once the consultation has closed, the survey and events are
    /// named, no longer offered ("Come to an event" would invite registrations it refuses).
    fn channel_heading(&self, kind: &ChannelKind) -> &'static str {
        let closed = self.status == Status::Closed;
        match kind {
            ChannelKind::Survey if closed => "The survey",
            ChannelKind::Survey => "Answer the survey",
            ChannelKind::Events if closed => "Events",
            ChannelKind::Events => "Come to an event",
            ChannelKind::Email => "Email us",
            ChannelKind::Post => "Write to us",
        }
    }

    fn address_lines(address: &str) -> Vec<&str> {
        paragraphs(address)
    }
}

/// "1,622 Londoners have responded": the distinct people in the register across every channel, or
/// the count recorded before heard held every response (a saved page's), whichever is larger.
pub(crate) fn responded_line(respondents: i64, recorded: Option<i64>, noun: &str) -> Option<String> {
    let n = respondents.max(recorded.unwrap_or(0));
    (n > 0).then(|| format!("{} {} {} responded", thousands(n), noun, if n == 1 { "has" } else { "have" }))
}
