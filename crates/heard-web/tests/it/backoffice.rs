//! The back office of consultations and events, through the real router: a draft made with a
//! mistake and then put right, published, seen by the public; events, registering interest, and
//! notes from an event going into the register.

use axum::http::StatusCode;
use heard_store::*;

use crate::{Browser, TestApp, discussions_app, discussions_app_with};

const NEW: &str = "/admin/consultations/new";

pub fn consultation_fields<'a>(closes_on: &'a str, timeline: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", "river-paths"),
        ("title", "River paths <for everyone>"),
        ("summary", "We want to open the river paths at night.\nTell us which ones you use."),
        ("organisation", "Demo Council"),
        ("respondent_noun", "residents"),
        ("opens_on", "2025-03-10"),
        ("closes_on", closes_on),
        ("results_expected", "Summer 2025"),
        ("accessible_formats", "Ask us for large print."),
        ("objectives", "Safer paths\n- Light the towpath\n- Open the gates later"),
        ("timeline", timeline),
        (
            "documents",
            "The plan | https://example.org/plan.pdf | PDF, 1 MB\nEasy read | /easy.pdf | PDF | easy read",
        ),
        (
            "channels",
            "email | Email | Send us your views. | paths@example.org\nevents | Events | Come and talk to us.",
        ),
        (
            "discussions",
            "which-paths | Which paths? | 2025-03-10 | 2025-04-10\nTell us which paths you use.\n- Which paths do you use after dark?",
        ),
    ]
}

async fn both(backend: Backend) {
    a_draft_with_a_mistake_keeps_what_was_typed_then_is_published(backend).await;
    events_take_registrations_up_to_their_capacity_and_notes_join_the_register(backend).await;
}

#[tokio::test]
async fn back_office_on_sqlite() {
    both(Backend::Sqlite).await;
}

#[tokio::test]
async fn back_office_on_postgres() {
    both(Backend::Postgres).await;
}

async fn a_draft_with_a_mistake_keeps_what_was_typed_then_is_published(backend: Backend) {
    let app = discussions_app(backend).await;
    let (staff, _) = app.signed_in(Role::Host, "Harriet").await;
    app.account(Role::Host, "Dionne", "dionne@example.org").await;
    let dionne =
        app.store.hosts().await.unwrap().into_iter().find(|h| h.display_name == "Dionne").unwrap().id;
    let dionne_field = dionne.to_string();

    // The closing date before the opening date, and a timeline date that is not a date.
    let mut fields = consultation_fields("2025-03-01", "2025-03-10 | Opens\n2025-13-01 | Decision");
    fields.push(("host", &dionne_field));
    let page = staff.submit(NEW, NEW, &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("There is a problem")
        .shows(r##"<a href="#closes_on">The closing date must be on or after the opening date.</a>"##)
        .shows(r##"<a href="#timeline">Timeline, line 2: “2025-13-01” is not a date: write it like 2025-03-18.</a>"##)
        .shows(r#"id="closes_on-error""#)
        // Everything typed is still there, escaped.
        .shows(r#"value="River paths &#60;for everyone&#62;""#)
        .shows("2025-03-10 | Opens\n2025-13-01 | Decision</textarea>")
        .shows("Tell us which paths you use.\n- Which paths do you use after dark?</textarea>")
        .shows(&format!(r#"id="host-{dionne}" name="host" value="{dionne}" checked"#));
    assert!(
        app.store.all_consultations().await.unwrap().iter().all(|c| c.slug != "river-paths"),
        "nothing saved"
    );

    let mut fields = consultation_fields("2025-04-10", "2025-03-10 | Opens\n2025-05-01 | Decision");
    fields.push(("host", &dionne_field));
    let page = staff.submit(NEW, NEW, &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location(), "/admin/consultations/river-paths");
    staff
        .get("/admin/consultations/river-paths")
        .await
        .shows(r#"<p class="stage stage-draft">Draft</p>"#)
        .shows("Created the draft")
        .shows(r#"href="/admin/consultations/river-paths/responses""#)
        .shows(r#"href="/admin/consultations/river-paths/survey""#);
    staff.get("/admin/consultations").await.shows("River paths &#60;for everyone&#62;").shows("Draft");

    // The public sees nothing of a draft.
    let public = app.browser("203.0.113.9");
    assert_eq!(public.get("/consultations/river-paths").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        public.get("/consultations/river-paths/discussions/which-paths").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(public.get("/consultations/river-paths/events").await.status, StatusCode::NOT_FOUND);
    public.get("/").await.lacks("River paths");
    let (resident, _) = app.signed_in(Role::Resident, "Rhys").await;
    assert_eq!(resident.get("/consultations/river-paths").await.status, StatusCode::NOT_FOUND);
    // Staff preview it as the public will see it, marked as a draft.
    staff.get("/consultations/river-paths").await.shows("This is a draft: only staff can see this page");

    // The edit form reads back what was saved, the hosts ticked.
    let edit = staff.get("/admin/consultations/river-paths/edit").await;
    edit.shows("2025-03-10 | Opens\n2025-05-01 | Decision</textarea>")
        .shows("Easy read | /easy.pdf | PDF | easy read")
        .shows(&format!(r#"id="host-{dionne}" name="host" value="{dionne}" checked"#));

    // Publishing asks first, saying what becomes public; the hub's button only leads there.
    staff
        .get("/admin/consultations/river-paths")
        .await
        .shows(r#"<a href="/admin/consultations/river-paths/publish" class="button">Publish…</a>"#);
    staff
        .get("/admin/consultations/river-paths/publish")
        .await
        .shows("<h1>Publish this consultation?</h1>")
        .shows("Its page at /consultations/river-paths: the title, summary, plan and objectives")
        .shows("opening soon until 10 March 2025, then open for responses until the end of 10 April 2025.")
        .shows("1 discussion, with its introductions, prompt questions and hosts&#39; names.")
        .shows(r#"<button type="submit" class="button">Publish</button>"#);
    assert!(!app.store.consultation_for_staff("river-paths").await.unwrap().unwrap().summary.published);
    let page = staff
        .submit("/admin/consultations/river-paths/publish", "/admin/consultations/river-paths/publish", &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // Published, its confirmation page has nothing left to ask.
    assert_eq!(staff.get("/admin/consultations/river-paths/publish").await.status, StatusCode::SEE_OTHER);
    // The clock stands at 2025-03-01: published, it waits for its opening date.
    staff
        .get("/admin/consultations/river-paths")
        .await
        .shows("Scheduled")
        .shows("Published the consultation");
    public.get("/").await.shows("River paths &#60;for everyone&#62;");
    let page = public.get("/consultations/river-paths").await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("Light the towpath").shows("Easy read");
    let discussion = public.get("/consultations/river-paths/discussions/which-paths").await;
    discussion.shows("Which paths do you use after dark?").shows("Dionne");

    // Results wait until it has closed.
    let page = staff
        .submit("/admin/consultations/river-paths", "/admin/consultations/river-paths/publish-results", &[])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("The results were not published");
    app.state.advance_clock(45 * 86_400);
    // Sessions last 30 days: sign in again.
    staff.sign_in("harriet@example.org", crate::PASSWORD).await;
    staff.get("/admin/consultations/river-paths").await.shows("Closed").shows("Publish results");
    staff
        .get("/admin/consultations/river-paths/publish-results")
        .await
        .shows("<h1>Publish the results?</h1>")
        .shows("The results page at /consultations/river-paths/results: 0 residents responded")
        .shows("No analysis is in the results yet")
        .shows("Names, email addresses and what people wrote stay private, except quotes you approved.");
    let page = staff
        .submit(
            "/admin/consultations/river-paths/publish-results",
            "/admin/consultations/river-paths/publish-results",
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    staff.get("/admin/consultations/river-paths").await.shows("Results published").lacks(">Publish results<");
}

async fn events_take_registrations_up_to_their_capacity_and_notes_join_the_register(backend: Backend) {
    let app = discussions_app(backend).await;
    let (staff, _) = app.signed_in(Role::Admin, "Ada").await;
    let events = "/admin/consultations/parks/events";
    let new = "/admin/consultations/parks/events/new";

    // An online event with no joining link is refused, with what was typed kept.
    let typed = [
        ("title", "Parks after dark: online"),
        ("format", "online"),
        ("on_date", "2025-03-20"),
        ("starts_at", "18:30"),
        ("ends_at", "18:00"),
        ("accessibility", "Live captions."),
        ("capacity", "2"),
        ("description", "Hear the plan and tell us what you think."),
    ];
    let page = staff.submit(new, new, &typed).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows(r##"<a href="#ends_at">The end time must be after the start time.</a>"##)
        .shows(r##"<a href="#joining_link">Enter the joining link for an online event.</a>"##)
        .shows(r#"value="Parks after dark: online""#)
        .shows(r#"value="online" checked"#)
        .shows("Live captions.</textarea>");
    let mut fixed = typed.to_vec();
    fixed[4] = ("ends_at", "20:00");
    fixed.push(("joining_link", "https://example.org/join"));
    let page = staff.submit(new, new, &fixed).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let event_page = page.location().to_owned();
    let id: i64 = event_page.rsplit('/').next().unwrap().parse().unwrap();
    staff.get(events).await.shows("Parks after dark: online");

    // The public page lists it, in words and with machine-readable times; the consultation links it.
    let public = app.browser("203.0.113.9");
    public
        .get("/consultations/parks/events")
        .await
        .shows(r#"<time datetime="2025-03-20">Thursday 20 March 2025</time>"#)
        .shows(r#"<time datetime="2025-03-20T18:30">18:30</time>"#)
        .shows("Live captions.")
        .shows("2 places, 2 left")
        .shows(&format!(r#"href="/consultations/parks/events/{id}/register""#));
    public.get("/consultations/parks").await.shows(r#"href="/consultations/parks/events""#);

    // A resident registers with one click; a second time is refused kindly.
    let (rae, _) = app.signed_in(Role::Resident, "Rae").await;
    let register = format!("/consultations/parks/events/{id}/register");
    let page = rae.submit("/consultations/parks/events", &register, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("You have registered your interest");
    let page = rae.submit("/consultations/parks/events", &register, &[]).await;
    page.shows("You have already registered your interest");
    rae.get("/consultations/parks/events").await.shows("You have registered your interest in this event.");

    // A visitor without an account: the form, a mistake, then registered.
    let visitor = app.browser("203.0.113.10");
    let page = visitor.submit(&register, &register, &[("name", "Sam"), ("email", "not an address")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Enter an email address like name@example.com.").shows(r#"value="Sam""#);
    let page = visitor.submit(&register, &register, &[("name", "Sam"), ("email", "sam@example.org")]).await;
    page.shows("You have registered your interest");

    // Now it is full: the page says so, and a forged POST is refused.
    public
        .get("/consultations/parks/events")
        .await
        .shows("This event is full.")
        .shows("Full: all 2 places are taken");
    let late = app.browser("203.0.113.11");
    late.get(&register).await.shows("This event is full.").lacks(r#"name="email""#);
    // A forged POST, with a valid form token from another page.
    let token = late.get("/login").await.csrf();
    let page = late.post(&register, &[("csrf", &token), ("name", "Lee"), ("email", "lee@example.org")]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("Sorry, this event is full");
    assert_eq!(app.store.registrations(id).await.unwrap().len(), 2);
    staff.get(&event_page).await.shows("Who registered interest (2)").shows("Rae").shows("sam@example.org");

    // Notes of what was said wait until the event has happened.
    let notes = format!("{event_page}/notes");
    let before = "Notes from this event cannot be recorded: its day, 20 March 2025 is in the future.";
    staff.get(&event_page).await.shows(before).lacks("Put the note in the register");
    let token = staff.get(&event_page).await.csrf();
    let early = [("csrf", token.as_str()), ("respondent_type", "individual"), ("text_1", "Too early.")];
    let page = staff.post(&notes, &early).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows(before);
    app.state.advance_clock(20 * 86_400);

    // Then: a mistake first, then into the register.
    let page = staff
        .submit(&event_page, &notes, &[("respondent_type", "organisation"), ("text_2", "Lights!")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows(r##"<a href="#organisation">Enter the organisation&#39;s name.</a>"##)
        .shows("Lights!</textarea>");
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    assert_eq!(app.store.respondent_count(parks).await.unwrap(), 0);
    let page = staff
        .submit(
            &event_page,
            &notes,
            &[
                ("respondent_type", "organisation"),
                ("organisation", "Friends of the Park"),
                ("borough", "Hackney"),
                ("text_1", "Our members want the gates open later."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location(), format!("{event_page}?recorded=1#notes"));
    staff
        .get(&format!("{event_page}?recorded=1"))
        .await
        .shows("The note is in the register of responses.")
        .shows("Friends of the Park")
        .shows("Our members want the gates open later.");
    assert_eq!(app.store.respondent_count(parks).await.unwrap(), 1);
    public.get("/consultations/parks").await.shows("1 Londoners has responded").lacks("No responses yet");
    staff.get("/admin/consultations/parks").await.shows("Recorded notes from an event");
}

/// Pages of a consultation that do not exist, or of a draft, are not found for staff either when
/// the address is wrong, and an event of another consultation is not found under this one.
#[tokio::test]
async fn an_event_is_only_found_under_its_own_consultation() {
    let app: TestApp = discussions_app(Backend::Sqlite).await;
    let (staff, _) = app.signed_in(Role::Admin, "Ada").await;
    let new = "/admin/consultations/parks/events/new";
    let fields = [
        ("title", "Walk"),
        ("format", "in-person"),
        ("on_date", "2025-03-20"),
        ("starts_at", "18:00"),
        ("ends_at", "19:00"),
        ("venue", "The bandstand"),
        ("capacity", "5"),
    ];
    let page = staff.submit(new, new, &fields).await;
    let id: i64 = page.location().rsplit('/').next().unwrap().parse().unwrap();
    let visitor: Browser = app.browser("203.0.113.12");
    assert_eq!(
        visitor.get(&format!("/consultations/old/events/{id}/register")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.get(&format!("/admin/consultations/old/events/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(staff.get("/admin/consultations/nothing-here").await.status, StatusCode::NOT_FOUND);
}

/// What staff type about an event is shown as text, never as markup.
#[tokio::test]
async fn event_details_are_escaped() {
    let app = discussions_app(Backend::Sqlite).await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let payload = "<script>alert(1)</script>";
    let event = NewEvent {
        title: format!("Walk {payload}"),
        format: EventFormat::InPerson,
        on_date: Date::parse_iso("2025-03-20").unwrap(),
        starts_at: "18:00".into(),
        ends_at: "19:00".into(),
        venue: format!("1 Park Road\n{payload}"),
        joining_link: String::new(),
        accessibility: payload.into(),
        capacity: 5,
        description: payload.into(),
    };
    app.store.create_event(parks, &event, None, app.state.now()).await.unwrap();
    let page = app.get("/consultations/parks/events").await;
    page.lacks("<script>").shows("Walk &#60;script&#62;alert(1)&#60;/script&#62;").shows("1 Park Road<br>");
}

/// Visitors without an account cannot fill an event with made-up names from one connection.
#[tokio::test]
async fn registrations_without_an_account_are_limited_per_connection() {
    let limits = heard_web::Limits {
        event_registrations_per_address: heard_web::Rate::per_hour(2),
        ..Default::default()
    };
    let app =
        crate::discussions_app_with(Backend::Sqlite, heard_web::Settings { limits, ..Default::default() })
            .await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let event = NewEvent {
        title: "Walk".into(),
        format: EventFormat::InPerson,
        on_date: Date::parse_iso("2025-03-20").unwrap(),
        starts_at: "18:00".into(),
        ends_at: "19:00".into(),
        venue: "The bandstand".into(),
        joining_link: String::new(),
        accessibility: String::new(),
        capacity: 50,
        description: String::new(),
    };
    let id = app.store.create_event(parks, &event, None, app.state.now()).await.unwrap();
    let register = format!("/consultations/parks/events/{id}/register");
    let visitor = app.browser("203.0.113.20");
    for n in 0..2 {
        let email = format!("person{n}@example.org");
        visitor
            .submit(&register, &register, &[("name", "Someone"), ("email", &email)])
            .await
            .shows("You have registered");
    }
    let page = visitor
        .submit(&register, &register, &[("name", "Someone else"), ("email", "third@example.org")])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.shows("Many registrations have come from your connection recently.")
        .shows(r#"value="third@example.org""#);
    assert_eq!(app.store.registrations(id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_place_is_given_back_from_the_confirmation_email_or_signed_in() {
    let (settings, maildir) = crate::password_reset::mail_settings();
    let app = discussions_app_with(Backend::Sqlite, settings).await;
    let (staff, _) = app.signed_in(Role::Admin, "Ada").await;
    let new = "/admin/consultations/parks/events/new";
    let event = [
        ("title", "Walk the park at dusk"),
        ("format", "in-person"),
        ("on_date", "2025-03-20"),
        ("starts_at", "18:30"),
        ("ends_at", "20:00"),
        ("venue", "Park gates\nVictoria Park"),
        ("accessibility", "Step-free paths."),
        ("capacity", "1"),
        ("description", "A walk to see where lights are needed."),
    ];
    let page = staff.submit(new, new, &event).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let id: i64 = page.location().rsplit('/').next().unwrap().parse().unwrap();
    let register = format!("/consultations/parks/events/{id}/register");

    // A visitor registers and is emailed the details and a link that gives the place back.
    let email = format!("walker-{}@example.org", std::process::id());
    let visitor = app.browser("203.0.113.20");
    let page = visitor.submit(&register, &register, &[("name", "Sam"), ("email", &email)]).await;
    page.shows("You have registered your interest").shows("We have emailed you a confirmation");
    let message = crate::password_reset::wait_for_mail(&maildir, &email).await;
    assert!(message.contains("Subject: Your place: Walk the park at dusk"), "{message}");
    assert!(message.contains("Thursday 20 March 2025"), "{message}");
    assert!(message.contains("Park gates, Victoria Park"), "{message}");
    let prefix = format!("http://heard.test/consultations/parks/events/{id}/cancel/");
    let at = message.find(&prefix).expect("the cancel link");
    let link: String = message[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    let path = link.trim_start_matches("http://heard.test").to_owned();

    // Following the link alone cancels nothing (mail scanners follow links); the button does.
    let full = app.browser("203.0.113.21");
    full.get(&register).await.shows("This event is full.");
    let confirm = visitor.get(&path).await;
    assert_eq!(confirm.status, StatusCode::OK);
    confirm.shows("Cancel your place: Walk the park at dusk").shows("registered to Sam");
    assert_eq!(app.store.registrations(id).await.unwrap().len(), 1);
    let done = visitor.submit(&path, &path, &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    done.shows("Your place is cancelled");
    assert!(app.store.registrations(id).await.unwrap().is_empty(), "name and email removed");
    let again = visitor.submit(&register, &path, &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    again.shows("There is no place to cancel");
    let half = &path[..path.len() - 4];
    assert_eq!(visitor.get(half).await.status, StatusCode::NOT_FOUND);

    // The freed place is taken by a resident, who gives it back with one click.
    let (rae, _) = app.signed_in(Role::Resident, "Rae").await;
    rae.submit("/consultations/parks/events", &register, &[])
        .await
        .shows("You have registered your interest");
    let events = rae.get("/consultations/parks/events").await;
    events.shows("You have registered your interest in this event.").shows("Cancel my place");
    let cancel = format!("/consultations/parks/events/{id}/cancel");
    rae.submit("/consultations/parks/events", &cancel, &[]).await.shows("Your place is cancelled");
    rae.get("/consultations/parks/events").await.shows("1 places, 1 left").lacks("Cancel my place");
    // Signed out, the button's address asks to sign in.
    let signed_out = app.browser("203.0.113.22");
    let token = signed_out.get("/login").await.csrf();
    assert_eq!(signed_out.post(&cancel, &[("csrf", &token)]).await.status, StatusCode::SEE_OTHER);
}
