//! Personal data through the pages: the privacy notice and where it is linked, consent for
//! special-category answers, confirming an email address by a link mailed through a real SMTP
//! server, the download, and what deleting an account removes and keeps.

use axum::http::StatusCode;
use heard_store::*;
use heard_web::Settings;

use crate::password_reset::{mail_settings, mail_to, wait_for_mail};
use crate::{Browser, OPEN, PASSWORD, TestApp, discussions_app, discussions_app_with, post_comment};

fn named_settings(settings: Settings) -> Settings {
    Settings {
        organisation: "Borough of Testford".into(),
        privacy_contact: "dpo@testford.example".into(),
        ..settings
    }
}

async fn an_event(app: &TestApp) -> i64 {
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
    app.store.create_event(parks, &event, None, app.state.now()).await.unwrap()
}

#[tokio::test]
async fn the_privacy_notice_names_the_organisation_and_every_form_for_personal_data_links_to_it() {
    let app = discussions_app_with(Backend::Sqlite, named_settings(Settings::default())).await;
    let notice = app.get("/privacy").await;
    assert_eq!(notice.status, StatusCode::OK);
    notice
        .shows("<h1>Privacy notice</h1>")
        .shows("This site is run by Borough of Testford, which is the controller")
        .shows("<strong>dpo@testford.example</strong>")
        .shows("<strong>public task</strong> (UK GDPR Article 6(1)(e))")
        .shows("<strong>explicit consent</strong> (UK GDPR Article 9(2)(a))")
        .shows("If you register interest in an event")
        .shows("If you respond by email, post, phone or at an event")
        .shows("To see your data (access)")
        .shows("To have it corrected (rectification)")
        .shows("To have it deleted (erasure)")
        .shows("To restrict or object to its use (restriction and objection)")
        .shows(r#"<a href="https://ico.org.uk/make-a-complaint/">"#)
        .lacks("This is a demonstration")
        .lacks("after a consultation's results are published we remove");
    let keeping = Settings { retention_months: Some(12), ..named_settings(Settings::default()) };
    let kept = TestApp::with_settings(Backend::Sqlite, "2025-03-01", keeping).await;
    kept.get("/privacy")
        .await
        .shows("12 months after a consultation's results are published we remove the personal data");
    let link = r#"<a href="/privacy">"#;
    app.get("/").await.shows(r#"<li><a href="/privacy">Privacy notice</a></li>"#);
    app.get("/register").await.shows(link);
    let event = an_event(&app).await;
    app.browser("203.0.113.9")
        .get(&format!("/consultations/parks/events/{event}/register"))
        .await
        .shows(link);
    crate::survey::survey_on(&app, "parks", true).await;
    app.browser("203.0.113.9").get("/consultations/parks/survey").await.shows(link);
    let (resident, _) = app.signed_in(Role::Resident, "Rae").await;
    let discussion = resident.get(OPEN).await;
    let form = &discussion.html[discussion.html.find("Add your comment").unwrap()..];
    assert!(form[..form.find("</form>").unwrap()].contains(link), "the comment form links the notice");
}

#[tokio::test]
async fn without_an_organisation_the_notice_still_reads_and_the_demo_says_it_is_one() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.get("/privacy")
        .await
        .shows("This site is run by the organisation running this site")
        .shows("use the contact details on the page of the consultation");
    let demo =
        TestApp::with_settings(Backend::Sqlite, "2025-03-01", Settings { demo: true, ..Settings::default() })
            .await;
    demo.get("/privacy")
        .await
        .shows("This is a demonstration of heard. No real organisation runs it")
        .shows("This site is run by the people running this demonstration");
}

#[tokio::test]
async fn an_operators_own_notice_replaces_the_default_and_is_escaped() {
    let text = "# Privacy\n\nThe Testford Council <script>alert(1)</script> holds your data.\n\n## Rights\n- to see it\n- to delete it";
    let settings = Settings { privacy_notice: Some(text.into()), ..named_settings(Settings::default()) };
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    app.get("/privacy")
        .await
        .shows("<p>The Testford Council &#60;script&#62;alert(1)&#60;/script&#62; holds your data.</p>")
        .shows("<h2>Rights</h2>")
        .shows("<ul><li>to see it</li><li>to delete it</li></ul>")
        .lacks("<script>")
        .lacks("controller of the personal data");
}

fn registration<'a>(email: &'a str, ethnic_group: &'a str, consent: bool) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("display_name", "Noor"),
        ("email", email),
        ("password", PASSWORD),
        ("sixteen", "yes"),
        ("borough", "Hackney"),
        ("age_band", "25 to 34"),
        ("ethnic_group", ethnic_group),
        ("disability", "No"),
    ];
    if consent {
        fields.push(("special_consent", "yes"));
    }
    fields
}

async fn special_category_answers_need_a_ticked_box(backend: Backend) {
    let app = discussions_app(backend).await;
    let browser = app.browser("198.51.100.1");
    let form = browser.get("/register").await;
    form.shows("We ask these two questions to see whether people of every ethnic group, and disabled people")
        .shows("If you do not tick it, we will not keep these two answers.")
        .shows(r#"<input type="checkbox" id="special_consent" name="special_consent" value="yes">"#);
    let refused =
        browser.submit("/register", "/register", &registration("noor@example.org", "White", false)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.html);
    refused
        .shows("Tick the box to let us keep your answers about ethnic group and disability")
        .shows(r##"<a href="#special_consent">"##)
        .shows(r#"value="Noor""#)
        .shows(r#"value="noor@example.org""#)
        .shows(r#"<option value="Hackney" selected>"#)
        .shows(r#"<option value="25 to 34" selected>"#)
        .shows(r#"<option value="White" selected>"#);
    assert!(app.store.account_by_email("noor@example.org").await.unwrap().is_none(), "nothing kept");
    let done =
        browser.submit("/register", "/register", &registration("noor@example.org", "White", true)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let account = app.store.account_by_email("noor@example.org").await.unwrap().unwrap();
    assert_eq!(account.demographics.ethnic_group.as_deref(), Some("White"));
    assert_eq!(account.demographics.disability.as_deref(), Some("No"));
    assert!(account.special_category_consent_at.is_some());
    // The account page offers to withdraw the consent, which deletes the two answers.
    let page = browser.get("/account").await;
    page.shows("You gave your consent on 1 March 2025").shows("Withdraw my consent and delete these answers");
    let gone = browser.submit("/account", "/account/special-category/withdraw", &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let account = app.store.account_by_email("noor@example.org").await.unwrap().unwrap();
    assert_eq!((account.demographics.ethnic_group, account.demographics.disability), (None, None));
    assert_eq!(account.demographics.age_band.as_deref(), Some("25 to 34"), "the rest stays");
    browser.get("/account").await.lacks("Withdraw my consent");
    // A ticked box with nothing to keep records no consent.
    let other = app.browser("198.51.100.2");
    let mut fields = registration("nia@example.org", "", true);
    fields.retain(|(k, _)| *k != "disability");
    assert_eq!(other.submit("/register", "/register", &fields).await.status, StatusCode::SEE_OTHER);
    let nia = app.store.account_by_email("nia@example.org").await.unwrap().unwrap();
    assert_eq!(nia.special_category_consent_at, None);
}

#[tokio::test]
async fn special_category_consent_on_sqlite() {
    special_category_answers_need_a_ticked_box(Backend::Sqlite).await;
}

#[tokio::test]
async fn special_category_consent_on_postgres() {
    special_category_answers_need_a_ticked_box(Backend::Postgres).await;
}

/// The link in the last of `count` messages to `to` that starts with `prefix`, as a path.
async fn link_in_mail(maildir: &std::path::PathBuf, to: &str, count: usize, prefix: &str) -> Vec<String> {
    let start = std::time::Instant::now();
    loop {
        let messages = mail_to(maildir, to);
        if messages.len() >= count {
            return messages
                .iter()
                .map(|m| {
                    let at = m.find(prefix).unwrap_or_else(|| panic!("no {prefix} in:\n{m}"));
                    let link: String = m[at..].chars().take_while(|c| !c.is_whitespace()).collect();
                    link.trim_start_matches("http://heard.test").to_owned()
                })
                .collect();
        }
        assert!(start.elapsed().as_secs() < 10, "{count} messages to {to} did not arrive");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn an_address_links_responses_once_its_owner_follows_the_mailed_link(backend: Backend) {
    let (settings, maildir) = mail_settings();
    let app = discussions_app_with(backend, settings).await;
    let email = format!("kemi-{}-{backend:?}@example.org", std::process::id()).to_lowercase();
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    // A letter from the address, typed in by staff, before anyone registers with it.
    let letter = NewResponse {
        consultation_id: parks,
        channel: ResponseChannel::Post,
        source: ResponseSource::Staff,
        received_on: Date::parse_iso("2025-02-20").unwrap(),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: String::new(),
        user_id: None,
        email: Some(email.to_uppercase()),
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: "A letter about the lake".into() }],
        attachment: None,
    };
    app.store.record_responses(&[letter]).await.unwrap();

    let browser = app.browser("198.51.100.30");
    let fields =
        [("display_name", "Kemi"), ("email", email.as_str()), ("password", PASSWORD), ("sixteen", "yes")];
    browser.submit("/register", "/register", &fields).await.shows("Check your email");
    let welcome = wait_for_mail(&maildir, &email).await;
    assert!(welcome.contains("Subject: Confirm your email address"), "{welcome}");
    assert!(welcome.contains("within two days"), "{welcome}");
    assert_eq!(
        browser.sign_in(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "unconfirmed can sign in"
    );
    post_comment(&browser, OPEN, "The paths need lights.", None).await;

    // Unconfirmed: the letter is someone else's, as far as anyone can tell.
    assert_eq!(app.store.respondent_count(parks).await.unwrap(), 2);
    let account = browser.get("/account").await;
    account
        .shows("<strong>(not confirmed)</strong>")
        .shows("Your email address is not confirmed")
        .shows("Send the link again");
    assert!(!browser.get("/account/data").await.html.contains("A letter about the lake"));

    // Asking again sends a second link; either works until one is used.
    browser.submit("/account", "/account/confirm", &[]).await.shows("We have sent a link to");
    let links = link_in_mail(&maildir, &email, 2, "http://heard.test/account/confirm/").await;
    assert_ne!(links[0], links[1]);

    // Opening the link shows a button and changes nothing (mail programs open links to look).
    let phone = app.browser("198.51.100.31");
    let page = phone.get(&links[0]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("<h1>Confirm your email address</h1>").shows("Confirm my email address");
    assert_eq!(app.store.respondent_count(parks).await.unwrap(), 2);
    let done = phone.submit(&links[0], &links[0], &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    done.shows("Your email address is confirmed").shows(r#"<a href="/login">Sign in</a>"#);

    assert_eq!(app.store.respondent_count(parks).await.unwrap(), 1, "one person, in two channels");
    browser.get("/account").await.shows("(confirmed on 1 March 2025)").lacks("Send the link again");
    let data = browser.get("/account/data").await;
    let json: serde_json::Value = serde_json::from_str(&data.html).unwrap();
    assert_eq!(json["responses"][0]["texts"][0]["text"], "A letter about the lake");
    assert_eq!(json["responses"][0]["linked_by"], "email address");
    // A used link is gone.
    assert_eq!(phone.get(&links[0]).await.status, StatusCode::GONE);
    phone.get(&links[0]).await.shows("This link has expired");
}

#[tokio::test]
async fn confirming_an_address_by_email_on_sqlite() {
    an_address_links_responses_once_its_owner_follows_the_mailed_link(Backend::Sqlite).await;
}

#[tokio::test]
async fn confirming_an_address_by_email_on_postgres() {
    an_address_links_responses_once_its_owner_follows_the_mailed_link(Backend::Postgres).await;
}

#[tokio::test]
async fn a_confirmation_link_expires_after_two_days() {
    let (settings, maildir) = mail_settings();
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    let email = format!("late-confirm-{}@example.org", std::process::id());
    let browser = app.browser("198.51.100.32");
    let fields =
        [("display_name", "Late"), ("email", email.as_str()), ("password", PASSWORD), ("sixteen", "yes")];
    browser.submit("/register", "/register", &fields).await;
    let link = link_in_mail(&maildir, &email, 1, "http://heard.test/account/confirm/").await.remove(0);
    app.state.advance_clock(2 * 86_400 + 1);
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::GONE);
    page.shows("ask for a new one on your account page");
    assert!(app.store.account_by_email(&email).await.unwrap().unwrap().email_confirmed_at.is_none());
}

#[tokio::test]
async fn without_mail_an_account_stays_unconfirmed_and_says_what_that_means() {
    let app = discussions_app(Backend::Sqlite).await;
    let browser = app.browser("198.51.100.33");
    let fields =
        [("display_name", "Ola"), ("email", "ola@example.org"), ("password", PASSWORD), ("sixteen", "yes")];
    let done = browser.submit("/register", "/register", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "signed in at once, as before");
    browser
        .get("/account")
        .await
        .shows("<strong>(not confirmed)</strong>")
        .shows("emails, letters or places at events that come from it are not counted as yours")
        .shows("This site cannot send email, so your address cannot be confirmed here.")
        .lacks("Send the link again");
    let refused = browser.submit("/account", "/account/confirm", &[]).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    // A visitor registering for an event with that address is not taken for the account.
    let event = an_event(&app).await;
    let register = format!("/consultations/parks/events/{event}/register");
    let visitor = app.browser("198.51.100.34");
    visitor.submit(&register, &register, &[("name", "Someone"), ("email", "OLA@example.org")]).await;
    let places = app.store.registrations(event).await.unwrap();
    assert_eq!(places.len(), 1);
    assert!(!places[0].has_account, "an unconfirmed address links nothing");
}

async fn delete(browser: &Browser, comments: &str, words: &str, password: &str) -> crate::Page {
    browser
        .submit(
            "/account/delete",
            "/account/delete",
            &[("comments", comments), ("words", words), ("password", password)],
        )
        .await
}

async fn the_delete_page_says_what_goes_and_what_stays(backend: Backend) {
    let app = discussions_app(backend).await;
    let (rae, rae_id) = app.signed_in(Role::Resident, "Rae").await;
    post_comment(&rae, OPEN, "Lights by the lake.", None).await;
    let event = an_event(&app).await;
    let register = format!("/consultations/parks/events/{event}/register");
    rae.submit(&register, &register, &[]).await.shows("You have registered your interest");
    let page = rae.get("/account/delete").await;
    page.shows("<li>1 comment or reply</li>")
        .shows("<li>1 place at an event</li>")
        .shows("What is kept, and why")
        .shows("so that our moderators' decisions still make sense")
        .shows("it stays for our moderators even if you remove your comments, hidden from everyone else")
        .shows(r#"<input type="radio" id="words-remove" name="words" value="remove" checked>"#)
        .shows("Keep my words, anonymously, so they still count");
    // A wrong password keeps both choices as they were made.
    let wrong = delete(&rae, "remove", "keep", "not my password").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong
        .shows("That password is not right.")
        .shows(r#"id="comments-remove" name="comments" value="remove" checked"#)
        .shows(r#"id="words-keep" name="words" value="keep" checked"#);
    let missing = delete(&rae, "keep", "", PASSWORD).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.shows("Choose what should happen to your survey answers and other responses.");
    let done = delete(&rae, "keep", "remove", PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    done.shows("your places at events").shows("Your survey answers and other responses have been removed.");
    assert!(
        app.store.registrations(event).await.unwrap().is_empty(),
        "the place and the name on it are gone"
    );
    assert!(app.store.account(rae_id).await.unwrap().is_none());
}

#[tokio::test]
async fn deleting_an_account_on_sqlite() {
    the_delete_page_says_what_goes_and_what_stays(Backend::Sqlite).await;
}

#[tokio::test]
async fn deleting_an_account_on_postgres() {
    the_delete_page_says_what_goes_and_what_stays(Backend::Postgres).await;
}

async fn staff_correct_and_delete_a_letter_they_entered_with_a_reason(backend: Backend) {
    let app = discussions_app(backend).await;
    let (host, _) = app.signed_in(Role::Host, "Hana").await;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let letter = |text: &str, source| NewResponse {
        consultation_id: parks,
        channel: ResponseChannel::Post,
        source,
        received_on: Date::parse_iso("2025-02-20").unwrap(),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: String::new(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: None,
    };
    let ids = app
        .store
        .record_responses(&[
            letter("The lake neds lights.", ResponseSource::Staff),
            letter("A survey answer of a resident", ResponseSource::Survey),
        ])
        .await
        .unwrap();
    let (letter_id, survey_id) = (ids[0], ids[1]);
    let register = "/admin/consultations/parks/responses";
    let listed = host.get(register).await;
    let edit = format!("{register}/{letter_id}");
    listed.shows(&format!(r#"<a href="{edit}">Correct or delete"#));
    assert_eq!(
        listed.count("Correct or delete<span"),
        1,
        "a resident's own survey answer is not staff's to correct"
    );
    assert_eq!(host.get(&format!("{register}/{survey_id}")).await.status, StatusCode::NOT_FOUND);

    // Without a reason nothing is saved, and the corrected text stays in the form.
    let fields = [
        ("respondent_type", "individual"),
        ("borough", "Hackney"),
        ("email", ""),
        ("text-0", "The lake needs lights."),
    ];
    let refused = host.submit(&edit, &edit, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused
        .shows("Say why you correct this response: it goes in the staff log.")
        .shows(">The lake needs lights.</textarea>");
    assert_eq!(
        app.store.entered_response(parks, letter_id).await.unwrap().unwrap().texts[0].text,
        "The lake neds lights."
    );
    let mut with_reason = fields.to_vec();
    with_reason.push(("reason", "A typing mistake"));
    let saved = host.submit(&edit, &edit, &with_reason).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let corrected = app.store.entered_response(parks, letter_id).await.unwrap().unwrap();
    assert_eq!(corrected.texts[0].text, "The lake needs lights.");
    assert_eq!(corrected.borough, "Hackney");
    let log = app.store.staff_log(parks).await.unwrap();
    assert_eq!(log[0].action, StaffAction::CorrectResponse);
    assert_eq!(log[0].detail, format!("r{letter_id}: A typing mistake"));
    assert_eq!(log[0].actor.as_ref().unwrap().display_name, "Hana");

    let delete = format!("{edit}/delete");
    let refused = host.submit(&edit, &delete, &[("reason", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.shows("Say why you delete this response");
    let gone = host.submit(&edit, &delete, &[("reason", "Entered twice")]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(app.store.entered_response(parks, letter_id).await.unwrap().is_none());
    host.get(register).await.lacks("The lake needs lights.").shows("A survey answer of a resident");
    let log = app.store.staff_log(parks).await.unwrap();
    assert_eq!(log[0].action, StaffAction::DeleteResponse);
    assert_eq!(log[0].detail, format!("r{letter_id}: Entered twice"));
    // A resident cannot reach the form.
    let (resident, _) = app.signed_in(Role::Resident, "Rae").await;
    assert_ne!(resident.get(&edit).await.status, StatusCode::OK);
}

#[tokio::test]
async fn staff_correct_and_delete_responses_on_sqlite() {
    staff_correct_and_delete_a_letter_they_entered_with_a_reason(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_correct_and_delete_responses_on_postgres() {
    staff_correct_and_delete_a_letter_they_entered_with_a_reason(Backend::Postgres).await;
}
