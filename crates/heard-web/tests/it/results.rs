//! "What we heard": hidden until staff publish the results, then the published run's themes with
//! only approved quotes, what we did, and the figures as CSV that add up.

use axum::http::StatusCode;
use heard_store::*;

use crate::{TestApp, discussions_app};

const RESULTS: &str = "/consultations/old/results";

fn letter(consultation_id: i64, channel: ResponseChannel, borough: &str, text: &str) -> NewResponse {
    NewResponse {
        consultation_id,
        channel,
        source: ResponseSource::Staff,
        received_on: Date::parse_iso("2024-01-20").unwrap(),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: borough.into(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: None,
    }
}

fn text(line: &str, body: &str, position: Stance) -> RunText {
    RunText {
        line: line.into(),
        response_key: line.into(),
        channel: ResponseChannel::Post,
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: "Camden".into(),
        question: String::new(),
        text: body.into(),
        position,
        evidence_rich: false,
        campaign: None,
    }
}

/// The closed "old" consultation with four letters and a finished run of two themes.
pub(crate) async fn analysed(backend: Backend) -> (TestApp, i64, i64, i64) {
    let app = discussions_app(backend).await;
    let old = app.store.consultation_by_slug("old").await.unwrap().unwrap().summary.id;
    app.store
        .record_responses(&[
            letter(old, ResponseChannel::Post, "Camden", "Open the gates later."),
            letter(old, ResponseChannel::Post, "Camden", "Clean the toilets."),
            letter(old, ResponseChannel::Email, "Hackney", "Later opening in summer."),
            letter(old, ResponseChannel::Email, "", "Toilets are dirty."),
        ])
        .await
        .unwrap();
    let analyst = app.account(Role::Host, "Ana", "ana@example.org").await;
    let new = NewRun {
        consultation_id: old,
        scope: RunScope::All,
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    let run = app.store.create_run(&new, analyst, app.state.now()).await.unwrap();
    let results = RunResults {
        model: "lexical mode, no model".into(),
        notes: vec![],
        texts: vec![
            text("r1", "Open the gates later.", Stance::Agree),
            text("r2", "Clean the toilets.", Stance::Agree),
            text("r3", "Later opening in summer.", Stance::Disagree),
            text("r4", "Toilets are dirty.", Stance::Unclear),
        ],
        themes: vec![
            NewRunTheme {
                kind: RunThemeKind::Discovered,
                label: "Opening hours".into(),
                description: "Keep the park open later".into(),
                keywords: vec![],
                texts: vec![0, 2],
                quotes: vec![(0, "Open the gates later.".into()), (2, "Later opening in summer.".into())],
            },
            NewRunTheme {
                kind: RunThemeKind::Discovered,
                label: "Toilets".into(),
                description: "Clean public toilets".into(),
                keywords: vec![],
                texts: vec![1, 3],
                quotes: vec![(1, "Clean the toilets.".into())],
            },
        ],
        campaigns: vec![],
    };
    app.store.save_run_results(run, &results, app.state.now()).await.unwrap();
    (app, old, run, analyst)
}

async fn hidden_until_published_then_only_what_staff_approved(backend: Backend) {
    let (app, old, run, analyst) = analysed(backend).await;
    let public = app.browser("203.0.113.9");
    assert_eq!(public.get(RESULTS).await.status, StatusCode::NOT_FOUND);
    public.get("/consultations/old").await.lacks("What we heard");
    let (host, _) = app.signed_in(Role::Host, "Hannah").await;
    host.get(RESULTS).await.shows("Preview").lacks("Opening hours");
    host.get("/consultations/old").await.shows("Preview “What we heard”");

    let themes = app.store.run_themes(run).await.unwrap();
    let now = app.state.now();
    app.store.set_quote_approved(themes[0].quotes[0].id, true, analyst, now).await.unwrap();
    app.store
        .set_we_did(themes[0].id, PlanChange::Changed, "Gates now close at 10pm in summer.", analyst, now)
        .await
        .unwrap();
    app.store.publish_run(run, RunPublication::AllThemes, analyst, now).await.unwrap();
    assert!(app.store.publish_results(old, analyst, now).await.unwrap());

    let page = public.get(RESULTS).await;
    assert_eq!(page.status, StatusCode::OK);
    page.lacks("Preview")
        .shows("What we heard")
        .shows("4 Londoners responded, in 4 responses")
        .shows("Opening hours")
        .shows("2 responses · 50% of responses")
        .shows("Of these, 50% agreed with the proposal, 50% disagreed")
        .shows("Open the gates later.")
        .lacks("Later opening in summer.")
        .shows("You said, we did")
        .shows("Gates now close at 10pm in summer.")
        .shows("lexical mode, no model")
        .shows("Staff checked 0 of the 2 themes");
    // Every chart has its table: the figures are there as text.
    assert_eq!(page.count("<figure class=\"chart\""), page.count("<table class=\"results-table\""));
    let consultation = public.get("/consultations/old").await;
    consultation.shows("Results published").shows(r#"href="/consultations/old/results""#);

    // Merging the themes on the back office changes the public figures at once.
    app.store.merge_themes(themes[0].id, &[themes[1].id], analyst, now).await.unwrap();
    public.get(RESULTS).await.shows("4 responses · 100% of responses").lacks(">Toilets<");
}

async fn the_figures_download_adds_up(backend: Backend) {
    let (app, old, run, analyst) = analysed(backend).await;
    let now = app.state.now();
    app.store.publish_run(run, RunPublication::AllThemes, analyst, now).await.unwrap();
    app.store.publish_results(old, analyst, now).await.unwrap();
    let page = app.browser("203.0.113.9").get("/consultations/old/results/figures.csv").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers["content-disposition"].to_str().unwrap().contains("old-what-we-heard.csv"));
    let mut reader = csv::Reader::from_reader(page.html.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let sum = |table: &str| -> i64 {
        rows.iter().filter(|r| &r[0] == table).map(|r| r[2].parse::<i64>().unwrap()).sum()
    };
    assert_eq!(sum("responses by channel"), 4);
    assert_eq!(sum("responses by borough"), 4);
    let not_known = rows.iter().find(|r| &r[0] == "responses by borough" && &r[1] == "Not known").unwrap();
    assert_eq!(&not_known[2], "1");
    let hours = rows.iter().find(|r| r[0].starts_with("themes:") && &r[1] == "Opening hours").unwrap();
    assert_eq!((&hours[2], &hours[3], &hours[5], &hours[6]), ("2", "4", "1", "1"));
}

#[tokio::test]
async fn results_hidden_until_published_on_sqlite() {
    hidden_until_published_then_only_what_staff_approved(Backend::Sqlite).await;
}

#[tokio::test]
async fn results_hidden_until_published_on_postgres() {
    hidden_until_published_then_only_what_staff_approved(Backend::Postgres).await;
}

#[tokio::test]
async fn the_results_figures_add_up_on_sqlite() {
    the_figures_download_adds_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_results_figures_add_up_on_postgres() {
    the_figures_download_adds_up(Backend::Postgres).await;
}
