//! Staff correct or delete a response they typed in, imported or noted at an event, at
//! `/admin/consultations/{slug}/responses/{id}`, always with a reason, which goes in the staff log
//! with who did it. A resident's own survey answers are not here: they are the resident's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{EnteredResponse, RespondentType, ResponseCorrection};
use serde::Deserialize;

use super::responses::MAX_RESPONSE_TEXT_CHARS;
use super::{FieldError, page_response};
use crate::auth::{Posted, Visitor};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// The longest reason, in characters.
const MAX_REASON_CHARS: usize = 500;

/// The correction form as typed ("text-0", "text-1"... are the texts, in order).
#[derive(Debug, Default)]
struct CorrectionForm {
    respondent_type: String,
    organisation: String,
    borough: String,
    email: String,
    texts: Vec<String>,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeletionForm {
    reason: String,
}

#[derive(Template)]
#[template(path = "response_correct.html")]
struct CorrectPage {
    nav: Nav,
    csrf: String,
    slug: String,
    title: String,
    id: i64,
    channel: &'static str,
    received: String,
    /// Each text with its question ("" for a response in one piece) and what is typed now.
    texts: Vec<(String, String)>,
    form: CorrectionForm,
    boroughs: Vec<String>,
    /// What an area is called here ("Borough"), for the field's label.
    area_label: String,
    delete_reason: String,
    errors: Vec<FieldError>,
}

impl CorrectPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[tracing::instrument(skip_all, fields(consultation.slug = %slug, response.id = id))]
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/{id}");
    let session = policy::require(&visitor, Action::EnterResponses, &path)?;
    let (title, response) = load(&state, &slug, id).await?;
    let form = CorrectionForm {
        respondent_type: response.respondent_type.as_str().to_owned(),
        organisation: response.organisation.clone(),
        borough: response.borough.clone(),
        email: response.email.clone().unwrap_or_default(),
        texts: response.texts.iter().map(|t| t.text.clone()).collect(),
        reason: String::new(),
    };
    let page = page(
        state.store().areas(),
        &visitor,
        session.csrf_token.clone(),
        slug,
        title,
        &response,
        form,
        String::new(),
        Vec::new(),
    );
    page_response(&page, StatusCode::OK, None)
}

/// Saves a correction once every field is right and a reason is given; otherwise the form comes
/// back with what was typed.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug, response.id = id))]
pub async fn correct(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/{id}");
    let session = policy::require(&posted.visitor, Action::EnterResponses, &path)?;
    let (title, response) = load(&state, &slug, id).await?;
    let field =
        |name: &str| posted.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = CorrectionForm {
        respondent_type: field("respondent_type"),
        organisation: field("organisation"),
        borough: field("borough"),
        email: field("email").trim().to_owned(),
        texts: (0..response.texts.len()).map(|i| field(&format!("text-{i}"))).collect(),
        reason: field("reason"),
    };
    let mut errors = Vec::new();
    let respondent_type = RespondentType::parse(&form.respondent_type);
    if respondent_type.is_none() {
        errors.push(FieldError::new(
            "respondent_type-individual",
            "Say whether an individual or an organisation sent it.",
        ));
    }
    if respondent_type == Some(RespondentType::Organisation) && form.organisation.trim().is_empty() {
        errors.push(FieldError::new("organisation", "Enter the organisation's name."));
    }
    // The area it was entered with stays acceptable after the operator's list changes.
    if !form.borough.is_empty()
        && !state.store().areas().contains(&form.borough)
        && form.borough != response.borough
    {
        errors.push(FieldError::new(
            "borough",
            format!("Choose the {} from the list, or leave it blank.", state.store().areas().noun()),
        ));
    }
    if !form.email.is_empty() && !super::accounts::looks_like_email(&form.email) {
        errors.push(FieldError::new(
            "email",
            "Enter an email address like name@example.com, or leave it blank.",
        ));
    }
    for (i, text) in form.texts.iter().enumerate() {
        if text.chars().count() > MAX_RESPONSE_TEXT_CHARS {
            errors.push(FieldError::new(
                text_field(i),
                format!("This text is too long: at most {MAX_RESPONSE_TEXT_CHARS} characters."),
            ));
        } else if text.contains(heard_store::NUL) {
            errors.push(FieldError::new(text_field(i), heard_store::nul_message("this text")));
        }
    }
    if let Some(problem) = reason_problem(&form.reason, "correct") {
        errors.push(FieldError::new("reason", problem));
    }
    let (Some(respondent_type), true) = (respondent_type, errors.is_empty()) else {
        let page = page(
            state.store().areas(),
            &posted.visitor,
            session.csrf_token.clone(),
            slug,
            title,
            &response,
            form,
            String::new(),
            errors,
        );
        return page_response(&page, StatusCode::UNPROCESSABLE_ENTITY, None);
    };
    let correction = ResponseCorrection {
        respondent_type,
        organisation: if respondent_type == RespondentType::Organisation {
            form.organisation.clone()
        } else {
            String::new()
        },
        borough: form.borough.clone(),
        email: (!form.email.is_empty()).then(|| form.email.clone()),
        texts: form.texts.clone(),
    };
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    state
        .store()
        .correct_response(
            consultation.summary.id,
            id,
            &correction,
            &form.reason,
            session.account.user.id,
            state.now(),
        )
        .await?;
    tracing::info!(
        consultation.id = consultation.summary.id,
        response.id = id,
        "response corrected by staff"
    );
    Ok(Redirect::to(&format!("/admin/consultations/{slug}/responses#entry-r{id}")).into_response())
}

/// Deletes the response once a reason is given.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug, response.id = id))]
pub async fn delete(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<DeletionForm>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/{id}");
    let session = policy::require(&posted.visitor, Action::EnterResponses, &path)?;
    let (title, response) = load(&state, &slug, id).await?;
    if let Some(problem) = reason_problem(&posted.form.reason, "delete") {
        let form = CorrectionForm {
            respondent_type: response.respondent_type.as_str().to_owned(),
            organisation: response.organisation.clone(),
            borough: response.borough.clone(),
            email: response.email.clone().unwrap_or_default(),
            texts: response.texts.iter().map(|t| t.text.clone()).collect(),
            reason: String::new(),
        };
        let errors = vec![FieldError::new("delete-reason", problem)];
        let page = page(
            state.store().areas(),
            &posted.visitor,
            session.csrf_token.clone(),
            slug,
            title,
            &response,
            form,
            posted.form.reason.clone(),
            errors,
        );
        return page_response(&page, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    state
        .store()
        .delete_response(
            consultation.summary.id,
            id,
            &posted.form.reason,
            session.account.user.id,
            state.now(),
        )
        .await?;
    tracing::info!(consultation.id = consultation.summary.id, response.id = id, "response deleted by staff");
    Ok(Redirect::to(&format!("/admin/consultations/{slug}/responses")).into_response())
}

async fn load(state: &AppState, slug: &str, id: i64) -> Result<(String, EnteredResponse), WebError> {
    let consultation = state.store().consultation_for_staff(slug).await?.ok_or(WebError::NotFound)?;
    let response =
        state.store().entered_response(consultation.summary.id, id).await?.ok_or(WebError::NotFound)?;
    Ok((consultation.summary.title, response))
}

fn reason_problem(reason: &str, what: &str) -> Option<String> {
    let chars = reason.trim().chars().count();
    if chars == 0 {
        Some(format!("Say why you {what} this response: it goes in the staff log."))
    } else if chars > MAX_REASON_CHARS {
        Some(format!("The reason is too long: at most {MAX_REASON_CHARS} characters."))
    } else {
        None
    }
}

fn text_field(index: usize) -> &'static str {
    const FIELDS: [&str; 10] =
        ["text-0", "text-1", "text-2", "text-3", "text-4", "text-5", "text-6", "text-7", "text-8", "text-9"];
    FIELDS.get(index).copied().unwrap_or("text-9")
}

#[allow(clippy::too_many_arguments)]
fn page(
    areas: &heard_store::Areas,
    visitor: &Visitor,
    csrf: String,
    slug: String,
    title: String,
    response: &EnteredResponse,
    form: CorrectionForm,
    delete_reason: String,
    errors: Vec<FieldError>,
) -> CorrectPage {
    CorrectPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        slug,
        title,
        id: response.id,
        channel: response.channel.label(),
        received: response.received_on.long(),
        texts: response
            .texts
            .iter()
            .zip(&form.texts)
            .map(|(t, typed)| (t.question.clone(), typed.clone()))
            .collect(),
        form,
        boroughs: {
            // An area no longer on the operator's list is still offered for the response that has
            // it, so that saving a correction does not silently drop it.
            let mut names = areas.names().to_vec();
            if !response.borough.is_empty() && !areas.contains(&response.borough) {
                names.push(response.borough.clone());
            }
            names
        },
        area_label: areas.label(),
        delete_reason,
        errors,
    }
}
