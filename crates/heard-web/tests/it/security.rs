//! CSRF refusal on every form, XSS payloads rendered inert, headers and caching of personal pages.

use axum::http::StatusCode;
use heard_store::*;

use crate::{OPEN, TestApp, discussions_app, post_comment};

/// Every POST route, with a form that would be accepted if it carried the right token.
fn every_form(comment: i64, member: i64, event: i64) -> Vec<(String, Vec<(&'static str, String)>)> {
    let c = comment.to_string();
    vec![
        (format!("{OPEN}/comments"), vec![("body", "forged comment".into())]),
        (format!("{OPEN}/comments"), vec![("body", "forged reply".into()), ("parent_id", c.clone())]),
        (format!("/comments/{comment}/edit"), vec![("body", "forged edit".into())]),
        (format!("/comments/{comment}/delete"), vec![]),
        (format!("/comments/{comment}/agree"), vec![("agree", "1".into())]),
        (format!("/comments/{comment}/report"), vec![("reason", "respectful".into())]),
        (format!("/comments/{comment}/pin"), vec![("pinned", "1".into())]),
        (
            "/moderation/comments".into(),
            vec![("comment", c.clone()), ("decision", "hide".into()), ("guideline", "lawful".into())],
        ),
        (
            format!("/moderation/users/{member}/block"),
            vec![("blocked", "1".into()), ("reason", "forged".into())],
        ),
        (format!("/admin/users/{member}/role"), vec![("role", "admin".into())]),
        (
            "/account/delete".into(),
            vec![
                ("comments", "remove".into()),
                ("words", "remove".into()),
                ("password", crate::PASSWORD.into()),
            ],
        ),
        ("/account/confirm".into(), vec![]),
        ("/account/confirm/some-token".into(), vec![]),
        ("/account/special-category/withdraw".into(), vec![]),
        (
            "/admin/consultations/parks/responses/1".into(),
            vec![
                ("respondent_type", "individual".into()),
                ("text-0", "Forged".into()),
                ("reason", "Forged".into()),
            ],
        ),
        ("/admin/consultations/parks/responses/1/delete".into(), vec![("reason", "Forged".into())]),
        ("/logout".into(), vec![]),
        ("/login".into(), vec![("email", "admin@example.org".into()), ("password", crate::PASSWORD.into())]),
        (
            "/register".into(),
            vec![
                ("display_name", "Forged".into()),
                ("email", "forged@example.org".into()),
                ("password", crate::PASSWORD.into()),
                ("sixteen", "yes".into()),
            ],
        ),
        ("/password-reset".into(), vec![("email", "admin@example.org".into())]),
        ("/password-reset/some-token".into(), vec![("password", "a new password".into())]),
        (
            "/admin/consultations/new".into(),
            vec![
                ("slug", "forged".into()),
                ("title", "Forged".into()),
                ("summary", "Forged.".into()),
                ("organisation", "Nobody".into()),
                ("respondent_noun", "people".into()),
                ("opens_on", "2025-05-01".into()),
                ("closes_on", "2025-06-01".into()),
            ],
        ),
        ("/admin/consultations/parks/edit".into(), vec![("title", "Forged".into())]),
        ("/admin/consultations/soon/publish".into(), vec![]),
        ("/admin/consultations/old/publish-results".into(), vec![]),
        (
            "/admin/consultations/parks/events/new".into(),
            vec![("title", "Forged".into()), ("format", "online".into()), ("capacity", "5".into())],
        ),
        (format!("/admin/consultations/parks/events/{event}/edit"), vec![("title", "Forged".into())]),
        (format!("/admin/consultations/parks/events/{event}/notes"), vec![("text_1", "Forged".into())]),
        (
            format!("/consultations/parks/events/{event}/register"),
            vec![("name", "F".into()), ("email", "f@example.org".into())],
        ),
        (format!("/consultations/parks/events/{event}/cancel"), vec![]),
        (format!("/consultations/parks/events/{event}/cancel/some-key"), vec![]),
        ("/consultations/parks/survey/start".into(), vec![("email", "forged@example.org".into())]),
        ("/consultations/parks/survey/sections/1".into(), vec![("action", "continue".into())]),
        ("/admin/consultations/parks/survey".into(), vec![("title", "Forged survey".into())]),
        ("/admin/consultations/parks/survey/sections".into(), vec![("title", "Forged part".into())]),
        ("/admin/consultations/parks/survey/sections/1".into(), vec![("title", "Forged part".into())]),
        ("/admin/consultations/parks/survey/sections/1/move".into(), vec![("direction", "up".into())]),
        ("/admin/consultations/parks/survey/sections/1/delete".into(), vec![]),
        (
            "/admin/consultations/parks/survey/sections/1/questions".into(),
            vec![("kind", "short_text".into()), ("prompt", "Forged?".into())],
        ),
        (
            "/admin/consultations/parks/survey/questions/1".into(),
            vec![("kind", "short_text".into()), ("prompt", "Forged?".into())],
        ),
        ("/admin/consultations/parks/survey/questions/1/move".into(), vec![("direction", "up".into())]),
        ("/admin/consultations/parks/survey/questions/1/delete".into(), vec![]),
        (
            "/admin/consultations/parks/analysis/new".into(),
            vec![("scope", "all".into()), ("method", "discover".into()), ("mode", "lexical".into())],
        ),
        ("/admin/consultations/parks/analysis/runs/1/publish".into(), vec![("published", "yes".into())]),
        (
            "/admin/consultations/parks/analysis/runs/1/themes/1/rename".into(),
            vec![("label", "Forged".into())],
        ),
        (
            "/admin/consultations/parks/analysis/runs/1/themes/1/reviewed".into(),
            vec![("reviewed", "yes".into())],
        ),
        ("/admin/consultations/parks/analysis/runs/1/themes/1/merge".into(), vec![("theme", "2".into())]),
        (
            "/admin/consultations/parks/analysis/runs/1/themes/1/split".into(),
            vec![("label", "Forged".into()), ("text", "1".into())],
        ),
        ("/admin/consultations/parks/analysis/runs/1/themes/1/quotes".into(), vec![("text", "1".into())]),
        (
            "/admin/consultations/parks/analysis/runs/1/themes/1/quotes/1".into(),
            vec![("approved", "yes".into())],
        ),
        (
            "/admin/consultations/parks/analysis/runs/1/themes/1/we-did".into(),
            vec![("outcome", "changed".into()), ("we_did", "Forged".into())],
        ),
    ]
}

async fn a_post_without_the_right_token_is_refused_and_changes_nothing(backend: Backend) {
    let app = discussions_app(backend).await;
    // An administrator can do everything, so only the token can be the reason for a refusal.
    let (admin, _) = app.signed_in(Role::Admin, "Admin").await;
    let comment = post_comment(&admin, OPEN, "The admin's own comment", None).await;
    let member = app.account(Role::Resident, "Member", "member@example.org").await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let event = NewEvent {
        title: "A walk".into(),
        format: EventFormat::InPerson,
        on_date: Date::parse_iso("2025-03-20").unwrap(),
        starts_at: "18:00".into(),
        ends_at: "19:00".into(),
        venue: "The bandstand".into(),
        joining_link: String::new(),
        accessibility: String::new(),
        capacity: 10,
        description: String::new(),
    };
    let event = app.store.create_event(parks, &event, None, app.state.now()).await.unwrap();
    let before = app.get(OPEN).await.html;
    for (uri, fields) in every_form(comment, member, event) {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut wrong = fields.clone();
        wrong.push(("csrf", "not-the-token"));
        for (what, form) in [("no token", &fields), ("a wrong token", &wrong)] {
            let page = admin.post(&uri, form).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "POST {uri} with {what}:\n{}", page.html);
            page.shows("This form has expired");
        }
        // A visitor who is not signed in, with no form cookie, is refused the same way.
        let stranger = app.browser("203.0.113.50");
        assert_eq!(stranger.post(&uri, &wrong).await.status, StatusCode::FORBIDDEN, "anonymous POST {uri}");
    }
    assert_eq!(app.get(OPEN).await.html, before, "nothing changed");
    assert!(app.store.moderation_log(10).await.unwrap().is_empty());
    assert_eq!(app.store.staff_log(parks).await.unwrap().len(), 1, "only the event made above");
    assert!(app.store.registrations(event).await.unwrap().is_empty());
    assert_eq!(app.store.all_consultations().await.unwrap().len(), 3);
    assert!(!app.store.consultation_by_slug("old").await.unwrap().unwrap().summary.results_published);
    assert_eq!(app.store.account(member).await.unwrap().unwrap().user.role, Role::Resident);
    assert!(app.store.survey_for("parks").await.unwrap().is_none(), "no survey created");
    assert!(app.store.analysis_runs(parks).await.unwrap().is_empty(), "no analysis started");
    assert!(admin.get("/account").await.status.is_success(), "still signed in");
}

#[tokio::test]
async fn csrf_refusal_on_sqlite() {
    a_post_without_the_right_token_is_refused_and_changes_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn csrf_refusal_on_postgres() {
    a_post_without_the_right_token_is_refused_and_changes_nothing(Backend::Postgres).await;
}

#[tokio::test]
async fn a_refused_form_shows_back_what_was_typed() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let page = alice
        .post(&format!("{OPEN}/comments"), &[("csrf", "stale"), ("body", "My long thoughtful comment")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.shows("What you wrote, so you can copy it").shows(">My long thoughtful comment</textarea>");
}

#[tokio::test]
async fn one_persons_token_does_not_work_for_another() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let alices_token = alice.get(OPEN).await.csrf();
    let page = bob.post(&format!("{OPEN}/comments"), &[("csrf", &alices_token), ("body", "as Bob")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

/// Text an attacker might post, as a comment and as a display name.
const XSS_PAYLOADS: [&str; 10] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "' onmouseover='alert(1)",
    "<iframe src=\"//evil.example\"></iframe>",
    "<style>body{display:none}</style>",
    "javascript:alert(document.cookie)",
    "<details open ontoggle=alert(1)>",
];

async fn xss_payloads_render_inert_everywhere_they_show(backend: Backend) {
    let mut settings = heard_web::Settings::default();
    settings.limits.posts_per_account = heard_web::Rate::per_minute(100);
    let app = crate::discussions_app_with(backend, settings).await;
    let (author, _) = app.signed_in(Role::Resident, "<b onmouseover=alert(1)>Mallory</b>").await;
    let mut ids = Vec::new();
    for payload in XSS_PAYLOADS {
        ids.push(post_comment(&author, OPEN, payload, None).await);
    }
    post_comment(&author, OPEN, XSS_PAYLOADS[3], Some(ids[0])).await;
    let (moderator, _) = app.signed_in(Role::Moderator, "Mo").await;
    let (admin, _) = app.signed_in(Role::Admin, "Ada").await;
    let pages = vec![
        ("discussion, anonymous", app.get(OPEN).await),
        ("discussion, signed in", moderator.get(OPEN).await),
        ("moderation queue", moderator.get("/moderation?filter=all").await),
        ("report form", moderator.get(&format!("/comments/{}/report", ids[1])).await),
        ("edit form", author.get(&format!("/comments/{}/edit", ids[3])).await),
        ("delete form", author.get(&format!("/comments/{}/delete", ids[3])).await),
        ("account", author.get("/account").await),
        ("admin", admin.get("/admin").await),
        (
            "a comment refused for its length, shown back",
            author
                .submit(
                    OPEN,
                    &format!("{OPEN}/comments"),
                    &[("body", &format!("{}{}", XSS_PAYLOADS[3], "x".repeat(5000)))],
                )
                .await,
        ),
    ];
    for (name, page) in &pages {
        assert!(
            page.status.is_success() || page.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            page.status
        );
        for needle in [
            "<script>alert",
            "<img src=x",
            "<svg onload",
            "<iframe",
            "<style>body",
            "<details open ontoggle",
            "<b onmouseover",
            "href=\"javascript:",
        ] {
            assert!(!page.html.contains(needle), "{name} contains {needle:?} unescaped:\n{}", page.html);
        }
        assert!(!page.html.contains("</textarea><script>"), "{name} lets a payload close a textarea");
    }
    let discussion = &pages[0].1;
    discussion
        .shows("&#60;script&#62;alert(1)&#60;/script&#62;")
        .shows("&#60;b onmouseover=alert(1)&#62;Mallory&#60;/b&#62;");
    // The CSP forbids inline script anyway, on every new page.
    for uri in ["/register", "/login", "/moderation", "/account"] {
        let csp = moderator
            .get(uri)
            .await
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{uri}: {csp}");
    }
}

#[tokio::test]
async fn xss_payloads_inert_on_sqlite() {
    xss_payloads_render_inert_everywhere_they_show(Backend::Sqlite).await;
}

#[tokio::test]
async fn xss_payloads_inert_on_postgres() {
    xss_payloads_render_inert_everywhere_they_show(Backend::Postgres).await;
}

#[tokio::test]
async fn a_redirect_after_a_form_never_leaves_the_site() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let id = post_comment(&alice, OPEN, "Hello", None).await;
    for evil in [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/consultations/old/discussions/closed-talk",
    ] {
        let page =
            bob.submit(OPEN, &format!("/comments/{id}/agree"), &[("agree", "1"), ("return_to", evil)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location(), format!("{OPEN}#comment-{id}"), "{evil}");
    }
    app.account(Role::Resident, "Carol", "carol@example.org").await;
    let carol = app.browser("198.51.100.3");
    let page = carol
        .submit(
            "/login",
            "/login",
            &[("email", "carol@example.org"), ("password", crate::PASSWORD), ("next", "//evil.example")],
        )
        .await;
    assert_eq!(page.location(), "/");
}

#[tokio::test]
async fn personal_pages_are_never_cached_and_writes_clear_the_page_cache() {
    let app = discussions_app(Backend::Sqlite).await;
    let state = heard_web::AppState::build(
        app.store.clone(),
        heard_web::Clock::Fixed(app.state.now()),
        std::time::Duration::from_secs(60),
        heard_web::Settings::default(),
    );
    let cached = TestApp { store: app.store.clone(), state };
    let before = cached.get(OPEN).await;
    before.shows("No one has commented yet.");
    let (alice, _) = cached.signed_in(Role::Resident, "Alice").await;
    let page = alice.get(OPEN).await;
    assert_eq!(page.headers.get("cache-control").unwrap(), "private, no-store");
    page.shows("Your account");
    // The login page sets a form cookie, so it is never kept for the next visitor.
    let login = cached.get("/login").await;
    assert!(login.headers.get("set-cookie").is_some());
    let second = cached.get("/login").await;
    assert_ne!(login.csrf(), second.csrf(), "each visitor gets a token of their own");
    post_comment(&alice, OPEN, "Fresh comment", None).await;
    cached.get(OPEN).await.shows("Fresh comment").lacks("No one has commented yet.");
}

/// Links staff type (documents, the survey's and events' ways to respond, an online event's
/// joining link) are web links or pages of the site: a `javascript:` or `data:` link, or another
/// site written as a path, is refused on the form with what was typed kept, and the store refuses
/// it from any other writer (an import, the demo).
async fn links_staff_type_are_web_links_or_site_pages_only(backend: Backend) {
    let app = discussions_app(backend).await;
    let (staff, _) = app.signed_in(Role::Admin, "Ada").await;
    let new = "/admin/consultations/new";
    for (field, typed, line) in [
        (
            "channels",
            "survey | Survey | Answer online. | javascript:alert(document.cookie)",
            "Ways to respond, line 1",
        ),
        ("channels", "events | Events | Come along. | //evil.example/events", "Ways to respond, line 1"),
        ("documents", "The plan | data:text/html,<script>alert(1)</script> | PDF", "Documents, line 1"),
        ("documents", "The plan | /\\evil.example | PDF", "Documents, line 1"),
    ] {
        let mut fields = crate::backoffice::consultation_fields("2025-04-10", "2025-03-10 | Opens");
        fields.retain(|(name, _)| *name != field);
        fields.push((field, typed));
        let page = staff.submit(new, new, &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        page.shows("There is a problem")
            .shows(line)
            .shows("is not a link that can be shown: start it with https:// or http://, or with a single / for a page of this site.")
            .shows(&askama_escaped(typed));
    }
    assert!(
        app.store.all_consultations().await.unwrap().iter().all(|c| c.slug != "river-paths"),
        "nothing saved"
    );

    let event_form = "/admin/consultations/parks/events/new";
    let page = staff
        .submit(
            event_form,
            event_form,
            &[
                ("title", "Online chat"),
                ("format", "online"),
                ("on_date", "2025-03-20"),
                ("starts_at", "18:30"),
                ("ends_at", "20:00"),
                ("joining_link", "javascript:alert(1)"),
                ("capacity", "30"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows(r##"<a href="#joining_link">Enter the joining link as a web address."##)
        .shows(r#"value="javascript:alert(1)""#);
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap();
    assert!(app.store.events_of(parks.summary.id).await.unwrap().is_empty(), "no event saved");

    // Other writers (imports, the demo) meet the same rule in the store.
    let mut event = NewEvent {
        title: "Online chat".into(),
        format: EventFormat::Online,
        on_date: Date::parse_iso("2025-03-20").unwrap(),
        starts_at: "18:00".into(),
        ends_at: "19:00".into(),
        venue: String::new(),
        joining_link: "JavaScript:alert(1)".into(),
        accessibility: String::new(),
        capacity: 5,
        description: String::new(),
    };
    let refused = app.store.create_event(parks.summary.id, &event, None, app.state.now()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    event.joining_link = "https://meet.example.org/parks".into();
    app.store.create_event(parks.summary.id, &event, None, app.state.now()).await.unwrap();
    let mut imported = crate::new_consultation("imported", "2025-01-01", "2025-04-01");
    imported.channels = vec![Channel {
        kind: ChannelKind::Survey,
        title: "Survey".into(),
        detail: "Answer online.".into(),
        address: "javascript:alert(1)".into(),
    }];
    let refused = app.store.create_consultation(&imported).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    imported.channels[0].address = "/consultations/imported/survey".into();
    imported.documents = vec![Document {
        title: "Plan".into(),
        url: "data:text/html,x".into(),
        format: "PDF".into(),
        easy_read: false,
    }];
    assert!(matches!(app.store.create_consultation(&imported).await, Err(StoreError::Invalid(_))));
    imported.documents[0].url = "https://example.org/plan.pdf".into();
    app.store.create_consultation(&imported).await.unwrap();
    app.get("/consultations/imported")
        .await
        .lacks("javascript:")
        .shows(r#"href="/consultations/imported/survey""#);
}

/// Text as askama writes it in a page.
fn askama_escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn staff_links_are_checked_on_sqlite() {
    links_staff_type_are_web_links_or_site_pages_only(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_links_are_checked_on_postgres() {
    links_staff_type_are_web_links_or_site_pages_only(Backend::Postgres).await;
}

/// Everything written to the log while it is held, as text.
#[derive(Clone, Default)]
pub(crate) struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A reset link, an event's cancel link and a survey's resume link carry their token in the path:
/// the log names the route they matched (`/password-reset/{token}`), never the token.
#[tokio::test]
async fn logs_never_hold_a_token_from_a_path() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let app = discussions_app(Backend::Sqlite).await;
    let visitor = app.browser("203.0.113.40");
    const TOKEN: &str = "SeCrEtToKeN0123456789";
    assert_eq!(visitor.get(&format!("/password-reset/{TOKEN}")).await.status, StatusCode::GONE);
    // A form without its CSRF token is refused, and the refusal logged.
    let refused = visitor.post(&format!("/password-reset/{TOKEN}"), &[("password", "a new password")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    visitor.get(&format!("/consultations/parks/events/1/cancel/{TOKEN}")).await;
    visitor.get(&format!("/consultations/parks/survey/resume/{TOKEN}")).await;
    visitor.get(&format!("/no-such-page/{TOKEN}")).await;
    let text = log.text();
    assert!(text.contains("form refused: missing or wrong CSRF token"), "{text}");
    for route in [
        "route=/password-reset/{token}",
        "route=/consultations/{slug}/events/{id}/cancel/{key}",
        "route=/consultations/{slug}/survey/resume/{token}",
        "route=(no route)",
    ] {
        assert!(text.contains(route), "{route} in {text}");
    }
    assert!(!text.contains(TOKEN), "a token was logged: {text}");
}

/// Served over HTTPS (`--secure-cookies`), every answer tells browsers to keep to HTTPS; served
/// over plain HTTP (the demo on a laptop), none does, since that would lock browsers out of it.
#[tokio::test]
async fn hsts_is_sent_when_the_site_is_served_over_https() {
    let settings = heard_web::Settings { secure_cookies: true, ..Default::default() };
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    for uri in ["/", "/login", "/no-such-page", "/api/v1/consultations"] {
        let page = app.get(uri).await;
        assert_eq!(page.headers["strict-transport-security"], "max-age=31536000; includeSubDomains", "{uri}");
    }
    let plain = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    assert!(plain.get("/").await.headers.get("strict-transport-security").is_none());
}

/// A client that sends its headers, or its form, a trickle at a time is cut off instead of holding a
/// connection: the real server, on a real socket.
#[tokio::test]
async fn slow_clients_cannot_hold_a_connection() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let settings = heard_web::Settings {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(heard_web::serve(listener, app.state.clone()));
    let answer = |request: &'static [u8]| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let started = Instant::now();
        let mut received = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received))
            .await
            .expect("the server closed the connection")
            .ok();
        (String::from_utf8_lossy(&received).into_owned(), started.elapsed())
    };

    let (ok, _) = answer(b"GET /healthz HTTP/1.1\r\nHost: heard.test\r\nConnection: close\r\n\r\n").await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    // Headers never finished: closed after the header-read timeout.
    let (_, took) = answer(b"GET / HTTP/1.1\r\nHost: heard.test\r\n").await;
    assert!(took < Duration::from_secs(5), "headers held the connection for {took:?}");
    // A form that never finishes arriving: 408 after the request timeout.
    let (late, took) = answer(
        b"POST /login HTTP/1.1\r\nHost: heard.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
    )
    .await;
    assert!(late.starts_with("HTTP/1.1 408"), "{late}");
    assert!(took < Duration::from_secs(6), "the body held the connection for {took:?}");
    server.abort();
}
