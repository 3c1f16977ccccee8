//! The back office: drafts and the lifecycle, editing, the staff log, events, registrations of
//! interest and notes from events, on both databases.

use heard_store::*;

use crate::{day, police_plan};

crate::on_both_databases!(
    a_draft_is_invisible_to_every_public_query_until_published,
    results_are_published_only_after_closing_and_every_step_is_logged,
    editing_keeps_discussions_with_comments_and_refuses_to_remove_them,
    capacity_holds_when_many_register_at_once,
    one_registration_per_person_whether_signed_in_or_not,
    event_notes_join_the_register_and_the_count,
    a_withdrawn_consultation_leaves_every_public_query,
    withdrawn_results_are_no_longer_out_and_can_be_published_again,
    a_consultation_closes_at_the_end_of_its_local_closing_day,
);

/// 2025-01-10 noon: the police plan (18 Dec 2024 to 12 Feb 2025) is open.
fn in_january() -> Timestamp {
    Timestamp(day("2025-01-10").start().0 + 12 * 3600)
}

fn resident(name: &str, email: &str) -> NewAccount {
    NewAccount {
        display_name: name.into(),
        email: email.into(),
        password_hash: "$argon2id$stand-in".into(),
        role: Role::Resident,
        borough: None,
        demographics: Demographics::default(),
        created_at: Timestamp(1_735_000_000),
        email_confirmed: true,
        special_category_consent: false,
    }
}

fn discussion(slug: &str) -> NewDiscussion {
    NewDiscussion {
        slug: slug.into(),
        title: format!("Talk about {slug}"),
        intro: "Tell us.".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        questions: vec!["What would help?".into()],
        hosts: vec![],
        host_organisation: "MOPAC".into(),
    }
}

fn draft(slug: &str) -> ConsultationEdit {
    ConsultationEdit { consultation: police_plan(slug), discussions: vec![discussion("safety")] }
}

fn event(capacity: i64) -> NewEvent {
    NewEvent {
        title: "Online session".into(),
        format: EventFormat::Online,
        on_date: day("2025-01-20"),
        starts_at: "18:30".into(),
        ends_at: "20:00".into(),
        venue: String::new(),
        joining_link: "https://example.org/join".into(),
        accessibility: "Live captions.".into(),
        capacity,
        description: "Hear about the plan and tell us what you think.".into(),
    }
}

async fn staff(store: &Store) -> i64 {
    let mut admin = resident("Ada", "ada@example.org");
    admin.role = Role::Admin;
    store.create_account(&admin).await.unwrap()
}

async fn a_draft_is_invisible_to_every_public_query_until_published(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_draft(&draft("draft-plan"), ada, in_january()).await.unwrap();
    assert!(store.consultation_by_slug("draft-plan").await.unwrap().is_none(), "the public page");
    assert!(store.list_consultations().await.unwrap().is_empty(), "the home page list");
    assert!(store.discussion("draft-plan", "safety").await.unwrap().is_none(), "its discussion");
    assert!(store.discussion_ref("draft-plan", "safety").await.unwrap().is_none(), "posting to it");
    let staff_view = store.consultation_for_staff("draft-plan").await.unwrap().expect("staff see it");
    assert_eq!(staff_view.summary.stage(store.today(in_january())), Stage::Draft);
    assert_eq!(store.all_consultations().await.unwrap().len(), 1);
    let d = store.discussions_for_editing(id).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].questions, ["What would help?"]);

    assert!(store.publish_consultation(id, ada, in_january()).await.unwrap());
    assert!(
        !store.publish_consultation(id, ada, in_january()).await.unwrap(),
        "publishing twice changes nothing"
    );
    assert_eq!(store.list_consultations().await.unwrap().len(), 1);
    let found = store.discussion_ref("draft-plan", "safety").await.unwrap().expect("published");
    assert!(store.discussion_ref_by_id(found.id).await.unwrap().is_some());
    let listing = store.consultation_for_staff("draft-plan").await.unwrap().unwrap().summary;
    // Stage follows the dates once published.
    assert_eq!(listing.stage(day("2024-12-01")), Stage::Scheduled);
    assert_eq!(listing.stage(day("2025-01-10")), Stage::Open);
    assert_eq!(listing.stage(day("2025-03-01")), Stage::Closed);
}

async fn results_are_published_only_after_closing_and_every_step_is_logged(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_draft(&draft("plan"), ada, in_january()).await.unwrap();
    let err = store.publish_results(id, ada, in_january()).await.unwrap_err();
    assert!(err.to_string().contains("once the consultation has closed"), "{err}");
    store.publish_consultation(id, ada, in_january()).await.unwrap();
    let err = store.publish_results(id, ada, in_january()).await.unwrap_err();
    assert!(err.to_string().contains("12 February 2025"), "{err}");
    let march = Timestamp(day("2025-03-01").start().0);
    assert!(store.publish_results(id, ada, march).await.unwrap());
    let listing = store.consultation_by_slug("plan").await.unwrap().unwrap().summary;
    assert_eq!(listing.stage(day("2025-03-01")), Stage::ResultsPublished);
    let log = store.staff_log(id).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action).collect();
    assert_eq!(actions, [StaffAction::PublishResults, StaffAction::Publish, StaffAction::CreateConsultation]);
    assert!(log.iter().all(|e| e.actor.as_ref().map(|u| u.id) == Some(ada)));
}

async fn editing_keeps_discussions_with_comments_and_refuses_to_remove_them(store: Store) {
    let ada = staff(&store).await;
    let mut edit = draft("plan");
    edit.discussions.push(discussion("violence"));
    let id = store.create_draft(&edit, ada, in_january()).await.unwrap();
    store.publish_consultation(id, ada, in_january()).await.unwrap();
    let safety = store.discussion_ref("plan", "safety").await.unwrap().unwrap();
    let author = store.create_account(&resident("Rae", "rae@example.org")).await.unwrap();
    let comment = store
        .add_comment(&NewComment {
            discussion_id: safety.id,
            parent_id: None,
            author_id: author,
            body: "Better lighting.".into(),
            posted_at: in_january(),
            source: CommentSource::Web,
            flags: vec![],
        })
        .await
        .unwrap();

    // Removing the discussion with a comment is refused, and nothing changes.
    let mut without_safety = edit.clone();
    without_safety.discussions.remove(0);
    without_safety.consultation.title = "Renamed".into();
    let err = store.update_consultation(id, &without_safety, ada, in_january()).await.unwrap_err();
    assert!(err.to_string().contains("has comments, so it cannot be removed"), "{err}");
    assert_eq!(
        store.consultation_by_slug("plan").await.unwrap().unwrap().summary.title,
        "Police and Crime Plan"
    );

    // Renaming it, reordering, dropping the empty one and adding another keeps the comment.
    let mut changed = edit.clone();
    changed.consultation.title = "Renamed".into();
    changed.consultation.objectives.truncate(1);
    changed.discussions = vec![discussion("new-one"), discussion("safety")];
    changed.discussions[1].title = "Safety, renamed".into();
    changed.discussions[1].questions = vec!["First?".into(), "Second?".into()];
    store.update_consultation(id, &changed, ada, in_january()).await.unwrap();
    let got = store.consultation_by_slug("plan").await.unwrap().unwrap();
    assert_eq!(got.summary.title, "Renamed");
    assert_eq!(got.objectives.len(), 1);
    let slugs: Vec<_> = got.discussions.iter().map(|d| d.slug.as_str()).collect();
    assert_eq!(slugs, ["new-one", "safety"]);
    assert_eq!(got.discussions[1].title, "Safety, renamed");
    assert_eq!(got.discussions[1].comment_count, 1);
    assert_eq!(store.comment(comment).await.unwrap().unwrap().body, "Better lighting.");
    let d = store.discussion("plan", "safety").await.unwrap().unwrap();
    assert_eq!(d.questions, ["First?", "Second?"]);

    // A slug another consultation has is refused.
    store.create_consultation(&police_plan("other")).await.unwrap();
    let mut clash = changed.clone();
    clash.consultation.slug = "other".into();
    let err = store.update_consultation(id, &clash, ada, in_january()).await.unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");
}

/// The staff log refuses changes even from a program that bypasses the store.
async fn staff_log_cannot_be_changed(backend: Backend) {
    let (store, url) = heard_store::testing::fresh_store(backend).await;
    let ada = staff(&store).await;
    let id = store.create_draft(&draft("plan"), ada, in_january()).await.unwrap();
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.unwrap();
    for sql in ["UPDATE staff_log SET detail = 'changed'", "DELETE FROM staff_log"] {
        let err = sqlx::query(sql).execute(&mut conn).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.staff_log(id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn staff_log_cannot_be_changed_on_sqlite() {
    staff_log_cannot_be_changed(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_log_cannot_be_changed_on_postgres() {
    staff_log_cannot_be_changed(Backend::Postgres).await;
}

async fn capacity_holds_when_many_register_at_once(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_consultation(&police_plan("plan")).await.unwrap();
    let event_id = store.create_event(id, &event(3), Some(ada), in_january()).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..12 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let who = Registrant::Visitor { name: format!("Person {n}"), email: format!("p{n}@example.org") };
            store.register_interest(event_id, &who, &format!("key{n}"), in_january()).await.unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let registered = outcomes.iter().filter(|o| **o == Registration::Registered).count();
    let full = outcomes.iter().filter(|o| **o == Registration::Full).count();
    assert_eq!((registered, full), (3, 9), "{outcomes:?}");
    assert_eq!(store.registrations(event_id).await.unwrap().len(), 3);
    let e = store.event(event_id).await.unwrap().unwrap();
    assert!(e.is_full());
    assert_eq!(e.places_left(), 0);
}

async fn one_registration_per_person_whether_signed_in_or_not(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_consultation(&police_plan("plan")).await.unwrap();
    let event_id = store.create_event(id, &event(10), Some(ada), in_january()).await.unwrap();
    let rae = store.create_account(&resident("Rae", "Rae@Example.org")).await.unwrap();
    let as_account = Registrant::Account { user_id: rae, name: "Rae".into() };
    assert_eq!(
        store.register_interest(event_id, &as_account, "k1", in_january()).await.unwrap(),
        Registration::Registered
    );
    assert_eq!(
        store.register_interest(event_id, &as_account, "k2", in_january()).await.unwrap(),
        Registration::AlreadyRegistered
    );
    // Her address, typed in another case while signed out, is her account.
    let by_address = Registrant::Visitor { name: "Rae S".into(), email: "rae@EXAMPLE.org".into() };
    assert_eq!(
        store.register_interest(event_id, &by_address, "k3", in_january()).await.unwrap(),
        Registration::AlreadyRegistered
    );
    let visitor = Registrant::Visitor { name: "Sam".into(), email: "sam@example.org".into() };
    assert_eq!(
        store.register_interest(event_id, &visitor, "k4", in_january()).await.unwrap(),
        Registration::Registered
    );
    let visitor_again = Registrant::Visitor { name: "Samuel".into(), email: " SAM@example.org ".into() };
    assert_eq!(
        store.register_interest(event_id, &visitor_again, "k5", in_january()).await.unwrap(),
        Registration::AlreadyRegistered
    );
    assert!(store.is_registered(event_id, rae).await.unwrap());
    let list = store.registrations(event_id).await.unwrap();
    let names: Vec<_> = list.iter().map(|r| (r.name.as_str(), r.email.as_deref(), r.has_account)).collect();
    assert_eq!(names, [("Rae", Some("Rae@Example.org"), true), ("Sam", Some("sam@example.org"), false)]);
    // A place is given back from the email's link, or by the account; then it is free again.
    assert_eq!(store.registration_by_cancel_key(event_id, "k4").await.unwrap().as_deref(), Some("Sam"));
    assert!(!store.cancel_registration(event_id, CancelBy::Key("nope")).await.unwrap());
    assert!(store.cancel_registration(event_id, CancelBy::Key("k4")).await.unwrap());
    assert!(!store.cancel_registration(event_id, CancelBy::Key("k4")).await.unwrap(), "once only");
    assert_eq!(store.registration_by_cancel_key(event_id, "k4").await.unwrap(), None);
    assert!(store.cancel_registration(event_id, CancelBy::Account(rae)).await.unwrap());
    assert!(!store.is_registered(event_id, rae).await.unwrap());
    assert!(store.registrations(event_id).await.unwrap().is_empty(), "names and emails go with them");
    assert_eq!(
        store.register_interest(event_id, &visitor, "k8", in_january()).await.unwrap(),
        Registration::Registered
    );
    // Once its day has gone, nobody can register.
    let late = Timestamp(day("2025-01-21").start().0);
    let newcomer = Registrant::Visitor { name: "Lee".into(), email: "lee@example.org".into() };
    assert_eq!(store.register_interest(event_id, &newcomer, "k6", late).await.unwrap(), Registration::Past);
}

async fn event_notes_join_the_register_and_the_count(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_consultation(&police_plan("plan")).await.unwrap();
    let event_id = store.create_event(id, &event(30), Some(ada), in_january()).await.unwrap();
    assert_eq!(store.respondent_count(id).await.unwrap(), 0);
    let note = |texts: Vec<ResponseText>, kind: RespondentType, organisation: &str| NewResponse {
        consultation_id: id,
        channel: ResponseChannel::Event,
        source: ResponseSource::Event,
        received_on: day("2025-01-20"),
        respondent_type: kind,
        organisation: organisation.into(),
        borough: "Lambeth".into(),
        user_id: None,
        email: None,
        entered_by: Some(ada),
        texts,
        attachment: None,
    };
    let notes = [
        note(
            vec![
                ResponseText { question: "What makes you feel safe?".into(), text: "Busy streets.".into() },
                ResponseText { question: String::new(), text: "More youth clubs.".into() },
            ],
            RespondentType::Individual,
            "",
        ),
        note(
            vec![ResponseText { question: String::new(), text: "Our members want lighting.".into() }],
            RespondentType::Organisation,
            "Tenants' association",
        ),
    ];
    let ids = store.record_event_notes(event_id, &notes, ada, in_january()).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(store.respondent_count(id).await.unwrap(), 2);
    let back = store.event_notes(event_id).await.unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].texts.len(), 2);
    assert_eq!(back[0].texts[0].question, "What makes you feel safe?");
    assert_eq!(back[1].organisation, "Tenants' association");
    // A note dated other than the event's day is refused, and nothing is written.
    let mut wrong_day = notes[0].clone();
    wrong_day.received_on = day("2025-01-21");
    assert!(store.record_event_notes(event_id, &[wrong_day], ada, in_january()).await.is_err());
    assert_eq!(store.respondent_count(id).await.unwrap(), 2);
    assert!(store.staff_log(id).await.unwrap().iter().any(|e| e.action == StaffAction::RecordEventNotes));
}

async fn a_withdrawn_consultation_leaves_every_public_query(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_draft(&draft("plan"), ada, in_january()).await.unwrap();
    let err = store.withdraw_consultation(id, ada, "Published by mistake", in_january()).await.unwrap_err();
    assert!(err.to_string().contains("only a published consultation"), "{err}");
    store.publish_consultation(id, ada, in_january()).await.unwrap();
    let err = store.withdraw_consultation(id, ada, " ", in_january()).await.unwrap_err();
    assert!(err.to_string().contains("say why"), "{err}");
    assert!(store.consultation_by_slug("plan").await.unwrap().is_some(), "a refusal changes nothing");

    assert!(store.withdraw_consultation(id, ada, "The plan was replaced", in_january()).await.unwrap());
    assert!(!store.withdraw_consultation(id, ada, "twice", in_january()).await.unwrap(), "once is enough");
    assert!(store.consultation_by_slug("plan").await.unwrap().is_none(), "the public page");
    assert!(store.list_consultations().await.unwrap().is_empty(), "the home page list");
    assert!(store.discussion("plan", "safety").await.unwrap().is_none(), "its discussion");
    assert!(store.discussion_ref("plan", "safety").await.unwrap().is_none(), "posting to it");
    let withdrawn = store.withdrawn_consultation("plan").await.unwrap().expect("its address can say so");
    assert_eq!(withdrawn.withdrawn_at, Some(in_january()));
    assert!(store.withdrawn_consultation("nothing-here").await.unwrap().is_none());
    let staff_view = store.consultation_for_staff("plan").await.unwrap().expect("staff keep it");
    assert_eq!(staff_view.summary.stage(store.today(in_january())), Stage::Withdrawn);
    // Nothing moves it on once withdrawn.
    assert!(store.close_consultation(id, ada, in_january()).await.is_err());
    let march = Timestamp(day("2025-03-01").start().0);
    assert!(store.publish_results(id, ada, march).await.is_err());
    let log = store.staff_log(id).await.unwrap();
    let entry = log.iter().find(|e| e.action == StaffAction::WithdrawConsultation).expect("logged");
    assert_eq!(entry.detail, "The plan was replaced");
    assert_eq!(entry.actor.as_ref().map(|u| u.id), Some(ada));
    assert_eq!(log.iter().filter(|e| e.action == StaffAction::WithdrawConsultation).count(), 1);
}

async fn withdrawn_results_are_no_longer_out_and_can_be_published_again(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_draft(&draft("plan"), ada, in_january()).await.unwrap();
    store.publish_consultation(id, ada, in_january()).await.unwrap();
    let march = Timestamp(day("2025-03-01").start().0);
    assert!(!store.withdraw_results(id, ada, "Not out yet", march).await.unwrap(), "nothing to withdraw");
    assert!(store.publish_results(id, ada, march).await.unwrap());
    assert!(store.withdraw_results(id, ada, "", march).await.is_err(), "a reason is required");
    let later = Timestamp(march.0 + 86_400);
    assert!(store.withdraw_results(id, ada, "A borough's letters were missing", later).await.unwrap());
    let s = store.consultation_by_slug("plan").await.unwrap().expect("the consultation stays").summary;
    assert_eq!(s.stage(store.today(later)), Stage::Closed);
    assert_eq!(s.results_withdrawn_at, Some(later));
    assert!(!store.withdraw_results(id, ada, "again", later).await.unwrap());
    assert!(store.publish_results(id, ada, later).await.unwrap(), "published again once put right");
    let s = store.consultation_by_slug("plan").await.unwrap().unwrap().summary;
    assert_eq!((s.stage(store.today(later)), s.results_withdrawn_at), (Stage::ResultsPublished, None));
    let log = store.staff_log(id).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| (e.action, e.detail.as_str())).collect();
    assert_eq!(
        actions[..3],
        [
            (StaffAction::PublishResults, ""),
            (StaffAction::WithdrawResults, "A borough's letters were missing"),
            (StaffAction::PublishResults, ""),
        ]
    );
}

/// Summer time: 30 June 2025 ends at 23:00 UTC in London (BST, UTC+1). A consultation closing that
/// day is closed from then, and still open a minute before, whatever the UTC date says.
async fn a_consultation_closes_at_the_end_of_its_local_closing_day(store: Store) {
    let ada = staff(&store).await;
    let id = store.create_draft(&summer_draft("summer", "2025-06-30"), ada, in_january()).await.unwrap();
    store.publish_consultation(id, ada, in_january()).await.unwrap();
    let london = store.time_zone().clone();
    assert_eq!(london.name(), "Europe/London");
    let last_second = london.day_end(day("2025-06-30"));
    assert_eq!(last_second, Timestamp(day("2025-06-30").start().0 + 23 * 3600 - 1), "23:59:59 BST");
    let after = Timestamp(last_second.0 + 1);
    assert_eq!(after.utc_date(), day("2025-06-30"), "still 30 June in UTC");
    assert_eq!(store.today(after), day("2025-07-01"));
    let s = store.consultation_by_slug("summer").await.unwrap().unwrap().summary;
    assert_eq!(s.stage(store.today(last_second)), Stage::Open);
    assert_eq!(s.stage(store.today(after)), Stage::Closed);
    // The store's own rules read the local day too: results wait until the day has ended.
    assert!(store.publish_results(id, ada, last_second).await.is_err(), "still open at 23:59:59 BST");
    // "Close now" at 00:30 BST on 30 June (23:30 on 29 June in UTC) makes 29 June, the local
    // yesterday, the closing date.
    let other = store.create_draft(&summer_draft("other", "2025-07-31"), ada, in_january()).await.unwrap();
    store.publish_consultation(other, ada, in_january()).await.unwrap();
    let just_after_midnight = Timestamp(day("2025-06-29").start().0 + 23 * 3600 + 1800);
    assert_eq!(store.today(just_after_midnight), day("2025-06-30"));
    assert_eq!(
        store.close_consultation(other, ada, just_after_midnight).await.unwrap(),
        Some(day("2025-06-29"))
    );
    assert!(store.publish_results(id, ada, after).await.unwrap(), "closed at the end of 30 June BST");
    // In another install's zone the same instants fall on other days.
    let utc = store.clone().with_time_zone(TimeZone::named("UTC").unwrap());
    assert_eq!(utc.today(after), day("2025-06-30"));
}

/// A draft open from 1 June 2025 to `closes`.
fn summer_draft(slug: &str, closes: &str) -> ConsultationEdit {
    let mut edit = draft(slug);
    edit.consultation.opens_on = day("2025-06-01");
    edit.consultation.closes_on = day(closes);
    edit.discussions[0].opens_on = day("2025-06-01");
    edit.discussions[0].closes_on = day(closes);
    edit
}
