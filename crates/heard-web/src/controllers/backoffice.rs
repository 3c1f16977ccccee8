//! `/admin/consultations`: the back office of consultations, for hosts and administrators. The list
//! with each one's stage, a new draft, the hub page of one (its stage, what staff can do next, the
//! staff log), editing, publishing, closing early and publishing the results. Publishing, closing and
//! publishing the results each have a confirmation page (`GET`) saying what will follow, whose button
//! makes the change (`POST`). Every change is logged by the store.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{ConsultationEdit, ConsultationSummary, Stage, StoreError, User};
use serde::Deserialize;

use super::consultation_form::ConsultationForm;
use super::{FieldError, page_response};
use crate::auth::{Posted, SignedIn, Visitor};
use crate::format::thousands;
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "admin_consultations.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
}

struct Row {
    slug: String,
    title: String,
    stage: Stage,
    opens_iso: String,
    opens_long: String,
    closes_iso: String,
    closes_long: String,
}

#[tracing::instrument(skip_all)]
pub async fn list(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    policy::require(&visitor, Action::ManageConsultations, "/admin/consultations")?;
    let today = state.today();
    let rows = state
        .store()
        .all_consultations()
        .await?
        .into_iter()
        .map(|c| Row {
            stage: c.stage(today),
            opens_iso: c.opens_on.to_string(),
            opens_long: c.opens_on.long(),
            closes_iso: c.closes_on.to_string(),
            closes_long: c.closes_on.long(),
            slug: c.slug,
            title: c.title,
        })
        .collect();
    page_response(&ListPage { nav: Nav::for_visitor(&visitor), rows }, StatusCode::OK, None)
}

#[derive(Template)]
#[template(path = "consultation_form.html")]
struct FormPage {
    nav: Nav,
    csrf: String,
    /// `None` for a new consultation.
    editing: Option<ConsultationSummary>,
    form: ConsultationForm,
    errors: Vec<FieldError>,
    hosts: Vec<User>,
    /// The earlier closing date staff were told leaves responses late; saving it again keeps it.
    confirm_closes_on: Option<String>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(c) => format!("/admin/consultations/{}/edit", c.slug),
            None => "/admin/consultations/new".into(),
        }
    }

    fn hosted_by(&self, id: &i64) -> bool {
        self.form.hosts.contains(id)
    }

    /// Once published, links to it are out there: its address stays.
    fn slug_locked(&self) -> bool {
        self.editing.as_ref().is_some_and(|c| c.published)
    }
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    editing: Option<ConsultationSummary>,
    form: ConsultationForm,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    form_page_confirming(state, visitor, session, editing, form, errors, None).await
}

async fn form_page_confirming(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    editing: Option<ConsultationSummary>,
    form: ConsultationForm,
    errors: Vec<FieldError>,
    confirm_closes_on: Option<String>,
) -> Result<Response, WebError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = FormPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        editing,
        form,
        errors,
        hosts: state.store().hosts().await?,
        confirm_closes_on,
    };
    page_response(&page, status, None)
}

#[tracing::instrument(skip_all)]
pub async fn new_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::ManageConsultations, "/admin/consultations/new")?;
    form_page(&state, &visitor, session, None, ConsultationForm::blank(), Vec::new()).await
}

/// The form's hosts, from its repeated `host` fields; only people who are hosts count.
async fn with_hosts(
    state: &AppState,
    mut form: ConsultationForm,
    fields: &[(String, String)],
) -> Result<ConsultationForm, WebError> {
    let hosts = state.store().hosts().await?;
    form.hosts = fields
        .iter()
        .filter(|(k, _)| k == "host")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .filter(|id| hosts.iter().any(|h| h.id == *id))
        .collect();
    form.hosts.dedup();
    Ok(form)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    posted: Posted<ConsultationForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, fields } = posted;
    let session = policy::require(&visitor, Action::ManageConsultations, "/admin/consultations/new")?;
    let form = with_hosts(&state, form, &fields).await?;
    let edit = match form.parse(None) {
        Ok(edit) => edit,
        Err(errors) => return form_page(&state, &visitor, session, None, form, errors).await,
    };
    match state.store().create_draft(&edit, session.account.user.id, state.now()).await {
        Ok(id) => {
            tracing::info!(consultation.id = id, consultation.slug = %edit.consultation.slug, "draft created");
            Ok(Redirect::to(&format!("/admin/consultations/{}", edit.consultation.slug)).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            let errors = vec![store_problem(&why)];
            form_page(&state, &visitor, session, None, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Which field a problem the store found belongs to.
fn store_problem(why: &str) -> FieldError {
    let field = if why.contains("discussion") {
        "discussions"
    } else if why.contains("closes") {
        "closes_on"
    } else {
        "slug"
    };
    FieldError::new(field, super::accounts::capitalise(why))
}

#[derive(Template)]
#[template(path = "consultation_hub.html")]
struct HubPage {
    nav: Nav,
    c: ConsultationSummary,
    stage: Stage,
    /// "1,622 respondents".
    respondents: String,
    events: usize,
    discussions: usize,
    may_publish_results: bool,
    /// Administrators withdraw what was published.
    may_withdraw: bool,
    log: Vec<LogRow>,
    notice: Option<String>,
}

struct LogRow {
    when: String,
    when_iso: String,
    who: String,
    what: &'static str,
    detail: String,
}

/// Loads a consultation, draft or not, for a staff page; `None` when there is none.
async fn staff_consultation(state: &AppState, slug: &str) -> Result<heard_store::Consultation, WebError> {
    state.store().consultation_for_staff(slug).await?.ok_or(WebError::NotFound)
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn hub(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    policy::require(&visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}"))?;
    let c = staff_consultation(&state, &slug).await?;
    hub_page(&state, &visitor, c, None, StatusCode::OK).await
}

async fn hub_page(
    state: &AppState,
    visitor: &Visitor,
    c: heard_store::Consultation,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = state.today();
    let s = c.summary;
    let log = state
        .store()
        .staff_log(s.id)
        .await?
        .into_iter()
        .map(|e| LogRow {
            when: state.when(e.at),
            when_iso: state.datetime(e.at),
            who: e.actor.map_or_else(|| "heard".to_owned(), |u| u.display_name),
            what: e.action.label(),
            detail: e.detail,
        })
        .collect();
    let stage = s.stage(today);
    let page = HubPage {
        nav: Nav::for_visitor(visitor),
        stage,
        respondents: {
            let n = state.store().respondent_count(s.id).await?;
            format!("{} {}", thousands(n), if n == 1 { "respondent" } else { "respondents" })
        },
        events: state.store().events_of(s.id).await?.len(),
        discussions: c.discussions.len(),
        may_publish_results: stage == Stage::Closed,
        may_withdraw: visitor.role().is_some_and(|r| policy::allows(r, Action::Withdraw)),
        log,
        notice,
        c: s,
    };
    page_response(&page, status, None)
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session =
        policy::require(&visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}/edit"))?;
    let c = staff_consultation(&state, &slug).await?;
    let edit = stored_edit(&state, &c).await?;
    form_page(&state, &visitor, session, Some(c.summary), ConsultationForm::from_edit(&edit), Vec::new())
        .await
}

async fn stored_edit(state: &AppState, c: &heard_store::Consultation) -> Result<ConsultationEdit, WebError> {
    let s = &c.summary;
    Ok(ConsultationEdit {
        consultation: heard_store::NewConsultation {
            slug: s.slug.clone(),
            title: s.title.clone(),
            summary: s.summary.clone(),
            organisation: s.organisation.clone(),
            respondent_noun: s.respondent_noun.clone(),
            opens_on: s.opens_on,
            closes_on: s.closes_on,
            recorded_responses: s.recorded_responses,
            results_expected: c.results_expected.clone(),
            accessible_formats: c.accessible_formats.clone(),
            objectives: c.objectives.clone(),
            timeline: c.timeline.clone(),
            documents: c.documents.clone(),
            channels: c.channels.clone(),
        },
        discussions: state.store().discussions_for_editing(s.id).await?,
    })
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn update(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<ConsultationForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, fields } = posted;
    let session =
        policy::require(&visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}/edit"))?;
    let c = staff_consultation(&state, &slug).await?;
    let mut form = with_hosts(&state, form, &fields).await?;
    if c.summary.published {
        // The field is shown read-only; a changed value from elsewhere is not taken.
        form.slug = c.summary.slug.clone();
    }
    let edit = match form.parse(c.summary.recorded_responses) {
        Ok(edit) => edit,
        Err(errors) => return form_page(&state, &visitor, session, Some(c.summary), form, errors).await,
    };
    // A closing date brought forward is checked against the register before it is saved: what
    // arrived after the new date is named, and saving the same date again keeps it.
    let new_closes = edit.consultation.closes_on;
    if c.summary.published && new_closes < c.summary.closes_on {
        let late = state.store().received_after(c.summary.id, new_closes).await?;
        let confirmed = fields.iter().any(|(k, v)| k == "confirm_closes_on" && *v == new_closes.to_string());
        if !late.is_empty() && !confirmed {
            let errors = vec![FieldError::new("closes_on", late_message(&late, new_closes))];
            let confirm = Some(new_closes.to_string());
            return form_page_confirming(&state, &visitor, session, Some(c.summary), form, errors, confirm)
                .await;
        }
    }
    match state.store().update_consultation(c.summary.id, &edit, session.account.user.id, state.now()).await {
        Ok(()) => {
            tracing::info!(consultation.id = c.summary.id, "consultation edited");
            Ok(Redirect::to(&format!("/admin/consultations/{}", edit.consultation.slug)).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            form_page(&state, &visitor, session, Some(c.summary), form, vec![store_problem(&why)]).await
        }
        Err(e) => Err(e.into()),
    }
}

/// "3 responses were received after 10 February 2025 (2 online, 1 by email)...": what a new closing
/// date would leave late, for the closing date's field.
fn late_message(late: &[(heard_store::ResponseChannel, i64)], closes_on: heard_store::Date) -> String {
    let total: i64 = late.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = late
        .iter()
        .map(|(channel, n)| {
            let how = match channel {
                heard_store::ResponseChannel::Online => "online".to_owned(),
                heard_store::ResponseChannel::Event => "at events".to_owned(),
                other => format!("by {}", other.label().to_lowercase()),
            };
            format!("{} {how}", thousands(*n))
        })
        .collect();
    format!(
        "{} {} received after {} ({}). {} stay in the register, but will count as arriving after the \
         closing date. To close on this date anyway, save again.",
        thousands(total),
        if total == 1 { "response was" } else { "responses were" },
        closes_on.long(),
        parts.join(", "),
        if total == 1 { "It would" } else { "They would" },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// A confirmation page (`GET`) before a step that changes what the public sees: what follows, and
/// the button that `POST`s. The back office's steps and the analysis pages' share it.
#[derive(Template)]
#[template(path = "consultation_confirm.html")]
pub(crate) struct ConfirmPage {
    pub nav: Nav,
    pub csrf: String,
    pub c: ConsultationSummary,
    pub heading: &'static str,
    /// What becomes public, or what follows.
    pub lead: &'static str,
    pub items: Vec<String>,
    pub after: String,
    pub action: String,
    pub button: &'static str,
    pub warning: bool,
    /// A withdrawal asks why: the reason typed so far (`Some` shows the field).
    pub reason: Option<String>,
    /// What was wrong with the form when it came back.
    pub error: Option<String>,
    /// The analysis runs that would be public, each with what staff have not checked.
    pub runs: Vec<RunPreview>,
    /// Offer "Publish reviewed themes only" (some theme is not reviewed), and whether it is ticked.
    pub offer_reviewed_only: bool,
    pub reviewed_only: bool,
    /// A hidden field the button sends (name, value).
    pub extra_field: Option<(&'static str, &'static str)>,
}

impl ConfirmPage {
    /// A confirmation page for `c` with nothing said yet.
    pub(crate) fn blank(visitor: &Visitor, session: &SignedIn, c: ConsultationSummary) -> ConfirmPage {
        blank_confirm(visitor, session, c)
    }

    pub(crate) fn respond(self) -> Result<Response, WebError> {
        confirm_page(self)
    }
}

/// One analysis run as a publishing confirmation shows it: what becomes public, and what staff
/// have not checked (themes not reviewed, quotes offered but not approved, the stance line).
pub(crate) struct RunPreview {
    pub heading: String,
    pub href: String,
    pub lines: Vec<String>,
    /// The labels of the themes not reviewed.
    pub unreviewed: Vec<String>,
}

impl RunPreview {
    /// What publishing `run` (with `themes`, every one of them with all its quotes) makes public.
    pub(crate) fn of(
        slug: &str,
        run: &heard_store::AnalysisRun,
        themes: &[heard_store::RunTheme],
    ) -> RunPreview {
        let shown: Vec<_> = themes.iter().filter(|t| t.count > 0).collect();
        let reviewed = shown.iter().filter(|t| t.reviewed).count();
        let unreviewed: Vec<String> = shown.iter().filter(|t| !t.reviewed).map(|t| t.label.clone()).collect();
        let quotes: usize = shown.iter().map(|t| t.quotes.len()).sum();
        let approved: usize = shown.iter().map(|t| t.quotes.iter().filter(|q| q.approved).count()).sum();
        let mut lines = vec![format!(
            "{} {} with {} counts and shares of the {} texts read; {} of them reviewed.",
            shown.len(),
            if shown.len() == 1 { "theme" } else { "themes" },
            if shown.len() == 1 { "its" } else { "their" },
            thousands(run.responses),
            reviewed
        )];
        lines.push(match (approved, quotes - approved) {
            (0, 0) => "No quotes: none was offered.".into(),
            (a, 0) => format!("{a} approved {}.", if a == 1 { "quote" } else { "quotes" }),
            (a, n) => format!(
                "{a} approved {}; {n} offered and not approved, which stay private.",
                if a == 1 { "quote" } else { "quotes" }
            ),
        });
        lines.push(match super::results::stance_sample(run, &shown) {
            Some(line) => format!(
                "Under each theme, a stance line read by the engine and not checked by staff, such as: \
                 “{line}”"
            ),
            None => "No stance line: the run answers an open question, where agreeing means nothing.".into(),
        });
        let outcomes = shown.iter().filter(|t| t.outcome != heard_store::PlanChange::Undecided).count();
        if outcomes > 0 {
            lines.push(format!(
                "“You said, we did” for {outcomes} {}.",
                if outcomes == 1 { "theme" } else { "themes" }
            ));
        }
        RunPreview {
            heading: run.scope.label(),
            href: format!("/admin/consultations/{slug}/analysis/runs/{}", run.id),
            lines,
            unreviewed,
        }
    }
}

fn confirm_page(page: ConfirmPage) -> Result<Response, WebError> {
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page_response(&page, status, None)
}

/// A confirmation page for `c` with nothing said yet.
fn blank_confirm(visitor: &Visitor, session: &SignedIn, c: ConsultationSummary) -> ConfirmPage {
    ConfirmPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        c,
        heading: "",
        lead: "",
        items: Vec::new(),
        after: String::new(),
        action: String::new(),
        button: "",
        warning: false,
        reason: None,
        error: None,
        runs: Vec::new(),
        offer_reviewed_only: false,
        reviewed_only: false,
        extra_field: None,
    }
}

/// `GET /admin/consultations/{slug}/publish`: what publishing makes public, and the button.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn publish_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(
        &visitor,
        Action::ManageConsultations,
        &format!("/admin/consultations/{slug}/publish"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    if c.summary.published {
        return Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response());
    }
    let events = state.store().events_of(c.summary.id).await?.len();
    let survey = state.store().survey_for(&slug).await?.is_some();
    let s = &c.summary;
    let mut items = vec![
        format!(
            "Its page at /consultations/{}: the title, summary, plan and objectives, timeline, documents and ways \
             to respond, listed on the home page.",
            s.slug
        ),
        format!(
            "Its dates: opening soon until {}, then open for responses until the end of {}.",
            s.opens_on.long(),
            s.closes_on.long()
        ),
    ];
    match c.discussions.len() {
        0 => {}
        n => items.push(format!(
            "{} {}, with {} introductions, prompt questions and hosts' names.",
            n,
            if n == 1 { "discussion" } else { "discussions" },
            if n == 1 { "its" } else { "their" }
        )),
    }
    if events > 0 {
        items.push(format!(
            "{events} {}, with {} date, place or joining link, and registration.",
            if events == 1 { "event" } else { "events" },
            if events == 1 { "its" } else { "their" }
        ));
    }
    if survey {
        items.push("The survey's questions, from the opening day.".into());
    }
    items.push("The same facts in the open-data API and download.".into());
    let page = ConfirmPage {
        heading: "Publish this consultation?",
        lead: "Publishing makes this public:",
        items,
        after: "Once published, its web address stays as it is. You can still edit it.".into(),
        action: format!("/admin/consultations/{slug}/publish"),
        button: "Publish",
        ..blank_confirm(&visitor, session, c.summary)
    };
    confirm_page(page)
}

/// `GET /admin/consultations/{slug}/close`: what closing now means, and the button.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn close_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(
        &visitor,
        Action::ManageConsultations,
        &format!("/admin/consultations/{slug}/close"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    let today = state.today();
    if c.summary.stage(today) != Stage::Open {
        return Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response());
    }
    let yesterday = today.add_days(-1).long();
    let items = vec![
        format!(
            "Its closing date becomes {yesterday}, instead of {}, on every page.",
            c.summary.closes_on.long()
        ),
        "Its discussions and survey stop taking comments and answers at once.".into(),
        "Events after today are no longer offered for registration.".into(),
        format!(
            "Emails, letters, calls and event notes received by {yesterday} can still be entered; anything \
             received today or later is refused as late."
        ),
    ];
    let page = ConfirmPage {
        heading: "Close this consultation now?",
        lead: "Closing it now means:",
        items,
        after: "This is in the staff log. To reopen it, change its closing date.".into(),
        action: format!("/admin/consultations/{slug}/close"),
        button: "Close now",
        warning: true,
        ..blank_confirm(&visitor, session, c.summary)
    };
    confirm_page(page)
}

/// `POST /admin/consultations/{slug}/close`: closes it (the confirmation page's button).
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn close(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, WebError> {
    let visitor = &posted.visitor;
    let session =
        policy::require(visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}"))?;
    let c = staff_consultation(&state, &slug).await?;
    match state.store().close_consultation(c.summary.id, session.account.user.id, state.now()).await {
        Ok(closed) => {
            if closed.is_some() {
                tracing::info!(consultation.id = c.summary.id, "consultation closed early");
            }
            Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            let notice = Some(format!("The consultation was not closed: {why}."));
            hub_page(&state, visitor, c, notice, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/consultations/{slug}/publish-results`: what publishing the results makes public.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn publish_results_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(
        &visitor,
        Action::ManageConsultations,
        &format!("/admin/consultations/{slug}/publish-results"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    if c.summary.stage(state.today()) != Stage::Closed {
        return Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response());
    }
    let page = publish_results_page(&state, &visitor, session, c, None, false).await?;
    confirm_page(page)
}

/// The publish-results confirmation: who responded, the survey, and each run in the results with
/// what staff have not checked, and the choice to publish reviewed themes only.
async fn publish_results_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: heard_store::Consultation,
    error: Option<String>,
    reviewed_only: bool,
) -> Result<ConfirmPage, WebError> {
    let s = &c.summary;
    let slug = s.slug.clone();
    let respondents = state.store().respondent_count(s.id).await?;
    let mut previews = Vec::new();
    for run in state.store().analysis_runs(s.id).await? {
        if run.published_at.is_some() && run.status == heard_store::RunStatus::Finished {
            let themes = state.store().run_themes(run.id).await?;
            previews.push(RunPreview::of(&slug, &run, &themes));
        }
    }
    previews.reverse();
    let survey = state.store().survey_for(&slug).await?.is_some();
    let mut items = vec![format!(
        "The results page at /consultations/{}/results: {} {} responded, by channel, individual or \
         organisation, and borough.",
        s.slug,
        thousands(respondents),
        s.respondent_noun
    )];
    if survey {
        items.push(
            "The survey's counts and shares for each option, as charts, in the API and the open data \
             (never the free-text answers)."
                .into(),
        );
    }
    items.push(match previews.len() {
        0 => {
            "No analysis is in the results yet: put one in from the analysis pages to show its themes.".into()
        }
        n => format!(
            "{n} {} put in the results, below: themes with their counts and positions, approved quotes and \
             “you said, we did”.",
            if n == 1 { "analysis" } else { "analyses" }
        ),
    });
    let offer_reviewed_only = previews.iter().any(|p| !p.unreviewed.is_empty());
    Ok(ConfirmPage {
        heading: "Publish the results?",
        lead: "Publishing the results makes this public:",
        items,
        after: "Names, email addresses and what people wrote stay private, except quotes you approved."
            .into(),
        action: format!("/admin/consultations/{slug}/publish-results"),
        button: "Publish results",
        runs: previews,
        offer_reviewed_only,
        reviewed_only,
        error,
        ..blank_confirm(visitor, session, c.summary)
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishResultsForm {
    /// "yes" to publish only the themes staff reviewed.
    reviewed_only: String,
}

/// Why staff withdraw something: the reason goes in the staff log.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    pub reason: String,
}

/// `GET /admin/consultations/{slug}/withdraw`: what withdrawing a published consultation does,
/// a reason to give, and the button. Administrators only.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn withdraw_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session =
        policy::require(&visitor, Action::Withdraw, &format!("/admin/consultations/{slug}/withdraw"))?;
    let c = staff_consultation(&state, &slug).await?;
    if !c.summary.published || c.summary.withdrawn_at.is_some() {
        return Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response());
    }
    confirm_page(withdraw_page(&state, &visitor, session, c, String::new(), None))
}

fn withdraw_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: heard_store::Consultation,
    reason: String,
    error: Option<String>,
) -> ConfirmPage {
    let s = &c.summary;
    let today = state.today().long();
    let items = vec![
        format!(
            "Its page at /consultations/{} says only that {} withdrew it on {today}; it leaves the home \
             page and every list.",
            s.slug, s.organisation
        ),
        "Its discussions, survey and events are taken down: nobody can comment, answer or register any more."
            .into(),
        "The open-data API and download no longer have it, nor its results.".into(),
        "Everything it received stays here for staff: the register, the analysis and the staff log.".into(),
    ];
    ConfirmPage {
        heading: "Withdraw this consultation?",
        lead: "Withdrawing it means:",
        items,
        after: "This cannot be undone. Say why: the reason goes in the staff log with your name, and is not \
                shown to the public."
            .into(),
        action: format!("/admin/consultations/{}/withdraw", s.slug),
        button: "Withdraw the consultation",
        warning: true,
        reason: Some(reason),
        error,
        ..blank_confirm(visitor, session, c.summary)
    }
}

/// `POST /admin/consultations/{slug}/withdraw`: withdraws it, with the reason.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn withdraw(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<ReasonForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session =
        policy::require(&visitor, Action::Withdraw, &format!("/admin/consultations/{slug}/withdraw"))?;
    let c = staff_consultation(&state, &slug).await?;
    match state
        .store()
        .withdraw_consultation(c.summary.id, session.account.user.id, &form.reason, state.now())
        .await
    {
        Ok(changed) => {
            if changed {
                tracing::info!(consultation.id = c.summary.id, "consultation withdrawn");
            }
            Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            let error = Some(super::accounts::capitalise(&why));
            confirm_page(withdraw_page(&state, &visitor, session, c, form.reason, error))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/consultations/{slug}/withdraw-results`: what withdrawing the published results
/// does, a reason to give, and the button. Administrators only.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn withdraw_results_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(
        &visitor,
        Action::Withdraw,
        &format!("/admin/consultations/{slug}/withdraw-results"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    if c.summary.stage(state.today()) != Stage::ResultsPublished {
        return Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response());
    }
    confirm_page(withdraw_results_page(&state, &visitor, session, c, String::new(), None))
}

fn withdraw_results_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: heard_store::Consultation,
    reason: String,
    error: Option<String>,
) -> ConfirmPage {
    let s = &c.summary;
    let today = state.today().long();
    let items = vec![
        format!(
            "The results page at /consultations/{}/results says only that the results were withdrawn on \
             {today} while they are checked.",
            s.slug
        ),
        "The consultation's page stops linking to them, and says they were withdrawn.".into(),
        "The API's results and survey counts, and the themes and quotes in the open-data download, are no \
         longer public."
            .into(),
        "The analysis runs and their review stay as they are: put them right, then publish the results again."
            .into(),
    ];
    ConfirmPage {
        heading: "Withdraw the published results?",
        lead: "Withdrawing the results means:",
        items,
        after: "Say why: the reason goes in the staff log with your name, and is not shown to the public."
            .into(),
        action: format!("/admin/consultations/{}/withdraw-results", s.slug),
        button: "Withdraw the results",
        warning: true,
        reason: Some(reason),
        error,
        ..blank_confirm(visitor, session, c.summary)
    }
}

/// `POST /admin/consultations/{slug}/withdraw-results`: withdraws the results, with the reason.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn withdraw_results(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<ReasonForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(
        &visitor,
        Action::Withdraw,
        &format!("/admin/consultations/{slug}/withdraw-results"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    match state
        .store()
        .withdraw_results(c.summary.id, session.account.user.id, &form.reason, state.now())
        .await
    {
        Ok(changed) => {
            if changed {
                tracing::info!(consultation.id = c.summary.id, "results withdrawn");
            }
            Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            let error = Some(super::accounts::capitalise(&why));
            confirm_page(withdraw_results_page(&state, &visitor, session, c, form.reason, error))
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn publish(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, WebError> {
    let session = policy::require(
        &posted.visitor,
        Action::ManageConsultations,
        &format!("/admin/consultations/{slug}"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    if state.store().publish_consultation(c.summary.id, session.account.user.id, state.now()).await? {
        tracing::info!(consultation.id = c.summary.id, "consultation published");
    }
    Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn publish_results(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<PublishResultsForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let visitor = &visitor;
    let session =
        policy::require(visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}"))?;
    let c = staff_consultation(&state, &slug).await?;
    let reviewed_only = form.reviewed_only == "yes";
    match state
        .store()
        .publish_results_with(c.summary.id, Some(reviewed_only), session.account.user.id, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response()),
        Err(StoreError::Invalid(why)) => {
            let notice = Some(format!("The results were not published: {why}."));
            hub_page(&state, visitor, c, notice, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
