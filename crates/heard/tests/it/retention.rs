//! `heard retention`: personal data removed months after a consultation's results, listed first by
//! a dry run.

use heard_store::testing::temp_dir;
use heard_store::*;

use crate::run;

fn day(iso: &str) -> Date {
    Date::parse_iso(iso).unwrap()
}

/// A data directory with a consultation that closed in 2024, whose results were published on 1 June
/// 2024: a letter from an address, and a place at its event.
async fn closed_consultation(dir: &std::path::Path) -> (Store, i64, i64) {
    let store = Store::open_data_dir(dir).await.unwrap();
    let consultation = store
        .create_consultation(&NewConsultation {
            slug: "old-plan".into(),
            title: "The old plan".into(),
            summary: "s".into(),
            organisation: "City Hall".into(),
            respondent_noun: "Londoners".into(),
            opens_on: day("2024-01-01"),
            closes_on: day("2024-03-01"),
            recorded_responses: None,
            results_expected: None,
            accessible_formats: String::new(),
            objectives: vec![],
            timeline: vec![],
            documents: vec![],
            channels: vec![],
        })
        .await
        .unwrap();
    let event = NewEvent {
        title: "A meeting".into(),
        format: EventFormat::InPerson,
        on_date: day("2024-02-01"),
        starts_at: "18:00".into(),
        ends_at: "19:00".into(),
        venue: "The hall".into(),
        joining_link: String::new(),
        accessibility: String::new(),
        capacity: 10,
        description: String::new(),
    };
    let event = store.create_event(consultation, &event, None, Timestamp(1_704_000_000)).await.unwrap();
    let visitor = Registrant::Visitor { name: "Sam".into(), email: "sam@example.org".into() };
    store.register_interest(event, &visitor, "key", Timestamp(1_705_000_000)).await.unwrap();
    store
        .record_responses(&[NewResponse {
            consultation_id: consultation,
            channel: ResponseChannel::Email,
            source: ResponseSource::Staff,
            received_on: day("2024-02-10"),
            respondent_type: RespondentType::Individual,
            organisation: String::new(),
            borough: String::new(),
            user_id: None,
            email: Some("sam@example.org".into()),
            entered_by: None,
            texts: vec![ResponseText { question: String::new(), text: "Keep the library open".into() }],
            attachment: None,
        }])
        .await
        .unwrap();
    let admin = store.create_user("Admin", Role::Admin, false).await.unwrap();
    assert!(store.publish_results(consultation, admin, day("2024-06-01").start()).await.unwrap());
    (store, consultation, event)
}

#[test]
fn retention_lists_then_removes_personal_data_after_the_results() {
    let dir = temp_dir("retention");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (store, consultation, event) = runtime.block_on(closed_consultation(&dir));
    runtime.block_on(store.close());
    let data_dir = dir.to_str().unwrap();

    let unset = run(&["retention", "--dry-run", "--data-dir", data_dir]);
    assert!(!unset.status.success());
    assert!(String::from_utf8_lossy(&unset.stderr).contains("--retention-months N"), "{unset:?}");

    let dry = run(&["retention", "--retention-months", "6", "--dry-run", "--data-dir", data_dir]);
    assert!(dry.status.success(), "{dry:?}");
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(
        out.contains("old-plan (results published 1 June 2024): would remove 1 email address of a response, 1 event place"),
        "{out}"
    );
    assert!(out.contains("dry run: nothing was changed"), "{out}");
    let store = runtime.block_on(Store::open_data_dir(&dir)).unwrap();
    assert_eq!(runtime.block_on(store.registrations(event)).unwrap().len(), 1, "the dry run changed nothing");
    runtime.block_on(store.close());

    let applied = run(&["retention", "--retention-months", "6", "--data-dir", data_dir]);
    assert!(applied.status.success(), "{applied:?}");
    let out = String::from_utf8_lossy(&applied.stdout);
    assert!(out.contains("removed 1 email address of a response, 1 event place"), "{out}");
    let store = runtime.block_on(Store::open_data_dir(&dir)).unwrap();
    assert!(runtime.block_on(store.registrations(event)).unwrap().is_empty());
    let register = runtime.block_on(store.register_all(consultation)).unwrap();
    assert_eq!(register[0].texts[0].text, "Keep the library open", "what was said stays");
    let log = runtime.block_on(store.staff_log(consultation)).unwrap();
    assert_eq!(log[0].action, StaffAction::ApplyRetention);
    runtime.block_on(store.close());

    let again = run(&["retention", "--retention-months", "6", "--data-dir", data_dir]);
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("old-plan (results published 1 June 2024): nothing left to remove")
    );
}

#[test]
fn retention_refuses_a_data_directory_that_is_not_there() {
    let out = run(&["retention", "--retention-months", "6", "--data-dir", "/nonexistent/heard-data"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no heard database"), "{out:?}");
}
