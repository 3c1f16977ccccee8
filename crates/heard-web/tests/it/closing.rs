//! Closing a consultation: "Close now" with its confirmation and log entry, and a closing date
//! brought forward checked against the register before it is saved.

use axum::http::StatusCode;
use heard_store::response_import::parse_response_csv;
use heard_store::*;

use crate::backoffice::consultation_fields;
use crate::{Browser, TestApp, discussions_app, post_comment};

const HUB: &str = "/admin/consultations/parks";
const CLOSE: &str = "/admin/consultations/parks/close";
const TALK: &str = "/consultations/parks/discussions/what-would-help";

async fn host(app: &TestApp) -> Browser {
    app.signed_in(Role::Host, "Harriet").await.0
}

async fn close_now_asks_first_then_closes_and_logs(backend: Backend) {
    let app = discussions_app(backend).await; // the clock stands at 1 March 2025
    let staff = host(&app).await;
    staff.get(HUB).await.shows(&format!(r#"<a href="{CLOSE}" class="button button-warning">Close now…</a>"#));
    staff
        .get(CLOSE)
        .await
        .shows("<h1>Close this consultation now?</h1>")
        .shows("Its closing date becomes 28 February 2025, instead of 1 April 2025, on every page.")
        .shows("Its discussions and survey stop taking comments and answers at once.")
        .shows(r#"<button type="submit" class="button button-warning">Close now</button>"#);
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary;
    assert_eq!(parks.closes_on.to_string(), "2025-04-01", "the confirmation page changes nothing");

    let page = staff.submit(CLOSE, CLOSE, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location(), HUB);
    let hub = staff.get(HUB).await;
    hub.shows(r#"<p class="stage stage-closed">Closed</p>"#)
        .shows("Closed the consultation early: closing date brought forward from 1 April 2025 to 28 February 2025")
        .lacks("Close now");
    // Its discussion, due to run to April, closed with it.
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    alice.get(TALK).await.shows("This discussion closed on 28 February 2025").lacks("<textarea");
    // Sent twice (a double click), it changes nothing more and logs nothing more.
    let token = hub.csrf();
    let again = staff.post(CLOSE, &[("csrf", &token)]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let log = app.store.staff_log(parks.id).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == StaffAction::CloseConsultation).count(), 1);
    assert_eq!(
        app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.closes_on.to_string(),
        "2025-02-28"
    );
    assert_eq!(staff.get(CLOSE).await.status, StatusCode::SEE_OTHER, "nothing to confirm once closed");
    // A draft cannot be closed: it was never open.
    let created = staff
        .submit(
            "/admin/consultations/new",
            "/admin/consultations/new",
            &crate::backoffice::consultation_fields("2025-04-10", "2025-03-10 | Opens"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let draft = staff.post("/admin/consultations/river-paths/close", &[("csrf", &token)]).await;
    assert_eq!(draft.status, StatusCode::CONFLICT);
    draft.shows("The consultation was not closed: only an open consultation can be closed.");
}

#[tokio::test]
async fn close_now_on_sqlite() {
    close_now_asks_first_then_closes_and_logs(Backend::Sqlite).await;
}

#[tokio::test]
async fn close_now_on_postgres() {
    close_now_asks_first_then_closes_and_logs(Backend::Postgres).await;
}

#[tokio::test]
async fn a_consultation_cannot_be_closed_on_its_opening_day() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    let id = app.store.consultation_by_slug("soon").await.unwrap().unwrap().summary.id;
    // "soon" opens on 1 May 2025: move the clock to that day.
    app.state.advance_clock(61 * 86_400);
    staff.sign_in("harriet@example.org", crate::PASSWORD).await;
    let token = staff.get("/admin/consultations/soon").await.csrf();
    let page = staff.post("/admin/consultations/soon/close", &[("csrf", &token)]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("it opened today, so it can be closed from tomorrow");
    assert_eq!(app.store.staff_log(id).await.unwrap().len(), 0, "nothing logged");
}

async fn an_earlier_closing_date_names_what_arrived_after_it(backend: Backend) {
    let app = discussions_app(backend).await;
    let staff = host(&app).await;
    const EDIT: &str = "/admin/consultations/river-paths/edit";
    let timeline = "2025-03-10 | Opens";
    let created = staff
        .submit(
            "/admin/consultations/new",
            "/admin/consultations/new",
            &consultation_fields("2025-04-10", timeline),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let id = app.store.consultation_for_staff("river-paths").await.unwrap().unwrap().summary.id;
    let admin = app.store.hosts().await.unwrap()[0].id;
    assert!(app.store.publish_consultation(id, admin, app.state.now()).await.unwrap());
    app.state.advance_clock(20 * 86_400); // 21 March 2025
    staff.sign_in("harriet@example.org", crate::PASSWORD).await;
    let (rhys, _) = app.signed_in(Role::Resident, "Rhys").await;
    post_comment(&rhys, "/consultations/river-paths/discussions/which-paths", "Light the towpath.", None)
        .await;
    let csv = "channel,received,respondent_type,organisation,borough,text\n\
               email,2025-03-20,individual,,,An email\n\
               post,2025-03-12,individual,,,A letter in time\n";
    app.store
        .import_responses(id, &parse_response_csv(csv.as_bytes(), &Areas::london()).unwrap(), None)
        .await
        .unwrap();

    // A closing date before the opening one: a clear error, everything typed kept.
    let backwards = staff.submit(EDIT, EDIT, &consultation_fields("2025-03-01", timeline)).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    backwards
        .shows(r##"<a href="#closes_on">The closing date must be on or after the opening date.</a>"##)
        .shows(r#"value="2025-03-01""#)
        .shows(r#"value="River paths &#60;for everyone&#62;""#)
        .shows("Tell us which paths you use.\n- Which paths do you use after dark?</textarea>");

    // Brought forward to 15 March: the comment and the email came after; the letter did not.
    let page = staff.submit(EDIT, EDIT, &consultation_fields("2025-03-15", timeline)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    page.shows("2 responses were received after 15 March 2025 (1 online, 1 by email).")
        .shows("To close on this date anyway, save again.")
        .shows(r#"name="confirm_closes_on" value="2025-03-15""#)
        .shows(r#"value="2025-03-15""#);
    let stored = app.store.consultation_for_staff("river-paths").await.unwrap().unwrap().summary;
    assert_eq!(stored.closes_on.to_string(), "2025-04-10", "nothing saved before it is confirmed");

    // Saved again from that page, the date is kept.
    let mut fields = consultation_fields("2025-03-15", timeline);
    fields.push(("confirm_closes_on", "2025-03-15"));
    let saved = staff.post(EDIT, &[vec![("csrf", page.csrf().as_str())], fields].concat()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let stored = app.store.consultation_for_staff("river-paths").await.unwrap().unwrap().summary;
    assert_eq!(stored.closes_on.to_string(), "2025-03-15");

    // A confirmation for another date does not do for this one.
    let mut fields = consultation_fields("2025-03-11", timeline);
    fields.push(("confirm_closes_on", "2025-03-15"));
    let other = staff.post(EDIT, &[vec![("csrf", page.csrf().as_str())], fields].concat()).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    other.shows("3 responses were received after 11 March 2025 (1 online, 1 by email, 1 by post).");
}

#[tokio::test]
async fn an_earlier_closing_date_is_checked_on_sqlite() {
    an_earlier_closing_date_names_what_arrived_after_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_earlier_closing_date_is_checked_on_postgres() {
    an_earlier_closing_date_names_what_arrived_after_it(Backend::Postgres).await;
}

async fn a_closed_consultation_no_longer_invites_registrations_for_its_events(backend: Backend) {
    let app = discussions_app(backend).await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let event = NewEvent {
        title: "Walk in the park".into(),
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
    const EVENTS: &str = "/consultations/parks/events";
    let register = format!("{EVENTS}/{id}/register");
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let page = alice.submit(EVENTS, &register, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    app.get("/consultations/parks").await.shows("See the events and register your interest");

    let staff = host(&app).await;
    assert_eq!(staff.submit(CLOSE, CLOSE, &[]).await.status, StatusCode::SEE_OTHER);

    let public = app.get(EVENTS).await;
    public
        .shows("This consultation closed on 28 February 2025, so its events no longer take registrations.")
        .shows("Walk in the park")
        .lacks("Register interest");
    app.get("/consultations/parks").await.lacks("register your interest");
    let form = app.get(&register).await;
    form.shows("This consultation has closed").lacks(r#"name="email""#);
    // Alice keeps her place, and can still give it back.
    alice.get(EVENTS).await.shows("You have registered your interest").shows("Cancel my place");
    // A registration sent anyway is refused, and nothing is added.
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let token = bob.get(EVENTS).await.csrf();
    let refused = bob.post(&register, &[("csrf", &token)]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.shows("It closed on 28 February 2025, so its events no longer take registrations.");
    assert_eq!(app.store.registrations(id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn closed_consultation_events_take_no_registrations_on_sqlite() {
    a_closed_consultation_no_longer_invites_registrations_for_its_events(Backend::Sqlite).await;
}

#[tokio::test]
async fn closed_consultation_events_take_no_registrations_on_postgres() {
    a_closed_consultation_no_longer_invites_registrations_for_its_events(Backend::Postgres).await;
}

/// Regression: a closed consultation whose ways to respond include events still said "Come to an
/// event" above the link to the events that were held.
#[tokio::test]
async fn a_closed_consultation_names_its_events_without_inviting_people_to_them() {
    let app = crate::TestApp::new(Backend::Sqlite, "2025-03-01").await;
    for (slug, opens, closes) in [("parks", "2025-02-01", "2025-04-01"), ("old", "2024-01-01", "2024-02-01")]
    {
        let mut new = crate::new_consultation(slug, opens, closes);
        new.channels = vec![Channel {
            kind: ChannelKind::Events,
            title: "Events".into(),
            detail: "Meet the team.".into(),
            address: String::new(),
        }];
        let id = app.store.create_consultation(&new).await.unwrap();
        let event = NewEvent {
            title: "Walk in the park".into(),
            format: EventFormat::InPerson,
            on_date: Date::parse_iso(opens).unwrap().add_days(7),
            starts_at: "18:00".into(),
            ends_at: "19:00".into(),
            venue: "The bandstand".into(),
            joining_link: String::new(),
            accessibility: String::new(),
            capacity: 50,
            description: String::new(),
        };
        app.store.create_event(id, &event, None, app.state.now()).await.unwrap();
    }
    app.get("/consultations/parks")
        .await
        .shows("<h3>Come to an event</h3>")
        .shows("See the events and register your interest");
    app.get("/consultations/old")
        .await
        .shows("<h3>Events</h3>")
        .shows("See the events that were held")
        .lacks("Come to an event")
        .lacks("register your interest");
}

/// Summer time: a discussion closing on 30 June takes comments until 23:59 BST, and not after,
/// though it is still 30 June in UTC until 01:00 BST; and times on pages are shown in BST.
#[tokio::test]
async fn a_discussion_closes_at_midnight_local_time_in_summer() {
    let app = crate::TestApp::new(Backend::Sqlite, "2025-06-30").await; // noon UTC, 13:00 BST
    let id = app
        .store
        .create_consultation(&crate::new_consultation("summer", "2025-06-01", "2025-06-30"))
        .await
        .unwrap();
    let talk = NewDiscussion {
        slug: "talk".into(),
        title: "Talk about summer".into(),
        intro: "Tell us.".into(),
        opens_on: Date::parse_iso("2025-06-01").unwrap(),
        closes_on: Date::parse_iso("2025-06-30").unwrap(),
        questions: vec![],
        hosts: vec![],
        host_organisation: String::new(),
    };
    app.store.create_discussion(id, &talk).await.unwrap();
    const TALK: &str = "/consultations/summer/discussions/talk";
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    app.state.advance_clock(10 * 3600 + 45 * 60); // 22:45 UTC, 23:45 BST
    post_comment(&alice, TALK, "Shade by the play area, please.", None).await;
    alice.get(TALK).await.shows(r#"datetime="2025-06-30T23:45:00+01:00""#);
    let (staff, _) = app.signed_in(Role::Admin, "Ada").await;
    app.state.advance_clock(30 * 60); // 23:15 UTC on 30 June, 00:15 BST on 1 July
    let page = alice.get(TALK).await;
    page.shows("This discussion closed on 30 June 2025").lacks("<textarea");
    let token = page.csrf();
    let refused =
        alice.post(&format!("{TALK}/comments"), &[("csrf", &token), ("body", "One more thing.")]).await;
    refused.shows("closed").shows("One more thing.");
    // The staff log on the hub is in local time too.
    let hub = "/admin/consultations/summer";
    let page = staff.submit(&format!("{hub}/publish-results"), &format!("{hub}/publish-results"), &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    staff.get(hub).await.shows("1 July 2025, 00:15").shows(r#"datetime="2025-07-01T00:15:00+01:00""#);
}
