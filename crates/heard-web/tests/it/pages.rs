//! The public pages, as a visitor reads them.

use axum::http::StatusCode;
use heard_store::*;

use crate::TestApp;

fn day(iso: &str) -> Date {
    Date::parse_iso(iso).unwrap()
}

fn consultation(slug: &str, title: &str, opens: &str, closes: &str) -> NewConsultation {
    NewConsultation {
        slug: slug.into(),
        title: title.into(),
        summary: "First paragraph of the summary.\nSecond paragraph.".into(),
        organisation: "Office for Policing".into(),
        respondent_noun: "Londoners".into(),
        opens_on: day(opens),
        closes_on: day(closes),
        recorded_responses: None,
        results_expected: None,
        accessible_formats: "Email us for large print.".into(),
        objectives: vec![],
        timeline: vec![],
        documents: vec![],
        channels: vec![],
    }
}

/// A closed police plan with one discussion of `comments` comments; the clock is 2025-03-01.
async fn police_plan_app(backend: Backend, comments: usize) -> TestApp {
    let app = TestApp::new(backend, "2025-03-01").await;
    let mut plan = consultation("police-plan", "Police and Crime Plan", "2024-12-18", "2025-02-12");
    plan.recorded_responses = Some(1622);
    plan.results_expected = Some("March 2025".into());
    plan.objectives = vec![NewObjective {
        title: "Reducing violence".into(),
        summary: String::new(),
        commitments: vec!["Prevent violence early".into()],
    }];
    plan.timeline = vec![
        TimelineEntry { on_date: day("2024-12-18"), title: "Draft published".into(), detail: String::new() },
        TimelineEntry { on_date: day("2025-03-31"), title: "Final plan".into(), detail: String::new() },
    ];
    plan.documents = vec![
        Document {
            title: "The draft plan".into(),
            url: "/plan.pdf".into(),
            format: "PDF, 2 MB".into(),
            easy_read: false,
        },
        Document {
            title: "Easy read plan".into(),
            url: "/easy.pdf".into(),
            format: "PDF".into(),
            easy_read: true,
        },
    ];
    plan.channels = vec![
        Channel {
            kind: ChannelKind::Email,
            title: "Email".into(),
            detail: "Write to us.".into(),
            address: "plan@example.org".into(),
        },
        Channel {
            kind: ChannelKind::Post,
            title: "Post".into(),
            detail: "No stamp needed.".into(),
            address: "Freepost PLAN\nLondon".into(),
        },
    ];
    let long = "I have lived here for twenty years and the change in how safe the high street feels after dark is stark. \
                The shops close early now, the lights are out on half the lamp posts, and I have not seen an officer on foot \
                in months. People have stopped reporting things because nothing happens.\n\
                What would help most is a regular patrol at closing time, working lights, and an answer when we report.";
    let mut body = Vec::new();
    for n in 0..comments {
        body.push(ImportedComment {
            author: format!("resident{n}"),
            role: Role::Resident,
            body: if n == 0 { long.to_owned() } else { format!("Comment number {n}.") },
            posted_at: Timestamp(day("2025-01-01").start().0 + n as i64 * 60),
            source: CommentSource::Import,
            reply_to: None,
        });
    }
    if comments > 0 {
        body.push(ImportedComment {
            author: "Alex".into(),
            role: Role::Host,
            body: "Thank you, we have passed this on.".into(),
            posted_at: Timestamp(day("2025-01-05").start().0),
            source: CommentSource::Web,
            reply_to: Some(0),
        });
    }
    let import = DiscussionImport {
        consultation: plan,
        discussion: NewDiscussion {
            slug: "safety".into(),
            title: "Safety in public spaces".into(),
            intro: "Agencies work together to prevent theft.\nThey also tackle anti-social behaviour.".into(),
            opens_on: day("2024-12-18"),
            closes_on: day("2025-02-12"),
            questions: vec!["What makes you feel safe?".into(), "What makes you feel unsafe?".into()],
            hosts: vec![],
            host_organisation: "MOPAC".into(),
        },
        host_names: vec!["Alex".into(), "Chervonne".into(), "Dionne".into()],
        comments: body,
    };
    app.store.import_discussion(&import).await.unwrap();
    app
}

const DISCUSSION: &str = "/consultations/police-plan/discussions/safety";

#[tokio::test]
async fn home_groups_consultations_as_open_upcoming_and_closed() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    for (slug, title, opens, closes) in [
        ("old", "Closed plan", "2024-01-01", "2024-02-01"),
        ("now", "Open plan", "2025-02-01", "2025-04-01"),
        ("soon", "Upcoming plan", "2025-05-01", "2025-06-01"),
    ] {
        app.store.create_consultation(&consultation(slug, title, opens, closes)).await.unwrap();
    }
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let at = |needle: &str| page.html.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
    assert!(at("Open now") < at("Open plan") && at("Open plan") < at("Opening soon"));
    assert!(
        at("Opening soon") < at("Upcoming plan")
            && at("Upcoming plan") < at("<h2 id=\"closed-heading\">Closed")
    );
    assert!(at("<h2 id=\"closed-heading\">Closed") < at("Closed plan"));
    page.shows(r#"<a href="/consultations/now">Open plan</a>"#)
        .shows(r#"<time datetime="2025-02-01">1 February 2025</time> to <time datetime="2025-04-01">1 April 2025</time>"#);
}

#[tokio::test]
async fn home_says_so_when_a_group_is_empty() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.get("/").await.shows("No consultation is open right now.").shows("No consultation has closed yet.");
}

async fn consultation_page_shows_status_count_dates_and_every_way_to_respond(backend: Backend) {
    let app = police_plan_app(backend, 3).await;
    let page = app.get("/consultations/police-plan").await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("<h1>Police and Crime Plan</h1>")
        .shows(r#"<p class="status status-closed">Closed</p>"#)
        .shows("1,622 Londoners have responded")
        .shows(r#"<time datetime="2024-12-18">18 December 2024</time> - <time datetime="2025-02-12">12 February 2025</time>"#)
        .shows("Closed on 12 February 2025")
        .shows("Results expected March 2025")
        .shows("<p>First paragraph of the summary.</p>")
        .shows("<h3>Reducing violence</h3>")
        .shows("<li>Prevent violence early</li>")
        .shows(r#"<a href="/consultations/police-plan/discussions/safety">Safety in public spaces</a>"#)
        .shows("4 comments · Closed")
        .shows(r#"<a href="mailto:plan@example.org">plan@example.org</a>"#)
        .shows("Freepost PLAN<br>London<br>")
        .shows("The draft plan</a> <span class=\"meta\">(PDF, 2 MB)</span>")
        .shows("<h3>Easy read</h3>")
        .shows("Need a document in an accessible format?")
        .shows("Email us for large print.")
        .shows("This consultation has closed.");

    // Once the results are out, it no longer says when they are expected.
    let id = app.store.consultation_by_slug("police-plan").await.unwrap().unwrap().summary.id;
    let admin = app.store.create_user("Ada", Role::Admin, false).await.unwrap();
    assert!(app.store.publish_results(id, admin, app.state.now()).await.unwrap());
    app.get("/consultations/police-plan")
        .await
        .shows("Results published")
        .shows("Read what we heard")
        .lacks("Results expected");
    // The timeline tells what happened from what is still to come, by today's date.
    let draft = page.html.find("Draft published").unwrap();
    let last = page.html.find("Final plan").unwrap();
    assert!(page.html[..draft].rfind("class=\"happened\"").is_some());
    assert!(page.html[draft..last].contains("class=\"upcoming\""));
}

#[tokio::test]
async fn consultation_page_on_sqlite() {
    consultation_page_shows_status_count_dates_and_every_way_to_respond(Backend::Sqlite).await;
}

#[tokio::test]
async fn consultation_page_on_postgres() {
    consultation_page_shows_status_count_dates_and_every_way_to_respond(Backend::Postgres).await;
}

#[tokio::test]
async fn open_consultation_counts_down_to_its_closing_date() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.store
        .create_consultation(&consultation("now", "Open plan", "2025-02-01", "2025-03-11"))
        .await
        .unwrap();
    app.get("/consultations/now")
        .await
        .shows(r#"<p class="status status-open">Open</p>"#)
        .shows("Open until 11 March 2025 (10 days left)")
        .shows("No responses yet")
        .lacks("This consultation has closed");
}

async fn discussion_page_shows_questions_hosts_and_comments(backend: Backend) {
    let app = police_plan_app(backend, 3).await;
    let page = app.get(DISCUSSION).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("<h1>Safety in public spaces</h1>")
        .shows("<p>Agencies work together to prevent theft.</p>")
        .shows("<li>What makes you feel safe?</li>")
        .shows("Alex, Chervonne and Dionne from MOPAC will be joining in the discussion below.")
        .shows("This discussion closed on 12 February 2025")
        .shows("The discussion ran from 18 December 2024 to 12 February 2025.")
        .shows(r#"<a href="/guidelines">community guidelines</a>"#)
        .shows(r#"<a href="/support">support page</a>"#)
        .shows("4 comments")
        .shows(r#"<time datetime="2025-01-01T00:02:00+00:00" title="1 January 2025">a month ago</time>"#);
    assert_eq!(page.count("<article class=\"comment"), 4);
    // Newest first.
    assert!(page.html.find("Comment number 2.").unwrap() < page.html.find("Comment number 1.").unwrap());
}

#[tokio::test]
async fn discussion_page_on_sqlite() {
    discussion_page_shows_questions_hosts_and_comments(Backend::Sqlite).await;
}

#[tokio::test]
async fn discussion_page_on_postgres() {
    discussion_page_shows_questions_hosts_and_comments(Backend::Postgres).await;
}

#[tokio::test]
async fn long_comment_hides_its_rest_behind_show_full_comment_without_repeating_it() {
    let app = police_plan_app(Backend::Sqlite, 1).await;
    let page = app.get(DISCUSSION).await;
    page.shows(r#"<details class="full-comment">"#)
        .shows(r#"<summary><span class="when-closed">Show full comment</span><span class="when-open">Show less of comment</span><span class="visually-hidden"> by resident0</span></summary>"#)
        .shows("What would help most is a regular patrol");
    // The paragraph the cut falls in shows its head before the button (hidden once open) and whole
    // inside it, so the opened comment reads as one text; later paragraphs show once, inside.
    let head = page.html.find(r#"<p class="cut-head">I have lived here for twenty years"#).expect("cut head");
    let details = page.html.find("<details").unwrap();
    assert!(head < details);
    assert_eq!(page.count("I have lived here for twenty years"), 2, "head before the button, whole inside");
    assert_eq!(page.count("What would help most"), 1);
    assert!(page.html.find("What would help most").unwrap() > details, "the rest is inside the details");
}

#[tokio::test]
async fn replies_sit_under_their_parent_with_the_host_badge() {
    let app = police_plan_app(Backend::Sqlite, 2).await;
    let page = app.get(DISCUSSION).await;
    let replies =
        page.html.find(r#"<ol class="replies" aria-label="Replies to resident0">"#).expect("replies list");
    let parent = page.html.find("I have lived here for twenty years").unwrap();
    let reply = page.html.find("Thank you, we have passed this on.").unwrap();
    assert!(parent < replies && replies < reply);
    page.shows(r#"<article class="comment comment-host""#).shows(r#"<span class="badge">Host</span>"#);
}

#[tokio::test]
async fn long_threads_are_paged_and_odd_page_numbers_fall_back() {
    let app = police_plan_app(Backend::Sqlite, 120).await;
    let first = app.get(DISCUSSION).await;
    first
        .shows("Page 1 of 3")
        .shows(&format!(r#"<a href="{DISCUSSION}?page=2#comments" rel="next">Next page</a>"#));
    assert_eq!(first.count("<article class=\"comment"), 50, "50 threads a page by default");
    let second = app.get(&format!("{DISCUSSION}?page=2")).await;
    second.shows("Page 2 of 3").shows("rel=\"prev\"").shows("Comment number 69.").lacks("Comment number 70.");
    assert_eq!(app.get(&format!("{DISCUSSION}?page=4")).await.status, StatusCode::NOT_FOUND);
    app.get(&format!("{DISCUSSION}?page=banana")).await.shows("Page 1 of 3");
    let all = app.get(&format!("{DISCUSSION}?per_page=200")).await;
    assert_eq!(all.count("<article class=\"comment"), 121);
    all.lacks("Page 1 of");
}

#[tokio::test]
async fn comment_text_is_escaped() {
    let app = police_plan_app(Backend::Sqlite, 0).await;
    let discussion = app.store.discussion("police-plan", "safety").await.unwrap().unwrap();
    let author = app.store.create_user("<b>Mallory</b>", Role::Resident, false).await.unwrap();
    let comment = NewComment {
        discussion_id: discussion.summary.id,
        parent_id: None,
        author_id: author,
        body: "<script>alert(1)</script> & \"quotes\"".into(),
        posted_at: Timestamp(day("2025-01-02").start().0),
        source: CommentSource::Web,
        flags: vec![],
    };
    app.store.add_comment(&comment).await.unwrap();
    app.get(DISCUSSION)
        .await
        .lacks("<script>alert(1)")
        .lacks("<b>Mallory</b>")
        .shows("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;")
        .shows("&#60;b&#62;Mallory&#60;/b&#62;");
}

#[tokio::test]
async fn unknown_pages_get_a_helpful_404() {
    let app = police_plan_app(Backend::Sqlite, 0).await;
    for uri in ["/consultations/nope", "/consultations/police-plan/discussions/nope", "/nowhere"] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        page.shows("<h1>Page not found</h1>").shows(r#"<a href="/">See all consultations</a>"#);
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = police_plan_app(Backend::Sqlite, 0).await;
    for uri in ["/", "/consultations/police-plan", DISCUSSION, "/guidelines", "/nowhere"] {
        let page = app.get(uri).await;
        let header = |name: &str| page.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        let csp = header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{uri}");
        assert!(header("referrer-policy").is_some(), "{uri}");
    }
}

#[tokio::test]
async fn guidance_pages_exist_and_link_to_each_other() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.get("/guidelines").await.shows("<h1>Community guidelines</h1>").shows(r#"href="/support""#);
    app.get("/support").await.shows("<h1>Support and safeguarding</h1>").shows("116 123").shows("999");
    app.get("/accessibility").await.shows("<h1>Accessibility statement</h1>").shows("WCAG");
    let css = app.get("/static/style.css").await;
    assert_eq!(css.headers.get("content-type").unwrap(), "text/css; charset=utf-8");
}

#[tokio::test]
async fn public_pages_are_cached_briefly_for_visitors_without_a_session() {
    let app = police_plan_app(Backend::Sqlite, 1).await;
    let state = heard_web::AppState::new(app.store.clone(), std::time::Duration::from_secs(60));
    let get = |cookie: bool| {
        let state = state.clone();
        async move {
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            let mut request = axum::http::Request::get(DISCUSSION);
            if cookie {
                request = request.header("cookie", "session=x");
            }
            let response = heard_web::router(state)
                .oneshot(request.body(axum::body::Body::empty()).unwrap())
                .await
                .unwrap();
            assert!(response.headers().contains_key("content-security-policy"), "headers survive the cache");
            String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
        }
    };
    assert!(get(false).await.contains("2 comments"));
    let discussion = app.store.discussion("police-plan", "safety").await.unwrap().unwrap();
    let author = app.store.create_user("Late", Role::Resident, false).await.unwrap();
    let late = NewComment {
        discussion_id: discussion.summary.id,
        parent_id: None,
        author_id: author,
        body: "A late comment.".into(),
        posted_at: Timestamp(day("2025-02-01").start().0),
        source: CommentSource::Web,
        flags: vec![],
    };
    app.store.add_comment(&late).await.unwrap();
    assert!(get(false).await.contains("2 comments"), "served from the cache within its lifetime");
    assert!(get(true).await.contains("3 comments"), "a visitor with a session always gets a fresh page");
    state.page_cache().clear();
    assert!(get(false).await.contains("3 comments"), "cleared by a write");
}
