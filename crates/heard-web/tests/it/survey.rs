//! The survey through its pages: answering section by section, signed in or not, with problems,
//! conditional questions, saving for later, a closed consultation, the confirmation (and its
//! email), and the staff's builder and results.

use axum::http::StatusCode;
use heard_store::*;

use crate::{Browser, TestApp, discussions_app_with};

/// The parks consultation (open on the test clock's 2025-03-01) and the old one (closed).
const PARKS: &str = "/consultations/parks/survey";
const OLD: &str = "/consultations/old/survey";

pub(crate) struct Ids {
    scale: i64,
    ticks: i64,
    why: i64,
    more: i64,
}

/// A two-part survey on `slug`: a required agree scale and an optional multiple choice, then "Why
/// do you disagree?" (required, only for those who disagree) and an optional short text.
pub(crate) async fn survey_on(app: &TestApp, slug: &str, allow_anonymous: bool) -> Ids {
    let consultation = app.store.consultation_by_slug(slug).await.unwrap().unwrap().summary.id;
    let settings = SurveySettings { title: "Parks survey".into(), intro: "Tell us.".into(), allow_anonymous };
    let survey = app.store.create_survey(consultation, &settings).await.unwrap();
    let first = app.store.add_section(survey, "Our proposals", "").await.unwrap();
    let second = app.store.add_section(survey, "Tell us more", "").await.unwrap();
    let question = |kind, prompt: &str, required, options: &[&str]| NewQuestion {
        kind,
        prompt: prompt.into(),
        hint: String::new(),
        required,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        condition: None,
    };
    let scale = app
        .store
        .add_question(first, &question(QuestionKind::AgreeScale, "We should light the paths.", true, &[]))
        .await
        .unwrap();
    let ticks = app
        .store
        .add_question(
            first,
            &question(QuestionKind::MultipleChoice, "What would help?", false, &["Lights", "Wardens"]),
        )
        .await
        .unwrap();
    let mut why = question(QuestionKind::LongText, "Why do you disagree?", true, &[]);
    why.condition =
        Some(Condition { question_id: scale, options: vec!["Disagree".into(), "Strongly disagree".into()] });
    let why = app.store.add_question(second, &why).await.unwrap();
    let more = app
        .store
        .add_question(second, &question(QuestionKind::ShortText, "Anything else?", false, &[]))
        .await
        .unwrap();
    Ids { scale, ticks, why, more }
}

fn field(id: i64) -> String {
    format!("q{id}")
}

async fn answer_section(browser: &Browser, base: &str, n: usize, fields: &[(&str, &str)]) -> crate::Page {
    let page = format!("{base}/sections/{n}");
    browser.submit(&page, &page, fields).await
}

async fn a_resident_answers_fixes_a_problem_and_sees_the_confirmation(backend: Backend) {
    let app = discussions_app_with(backend, heard_web::Settings::default()).await;
    let ids = survey_on(&app, "parks", false).await;
    let (alice, alice_id) = app.signed_in(Role::Resident, "Alice").await;
    alice.get(PARKS).await.shows("Start the survey");
    let (scale, ticks, why, more) = (field(ids.scale), field(ids.ticks), field(ids.why), field(ids.more));

    // Ticked a box but skipped the required scale: the page comes back with the tick kept, a
    // summary linking to the scale's first answer, and the message beside it.
    let problem = answer_section(&alice, PARKS, 1, &[(&ticks, "Wardens"), ("action", "continue")]).await;
    assert_eq!(problem.status, StatusCode::UNPROCESSABLE_ENTITY);
    problem
        .shows("<title>Error: ")
        .shows(&format!(r##"<a href="#{scale}-0">Choose an answer: “We should light the paths.”</a>"##))
        .shows(&format!(r#"<p class="error-message" id="{scale}-error"><span class="visually-hidden">Error:</span> Choose an answer</p>"#))
        .shows(&format!(r#"id="{ticks}-1" name="{ticks}" value="Wardens" checked"#))
        .lacks(&format!(r#"id="{ticks}-0" name="{ticks}" value="Lights" checked"#));

    // Agreeing: the follow-up is not asked.
    let next =
        answer_section(&alice, PARKS, 1, &[(&scale, "Agree"), (&ticks, "Wardens"), ("action", "continue")])
            .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.html);
    assert_eq!(next.location(), format!("{PARKS}/sections/2"));
    alice.get(&format!("{PARKS}/sections/2")).await.lacks("Why do you disagree?").shows("Anything else?");
    // Back, and disagreeing: now it is asked, and required.
    answer_section(&alice, PARKS, 1, &[(&scale, "Disagree"), (&ticks, "Wardens"), ("action", "continue")])
        .await;
    alice.get(&format!("{PARKS}/sections/1")).await.shows(r#"value="Disagree" checked"#);
    let second = alice.get(&format!("{PARKS}/sections/2")).await;
    second.shows("Why do you disagree?").shows("Submit your answers");
    let missing = answer_section(
        &alice,
        PARKS,
        2,
        &[
            (&more, "Benches"),
            ("respondent_type", "organisation"),
            ("organisation", " "),
            ("action", "continue"),
        ],
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing
        .shows(&format!(r##"<a href="#{why}">Enter an answer: “Why do you disagree?”</a>"##))
        .shows(r##"<a href="#organisation">Enter the name of the organisation</a>"##)
        .shows(r#"value="organisation" checked"#)
        .shows(r#"value="Benches""#);
    let done = answer_section(
        &alice,
        PARKS,
        2,
        &[
            (&why, "Lights spoil the dark sky <b>for bats</b>."),
            (&more, "Benches"),
            ("respondent_type", "organisation"),
            ("organisation", "Friends of the Park"),
            ("action", "continue"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location(), format!("{PARKS}/submitted"));
    alice
        .get(&format!("{PARKS}/submitted"))
        .await
        .shows("Thank you: your answers have been sent")
        .shows("<dt>We should light the paths.</dt><dd>Disagree</dd>")
        .shows("<dd>Lights spoil the dark sky &#60;b&#62;for bats&#60;/b&#62;.</dd>")
        .shows("<dd>Wardens</dd>")
        .shows("You answered for Friends of the Park.");

    // One submission, in the register with its free text; a second attempt goes to the confirmation.
    let consultation = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    assert_eq!(app.store.respondent_count(consultation).await.unwrap(), 1);
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    let kept = app.store.submission(survey.id, Respondent::Account(alice_id)).await.unwrap().unwrap();
    assert!(kept.response_id.is_some());
    assert_eq!(
        (kept.respondent_type, kept.organisation.as_str()),
        (RespondentType::Organisation, "Friends of the Park")
    );
    let again = answer_section_forged(&alice, 1, &[(&scale, "Agree"), ("action", "continue")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), format!("{PARKS}/submitted"));
    alice.get(PARKS).await.shows("You have answered this survey");
    assert_eq!(app.store.survey_results(&survey).await.unwrap().submitted, 1);

    // Staff read the results: counts with a chart and a table, and the free text.
    let (host, _) = app.signed_in(Role::Host, "Priya").await;
    let results = host.get("/admin/consultations/parks/survey/results").await;
    assert_eq!(results.status, StatusCode::OK);
    results
        .shows("1 person has submitted")
        .shows(r#"<svg class="bar-chart""#)
        .shows(
            r#"<tr><th scope="row">Disagree</th><td class="number">1</td><td class="number">100%</td></tr>"#,
        )
        .shows("Lights spoil the dark sky");
}

/// A POST of answers to section `n` of the parks survey with this browser's token, without
/// opening the page first.
async fn answer_section_forged(browser: &Browser, n: usize, fields: &[(&str, &str)]) -> crate::Page {
    let token = browser.get("/account").await.csrf();
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    browser.post(&format!("{PARKS}/sections/{n}"), &all).await
}

#[tokio::test]
async fn a_resident_answers_the_survey_on_sqlite() {
    a_resident_answers_fixes_a_problem_and_sees_the_confirmation(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_resident_answers_the_survey_on_postgres() {
    a_resident_answers_fixes_a_problem_and_sees_the_confirmation(Backend::Postgres).await;
}

async fn a_closed_consultation_refuses_answers_on_the_page_and_on_a_forged_post(backend: Backend) {
    let app = discussions_app_with(backend, heard_web::Settings::default()).await;
    let ids = survey_on(&app, "old", true).await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    bob.get(OLD).await.shows("This consultation closed on 1 February 2024").lacks("Start the survey");
    let page = bob.get(&format!("{OLD}/sections/1")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.shows("The survey is not taking answers").lacks("<form method=\"post\" action=\"/consultations/old");
    let token = bob.get("/account").await.csrf();
    let scale = field(ids.scale);
    let forged = bob
        .post(
            &format!("{OLD}/sections/1"),
            &[("csrf", &token), (&scale, "Strongly agree"), ("action", "continue")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    forged
        .shows("This consultation closed on 1 February 2024, so the survey no longer takes answers.")
        .shows("<dd>Strongly agree</dd>");
    let consultation = app.store.consultation_by_slug("old").await.unwrap().unwrap().summary.id;
    assert_eq!(app.store.respondent_count(consultation).await.unwrap(), 0, "nothing kept");
    let survey = app.store.survey_for("old").await.unwrap().unwrap();
    assert!(
        app.store.submission(survey.id, Respondent::Account(bob_id(&app).await)).await.unwrap().is_none()
    );
    // The consultation page says so too.
    app.get("/consultations/old")
        .await
        .shows("Parks survey is not taking answers now that the consultation has closed");
}

async fn bob_id(app: &TestApp) -> i64 {
    app.store.account_by_email("bob@example.org").await.unwrap().unwrap().user.id
}

#[tokio::test]
async fn a_closed_consultation_refuses_answers_on_sqlite() {
    a_closed_consultation_refuses_answers_on_the_page_and_on_a_forged_post(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_closed_consultation_refuses_answers_on_postgres() {
    a_closed_consultation_refuses_answers_on_the_page_and_on_a_forged_post(Backend::Postgres).await;
}

async fn answering_without_an_account_follows_the_setting(backend: Backend) {
    let app = discussions_app_with(backend, heard_web::Settings::default()).await;
    let ids = survey_on(&app, "parks", false).await;
    let visitor = app.browser("203.0.113.5");
    visitor
        .get(PARKS)
        .await
        .shows("You need to be signed in to answer this survey")
        .lacks("Start the survey");
    let refused = visitor.get(&format!("{PARKS}/sections/1")).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(refused.location().starts_with("/login"));
    let token = visitor.get("/login").await.csrf();
    let scale = field(ids.scale);
    let forged = visitor
        .post(&format!("{PARKS}/sections/1"), &[("csrf", &token), (&scale, "Agree"), ("action", "continue")])
        .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert!(forged.location().starts_with("/login"));
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    assert_eq!(app.store.survey_results(&survey).await.unwrap().submitted, 0);

    // Allowed: start with an address, save for later, come back in another browser by the link.
    let settings =
        SurveySettings { title: survey.title.clone(), intro: survey.intro.clone(), allow_anonymous: true };
    app.store.update_survey(survey.id, &settings).await.unwrap();
    let typo = visitor.submit(PARKS, &format!("{PARKS}/start"), &[("email", "walker at example.org")]).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    typo.shows(r##"<a href="#email">Enter an email address like name@example.com, or leave it blank</a>"##)
        .shows(r#"value="walker at example.org""#);
    let started = visitor.submit(PARKS, &format!("{PARKS}/start"), &[("email", "walker@example.org")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    assert_eq!(started.location(), format!("{PARKS}/sections/1"));
    let saved =
        answer_section(&visitor, PARKS, 1, &[(&scale, "Strongly disagree"), ("action", "save")]).await;
    assert_eq!(saved.status, StatusCode::OK);
    saved.shows("Your answers are saved").shows("Your link to come back");
    let at = saved.html.find("/consultations/parks/survey/resume/").expect("a resume link");
    let link: String = saved.html[at..].chars().take_while(|c| *c != '"' && *c != '<').collect();
    let elsewhere = app.browser("203.0.113.6");
    let resumed = elsewhere.get(&link).await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER);
    elsewhere.get(&format!("{PARKS}/sections/1")).await.shows(r#"value="Strongly disagree" checked"#);
    assert_eq!(elsewhere.get(&format!("{PARKS}/resume/not-a-token")).await.status, StatusCode::NOT_FOUND);
    answer_section(&elsewhere, PARKS, 1, &[(&scale, "Strongly disagree"), ("action", "continue")]).await;
    let done =
        answer_section(&elsewhere, PARKS, 2, &[(&field(ids.why), "Too bright"), ("action", "continue")])
            .await;
    assert_eq!(done.location(), format!("{PARKS}/submitted"));
    elsewhere.get(&format!("{PARKS}/submitted")).await.shows("<dd>Too bright</dd>");
    let kept = app.store.survey_results(&survey).await.unwrap();
    assert_eq!(kept.submitted, 1);
    let consultation = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    assert_eq!(app.store.respondent_count(consultation).await.unwrap(), 1);
}

#[tokio::test]
async fn answering_without_an_account_on_sqlite() {
    answering_without_an_account_follows_the_setting(Backend::Sqlite).await;
}

#[tokio::test]
async fn answering_without_an_account_on_postgres() {
    answering_without_an_account_follows_the_setting(Backend::Postgres).await;
}

#[tokio::test]
async fn staff_build_a_survey_and_a_form_with_a_problem_keeps_what_was_typed() {
    let app = discussions_app_with(Backend::Sqlite, heard_web::Settings::default()).await;
    let (host, _) = app.signed_in(Role::Host, "Priya").await;
    let builder = "/admin/consultations/parks/survey";
    host.get(builder).await.shows("Create the survey");
    let created = host
        .submit(builder, builder, &[("title", "Parks survey"), ("intro", ""), ("allow_anonymous", "yes")])
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let added = host
        .submit(builder, &format!("{builder}/sections"), &[("title", "Our proposals"), ("intro", "")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    assert!(survey.allow_anonymous);
    let section = survey.sections[0].id;
    let new_question = format!("{builder}/sections/{section}/questions");
    let scale = host
        .submit(
            &new_question,
            &new_question,
            &[("kind", "agree_scale"), ("prompt", "Light the paths?"), ("required", "yes")],
        )
        .await;
    assert_eq!(scale.status, StatusCode::SEE_OTHER, "{}", scale.html);
    let scale_id = app.store.survey_for("parks").await.unwrap().unwrap().sections[0].questions[0].id;
    // A choice question with one option and a condition on an answer the scale does not have.
    let problem = host
        .submit(
            &new_question,
            &new_question,
            &[
                ("kind", "single_choice"),
                ("prompt", "Which park?"),
                ("hint", "The one you use most"),
                ("options", "Victoria Park"),
                ("condition_question", &scale_id.to_string()),
                ("condition_options", "Disagree\nMaybe"),
            ],
        )
        .await;
    assert_eq!(problem.status, StatusCode::UNPROCESSABLE_ENTITY);
    problem
        .shows(r##"<a href="#options">Give at least two options, one a line</a>"##)
        .shows(r##"<a href="#condition_options">“Maybe” is not one of that question&#39;s answers</a>"##)
        .shows(">Which park?</textarea>")
        .shows(r#"value="The one you use most""#)
        .shows(">Victoria Park</textarea>")
        .shows(&format!(r#"<option value="{scale_id}" selected>Light the paths?</option>"#));
    let fixed = host
        .submit(
            &new_question,
            &new_question,
            &[
                ("kind", "single_choice"),
                ("prompt", "Which park?"),
                ("options", "Victoria Park\nHackney Marshes"),
                ("condition_question", &scale_id.to_string()),
                ("condition_options", "Disagree"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.html);
    let page = host.get(builder).await;
    page.shows("Shown only when “Light the paths?” is answered “Disagree”")
        .shows("Options: Victoria Park / Hackney Marshes");
    // Reordering and deleting.
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    let park = survey.sections[0].questions[1].id;
    host.submit(builder, &format!("{builder}/questions/{park}/move"), &[("direction", "up")]).await;
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    assert_eq!(survey.sections[0].questions[0].prompt, "Which park?");
    host.submit(builder, &format!("{builder}/questions/{park}/delete"), &[]).await;
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    assert_eq!(survey.questions().count(), 1);
    // Residents see the survey among the ways to respond, staff the builder and results links.
    app.get("/consultations/parks")
        .await
        .shows(r#"<a class="button" href="/consultations/parks/survey">Answer the survey</a>"#);
    host.get("/consultations/parks").await.shows("Survey results");
}

#[tokio::test]
async fn an_answered_question_keeps_its_kind_and_options_but_can_be_reworded() {
    let app = discussions_app_with(Backend::Sqlite, heard_web::Settings::default()).await;
    let ids = survey_on(&app, "parks", false).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (scale, ticks, more) = (field(ids.scale), field(ids.ticks), field(ids.more));
    let first = [(scale.as_str(), "Agree"), (ticks.as_str(), "Wardens"), ("action", "continue")];
    answer_section(&alice, PARKS, 1, &first).await;
    let done = answer_section(&alice, PARKS, 2, &[(&more, "Benches"), ("action", "continue")]).await;
    assert_eq!(done.location(), format!("{PARKS}/submitted"));

    let (host, _) = app.signed_in(Role::Host, "Priya").await;
    let edit = format!("/admin/consultations/parks/survey/questions/{}", ids.ticks);
    let reworded = host
        .submit(
            &edit,
            &edit,
            &[
                ("kind", "multiple_choice"),
                ("prompt", "What would help most?"),
                ("options", "Lights\nPark wardens"),
            ],
        )
        .await;
    assert_eq!(reworded.status, StatusCode::UNPROCESSABLE_ENTITY);
    reworded
        .shows(r##"<a href="#options">People have answered this question, so its options cannot be removed or reworded: put “Wardens” back (you can add options).</a>"##)
        .shows(">What would help most?</textarea>")
        .shows(">Lights\nPark wardens</textarea>");
    let retyped = host
        .submit(&edit, &edit, &[("kind", "short_text"), ("prompt", "What would help most?"), ("options", "")])
        .await;
    assert_eq!(retyped.status, StatusCode::UNPROCESSABLE_ENTITY);
    retyped.shows("so its kind cannot change: it stays “Multiple choice”");
    let fine = host
        .submit(
            &edit,
            &edit,
            &[
                ("kind", "multiple_choice"),
                ("prompt", "What would help most?"),
                ("options", "Lights\nWardens\nBenches"),
            ],
        )
        .await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER, "{}", fine.html);
    let survey = app.store.survey_for("parks").await.unwrap().unwrap();
    assert_eq!(survey.question(ids.ticks).unwrap().options, ["Lights", "Wardens", "Benches"]);
}

#[tokio::test]
async fn the_confirmation_email_carries_a_copy_of_the_answers() {
    let (settings, maildir) = crate::password_reset::mail_settings();
    let app = discussions_app_with(Backend::Sqlite, settings).await;
    let ids = survey_on(&app, "parks", true).await;
    let email = format!("survey-{}@example.org", std::process::id());
    let visitor = app.browser("203.0.113.9");
    visitor.submit(PARKS, &format!("{PARKS}/start"), &[("email", &email)]).await;
    answer_section(
        &visitor,
        PARKS,
        1,
        &[(&field(ids.scale), "Agree"), (&field(ids.ticks), "Lights"), ("action", "continue")],
    )
    .await;
    let done = answer_section(
        &visitor,
        PARKS,
        2,
        &[(&field(ids.more), "More benches by the pond"), ("action", "continue")],
    )
    .await;
    assert_eq!(done.location(), format!("{PARKS}/submitted"));
    visitor.get(&format!("{PARKS}/submitted")).await.shows("We have emailed you a copy of your answers");
    let message = crate::password_reset::wait_for_mail(&maildir, &email).await;
    assert!(message.contains("Subject: Your answers: Parks survey"), "{message}");
    assert!(
        message.contains("We should light the paths.\r\nAgree")
            || message.contains("We should light the paths.\nAgree"),
        "{message}"
    );
    assert!(message.contains("More benches by the pond"), "{message}");
}

#[tokio::test]
async fn one_connection_cannot_start_drafts_without_end() {
    let mut settings = heard_web::Settings::default();
    settings.limits.registrations_per_address = heard_web::Rate::per_hour(1);
    let app = discussions_app_with(Backend::Sqlite, settings).await;
    let ids = survey_on(&app, "parks", true).await;
    let first = app.browser("203.0.113.20");
    let started = first.submit(PARKS, &format!("{PARKS}/start"), &[("email", "")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    // The same connection again, in a new browser: starting is refused, and answers sent without a
    // draft come back to copy.
    let second = app.browser("203.0.113.20");
    let refused = second.submit(PARKS, &format!("{PARKS}/start"), &[("email", "")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let scale = field(ids.scale);
    let page = format!("{PARKS}/sections/1");
    let refused = second.submit(&page, &page, &[(&scale, "Agree"), ("action", "continue")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    refused.shows("Many people have started this survey from your connection").shows("<dd>Agree</dd>");
    // The first browser carries on with its own draft.
    let carried = answer_section(&first, PARKS, 1, &[(&scale, "Agree"), ("action", "continue")]).await;
    assert_eq!(carried.status, StatusCode::SEE_OTHER);
}
