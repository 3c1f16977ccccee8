//! The role x action matrix: anonymous visitors, residents, hosts, moderators and administrators,
//! each trying every action, with a valid form token so that only who they are decides.

use axum::http::StatusCode;
use heard_store::*;

use crate::{Browser, OPEN, discussions_app_with, post_comment};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    /// Sent to sign in first.
    SignIn,
    Refused,
}
use Outcome::*;

#[derive(Debug, Clone, Copy)]
enum Act {
    ReadDiscussion,
    Comment,
    Reply,
    EditOwn,
    EditAnothers,
    DeleteOwn,
    DeleteAnothers,
    Agree,
    Report,
    Pin,
    ModerationQueue,
    Hide,
    ModerationComment,
    HideOne,
    ModerationLog,
    MemberPage,
    Block,
    SurveyBuilder,
    AddSurveySection,
    SurveyResults,
    Admin,
    ChangeRole,
    Account,
    DownloadData,
    ListConsultations,
    CreateConsultation,
    ConsultationHub,
    EditConsultationForm,
    EditConsultation,
    Publish,
    PublishResults,
    CloseConsultation,
    StaffEvents,
    CreateEvent,
    EditEvent,
    EventRegistrations,
    RecordEventNotes,
    ReadEvents,
    ResponseForm,
    EnterResponse,
    Register,
    ImportResponses,
    ExportResponsesCsv,
    ExportResponsesXlsx,
    AnalysisRuns,
    StartAnalysisForm,
    StartAnalysis,
    AnalysisRun,
    PublishRun,
    ThemePage,
    RenameTheme,
    MarkReviewed,
    MergeThemes,
    SplitTheme,
    OfferQuote,
    ApproveQuote,
    WeDid,
    CompareRuns,
    PublishRunForm,
    WithdrawConsultationForm,
    WithdrawConsultation,
    WithdrawResults,
}

/// What each of anonymous, resident, host, moderator, admin gets.
const MATRIX: [(Act, [Outcome; 5]); 62] = [
    (Act::ReadDiscussion, [Allowed, Allowed, Allowed, Allowed, Allowed]),
    (Act::Comment, [Refused, Allowed, Allowed, Allowed, Allowed]),
    (Act::Reply, [Refused, Allowed, Allowed, Allowed, Allowed]),
    (Act::EditOwn, [Refused, Allowed, Allowed, Allowed, Allowed]),
    // Nobody changes another person's words, whatever their role.
    (Act::EditAnothers, [Refused, Refused, Refused, Refused, Refused]),
    (Act::DeleteOwn, [SignIn, Allowed, Allowed, Allowed, Allowed]),
    (Act::DeleteAnothers, [SignIn, Refused, Refused, Refused, Refused]),
    (Act::Agree, [SignIn, Allowed, Allowed, Allowed, Allowed]),
    (Act::Report, [SignIn, Allowed, Allowed, Allowed, Allowed]),
    (Act::Pin, [SignIn, Refused, Allowed, Allowed, Allowed]),
    (Act::ModerationQueue, [SignIn, Refused, Refused, Allowed, Allowed]),
    (Act::Hide, [SignIn, Refused, Refused, Allowed, Allowed]),
    (Act::ModerationComment, [SignIn, Refused, Refused, Allowed, Allowed]),
    (Act::HideOne, [SignIn, Refused, Refused, Allowed, Allowed]),
    (Act::ModerationLog, [SignIn, Refused, Refused, Allowed, Allowed]),
    (Act::MemberPage, [SignIn, Refused, Refused, Allowed, Allowed]),
    (Act::Block, [SignIn, Refused, Refused, Allowed, Allowed]),
    // A consultation's back office (its survey) is for its staff: hosts and administrators.
    (Act::SurveyBuilder, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::AddSurveySection, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::SurveyResults, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::Admin, [SignIn, Refused, Refused, Refused, Allowed]),
    (Act::ChangeRole, [SignIn, Refused, Refused, Refused, Allowed]),
    (Act::Account, [SignIn, Allowed, Allowed, Allowed, Allowed]),
    (Act::DownloadData, [SignIn, Allowed, Allowed, Allowed, Allowed]),
    // The back office of consultations: hosts and administrators.
    (Act::ListConsultations, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::CreateConsultation, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::ConsultationHub, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::EditConsultationForm, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::EditConsultation, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::Publish, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::PublishResults, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::CloseConsultation, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::StaffEvents, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::CreateEvent, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::EditEvent, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::EventRegistrations, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::RecordEventNotes, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::ReadEvents, [Allowed, Allowed, Allowed, Allowed, Allowed]),
    // The consultation team's work: hosts and administrators, not moderators.
    (Act::ResponseForm, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::EnterResponse, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::Register, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::ImportResponses, [SignIn, Refused, Allowed, Refused, Allowed]),
    // The register's downloads hold personal data: the same staff as the register.
    (Act::ExportResponsesCsv, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::ExportResponsesXlsx, [SignIn, Refused, Allowed, Refused, Allowed]),
    // Analysis is the consultation team's work too.
    (Act::AnalysisRuns, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::StartAnalysisForm, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::StartAnalysis, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::AnalysisRun, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::PublishRun, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::ThemePage, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::RenameTheme, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::MarkReviewed, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::MergeThemes, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::SplitTheme, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::OfferQuote, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::ApproveQuote, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::WeDid, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::CompareRuns, [SignIn, Refused, Allowed, Refused, Allowed]),
    (Act::PublishRunForm, [SignIn, Refused, Allowed, Refused, Allowed]),
    // Taking down what the public could see is an administrator's decision, not every staff member's.
    (Act::WithdrawConsultationForm, [SignIn, Refused, Refused, Refused, Allowed]),
    (Act::WithdrawConsultation, [SignIn, Refused, Refused, Refused, Allowed]),
    (Act::WithdrawResults, [SignIn, Refused, Refused, Refused, Allowed]),
];

/// A draft each allowed role creates, under an address of its own.
static DRAFTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn event_fields() -> Vec<(&'static str, String)> {
    vec![
        ("title", "A walk in the park".into()),
        ("format", "in-person".into()),
        ("on_date", "2025-02-20".into()),
        ("starts_at", "18:00".into()),
        ("ends_at", "19:30".into()),
        ("venue", "The bandstand".into()),
        ("capacity", "20".into()),
    ]
}

struct Fixture {
    /// Someone else's comment, for agreeing, reporting, pinning, editing and deleting.
    target: i64,
    /// A comment each moderator hides.
    to_hide: i64,
    /// A resident to block and to give a role.
    member: i64,
    /// An event of the open consultation.
    event: i64,
    /// A finished analysis run of the open consultation.
    run: Run,
}

struct Run {
    id: i64,
    /// The theme reviewed; the others are merged into it one by one.
    theme: i64,
    others: Vec<i64>,
    /// The theme's responses, split out one by one.
    texts: Vec<i64>,
    quote: i64,
    /// Each merge and split takes a theme or a response of its own, so that every allowed one is
    /// valid.
    reviews: std::sync::atomic::AtomicUsize,
}

/// A run saved as the engine would, with one theme of twelve responses and twelve themes of one.
async fn finished_run(app: &crate::TestApp, consultation_id: i64) -> Run {
    let analyst = app.account(Role::Host, "Run starter", "runs@example.org").await;
    let new = NewRun {
        consultation_id,
        scope: RunScope::All,
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    let id = app.store.create_run(&new, analyst, app.state.now()).await.unwrap();
    let text = |i: usize| RunText {
        line: format!("r{i}"),
        response_key: format!("r{i}"),
        channel: ResponseChannel::Post,
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: String::new(),
        question: String::new(),
        text: format!("Letter {i} about the park."),
        position: Stance::Unclear,
        evidence_rich: false,
        campaign: None,
    };
    let theme = |label: String, texts: Vec<usize>| NewRunTheme {
        kind: RunThemeKind::Discovered,
        label,
        description: String::new(),
        keywords: vec![],
        quotes: vec![(texts[0], "A quote.".into())],
        texts,
    };
    let mut themes = vec![theme("Main".into(), (0..12).collect())];
    themes.extend((0..12).map(|i| theme(format!("Small {i}"), vec![i])));
    let results = RunResults {
        model: "lexical mode, no model".into(),
        notes: vec![],
        texts: (0..12).map(text).collect(),
        themes,
        campaigns: vec![],
    };
    app.store.save_run_results(id, &results, app.state.now()).await.unwrap();
    let themes = app.store.run_themes(id).await.unwrap();
    let texts = app.store.theme_texts(themes[0].id, 1, 100).await.unwrap().0.iter().map(|t| t.id).collect();
    Run {
        id,
        theme: themes[0].id,
        others: themes[1..].iter().map(|t| t.id).collect(),
        texts,
        quote: themes[0].quotes[0].id,
        reviews: std::sync::atomic::AtomicUsize::new(0),
    }
}

async fn attempt(browser: &Browser, own: Option<i64>, f: &Fixture, act: Act) -> Outcome {
    // A token this visitor's forms would carry: signed in, the session's; otherwise the form cookie's.
    let token = match own {
        Some(_) => browser.get(OPEN).await.csrf(),
        None => browser.get("/login").await.csrf(),
    };
    let post = |uri: String, fields: Vec<(&'static str, String)>| {
        let token = token.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
            all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            browser.post(&uri, &all).await
        }
    };
    // Anonymous visitors have no comment of their own: they try on someone else's.
    let own = own.unwrap_or(f.target);
    let (t, m) = (f.target, f.member);
    let page = match act {
        Act::ReadDiscussion => browser.get(OPEN).await,
        Act::Comment => post(format!("{OPEN}/comments"), vec![("body", "A comment".into())]).await,
        Act::Reply => {
            post(format!("{OPEN}/comments"), vec![("body", "A reply".into()), ("parent_id", t.to_string())])
                .await
        }
        Act::EditOwn => post(format!("/comments/{own}/edit"), vec![("body", "Edited".into())]).await,
        Act::EditAnothers => {
            post(format!("/comments/{t}/edit"), vec![("body", "Changed words".into())]).await
        }
        Act::DeleteOwn => post(format!("/comments/{own}/delete"), vec![]).await,
        Act::DeleteAnothers => post(format!("/comments/{t}/delete"), vec![]).await,
        Act::Agree => post(format!("/comments/{t}/agree"), vec![("agree", "1".into())]).await,
        Act::Report => post(format!("/comments/{t}/report"), vec![("reason", "on-topic".into())]).await,
        Act::Pin => post(format!("/comments/{t}/pin"), vec![("pinned", "1".into())]).await,
        Act::ModerationQueue => browser.get("/moderation").await,
        Act::Hide => {
            let fields = vec![
                ("comment", f.to_hide.to_string()),
                ("decision", "hide".into()),
                ("guideline", "lawful".into()),
            ];
            post("/moderation/comments".into(), fields).await
        }
        Act::ModerationComment => browser.get(&format!("/moderation/comments/{}", f.to_hide)).await,
        Act::HideOne => {
            let fields = vec![("decision", "hide".into()), ("guideline", "lawful".into())];
            post(format!("/moderation/comments/{}", f.to_hide), fields).await
        }
        Act::ModerationLog => browser.get("/moderation/log").await,
        Act::MemberPage => browser.get(&format!("/moderation/users/{m}")).await,
        Act::Block => {
            post(
                format!("/moderation/users/{m}/block"),
                vec![("blocked", "1".into()), ("reason", "Test".into())],
            )
            .await
        }
        Act::SurveyBuilder => browser.get("/admin/consultations/parks/survey").await,
        Act::AddSurveySection => {
            post("/admin/consultations/parks/survey/sections".into(), vec![("title", "A part".into())]).await
        }
        Act::SurveyResults => browser.get("/admin/consultations/parks/survey/results").await,
        Act::Admin => browser.get("/admin").await,
        Act::ChangeRole => post(format!("/admin/users/{m}/role"), vec![("role", "resident".into())]).await,
        Act::ResponseForm => browser.get("/admin/consultations/parks/responses/new").await,
        Act::EnterResponse => {
            let fields = [
                ("csrf", token.as_str()),
                ("channel", "email"),
                ("received", "2025-02-20"),
                ("respondent_type", "individual"),
                ("text", "An email about the parks."),
            ];
            browser.post_multipart("/admin/consultations/parks/responses/new", &fields, None).await
        }
        Act::Register => browser.get("/admin/consultations/parks/responses").await,
        Act::ExportResponsesCsv => browser.get("/admin/consultations/parks/export/responses.csv").await,
        Act::ExportResponsesXlsx => browser.get("/admin/consultations/parks/export/responses.xlsx").await,
        Act::ImportResponses => {
            let csv = b"channel,received,respondent_type,organisation,borough,text\npost,2025-02-20,individual,,,A letter\n";
            browser
                .post_multipart(
                    "/admin/consultations/parks/responses/import",
                    &[("csrf", token.as_str())],
                    Some(("file", "letters.csv", csv)),
                )
                .await
        }
        Act::Account => browser.get("/account").await,
        Act::DownloadData => browser.get("/account/data").await,
        Act::ListConsultations => browser.get("/admin/consultations").await,
        Act::CreateConsultation => {
            let n = DRAFTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let fields = vec![
                ("slug", format!("draft-{n}")),
                ("title", "A draft".into()),
                ("summary", "What we plan.".into()),
                ("organisation", "City Hall".into()),
                ("respondent_noun", "Londoners".into()),
                ("opens_on", "2025-05-01".into()),
                ("closes_on", "2025-06-01".into()),
            ];
            post("/admin/consultations/new".into(), fields).await
        }
        Act::ConsultationHub => browser.get("/admin/consultations/parks").await,
        Act::EditConsultationForm => browser.get("/admin/consultations/parks/edit").await,
        Act::EditConsultation => {
            let fields = vec![
                ("slug", "parks".into()),
                ("title", "The parks plan".into()),
                ("summary", "What we plan.".into()),
                ("organisation", "City Hall".into()),
                ("respondent_noun", "Londoners".into()),
                ("opens_on", "2025-02-01".into()),
                ("closes_on", "2025-04-01".into()),
                (
                    "discussions",
                    "what-would-help | Talk about parks | 2025-02-01 | 2025-04-01\nTell us.".into(),
                ),
            ];
            post("/admin/consultations/parks/edit".into(), fields).await
        }
        Act::Publish => post("/admin/consultations/soon/publish".into(), vec![]).await,
        Act::PublishResults => post("/admin/consultations/old/publish-results".into(), vec![]).await,
        Act::CloseConsultation => post("/admin/consultations/parks/close".into(), vec![]).await,
        Act::StaffEvents => browser.get("/admin/consultations/parks/events").await,
        Act::CreateEvent => post("/admin/consultations/parks/events/new".into(), event_fields()).await,
        Act::EditEvent => {
            post(format!("/admin/consultations/parks/events/{}/edit", f.event), event_fields()).await
        }
        Act::EventRegistrations => {
            browser.get(&format!("/admin/consultations/parks/events/{}", f.event)).await
        }
        Act::RecordEventNotes => {
            let fields = vec![("respondent_type", "individual".into()), ("text_1", "More lights.".into())];
            post(format!("/admin/consultations/parks/events/{}/notes", f.event), fields).await
        }
        Act::ReadEvents => browser.get("/consultations/parks/events").await,
        Act::AnalysisRuns => browser.get("/admin/consultations/parks/analysis").await,
        Act::StartAnalysisForm => browser.get("/admin/consultations/parks/analysis/new").await,
        Act::StartAnalysis => {
            // Phone responses: there are none, so the run ends at once (failed, saying why).
            let fields = vec![
                ("scope", "channel:phone".into()),
                ("method", "discover".into()),
                ("mode", "lexical".into()),
            ];
            post("/admin/consultations/parks/analysis/new".into(), fields).await
        }
        Act::AnalysisRun => browser.get(&run_path(f)).await,
        Act::PublishRun => post(format!("{}/publish", run_path(f)), vec![("published", "yes".into())]).await,
        Act::ThemePage => browser.get(&theme_path(f)).await,
        Act::RenameTheme => {
            let fields = vec![("label", "Main".into()), ("description", "Renamed".into())];
            post(format!("{}/rename", theme_path(f)), fields).await
        }
        Act::MarkReviewed => {
            post(format!("{}/reviewed", theme_path(f)), vec![("reviewed", "yes".into())]).await
        }
        Act::MergeThemes => {
            let n = f.run.reviews.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            post(format!("{}/merge", theme_path(f)), vec![("theme", f.run.others[n].to_string())]).await
        }
        Act::SplitTheme => {
            let n = f.run.reviews.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let fields = vec![
                ("label", format!("Split {n}")),
                ("page", "1".into()),
                ("text", f.run.texts[n].to_string()),
            ];
            post(format!("{}/split", theme_path(f)), fields).await
        }
        Act::OfferQuote => {
            // The last response, which no split moves out.
            let fields = vec![("text", f.run.texts[11].to_string()), ("page", "1".into())];
            post(format!("{}/quotes", theme_path(f)), fields).await
        }
        Act::ApproveQuote => {
            post(format!("{}/quotes/{}", theme_path(f), f.run.quote), vec![("approved", "yes".into())]).await
        }
        Act::WeDid => {
            let fields = vec![("outcome", "changed".into()), ("we_did", "We did it.".into())];
            post(format!("{}/we-did", theme_path(f)), fields).await
        }
        Act::PublishRunForm => browser.get(&format!("{}/publish", run_path(f))).await,
        Act::WithdrawConsultationForm => browser.get("/admin/consultations/soon/withdraw").await,
        Act::WithdrawConsultation => {
            post("/admin/consultations/soon/withdraw".into(), vec![("reason", "Test".into())]).await
        }
        Act::WithdrawResults => {
            post("/admin/consultations/old/withdraw-results".into(), vec![("reason", "Test".into())]).await
        }
        Act::CompareRuns => {
            browser.get(&format!("/admin/consultations/parks/analysis/compare?a={0}&b={0}", f.run.id)).await
        }
    };
    match page.status {
        s if s.is_success() => Allowed,
        StatusCode::SEE_OTHER if page.location().starts_with("/login") => SignIn,
        StatusCode::SEE_OTHER => Allowed,
        StatusCode::FORBIDDEN => Refused,
        other => panic!("{act:?} answered {other}:\n{}", page.html),
    }
}

fn run_path(f: &Fixture) -> String {
    format!("/admin/consultations/parks/analysis/runs/{}", f.run.id)
}

fn theme_path(f: &Fixture) -> String {
    format!("{}/themes/{}", run_path(f), f.run.theme)
}

async fn every_role_gets_exactly_what_it_may(backend: Backend) {
    // Reports never hold the target here, so that every role reports the same comment.
    let settings = heard_web::Settings { reports_to_hold: 100, ..heard_web::Settings::default() };
    let app = discussions_app_with(backend, settings).await;
    let (owner, _) = app.signed_in(Role::Resident, "Owner").await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let settings = SurveySettings { title: "Survey".into(), intro: String::new(), allow_anonymous: false };
    app.store.create_survey(parks, &settings).await.unwrap();
    let fixture = Fixture {
        target: post_comment(&owner, OPEN, "Someone else's comment", None).await,
        to_hide: post_comment(&owner, OPEN, "A comment to hide", None).await,
        member: app.account(Role::Resident, "Member", "member@example.org").await,
        event: {
            let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
            let admin = app.account(Role::Admin, "Event maker", "events@example.org").await;
            let event = NewEvent {
                title: "A walk".into(),
                format: EventFormat::InPerson,
                // Over already, so that notes from it can be recorded.
                on_date: Date::parse_iso("2025-02-20").unwrap(),
                starts_at: "18:00".into(),
                ends_at: "19:00".into(),
                venue: "The bandstand".into(),
                joining_link: String::new(),
                accessibility: String::new(),
                capacity: 10,
                description: String::new(),
            };
            app.store.create_event(parks, &event, Some(admin), app.state.now()).await.unwrap()
        },
        run: finished_run(&app, parks).await,
    };
    let mut actors: Vec<(&str, Browser, Option<i64>)> = vec![("anonymous", app.browser("203.0.113.1"), None)];
    for (name, role) in [
        ("resident", Role::Resident),
        ("host", Role::Host),
        ("moderator", Role::Moderator),
        ("admin", Role::Admin),
    ] {
        let (browser, _) = app.signed_in(role, &format!("The {name}")).await;
        let own = post_comment(&browser, OPEN, &format!("The {name}'s own comment"), None).await;
        actors.push((name, browser, Some(own)));
    }
    let mut wrong = Vec::new();
    for (act, expected) in MATRIX {
        for ((name, browser, own), expected) in actors.iter().zip(expected) {
            let got = attempt(browser, *own, &fixture, act).await;
            if got != expected {
                wrong.push(format!("{name} x {act:?}: expected {expected:?}, got {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "the role x action matrix does not hold:\n{}", wrong.join("\n"));
    // What was refused left no trace.
    assert_eq!(app.store.comment(fixture.target).await.unwrap().unwrap().body, "Someone else's comment");
    // Two drafts (the host's and the administrator's), and notes from the two who may record them.
    let drafts =
        app.store.all_consultations().await.unwrap().iter().filter(|c| c.slug.starts_with("draft-")).count();
    assert_eq!(drafts, 2);
    assert_eq!(app.store.event_notes(fixture.event).await.unwrap().len(), 2);
    // The host's and the administrator's entries and imports, and nobody else's.
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let entered = app.store.register_breakdown(parks).await.unwrap();
    let by = |channel| entered.by_channel.iter().find(|(c, _)| *c == channel).map_or(0, |(_, t)| t.responses);
    assert_eq!((by(ResponseChannel::Email), by(ResponseChannel::Post)), (2, 2));
    // Two merges, two splits and two runs started: the host's and the administrator's.
    let themes = app.store.run_themes(fixture.run.id).await.unwrap();
    assert_eq!(themes.iter().find(|t| t.id == fixture.run.theme).unwrap().count, 10);
    assert_eq!(themes.iter().filter(|t| t.label.starts_with("Split ")).count(), 2);
    assert_eq!(app.store.analysis_runs(parks).await.unwrap().len(), 3);
}

#[tokio::test]
async fn role_action_matrix_on_sqlite() {
    every_role_gets_exactly_what_it_may(Backend::Sqlite).await;
}

#[tokio::test]
async fn role_action_matrix_on_postgres() {
    every_role_gets_exactly_what_it_may(Backend::Postgres).await;
}
