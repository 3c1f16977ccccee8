//! Responses that staff put in the register: one typed in from an email, a letter, a phone call or
//! an event (with its scanned letter or attachment), a CSV file of many, and the register itself,
//! with the attachments to download.
//!
//! A closed consultation takes no new response in any channel, except letters that arrived by post
//! on or before its closing day (the post is slow; the deadline is when it reached us).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{
    Consultation, Date, LONDON_BOROUGHS, NewAttachment, NewResponse, RespondentType, ResponseChannel,
    ResponseSource, ResponseText, Status,
};

use super::{FieldError, page_response};
use crate::auth::{PostedFiles, Visitor};
use crate::files::{self, FileRefusal};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// The most characters one text of a response may have: a long letter, not a book.
pub const MAX_RESPONSE_TEXT_CHARS: usize = 100_000;
const MAX_ORGANISATION_CHARS: usize = 200;
/// The channels in the order staff meet them most.
const ENTRY_CHANNELS: [ResponseChannel; 5] = [
    ResponseChannel::Email,
    ResponseChannel::Post,
    ResponseChannel::Phone,
    ResponseChannel::Event,
    ResponseChannel::Online,
];

/// What staff typed into the entry form, kept as typed so that a form with a problem loses nothing.
#[derive(Debug, Default)]
struct EntryForm {
    channel: String,
    received: String,
    respondent_type: String,
    organisation: String,
    borough: String,
    email: String,
    text: String,
    /// One answer per prompt question, in the questions' order.
    answers: Vec<String>,
}

impl EntryForm {
    fn from_posted(posted: &PostedFiles, questions: usize) -> EntryForm {
        EntryForm {
            channel: posted.field("channel").to_owned(),
            received: posted.field("received").trim().to_owned(),
            respondent_type: posted.field("respondent_type").to_owned(),
            organisation: posted.field("organisation").to_owned(),
            borough: posted.field("borough").to_owned(),
            email: posted.field("email").trim().to_owned(),
            text: posted.field("text").to_owned(),
            answers: (0..questions).map(|i| posted.field(&format!("answer-{i}")).to_owned()).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "response_entry.html")]
struct EntryPage {
    nav: Nav,
    csrf: String,
    slug: String,
    title: String,
    /// What the consultation's dates allow, said before anyone types.
    status_note: Option<String>,
    form: EntryForm,
    questions: Vec<String>,
    errors: Vec<FieldError>,
    /// The name of a file that was chosen and must be chosen again.
    choose_again: Option<String>,
    channels: Vec<(&'static str, &'static str)>,
    boroughs: &'static [&'static str],
    today: String,
    max_megabytes: usize,
}

impl EntryPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn answer(&self, index: usize) -> &str {
        self.form.answers.get(index).map_or("", String::as_str)
    }
}

#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/new");
    let session = policy::require(&visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_by_slug(&slug).await?.ok_or(WebError::NotFound)?;
    let questions = prompt_questions(&state, &consultation).await?;
    let today = state.now().date();
    let form = EntryForm {
        received: today.to_string(),
        respondent_type: RespondentType::Individual.as_str().to_owned(),
        answers: vec![String::new(); questions.len()],
        ..EntryForm::default()
    };
    let page = entry_page(&visitor, session.csrf_token.clone(), &consultation, questions, form, today);
    page_response(&page(Vec::new(), None), StatusCode::OK, None)
}

/// Enters one response. Nothing is stored unless every field is right; the form comes back with
/// what was typed and what is wrong otherwise.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn create(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: PostedFiles,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/new");
    let session = policy::require(&posted.visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_by_slug(&slug).await?.ok_or(WebError::NotFound)?;
    let questions = prompt_questions(&state, &consultation).await?;
    let today = state.now().date();
    let form = EntryForm::from_posted(&posted, questions.len());
    let chosen = posted.file("attachment");
    let (checked, mut errors) = check_entry(&form, &consultation, &questions, today, chosen, posted.too_large);
    let Some(mut response) = checked.filter(|_| errors.is_empty()) else {
        let choose_again = chosen
            .map(|f| files::clean_file_name(&f.file_name))
            .or_else(|| posted.too_large.then(|| "the file you chose".to_owned()));
        if errors.is_empty() {
            errors.push(FieldError::new("channel-email", "Check the response and try again."));
        }
        let page = entry_page(&posted.visitor, session.csrf_token.clone(), &consultation, questions, form, today);
        return page_response(&page(errors, choose_again), StatusCode::UNPROCESSABLE_ENTITY, None);
    };
    response.entered_by = Some(session.account.user.id);
    let ids = state.store().record_responses(std::slice::from_ref(&response)).await?;
    tracing::info!(
        consultation.id = consultation.summary.id,
        response.id = ids.first().copied().unwrap_or_default(),
        channel = response.channel.as_str(),
        attachment = response.attachment.is_some(),
        "response entered by staff"
    );
    Ok(Redirect::to(&format!("/admin/consultations/{slug}/responses/entered")).into_response())
}

#[derive(Template)]
#[template(path = "response_entered.html")]
struct EnteredPage {
    nav: Nav,
    slug: String,
    title: String,
}

/// The page after a response is saved: where to go next.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn entered(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/entered");
    policy::require(&visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_by_slug(&slug).await?.ok_or(WebError::NotFound)?;
    let page = EnteredPage { nav: Nav::for_visitor(&visitor), slug, title: consultation.summary.title };
    page_response(&page, StatusCode::OK, None)
}

/// Downloads an attachment: always as a file, with the type heard found in it when it was entered,
/// and never sniffed, so that nothing stored can run as a page on this site.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug, attachment.id = id))]
pub async fn attachment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses");
    policy::require(&visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_by_slug(&slug).await?.ok_or(WebError::NotFound)?;
    let file = state.store().attachment(consultation.summary.id, id).await?.ok_or(WebError::NotFound)?;
    let disposition = HeaderValue::from_str(&files::download_disposition(&file.file_name))
        .map_err(|e| WebError::Internal(format!("attachment header: {e}")))?;
    let media_type = HeaderValue::from_str(&file.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = file.content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// The prompt questions of the consultation's discussions, each once, in order: the questions a
/// letter or email may answer one by one.
async fn prompt_questions(state: &AppState, consultation: &Consultation) -> Result<Vec<String>, WebError> {
    let mut questions: Vec<String> = Vec::new();
    for d in &consultation.discussions {
        if let Some(discussion) = state.store().discussion_by_id(d.id).await? {
            for q in discussion.questions {
                if !questions.contains(&q) {
                    questions.push(q);
                }
            }
        }
    }
    Ok(questions)
}

/// What the consultation's dates allow, for the top of the form.
fn status_note(consultation: &Consultation, today: Date) -> Option<String> {
    let s = &consultation.summary;
    match s.status(today) {
        Status::Open => None,
        Status::Closed => Some(format!(
            "This consultation closed on {}. It no longer takes responses, except letters that arrived by post \
             on or before that day.",
            s.closes_on.long()
        )),
        Status::Upcoming => Some(format!(
            "This consultation opens on {}. Responses can be entered from that day.",
            s.opens_on.long()
        )),
    }
}

fn entry_page(
    visitor: &Visitor,
    csrf: String,
    consultation: &Consultation,
    questions: Vec<String>,
    form: EntryForm,
    today: Date,
) -> impl FnOnce(Vec<FieldError>, Option<String>) -> EntryPage {
    let nav = Nav::for_visitor(visitor);
    let slug = consultation.summary.slug.clone();
    let title = consultation.summary.title.clone();
    let note = status_note(consultation, today);
    move |errors, choose_again| EntryPage {
        nav,
        csrf,
        slug,
        title,
        status_note: note,
        form,
        questions,
        errors,
        choose_again,
        channels: ENTRY_CHANNELS.iter().map(|c| (c.as_str(), c.label())).collect(),
        boroughs: &LONDON_BOROUGHS,
        today: today.to_string(),
        max_megabytes: files::MAX_ATTACHMENT_BYTES / (1024 * 1024),
    }
}

/// Checks the form against the consultation's dates and what a response needs: the response to
/// store when all is well, and every problem, each with the field it belongs to.
fn check_entry(
    form: &EntryForm,
    consultation: &Consultation,
    questions: &[String],
    today: Date,
    chosen: Option<&crate::auth::UploadedFile>,
    too_large: bool,
) -> (Option<NewResponse>, Vec<FieldError>) {
    let s = &consultation.summary;
    let mut errors = Vec::new();
    let channel = ResponseChannel::parse(&form.channel);
    if channel.is_none() {
        errors.push(FieldError::new("channel-email", "Choose how the response reached you."));
    }
    let received = if form.received.is_empty() {
        errors.push(FieldError::new("received", "Enter the date the response was received."));
        None
    } else {
        match Date::parse_iso(&form.received) {
            Ok(date) if date > today => {
                errors.push(FieldError::new(
                    "received",
                    format!("The date received cannot be in the future: today is {}.", today.long()),
                ));
                None
            }
            Ok(date) if date < s.opens_on => {
                errors.push(FieldError::new(
                    "received",
                    format!(
                        "The date received cannot be before the consultation opened on {}.",
                        s.opens_on.long()
                    ),
                ));
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                errors.push(FieldError::new(
                    "received",
                    "Enter the date received as year, month and day, like 2025-02-10.",
                ));
                None
            }
        }
    };
    if s.status(today) == Status::Closed {
        match (channel, received) {
            (Some(ResponseChannel::Post), Some(date)) if date > s.closes_on => errors.push(FieldError::new(
                "received",
                format!(
                    "This letter arrived after the consultation closed on {}, so it cannot be counted.",
                    s.closes_on.long()
                ),
            )),
            (Some(ResponseChannel::Post), _) | (None, _) => {}
            (Some(other), _) => errors.push(FieldError::new(
                "channel-email",
                format!(
                    "This consultation closed on {}: it no longer takes responses by {}. Only letters that \
                     arrived by post on or before that day can still be entered.",
                    s.closes_on.long(),
                    channel_words(other)
                ),
            )),
        }
    }
    let respondent_type = RespondentType::parse(&form.respondent_type);
    let organisation = form.organisation.trim();
    match respondent_type {
        None => errors.push(FieldError::new(
            "respondent_type-individual",
            "Choose whether the response is from an individual or an organisation.",
        )),
        Some(RespondentType::Organisation) if organisation.is_empty() => {
            errors.push(FieldError::new("organisation", "Enter the name of the organisation."))
        }
        Some(RespondentType::Organisation) if organisation.chars().count() > MAX_ORGANISATION_CHARS => errors
            .push(FieldError::new(
                "organisation",
                format!("The organisation's name can be at most {MAX_ORGANISATION_CHARS} characters."),
            )),
        Some(_) => {}
    }
    if !form.borough.is_empty() && !LONDON_BOROUGHS.contains(&form.borough.as_str()) {
        errors.push(FieldError::new("borough", "Choose the borough from the list, or \"Not known\"."));
    }
    let email = form.email.as_str();
    if !email.is_empty()
        && (!email.contains('@')
            || email.contains(char::is_whitespace)
            || !email.rsplit('@').next().unwrap_or("").contains('.'))
    {
        errors.push(FieldError::new("email", "Enter an email address like name@example.com, or leave it blank."));
    }
    let mut texts = Vec::new();
    let mut too_long = None;
    for (field, question, text) in std::iter::once(("text", String::new(), &form.text)).chain(
        questions.iter().zip(&form.answers).enumerate().map(|(i, (q, a))| (answer_field(i), q.clone(), a)),
    ) {
        let text = text.replace("\r\n", "\n");
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if text.chars().count() > MAX_RESPONSE_TEXT_CHARS && too_long.is_none() {
            too_long = Some(field);
        }
        texts.push(ResponseText { question, text: text.to_owned() });
    }
    if let Some(field) = too_long {
        errors.push(FieldError::new(
            field,
            format!("Each text can be at most {MAX_RESPONSE_TEXT_CHARS} characters: attach a long letter as a file."),
        ));
    }
    let attachment = if too_large {
        errors.push(FieldError::new("attachment", FileRefusal::TooLarge.message()));
        None
    } else {
        chosen.and_then(|file| match files::check_attachment(&file.file_name, &file.content) {
            Ok(kind) => Some(NewAttachment {
                file_name: files::clean_file_name(&file.file_name),
                media_type: kind.media_type().to_owned(),
                content: file.content.clone(),
            }),
            Err(refusal) => {
                errors.push(FieldError::new("attachment", refusal.message()));
                None
            }
        })
    };
    if texts.is_empty() && chosen.is_none() && !too_large {
        errors.push(FieldError::new(
            "text",
            "Enter what the response says, as one text or question by question, or attach the scanned letter.",
        ));
    }
    let response = match (channel, received, respondent_type) {
        (Some(channel), Some(received_on), Some(respondent_type)) => Some(NewResponse {
            consultation_id: s.id,
            channel,
            source: ResponseSource::Staff,
            received_on,
            respondent_type,
            organisation: if respondent_type == RespondentType::Organisation {
                organisation.to_owned()
            } else {
                String::new()
            },
            borough: form.borough.clone(),
            user_id: None,
            email: Some(email.to_owned()).filter(|e| !e.is_empty()),
            entered_by: None,
            texts,
            attachment,
        }),
        _ => None,
    };
    (response, errors)
}

/// The ids of the answer fields, which the error summary links to.
fn answer_field(index: usize) -> &'static str {
    const FIELDS: [&str; 12] = [
        "answer-0", "answer-1", "answer-2", "answer-3", "answer-4", "answer-5", "answer-6", "answer-7", "answer-8",
        "answer-9", "answer-10", "answer-11",
    ];
    FIELDS.get(index).copied().unwrap_or("text")
}

/// "email", "phone", "post": as in "responses by email".
fn channel_words(channel: ResponseChannel) -> &'static str {
    match channel {
        ResponseChannel::Online => "taking part online",
        ResponseChannel::Email => "email",
        ResponseChannel::Post => "post",
        ResponseChannel::Event => "notes from events",
        ResponseChannel::Phone => "phone",
    }
}
