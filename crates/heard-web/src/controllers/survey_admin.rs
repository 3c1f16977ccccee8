//! The survey in the back office, for hosts and administrators: create it, add, edit, reorder and
//! delete its sections and questions, and read its results (counts and percentages with SVG bar
//! charts and a table for each, average places for rankings, free text listed a page at a time).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{
    Condition, Consultation, NewQuestion, Question, QuestionKind, QuestionResult, Section, StoreError,
    Survey, SurveySettings,
};
use serde::Deserialize;

use super::accounts::capitalise;
use super::page_response;
use crate::auth::{Posted, SignedIn, Visitor};
use crate::format::{chart_label, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// Free-text answers listed under each question on the results page, and per page when listed alone.
const TEXTS_PREVIEW: u32 = 10;
const TEXTS_PER_PAGE: u32 = 50;

fn builder_path(slug: &str) -> String {
    format!("/admin/consultations/{slug}/survey")
}

#[derive(Template)]
#[template(path = "survey_builder.html")]
struct BuilderPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    survey: Option<Survey>,
    settings: SettingsForm,
    errors: Vec<(String, String)>,
    section_form: SectionForm,
    section_errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl BuilderPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn section_error_for(&self, field: &str) -> Option<&str> {
        self.section_errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn condition_line(&self, q: &Question) -> Option<String> {
        let condition = q.condition.as_ref()?;
        let earlier = self.survey.as_ref()?.question(condition.question_id)?;
        Some(format!(
            "Shown only when \u{201c}{}\u{201d} is answered {}",
            earlier.prompt,
            condition.options.iter().map(|o| format!("\u{201c}{o}\u{201d}")).collect::<Vec<_>>().join(" or ")
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    title: String,
    intro: String,
    allow_anonymous: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SectionForm {
    title: String,
    intro: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    direction: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    kind: String,
    prompt: String,
    hint: String,
    required: String,
    options: String,
    condition_question: String,
    condition_options: String,
}

#[derive(Template)]
#[template(path = "survey_section_form.html")]
struct SectionPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    action: String,
    form: SectionForm,
    errors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "survey_question_form.html")]
struct QuestionPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    heading: String,
    action: String,
    form: QuestionForm,
    kinds: Vec<(&'static str, &'static str)>,
    /// Earlier questions a condition can depend on: (id, prompt, its answers as one line).
    earlier: Vec<(String, String, String)>,
    errors: Vec<(String, String)>,
}

impl QuestionPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// The builder: the survey's settings, its sections and questions, and forms to add more.
#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let consultation = consultation(&state, &slug).await?;
    let survey = state.store().survey_for(&slug).await?;
    let settings = match &survey {
        Some(s) => SettingsForm {
            title: s.title.clone(),
            intro: s.intro.clone(),
            allow_anonymous: if s.allow_anonymous { "yes".into() } else { String::new() },
        },
        None => SettingsForm {
            title: format!("Survey: {}", consultation.summary.title),
            ..SettingsForm::default()
        },
    };
    page_response(&builder_page(&visitor, session, &consultation, survey, settings), StatusCode::OK, None)
}

/// Creates the survey, or changes its title, introduction and whether it takes anonymous answers.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn settings(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<SettingsForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let consultation = consultation(&state, &slug).await?;
    let survey = state.store().survey_for(&slug).await?;
    if form.title.trim().is_empty() {
        let errors = vec![("title".to_owned(), "Enter a title for the survey".to_owned())];
        let page = BuilderPage { errors, ..builder_page(&visitor, session, &consultation, survey, form) };
        return page_response(&page, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    let settings = SurveySettings {
        title: form.title.trim().to_owned(),
        intro: form.intro.trim().to_owned(),
        allow_anonymous: !form.allow_anonymous.is_empty(),
    };
    match &survey {
        Some(s) => state.store().update_survey(s.id, &settings).await?,
        None => {
            let id = state.store().create_survey(consultation.summary.id, &settings).await?;
            tracing::info!(survey.id = id, "survey created");
        }
    }
    Ok(Redirect::to(&builder_path(&slug)).into_response())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn add_section(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<SectionForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let consultation = consultation(&state, &slug).await?;
    let survey = existing_survey(&state, &slug).await?;
    if form.title.trim().is_empty() {
        let settings = settings_of(&survey);
        let errors = vec![("section-title".to_owned(), "Enter a title for the section".to_owned())];
        let page = BuilderPage {
            section_form: form,
            section_errors: errors,
            ..builder_page(&visitor, session, &consultation, Some(survey), settings)
        };
        return page_response(&page, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    state.store().add_section(survey.id, &form.title, &form.intro).await?;
    Ok(Redirect::to(&builder_path(&slug)).into_response())
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn section_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    let section = section_of(&survey, id)?;
    let form = SectionForm { title: section.title.clone(), intro: section.intro.clone() };
    section_page(&visitor, session, &survey, id, form, vec![], StatusCode::OK)
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn edit_section(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<SectionForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    section_of(&survey, id)?;
    if form.title.trim().is_empty() {
        let errors = vec![("title".to_owned(), "Enter a title for the section".to_owned())];
        return section_page(&visitor, session, &survey, id, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    state.store().update_section(id, &form.title, &form.intro).await?;
    Ok(Redirect::to(&format!("{}#section-{id}", builder_path(&slug))).into_response())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn move_section(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<MoveForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    section_of(&survey, id)?;
    state.store().move_section(id, form.direction == "up").await?;
    Ok(Redirect::to(&format!("{}#section-{id}", builder_path(&slug))).into_response())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn delete_section(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<MoveForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let consultation = consultation(&state, &slug).await?;
    let survey = existing_survey(&state, &slug).await?;
    section_of(&survey, id)?;
    let deleted = state.store().delete_section(id).await;
    after_deleting(deleted, &visitor, session, &consultation, survey)
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn new_question_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, section_id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    section_of(&survey, section_id)?;
    let form = QuestionForm { kind: QuestionKind::SingleChoice.as_str().into(), ..QuestionForm::default() };
    question_page(&visitor, session, &survey, section_id, None, form, vec![], StatusCode::OK)
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn add_question(
    State(state): State<AppState>,
    Path((slug, section_id)): Path<(String, i64)>,
    posted: Posted<QuestionForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    section_of(&survey, section_id)?;
    let (new, errors) = read_question(&survey, section_id, None, &form);
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return question_page(
            &visitor,
            session,
            &survey,
            section_id,
            None,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let id = state.store().add_question(section_id, &new).await?;
    Ok(Redirect::to(&format!("{}#question-{id}", builder_path(&slug))).into_response())
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn question_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    let q = survey.question(id).ok_or(WebError::NotFound)?;
    let form = QuestionForm {
        kind: q.kind.as_str().into(),
        prompt: q.prompt.clone(),
        hint: q.hint.clone(),
        required: if q.required { "yes".into() } else { String::new() },
        options: q.options.join("\n"),
        condition_question: q.condition.as_ref().map(|c| c.question_id.to_string()).unwrap_or_default(),
        condition_options: q.condition.as_ref().map(|c| c.options.join("\n")).unwrap_or_default(),
    };
    question_page(&visitor, session, &survey, q.section_id, Some(id), form, vec![], StatusCode::OK)
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn edit_question(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<QuestionForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    let old = survey.question(id).ok_or(WebError::NotFound)?;
    let (section_id, old_kind) = (old.section_id, old.kind);
    let (new, mut errors) = read_question(&survey, section_id, Some(id), &form);
    if let Some(new) = new.filter(|_| errors.is_empty()) {
        match state.store().update_question(id, &new).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("{}#question-{id}", builder_path(&slug))).into_response());
            }
            // Once people have answered, their answers fix the kind and the options they chose
            // from; the store says which part of the edit it refused.
            Err(StoreError::Invalid(problem)) => {
                let field = if new.kind == old_kind { "options" } else { "kind" };
                errors.push((field.into(), capitalise(&problem)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    question_page(
        &visitor,
        session,
        &survey,
        section_id,
        Some(id),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn move_question(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<MoveForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let survey = existing_survey(&state, &slug).await?;
    survey.question(id).ok_or(WebError::NotFound)?;
    state.store().move_question(id, form.direction == "up").await?;
    Ok(Redirect::to(&format!("{}#question-{id}", builder_path(&slug))).into_response())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn delete_question(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<MoveForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, .. } = posted;
    let session = policy::require(&visitor, Action::BuildSurvey, &builder_path(&slug))?;
    let consultation = consultation(&state, &slug).await?;
    let survey = existing_survey(&state, &slug).await?;
    survey.question(id).ok_or(WebError::NotFound)?;
    let deleted = state.store().delete_question(id).await;
    after_deleting(deleted, &visitor, session, &consultation, survey)
}

#[derive(Template)]
#[template(path = "survey_results.html")]
struct ResultsPage {
    nav: Nav,
    slug: String,
    consultation_title: String,
    survey_title: String,
    submitted: String,
    /// "1,100 of them were generated for the demo", when some were.
    synthetic: Option<String>,
    questions: Vec<ResultView>,
    /// When one free-text question is listed alone: its pages.
    pager: Option<Pager>,
}

struct ResultView {
    id: i64,
    number: usize,
    prompt: String,
    kind: QuestionKind,
    answered: String,
    /// (option, option as the chart shows it, count, percentage as text, bar width in the chart)
    rows: Vec<(String, String, String, String, u32)>,
    chart_height: u32,
    /// (option, average place as text, how many ranked it)
    ranks: Vec<(String, String, String)>,
    texts: Vec<String>,
    more_texts: Option<String>,
}

struct Pager {
    question_id: i64,
    page: u32,
    pages: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultsQuery {
    question: Option<i64>,
    page: Option<u32>,
}

/// Bar chart geometry (SVG user units, 400 wide, as on the results page, so the labels stay
/// readable on a phone): one row per option, the label above its bar.
const BAR_MAX: u32 = 280;
const ROW_HEIGHT: u32 = 44;

#[tracing::instrument(skip(state, visitor, query), fields(consultation.slug = %slug))]
pub async fn results(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<ResultsQuery>,
) -> Result<Response, WebError> {
    policy::require(&visitor, Action::BuildSurvey, &format!("{}/results", builder_path(&slug)))?;
    let survey = existing_survey(&state, &slug).await?;
    let results = state.store().survey_results(&survey).await?;
    let mut questions = Vec::new();
    let mut pager = None;
    for (n, q) in survey.questions().enumerate() {
        if query.question.is_some_and(|id| id != q.id) {
            continue;
        }
        let result = results.questions.iter().find(|r| r.question_id == q.id);
        let answered = result.map_or(0, |r| r.answered);
        let (texts, more_texts) = if q.kind.is_text() {
            let (page, per_page) = match query.question {
                Some(_) => (query.page.unwrap_or(1).max(1), TEXTS_PER_PAGE),
                None => (1, TEXTS_PREVIEW),
            };
            let (texts, total) = state.store().survey_texts(q.id, page, per_page).await?;
            if query.question.is_some() {
                let pages = ((total + i64::from(per_page) - 1) / i64::from(per_page)).max(1) as u32;
                pager = Some(Pager { question_id: q.id, page, pages });
            }
            let more = (query.question.is_none() && total > i64::from(TEXTS_PREVIEW))
                .then(|| format!("See all {} answers", thousands(total)));
            (texts, more)
        } else {
            (Vec::new(), None)
        };
        let rows = result.map(chart_rows).unwrap_or_default();
        questions.push(ResultView {
            id: q.id,
            number: n + 1,
            prompt: q.prompt.clone(),
            kind: q.kind,
            answered: format!("{} answered", thousands(answered)),
            chart_height: rows.len() as u32 * ROW_HEIGHT,
            rows,
            ranks: result
                .map(|r| {
                    r.average_ranks
                        .iter()
                        .map(|(o, avg, n)| {
                            (
                                o.clone(),
                                avg.map_or_else(|| "not ranked".into(), |a| format!("{a:.1}")),
                                thousands(*n),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            texts,
            more_texts,
        });
    }
    if query.question.is_some() && questions.is_empty() {
        return Err(WebError::NotFound);
    }
    let page = ResultsPage {
        nav: Nav::for_visitor(&visitor),
        slug: slug.clone(),
        consultation_title: survey.consultation_title.clone(),
        survey_title: survey.title.clone(),
        submitted: format!(
            "{} {} submitted",
            thousands(results.submitted),
            if results.submitted == 1 { "person has" } else { "people have" }
        ),
        synthetic: (results.synthetic > 0).then(|| {
            format!(
                "{} of them {} generated for the demo, not written by real people.",
                thousands(results.synthetic),
                if results.synthetic == 1 { "was" } else { "were" }
            )
        }),
        questions,
        pager,
    };
    page_response(&page, StatusCode::OK, None)
}

/// Each option, as the chart shows it, its count, its share of those who answered, and its bar's
/// width.
fn chart_rows(result: &QuestionResult) -> Vec<(String, String, String, String, u32)> {
    let answered = result.answered.max(1);
    result
        .counts
        .iter()
        .map(|(option, count)| {
            let share = *count as f64 / answered as f64;
            let width = (share * f64::from(BAR_MAX)).round() as u32;
            (option.clone(), chart_label(option), thousands(*count), format!("{:.0}%", share * 100.0), width)
        })
        .collect()
}

async fn consultation(state: &AppState, slug: &str) -> Result<Consultation, WebError> {
    state.store().consultation_for_staff(slug).await?.ok_or(WebError::NotFound)
}

async fn existing_survey(state: &AppState, slug: &str) -> Result<Survey, WebError> {
    state.store().survey_for(slug).await?.ok_or(WebError::NotFound)
}

fn settings_of(survey: &Survey) -> SettingsForm {
    SettingsForm {
        title: survey.title.clone(),
        intro: survey.intro.clone(),
        allow_anonymous: if survey.allow_anonymous { "yes".into() } else { String::new() },
    }
}

/// The section `id` of this survey (an id from another survey is not found here).
fn section_of(survey: &Survey, id: i64) -> Result<&Section, WebError> {
    survey.sections.iter().find(|s| s.id == id).ok_or(WebError::NotFound)
}

/// The builder with empty forms and no messages; a handler fills in what it has to say.
fn builder_page(
    visitor: &Visitor,
    session: &SignedIn,
    consultation: &Consultation,
    survey: Option<Survey>,
    settings: SettingsForm,
) -> BuilderPage {
    BuilderPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        slug: consultation.summary.slug.clone(),
        consultation_title: consultation.summary.title.clone(),
        survey,
        settings,
        errors: vec![],
        section_form: SectionForm::default(),
        section_errors: vec![],
        notice: None,
    }
}

/// After deleting a section or a question: back to the builder, or, when the store refuses because
/// people have answered it, the builder again saying why.
fn after_deleting(
    deleted: Result<(), StoreError>,
    visitor: &Visitor,
    session: &SignedIn,
    consultation: &Consultation,
    survey: Survey,
) -> Result<Response, WebError> {
    match deleted {
        Ok(()) => Ok(Redirect::to(&builder_path(&consultation.summary.slug)).into_response()),
        Err(StoreError::Invalid(why)) => {
            let settings = settings_of(&survey);
            let page = BuilderPage {
                notice: Some(capitalise(&why)),
                ..builder_page(visitor, session, consultation, Some(survey), settings)
            };
            page_response(&page, StatusCode::CONFLICT, None)
        }
        Err(e) => Err(e.into()),
    }
}

fn section_page(
    visitor: &Visitor,
    session: &SignedIn,
    survey: &Survey,
    id: i64,
    form: SectionForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let slug = &survey.consultation_slug;
    let page = SectionPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        slug: slug.clone(),
        consultation_title: survey.consultation_title.clone(),
        action: format!("{}/sections/{id}", builder_path(slug)),
        form,
        errors,
    };
    page_response(&page, status, None)
}

#[allow(clippy::too_many_arguments)]
fn question_page(
    visitor: &Visitor,
    session: &SignedIn,
    survey: &Survey,
    section_id: i64,
    editing: Option<i64>,
    form: QuestionForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let slug = &survey.consultation_slug;
    let earlier = earlier_choice_questions(survey, section_id, editing)
        .into_iter()
        .map(|q| (q.id.to_string(), q.prompt.clone(), q.choices().join(" / ")))
        .collect();
    let section_title =
        survey.sections.iter().find(|s| s.id == section_id).map(|s| s.title.clone()).unwrap_or_default();
    let (heading, action) = match editing {
        Some(id) => ("Edit a question".to_owned(), format!("{}/questions/{id}", builder_path(slug))),
        None => (
            format!("Add a question to \u{201c}{section_title}\u{201d}"),
            format!("{}/sections/{section_id}/questions", builder_path(slug)),
        ),
    };
    let page = QuestionPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        slug: slug.clone(),
        consultation_title: survey.consultation_title.clone(),
        heading,
        action,
        form,
        kinds: QuestionKind::ALL.into_iter().map(|k| (k.as_str(), k.label())).collect(),
        earlier,
        errors,
    };
    page_response(&page, status, None)
}

/// The choice questions before a question (or before the end of its section, for a new one).
fn earlier_choice_questions(survey: &Survey, section_id: i64, editing: Option<i64>) -> Vec<&Question> {
    let mut earlier = Vec::new();
    'sections: for section in &survey.sections {
        for q in &section.questions {
            if Some(q.id) == editing {
                break 'sections;
            }
            if q.kind.is_choice() {
                earlier.push(q);
            }
        }
        if section.id == section_id {
            break;
        }
    }
    earlier
}

/// The question the form describes, and what is wrong with it (field id, message).
fn read_question(
    survey: &Survey,
    section_id: i64,
    editing: Option<i64>,
    form: &QuestionForm,
) -> (Option<NewQuestion>, Vec<(String, String)>) {
    let Some(kind) = QuestionKind::parse(&form.kind) else {
        return (None, vec![("kind".into(), "Choose what kind of question this is".into())]);
    };
    let lines = |text: &str| -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    let mut errors = Vec::new();
    let condition = match form.condition_question.trim() {
        "" => None,
        id => match id.parse::<i64>() {
            Ok(question_id) => Some(Condition { question_id, options: lines(&form.condition_options) }),
            Err(_) => {
                errors.push(("condition_question".into(), "Choose a question from the list".into()));
                None
            }
        },
    };
    let new = NewQuestion {
        kind,
        prompt: form.prompt.trim().to_owned(),
        hint: form.hint.trim().to_owned(),
        required: !form.required.is_empty(),
        options: if kind.takes_options() { lines(&form.options) } else { Vec::new() },
        condition,
    };
    errors.extend(
        survey.check_question(section_id, editing, &new).into_iter().map(|p| (p.field.to_owned(), p.message)),
    );
    (Some(new), errors)
}
