//! The open-data API: every answer held to the OpenAPI document the site serves, no personal data,
//! paging, the rate limit, and the open-data zip.

use std::io::Read;

use axum::http::StatusCode;
use heard_store::*;
use heard_web::{Rate, Settings};
use serde_json::{Value, json};

use crate::openapi::OpenApi;
use crate::{TestApp, discussions_app_with};

/// Words that appear only in comments the public must not read.
const HIDDEN_TEXT: &str = "Hidden-by-a-moderator words";
const HELD_TEXT: &str = "Held-after-reports words";
const DELETED_TEXT: &str = "Deleted-by-its-author words";
/// A quote offered by an analysis run that staff did not approve.
const UNAPPROVED_QUOTE: &str = "Unapproved-quote words";
/// The addresses of the accounts that wrote, so none can leak.
pub const EMAILS: [&str; 4] =
    ["rosa@example.org", "host@example.org", "moderator@example.org", "surveyed@example.org"];

pub struct OpenData {
    pub app: TestApp,
    pub discussion_id: i64,
    /// The visible comment, with a line break in it.
    pub visible: i64,
    pub reply: i64,
}

/// The open `parks` consultation with comments of every kind, and the closed `old` one with a
/// survey answered twice and its results published. The clock stands at 2025-03-01.
pub async fn open_data_app(backend: Backend, settings: Settings) -> OpenData {
    let app = discussions_app_with(backend, settings).await;
    let store = &app.store;
    let now = app.state.now();
    let rosa = app.account(Role::Resident, "Rosa", EMAILS[0]).await;
    let host = app.account(Role::Host, "Alex", EMAILS[1]).await;
    let moderator = app.account(Role::Moderator, "Mo", EMAILS[2]).await;
    let discussion_id = store.discussion_ref("parks", "what-would-help").await.unwrap().unwrap().id;
    let post = |author_id: i64, body: &str, parent_id: Option<i64>, minutes: i64| NewComment {
        discussion_id,
        parent_id,
        author_id,
        body: body.into(),
        posted_at: Timestamp(now.0 - 3600 + minutes * 60),
        source: CommentSource::Web,
        flags: Vec::new(),
    };
    let visible = store
        .add_comment(&post(rosa, "Brighter paths by the pond, please.\nAnd benches.", None, 1))
        .await
        .unwrap();
    let reply = store
        .add_comment(&post(host, "Thank you: we will look at the lighting.", Some(visible), 2))
        .await
        .unwrap();
    let hidden = store.add_comment(&post(rosa, HIDDEN_TEXT, None, 3)).await.unwrap();
    store.moderate(&[hidden], Decision::Hide(Guideline::Respectful), moderator, "", now).await.unwrap();
    let held = store.add_comment(&post(rosa, HELD_TEXT, None, 4)).await.unwrap();
    store.report_comment(held, moderator, Guideline::Safe, now, 1).await.unwrap();
    let deleted = store.add_comment(&post(rosa, DELETED_TEXT, None, 5)).await.unwrap();
    store.delete_comment(deleted, now).await.unwrap();
    // A run marked for the results of a consultation whose results are not published yet.
    let parks = store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    publish_an_analysis_run(store, parks, visible, host, now).await;

    // The closed consultation's survey: one choice question, one ranking and one free text.
    let old = store.consultation_by_slug("old").await.unwrap().unwrap().summary.id;
    let settings = SurveySettings { title: "Your view".into(), intro: String::new(), allow_anonymous: true };
    let survey = store.create_survey(old, &settings).await.unwrap();
    let section = store.add_section(survey, "About the plan", "").await.unwrap();
    let question = |kind, prompt: &str, options: &[&str]| NewQuestion {
        kind,
        prompt: prompt.into(),
        hint: String::new(),
        required: false,
        options: options.iter().map(|o| o.to_string()).collect(),
        condition: None,
    };
    let choice = store
        .add_question(section, &question(QuestionKind::SingleChoice, "Do you agree?", &["Yes", "No"]))
        .await
        .unwrap();
    let ranking = store
        .add_question(section, &question(QuestionKind::Ranking, "Rank these", &["Lights", "Benches"]))
        .await
        .unwrap();
    let free =
        store.add_question(section, &question(QuestionKind::LongText, "Anything else?", &[])).await.unwrap();
    let submission = |yes: &str, first: &str, second: &str, email: Option<&str>| {
        let answers: Answers = [
            (choice, vec![yes.to_owned()]),
            (ranking, vec![first.to_owned(), second.to_owned()]),
            (free, vec![format!("Survey free text SECRET-{yes}")]),
        ]
        .into_iter()
        .collect();
        let response = NewResponse {
            consultation_id: old,
            channel: ResponseChannel::Online,
            source: ResponseSource::Survey,
            received_on: Date::parse_iso("2024-01-20").unwrap(),
            respondent_type: RespondentType::Individual,
            organisation: String::new(),
            borough: String::new(),
            user_id: None,
            email: email.map(str::to_owned),
            entered_by: None,
            texts: Vec::new(),
            attachment: None,
        };
        (answers, response)
    };
    store
        .record_survey_submissions(
            survey,
            &[
                submission("Yes", "Lights", "Benches", Some(EMAILS[3])),
                submission("No", "Benches", "Lights", None),
            ],
            now,
        )
        .await
        .unwrap();
    let admin = app.account(Role::Admin, "Ada", "ada@example.org").await;
    assert!(store.publish_results(old, admin, now).await.unwrap());
    publish_an_analysis_run(store, old, visible, admin, now).await;
    OpenData { app, discussion_id, visible, reply }
}

/// A finished run over the visible comment (`c{visible}`) and a text outside the register, with
/// themes Lighting (the comment) and Seating (both); Lighting's quote approved and its "we did"
/// written, Seating's quote not approved; then published.
async fn publish_an_analysis_run(
    store: &Store,
    consultation_id: i64,
    visible: i64,
    analyst: i64,
    now: Timestamp,
) {
    let new = NewRun {
        consultation_id,
        scope: RunScope::All,
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    let run = store.create_run(&new, analyst, now).await.unwrap();
    let text = |line: String, body: &str, position| RunText {
        response_key: line.clone(),
        line,
        channel: ResponseChannel::Online,
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: String::new(),
        question: "Talk about parks".into(),
        text: body.into(),
        position,
        evidence_rich: false,
        campaign: None,
    };
    let theme = |label: &str, texts: Vec<usize>, quote: (usize, &str)| NewRunTheme {
        kind: RunThemeKind::Discovered,
        label: label.into(),
        description: format!("About {label}"),
        keywords: vec![label.to_lowercase()],
        texts,
        quotes: vec![(quote.0, quote.1.to_owned())],
    };
    let results = RunResults {
        model: "lexical mode, no model".into(),
        notes: Vec::new(),
        texts: vec![
            text(format!("c{visible}"), "Brighter paths by the pond, please.\nAnd benches.", Stance::Agree),
            text("r999".into(), "Seats by the pond", Stance::Disagree),
        ],
        themes: vec![
            theme("Lighting", vec![0], (0, "Brighter paths by the pond")),
            theme("Seating", vec![0, 1], (1, UNAPPROVED_QUOTE)),
        ],
        campaigns: Vec::new(),
    };
    store.save_run_results(run, &results, now).await.unwrap();
    let themes = store.run_themes(run).await.unwrap();
    store.set_quote_approved(themes[0].quotes[0].id, true, analyst, now).await.unwrap();
    store
        .set_we_did(themes[0].id, PlanChange::Changed, "We added lights on the pond path.", analyst, now)
        .await
        .unwrap();
    store.publish_run(run, RunPublication::AllThemes, analyst, now).await.unwrap();
}

async fn document(app: &TestApp) -> OpenApi {
    let page = app.get("/api/openapi.json").await;
    assert_eq!(page.status, StatusCode::OK);
    OpenApi::new(serde_json::from_str(&page.html).expect("the document is JSON"))
}

/// Asks for `uri` and holds the answer to the document's schema for `template` and the status.
async fn checked(app: &TestApp, api: &OpenApi, uri: &str, template: &str, status: StatusCode) -> Value {
    let page = app.get(uri).await;
    assert_eq!(page.status, status, "GET {uri}:\n{}", page.html);
    assert_eq!(page.headers["content-type"], "application/json", "GET {uri}");
    assert_eq!(page.headers["access-control-allow-origin"], "*", "GET {uri}");
    api.assert_matches(template, status.as_u16(), &page.html)
}

async fn every_answer_matches_the_document(backend: Backend) {
    let OpenData { app, visible, reply, discussion_id } = open_data_app(backend, Settings::default()).await;
    let api = document(&app).await;
    assert_eq!(api.doc["openapi"], "3.0.3");
    // The consultation's page counts what the public can read, as the API does: not the hidden,
    // held or deleted comments.
    let summary = app.store.discussion_by_id(discussion_id).await.unwrap().unwrap().summary;
    assert_eq!(summary.comment_count, 2);

    let list = checked(&app, &api, "/api/v1/consultations", "/api/v1/consultations", StatusCode::OK).await;
    assert_eq!(list["total"], 3);
    let slugs: Vec<&str> =
        list["data"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["old", "parks", "soon"], "soonest closing first");
    assert_eq!(list["data"][0]["stage"], "results_published");
    assert_eq!(list["data"][0]["respondent_count"], 2, "two survey submissions");
    assert_eq!(list["data"][1]["status"], "open");
    assert_eq!(list["data"][1]["links"]["open_data"], "/consultations/parks/open-data.zip");
    assert_eq!(list["next"], Value::Null);

    let detail = "/api/v1/consultations/{slug}";
    let parks = checked(&app, &api, "/api/v1/consultations/parks", detail, StatusCode::OK).await;
    assert_eq!(parks["title"], "The parks plan");
    assert_eq!(parks["discussions"][0]["comment_count"], 2, "the visible comment and the host's reply only");

    let discussions = "/api/v1/consultations/{slug}/discussions";
    let listed =
        checked(&app, &api, "/api/v1/consultations/parks/discussions", discussions, StatusCode::OK).await;
    assert_eq!(
        listed["data"][0]["links"]["comments"],
        "/api/v1/consultations/parks/discussions/what-would-help/comments"
    );

    let comments = "/api/v1/consultations/{slug}/discussions/{discussion}/comments";
    let page = checked(
        &app,
        &api,
        "/api/v1/consultations/parks/discussions/what-would-help/comments",
        comments,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["data"][0]["id"], visible);
    assert_eq!(page["data"][0]["text"], "Brighter paths by the pond, please.\nAnd benches.");
    assert_eq!(page["data"][0]["author"], "Rosa");
    assert_eq!(page["data"][0]["reply_to"], Value::Null);
    assert_eq!(page["data"][1]["id"], reply);
    assert_eq!(page["data"][1]["reply_to"], visible);
    assert_eq!(page["data"][1]["author_role"], "host");

    let results = "/api/v1/consultations/{slug}/survey/results";
    let survey =
        checked(&app, &api, "/api/v1/consultations/old/survey/results", results, StatusCode::OK).await;
    assert_eq!(survey["submitted"], 2);
    assert_eq!(
        survey["questions"][0]["options"],
        json!([{"option": "Yes", "count": 1}, {"option": "No", "count": 1}])
    );
    assert_eq!(
        survey["questions"][1]["rankings"][0],
        json!({"option": "Lights", "average_rank": 1.5, "count": 2})
    );
    assert_eq!(survey["questions"][2]["options"], json!([]), "free text is not published");

    let results = "/api/v1/consultations/{slug}/results";
    let analysis = checked(&app, &api, "/api/v1/consultations/old/results", results, StatusCode::OK).await;
    assert_eq!(analysis["page"], "/consultations/old/results");
    let run = &analysis["runs"][0];
    assert_eq!((run["texts"].as_i64(), run["model"].as_str()), (Some(2), Some("lexical mode, no model")));
    let lighting = &run["themes"][0];
    assert_eq!((lighting["label"].as_str(), lighting["count"].as_i64()), (Some("Lighting"), Some(1)));
    assert_eq!(lighting["share"], 0.5);
    assert_eq!(lighting["positions"], json!({"agree": 1, "disagree": 0, "unclear": 0}));
    assert_eq!(
        (lighting["outcome"].as_str(), lighting["we_did"].as_str()),
        (Some("changed"), Some("We added lights on the pond path."))
    );
    assert_eq!(
        lighting["quotes"],
        json!([{"text": "Brighter paths by the pond", "channel": "online", "respondent_type": "individual"}])
    );
    assert_eq!(
        (run["themes"][1]["outcome"].as_str(), run["themes"][1]["quotes"].clone()),
        (Some("undecided"), json!([])),
        "an unapproved quote is not published"
    );
    // The open consultation's run waits for its results to be published, as "what we heard" does.
    let early =
        checked(&app, &api, "/api/v1/consultations/parks/results", results, StatusCode::NOT_FOUND).await;
    assert!(early["error"].as_str().unwrap().contains("not published yet"), "{early}");

    // Errors are JSON too, and described.
    let missing = checked(&app, &api, "/api/v1/consultations/nowhere", detail, StatusCode::NOT_FOUND).await;
    assert!(missing["error"].as_str().unwrap().contains("nowhere"), "{missing}");
    checked(
        &app,
        &api,
        "/api/v1/consultations/parks/discussions/nowhere/comments",
        comments,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The open consultation's survey does not exist; the closed one's results are published.
    checked(&app, &api, "/api/v1/consultations/parks/survey/results", results, StatusCode::NOT_FOUND).await;
    let bad =
        checked(&app, &api, "/api/v1/consultations?page=0", "/api/v1/consultations", StatusCode::BAD_REQUEST)
            .await;
    assert!(bad["error"].as_str().unwrap().starts_with("page "), "{bad}");
}

#[tokio::test]
async fn api_answers_match_the_openapi_document_on_sqlite() {
    every_answer_matches_the_document(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_answers_match_the_openapi_document_on_postgres() {
    every_answer_matches_the_document(Backend::Postgres).await;
}

#[tokio::test]
async fn api_validator_catches_a_wrong_type_a_missing_field_and_an_extra_one() {
    let OpenData { app, .. } = open_data_app(Backend::Sqlite, Settings::default()).await;
    let api = document(&app).await;
    let template = "/api/v1/consultations/{slug}/discussions/{discussion}/comments";
    let good = json!({
        "data": [{
            "id": 1, "reply_to": null, "author": "Rosa", "author_role": "resident", "synthetic": false,
            "posted_at": "2025-03-01T11:00:00Z", "edited_at": null, "agreements": 0, "text": "Hello",
        }],
        "page": 1, "per_page": 50, "total": 1, "next": null,
    });
    assert_eq!(api.problems(template, 200, &good), Vec::<String>::new());
    let spoil = |path: &str, value: Option<Value>| {
        let mut bad = good.clone();
        let (parent, field) = path.rsplit_once('/').unwrap();
        let object = bad.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        match value {
            Some(v) => object.insert(field.to_owned(), v),
            None => object.remove(field),
        };
        api.problems(template, 200, &bad)
    };
    let wrong_type = spoil("/data/0/id", Some(json!("1")));
    assert!(wrong_type.iter().any(|p| p.contains("$.data[0].id: expected integer")), "{wrong_type:?}");
    let missing = spoil("/data/0/text", None);
    assert!(missing.iter().any(|p| p.contains("\"text\" is missing")), "{missing:?}");
    let extra = spoil("/data/0/email", Some(json!("rosa@example.org")));
    assert!(extra.iter().any(|p| p.contains("\"email\" is not in the schema")), "{extra:?}");
    let not_nullable = spoil("/total", Some(Value::Null));
    assert!(not_nullable.iter().any(|p| p.contains("not nullable")), "{not_nullable:?}");
    let not_listed = spoil("/data/0/author_role", Some(json!("owner")));
    assert!(not_listed.iter().any(|p| p.contains("is not one of")), "{not_listed:?}");
}

/// Every file of the open-data zip, by name.
pub fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    unzip_dated(bytes).into_iter().map(|(name, text, _)| (name, text)).collect()
}

/// Every file of a zip, by name, with the day it is dated.
pub fn unzip_dated(bytes: &[u8]) -> Vec<(String, String, Option<(u16, u8, u8)>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            let day = file.last_modified().map(|t| (t.year(), t.month(), t.day()));
            (file.name().unwrap().to_string(), text, day)
        })
        .collect()
}

/// The rows of a CSV file as maps from its header.
pub fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| header.iter().map(str::to_owned).zip(r.unwrap().iter().map(str::to_owned)).collect())
        .collect()
}

async fn nothing_personal_is_published(backend: Backend) {
    let OpenData { app, .. } = open_data_app(backend, Settings::default()).await;
    let mut published = String::new();
    for uri in [
        "/api/v1/consultations",
        "/api/v1/consultations/parks",
        "/api/v1/consultations/parks/discussions",
        "/api/v1/consultations/parks/discussions/what-would-help/comments?per_page=200",
        "/api/v1/consultations/old",
        "/api/v1/consultations/old/survey/results",
        "/api/v1/consultations/old/results",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        published.push_str(&page.html);
    }
    for slug in ["parks", "old"] {
        // Read through the zip: deflated text would not show what it holds.
        let bytes = zip_bytes(&app, &format!("/consultations/{slug}/open-data.zip")).await;
        for (_, text) in unzip(&bytes) {
            published.push_str(&text);
        }
    }
    assert!(published.contains("Brighter paths by the pond"), "the visible comment is published");
    assert!(published.contains("Brighter paths by the pond\""), "the approved quote is published");
    for secret in [HIDDEN_TEXT, HELD_TEXT, DELETED_TEXT, UNAPPROVED_QUOTE, "SECRET-", "@"] {
        assert!(!published.contains(secret), "{secret:?} was published");
    }
    for email in EMAILS {
        assert!(!published.contains(email));
    }
}

#[tokio::test]
async fn no_personal_data_in_the_api_or_open_data_on_sqlite() {
    nothing_personal_is_published(Backend::Sqlite).await;
}

#[tokio::test]
async fn no_personal_data_in_the_api_or_open_data_on_postgres() {
    nothing_personal_is_published(Backend::Postgres).await;
}

/// The bytes of a download.
pub async fn zip_bytes(app: &TestApp, uri: &str) -> Vec<u8> {
    let page = app.get(uri).await;
    assert_eq!(page.status, StatusCode::OK, "{uri}");
    page.bytes
}

#[tokio::test]
async fn the_open_data_zip_holds_each_published_list_as_csv() {
    let OpenData { app, visible, reply, .. } = open_data_app(Backend::Sqlite, Settings::default()).await;
    let page = app.browser("203.0.113.9").get("/consultations/parks/open-data.zip").await;
    assert_eq!(page.headers["content-type"], "application/zip");
    assert_eq!(page.headers["content-disposition"], "attachment; filename=\"parks-open-data.zip\"");
    let bytes = zip_bytes(&app, "/consultations/parks/open-data.zip").await;
    assert!(unzip_dated(&bytes).iter().all(|(_, _, day)| *day == Some((2025, 3, 1))), "dated today");
    let files = unzip(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // The open consultation's results are not published: no survey results, no themes.
    assert_eq!(names, ["consultation.csv", "discussions.csv", "comments.csv"]);
    let consultation = csv_rows(&files[0].1);
    assert_eq!(consultation.len(), 1);
    assert_eq!(consultation[0]["slug"], "parks");
    assert_eq!(csv_rows(&files[1].1)[0]["comment_count"], "2");
    let comments = csv_rows(&files[2].1);
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["id"], visible.to_string());
    assert_eq!(
        comments[0]["text"], "Brighter paths by the pond, please.\nAnd benches.",
        "a line break survives"
    );
    assert_eq!(comments[1]["reply_to"], visible.to_string());
    assert_eq!(comments[1]["id"], reply.to_string());
    let files = unzip(&zip_bytes(&app, "/consultations/old/open-data.zip").await);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "consultation.csv",
            "discussions.csv",
            "comments.csv",
            "survey_results.csv",
            "themes.csv",
            "quotes.csv"
        ]
    );
    let rows = csv_rows(&files[3].1);
    assert_eq!(rows.len(), 4, "Yes, No, and the two ranked options: {rows:?}");
    assert_eq!((rows[0]["option"].as_str(), rows[0]["count"].as_str()), ("Yes", "1"));
    assert_eq!((rows[2]["option"].as_str(), rows[2]["average_rank"].as_str()), ("Lights", "1.50"));

    let themes = csv_rows(&files[4].1);
    let labels: Vec<(&str, &str, &str)> =
        themes.iter().map(|t| (t["theme"].as_str(), t["count"].as_str(), t["outcome"].as_str())).collect();
    assert_eq!(labels, [("Lighting", "1", "changed"), ("Seating", "2", "undecided")]);
    let quotes = csv_rows(&files[5].1);
    assert_eq!(quotes.len(), 1, "approved quotes only");
    assert_eq!(
        (quotes[0]["theme"].as_str(), quotes[0]["text"].as_str()),
        ("Lighting", "Brighter paths by the pond")
    );

    // Drafts have no open data.
    assert_eq!(app.get("/consultations/nowhere/open-data.zip").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_pages_through_a_long_list_and_names_a_bad_parameter() {
    let OpenData { app, discussion_id, .. } = open_data_app(Backend::Sqlite, Settings::default()).await;
    let author = app.account(Role::Resident, "Pat", "pat@example.org").await;
    for n in 0..3 {
        let new = NewComment {
            discussion_id,
            parent_id: None,
            author_id: author,
            body: format!("Comment number {n}"),
            posted_at: app.state.now(),
            source: CommentSource::Web,
            flags: Vec::new(),
        };
        app.store.add_comment(&new).await.unwrap();
    }
    let base = "/api/v1/consultations/parks/discussions/what-would-help/comments";
    let json = |html: &str| serde_json::from_str::<Value>(html).unwrap();
    let first = json(&app.get(&format!("{base}?per_page=2")).await.html);
    assert_eq!(
        (first["total"].as_i64(), first["page"].as_i64(), first["per_page"].as_i64()),
        (Some(5), Some(1), Some(2))
    );
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["next"], format!("{base}?page=2&per_page=2"));
    let second = json(&app.get(first["next"].as_str().unwrap()).await.html);
    assert_eq!(second["next"], format!("{base}?page=3&per_page=2"));
    let last = json(&app.get(second["next"].as_str().unwrap()).await.html);
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert_eq!(last["data"][0]["text"], "Comment number 2");
    assert_eq!(last["next"], Value::Null, "the last page has no next");
    let beyond = json(&app.get(&format!("{base}?page=9&per_page=2")).await.html);
    assert_eq!((beyond["data"].as_array().unwrap().len(), beyond["total"].as_i64()), (0, Some(5)));
    let everything = json(&app.get(base).await.html);
    assert_eq!((everything["per_page"].as_i64(), everything["next"].clone()), (Some(50), Value::Null));

    for (query, parameter) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("per_page=1.5", "per_page"),
    ] {
        let page = app.get(&format!("{base}?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(page.headers["content-type"], "application/json");
        let error = json(&page.html)["error"].as_str().unwrap().to_owned();
        assert!(error.starts_with(&format!("{parameter} must be")), "{query}: {error}");
    }
    // The consultations and discussions lists page the same way.
    let consultations = json(&app.get("/api/v1/consultations?per_page=1&page=3").await.html);
    assert_eq!(
        (consultations["data"][0]["slug"].as_str(), consultations["next"].clone()),
        (Some("soon"), Value::Null)
    );
    assert_eq!(
        app.get("/api/v1/consultations/parks/discussions?per_page=500").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn api_refuses_an_address_over_its_limit_with_retry_after() {
    let mut settings = Settings::default();
    settings.limits.api_requests_per_address = Rate::per_minute(3);
    let OpenData { app, .. } = open_data_app(Backend::Sqlite, settings).await;
    let crawler = app.browser("192.0.2.50");
    for _ in 0..3 {
        assert_eq!(crawler.get("/api/v1/consultations").await.status, StatusCode::OK);
    }
    let refused = crawler.get("/api/v1/consultations/parks").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let error: Value = serde_json::from_str(&refused.html).unwrap();
    assert!(error["error"].as_str().unwrap().contains("Too many requests"), "{error}");
    let api = document(&app).await;
    assert!(api.problems("/api/v1/consultations/{slug}", 429, &error).is_empty());
    // The open-data zip counts against the same limit.
    assert_eq!(crawler.get("/consultations/parks/open-data.zip").await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not held back, and the pages for people are not limited.
    assert_eq!(app.browser("192.0.2.51").get("/api/v1/consultations").await.status, StatusCode::OK);
    assert_eq!(crawler.get("/consultations/parks").await.status, StatusCode::OK);
    // A minute on, the address may ask again.
    app.state.advance_clock(61);
    assert_eq!(crawler.get("/api/v1/consultations").await.status, StatusCode::OK);
}

#[tokio::test]
async fn api_does_not_find_a_draft_or_unpublished_survey_results() {
    let OpenData { app, .. } = open_data_app(Backend::Sqlite, Settings::default()).await;
    let (host, _) = app.signed_in(Role::Host, "Hana").await;
    let page = host
        .submit(
            "/admin/consultations/new",
            "/admin/consultations/new",
            &[
                ("slug", "secret-plan"),
                ("title", "A secret plan"),
                ("summary", "Not yet."),
                ("organisation", "City Hall"),
                ("respondent_noun", "Londoners"),
                ("opens_on", "2025-05-01"),
                ("closes_on", "2025-06-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(app.get("/api/v1/consultations/secret-plan").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/consultations/secret-plan/discussions").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/consultations/secret-plan/open-data.zip").await.status, StatusCode::NOT_FOUND);
    app.get("/api/v1/consultations").await.lacks("secret-plan");
    // A survey's results wait for the consultation's results.
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let settings =
        SurveySettings { title: "Parks survey".into(), intro: String::new(), allow_anonymous: true };
    app.store.create_survey(parks, &settings).await.unwrap();
    let early = app.get("/api/v1/consultations/parks/survey/results").await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    early.shows("not published yet");
}

#[tokio::test]
async fn consultation_page_links_its_open_data_and_the_api() {
    let OpenData { app, .. } = open_data_app(Backend::Sqlite, Settings::default()).await;
    app.get("/consultations/parks")
        .await
        .shows(r#"<a href="/consultations/parks/open-data.zip" download>download the open data</a>"#)
        .shows(r#"<a href="/api/v1/consultations/parks">JSON API</a>"#);
}

/// Regression: once a consultation's results were published, the API still gave "results_expected".
#[tokio::test]
async fn api_stops_saying_results_are_expected_once_they_are_published() {
    let app = crate::TestApp::new(Backend::Sqlite, "2025-03-01").await;
    let mut old = crate::new_consultation("old", "2024-01-01", "2024-02-01");
    old.results_expected = Some("March 2024".into());
    let id = app.store.create_consultation(&old).await.unwrap();
    let answer = |page: crate::Page| serde_json::from_str::<serde_json::Value>(&page.html).unwrap();
    let before = answer(app.get("/api/v1/consultations/old").await);
    assert_eq!(before["results_expected"], "March 2024");
    let admin = app.account(Role::Admin, "Ada", "ada@example.org").await;
    assert!(app.store.publish_results(id, admin, app.state.now()).await.unwrap());
    let after = answer(app.get("/api/v1/consultations/old").await);
    assert_eq!(after["results_expected"], serde_json::Value::Null, "{after}");
}
