//! `/admin/consultations`: the back office of consultations, for hosts and administrators. The list
//! with each one's stage, a new draft, the hub page of one (its stage, what staff can do next, the
//! staff log), editing, publishing and publishing the results. Every change is logged by the store.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{ConsultationEdit, ConsultationSummary, Stage, StoreError, User};
use serde::Deserialize;

use super::consultation_form::ConsultationForm;
use super::{FieldError, page_response};
use crate::auth::{Posted, SignedIn, Visitor};
use crate::format::{clock_time, thousands};
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
    let today = state.now().date();
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
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = FormPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        editing,
        form,
        errors,
        hosts: state.store().hosts().await?,
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
    csrf: String,
    c: ConsultationSummary,
    stage: Stage,
    /// "1,622 respondents".
    respondents: String,
    events: usize,
    discussions: usize,
    may_publish_results: bool,
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
    let session =
        policy::require(&visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}"))?;
    let c = staff_consultation(&state, &slug).await?;
    hub_page(&state, &visitor, session, c, None, StatusCode::OK).await
}

async fn hub_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: heard_store::Consultation,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = state.now().date();
    let s = c.summary;
    let log = state
        .store()
        .staff_log(s.id)
        .await?
        .into_iter()
        .map(|e| LogRow {
            when: format!("{}, {}", e.at.date().long(), clock_time(e.at)),
            when_iso: e.at.rfc3339(),
            who: e.actor.map_or_else(|| "heard".to_owned(), |u| u.display_name),
            what: e.action.label(),
            detail: e.detail,
        })
        .collect();
    let stage = s.stage(today);
    let page = HubPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        stage,
        respondents: {
            let n = state.store().respondent_count(s.id).await?;
            format!("{} {}", thousands(n), if n == 1 { "respondent" } else { "respondents" })
        },
        events: state.store().events_of(s.id).await?.len(),
        discussions: c.discussions.len(),
        may_publish_results: stage == Stage::Closed,
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

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

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
    posted: Posted<NoFields>,
) -> Result<Response, WebError> {
    let visitor = &posted.visitor;
    let session =
        policy::require(visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}"))?;
    let c = staff_consultation(&state, &slug).await?;
    match state.store().publish_results(c.summary.id, session.account.user.id, state.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/consultations/{slug}")).into_response()),
        Err(StoreError::Invalid(why)) => {
            let notice = Some(format!("The results were not published: {why}."));
            hub_page(&state, visitor, session, c, notice, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
