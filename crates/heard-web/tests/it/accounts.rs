//! Registering, signing in and out, sessions and their cookies, lock-outs, and a person's own data.

use axum::http::StatusCode;
use heard_store::*;

use crate::{OPEN, PASSWORD, TestApp, discussions_app, post_comment};

fn registration<'a>(name: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", name),
        ("email", email),
        ("password", PASSWORD),
        ("sixteen", "yes"),
        ("borough", "Tower Hamlets"),
        ("age_band", "25 to 34"),
        ("gender", PREFER_NOT_TO_SAY),
        ("ethnic_group", ""),
        ("disability", "No"),
        // Disability is special-category data: kept only with this box ticked.
        ("special_consent", "yes"),
    ]
}

async fn registering_signs_you_in_and_keeps_your_answers(backend: Backend) {
    let app = discussions_app(backend).await;
    let browser = app.browser("198.51.100.1");
    let form = browser.get(&format!("/register?next={OPEN}")).await;
    form.shows("<h1>Register to take part</h1>")
        .shows(r#"<option value="City of London">City of London</option>"#)
        .shows(r#"<option value="Westminster">Westminster</option>"#)
        .shows(r#"<option value="Prefer not to say">Prefer not to say</option>"#)
        .shows("Are you 16 or over?");
    let boroughs = &form.html[form.html.find(r#"<select id="borough""#).unwrap()..];
    let boroughs = &boroughs[..boroughs.find("</select>").unwrap()];
    assert_eq!(boroughs.matches("<option value=").count(), 33 + 1, "33 boroughs and \"Not answered\"");
    let mut fields = registration("Alice", "Alice@Example.org");
    fields.push(("next", OPEN));
    let done = browser.submit("/register", "/register", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location(), OPEN, "back to where they came from");
    let cookie = done.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("heard_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    browser
        .get(OPEN)
        .await
        .shows("Add your comment")
        .shows("Your account<span class=\"visually-hidden\"> (Alice)</span>");
    let account = app.store.account_by_email("alice@example.org").await.unwrap().unwrap();
    assert_eq!(account.borough.as_deref(), Some("Tower Hamlets"));
    assert_eq!(account.demographics.age_band.as_deref(), Some("25 to 34"));
    assert_eq!(account.demographics.gender.as_deref(), Some(PREFER_NOT_TO_SAY));
    assert_eq!(account.demographics.ethnic_group, None, "left blank");
    assert_eq!(account.demographics.disability.as_deref(), Some("No"));
    assert!(account.special_category_consent_at.is_some(), "consent recorded with the answer");
    assert!(account.email_confirmed_at.is_none(), "nobody has shown the address is theirs yet");
    assert_eq!(account.user.role, Role::Resident);
    let credentials = app.store.credentials("alice@example.org").await.unwrap().unwrap();
    assert!(credentials.password_hash.starts_with("$argon2id$"), "Argon2id, never the password");
    assert!(!credentials.password_hash.contains(PASSWORD));
}

#[tokio::test]
async fn registering_on_sqlite() {
    registering_signs_you_in_and_keeps_your_answers(Backend::Sqlite).await;
}

#[tokio::test]
async fn registering_on_postgres() {
    registering_signs_you_in_and_keeps_your_answers(Backend::Postgres).await;
}

#[tokio::test]
async fn registration_errors_say_what_is_wrong_and_keep_what_was_typed() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    let browser = app.browser("198.51.100.1");
    let page = browser
        .submit(
            "/register",
            "/register",
            &[
                ("display_name", "  "),
                ("email", "alice at example"),
                ("password", "short"),
                ("borough", "Hackney"),
                ("gender", "Woman"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("<title>Error: Register | heard</title>")
        .shows("There is a problem")
        .shows(r##"<a href="#display_name">Enter the name to show beside your comments.</a>"##)
        .shows("Enter an email address like name@example.com.")
        .shows("Your password needs at least 10 characters.")
        .shows(r##"<a href="#sixteen-yes">Tell us whether you are 16 or over.</a>"##)
        .shows(r#"value="alice at example""#)
        .shows(r#"<option value="Hackney" selected>Hackney</option>"#)
        .shows(r#"<option value="Woman" selected>Woman</option>"#)
        .shows(r#"aria-invalid="true""#);
    assert!(app.store.accounts(10).await.unwrap().is_empty());
    // The same address twice, in another case.
    app.account(Role::Resident, "Alice", "alice@example.org").await;
    let taken =
        browser.submit("/register", "/register", &registration("Alice Two", "ALICE@example.org")).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.shows("There is already an account with this email address.").shows(r#"value="Alice Two""#);
}

#[tokio::test]
async fn under_sixteens_are_refused_kindly_and_nothing_is_kept() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    let browser = app.browser("198.51.100.1");
    let mut fields = registration("Sam", "sam@example.org");
    fields.retain(|(k, _)| *k != "sixteen");
    fields.push(("sixteen", "no"));
    let page = browser.submit("/register", "/register", &fields).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("You need to be 16 or over to register")
        .shows("Thank you for wanting to have your say")
        .shows("we have not kept anything you typed")
        .shows("Childline")
        .lacks("sam@example.org");
    assert!(app.store.account_by_email("sam@example.org").await.unwrap().is_none());
    assert!(browser.cookie("heard_session").is_none());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.account(Role::Resident, "Alice", "alice@example.org").await;
    let browser = app.browser("198.51.100.1");
    let wrong = browser.sign_in("alice@example.org", "not the password").await;
    let unknown = browser.sign_in("nobody@example.org", "not the password").await;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        page.shows("The email address or password is not right.");
    }
    assert_eq!(wrong.html.replace("alice@", "nobody@"), unknown.html.replace(&unknown.csrf(), &wrong.csrf()));
    wrong.shows(r#"value="alice@example.org""#).lacks("not the password");
}

#[tokio::test]
async fn signing_in_renews_the_session_and_signing_out_ends_it() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.account(Role::Resident, "Alice", "alice@example.org").await;
    let browser = app.browser("198.51.100.1");
    browser.sign_in("alice@example.org", PASSWORD).await;
    let first = browser.cookie("heard_session").unwrap();
    let again = browser.sign_in("alice@example.org", PASSWORD).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = browser.cookie("heard_session").unwrap();
    assert_ne!(first, second, "a new session on every sign-in");
    // The old token no longer works.
    let stale = app.browser("198.51.100.2");
    stale.set_cookie("heard_session", &first);
    assert!(stale.get("/account").await.location().starts_with("/login"), "the old session has ended");
    let account = browser.get("/account").await;
    account.shows("alice@example.org");
    assert_eq!(account.headers.get("cache-control").unwrap(), "private, no-store");
    let out = browser.post("/logout", &[("csrf", &account.csrf())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(browser.cookie("heard_session").is_none());
    let after = browser.get("/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/login?next=/account");
    assert!(
        app.store.session(&heard_web::auth::sha256_hex(&second), app.state.now()).await.unwrap().is_none()
    );
}

/// Wrong passwords slow down whoever sends them, the wait doubling up to 15 minutes: the guesser's
/// address for that account first, so the owner signing in from home is not held up; then the
/// account from anywhere once guesses come from many addresses, until its owner resets the
/// password. Nothing locks the owner's right password out for good.
async fn wrong_passwords_slow_the_guesser_and_never_lock_out_the_owner(backend: Backend) {
    let app = TestApp::new(backend, "2025-03-01").await;
    let alice = app.account(Role::Resident, "Alice", "alice@example.org").await;
    let attacker = app.browser("203.0.113.9");
    for _ in 0..5 {
        let page = attacker.sign_in("alice@example.org", "guess").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let slowed = attacker.sign_in("alice@example.org", "guess").await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    slowed.shows("There have been too many attempts to sign in. For your security, please wait a minute");
    // The owner, at home, signs in at once with the right password.
    let owner = app.browser("198.51.100.1");
    assert_eq!(owner.sign_in("alice@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // Each wrong guess after a wait doubles it, up to 15 minutes, never more.
    app.state.advance_clock(61);
    attacker.sign_in("alice@example.org", "guess").await.shows("please wait 2 minutes");
    let mut wait = 120;
    for _ in 0..6 {
        app.state.advance_clock(wait + 1);
        let page = attacker.sign_in("alice@example.org", "guess").await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        wait = (wait * 2).min(900);
    }
    attacker.sign_in("alice@example.org", "guess").await.shows("please wait 15 minutes");
    // The slowed address is slowed for this account only.
    app.account(Role::Resident, "Bea", "bea@example.org").await;
    assert_eq!(attacker.sign_in("bea@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);

    // Guesses spread over many addresses slow the account from anywhere...
    for n in 0..20 {
        app.browser(&format!("192.0.2.{n}")).sign_in("alice@example.org", "guess").await;
    }
    let elsewhere = app.browser("198.51.100.2");
    let waiting = elsewhere.sign_in("alice@example.org", PASSWORD).await;
    assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS);
    waiting.shows("please wait").shows("or reset your password");
    // ...until the owner resets the password, which proves they hold the address.
    let token = "a-reset-token-for-alice";
    let now = app.state.now();
    app.store
        .create_password_reset(alice, &heard_web::auth::sha256_hex(token), now, Timestamp(now.0 + 3600))
        .await
        .unwrap();
    let path = format!("/password-reset/{token}");
    let reset = elsewhere.submit(&path, &path, &[("password", "a brand new passphrase")]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.html);
    let later = app.browser("198.51.100.3");
    assert_eq!(
        later.sign_in("alice@example.org", "a brand new passphrase").await.status,
        StatusCode::SEE_OTHER
    );

    // An unknown address slows down the same way, so the wait says nothing about who has an account.
    for _ in 0..5 {
        attacker.sign_in("nobody@example.org", "guess").await;
    }
    attacker.sign_in("nobody@example.org", "guess").await.shows("too many attempts");
}

#[tokio::test]
async fn back_off_on_sqlite() {
    wrong_passwords_slow_the_guesser_and_never_lock_out_the_owner(Backend::Sqlite).await;
}

#[tokio::test]
async fn back_off_on_postgres() {
    wrong_passwords_slow_the_guesser_and_never_lock_out_the_owner(Backend::Postgres).await;
}

/// Many people behind one proxy share an address: each mistyping a password once does not shut
/// out the next person there.
#[tokio::test]
async fn people_behind_one_proxy_are_not_shut_out_by_each_others_typos() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    app.account(Role::Resident, "Alice", "alice@example.org").await;
    for n in 0..60 {
        let colleague = app.browser("203.0.113.50");
        let page = colleague.sign_in(&format!("colleague{n}@example.org"), "mistyped").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "colleague {n}");
    }
    let alice = app.browser("203.0.113.50");
    assert_eq!(alice.sign_in("alice@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_locked_out() {
    let mut settings = heard_web::Settings::default();
    settings.limits.login_address.free_failures = 3;
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    app.account(Role::Resident, "Alice", "alice@example.org").await;
    let attacker = app.browser("203.0.113.9");
    for n in 0..3 {
        attacker.sign_in(&format!("user{n}@example.org"), "guess").await;
    }
    let page = attacker.sign_in("user9@example.org", "guess").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let right = attacker.sign_in("alice@example.org", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "the address is locked");
    let elsewhere = app.browser("198.51.100.1").sign_in("alice@example.org", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER, "the account is not");
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let mut settings = heard_web::Settings::default();
    settings.limits.registrations_per_address = heard_web::Rate::per_hour(2);
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    let browser = app.browser("203.0.113.5");
    for n in 0..2 {
        let fresh = app.browser("203.0.113.5");
        let email = format!("p{n}@example.org");
        let page = fresh.submit("/register", "/register", &registration("P", &email)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let page = browser.submit("/register", "/register", &registration("Third", "p3@example.org")).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.shows("Many accounts have been made from your connection recently.").shows(r#"value="Third""#);
}

#[tokio::test]
async fn a_resident_downloads_their_data_and_deletes_their_account() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let mine = post_comment(&alice, OPEN, "My view on the park.", None).await;
    post_comment(&bob, OPEN, "A reply to Alice.", Some(mine)).await;
    let data = alice.get("/account/data").await;
    assert_eq!(data.status, StatusCode::OK);
    assert_eq!(data.headers.get("content-type").unwrap(), "application/json; charset=utf-8");
    assert!(data.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    let json: serde_json::Value = serde_json::from_str(&data.html).unwrap();
    assert_eq!(json["account"]["email"], "alice@example.org");
    assert_eq!(json["comments"][0]["body"], "My view on the park.");
    assert!(!data.html.contains("A reply to Alice."), "only their own");
    assert!(!data.html.contains("argon2"), "no password hash");
    assert_eq!(app.get("/account/data").await.status, StatusCode::SEE_OTHER);

    let form = alice.get("/account/delete").await;
    let wrong = alice
        .post(
            "/account/delete",
            &[("csrf", &form.csrf()), ("comments", "keep"), ("words", "remove"), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.shows("That password is not right.");
    let done = alice
        .post(
            "/account/delete",
            &[("csrf", &form.csrf()), ("comments", "keep"), ("words", "remove"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    done.shows("Your account has been deleted");
    assert!(alice.cookie("heard_session").is_none());
    let page = app.get(OPEN).await;
    page.shows(FORMER_MEMBER).shows("My view on the park.").lacks(">Alice<");
    assert_eq!(alice.sign_in("alice@example.org", PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Bob chooses to take his comments with him.
    let form = bob.get("/account/delete").await;
    bob.post(
        "/account/delete",
        &[("csrf", &form.csrf()), ("comments", "remove"), ("words", "remove"), ("password", PASSWORD)],
    )
    .await;
    app.get(OPEN).await.lacks("A reply to Alice.").shows("This comment was deleted by its author.");
}

/// An app whose store has `areas`, its clock at 1 March 2025 noon UTC.
async fn app_with_areas(areas: Areas) -> TestApp {
    let (store, _) = heard_store::testing::fresh_store(Backend::Sqlite).await;
    let now = Timestamp(Date::parse_iso("2025-03-01").unwrap().start().0 + 12 * 3600);
    let store = store.with_areas(areas);
    let state = heard_web::AppState::build(
        store.clone(),
        heard_web::Clock::Fixed(now),
        std::time::Duration::ZERO,
        heard_web::Settings::default(),
    );
    TestApp { store, state }
}

/// Areas are the operator's list: registration offers theirs and takes nothing else, keeping what
/// was typed; an install without areas asks nobody where they live.
#[tokio::test]
async fn registration_offers_the_operators_areas_or_none() {
    let app = app_with_areas(Areas::parse("Riverside\nOld Town\n", "ward").unwrap()).await;
    let browser = app.browser("198.51.100.1");
    browser
        .get("/register")
        .await
        .shows(r#"<label for="borough">Which ward do you live in?</label>"#)
        .shows(r#"<option value="Old Town">Old Town</option>"#)
        .lacks("Camden");
    let mut fields = registration("Rita", "rita@example.org");
    fields.retain(|(k, _)| *k != "borough");
    fields.push(("borough", "Camden"));
    let refused = browser.submit("/register", "/register", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.shows("Choose your ward from the list, or leave it blank.").shows(r#"value="Rita""#);
    fields.pop();
    fields.push(("borough", "Old Town"));
    let done = browser.submit("/register", "/register", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let rita = app.store.account_by_email("rita@example.org").await.unwrap().unwrap();
    assert_eq!(rita.borough.as_deref(), Some("Old Town"));

    let none = app_with_areas(Areas::none()).await;
    none.browser("198.51.100.2").get("/register").await.lacks(r#"id="borough""#).shows("Display name");
}

/// Regression: a response entered with an area the operator has since taken off the list kept it
/// only until staff corrected its text: the form offered no such area and saving dropped it.
#[tokio::test]
async fn correcting_a_response_keeps_an_area_no_longer_on_the_list() {
    let app = app_with_areas(Areas::parse("Riverside\nOld Town\n", "ward").unwrap()).await;
    let parks = app
        .store
        .create_consultation(&crate::new_consultation("parks", "2025-02-01", "2025-04-01"))
        .await
        .unwrap();
    let letter = NewResponse {
        consultation_id: parks,
        channel: ResponseChannel::Post,
        source: ResponseSource::Staff,
        received_on: Date::parse_iso("2025-02-10").unwrap(),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: "Camden".into(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: "Mor benches.".into() }],
        attachment: None,
    };
    let id = app.store.record_responses(&[letter]).await.unwrap()[0];
    let (host, _) = app.signed_in(Role::Host, "Hana").await;
    let edit = format!("/admin/consultations/parks/responses/{id}");
    host.get(&edit).await.shows(r#"<option value="Camden" selected>Camden</option>"#).shows("Riverside");
    let fields = [
        ("respondent_type", "individual"),
        ("borough", "Camden"),
        ("email", ""),
        ("text-0", "More benches."),
        ("reason", "A typing mistake"),
    ];
    let saved = host.submit(&edit, &edit, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let corrected = app.store.entered_response(parks, id).await.unwrap().unwrap();
    assert_eq!((corrected.texts[0].text.as_str(), corrected.borough.as_str()), ("More benches.", "Camden"));
    // Another area off the list is still refused.
    let mut other = fields.to_vec();
    other[1] = ("borough", "Hackney");
    let refused = host.submit(&edit, &edit, &other).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.shows("Choose the ward from the list, or leave it blank.");
}
