//! `/admin/consultations/{slug}/analysis`: analysis in the back office, for hosts and
//! administrators. A consultation's runs; starting one (which responses, discover or a framework,
//! which mode), which then runs in the background (`crate::analyst`) while its page refreshes
//! itself; a finished run's themes, campaigns and organisations' responses, and putting it in the
//! published results; reviewing one theme (rename, describe, mark reviewed, merge, split, quotes,
//! "you said, we did") with every response it holds; and two runs compared.
//!
//! The store writes every change to the staff log in the same transaction, and counts a theme's
//! figures from the mapping when it reads them, so every page here shows figures that follow review.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_analysis::embed::{self, Mode};
use heard_analysis::{checks, framework};
use heard_store::{
    AnalysisRun, Consultation, NewRun, PlanChange, RespondentType, ResponseChannel, RunCampaign, RunMethod,
    RunPublication, RunScope, RunStatus, RunTextEntry, RunTheme, Stance, StoreError,
};
use serde::Deserialize;

use super::accounts::capitalise;
use super::backoffice::{ConfirmPage, ReasonForm, RunPreview};
use super::responses::{TextView, text_view};
use super::{FieldError, page_response};
use crate::auth::{Posted, SignedIn, Visitor};
use crate::format::thousands;
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// Responses listed a page at a time on a theme's page.
const TEXTS_PER_PAGE: i64 = 50;
/// The most themes staff may ask discovery for.
const MAX_THEMES: i64 = 50;
/// The modes, in the order offered, with what each means for staff.
const MODES: [(&str, &str, &str); 3] = [
    ("accurate", "Accurate", "Reads meaning with the sentence model. The best themes; the slowest."),
    ("fast", "Fast", "A table of word meanings taken from the same model: much faster, a little less exact."),
    ("lexical", "Lexical", "Matches words only, with no model. Fastest; use it for a first look."),
];

/// A mode as the start form offers it: why it cannot run on this server, when it cannot.
struct ModeChoice {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    missing: Option<&'static str>,
    /// The commands that install what it needs.
    remedy: &'static str,
}

/// The modes with what this server has installed for each; a run asked in a mode whose model is
/// missing would run in lexical mode instead, so the form says so before, not the run after.
fn mode_choices(state: &AppState) -> Vec<ModeChoice> {
    let dir = state.settings().model_dir.clone().unwrap_or_default();
    MODES
        .iter()
        .map(|&(key, label, hint)| ModeChoice {
            key,
            label,
            hint,
            missing: Mode::parse(key).and_then(|mode| embed::not_installed(mode, &dir)),
            remedy: if key == "fast" {
                "heard model install, then heard model distill"
            } else {
                "heard model install"
            },
        })
        .collect()
}

fn analysis_path(slug: &str) -> String {
    format!("/admin/consultations/{slug}/analysis")
}

fn run_path(slug: &str, run: i64) -> String {
    format!("/admin/consultations/{slug}/analysis/runs/{run}")
}

fn theme_path(slug: &str, run: i64, theme: i64) -> String {
    format!("/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}")
}

// ----- The runs of a consultation -----

#[derive(Template)]
#[template(path = "analysis_runs.html")]
struct RunsPage {
    nav: Nav,
    slug: String,
    title: String,
    runs: Vec<RunRow>,
    /// Finished runs, which can be compared: (id, "Run 3: All responses...").
    comparable: Vec<(i64, String)>,
}

impl RunsPage {
    /// While a run is going, the list refreshes itself, as the run's page does.
    fn any_running(&self) -> bool {
        self.runs.iter().any(|r| !r.over)
    }
}

struct RunRow {
    id: i64,
    href: String,
    scope: String,
    method: &'static str,
    mode: String,
    /// What ran, once known.
    model: String,
    status: String,
    percent: i64,
    over: bool,
    responses: String,
    started_by: String,
    started: String,
    started_iso: String,
    published: bool,
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn runs(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    policy::require(&visitor, Action::Analyse, &analysis_path(&slug))?;
    let c = consultation(&state, &slug).await?;
    let runs = state.store().analysis_runs(c.summary.id).await?;
    let page = RunsPage {
        nav: Nav::for_visitor(&visitor),
        comparable: comparable(&runs),
        runs: runs
            .iter()
            .map(|r| RunRow {
                id: r.id,
                href: run_path(&slug, r.id),
                scope: r.scope.label(),
                method: method_label(r.method),
                mode: r.mode.clone(),
                model: r.model.clone(),
                status: status_text(r),
                percent: r.percent(),
                over: r.status.is_over(),
                responses: thousands(r.responses),
                started_by: r
                    .started_by
                    .as_ref()
                    .map_or_else(|| "heard".to_owned(), |u| u.display_name.clone()),
                started: state.when(r.created_at),
                started_iso: state.datetime(r.created_at),
                published: r.published_at.is_some(),
            })
            .collect(),
        slug,
        title: c.summary.title,
    };
    page_response(&page, StatusCode::OK, None)
}

// ----- Starting a run -----

/// What staff chose on the form, kept as typed so that a form with a problem loses nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    scope: String,
    method: String,
    themes: String,
    framework: String,
    mode: String,
}

#[derive(Template)]
#[template(path = "analysis_new.html")]
struct StartPage {
    nav: Nav,
    csrf: String,
    slug: String,
    title: String,
    form: StartForm,
    errors: Vec<FieldError>,
    /// Channels and questions a run can be limited to: (scope key, label).
    channels: Vec<(String, String)>,
    questions: Vec<(String, String)>,
    modes: Vec<ModeChoice>,
    max_themes: i64,
}

impl StartPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Analyse, &format!("{}/new", analysis_path(&slug)))?;
    let c = consultation(&state, &slug).await?;
    let form = StartForm {
        scope: RunScope::All.key(),
        method: RunMethod::Discover.as_str().to_owned(),
        themes: String::new(),
        framework: suggested_framework(&c),
        // The best mode this server can run.
        mode: mode_choices(&state)
            .iter()
            .find(|m| m.missing.is_none())
            .map_or("lexical", |m| m.key)
            .to_owned(),
    };
    start_page(&state, &visitor, session, &c, form, Vec::new()).await
}

/// Records the run and starts it in the background, then shows its progress. Nothing is recorded
/// unless every choice is right; the form comes back with what was typed and what is wrong.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<StartForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &format!("{}/new", analysis_path(&slug)))?;
    let c = consultation(&state, &slug).await?;
    let scopes = scopes(&state, &c).await?;
    let new = match check_start(&form, c.summary.id, &scopes, &mode_choices(&state)) {
        Ok(new) => new,
        Err(errors) => return start_page(&state, &visitor, session, &c, form, errors).await,
    };
    let queued = state
        .store()
        .create_queued_run(
            &new,
            session.account.user.id,
            state.now(),
            crate::jobs::ANALYSIS,
            crate::jobs::ANALYSIS_ATTEMPTS,
            |run_id| crate::jobs::analysis_payload(run_id),
        )
        .await;
    match queued {
        Ok(id) => {
            tracing::info!(consultation.id = c.summary.id, run.id = id, mode = %new.mode, "analysis run queued");
            state.wake_worker();
            Ok(Redirect::to(&run_path(&slug, id)).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            start_page(
                &state,
                &visitor,
                session,
                &c,
                form,
                vec![FieldError::new("framework", capitalise(&why))],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn start_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: &Consultation,
    form: StartForm,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let scopes = scopes(state, c).await?;
    let (channels, questions) = scopes
        .into_iter()
        .filter(|s| *s != RunScope::All)
        .map(|s| (s.key(), s.label()))
        .partition(|(key, _)| key.starts_with("channel:"));
    let page = StartPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        slug: c.summary.slug.clone(),
        title: c.summary.title.clone(),
        form,
        errors,
        channels,
        questions,
        modes: mode_choices(state),
        max_themes: MAX_THEMES,
    };
    page_response(&page, status, None)
}

/// What a run can read: everything, one channel, or one question (a survey question's text or a
/// discussion's title, as the register's lines name them), each found in the register once.
async fn scopes(state: &AppState, c: &Consultation) -> Result<Vec<RunScope>, WebError> {
    let mut scopes = vec![RunScope::All];
    scopes.extend(ResponseChannel::ALL.into_iter().map(RunScope::Channel));
    let mut questions: Vec<String> = Vec::new();
    for entry in state.store().register_all(c.summary.id).await? {
        for (_, question, _) in entry.lines() {
            if !question.is_empty() && !questions.iter().any(|q| q == question) {
                questions.push(question.to_owned());
            }
        }
    }
    scopes.extend(questions.into_iter().map(RunScope::Question));
    Ok(scopes)
}

/// Checks the form: the run to record, or every problem with the field it belongs to.
fn check_start(
    form: &StartForm,
    consultation_id: i64,
    scopes: &[RunScope],
    modes: &[ModeChoice],
) -> Result<NewRun, Vec<FieldError>> {
    let mut errors = Vec::new();
    let scope = RunScope::parse(&form.scope).filter(|s| scopes.contains(s));
    if scope.is_none() {
        errors.push(FieldError::new("scope", "Choose which responses to analyse."));
    }
    let method = RunMethod::parse(&form.method);
    let mut themes_wanted = None;
    match method {
        None => errors.push(FieldError::new("method-discover", "Choose whether to discover themes or use a framework.")),
        Some(RunMethod::Discover) if !form.themes.trim().is_empty() => match form.themes.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_THEMES).contains(&n) => themes_wanted = Some(n),
            _ => errors.push(FieldError::new(
                "themes",
                format!("Enter a number of themes from 1 to {MAX_THEMES}, or leave it empty to let the responses decide."),
            )),
        },
        Some(RunMethod::Discover) => {}
        Some(RunMethod::Framework) if form.framework.trim().is_empty() => errors.push(FieldError::new(
            "framework",
            "Enter the framework's themes, one \u{201c}Label: description\u{201d} a line.",
        )),
        Some(RunMethod::Framework) => {
            if let Err(e) = framework::parse(&form.framework, "you entered") {
                let message = match e {
                    framework::FrameworkError::Invalid { message, .. } => message,
                    other => other.to_string(),
                };
                errors.push(FieldError::new("framework", format!("The framework cannot be read: {message}.")));
            }
        }
    }
    let mode = modes.iter().find(|m| m.key == form.mode);
    match mode {
        None => errors.push(FieldError::new("mode-accurate", "Choose a mode.")),
        Some(ModeChoice { label, missing: Some(why), remedy, .. }) => errors.push(FieldError::new(
            "mode-accurate",
            format!(
                "{label} mode cannot run on this server: {why}. Choose another mode, or ask an \
                 administrator to run \u{201c}{remedy}\u{201d}."
            ),
        )),
        Some(_) => {}
    }
    let mode = mode.filter(|m| m.missing.is_none()).map(|m| m.key);
    match (scope, method, mode) {
        (Some(scope), Some(method), Some(mode)) if errors.is_empty() => Ok(NewRun {
            consultation_id,
            scope,
            method,
            framework: if method == RunMethod::Framework {
                form.framework.trim().replace("\r\n", "\n")
            } else {
                String::new()
            },
            themes_wanted,
            mode: mode.to_owned(),
        }),
        _ => Err(errors),
    }
}

/// The plan's objectives as a framework to start from: one theme an objective, described by its
/// summary and commitments, so that responses about a commitment find their objective.
fn suggested_framework(c: &Consultation) -> String {
    c.objectives
        .iter()
        .map(|o| {
            let about: Vec<&str> = std::iter::once(o.summary.as_str())
                .chain(o.commitments.iter().map(String::as_str))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let title = o.title.replace(['\n', '\r'], " ");
            if about.is_empty() {
                title
            } else {
                format!("{}: {}", title, about.join(" ").replace(['\n', '\r'], " "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ----- One run -----

#[derive(Template)]
#[template(path = "analysis_run.html")]
struct RunPage {
    nav: Nav,
    csrf: String,
    slug: String,
    title: String,
    run: AnalysisRun,
    scope: String,
    method: &'static str,
    status: String,
    started_by: String,
    started: String,
    started_iso: String,
    responses: String,
    themes: Vec<ThemeRow>,
    campaigns: Vec<RunCampaign>,
    organisations: Vec<OrganisationRow>,
    notice: Option<&'static str>,
    error: Option<String>,
    /// The consultation's results are public: taking this run out of them is a withdrawal.
    results_public: bool,
    /// The visitor may withdraw it (an administrator).
    may_withdraw: bool,
}

impl RunPage {
    fn in_progress(&self) -> bool {
        !self.run.status.is_over()
    }

    fn finished(&self) -> bool {
        self.run.status == RunStatus::Finished
    }

    fn failed(&self) -> bool {
        self.run.status == RunStatus::Failed
    }
}

struct ThemeRow {
    href: String,
    label: String,
    description: String,
    keywords: String,
    count: String,
    share: String,
    agree: String,
    disagree: String,
    unclear: String,
    campaign_texts: String,
    reviewed: bool,
    outcome: &'static str,
}

struct OrganisationRow {
    organisation: String,
    channel: &'static str,
    question: String,
    text: TextView,
    themes: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
    page: Option<i64>,
    /// The theme a split made, to link to.
    new: Option<i64>,
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug, run.id = run_id))]
pub async fn run(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, run_id)): Path<(String, i64)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Analyse, &run_path(&slug, run_id))?;
    let c = consultation(&state, &slug).await?;
    let run = run_of(&state, &c, run_id).await?;
    run_page(&state, &visitor, session, &c, run, confirmation(&query.done), None, StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn run_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: &Consultation,
    run: AnalysisRun,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let slug = &c.summary.slug;
    let finished = run.status == RunStatus::Finished;
    let themes = if finished { state.store().run_themes(run.id).await? } else { Vec::new() };
    let campaigns = if finished { state.store().run_campaigns(run.id).await? } else { Vec::new() };
    let organisations = if finished { state.store().organisation_texts(run.id).await? } else { Vec::new() };
    let page = RunPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        results_public: c.summary.results_published,
        may_withdraw: policy::allows(session.account.user.role, Action::Withdraw),
        slug: slug.clone(),
        title: c.summary.title.clone(),
        scope: run.scope.label(),
        method: method_label(run.method),
        status: status_text(&run),
        started_by: run.started_by.as_ref().map_or_else(|| "heard".to_owned(), |u| u.display_name.clone()),
        started: state.when(run.created_at),
        started_iso: state.datetime(run.created_at),
        responses: thousands(run.responses),
        themes: themes
            .iter()
            .map(|t| ThemeRow {
                href: theme_path(slug, run.id, t.id),
                label: t.label.clone(),
                description: t.description.clone(),
                keywords: t.keywords.join(", "),
                count: thousands(t.count),
                share: percent(t.share),
                agree: thousands(t.positions.agree),
                disagree: thousands(t.positions.disagree),
                unclear: thousands(t.positions.unclear),
                campaign_texts: thousands(t.campaign_texts),
                reviewed: t.reviewed,
                outcome: t.outcome.label(),
            })
            .collect(),
        campaigns,
        organisations: organisations
            .into_iter()
            .map(|t| OrganisationRow {
                organisation: t.organisation.clone(),
                channel: t.channel.label(),
                question: t.question.clone(),
                text: text_view("", &t.text),
                themes: t.themes.join("; "),
            })
            .collect(),
        notice,
        error,
        run,
    };
    page_response(&page, status, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    published: String,
    /// "yes": only the themes staff marked reviewed.
    reviewed_only: String,
}

/// `GET .../runs/{id}/publish`: what putting the run in the results makes public (the themes not
/// reviewed, the quotes not approved, the stance line), the choice of reviewed themes only, and
/// the button.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug, run.id = run_id))]
pub async fn publish_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, run_id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let session =
        policy::require(&visitor, Action::Analyse, &format!("{}/publish", run_path(&slug, run_id)))?;
    let c = consultation(&state, &slug).await?;
    let run = run_of(&state, &c, run_id).await?;
    if run.status != RunStatus::Finished || run.published_at.is_some() {
        return Ok(Redirect::to(&run_path(&slug, run_id)).into_response());
    }
    let themes = state.store().run_themes(run.id).await?;
    let preview = RunPreview::of(&slug, &run, &themes);
    let offer_reviewed_only = !preview.unreviewed.is_empty();
    let lead = if c.summary.results_published {
        "The results are public: this run's themes show on the results page at once, with:"
    } else {
        "Once the results are published, the results page shows this run's themes, with:"
    };
    let page = ConfirmPage {
        heading: "Put this analysis in the results?",
        lead,
        items: Vec::new(),
        runs: vec![preview],
        offer_reviewed_only,
        after: "Quotes not approved, and what people wrote, stay private.".into(),
        action: format!("{}/publish", run_path(&slug, run_id)),
        button: "Publish in the results",
        extra_field: Some(("published", "yes")),
        ..ConfirmPage::blank(&visitor, session, c.summary)
    };
    page.respond()
}

/// Puts a finished run's themes in the published results ("yes", all of them or those reviewed
/// only), or takes them out while the results are not public.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, run.id = run_id))]
pub async fn publish(
    State(state): State<AppState>,
    Path((slug, run_id)): Path<(String, i64)>,
    posted: Posted<PublishForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &run_path(&slug, run_id))?;
    let c = consultation(&state, &slug).await?;
    let run = run_of(&state, &c, run_id).await?;
    let publication = match (form.published.as_str(), form.reviewed_only.as_str()) {
        ("yes", "yes") => RunPublication::ReviewedThemesOnly,
        ("yes", _) => RunPublication::AllThemes,
        _ => RunPublication::Out,
    };
    match state.store().publish_run(run.id, publication, session.account.user.id, state.now()).await {
        Ok(()) => {
            let done = if publication == RunPublication::Out { "withdrawn" } else { "published" };
            Ok(Redirect::to(&format!("{}?done={done}", run_path(&slug, run_id))).into_response())
        }
        Err(StoreError::Invalid(why)) => {
            let error = Some(capitalise(&why));
            run_page(&state, &visitor, session, &c, run, None, error, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET .../runs/{id}/withdraw`: taking a run out of results already public, for administrators,
/// with a reason.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug, run.id = run_id))]
pub async fn withdraw_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, run_id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let session =
        policy::require(&visitor, Action::Withdraw, &format!("{}/withdraw", run_path(&slug, run_id)))?;
    let c = consultation(&state, &slug).await?;
    let run = run_of(&state, &c, run_id).await?;
    if run.published_at.is_none() {
        return Ok(Redirect::to(&run_path(&slug, run_id)).into_response());
    }
    withdraw_run_page(&visitor, session, &c, &run, String::new(), None).respond()
}

fn withdraw_run_page(
    visitor: &Visitor,
    session: &SignedIn,
    c: &Consultation,
    run: &AnalysisRun,
    reason: String,
    error: Option<String>,
) -> ConfirmPage {
    let slug = &c.summary.slug;
    let mut items = vec![format!(
        "Its themes, quotes and “you said, we did” leave the results page at \
         /consultations/{slug}/results, the API and the open-data download at once."
    )];
    if c.summary.results_published {
        items.push("The rest of the results stays published.".into());
    }
    items.push("The run and its review stay here: it can be put in the results again.".into());
    ConfirmPage {
        heading: "Withdraw this analysis from the results?",
        lead: "Withdrawing it means:",
        items,
        after: "Say why: the reason goes in the staff log with your name, and is not shown to the public."
            .into(),
        action: format!("{}/withdraw", run_path(slug, run.id)),
        button: "Withdraw from the results",
        warning: true,
        reason: Some(reason),
        error,
        ..ConfirmPage::blank(visitor, session, c.summary.clone())
    }
}

/// `POST .../runs/{id}/withdraw`: takes the run out of the results, with the reason.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, run.id = run_id))]
pub async fn withdraw(
    State(state): State<AppState>,
    Path((slug, run_id)): Path<(String, i64)>,
    posted: Posted<ReasonForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session =
        policy::require(&visitor, Action::Withdraw, &format!("{}/withdraw", run_path(&slug, run_id)))?;
    let c = consultation(&state, &slug).await?;
    let run = run_of(&state, &c, run_id).await?;
    match state.store().withdraw_run(run.id, session.account.user.id, &form.reason, state.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=withdrawn", run_path(&slug, run_id))).into_response()),
        Err(StoreError::Invalid(why)) => {
            withdraw_run_page(&visitor, session, &c, &run, form.reason, Some(capitalise(&why))).respond()
        }
        Err(e) => Err(e.into()),
    }
}

// ----- One theme -----

/// What the theme page's forms hold: the stored values, or what was typed when a form came back.
#[derive(Debug, Default)]
struct ThemeForms {
    label: String,
    description: String,
    merge: Vec<i64>,
    split_label: String,
    split_description: String,
    split: Vec<i64>,
    outcome: String,
    we_did: String,
}

impl ThemeForms {
    fn of(theme: &RunTheme) -> ThemeForms {
        ThemeForms {
            label: theme.label.clone(),
            description: theme.description.clone(),
            outcome: theme.outcome.as_str().to_owned(),
            we_did: theme.we_did.clone(),
            ..ThemeForms::default()
        }
    }
}

#[derive(Template)]
#[template(path = "analysis_theme.html")]
struct ThemePage {
    nav: Nav,
    csrf: String,
    slug: String,
    title: String,
    run_href: String,
    run_title: String,
    theme: RunTheme,
    theme_href: String,
    share: String,
    /// The run's other themes, to merge into this one: (id, label, count).
    others: Vec<(i64, String, String)>,
    texts: Vec<TextRow>,
    total: String,
    page: i64,
    page_count: i64,
    previous_href: Option<String>,
    next_href: Option<String>,
    forms: ThemeForms,
    outcomes: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    /// The theme a split just made: (href, label).
    new_theme: Option<(String, String)>,
}

impl ThemePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn merging(&self, id: &i64) -> bool {
        self.forms.merge.contains(id)
    }
}

struct TextRow {
    id: i64,
    /// Its line in the register's export, which names it in the page.
    line: String,
    channel: &'static str,
    /// "Individual", or "Organisation: Friends of the Canal".
    respondent: String,
    borough: String,
    stance: &'static str,
    evidence: bool,
    campaign: bool,
    question: String,
    text: TextView,
    /// Its other themes.
    also: String,
    checked: bool,
    quoted: bool,
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn theme(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    let (run, themes) = theme_of(&state, &c, run_id, theme_id).await?;
    let reply = ThemeReply {
        notice: confirmation(&query.done),
        page: query.page.unwrap_or(1),
        new_theme: query.new,
        ..ThemeReply::default()
    };
    theme_page(&state, &visitor, session, &c, &run, themes, theme_id, reply).await
}

/// How the theme page is shown: after a change, or with a form that came back.
#[derive(Default)]
struct ThemeReply {
    notice: Option<&'static str>,
    page: i64,
    /// The theme a split just made.
    new_theme: Option<i64>,
    /// The typed values, when a form came back; each handler fills in its own form's fields.
    forms: Option<ThemeForms>,
    errors: Vec<FieldError>,
}

#[allow(clippy::too_many_arguments)]
async fn theme_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: &Consultation,
    run: &AnalysisRun,
    themes: Vec<RunTheme>,
    theme_id: i64,
    reply: ThemeReply,
) -> Result<Response, WebError> {
    let slug = &c.summary.slug;
    let status = if reply.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let theme = themes.iter().find(|t| t.id == theme_id).cloned().ok_or(WebError::NotFound)?;
    let forms = reply.forms.unwrap_or_else(|| ThemeForms::of(&theme));
    let page = reply.page.max(1);
    let (texts, total) = state.store().theme_texts(theme_id, page, TEXTS_PER_PAGE).await?;
    let page_count = ((total.max(1) + TEXTS_PER_PAGE - 1) / TEXTS_PER_PAGE).max(1);
    let href = theme_path(slug, run.id, theme_id);
    let quoted: Vec<i64> = theme.quotes.iter().map(|q| q.run_response_id).collect();
    let page = ThemePage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        slug: slug.clone(),
        title: c.summary.title.clone(),
        run_href: run_path(slug, run.id),
        run_title: format!("Run {}: {}", run.id, run.scope.label()),
        share: percent(theme.share),
        others: themes
            .iter()
            .filter(|t| t.id != theme_id)
            .map(|t| (t.id, t.label.clone(), thousands(t.count)))
            .collect(),
        texts: texts
            .into_iter()
            .map(|t| TextRow {
                checked: forms.split.contains(&t.id),
                quoted: quoted.contains(&t.id),
                also: t.themes.iter().filter(|l| **l != theme.label).cloned().collect::<Vec<_>>().join("; "),
                ..text_row(t)
            })
            .collect(),
        total: thousands(total),
        page,
        page_count,
        previous_href: (page > 1).then(|| format!("{href}?page={}#responses", page - 1)),
        next_href: (page < page_count).then(|| format!("{href}?page={}#responses", page + 1)),
        theme_href: href,
        forms,
        outcomes: PlanChange::ALL.into_iter().map(|o| (o.as_str(), o.label())).collect(),
        errors: reply.errors,
        notice: reply.notice,
        new_theme: reply.new_theme.and_then(|id| {
            let t = themes.iter().find(|t| t.id == id)?;
            Some((theme_path(slug, run.id, id), t.label.clone()))
        }),
        theme,
    };
    page_response(&page, status, None)
}

fn text_row(t: RunTextEntry) -> TextRow {
    TextRow {
        id: t.id,
        channel: t.channel.label(),
        respondent: match t.respondent_type {
            RespondentType::Organisation if !t.organisation.is_empty() => {
                format!("Organisation: {}", t.organisation)
            }
            other => other.label().to_owned(),
        },
        borough: if t.borough.is_empty() { "Borough not known".to_owned() } else { t.borough },
        stance: stance_label(t.position),
        evidence: t.evidence_rich,
        campaign: t.campaign_id.is_some(),
        question: t.question,
        text: text_view("", &t.text),
        also: String::new(),
        checked: false,
        quoted: false,
        line: t.line,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenameForm {
    label: String,
    description: String,
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn rename(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    posted: Posted<RenameForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    let (run, themes) = theme_of(&state, &c, run_id, theme_id).await?;
    let problem = if form.label.trim().is_empty() {
        Some("Enter a name for the theme.".to_owned())
    } else {
        match state
            .store()
            .rename_theme(theme_id, &form.label, &form.description, session.account.user.id, state.now())
            .await
        {
            Ok(()) => None,
            Err(StoreError::Invalid(why)) => Some(capitalise(&why)),
            Err(e) => return Err(e.into()),
        }
    };
    match problem {
        None => Ok(done(&slug, run_id, theme_id, "renamed", "")),
        Some(message) => {
            let theme = find(&themes, theme_id)?;
            let forms =
                ThemeForms { label: form.label, description: form.description, ..ThemeForms::of(theme) };
            let reply = ThemeReply {
                forms: Some(forms),
                errors: vec![FieldError::new("label", message)],
                ..ThemeReply::default()
            };
            theme_page(&state, &visitor, session, &c, &run, themes, theme_id, reply).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewedForm {
    reviewed: String,
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn reviewed(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    posted: Posted<ReviewedForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    theme_of(&state, &c, run_id, theme_id).await?;
    let reviewed = form.reviewed == "yes";
    state.store().set_theme_reviewed(theme_id, reviewed, session.account.user.id, state.now()).await?;
    Ok(done(&slug, run_id, theme_id, if reviewed { "reviewed" } else { "unreviewed" }, ""))
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// Merges the chosen themes (repeated `theme` fields) into this one.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn merge(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    posted: Posted<NoFields>,
) -> Result<Response, WebError> {
    let Posted { visitor, fields, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    let (run, themes) = theme_of(&state, &c, run_id, theme_id).await?;
    // Only themes of this run that are still shown: anything else was not on the page.
    let chosen: Vec<i64> = ids(&fields, "theme")
        .into_iter()
        .filter(|id| *id != theme_id && themes.iter().any(|t| t.id == *id))
        .collect();
    let problem = if chosen.is_empty() {
        Some("Choose at least one other theme to merge into this one.".to_owned())
    } else {
        match state.store().merge_themes(theme_id, &chosen, session.account.user.id, state.now()).await {
            Ok(()) => None,
            Err(StoreError::Invalid(why)) => Some(capitalise(&why)),
            Err(e) => return Err(e.into()),
        }
    };
    match problem {
        None => Ok(done(&slug, run_id, theme_id, "merged", "")),
        Some(message) => {
            let forms = ThemeForms { merge: chosen, ..ThemeForms::of(find(&themes, theme_id)?) };
            let reply = ThemeReply {
                forms: Some(forms),
                errors: vec![FieldError::new("merge", message)],
                ..ThemeReply::default()
            };
            theme_page(&state, &visitor, session, &c, &run, themes, theme_id, reply).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SplitForm {
    label: String,
    description: String,
    page: Option<i64>,
}

/// Moves the chosen responses (repeated `text` fields) out of this theme into a new one.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn split(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    posted: Posted<SplitForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, fields } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    let (run, themes) = theme_of(&state, &c, run_id, theme_id).await?;
    let chosen = ids(&fields, "text");
    let mut errors = Vec::new();
    if chosen.is_empty() {
        errors.push(FieldError::new("split", "Choose the responses to move into the new theme."));
    }
    if form.label.trim().is_empty() {
        errors.push(FieldError::new("split-label", "Enter a name for the new theme."));
    }
    if errors.is_empty() {
        match state
            .store()
            .split_theme(
                theme_id,
                &form.label,
                &form.description,
                &chosen,
                session.account.user.id,
                state.now(),
            )
            .await
        {
            Ok(new_id) => {
                tracing::info!(
                    theme.id = theme_id,
                    new_theme.id = new_id,
                    moved = chosen.len(),
                    "theme split"
                );
                return Ok(done(&slug, run_id, theme_id, "split", &format!("&new={new_id}")));
            }
            Err(StoreError::Invalid(why)) => errors.push(FieldError::new("split", capitalise(&why))),
            Err(e) => return Err(e.into()),
        }
    }
    let forms = ThemeForms {
        split_label: form.label,
        split_description: form.description,
        split: chosen,
        ..ThemeForms::of(find(&themes, theme_id)?)
    };
    let reply =
        ThemeReply { forms: Some(forms), errors, page: form.page.unwrap_or(1), ..ThemeReply::default() };
    theme_page(&state, &visitor, session, &c, &run, themes, theme_id, reply).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuoteForm {
    text: i64,
    /// The page of responses the button was on, where the text is looked for first.
    page: Option<i64>,
}

/// Offers one of the theme's responses as a quote. What is stored is redacted here, on the server,
/// from the text the run keeps: nothing typed or sent by the page is stored.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn offer_quote(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    posted: Posted<QuoteForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    theme_of(&state, &c, run_id, theme_id).await?;
    let page = form.page.unwrap_or(1);
    let (on_page, _) = state.store().theme_texts(theme_id, page, TEXTS_PER_PAGE).await?;
    let text = match on_page.into_iter().find(|t| t.id == form.text) {
        Some(t) => t,
        // Review moved it to another page since: look through the whole theme.
        None => {
            let (all, _) = state.store().theme_texts(theme_id, 1, i64::MAX / 2).await?;
            all.into_iter().find(|t| t.id == form.text).ok_or(WebError::NotFound)?
        }
    };
    let quote = checks::check(&text.text).redacted(&text.text);
    state.store().add_quote(theme_id, text.id, &quote, session.account.user.id, state.now()).await?;
    Ok(done(&slug, run_id, theme_id, "quoted", "#quotes"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApproveForm {
    approved: String,
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id, quote.id = quote_id))]
pub async fn approve_quote(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id, quote_id)): Path<(String, i64, i64, i64)>,
    posted: Posted<ApproveForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    let (_, themes) = theme_of(&state, &c, run_id, theme_id).await?;
    if !find(&themes, theme_id)?.quotes.iter().any(|q| q.id == quote_id) {
        return Err(WebError::NotFound);
    }
    let approved = form.approved == "yes";
    state.store().set_quote_approved(quote_id, approved, session.account.user.id, state.now()).await?;
    Ok(done(&slug, run_id, theme_id, if approved { "approved" } else { "unapproved" }, "#quotes"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeDidForm {
    outcome: String,
    we_did: String,
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, theme.id = theme_id))]
pub async fn we_did(
    State(state): State<AppState>,
    Path((slug, run_id, theme_id)): Path<(String, i64, i64)>,
    posted: Posted<WeDidForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Analyse, &theme_path(&slug, run_id, theme_id))?;
    let c = consultation(&state, &slug).await?;
    let (run, themes) = theme_of(&state, &c, run_id, theme_id).await?;
    let error = match PlanChange::parse(&form.outcome) {
        None => Some(FieldError::new("outcome", "Choose what became of the theme in the plan.")),
        Some(outcome) if outcome != PlanChange::Undecided && form.we_did.trim().is_empty() => {
            Some(FieldError::new("we_did", "Say what changed and why, or why not."))
        }
        Some(outcome) => match state
            .store()
            .set_we_did(theme_id, outcome, &form.we_did, session.account.user.id, state.now())
            .await
        {
            Ok(()) => None,
            Err(StoreError::Invalid(why)) => Some(FieldError::new("we_did", capitalise(&why))),
            Err(e) => return Err(e.into()),
        },
    };
    match error {
        None => Ok(done(&slug, run_id, theme_id, "we-did", "#we-did")),
        Some(error) => {
            let forms = ThemeForms {
                outcome: form.outcome,
                we_did: form.we_did,
                ..ThemeForms::of(find(&themes, theme_id)?)
            };
            let reply = ThemeReply { forms: Some(forms), errors: vec![error], ..ThemeReply::default() };
            theme_page(&state, &visitor, session, &c, &run, themes, theme_id, reply).await
        }
    }
}

// ----- Two runs compared -----

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    a: String,
    b: String,
}

#[derive(Template)]
#[template(path = "analysis_compare.html")]
struct ComparePage {
    nav: Nav,
    slug: String,
    title: String,
    comparable: Vec<(i64, String)>,
    a: Option<i64>,
    b: Option<i64>,
    compared: Option<Comparison>,
}

struct Comparison {
    a_title: String,
    b_title: String,
    a_href: String,
    b_href: String,
    /// Texts the two runs both read.
    shared_texts: String,
    rows: Vec<CompareRow>,
    a_themes: Vec<(String, String)>,
    b_themes: Vec<(String, String)>,
}

struct CompareRow {
    label: String,
    count: String,
    /// The theme of B sharing most of its texts, and how many it shares.
    closest: Option<(String, String)>,
}

/// Two finished runs of the consultation side by side, each theme of the first with the theme of
/// the second sharing most of its texts. Runs keep their own copies of the texts they read, so
/// texts are matched by their line in the register.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn compare(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Response, WebError> {
    policy::require(&visitor, Action::Analyse, &format!("{}/compare", analysis_path(&slug)))?;
    let c = consultation(&state, &slug).await?;
    let runs = state.store().analysis_runs(c.summary.id).await?;
    let finished = |key: &str| {
        key.trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| runs.iter().find(|r| r.id == id && r.status == RunStatus::Finished))
    };
    let (a, b) = (finished(&query.a), finished(&query.b));
    let compared = match (a, b) {
        (Some(a), Some(b)) => Some(comparison(&state, &slug, a, b).await?),
        _ => None,
    };
    let page = ComparePage {
        nav: Nav::for_visitor(&visitor),
        comparable: comparable(&runs),
        a: a.map(|r| r.id),
        b: b.map(|r| r.id),
        compared,
        slug,
        title: c.summary.title,
    };
    page_response(&page, StatusCode::OK, None)
}

async fn comparison(
    state: &AppState,
    slug: &str,
    a: &AnalysisRun,
    b: &AnalysisRun,
) -> Result<Comparison, WebError> {
    let store = state.store();
    let (a_themes, b_themes) = (store.run_themes(a.id).await?, store.run_themes(b.id).await?);
    let (a_texts, b_texts) = (store.run_texts(a.id).await?, store.run_texts(b.id).await?);
    let b_by_line: HashMap<&str, &[String]> =
        b_texts.iter().map(|t| (t.line.as_str(), t.themes.as_slice())).collect();
    // For each label of A, how many of its texts each label of B holds.
    let mut overlap: HashMap<&str, HashMap<&str, i64>> = HashMap::new();
    let mut shared = 0;
    for t in &a_texts {
        let Some(b_labels) = b_by_line.get(t.line.as_str()) else { continue };
        shared += 1;
        for la in &t.themes {
            let counts = overlap.entry(la.as_str()).or_default();
            for lb in b_labels.iter() {
                *counts.entry(lb.as_str()).or_default() += 1;
            }
        }
    }
    let rows = a_themes
        .iter()
        .map(|t| {
            // The most shared; on a tie, B's earlier theme, so the page reads the same each time.
            let closest = overlap.get(t.label.as_str()).and_then(|counts| {
                b_themes.iter().filter_map(|tb| counts.get(tb.label.as_str()).map(|n| (tb, *n))).fold(
                    None,
                    |best: Option<(&RunTheme, i64)>, (tb, n)| match best {
                        Some((_, m)) if m >= n => best,
                        _ => Some((tb, n)),
                    },
                )
            });
            CompareRow {
                label: t.label.clone(),
                count: thousands(t.count),
                closest: closest.map(|(tb, n)| (tb.label.clone(), thousands(n))),
            }
        })
        .collect();
    let listed = |themes: &[RunTheme]| themes.iter().map(|t| (t.label.clone(), thousands(t.count))).collect();
    Ok(Comparison {
        a_title: run_title(a),
        b_title: run_title(b),
        a_href: run_path(slug, a.id),
        b_href: run_path(slug, b.id),
        shared_texts: thousands(shared),
        rows,
        a_themes: listed(&a_themes),
        b_themes: listed(&b_themes),
    })
}

// ----- Helpers -----

async fn consultation(state: &AppState, slug: &str) -> Result<Consultation, WebError> {
    state.store().consultation_for_staff(slug).await?.ok_or(WebError::NotFound)
}

/// A run of this consultation; another's is not found here.
async fn run_of(state: &AppState, c: &Consultation, run_id: i64) -> Result<AnalysisRun, WebError> {
    state
        .store()
        .analysis_run(run_id)
        .await?
        .filter(|r| r.consultation_id == c.summary.id)
        .ok_or(WebError::NotFound)
}

/// A finished run of this consultation and its themes, which include `theme_id` (a theme merged
/// away is not found).
async fn theme_of(
    state: &AppState,
    c: &Consultation,
    run_id: i64,
    theme_id: i64,
) -> Result<(AnalysisRun, Vec<RunTheme>), WebError> {
    let run = run_of(state, c, run_id).await?;
    let themes = state.store().run_themes(run.id).await?;
    find(&themes, theme_id)?;
    Ok((run, themes))
}

fn find(themes: &[RunTheme], theme_id: i64) -> Result<&RunTheme, WebError> {
    themes.iter().find(|t| t.id == theme_id).ok_or(WebError::NotFound)
}

/// The theme page after a change, saying what was done; `rest` is more of the query, or an anchor.
fn done(slug: &str, run_id: i64, theme_id: i64, what: &str, rest: &str) -> Response {
    Redirect::to(&format!("{}?done={what}{rest}", theme_path(slug, run_id, theme_id))).into_response()
}

/// The short confirmation after a change.
fn confirmation(done: &str) -> Option<&'static str> {
    Some(match done {
        "renamed" => "The name and description were saved.",
        "reviewed" => "The theme is marked reviewed.",
        "unreviewed" => "The theme is marked not reviewed.",
        "merged" => "The themes were merged into this one. Its figures now count each response once.",
        "split" => "The responses were moved into the new theme.",
        "quoted" => "The response was offered as a quote, with any personal data taken out.",
        "approved" => "The quote is approved for the published results.",
        "unapproved" => "The quote is withdrawn from the published results.",
        "we-did" => "\u{201c}You said, we did\u{201d} was saved.",
        "published" => "The run's themes are in the published results.",
        "withdrawn" => "The run's themes were taken out of the published results.",
        _ => return None,
    })
}

/// The repeated fields `name` of a form, as ids; anything else sent is ignored.
fn ids(fields: &[(String, String)], name: &str) -> Vec<i64> {
    let mut ids: Vec<i64> =
        fields.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| v.parse().ok()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn comparable(runs: &[AnalysisRun]) -> Vec<(i64, String)> {
    runs.iter().filter(|r| r.status == RunStatus::Finished).map(|r| (r.id, run_title(r))).collect()
}

/// "Run 3: All responses, every channel (discover, lexical mode)".
fn run_title(run: &AnalysisRun) -> String {
    format!("Run {}: {} ({}, {} mode)", run.id, run.scope.label(), run.method.as_str(), run.mode)
}

fn method_label(method: RunMethod) -> &'static str {
    match method {
        RunMethod::Discover => "Discover themes",
        RunMethod::Framework => "Framework",
    }
}

/// "Waiting to start", "Mapping responses: 45%", "Finished", "Failed".
fn status_text(run: &AnalysisRun) -> String {
    match run.status {
        RunStatus::Queued => "Waiting to start".to_owned(),
        RunStatus::Running if run.stage.is_empty() => format!("Running: {}%", run.percent()),
        RunStatus::Running => format!("{}: {}%", capitalise(&run.stage).trim_end_matches('.'), run.percent()),
        RunStatus::Finished => "Finished".to_owned(),
        RunStatus::Failed => "Failed".to_owned(),
    }
}

fn stance_label(stance: Stance) -> &'static str {
    match stance {
        Stance::Agree => "Agrees",
        Stance::Disagree => "Disagrees",
        Stance::Unclear => "Position unclear",
    }
}

/// "12%", or "0.4%" for a share under one in a hundred that is not nothing.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 1.0 { format!("{p:.1}%") } else { format!("{p:.0}%") }
}
