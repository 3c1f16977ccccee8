//! Analysis runs on the register: what is read, what is left out and said so, and what is saved.

use heard_store::*;

use crate::discussions_app;

fn letter(consultation_id: i64, text: &str, kind: RespondentType) -> NewResponse {
    NewResponse {
        consultation_id,
        channel: ResponseChannel::Post,
        source: ResponseSource::Staff,
        received_on: Date::parse_iso("2025-02-20").unwrap(),
        respondent_type: kind,
        organisation: if kind == RespondentType::Organisation {
            "Friends of the Park".into()
        } else {
            String::new()
        },
        borough: "Camden".into(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: None,
    }
}

const LETTERS: &[&str] = &[
    "Please keep the park gates open later in summer evenings.",
    "The toilets by the playground are always locked and dirty.",
    "Open the gates until ten at night in summer, please.",
    "Clean toilets would make a big difference for families.",
    "More bins near the pond; litter is everywhere at weekends.",
    "Litter after sunny weekends is terrible, we need more bins.",
    "The playground needs new swings, two are broken.",
    "Fix the broken swings in the playground.",
];

async fn queued_run(
    backend: Backend,
    method: RunMethod,
    framework: &str,
    mode: &str,
) -> (crate::TestApp, i64, i64) {
    let app = discussions_app(backend).await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let mut letters: Vec<NewResponse> =
        LETTERS.iter().map(|t| letter(parks, t, RespondentType::Individual)).collect();
    letters.push(letter(
        parks,
        "We maintain the pond and ask for more bins there.",
        RespondentType::Organisation,
    ));
    letters.push(letter(parks, "   ", RespondentType::Individual));
    app.store.record_responses(&letters).await.unwrap();
    let analyst = app.store.create_user("Ana", Role::Host, false).await.unwrap();
    let new = NewRun {
        consultation_id: parks,
        scope: RunScope::All,
        method,
        framework: framework.into(),
        themes_wanted: None,
        mode: mode.into(),
    };
    let run = app.store.create_run(&new, analyst, Timestamp(1_740_000_000)).await.unwrap();
    (app, parks, run)
}

async fn a_discovery_run_reads_the_register_and_saves_themes(backend: Backend) {
    let (app, _, run) = queued_run(backend, RunMethod::Discover, "", "lexical").await;
    heard_web::analyst::execute(&app.store, run, None).await.unwrap();
    let saved = app.store.analysis_run(run).await.unwrap().unwrap();
    assert_eq!(saved.status, RunStatus::Finished, "{}", saved.error);
    assert_eq!(saved.responses, 9, "the empty letter is not read");
    assert!(saved.model.starts_with("lexical mode"), "{}", saved.model);
    assert!(saved.notes.iter().any(|n| n.starts_with("1 responses had no text")), "{:?}", saved.notes);
    let themes = app.store.run_themes(run).await.unwrap();
    assert!(themes.len() >= 2, "{themes:?}");
    // Every text read is in at least one theme (a theme, or the other bucket).
    let texts = app.store.run_texts(run).await.unwrap();
    assert_eq!(texts.len(), 9);
    assert!(texts.iter().all(|t| !t.themes.is_empty()), "{texts:?}");
    assert_eq!(app.store.organisation_texts(run).await.unwrap()[0].organisation, "Friends of the Park");
}

#[tokio::test]
async fn a_discovery_run_saves_themes_on_sqlite() {
    a_discovery_run_reads_the_register_and_saves_themes(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_discovery_run_saves_themes_on_postgres() {
    a_discovery_run_reads_the_register_and_saves_themes(Backend::Postgres).await;
}

/// With the real model (installed by scripts/test), responses go to the analyst's themes.
#[tokio::test]
async fn a_framework_run_maps_letters_to_the_analysts_themes_with_the_model() {
    let framework = "Opening hours: when the park gates open and close\n\
                     Toilets: public toilets, cleanliness\n\
                     Litter and bins: rubbish, bins, litter\n\
                     Playground: swings and play equipment";
    let (app, _, run) = queued_run(Backend::Sqlite, RunMethod::Framework, framework, "accurate").await;
    let model_dir = std::env::var_os("HEARD_MODEL_DIR").map(std::path::PathBuf::from);
    heard_web::analyst::execute(&app.store, run, model_dir.as_deref()).await.unwrap();
    let saved = app.store.analysis_run(run).await.unwrap().unwrap();
    assert!(
        saved.model.contains("MiniLM"),
        "scripts/test installs the model: {} {:?}",
        saved.model,
        saved.notes
    );
    let themes = app.store.run_themes(run).await.unwrap();
    let count = |label: &str| themes.iter().find(|t| t.label == label).map_or(0, |t| t.count);
    for label in ["Opening hours", "Toilets", "Litter and bins", "Playground"] {
        assert!(count(label) >= 2, "{label}: {themes:#?}");
    }
    let texts = app.store.run_texts(run).await.unwrap();
    let bins = texts.iter().find(|t| t.text.starts_with("More bins")).unwrap();
    assert!(bins.themes.contains(&"Litter and bins".to_string()), "{bins:?}");
}

#[tokio::test]
async fn a_run_with_nothing_to_read_fails_with_a_reason() {
    let app = discussions_app(Backend::Sqlite).await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let analyst = app.store.create_user("Ana", Role::Host, false).await.unwrap();
    let new = NewRun {
        consultation_id: parks,
        scope: RunScope::Channel(ResponseChannel::Email),
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    let run = app.store.create_run(&new, analyst, Timestamp(1_740_000_000)).await.unwrap();
    let error = heard_web::analyst::execute(&app.store, run, None).await.unwrap_err();
    assert!(error.contains("no responses with text in email responses"), "{error}");
}
