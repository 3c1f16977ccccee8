//! Answering a consultation's survey, one page per section, signed in or (where the survey allows
//! it) without an account.
//!
//! - Conditional questions work without JavaScript: a section shows a question that depends on an
//!   earlier section only when the answers kept so far meet its condition; one that depends on a
//!   question on the same page is shown with a note saying when to answer it (`survey.js` hides it
//!   until then), and is only required when its condition is met.
//! - "Save and return later" keeps a draft: against the account, or against a random resume token
//!   whose SHA-256 the store keeps. The token lives in a cookie scoped to the survey's pages, and
//!   the resume link (shown on the page, and emailed when an address was given) sets it again.
//! - Submitting writes the submission and its row in the register in one transaction, then shows
//!   the answers and emails a copy.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::{
    Account, Answers, NewResponse, Problem, Question, QuestionKind, Respondent, RespondentType,
    ResponseChannel, ResponseSource, ResponseText, Status, Submission, Survey,
};
use serde::Deserialize;

use super::{limited_message, page_response};
use crate::auth::{Posted, Visitor, random_token, sha256_hex};
use crate::nav::Nav;
use crate::{AppState, WebError};

/// The cookie holding an anonymous draft's resume token, scoped to one survey's pages.
pub const SURVEY_COOKIE: &str = "heard_survey";
/// How long a browser keeps an anonymous draft's token.
const SURVEY_COOKIE_SECS: i64 = 90 * 86_400;

/// The survey's pages: "/consultations/SLUG/survey".
pub fn survey_path(slug: &str) -> String {
    format!("/consultations/{slug}/survey")
}

#[derive(Template)]
#[template(path = "survey_start.html")]
struct StartPage {
    nav: Nav,
    csrf: String,
    s: Survey,
    intro: Vec<String>,
    closed_message: Option<String>,
    /// Signed in, or answering without an account is allowed.
    can_answer: bool,
    signed_in: bool,
    has_draft: bool,
    submitted: bool,
    sign_in_href: String,
    question_count: usize,
    /// The address typed, and what is wrong with it, when the form comes back.
    email: String,
    email_error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_section.html")]
struct SectionPage {
    nav: Nav,
    csrf: String,
    survey_title: String,
    consultation_title: String,
    consultation_href: String,
    action: String,
    number: usize,
    count: usize,
    title: String,
    intro: Vec<String>,
    questions: Vec<QuestionView>,
    problems: Vec<(String, String)>,
    /// On the last page only.
    answering_for: Option<AnsweringFor>,
}

/// A question as the form shows it, with what was typed or kept.
struct QuestionView {
    id: i64,
    name: String,
    kind: QuestionKind,
    prompt: String,
    hint: String,
    required: bool,
    error: Option<String>,
    /// For the choice kinds: (input id, value, checked).
    choices: Vec<(String, String, bool)>,
    /// For a ranking: (select id, option, place chosen).
    ranks: Vec<(String, String, String)>,
    places: Vec<String>,
    text: String,
    max_chars: usize,
    /// For a question that depends on another on the same page: when to answer it.
    condition_note: Option<String>,
    /// The name of the field it depends on, and the answers that show it (one a line), for survey.js.
    show_when: Option<(String, String)>,
}

impl QuestionView {
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.condition_note.is_some() {
            ids.push(format!("{}-condition", self.name));
        }
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "survey_saved.html")]
struct SavedPage {
    nav: Nav,
    survey_title: String,
    consultation_title: String,
    closes_on: String,
    resume_link: Option<String>,
    emailed_to: bool,
    continue_href: String,
}

#[derive(Template)]
#[template(path = "survey_done.html")]
struct DonePage {
    nav: Nav,
    survey_title: String,
    consultation_title: String,
    consultation_href: String,
    answers: Vec<(String, String)>,
    emailed: bool,
    /// The organisation they answered for, if any.
    organisation: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_closed.html")]
struct ClosedPage {
    nav: Nav,
    heading: String,
    survey_title: String,
    consultation_href: String,
    consultation_title: String,
    message: String,
    typed: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SectionForm {
    action: String,
    /// On the last page: "individual" or "organisation", and the organisation's name.
    respondent_type: String,
    organisation: String,
}

/// Whether the answers are someone's own or an organisation's: asked on the last page, and kept
/// with the draft.
#[derive(Debug, Clone, Default)]
struct AnsweringFor {
    organisation_chosen: bool,
    organisation: String,
    error: Option<String>,
}

impl AnsweringFor {
    fn of(submission: Option<&Submission>) -> AnsweringFor {
        submission.map_or_else(AnsweringFor::default, |s| AnsweringFor {
            organisation_chosen: s.respondent_type == RespondentType::Organisation,
            organisation: s.organisation.clone(),
            error: None,
        })
    }

    fn respondent_type(&self) -> RespondentType {
        if self.organisation_chosen { RespondentType::Organisation } else { RespondentType::Individual }
    }

    /// The organisation's name, kept only when answering for one.
    fn name(&self) -> &str {
        if self.organisation_chosen { self.organisation.trim() } else { "" }
    }
}

/// The survey's first page: what it is about, and how to start (or carry on).
#[tracing::instrument(skip(state, visitor, headers), fields(consultation.slug = %slug))]
pub async fn start(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let survey = load(&state, &visitor, &slug).await?;
    start_page(&state, &visitor, &headers, survey, String::new(), None).await
}

async fn start_page(
    state: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    survey: Survey,
    email: String,
    email_error: Option<String>,
) -> Result<Response, WebError> {
    let today = state.today();
    let who = respondent(visitor, headers, &survey);
    let submission = match who.as_ref().and_then(Who::as_store) {
        Some(r) => state.store().submission(survey.id, r).await?,
        None => None,
    };
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let status = if email_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = StartPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        intro: crate::format::paragraphs(&survey.intro).into_iter().map(str::to_owned).collect(),
        closed_message: closed_message(&survey, today),
        can_answer: visitor.session.is_some() || survey.allow_anonymous,
        signed_in: visitor.session.is_some(),
        has_draft: submission.as_ref().is_some_and(|s| !s.is_submitted()),
        submitted: submission.as_ref().is_some_and(Submission::is_submitted),
        sign_in_href: format!(
            "/login?next={}",
            crate::format::query_escape(&survey_path(&survey.consultation_slug))
        ),
        question_count: survey.questions().count(),
        email,
        email_error,
        s: survey,
    };
    page_response(&page, status, set_cookie)
}

/// Starting without an account: a draft with a new resume token, and the address for the copy of
/// the answers if one was given.
#[tracing::instrument(skip(state, headers, posted), fields(consultation.slug = %slug))]
pub async fn begin(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    posted: Posted<StartForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let survey = load(&state, &visitor, &slug).await?;
    if let Some(refused) = refuse_closed(&state, &visitor, &survey, &Answers::new())? {
        return Ok(refused);
    }
    let first = section_path(&slug, 1);
    if visitor.session.is_some() {
        return Ok(Redirect::to(&first).into_response());
    }
    if !survey.allow_anonymous {
        return Err(WebError::SignInRequired { next: survey_path(&slug) });
    }
    let email = form.email.trim();
    if !email.is_empty() && !looks_like_email(email) {
        let why = "Enter an email address like name@example.com, or leave it blank".to_owned();
        return start_page(&state, &visitor, &headers, survey, form.email, Some(why)).await;
    }
    if let Some(wait) = too_many_new_drafts(&state, &visitor).await? {
        return Err(WebError::TooManyRequests(format!(
            "Many people have started this survey from your connection. {}",
            limited_message(wait)
        )));
    }
    let token = random_token();
    let email = (!email.is_empty()).then_some(email);
    state
        .store()
        .save_draft(
            survey.id,
            Respondent::ResumeToken(&sha256_hex(&token)),
            email,
            &Answers::new(),
            &[],
            state.now(),
        )
        .await?;
    let mut response = Redirect::to(&first).into_response();
    response.headers_mut().append(header::SET_COOKIE, survey_cookie(&state, &slug, &token));
    Ok(response)
}

/// One section of the survey, with the answers kept so far.
#[tracing::instrument(skip(state, visitor, headers), fields(consultation.slug = %slug))]
pub async fn section(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, number)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let survey = load(&state, &visitor, &slug).await?;
    if number == 0 || number > survey.sections.len() {
        return Err(WebError::NotFound);
    }
    if let Some(refused) = refuse_closed(&state, &visitor, &survey, &Answers::new())? {
        return Ok(refused);
    }
    let Some(who) = respondent(&visitor, &headers, &survey) else {
        return anonymous_refused(&survey);
    };
    let submission = match who.as_store() {
        Some(r) => state.store().submission(survey.id, r).await?,
        None => None,
    };
    if submission.as_ref().is_some_and(Submission::is_submitted) {
        return Ok(Redirect::to(&format!("{}/submitted", survey_path(&slug))).into_response());
    }
    let answering_for = AnsweringFor::of(submission.as_ref());
    let answers = submission.map(|s| s.answers).unwrap_or_default();
    render_section(&state, &visitor, &survey, number - 1, &answers, &[], &answering_for, StatusCode::OK)
}

/// A section's answers: "Continue" checks them and moves on (submitting after the last section),
/// "Back" and "Save and return later" keep them as they are.
#[tracing::instrument(skip(state, headers, posted), fields(consultation.slug = %slug))]
pub async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, number)): Path<(String, usize)>,
    posted: Posted<SectionForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, fields } = posted;
    let survey = load(&state, &visitor, &slug).await?;
    if number == 0 || number > survey.sections.len() {
        return Err(WebError::NotFound);
    }
    let index = number - 1;
    let section_ids: Vec<i64> = survey.sections[index].questions.iter().map(|q| q.id).collect();
    let (posted_answers, mut problems) = read_answers(&survey, index, &fields);
    if let Some(refused) = refuse_closed(&state, &visitor, &survey, &posted_answers)? {
        return Ok(refused);
    }
    let Some(who) = respondent(&visitor, &headers, &survey) else {
        return anonymous_refused(&survey);
    };
    let existing = match who.as_store() {
        Some(r) => state.store().submission(survey.id, r).await?,
        None => None,
    };
    if existing.as_ref().is_some_and(Submission::is_submitted) {
        return Ok(Redirect::to(&format!("{}/submitted", survey_path(&slug))).into_response());
    }
    let mut answers = existing.as_ref().map(|s| s.answers.clone()).unwrap_or_default();
    for id in &section_ids {
        answers.remove(id);
    }
    answers.extend(posted_answers.iter().map(|(k, v)| (*k, v.clone())));

    // An anonymous visitor with no draft yet gets one now, with a new resume token: counted against
    // their address, so that nobody fills the register from one connection.
    if who.as_store().is_none()
        && let Some(wait) = too_many_new_drafts(&state, &visitor).await?
    {
        let page = ClosedPage {
            nav: Nav::for_visitor(&visitor),
            heading: "Please wait a moment".into(),
            survey_title: survey.title.clone(),
            consultation_href: format!("/consultations/{slug}"),
            consultation_title: survey.consultation_title.clone(),
            message: format!(
                "Many people have started this survey from your connection. {}",
                limited_message(wait)
            ),
            typed: survey.answer_lines(&posted_answers),
        };
        return page_response(&page, StatusCode::TOO_MANY_REQUESTS, None);
    }
    let mut new_cookie = None;
    let new_hash: String;
    let store_who = match who.as_store() {
        Some(r) => r,
        None => {
            let token = random_token();
            new_hash = sha256_hex(&token);
            new_cookie = Some(token);
            Respondent::ResumeToken(&new_hash)
        }
    };
    let with_cookie = |mut response: Response| {
        if let Some(token) = &new_cookie {
            response.headers_mut().append(header::SET_COOKIE, survey_cookie(&state, &slug, token));
        }
        response
    };

    let last = number == survey.sections.len();
    let mut answering_for = AnsweringFor {
        organisation_chosen: form.respondent_type == "organisation",
        organisation: form.organisation.trim().to_owned(),
        error: None,
    };
    match form.action.as_str() {
        "back" | "save" => {
            // Kept as typed, even when something needs attention; it is checked on "Continue".
            // A ranking that cannot be read as an order is left out.
            let answers: heard_store::Answers = answers
                .iter()
                .filter(|(_, v)| !v.iter().any(|a| a.contains('\t')))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            let submission_id = state
                .store()
                .save_draft(survey.id, store_who, None, &answers, &section_ids, state.now())
                .await?;
            if last {
                state
                    .store()
                    .set_submission_respondent(
                        submission_id,
                        answering_for.respondent_type(),
                        answering_for.name(),
                    )
                    .await?;
            }
            if form.action == "back" {
                let to = if number == 1 { survey_path(&slug) } else { section_path(&slug, number - 1) };
                return Ok(with_cookie(Redirect::to(&to).into_response()));
            }
            tracing::info!(survey.id = survey.id, submission.id = submission_id, "survey draft saved");
            let token = new_cookie.clone().or_else(|| match &who {
                Who::Anonymous { token, .. } => token.clone(),
                Who::Account(_) => None,
            });
            let saved = saved_page(&state, &visitor, &survey, number, token.as_deref(), &who).await?;
            return Ok(with_cookie(saved));
        }
        _ => {}
    }
    // A ranking with places given twice is reported once, as read.
    let read_wrong: Vec<i64> = problems.iter().map(|p| p.question_id).collect();
    problems.extend(
        survey
            .check_answers(Some(index), &answers)
            .into_iter()
            .filter(|p| !read_wrong.contains(&p.question_id)),
    );
    if last && answering_for.organisation_chosen && answering_for.organisation.is_empty() {
        answering_for.error = Some("Enter the name of the organisation".into());
    }
    if !problems.is_empty() || answering_for.error.is_some() {
        let response = render_section(
            &state,
            &visitor,
            &survey,
            index,
            &answers,
            &problems,
            &answering_for,
            StatusCode::UNPROCESSABLE_ENTITY,
        )?;
        return Ok(with_cookie(response));
    }
    let submission_id =
        state.store().save_draft(survey.id, store_who, None, &answers, &section_ids, state.now()).await?;
    if !last {
        return Ok(with_cookie(Redirect::to(&section_path(&slug, number + 1)).into_response()));
    }
    state
        .store()
        .set_submission_respondent(submission_id, answering_for.respondent_type(), answering_for.name())
        .await?;

    // The last section: every answer is checked again (an earlier answer may have been changed
    // since, bringing in a question), then submitted with its row in the register.
    let all = survey.check_answers(None, &answers);
    if let Some(first) = all.first() {
        let at = survey
            .sections
            .iter()
            .position(|s| s.questions.iter().any(|q| q.id == first.question_id))
            .unwrap_or(index);
        let in_section: Vec<Problem> = all
            .iter()
            .filter(|p| survey.sections[at].questions.iter().any(|q| q.id == p.question_id))
            .cloned()
            .collect();
        let response = render_section(
            &state,
            &visitor,
            &survey,
            at,
            &answers,
            &in_section,
            &answering_for,
            StatusCode::UNPROCESSABLE_ENTITY,
        )?;
        return Ok(with_cookie(response));
    }
    let kept = survey.shown_answers(&answers);
    let draft = state.store().submission(survey.id, store_who).await?;
    let email = match &who {
        Who::Account(account) => Some(account.email.clone()),
        Who::Anonymous { .. } => draft.as_ref().and_then(|d| d.email.clone()),
    };
    let account = match &who {
        Who::Account(account) => Some(*account),
        Who::Anonymous { .. } => None,
    };
    let response = NewResponse {
        consultation_id: survey.consultation_id,
        channel: ResponseChannel::Online,
        source: ResponseSource::Survey,
        received_on: state.today(),
        respondent_type: answering_for.respondent_type(),
        organisation: answering_for.name().to_owned(),
        borough: account.and_then(|a| a.borough.clone()).unwrap_or_default(),
        user_id: account.map(|a| a.user.id),
        email: email.clone(),
        entered_by: None,
        texts: free_texts(&survey, &kept),
        attachment: None,
    };
    let response_id = match state.store().submit_survey(submission_id, &kept, &response, state.now()).await {
        Ok(id) => id,
        // Submitted meanwhile (a second tab, a double click): the confirmation says what was kept.
        Err(heard_store::StoreError::Invalid(_)) => {
            return Ok(with_cookie(
                Redirect::to(&format!("{}/submitted", survey_path(&slug))).into_response(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(
        survey.id = survey.id,
        submission.id = submission_id,
        response.id = response_id,
        "survey submitted"
    );
    if let Some(to) = email
        && state.mailer().is_some()
    {
        let body = confirmation_email(&survey, &survey.answer_lines(&kept));
        let user_id = account.map(|a| a.user.id);
        state
            .queue_mail(to, &format!("Your answers: {}", survey.title), body, user_id, "survey confirmation")
            .await;
    }
    Ok(with_cookie(Redirect::to(&format!("{}/submitted", survey_path(&slug))).into_response()))
}

/// The confirmation: what was submitted.
#[tracing::instrument(skip(state, visitor, headers), fields(consultation.slug = %slug))]
pub async fn submitted(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let survey = load(&state, &visitor, &slug).await?;
    let Some(r) = respondent(&visitor, &headers, &survey) else {
        return Ok(Redirect::to(&survey_path(&slug)).into_response());
    };
    let submission = match r.as_store() {
        Some(r) => state.store().submission(survey.id, r).await?,
        None => None,
    };
    let Some(submission) = submission.filter(Submission::is_submitted) else {
        return Ok(Redirect::to(&survey_path(&slug)).into_response());
    };
    let page = DonePage {
        nav: Nav::for_visitor(&visitor),
        survey_title: survey.title.clone(),
        consultation_title: survey.consultation_title.clone(),
        consultation_href: format!("/consultations/{slug}"),
        answers: survey.answer_lines(&submission.answers),
        emailed: state.mailer().is_some() && submission.email.is_some(),
        organisation: (submission.respondent_type == RespondentType::Organisation)
            .then(|| submission.organisation.clone()),
    };
    page_response(&page, StatusCode::OK, None)
}

/// A resume link: finds the draft by its token, and gives this browser the token again.
#[tracing::instrument(skip_all, fields(consultation.slug = %slug))]
pub async fn resume(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let survey = load(&state, &visitor, &slug).await?;
    let found = state.store().submission(survey.id, Respondent::ResumeToken(&sha256_hex(&token))).await?;
    let Some(submission) = found else {
        let page = super::accounts::MessagePage {
            nav: Nav::for_visitor(&visitor),
            title: "This link does not work".into(),
            paragraphs: vec![
                "We could not find saved answers for this link. Check that you copied the whole link, or start \
                 the survey again."
                    .into(),
            ],
            links: vec![(survey_path(&slug), "Go to the survey".into())],
        };
        return page_response(&page, StatusCode::NOT_FOUND, None);
    };
    let to = if submission.is_submitted() {
        format!("{}/submitted", survey_path(&slug))
    } else {
        section_path(&slug, 1)
    };
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().append(header::SET_COOKIE, survey_cookie(&state, &slug, &token));
    Ok(response)
}

/// The script that shows a question on the same page only when its condition is met.
pub async fn script(headers: axum::http::HeaderMap) -> Response {
    super::pages::static_asset(
        &headers,
        "text/javascript; charset=utf-8",
        "public, max-age=3600",
        include_str!("../../static/survey.js"),
    )
}

/// Who is answering: an account, or a browser with (or without yet) an anonymous draft's token
/// and its hash.
enum Who<'a> {
    Account(&'a Account),
    Anonymous { token: Option<String>, hash: Option<String> },
}

impl Who<'_> {
    /// How the store finds their submission; `None` for a browser that has no draft yet.
    fn as_store(&self) -> Option<Respondent<'_>> {
        match self {
            Who::Account(account) => Some(Respondent::Account(account.user.id)),
            Who::Anonymous { hash: Some(hash), .. } => Some(Respondent::ResumeToken(hash)),
            Who::Anonymous { hash: None, .. } => None,
        }
    }
}

/// The visitor as a respondent: their account, or (when not signed in, and the survey allows it)
/// the cookie's token. `None` when they must sign in.
fn respondent<'a>(visitor: &'a Visitor, headers: &HeaderMap, survey: &Survey) -> Option<Who<'a>> {
    if let Some(account) = visitor.account() {
        return Some(Who::Account(account));
    }
    if !survey.allow_anonymous {
        return None;
    }
    let token = crate::auth::cookie_value(headers, SURVEY_COOKIE).filter(|t| !t.is_empty());
    let hash = token.as_deref().map(sha256_hex);
    Some(Who::Anonymous { token, hash })
}

fn anonymous_refused(survey: &Survey) -> Result<Response, WebError> {
    Err(WebError::SignInRequired { next: survey_path(&survey.consultation_slug) })
}

fn section_path(slug: &str, number: usize) -> String {
    format!("{}/sections/{number}", survey_path(slug))
}

/// The survey of a consultation the visitor may see (a draft consultation only for staff).
async fn load(state: &AppState, visitor: &Visitor, slug: &str) -> Result<Survey, WebError> {
    let survey = state.store().survey_for(slug).await?.ok_or(WebError::NotFound)?;
    let staff = visitor.role().is_some_and(|r| crate::policy::allows(r, crate::policy::Action::BuildSurvey));
    if !survey.published && !staff {
        return Err(super::missing_consultation(state, slug, None).await);
    }
    Ok(survey)
}

/// Why the survey takes no answers today, if it does not.
fn closed_message(survey: &Survey, today: heard_store::Date) -> Option<String> {
    if survey.accepts_answers(today) {
        return None;
    }
    Some(match survey.status(today) {
        _ if !survey.published => {
            "This consultation has not been published yet, so the survey does not take answers.".into()
        }
        Status::Upcoming => {
            format!("The survey opens on {}. Come back then to answer it.", survey.opens_on.long())
        }
        Status::Closed => format!(
            "This consultation closed on {}, so the survey no longer takes answers. Thank you to everyone who took part.",
            survey.closes_on.long()
        ),
        Status::Open => "The survey does not take answers at the moment.".into(),
    })
}

/// The page a survey that takes no answers shows instead of its form (also to a forged POST),
/// with anything that was sent, so that nothing typed is lost.
fn refuse_closed(
    state: &AppState,
    visitor: &Visitor,
    survey: &Survey,
    typed: &Answers,
) -> Result<Option<Response>, WebError> {
    let Some(message) = closed_message(survey, state.today()) else { return Ok(None) };
    let page = ClosedPage {
        nav: Nav::for_visitor(visitor),
        heading: "The survey is not taking answers".into(),
        survey_title: survey.title.clone(),
        consultation_href: format!("/consultations/{}", survey.consultation_slug),
        consultation_title: survey.consultation_title.clone(),
        message,
        typed: survey.answer_lines(typed),
    };
    Ok(Some(page_response(&page, StatusCode::FORBIDDEN, None)?))
}

/// Seconds to wait when this address has started too many drafts without an account lately (the
/// same allowance as registering accounts).
async fn too_many_new_drafts(state: &AppState, visitor: &Visitor) -> Result<Option<i64>, WebError> {
    let bucket = format!("survey:address:{}", sha256_hex(&visitor.address));
    super::accounts::over_rate(state, &bucket, state.settings().limits.registrations_per_address).await
}

fn survey_cookie(state: &AppState, slug: &str, token: &str) -> HeaderValue {
    let mut text = format!(
        "{SURVEY_COOKIE}={token}; HttpOnly; SameSite=Lax; Path={}; Max-Age={SURVEY_COOKIE_SECS}",
        survey_path(slug)
    );
    if state.settings().secure_cookies {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).expect("slugs and tokens are URL-safe")
}

/// Reads the answers to section `index` from the form's fields. A ranking with one place given to
/// two options cannot be read as an order: that is a problem here, and the places are kept as typed.
fn read_answers(survey: &Survey, index: usize, fields: &[(String, String)]) -> (Answers, Vec<Problem>) {
    let mut answers = Answers::new();
    let mut problems = Vec::new();
    let values = |name: &str| -> Vec<String> {
        fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    };
    for q in &survey.sections[index].questions {
        let name = format!("q{}", q.id);
        let given: Vec<String> = match q.kind {
            QuestionKind::Ranking => {
                let mut placed: Vec<(usize, String)> = Vec::new();
                for (i, option) in q.options.iter().enumerate() {
                    let place = values(&format!("{name}-{i}")).into_iter().next().unwrap_or_default();
                    if let Ok(place) = place.trim().parse::<usize>() {
                        placed.push((place, option.clone()));
                    }
                }
                placed.sort();
                if placed.windows(2).any(|w| w[0].0 == w[1].0) {
                    let message = "Give each option a different place".to_owned();
                    problems.push(Problem {
                        question_id: q.id,
                        summary: format!("{message}: \u{201c}{}\u{201d}", q.prompt),
                        message,
                    });
                    // Kept as typed so that the form shows it again: every option at its place.
                    answers.insert(q.id, Vec::new());
                    ranks_typed(&mut answers, q, &placed);
                    continue;
                }
                placed.into_iter().map(|(_, o)| o).collect()
            }
            QuestionKind::ShortText | QuestionKind::LongText => {
                values(&name).into_iter().take(1).filter(|t| !t.trim().is_empty()).collect()
            }
            _ => values(&name).into_iter().filter(|v| !v.is_empty()).collect(),
        };
        if !given.is_empty() {
            answers.insert(q.id, given);
        }
    }
    (answers, problems)
}

/// A ranking's places as typed, kept in answers as "PLACE\tOPTION" so the form can show them again.
fn ranks_typed(answers: &mut Answers, q: &Question, placed: &[(usize, String)]) {
    answers.insert(q.id, placed.iter().map(|(p, o)| format!("{p}\t{o}")).collect());
}

#[allow(clippy::too_many_arguments)]
fn render_section(
    state: &AppState,
    visitor: &Visitor,
    survey: &Survey,
    index: usize,
    answers: &Answers,
    problems: &[Problem],
    answering_for: &AnsweringFor,
    status: StatusCode,
) -> Result<Response, WebError> {
    let section = &survey.sections[index];
    let last = index + 1 == survey.sections.len();
    let slug = &survey.consultation_slug;
    let mut questions = Vec::new();
    for q in &section.questions {
        let same_page = q
            .condition
            .as_ref()
            .and_then(|c| section.questions.iter().find(|other| other.id == c.question_id));
        if same_page.is_none() && !survey.is_shown(q, answers) {
            continue;
        }
        questions.push(question_view(q, same_page, answers, problems));
    }
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let page = SectionPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        survey_title: survey.title.clone(),
        consultation_title: survey.consultation_title.clone(),
        consultation_href: format!("/consultations/{slug}"),
        action: section_path(slug, index + 1),
        number: index + 1,
        count: survey.sections.len(),
        title: section.title.clone(),
        intro: crate::format::paragraphs(&section.intro).into_iter().map(str::to_owned).collect(),
        problems: problems
            .iter()
            .filter_map(|p| {
                let q = section.questions.iter().find(|q| q.id == p.question_id)?;
                Some((anchor(q), p.summary.clone()))
            })
            .chain(answering_for.error.iter().map(|e| ("organisation".to_owned(), e.clone())))
            .collect(),
        questions,
        answering_for: last.then(|| answering_for.clone()),
    };
    page_response(&page, status, set_cookie)
}

fn anchor(q: &Question) -> String {
    match q.kind {
        QuestionKind::ShortText | QuestionKind::LongText => format!("q{}", q.id),
        _ => format!("q{}-0", q.id),
    }
}

fn question_view(
    q: &Question,
    same_page: Option<&Question>,
    answers: &Answers,
    problems: &[Problem],
) -> QuestionView {
    let name = format!("q{}", q.id);
    let given = answers.get(&q.id).cloned().unwrap_or_default();
    let choices = match q.kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::AgreeScale => q
            .choices()
            .into_iter()
            .enumerate()
            .map(|(i, c)| (format!("{name}-{i}"), c.to_owned(), given.iter().any(|g| g == c)))
            .collect(),
        _ => Vec::new(),
    };
    let ranks = if q.kind == QuestionKind::Ranking {
        // Given either as an order of options, or (after a problem) as "PLACE\tOPTION" as typed.
        let place_of = |option: &str| -> String {
            for (n, g) in given.iter().enumerate() {
                match g.split_once('\t') {
                    Some((place, o)) if o == option => return place.to_owned(),
                    None if g == option => return (n + 1).to_string(),
                    _ => {}
                }
            }
            String::new()
        };
        q.options.iter().enumerate().map(|(i, o)| (format!("{name}-{i}"), o.clone(), place_of(o))).collect()
    } else {
        Vec::new()
    };
    let (condition_note, show_when) = match (same_page, &q.condition) {
        (Some(earlier), Some(condition)) => (
            Some(format!(
                "Answer this if you chose {} for \u{201c}{}\u{201d}.",
                or_list(&condition.options),
                earlier.prompt
            )),
            Some((format!("q{}", earlier.id), condition.options.join("\n"))),
        ),
        _ => (None, None),
    };
    QuestionView {
        id: q.id,
        kind: q.kind,
        prompt: q.prompt.clone(),
        hint: q.hint.clone(),
        required: q.required,
        error: problems.iter().find(|p| p.question_id == q.id).map(|p| p.message.clone()),
        choices,
        places: (1..=q.options.len()).map(|n| n.to_string()).collect(),
        ranks,
        text: if q.kind.is_text() { given.first().cloned().unwrap_or_default() } else { String::new() },
        max_chars: if q.kind == QuestionKind::ShortText {
            heard_store::SHORT_TEXT_MAX
        } else {
            heard_store::LONG_TEXT_MAX
        },
        condition_note,
        show_when,
        name,
    }
}

/// "Disagree or Strongly disagree".
fn or_list(options: &[String]) -> String {
    match options {
        [] => String::new(),
        [one] => format!("\u{201c}{one}\u{201d}"),
        [rest @ .., last] => format!(
            "{} or \u{201c}{last}\u{201d}",
            rest.iter().map(|o| format!("\u{201c}{o}\u{201d}")).collect::<Vec<_>>().join(", ")
        ),
    }
}

async fn saved_page(
    state: &AppState,
    visitor: &Visitor,
    survey: &Survey,
    number: usize,
    token: Option<&str>,
    who: &Who<'_>,
) -> Result<Response, WebError> {
    let slug = &survey.consultation_slug;
    let resume_link = match who {
        Who::Account(_) => None,
        Who::Anonymous { .. } => token.map(|t| {
            format!("{}{}/resume/{t}", state.settings().public_url.trim_end_matches('/'), survey_path(slug))
        }),
    };
    let mut emailed_to = false;
    if let (Some(link), Some(token), Some(_)) = (&resume_link, token, state.mailer()) {
        let draft = state.store().submission(survey.id, Respondent::ResumeToken(&sha256_hex(token))).await?;
        if let Some(email) = draft.and_then(|d| d.email) {
            let body = format!(
                "You saved your answers to \u{201c}{}\u{201d} ({}).\n\nTo carry on where you left off, open this link \
                 before the consultation closes on {}:\n\n{link}\n\nKeep this link to yourself: anyone who has it can \
                 see and change your answers.\n",
                survey.title,
                survey.consultation_title,
                survey.closes_on.long()
            );
            emailed_to = state
                .queue_mail(
                    email,
                    &format!("Your saved answers: {}", survey.title),
                    body,
                    None,
                    "resume link",
                )
                .await;
        }
    }
    let page = SavedPage {
        nav: Nav::for_visitor(visitor),
        survey_title: survey.title.clone(),
        consultation_title: survey.consultation_title.clone(),
        closes_on: survey.closes_on.long(),
        resume_link,
        emailed_to,
        continue_href: section_path(slug, number),
    };
    page_response(&page, StatusCode::OK, None)
}

/// One text per free-text answer, for the register (and the analysis that reads it).
fn free_texts(survey: &Survey, answers: &Answers) -> Vec<ResponseText> {
    survey
        .questions()
        .filter(|q| q.kind.is_text())
        .filter_map(|q| {
            let text = answers.get(&q.id)?.first()?.trim();
            (!text.is_empty()).then(|| ResponseText { question: q.prompt.clone(), text: text.to_owned() })
        })
        .collect()
}

fn confirmation_email(survey: &Survey, lines: &[(String, String)]) -> String {
    let mut body = format!(
        "Thank you for answering \u{201c}{}\u{201d} for the consultation \u{201c}{}\u{201d}.\n\n\
         This is a copy of your answers.\n\n",
        survey.title, survey.consultation_title
    );
    for (question, answer) in lines {
        body.push_str(&format!("{question}\n{answer}\n\n"));
    }
    body.push_str("What everyone said will be read and published with the results of the consultation.\n");
    body
}

fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    }
}
