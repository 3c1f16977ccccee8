//! The open-data API: published consultations, their discussions, the comments the public can read,
//! survey results once a consultation's results are published, and the analysis runs staff
//! published (themes, figures, approved quotes, "you said, we did"), as JSON pages. `openapi.json`
//! beside this crate's `Cargo.toml` describes every endpoint and is served at `/api/openapi.json`;
//! the tests hold every answer to it.
//!
//! Nothing here is personal data: no email address, no account detail beyond the display name a
//! discussion page shows, no held, hidden or deleted comment, and comment text as published (the
//! checks before posting have already removed what their author agreed to remove). Every request
//! counts against the address's `api_requests_per_address` limit ([`limited`]).

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use heard_store::{Comment, CommentSource, ConsultationSummary, DiscussionSummary, Store};
use serde::{Deserialize, Serialize};

use super::accounts::over_rate;
use crate::auth::sha256_hex;
use crate::{ApiError, AppState, WebError};

/// The OpenAPI 3.0 document describing this API, written by hand.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// Items in a page unless `per_page` says otherwise, and the most it may ask for.
pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;

/// How long a client or a shared cache may keep an answer: comments and counts move, but a minute
/// late is fine for open data, and it spares the database from crawlers.
const CACHE_CONTROL: &str = "public, max-age=60";

/// Counts the request against its address's limit (in the database, so every instance counts the
/// same), and refuses it with 429 and `Retry-After` when over.
pub async fn limited(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let address = crate::auth::client_address(&parts, state.settings().trust_forwarded_for);
    let bucket = format!("api:address:{}", sha256_hex(&address));
    match over_rate(&state, &bucket, state.settings().limits.api_requests_per_address).await {
        Ok(None) => next.run(Request::from_parts(parts, body)).await,
        Ok(Some(retry_after)) => ApiError::TooManyRequests { retry_after }.into_response(),
        Err(WebError::Unavailable(cause)) => ApiError::Unavailable(cause).into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

pub async fn openapi() -> Response {
    json_response(OPENAPI.to_owned())
}

#[derive(Debug, Default, Deserialize)]
pub struct PagingQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// A page of a list, as every list endpoint answers.
#[derive(Debug, Serialize)]
struct Paged<T> {
    data: Vec<T>,
    page: i64,
    per_page: i64,
    /// Items in the whole list.
    total: i64,
    /// The next page's path, or `null` on the last page.
    next: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Paging {
    page: i64,
    per_page: i64,
}

impl Paging {
    fn read(query: &PagingQuery) -> Result<Paging, ApiError> {
        let page = match query.page.as_deref() {
            None => 1,
            Some(text) => text.trim().parse().ok().filter(|&p: &i64| p >= 1).ok_or_else(|| {
                ApiError::BadRequest(format!("page must be a whole number from 1, not {text:?}"))
            })?,
        };
        let per_page = match query.per_page.as_deref() {
            None => DEFAULT_PER_PAGE,
            Some(text) => {
                text.trim().parse().ok().filter(|p: &i64| (1..=MAX_PER_PAGE).contains(p)).ok_or_else(
                    || {
                        ApiError::BadRequest(format!(
                            "per_page must be a whole number from 1 to {MAX_PER_PAGE}, not {text:?}"
                        ))
                    },
                )?
            }
        };
        Ok(Paging { page, per_page })
    }

    fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// The items of this page of a list held whole.
    fn slice<T>(self, all: Vec<T>) -> Vec<T> {
        let offset = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        all.into_iter().skip(offset).take(self.per_page as usize).collect()
    }

    fn wrap<T>(self, path: &str, data: Vec<T>, total: i64) -> Paged<T> {
        let next = (self.page.saturating_mul(self.per_page) < total)
            .then(|| format!("{path}?page={}&per_page={}", self.page + 1, self.per_page));
        Paged { data, page: self.page, per_page: self.per_page, total, next }
    }
}

/// A consultation as lists give it.
#[derive(Debug, Serialize)]
pub struct ApiConsultation {
    slug: String,
    title: String,
    summary: String,
    organisation: String,
    opens_on: String,
    closes_on: String,
    /// upcoming, open or closed, from the dates.
    status: &'static str,
    /// scheduled, open, closed or results_published.
    stage: &'static str,
    /// As the consultation's page says it: distinct people across every channel, or the count
    /// recorded before heard held every response, whichever is larger.
    respondent_count: i64,
    links: ConsultationLinks,
}

#[derive(Debug, Serialize)]
struct ConsultationLinks {
    #[serde(rename = "self")]
    this: String,
    page: String,
    discussions: String,
    survey_results: String,
    results: String,
    open_data: String,
}

/// A consultation with its plan, timeline, documents and discussions.
#[derive(Debug, Serialize)]
struct ApiConsultationDetail {
    #[serde(flatten)]
    consultation: ApiConsultation,
    results_expected: Option<String>,
    objectives: Vec<ApiObjective>,
    timeline: Vec<ApiTimelineEntry>,
    documents: Vec<ApiDocument>,
    discussions: Vec<ApiDiscussion>,
}

#[derive(Debug, Serialize)]
struct ApiObjective {
    title: String,
    summary: String,
    commitments: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ApiTimelineEntry {
    date: String,
    title: String,
    detail: String,
}

#[derive(Debug, Serialize)]
struct ApiDocument {
    title: String,
    url: String,
    format: String,
    easy_read: bool,
}

#[derive(Debug, Serialize)]
pub struct ApiDiscussion {
    slug: String,
    title: String,
    intro: String,
    opens_on: String,
    closes_on: String,
    status: &'static str,
    /// Comments the public can read (not held, hidden or deleted).
    comment_count: i64,
    links: DiscussionLinks,
}

#[derive(Debug, Serialize)]
struct DiscussionLinks {
    page: String,
    comments: String,
}

/// A comment as published.
#[derive(Debug, Serialize)]
pub struct ApiComment {
    pub(crate) id: i64,
    /// The comment this one replies to.
    pub(crate) reply_to: Option<i64>,
    /// The display name the discussion page shows ("Former member" once an account is deleted).
    pub(crate) author: String,
    pub(crate) author_role: &'static str,
    /// Generated for the demo, not written by a person.
    pub(crate) synthetic: bool,
    pub(crate) posted_at: String,
    pub(crate) edited_at: Option<String>,
    pub(crate) agreements: i64,
    pub(crate) text: String,
}

#[derive(Debug, Serialize)]
struct ApiSurveyResults {
    title: String,
    /// Submitted answers counted; drafts are not.
    submitted: i64,
    /// Of those, how many the demo generated.
    synthetic: i64,
    questions: Vec<ApiQuestionResult>,
}

#[derive(Debug, Serialize)]
struct ApiQuestionResult {
    id: i64,
    section: String,
    prompt: String,
    kind: &'static str,
    /// Submissions that answered it.
    answered: i64,
    /// Per option of a choice or agree-scale question, in the question's order.
    options: Vec<OptionCount>,
    /// Per option of a ranking question: its average place (1 is first) and how many ranked it.
    rankings: Vec<OptionRank>,
}

#[derive(Debug, Serialize)]
struct OptionCount {
    option: String,
    count: i64,
}

#[derive(Debug, Serialize)]
struct OptionRank {
    option: String,
    average_rank: Option<f64>,
    count: i64,
}

/// The published results of a consultation's analysis, as "what we heard" shows them: every run
/// staff put in the results, its themes with their figures, approved quotes and "you said, we did".
#[derive(Debug, Serialize)]
struct ApiResults {
    stage: &'static str,
    /// The public results page, "what we heard".
    page: String,
    runs: Vec<ApiRun>,
}

#[derive(Debug, Serialize)]
struct ApiRun {
    id: i64,
    /// Which responses it read: "All responses, every channel", "Email responses", a question.
    scope: String,
    method: &'static str,
    /// The mode and model that ran.
    model: String,
    /// Texts analysed.
    texts: i64,
    published_at: Option<String>,
    themes: Vec<ApiTheme>,
    campaigns: Vec<ApiCampaign>,
}

#[derive(Debug, Serialize)]
struct ApiTheme {
    label: String,
    description: String,
    kind: &'static str,
    /// Texts that raise it.
    count: i64,
    /// `count` out of the run's texts, from 0 to 1.
    share: f64,
    positions: ApiPositions,
    /// Of `count`, texts from organised campaigns.
    campaign_texts: i64,
    /// What became of it in the plan.
    outcome: &'static str,
    we_did: String,
    /// Quotes staff approved for publication (already redacted).
    quotes: Vec<ApiQuote>,
}

#[derive(Debug, Serialize)]
struct ApiPositions {
    agree: i64,
    disagree: i64,
    unclear: i64,
}

#[derive(Debug, Serialize)]
struct ApiQuote {
    text: String,
    channel: &'static str,
    respondent_type: &'static str,
}

#[derive(Debug, Serialize)]
struct ApiCampaign {
    /// The campaign's template text (redacted).
    template: String,
    /// Texts that followed it.
    size: i64,
    themes: Vec<String>,
}

#[tracing::instrument(skip(state, query))]
pub async fn consultations(
    State(state): State<AppState>,
    Query(query): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    let paging = Paging::read(&query)?;
    let all = state.store().list_consultations().await?;
    let total = all.len() as i64;
    let mut data = Vec::new();
    for c in paging.slice(all) {
        data.push(consultation_json(&state, &c).await?);
    }
    Ok(json(&paging.wrap("/api/v1/consultations", data, total)))
}

#[tracing::instrument(skip(state), fields(consultation.slug = %slug))]
pub async fn consultation(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let c = published(&state, &slug).await?;
    let mut discussions = Vec::with_capacity(c.discussions.len());
    for d in &c.discussions {
        discussions.push(discussion_json(&state, &slug, d).await?);
    }
    let detail = ApiConsultationDetail {
        consultation: consultation_json(&state, &c.summary).await?,
        // Once the results are out, nothing says they are still expected.
        results_expected: c.results_expected.filter(|_| !c.summary.results_published),
        objectives: c
            .objectives
            .into_iter()
            .map(|o| ApiObjective { title: o.title, summary: o.summary, commitments: o.commitments })
            .collect(),
        timeline: c
            .timeline
            .into_iter()
            .map(|t| ApiTimelineEntry { date: t.on_date.to_string(), title: t.title, detail: t.detail })
            .collect(),
        documents: c
            .documents
            .into_iter()
            .map(|d| ApiDocument { title: d.title, url: d.url, format: d.format, easy_read: d.easy_read })
            .collect(),
        discussions,
    };
    Ok(json(&detail))
}

#[tracing::instrument(skip(state, query), fields(consultation.slug = %slug))]
pub async fn discussions(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    let paging = Paging::read(&query)?;
    let c = published(&state, &slug).await?;
    let total = c.discussions.len() as i64;
    let mut data = Vec::new();
    for d in paging.slice(c.discussions) {
        data.push(discussion_json(&state, &slug, &d).await?);
    }
    Ok(json(&paging.wrap(&format!("/api/v1/consultations/{slug}/discussions"), data, total)))
}

#[tracing::instrument(skip(state, query), fields(consultation.slug = %slug, discussion.slug = %discussion))]
pub async fn comments(
    State(state): State<AppState>,
    Path((slug, discussion)): Path<(String, String)>,
    Query(query): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    let paging = Paging::read(&query)?;
    let d = state.store().discussion_ref(&slug, &discussion).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "There is no published discussion {discussion:?} in consultation {slug:?}."
        ))
    })?;
    let (comments, total) = state.store().published_comments(d.id, paging.offset(), paging.per_page).await?;
    let data = comments.iter().map(comment_json).collect();
    Ok(json(&paging.wrap(
        &format!("/api/v1/consultations/{slug}/discussions/{discussion}/comments"),
        data,
        total,
    )))
}

#[tracing::instrument(skip(state), fields(consultation.slug = %slug))]
pub async fn survey_results(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let c = published(&state, &slug).await?;
    let survey = state
        .store()
        .survey_for(&slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Consultation {slug:?} has no survey.")))?;
    // The site shows survey results to staff only until the consultation's results are published;
    // the API shows no more than the site.
    if !c.summary.results_published {
        return Err(ApiError::NotFound(format!(
            "The survey results of {slug:?} are published with the consultation's results, which are not published yet."
        )));
    }
    let results = state.store().survey_results(&survey).await?;
    let questions = survey
        .sections
        .iter()
        .flat_map(|s| s.questions.iter().map(move |q| (s, q)))
        .filter_map(|(section, q)| {
            let r = results.questions.iter().find(|r| r.question_id == q.id)?;
            Some(ApiQuestionResult {
                id: q.id,
                section: section.title.clone(),
                prompt: q.prompt.clone(),
                kind: q.kind.as_str(),
                answered: r.answered,
                // Free text is not counted, and the site does not publish it.
                options: r
                    .counts
                    .iter()
                    .map(|(option, count)| OptionCount { option: option.clone(), count: *count })
                    .collect(),
                rankings: r
                    .average_ranks
                    .iter()
                    .map(|(option, average_rank, count)| OptionRank {
                        option: option.clone(),
                        average_rank: *average_rank,
                        count: *count,
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(json(&ApiSurveyResults {
        title: survey.title,
        submitted: results.submitted,
        synthetic: results.synthetic,
        questions,
    }))
}

#[tracing::instrument(skip(state), fields(consultation.slug = %slug))]
pub async fn results(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let c = published(&state, &slug).await?;
    // As "what we heard": public once staff publish the consultation's results, not before, even
    // when a run is already marked for them.
    if !c.summary.results_published {
        return Err(ApiError::NotFound(format!("The results of {slug:?} are not published yet.")));
    }
    let runs = state
        .store()
        .published_runs(c.summary.id)
        .await?
        .into_iter()
        .map(|published| ApiRun {
            id: published.run.id,
            scope: published.run.scope.label(),
            method: published.run.method.as_str(),
            model: published.run.model,
            texts: published.run.responses,
            published_at: published.run.published_at.map(|t| t.rfc3339()),
            themes: published
                .themes
                .into_iter()
                .map(|t| ApiTheme {
                    kind: t.kind.as_str(),
                    outcome: outcome_key(t.outcome),
                    label: t.label,
                    description: t.description,
                    count: t.count,
                    share: t.share,
                    positions: ApiPositions {
                        agree: t.positions.agree,
                        disagree: t.positions.disagree,
                        unclear: t.positions.unclear,
                    },
                    campaign_texts: t.campaign_texts,
                    we_did: t.we_did,
                    // The store gives a published run's approved quotes only; this says so again.
                    quotes: t
                        .quotes
                        .into_iter()
                        .filter(|q| q.approved)
                        .map(|q| ApiQuote {
                            text: q.text,
                            channel: q.channel.as_str(),
                            respondent_type: q.respondent_type.as_str(),
                        })
                        .collect(),
                })
                .collect(),
            campaigns: published
                .campaigns
                .into_iter()
                .map(|c| ApiCampaign { template: c.template, size: c.size, themes: c.themes })
                .collect(),
        })
        .collect();
    Ok(json(&ApiResults {
        stage: c.summary.stage(state.today()).as_str(),
        page: format!("/consultations/{slug}/results"),
        runs,
    }))
}

/// "undecided" rather than the store's empty key, so that every value is a word.
pub(crate) fn outcome_key(outcome: heard_store::PlanChange) -> &'static str {
    match outcome {
        heard_store::PlanChange::Undecided => "undecided",
        other => other.as_str(),
    }
}

/// A published consultation, or 404 naming the slug: drafts are not found.
pub(crate) async fn published(state: &AppState, slug: &str) -> Result<heard_store::Consultation, ApiError> {
    state
        .store()
        .consultation_by_slug(slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no published consultation {slug:?}.")))
}

pub(crate) async fn consultation_json(
    state: &AppState,
    c: &ConsultationSummary,
) -> Result<ApiConsultation, ApiError> {
    let today = state.today();
    let respondents = state.store().respondent_count(c.id).await?;
    let slug = &c.slug;
    Ok(ApiConsultation {
        slug: slug.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        organisation: c.organisation.clone(),
        opens_on: c.opens_on.to_string(),
        closes_on: c.closes_on.to_string(),
        status: status_key(c.status(today)),
        stage: c.stage(today).as_str(),
        respondent_count: respondents.max(c.recorded_responses.unwrap_or(0)),
        links: ConsultationLinks {
            this: format!("/api/v1/consultations/{slug}"),
            page: format!("/consultations/{slug}"),
            discussions: format!("/api/v1/consultations/{slug}/discussions"),
            survey_results: format!("/api/v1/consultations/{slug}/survey/results"),
            results: format!("/api/v1/consultations/{slug}/results"),
            open_data: format!("/consultations/{slug}/open-data.zip"),
        },
    })
}

pub(crate) async fn discussion_json(
    state: &AppState,
    consultation_slug: &str,
    d: &DiscussionSummary,
) -> Result<ApiDiscussion, ApiError> {
    Ok(ApiDiscussion {
        slug: d.slug.clone(),
        title: d.title.clone(),
        intro: d.intro.clone(),
        opens_on: d.opens_on.to_string(),
        closes_on: d.closes_on.to_string(),
        status: status_key(d.status(state.today())),
        comment_count: published_comment_count(state.store(), d.id).await?,
        links: DiscussionLinks {
            page: format!("/consultations/{consultation_slug}/discussions/{}", d.slug),
            comments: format!("/api/v1/consultations/{consultation_slug}/discussions/{}/comments", d.slug),
        },
    })
}

pub(crate) fn comment_json(c: &Comment) -> ApiComment {
    ApiComment {
        id: c.id,
        reply_to: c.parent_id,
        author: c.author.display_name.clone(),
        author_role: c.author.role.as_str(),
        synthetic: c.source == CommentSource::Synthetic,
        posted_at: c.posted_at.rfc3339(),
        edited_at: c.edited_at.map(|t| t.rfc3339()),
        agreements: c.agree_count,
        text: c.body.clone(),
    }
}

async fn published_comment_count(store: &Store, discussion_id: i64) -> Result<i64, ApiError> {
    Ok(store.published_comments(discussion_id, 0, 0).await?.1)
}

fn status_key(status: heard_store::Status) -> &'static str {
    match status {
        heard_store::Status::Upcoming => "upcoming",
        heard_store::Status::Open => "open",
        heard_store::Status::Closed => "closed",
    }
}

fn json(value: &impl Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => json_response(body),
        Err(e) => ApiError::Internal(format!("serialising: {e}")).into_response(),
    }
}

fn json_response(body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    // Open data: any site's script may read it.
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
