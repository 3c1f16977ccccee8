//! Personal data: addresses link only once confirmed, the download holds everything, deleting an
//! account removes or anonymises all of it, and special-category answers need consent.

use heard_store::*;

use crate::{day, discussion_with_comments};

crate::on_both_databases!(
    an_unconfirmed_address_links_nothing_until_its_link_is_followed,
    a_confirmation_link_works_once_in_date_and_for_its_address_only,
    special_category_answers_are_kept_only_with_consent,
    the_download_holds_survey_answers_event_places_and_linked_responses,
    deleting_removes_drafts_places_answers_and_linked_responses,
    deleting_can_keep_the_words_anonymously,
    a_safeguarding_comment_stays_for_moderators_after_its_author_leaves,
    retention_removes_personal_data_months_after_the_results_and_keeps_the_counts,
);

fn resident(name: &str, email: &str, confirmed: bool) -> NewAccount {
    NewAccount {
        display_name: name.into(),
        email: email.into(),
        password_hash: "$argon2id$stand-in".into(),
        role: Role::Resident,
        borough: Some("Camden".into()),
        demographics: Demographics::default(),
        created_at: Timestamp(1_735_000_000),
        email_confirmed: confirmed,
        special_category_consent: false,
    }
}

fn letter(consultation_id: i64, email: &str, text: &str) -> NewResponse {
    NewResponse {
        consultation_id,
        channel: ResponseChannel::Post,
        source: ResponseSource::Staff,
        received_on: day("2025-01-05"),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: "Hackney".into(),
        user_id: None,
        email: Some(email.into()),
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: Some(NewAttachment {
            file_name: "letter.pdf".into(),
            media_type: "application/pdf".into(),
            content: b"%PDF-1.4 signed Ada Lovelace, 1 Example Road".to_vec(),
        }),
    }
}

async fn comment(store: &Store, discussion: i64, author: i64, body: &str, flags: Vec<CheckFlag>) -> i64 {
    store
        .add_comment(&NewComment {
            discussion_id: discussion,
            parent_id: None,
            author_id: author,
            body: body.into(),
            posted_at: Timestamp(1_735_100_000),
            source: CommentSource::Web,
            flags,
        })
        .await
        .unwrap()
}

async fn an_unconfirmed_address_links_nothing_until_its_link_is_followed(store: Store) {
    let (discussion, _, _) = discussion_with_comments(&store, 0).await;
    let consultation = store.consultation_by_slug("police-plan").await.unwrap().unwrap().summary.id;
    // Someone registers with Ada's address before Ada does anything: it is not confirmed.
    let ada = store.create_account(&resident("Ada", "ada@example.org", false)).await.unwrap();
    comment(&store, discussion, ada, "More lighting", vec![]).await;
    store
        .record_responses(&[letter(consultation, "ADA@example.org", "My letter about lighting")])
        .await
        .unwrap();
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 2, "the letter is not the account's");
    let export = store.account_export(ada).await.unwrap().unwrap();
    assert!(export.responses.is_empty(), "the letter is not in the account's data: {:?}", export.responses);
    assert!(export.account.email_confirmed_at.is_none());

    store
        .create_email_confirmation(ada, "hash-of-token", Timestamp(1_735_000_100), Timestamp(1_735_200_000))
        .await
        .unwrap();
    assert_eq!(store.confirm_email("hash-of-token", Timestamp(1_735_000_200)).await.unwrap(), Some(ada));
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 1, "one person, once confirmed");
    let export = store.account_export(ada).await.unwrap().unwrap();
    assert_eq!(export.responses.len(), 1);
    assert_eq!(export.responses[0].texts[0].text, "My letter about lighting");
    assert_eq!(export.responses[0].linked_by, "email address");
    assert_eq!(export.responses[0].attachments, ["letter.pdf"]);
    assert_eq!(export.account.email_confirmed_at, Some(Timestamp(1_735_000_200)));
}

async fn a_confirmation_link_works_once_in_date_and_for_its_address_only(store: Store) {
    let ada = store.create_account(&resident("Ada", "ada@example.org", false)).await.unwrap();
    let now = Timestamp(1_735_000_100);
    store.create_email_confirmation(ada, "late", now, Timestamp(now.0 + 100)).await.unwrap();
    assert_eq!(store.email_confirmation_user("late", Timestamp(now.0 + 50)).await.unwrap(), Some(ada));
    assert_eq!(store.email_confirmation_user("late", Timestamp(now.0 + 100)).await.unwrap(), None);
    assert_eq!(store.confirm_email("late", Timestamp(now.0 + 101)).await.unwrap(), None, "expired");
    assert_eq!(store.confirm_email("unknown", now).await.unwrap(), None);
    assert!(store.account(ada).await.unwrap().unwrap().email_confirmed_at.is_none());
    store.create_email_confirmation(ada, "good", now, Timestamp(now.0 + 100)).await.unwrap();
    assert_eq!(store.confirm_email("good", now).await.unwrap(), Some(ada));
    assert_eq!(store.confirm_email("good", now).await.unwrap(), None, "works once");
    // A deleted account cannot be confirmed by an old link.
    let bob = store.create_account(&resident("Bob", "bob@example.org", false)).await.unwrap();
    store.create_email_confirmation(bob, "bobs", now, Timestamp(now.0 + 100)).await.unwrap();
    store.delete_account(bob, &AccountDeletion::default(), now).await.unwrap();
    assert_eq!(store.confirm_email("bobs", now).await.unwrap(), None);
    assert!(store.create_email_confirmation(bob, "again", now, Timestamp(now.0 + 100)).await.is_err());
    // A password reset link comes by email too: using it confirms the address.
    let cy = store.create_account(&resident("Cy", "cy@example.org", false)).await.unwrap();
    store.create_password_reset(cy, "reset", now, Timestamp(now.0 + 100)).await.unwrap();
    store.complete_password_reset("reset", "$argon2id$new", Timestamp(now.0 + 10)).await.unwrap();
    assert_eq!(store.account(cy).await.unwrap().unwrap().email_confirmed_at, Some(Timestamp(now.0 + 10)));
}

async fn special_category_answers_are_kept_only_with_consent(store: Store) {
    let mut new = resident("Ada", "ada@example.org", false);
    new.demographics.ethnic_group = Some("White".into());
    let refused = store.create_account(&new).await.unwrap_err();
    assert!(refused.to_string().contains("explicit consent"), "{refused}");
    assert!(store.account_by_email("ada@example.org").await.unwrap().is_none(), "nothing kept");
    // "Prefer not to say" is no special-category data.
    new.demographics.ethnic_group = Some(PREFER_NOT_TO_SAY.into());
    new.email = "ada2@example.org".into();
    store.create_account(&new).await.unwrap();
    new.email = "ada3@example.org".into();
    new.demographics.disability = Some("Yes".into());
    new.special_category_consent = true;
    let ada = store.create_account(&new).await.unwrap();
    let account = store.account(ada).await.unwrap().unwrap();
    assert_eq!(account.demographics.disability.as_deref(), Some("Yes"));
    assert_eq!(account.special_category_consent_at, Some(Timestamp(1_735_000_000)));
    store.withdraw_special_category_consent(ada).await.unwrap();
    let account = store.account(ada).await.unwrap().unwrap();
    assert_eq!((account.demographics.ethnic_group, account.demographics.disability), (None, None));
    assert_eq!(account.special_category_consent_at, None);
    assert_eq!(account.borough.as_deref(), Some("Camden"), "nothing else goes");
}

/// A consultation with a survey of one choice and one free-text question, an event, and Ada, whose
/// address is confirmed: she saves a draft, submits, takes a place, and wrote a letter.
struct Scene {
    consultation: i64,
    survey: i64,
    choice: i64,
    text: i64,
    event: i64,
    ada: i64,
    submission_response: i64,
    letter: i64,
    anonymous_response: i64,
}

async fn scene(store: &Store) -> Scene {
    let consultation = store.create_consultation(&crate::police_plan("police-plan")).await.unwrap();
    let other = store.create_consultation(&crate::police_plan("parks")).await.unwrap();
    let settings =
        SurveySettings { title: "Have your say".into(), intro: String::new(), allow_anonymous: true };
    let survey = store.create_survey(consultation, &settings).await.unwrap();
    let draft_survey = store.create_survey(other, &settings).await.unwrap();
    let mut questions = Vec::new();
    for survey_id in [survey, draft_survey] {
        let section = store.add_section(survey_id, "The plan", "").await.unwrap();
        let q = |kind, prompt: &str, options: &[&str]| NewQuestion {
            kind,
            prompt: prompt.into(),
            hint: String::new(),
            required: false,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            condition: None,
        };
        let choice = store
            .add_question(
                section,
                &q(QuestionKind::MultipleChoice, "Which matter?", &["Lighting", "Patrols"]),
            )
            .await
            .unwrap();
        let text = store.add_question(section, &q(QuestionKind::LongText, "Why?", &[])).await.unwrap();
        questions.push((choice, text));
    }
    let (choice, text) = questions[0];
    let now = Timestamp(1_736_500_000);
    // Before she had an account, Ada took a place at an event with her address.
    let event = NewEvent {
        title: "A walk in the park".into(),
        format: EventFormat::InPerson,
        on_date: day("2025-02-01"),
        starts_at: "18:00".into(),
        ends_at: "19:00".into(),
        venue: "The bandstand".into(),
        joining_link: String::new(),
        accessibility: String::new(),
        capacity: 10,
        description: String::new(),
    };
    let event = store.create_event(consultation, &event, None, now).await.unwrap();
    let visitor = Registrant::Visitor { name: "Ada L".into(), email: "ADA@example.org".into() };
    assert_eq!(
        store.register_interest(event, &visitor, "cancel-key", Timestamp(1_736_000_000)).await.unwrap(),
        Registration::Registered
    );
    let ada = store.create_account(&resident("Ada", "ada@example.org", true)).await.unwrap();
    let answers: Answers = [
        (choice, vec!["Lighting".to_owned(), "Patrols".to_owned()]),
        (text, vec!["Dark streets scare me".to_owned()]),
    ]
    .into_iter()
    .collect();
    let id = store
        .save_draft(survey, Respondent::Account(ada), Some("ada@example.org"), &answers, &[choice, text], now)
        .await
        .unwrap();
    let response = |user_id, email: Option<&str>, text: &str| NewResponse {
        consultation_id: consultation,
        channel: ResponseChannel::Online,
        source: ResponseSource::Survey,
        received_on: day("2025-01-10"),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: "Camden".into(),
        user_id,
        email: email.map(str::to_owned),
        entered_by: None,
        texts: vec![ResponseText { question: "Why?".into(), text: text.into() }],
        attachment: None,
    };
    let submission_response = store
        .submit_survey(
            id,
            &answers,
            &response(Some(ada), Some("ada@example.org"), "Dark streets scare me"),
            now,
        )
        .await
        .unwrap();
    let (draft_choice, _) = questions[1];
    let draft: Answers = [(draft_choice, vec!["Patrols".to_owned()])].into_iter().collect();
    store
        .save_draft(draft_survey, Respondent::Account(ada), None, &draft, &[draft_choice], now)
        .await
        .unwrap();
    // A submission sent without signing in, from her address (written as the demo writes them).
    store
        .record_survey_submissions(
            survey,
            &[(
                [(text, vec!["Written without signing in".to_owned()])].into_iter().collect(),
                response(None, Some("Ada@Example.org"), "Written without signing in"),
            )],
            now,
        )
        .await
        .unwrap();
    let anonymous_response = response_with(store, consultation, "Written without signing in").await;
    let letter =
        store.record_responses(&[letter(consultation, "ada@example.org", "My letter")]).await.unwrap()[0];
    Scene { consultation, survey, choice, text, event, ada, submission_response, letter, anonymous_response }
}

/// The id of the consultation's response whose first text is `text`.
async fn response_with(store: &Store, consultation: i64, text: &str) -> i64 {
    let entry = store
        .register_all(consultation)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.texts.first().is_some_and(|t| t.text == text))
        .unwrap_or_else(|| panic!("no response says {text:?}"));
    entry.key.trim_start_matches('r').parse().unwrap()
}

/// Everything of Ada's the store holds, as the tests look for it: (survey answer rows, her
/// submissions, responses, event registrations).
async fn traces(store: &Store, s: &Scene) -> (usize, usize, Vec<RegisterEntry>, Vec<Registered>) {
    let results =
        store.survey_results(&store.survey_for("police-plan").await.unwrap().unwrap()).await.unwrap();
    let register = store.register_all(s.consultation).await.unwrap();
    let registrations = store.registrations(s.event).await.unwrap();
    let drafts = store.survey_for("parks").await.unwrap().unwrap();
    let draft = store.submission(drafts.id, Respondent::Account(s.ada)).await.unwrap();
    (results.submitted as usize, usize::from(draft.is_some()), register, registrations)
}

async fn the_download_holds_survey_answers_event_places_and_linked_responses(store: Store) {
    let s = scene(&store).await;
    let export = store.account_export(s.ada).await.unwrap().unwrap();
    let surveys: Vec<_> =
        export.survey_submissions.iter().map(|x| (x.consultation.as_str(), x.status.as_str())).collect();
    assert_eq!(surveys, [("police-plan", "submitted"), ("parks", "draft"), ("police-plan", "submitted")]);
    let submitted = &export.survey_submissions[0];
    assert_eq!(submitted.survey, "Have your say");
    assert_eq!(submitted.response.as_deref(), Some(format!("r{}", s.submission_response).as_str()));
    let answers: Vec<_> = submitted.answers.iter().map(|a| (a.question.as_str(), a.answer.clone())).collect();
    assert_eq!(
        answers,
        [
            ("Which matter?", vec!["Lighting".to_owned(), "Patrols".to_owned()]),
            ("Why?", vec!["Dark streets scare me".to_owned()])
        ]
    );
    assert_eq!(export.survey_submissions[1].answers[0].answer, ["Patrols"], "the draft's answers too");
    assert_eq!(export.survey_submissions[2].answers[0].answer, ["Written without signing in"]);
    let places: Vec<_> =
        export.event_registrations.iter().map(|r| (r.event.as_str(), r.name.as_str())).collect();
    assert_eq!(places, [("A walk in the park", "Ada L")], "taken with her address before she registered");
    assert_eq!(export.event_registrations[0].email.as_deref(), Some("ADA@example.org"));
    let responses: Vec<_> = export.responses.iter().map(|r| (r.id.clone(), r.linked_by.as_str())).collect();
    assert_eq!(
        responses,
        [
            (format!("r{}", s.letter), "email address"),
            (format!("r{}", s.submission_response), "account"),
            (format!("r{}", s.anonymous_response), "email address"),
        ],
        "by date received"
    );
    assert_eq!(export.responses[0].texts[0].text, "My letter");
    let json = serde_json::to_string(&export).unwrap();
    assert!(!json.contains("argon2"), "no password hash");
    let _ = (s.survey, s.choice, s.text);
}

async fn deleting_removes_drafts_places_answers_and_linked_responses(store: Store) {
    let s = scene(&store).await;
    let before = traces(&store, &s).await;
    assert_eq!((before.0, before.1, before.2.len(), before.3.len()), (2, 1, 3, 1));
    store.delete_account(s.ada, &AccountDeletion::default(), Timestamp(1_736_600_000)).await.unwrap();
    let (submitted, drafts, register, registrations) = traces(&store, &s).await;
    assert_eq!(submitted, 0, "both submissions and their answers are gone");
    assert_eq!(drafts, 0, "the draft is gone");
    assert!(register.is_empty(), "the survey responses and the letter are gone: {register:?}");
    assert!(registrations.is_empty(), "the place at the event, with her name and address, is gone");
    assert_eq!(store.respondent_count(s.consultation).await.unwrap(), 0);
    assert!(store.attachment(s.consultation, 1).await.unwrap().is_none(), "the scanned letter is gone");
}

async fn deleting_can_keep_the_words_anonymously(store: Store) {
    let s = scene(&store).await;
    assert_eq!(store.respondent_count(s.consultation).await.unwrap(), 1);
    let choice = AccountDeletion { remove_comments: false, keep_words_anonymously: true };
    store.delete_account(s.ada, &choice, Timestamp(1_736_600_000)).await.unwrap();
    let (submitted, drafts, register, registrations) = traces(&store, &s).await;
    assert_eq!(submitted, 2, "the answers still count");
    assert_eq!(drafts, 0, "a draft was never sent: it goes");
    assert!(registrations.is_empty(), "event places go either way");
    let texts: Vec<_> = register.iter().map(|e| e.texts[0].text.as_str()).collect();
    assert_eq!(
        texts,
        ["My letter", "Dark streets scare me", "Written without signing in"],
        "by date received"
    );
    assert!(register.iter().all(|e| e.borough.is_empty() && e.attachment.is_none()), "{register:?}");
    assert!(store.attachment(s.consultation, 1).await.unwrap().is_none(), "the scanned letter is gone");
    assert_eq!(store.respondent_count(s.consultation).await.unwrap(), 1, "still one person");
    // No address is left that would tie the words to anyone.
    let again = store.create_account(&resident("Ada", "ada@example.org", true)).await.unwrap();
    let export = store.account_export(again).await.unwrap().unwrap();
    assert!(export.responses.is_empty() && export.survey_submissions.is_empty(), "{export:?}");
}

async fn a_safeguarding_comment_stays_for_moderators_after_its_author_leaves(store: Store) {
    let (discussion, _, _) = discussion_with_comments(&store, 0).await;
    let ada = store.create_account(&resident("Ada", "ada@example.org", true)).await.unwrap();
    let flagged =
        comment(&store, discussion, ada, "I don't feel safe at home", vec![CheckFlag::Safeguarding]).await;
    let plain = comment(&store, discussion, ada, "More lighting please", vec![]).await;
    let choice = AccountDeletion { remove_comments: true, keep_words_anonymously: false };
    store.delete_account(ada, &choice, Timestamp(1_736_600_000)).await.unwrap();
    let gone = store.comment(plain).await.unwrap().unwrap();
    assert!(gone.deleted && gone.body.is_empty());
    let kept = store.comment(flagged).await.unwrap().unwrap();
    assert!(!kept.deleted, "not deleted");
    assert_eq!(kept.body, "I don't feel safe at home", "its words stay for the moderators");
    assert_eq!(kept.visibility, Visibility::Held, "hidden from the public");
    assert!(!kept.is_public());
    assert_eq!(kept.author.display_name, FORMER_MEMBER);
    let queue = store.moderation_queue(QueueFilter::Flagged, None, 10).await.unwrap();
    assert_eq!(queue.iter().map(|q| q.comment.id).collect::<Vec<_>>(), [flagged]);
    let log = store.moderation_log(10).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].reason.contains("flagged for safeguarding"), "{:?}", log[0]);
}

async fn retention_removes_personal_data_months_after_the_results_and_keeps_the_counts(store: Store) {
    let s = scene(&store).await;
    // Two letters from one person who has no account, and an unsent draft from someone else.
    let twice = "twice@example.org";
    store
        .record_responses(&[letter(s.consultation, twice, "First"), letter(s.consultation, twice, "Second")])
        .await
        .unwrap();
    let survey = store.survey_for("police-plan").await.unwrap().unwrap();
    let draft: Answers = [(s.choice, vec!["Lighting".to_owned()])].into_iter().collect();
    store
        .save_draft(
            survey.id,
            Respondent::ResumeToken("resume-hash"),
            Some("drafter@example.org"),
            &draft,
            &[s.choice],
            Timestamp(1_736_500_000),
        )
        .await
        .unwrap();
    let admin = store.create_user("Admin", Role::Admin, false).await.unwrap();
    let published = Timestamp(day("2025-03-10").start().0 + 12 * 3600);
    assert!(store.publish_results(s.consultation, admin, published).await.unwrap());
    let respondents = store.respondent_count(s.consultation).await.unwrap();
    assert_eq!(respondents, 2, "Ada, and the person who wrote twice");

    // Six months after 10 March is 10 September: not due the day before.
    assert!(store.retention_due(6, day("2025-09-09")).await.unwrap().is_empty());
    let due = store.retention_due(6, day("2025-09-10")).await.unwrap();
    assert_eq!(due.len(), 1);
    let item = &due[0];
    assert_eq!(item.slug, "police-plan");
    // Ada's anonymous submission and letter, and the two letters; three letters with files; two
    // submitted surveys with an address (Ada's, signed in and not); one draft; one event place.
    assert_eq!(
        (item.addresses, item.attachments, item.survey_addresses, item.drafts, item.event_places),
        (5, 3, 2, 1, 1),
        "{item:?}"
    );
    // The dry run changed nothing.
    assert_eq!(store.retention_due(6, day("2025-09-10")).await.unwrap(), due);

    let removed = store.apply_retention(6, day("2025-09-10"), Timestamp(1_757_000_000)).await.unwrap();
    assert_eq!(removed, due, "what was listed is what was removed");
    let after = store.retention_due(6, day("2025-09-10")).await.unwrap();
    assert!(after[0].is_empty(), "nothing left: {:?}", after[0]);
    assert_eq!(store.respondent_count(s.consultation).await.unwrap(), respondents, "the figures stand");
    let register = store.register_all(s.consultation).await.unwrap();
    assert_eq!(register.len(), 5, "every response stays");
    assert!(register.iter().all(|e| e.attachment.is_none()));
    assert!(store.registrations(s.event).await.unwrap().is_empty(), "names and addresses of places go");
    assert!(store.submission(survey.id, Respondent::ResumeToken("resume-hash")).await.unwrap().is_none());
    // Ada's letter is still hers (her address was confirmed), so she can still see and delete it.
    let export = store.account_export(s.ada).await.unwrap().unwrap();
    assert!(export.responses.iter().any(|r| r.id == format!("r{}", s.letter)), "{:?}", export.responses);
    assert!(export.survey_submissions.iter().all(|x| x.email.is_none()));
    let log = store.staff_log(s.consultation).await.unwrap();
    assert_eq!(log[0].action, StaffAction::ApplyRetention);
    assert!(
        log[0]
            .detail
            .starts_with("6 months after the results were published (10 March 2025): removed 5 email"),
        "{}",
        log[0].detail
    );
    assert!(log[0].actor.is_none(), "heard itself");
}
