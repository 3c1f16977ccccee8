//! Analysis in the back office, through its pages: a run started from the form and followed to its
//! end, themes merged and split with their counts checked, quotes offered (redacted), approved and
//! withdrawn, and every change in the staff log.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use heard_store::*;

use crate::{Browser, Page, TestApp, discussions_app};

const ANALYSIS: &str = "/admin/consultations/parks/analysis";

const LETTERS: &[&str] = &[
    "Please keep the park gates open later in summer evenings.",
    "Open the gates until ten at night in summer, please.",
    "The gates close far too early, keep them open in the evenings.",
    "The toilets by the playground are always locked and dirty.",
    "Clean toilets would make a big difference for families.",
    "Dirty toilets again, please clean the toilets more often.",
    "More bins near the pond; litter is everywhere at weekends.",
    "Litter after sunny weekends is terrible, we need more bins.",
    "Empty the bins more often, litter blows all over the grass.",
    "The playground needs new swings, two are broken.",
    "Fix the broken swings in the playground.",
    "Broken swings and a broken slide in the playground, fix them.",
    "The playground swings are broken; call me on 020 7946 0123 or write to jo.bloggs@example.org.",
];

/// The parks consultation with letters about gates, toilets, bins and swings, and a host.
async fn parks_with_letters(backend: Backend) -> (TestApp, Browser, i64) {
    let app = discussions_app(backend).await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let letters: Vec<NewResponse> = LETTERS
        .iter()
        .enumerate()
        .map(|(i, text)| NewResponse {
            consultation_id: parks,
            channel: ResponseChannel::Post,
            source: ResponseSource::Staff,
            received_on: Date::parse_iso("2025-02-20").unwrap(),
            respondent_type: if i == 6 { RespondentType::Organisation } else { RespondentType::Individual },
            organisation: if i == 6 { "Friends of the Pond".into() } else { String::new() },
            borough: "Camden".into(),
            user_id: None,
            email: None,
            entered_by: None,
            texts: vec![ResponseText { question: String::new(), text: (*text).into() }],
            attachment: None,
        })
        .collect();
    app.store.record_responses(&letters).await.unwrap();
    let (host, _) = app.signed_in(Role::Host, "Hana Host").await;
    (app, host, parks)
}

/// Waits for a run started in the background to end, failing the test after 60 seconds.
async fn finished(app: &TestApp, run: i64) -> AnalysisRun {
    let started = Instant::now();
    loop {
        let r = app.store.analysis_run(run).await.unwrap().unwrap();
        if r.status.is_over() {
            assert_eq!(r.status, RunStatus::Finished, "the run failed: {}", r.error);
            return r;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "run {run} still {:?} after 60 s", r.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts a run through the form; its id.
async fn start_run(host: &Browser, fields: &[(&str, &str)]) -> i64 {
    let page = host.submit(&format!("{ANALYSIS}/new"), &format!("{ANALYSIS}/new"), fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let location = page.location();
    assert!(location.starts_with(&format!("{ANALYSIS}/runs/")), "{location}");
    location.rsplit('/').next().unwrap().parse().unwrap()
}

fn theme_href(run: i64, theme: i64) -> String {
    format!("{ANALYSIS}/runs/{run}/themes/{theme}")
}

/// The ids of a theme's texts.
async fn texts_of(app: &TestApp, theme: i64) -> BTreeSet<i64> {
    app.store.theme_texts(theme, 1, 10_000).await.unwrap().0.into_iter().map(|t| t.id).collect()
}

/// The count the run page shows for the theme linked at `href`.
#[track_caller]
fn shown_count(page: &Page, href: &str) -> i64 {
    let at =
        page.html.find(&format!("href=\"{href}\"")).unwrap_or_else(|| panic!("no {href} in:\n{}", page.html));
    let rest = &page.html[at..];
    let cell = &rest[rest.find("<td class=\"number\">").unwrap() + "<td class=\"number\">".len()..];
    cell[..cell.find('<').unwrap()].replace(',', "").parse().unwrap()
}

async fn a_host_starts_a_run_and_reviews_its_themes(backend: Backend) {
    let (app, host, parks) = parks_with_letters(backend).await;
    let new = format!("{ANALYSIS}/new");

    // The form suggests nothing odd, and a wrong choice comes back with what was typed.
    host.get(&new).await.shows("Discover the themes").shows("Use a framework");
    let page = host
        .submit(
            &new,
            &new,
            &[("scope", "channel:post"), ("method", "discover"), ("themes", "0"), ("mode", "lexical")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Enter a number of themes from 1 to 50")
        .shows(r#"value="0""#)
        .shows(r#"<option value="channel:post" selected>"#)
        .shows(r#"value="lexical" checked"#)
        .shows(r#"aria-describedby="themes-hint themes-error""#);
    let page = host
        .submit(
            &new,
            &new,
            &[
                ("scope", "all"),
                ("method", "framework"),
                ("framework", "Other: anything else"),
                ("mode", "fast"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("The framework cannot be read")
        .shows(">Other: anything else</textarea>")
        .shows(r#"value="fast" checked"#);
    let page = host
        .submit(
            &new,
            &new,
            &[("scope", "all"), ("method", "framework"), ("framework", "  "), ("mode", "fast")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Enter the framework").shows("one “Label: description” a line");
    assert!(app.store.analysis_runs(parks).await.unwrap().is_empty(), "nothing was started");

    // A lexical run to its end; its page shows progress until then, its themes after.
    let run =
        start_run(&host, &[("scope", "all"), ("method", "discover"), ("themes", "4"), ("mode", "lexical")])
            .await;
    let saved = finished(&app, run).await;
    assert_eq!(saved.responses, LETTERS.len() as i64);
    let run_page = host.get(&format!("{ANALYSIS}/runs/{run}")).await;
    assert_eq!(run_page.status, StatusCode::OK);
    run_page
        .shows("lexical mode, no model")
        .shows("Friends of the Pond")
        .shows("Publish in the results")
        .lacks("http-equiv=\"refresh\"");
    host.get(ANALYSIS).await.shows(&format!("Run {run}</a>")).shows("Discover themes, lexical mode asked");
    let themes = app.store.run_themes(run).await.unwrap();
    assert!(themes.len() >= 3, "{themes:#?}");
    for t in &themes {
        assert_eq!(shown_count(&run_page, &theme_href(run, t.id)), t.count, "{}", t.label);
    }

    // Merge: the two largest themes, and the merged one counts each response once.
    let mut by_size = themes.clone();
    by_size.sort_by_key(|t| -t.count);
    let (into, from) = (by_size[0].id, by_size[1].id);
    let union: BTreeSet<i64> =
        texts_of(&app, into).await.union(&texts_of(&app, from).await).copied().collect();
    let into_page = theme_href(run, into);
    let page = host.submit(&into_page, &format!("{into_page}/merge"), &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Choose at least one other theme");
    let page = host.submit(&into_page, &format!("{into_page}/merge"), &[("theme", &from.to_string())]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    host.get(page.location()).await.shows("The themes were merged into this one");
    let run_page = host.get(&format!("{ANALYSIS}/runs/{run}")).await;
    assert_eq!(shown_count(&run_page, &into_page), union.len() as i64);
    run_page.lacks(&format!("href=\"{}\"", theme_href(run, from)));
    assert_eq!(
        host.get(&theme_href(run, from)).await.status,
        StatusCode::NOT_FOUND,
        "a merged theme is gone"
    );

    // Split: nothing chosen and no name come back with what was typed; then two responses move out.
    let page = host
        .submit(
            &into_page,
            &format!("{into_page}/split"),
            &[("label", ""), ("description", "Kept as typed"), ("page", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Choose the responses to move")
        .shows("Enter a name for the new theme")
        .shows(">Kept as typed</textarea>");
    let moved: Vec<String> = union.iter().take(2).map(i64::to_string).collect();
    let fields = [
        ("label", "Evening opening"),
        ("description", "Split out by the analyst"),
        ("page", "1"),
        ("text", moved[0].as_str()),
        ("text", moved[1].as_str()),
    ];
    let page = host.submit(&into_page, &format!("{into_page}/split"), &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let themes = app.store.run_themes(run).await.unwrap();
    let split = themes.iter().find(|t| t.label == "Evening opening").expect("the new theme");
    host.get(page.location()).await.shows("The responses were moved into the new theme.").shows(&format!(
        r#"<a href="{}">Open the new theme &ldquo;Evening opening&rdquo;</a>"#,
        theme_href(run, split.id)
    ));
    let run_page = host.get(&format!("{ANALYSIS}/runs/{run}")).await;
    assert_eq!(shown_count(&run_page, &into_page), union.len() as i64 - 2);
    assert_eq!(shown_count(&run_page, &theme_href(run, split.id)), 2);

    // Rename: an empty name comes back; a name is saved. Then marked reviewed.
    let page = host
        .submit(
            &into_page,
            &format!("{into_page}/rename"),
            &[("label", " "), ("description", "A new description")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Enter a name for the theme").shows(">A new description</textarea>");
    // The name of another theme of the run is refused, with what was typed kept.
    let page = host
        .submit(
            &into_page,
            &format!("{into_page}/rename"),
            &[("label", &split.label.to_uppercase()), ("description", "A new description")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows(&format!("Another theme of this run is already called “{}”", split.label))
        .shows(&format!(r#"value="{}""#, split.label.to_uppercase()))
        .shows(">A new description</textarea>");
    let page = host
        .submit(
            &into_page,
            &format!("{into_page}/rename"),
            &[("label", "Parks upkeep"), ("description", "A new description")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    host.get(page.location())
        .await
        .shows("<h1>Theme: Parks upkeep</h1>")
        .shows("The name and description were saved");
    let page = host.submit(&into_page, &format!("{into_page}/reviewed"), &[("reviewed", "yes")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(app.store.run_themes(run).await.unwrap().iter().find(|t| t.id == into).unwrap().reviewed);
    host.get(&format!("{ANALYSIS}/runs/{run}")).await.shows("✓</span> Reviewed");

    // You said, we did: an outcome needs its text.
    let page = host
        .submit(&into_page, &format!("{into_page}/we-did"), &[("outcome", "changed"), ("we_did", "")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Say what changed and why").shows(r#"<option value="changed" selected>"#);
    let page = host
        .submit(
            &into_page,
            &format!("{into_page}/we-did"),
            &[("outcome", "changed"), ("we_did", "Gates open until 9pm.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    host.get(&format!("{ANALYSIS}/runs/{run}")).await.shows("We changed the plan");

    // Publish, and take out again.
    let publish = format!("{ANALYSIS}/runs/{run}/publish");
    let page = host.submit(&format!("{ANALYSIS}/runs/{run}"), &publish, &[("published", "yes")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(app.store.analysis_run(run).await.unwrap().unwrap().published_at.is_some());
    host.get(page.location()).await.shows("Take out of the results");
    let page = host.submit(&format!("{ANALYSIS}/runs/{run}"), &publish, &[("published", "no")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(app.store.analysis_run(run).await.unwrap().unwrap().published_at.is_none());

    // Every change is in the staff log on the hub.
    let hub = host.get("/admin/consultations/parks").await;
    hub.shows("Started an analysis")
        .shows(&format!("run {run}: merged"))
        .shows("moved 2 responses")
        .shows("renamed &#34;Parks upkeep&#34;")
        .shows("marked reviewed")
        .shows("wrote what we did")
        .shows("Put an analysis in the published results")
        .shows("Took an analysis out of the published results")
        .shows(r#"href="/admin/consultations/parks/analysis""#);

    // A second run, compared with the first: each theme finds its closest.
    let second = start_run(
        &host,
        &[("scope", "channel:post"), ("method", "discover"), ("themes", ""), ("mode", "lexical")],
    )
    .await;
    finished(&app, second).await;
    let compare = host.get(&format!("{ANALYSIS}/compare?a={run}&b={second}")).await;
    assert_eq!(compare.status, StatusCode::OK);
    compare
        .shows("Closest themes")
        .shows("Parks upkeep")
        .shows(&format!("Texts both runs read: {}", LETTERS.len()));
}

#[tokio::test]
async fn a_host_starts_a_run_and_reviews_its_themes_on_sqlite() {
    a_host_starts_a_run_and_reviews_its_themes(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_host_starts_a_run_and_reviews_its_themes_on_postgres() {
    a_host_starts_a_run_and_reviews_its_themes(Backend::Postgres).await;
}

async fn a_quote_is_redacted_approved_and_withdrawn(backend: Backend) {
    let (app, host, parks) = parks_with_letters(backend).await;
    // A run saved as the engine would, with no quote offered yet, so that the quote is the host's.
    let analyst = app.store.create_user("Ana", Role::Host, false).await.unwrap();
    let new = NewRun {
        consultation_id: parks,
        scope: RunScope::All,
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    let run = app.store.create_run(&new, analyst, app.state.now()).await.unwrap();
    let texts: Vec<RunText> = LETTERS
        .iter()
        .enumerate()
        .map(|(i, text)| RunText {
            line: format!("r{}", i + 1),
            response_key: format!("r{}", i + 1),
            channel: ResponseChannel::Post,
            respondent_type: RespondentType::Individual,
            organisation: String::new(),
            borough: "Camden".into(),
            question: String::new(),
            text: (*text).into(),
            position: Stance::Unclear,
            evidence_rich: false,
            campaign: None,
        })
        .collect();
    let theme = NewRunTheme {
        kind: RunThemeKind::Discovered,
        label: "The park".into(),
        description: String::new(),
        keywords: vec![],
        texts: (0..texts.len()).collect(),
        quotes: vec![],
    };
    let results = RunResults {
        model: "lexical mode, no model".into(),
        notes: vec![],
        texts,
        themes: vec![theme],
        campaigns: vec![],
    };
    app.store.save_run_results(run, &results, app.state.now()).await.unwrap();
    let theme = app.store.run_themes(run).await.unwrap()[0].id;
    let texts = app.store.run_texts(run).await.unwrap();
    let letter =
        texts.iter().find(|t| t.text.contains("020 7946 0123")).expect("the letter with a phone number");
    let href = theme_href(run, theme);
    let page = host
        .submit(&href, &format!("{href}/quotes"), &[("text", &letter.id.to_string()), ("page", "1")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let quote = app.store.run_themes(run).await.unwrap().into_iter().find(|t| t.id == theme).unwrap().quotes;
    let quote = quote.iter().find(|q| q.run_response_id == letter.id).expect("the quote").clone();
    for secret in ["020 7946 0123", "jo.bloggs@example.org"] {
        assert!(!quote.text.contains(secret), "{secret} is in the quote: {}", quote.text);
    }
    assert!(
        quote.text.contains("[email removed]") && quote.text.contains("[phone number removed]"),
        "{}",
        quote.text
    );
    assert!(!quote.approved);
    let page = host.get(&href).await;
    page.shows("[phone number removed]").shows("Offered as a quote");
    // The letter itself is still listed whole, for staff.
    page.shows("jo.bloggs@example.org");
    let approve = format!("{href}/quotes/{}", quote.id);
    assert_eq!(host.submit(&href, &approve, &[("approved", "yes")]).await.status, StatusCode::SEE_OTHER);
    let quote_id = quote.id;
    let approved = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .run_themes(run)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.id == theme)
                .unwrap()
                .quotes
                .iter()
                .any(|q| q.id == quote_id && q.approved)
        }
    };
    assert!(approved(&app).await);
    host.get(&href).await.shows("Withdraw<span");
    assert_eq!(host.submit(&href, &approve, &[("approved", "no")]).await.status, StatusCode::SEE_OTHER);
    assert!(!approved(&app).await);
    let hub = host.get("/admin/consultations/parks").await;
    hub.shows("offered a quote")
        .shows(&format!("approved quote {}", quote.id))
        .shows(&format!("withdrew quote {}", quote.id));
}

#[tokio::test]
async fn a_quote_is_redacted_approved_and_withdrawn_on_sqlite() {
    a_quote_is_redacted_approved_and_withdrawn(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_quote_is_redacted_approved_and_withdrawn_on_postgres() {
    a_quote_is_redacted_approved_and_withdrawn(Backend::Postgres).await;
}

/// A run of another consultation is not found under this one's address.
#[tokio::test]
async fn a_run_is_only_found_under_its_own_consultation() {
    let (app, host, _) = parks_with_letters(Backend::Sqlite).await;
    let run =
        start_run(&host, &[("scope", "all"), ("method", "discover"), ("themes", ""), ("mode", "lexical")])
            .await;
    finished(&app, run).await;
    assert_eq!(
        host.get(&format!("/admin/consultations/old/analysis/runs/{run}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(host.get(&format!("{ANALYSIS}/runs/{run}")).await.status, StatusCode::OK);
}

/// A discussion is a question a run can be limited to; a framework run maps its comments to the
/// analyst's themes and keeps the framework with the run.
async fn a_framework_run_of_one_discussion(backend: Backend) {
    let (app, host, _) = parks_with_letters(backend).await;
    let (resident, _) = app.signed_in(Role::Resident, "Rosa Resident").await;
    for body in [
        "Keep the gates open later in the summer evenings.",
        "The toilets by the cafe are dirty and often locked.",
        "Please open the gates earlier in the morning too.",
    ] {
        crate::post_comment(&resident, crate::OPEN, body, None).await;
    }
    let form = host.get(&format!("{ANALYSIS}/new")).await;
    form.shows(r#"<optgroup label="One question or discussion">"#)
        .shows(r#"<option value="question:Talk about parks">"#);
    let framework =
        "Opening hours: when the park gates open and close\nToilets: public toilets and how clean they are";
    let run = start_run(
        &host,
        &[
            ("scope", "question:Talk about parks"),
            ("method", "framework"),
            ("framework", framework),
            ("mode", "lexical"),
        ],
    )
    .await;
    let saved = finished(&app, run).await;
    assert_eq!(saved.responses, 3, "only the discussion's comments are read");
    assert_eq!(saved.framework, framework);
    let themes = app.store.run_themes(run).await.unwrap();
    assert!(themes.iter().any(|t| t.label == "Opening hours"), "{themes:#?}");
    assert!(themes.iter().any(|t| t.label == "Toilets"), "{themes:#?}");
    let page = host.get(&format!("{ANALYSIS}/runs/{run}")).await;
    page.shows("<h1>Run ")
        .shows("Talk about parks</h1>")
        .shows("Framework")
        .shows("Opening hours: when the park gates");
}

#[tokio::test]
async fn a_framework_run_of_one_discussion_on_sqlite() {
    a_framework_run_of_one_discussion(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_framework_run_of_one_discussion_on_postgres() {
    a_framework_run_of_one_discussion(Backend::Postgres).await;
}

/// A run's page follows it without JavaScript: it refreshes itself with a progress bar and its text
/// while the run goes, and says why when it failed.
#[tokio::test]
async fn a_running_run_shows_its_progress_and_a_failed_one_its_reason() {
    let (app, host, parks) = parks_with_letters(Backend::Sqlite).await;
    let analyst = app.store.create_user("Ana", Role::Host, false).await.unwrap();
    let new = NewRun {
        consultation_id: parks,
        scope: RunScope::Channel(ResponseChannel::Post),
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: Some(5),
        mode: "fast".into(),
    };
    // Recorded, never started: as a run looks before the background task takes it.
    let run = app.store.create_run(&new, analyst, app.state.now()).await.unwrap();
    let path = format!("{ANALYSIS}/runs/{run}");
    let refresh = r#"<meta http-equiv="refresh" content="2">"#;
    host.get(&path).await.shows(refresh).shows("Waiting to start").shows(r#"value="0">0%</progress>"#);
    host.get(ANALYSIS).await.shows(refresh).shows("Post responses");
    app.store.set_run_progress(run, "mapping responses", 45, 100).await.unwrap();
    host.get(&path)
        .await
        .shows(refresh)
        .shows(r#"<label for="run-progress">Mapping responses: 45%</label>"#)
        .shows(r#"<progress id="run-progress" max="100" value="45">45%</progress>"#)
        .shows("5 themes asked");
    app.store
        .fail_run(run, "there are no responses with text in post responses", app.state.now())
        .await
        .unwrap();
    let page = host.get(&path).await;
    page.lacks(refresh)
        .shows("The analysis failed")
        .shows("there are no responses with text in post responses");
    host.get(ANALYSIS).await.lacks(refresh).shows("Failed");
    // Only a finished run can be published; the page says so.
    let page = host.submit(&path, &format!("{path}/publish"), &[("published", "yes")]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("Only a finished run can be published.");
}

/// A mode whose model this server lacks is said to be missing on the form, and refused, instead
/// of the run falling back to lexical mode after staff chose it.
#[tokio::test]
async fn the_start_form_says_which_modes_this_server_cannot_run() {
    let (app, host, parks) = parks_with_letters(Backend::Sqlite).await;
    let new = format!("{ANALYSIS}/new");
    let form = host.get(&new).await;
    assert_eq!(form.count("Not installed on this server"), 2, "accurate and fast: {}", form.html);
    form.shows("the sentence model (all-MiniLM-L6-v2) is not installed")
        .shows("heard model install, then heard model distill")
        .shows(r#"value="lexical" checked"#)
        .lacks(r#"value="accurate" checked"#);
    let page = host
        .submit(
            &new,
            &new,
            &[("scope", "all"), ("method", "discover"), ("themes", "3"), ("mode", "accurate")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Accurate mode cannot run on this server")
        .shows(r#"value="3""#)
        .shows(r#"value="accurate" checked"#);
    assert!(app.store.analysis_runs(parks).await.unwrap().is_empty(), "nothing was started");

    // With the model installed (scripts/test installs it), accurate mode is offered first.
    let Some(dir) = std::env::var_os("HEARD_MODEL_DIR") else { return };
    let settings = heard_web::Settings { model_dir: Some(dir.into()), ..heard_web::Settings::default() };
    let app = crate::discussions_app_with(Backend::Sqlite, settings).await;
    let (host, _) = app.signed_in(Role::Host, "Hana Host").await;
    host.get(&new).await.lacks("Not installed on this server").shows(r#"value="accurate" checked"#);
}
