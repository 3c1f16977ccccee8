//! Responses that staff put in the register: one typed in from an email, a letter, a phone call or
//! an event (with its scanned letter or attachment), a CSV file of many, and the register itself,
//! with the attachments to download.
//!
//! A closed consultation still takes responses of any channel received on or before its closing day
//! (the deadline is when a response reached us, not when it was typed in); nothing received later.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::response_import::{self, received_problem};
use heard_store::{
    Consultation, Date, NewAttachment, NewResponse, RegisterEntry, RegisterFilter, RespondentType,
    ResponseChannel, ResponseSource, ResponseText, Status, Tally,
};
use serde::Deserialize;

use super::{FieldError, page_response};
use crate::auth::{PostedFiles, Visitor};
use crate::files::{self, FileRefusal};
use crate::format::{paragraphs, preview, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// The most characters one text of a response may have: a long letter, not a book.
pub use heard_store::response_import::MAX_RESPONSE_TEXT_CHARS;
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
    boroughs: Vec<String>,
    /// What an area is called here ("Borough"), for the field's label.
    area_label: String,
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
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    let questions = prompt_questions(&state, &consultation).await?;
    let today = state.today();
    let form = EntryForm {
        received: today.to_string(),
        respondent_type: RespondentType::Individual.as_str().to_owned(),
        answers: vec![String::new(); questions.len()],
        ..EntryForm::default()
    };
    let page = entry_page(
        state.store().areas(),
        &visitor,
        session.csrf_token.clone(),
        &consultation,
        questions,
        form,
        today,
    );
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
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    let questions = prompt_questions(&state, &consultation).await?;
    let today = state.today();
    let form = EntryForm::from_posted(&posted, questions.len());
    let chosen = posted.file("attachment");
    let (checked, mut errors) =
        check_entry(state.store().areas(), &form, &consultation, &questions, today, chosen, posted.too_large);
    let Some(mut response) = checked.filter(|_| errors.is_empty()) else {
        let choose_again = chosen
            .map(|f| files::clean_file_name(&f.file_name))
            .or_else(|| posted.too_large.then(|| "the file you chose".to_owned()));
        if errors.is_empty() {
            errors.push(FieldError::new("channel-email", "Check the response and try again."));
        }
        let page = entry_page(
            state.store().areas(),
            &posted.visitor,
            session.csrf_token.clone(),
            &consultation,
            questions,
            form,
            today,
        );
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
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
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
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    let (file, content) =
        state.store().attachment(consultation.summary.id, id).await?.ok_or(WebError::NotFound)?;
    let disposition = HeaderValue::from_str(&files::download_disposition(&file.file_name))
        .map_err(|e| WebError::Internal(format!("attachment header: {e}")))?;
    let media_type = HeaderValue::from_str(&file.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = content.into_response();
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
        Status::Closed => {
            let mut note = format!(
                "This consultation closed on {}. Responses received on or before that day, by any channel, \
                 can still be entered; nothing received later.",
                s.closes_on.long()
            );
            if s.results_published {
                note.push_str(
                    " Its results are published: a response entered now is in the register, but not in what we \
                     heard until the analysis is run again and its results published.",
                );
            }
            Some(note)
        }
        Status::Upcoming => Some(format!(
            "This consultation opens on {}. Responses can be entered from that day.",
            s.opens_on.long()
        )),
    }
}

fn entry_page(
    areas: &heard_store::Areas,
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
        boroughs: areas.names().to_vec(),
        area_label: areas.label(),
        today: today.to_string(),
        max_megabytes: files::MAX_ATTACHMENT_BYTES / (1024 * 1024),
    }
}

/// Checks the form against the consultation's dates and what a response needs: the response to
/// store when all is well, and every problem, each with the field it belongs to.
fn check_entry(
    areas: &heard_store::Areas,
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
    // The dates rule is the import's too.
    if let Some(date) = received
        && let Some(problem) = received_problem(date, s.opens_on, s.closes_on, today)
    {
        errors.push(FieldError::new("received", format!("{}.", capitalise(&problem))));
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
    if !form.borough.is_empty() && !areas.contains(&form.borough) {
        errors.push(FieldError::new(
            "borough",
            format!("Choose the {} from the list, or \"Not known\".", areas.noun()),
        ));
    }
    let email = form.email.as_str();
    if !email.is_empty()
        && (!email.contains('@')
            || email.contains(char::is_whitespace)
            || !email.rsplit('@').next().unwrap_or("").contains('.'))
    {
        errors.push(FieldError::new(
            "email",
            "Enter an email address like name@example.com, or leave it blank.",
        ));
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
        if text.contains(heard_store::NUL) {
            errors.push(FieldError::new(field, heard_store::nul_message("this text")));
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
        "answer-0",
        "answer-1",
        "answer-2",
        "answer-3",
        "answer-4",
        "answer-5",
        "answer-6",
        "answer-7",
        "answer-8",
        "answer-9",
        "answer-10",
        "answer-11",
    ];
    FIELDS.get(index).copied().unwrap_or("text")
}

/// "The consultation closed...": a problem from the store's checks, as the start of a sentence.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Responses a page of the register lists.
const REGISTER_PER_PAGE: u32 = 50;
/// Characters of a response shown before "Show full response".
const REGISTER_PREVIEW_CHARS: usize = 400;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    channel: String,
    respondent_type: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "response_register.html")]
struct RegisterView {
    nav: Nav,
    slug: String,
    title: String,
    respondents: String,
    responses: String,
    by_channel: Vec<CountRow>,
    by_type: Vec<CountRow>,
    channels: Vec<(&'static str, &'static str)>,
    channel: String,
    respondent_type: String,
    /// "12 responses" or "12 email responses from organisations".
    heading: String,
    rows: Vec<RegisterRow>,
    page: u32,
    page_count: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
}

struct CountRow {
    label: &'static str,
    responses: String,
    respondents: String,
}

struct RegisterRow {
    /// The id of the row's heading, unique on the page.
    anchor: String,
    channel: &'static str,
    /// "Individual", or "Organisation: Friends of the Canal".
    respondent: String,
    borough: String,
    received_iso: String,
    received: String,
    synthetic: bool,
    /// A reply to another comment.
    reply: bool,
    /// Where moderation has put a comment, when it is not plain to see.
    state: Option<&'static str>,
    discussion: Option<String>,
    texts: Vec<TextView>,
    attachment: Option<AttachmentLink>,
    /// Where staff correct or delete it: responses they typed in, imported or noted at an event.
    correct_href: Option<String>,
}

/// A text shown whole, or cut with the rest behind "Show full response" (the analysis pages too).
pub(super) struct TextView {
    pub(super) question: String,
    /// The whole text, when it is short enough to show whole.
    pub(super) whole: Vec<String>,
    pub(super) before: Vec<String>,
    pub(super) cut_head: String,
    pub(super) cut_tail: String,
    pub(super) after: Vec<String>,
}

struct AttachmentLink {
    href: String,
    file_name: String,
    /// "PDF, 120 KB".
    about: String,
}

#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn register(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses");
    policy::require(&visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    let id = consultation.summary.id;
    let filter = RegisterFilter {
        channel: ResponseChannel::parse(&query.channel),
        respondent_type: RespondentType::parse(&query.respondent_type),
    };
    let breakdown = state.store().register_breakdown(id).await?;
    let page = query.page.unwrap_or(1).max(1);
    let per_page = i64::from(REGISTER_PER_PAGE);
    let listing = state.store().register(id, filter, i64::from(page), per_page).await?;
    let page_count = u32::try_from((listing.total.max(1) + per_page - 1) / per_page).unwrap_or(u32::MAX);
    let channel = filter.channel.map_or("", ResponseChannel::as_str);
    let respondent_type = filter.respondent_type.map_or("", RespondentType::as_str);
    let href = |p: u32| {
        let mut query = Vec::new();
        if !channel.is_empty() {
            query.push(format!("channel={channel}"));
        }
        if !respondent_type.is_empty() {
            query.push(format!("respondent_type={respondent_type}"));
        }
        query.push(format!("page={p}"));
        format!("{path}?{}#register", query.join("&"))
    };
    let count_row = |label, tally: Option<&Tally>| {
        let tally = tally.copied().unwrap_or_default();
        CountRow { label, responses: thousands(tally.responses), respondents: thousands(tally.respondents) }
    };
    let rows = listing.entries.into_iter().map(|e| register_row(&slug, e)).collect();
    let noun = if listing.total == 1 { "response" } else { "responses" };
    let heading = format!(
        "{} {}{}{}",
        thousands(listing.total),
        filter.channel.map(|c| format!("{} ", c.label().to_lowercase())).unwrap_or_default(),
        noun,
        match filter.respondent_type {
            Some(RespondentType::Individual) => " from individuals",
            Some(RespondentType::Organisation) => " from organisations",
            None => "",
        }
    );
    let page = RegisterView {
        nav: Nav::for_visitor(&visitor),
        slug: slug.clone(),
        title: consultation.summary.title.clone(),
        respondents: thousands(breakdown.total.respondents),
        responses: thousands(breakdown.total.responses),
        // Every channel and type, with zeros for those nobody used yet.
        by_channel: ResponseChannel::ALL
            .into_iter()
            .map(|c| count_row(c.label(), breakdown.by_channel.iter().find(|(k, _)| *k == c).map(|(_, t)| t)))
            .collect(),
        by_type: [RespondentType::Individual, RespondentType::Organisation]
            .into_iter()
            .map(|k| {
                count_row(
                    k.label(),
                    breakdown.by_respondent_type.iter().find(|(t, _)| *t == k).map(|(_, t)| t),
                )
            })
            .collect(),
        channels: ResponseChannel::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        channel: channel.to_owned(),
        respondent_type: respondent_type.to_owned(),
        heading,
        rows,
        page,
        page_count,
        previous_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < page_count).then(|| href(page + 1)),
    };
    page_response(&page, StatusCode::OK, None)
}

fn register_row(slug: &str, entry: RegisterEntry) -> RegisterRow {
    let respondent = match entry.respondent_type {
        RespondentType::Organisation if !entry.organisation.is_empty() => {
            format!("Organisation: {}", entry.organisation)
        }
        other => other.label().to_owned(),
    };
    // A comment's one text carries its discussion's title as the question.
    let from_discussion = entry.source == "discussion";
    let discussion = from_discussion.then(|| entry.texts.first().map(|t| t.question.clone())).flatten();
    let state = match entry.state.as_str() {
        "hidden" => Some("Hidden by a moderator"),
        "held" => Some("Held for review"),
        _ => None,
    };
    let correct_href = matches!(entry.source.as_str(), "staff" | "import" | "event")
        .then(|| format!("/admin/consultations/{slug}/responses/{}", entry.key.trim_start_matches('r')));
    RegisterRow {
        correct_href,
        anchor: format!("entry-{}", entry.key),
        channel: entry.channel.label(),
        respondent,
        borough: if entry.borough.is_empty() { "Borough not known".to_owned() } else { entry.borough },
        received_iso: entry.received_on.to_string(),
        received: entry.received_on.long(),
        synthetic: entry.synthetic,
        reply: entry.reply_to.is_some(),
        state,
        discussion,
        texts: entry
            .texts
            .iter()
            .map(|t| text_view(if from_discussion { "" } else { &t.question }, &t.text))
            .collect(),
        attachment: entry.attachment.map(|a| AttachmentLink {
            href: format!("/admin/consultations/{slug}/responses/attachments/{}", a.id),
            about: format!("{}, {}", kind_label(&a.media_type), size_label(a.size_bytes)),
            file_name: a.file_name,
        }),
    }
}

pub(super) fn text_view(question: &str, text: &str) -> TextView {
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    match preview(text, REGISTER_PREVIEW_CHARS) {
        None => TextView {
            question: question.to_owned(),
            whole: owned(paragraphs(text)),
            before: Vec::new(),
            cut_head: String::new(),
            cut_tail: String::new(),
            after: Vec::new(),
        },
        Some(p) => TextView {
            question: question.to_owned(),
            whole: Vec::new(),
            before: owned(p.before),
            cut_head: p.cut_head.to_owned(),
            cut_tail: p.cut_tail.to_owned(),
            after: owned(p.after),
        },
    }
}

/// "PDF", "PNG image", as the register names a stored type.
fn kind_label(media_type: &str) -> &'static str {
    match media_type.split(';').next().unwrap_or_default() {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG image",
        "image/png" => "PNG image",
        "text/plain" => "text",
        _ => "file",
    }
}

/// "820 bytes", "120 KB", "3.4 MB".
fn size_label(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", (b + 1023) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The largest CSV file the import takes: some 50,000 letters' worth of text.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportQuery {
    imported: Option<usize>,
}

#[derive(Template)]
#[template(path = "response_import.html")]
struct ImportPage {
    nav: Nav,
    csrf: String,
    slug: String,
    title: String,
    status_note: Option<String>,
    /// How many responses the last import wrote.
    imported: Option<String>,
    /// What stops the whole file (no file, too large), beside the file input.
    file_error: Option<String>,
    /// Every problem in the file, by row.
    problems: Vec<ProblemRow>,
    file_name: String,
    max_megabytes: usize,
}

struct ProblemRow {
    row: usize,
    column: String,
    message: String,
}

#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn import_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<ImportQuery>,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/import");
    let session = policy::require(&visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    let mut page = import_page(&visitor, session.csrf_token.clone(), &consultation, state.today());
    page.imported = query.imported.map(|n| {
        format!(
            "{} {} imported.",
            thousands(n as i64),
            if n == 1 { "response was" } else { "responses were" }
        )
    });
    page_response(&page, StatusCode::OK, None)
}

/// Imports a CSV file: the whole file is checked first, and one bad row means nothing is imported
/// and every problem is listed with its row.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn import(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: PostedFiles,
) -> Result<Response, WebError> {
    let path = format!("/admin/consultations/{slug}/responses/import");
    let session = policy::require(&posted.visitor, Action::EnterResponses, &path)?;
    let consultation = state.store().consultation_for_staff(&slug).await?.ok_or(WebError::NotFound)?;
    let today = state.today();
    let mut page = import_page(&posted.visitor, session.csrf_token.clone(), &consultation, today);
    let refuse = |page: ImportPage| page_response(&page, StatusCode::UNPROCESSABLE_ENTITY, None);
    let file = match posted.file("file") {
        _ if posted.too_large => {
            page.file_error = Some(format!(
                "The file must be {} MB or smaller. Split it into several files and import each.",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ));
            return refuse(page);
        }
        None => {
            page.file_error = Some("Choose the CSV file to import.".into());
            return refuse(page);
        }
        Some(file) => file,
    };
    page.file_name = files::clean_file_name(&file.file_name);
    let s = &consultation.summary;
    // Every problem in the file at once, those of its dates included, so one upload shows them all.
    let problems = match response_import::read_import(
        &file.content,
        s.opens_on,
        s.closes_on,
        today,
        state.store().areas(),
    ) {
        Ok(rows) => {
            let count = state.store().import_responses(s.id, &rows, Some(session.account.user.id)).await?;
            tracing::info!(consultation.id = s.id, responses = count, "responses imported");
            return Ok(Redirect::to(&format!("{path}?imported={count}")).into_response());
        }
        Err(problems) => problems,
    };
    tracing::info!(consultation.id = s.id, problems = problems.len(), "import refused");
    page.problems = problems
        .into_iter()
        .map(|p| ProblemRow {
            row: p.row,
            column: p.column.unwrap_or_default(),
            message: capitalise(&p.message),
        })
        .collect();
    refuse(page)
}

fn import_page(visitor: &Visitor, csrf: String, consultation: &Consultation, today: Date) -> ImportPage {
    ImportPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        slug: consultation.summary.slug.clone(),
        title: consultation.summary.title.clone(),
        status_note: status_note(consultation, today),
        imported: None,
        file_error: None,
        problems: Vec::new(),
        file_name: String::new(),
        max_megabytes: MAX_IMPORT_BYTES / (1024 * 1024),
    }
}
