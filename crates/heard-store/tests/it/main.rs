//! Store tests: every scenario runs on a fresh SQLite file and a fresh PostgreSQL database.

mod analysis;
mod backoffice;
mod data_dir;
mod jobs;
mod personal_data;
mod register;
mod survey;
mod taking_part;

use heard_store::testing::fresh_store;
use heard_store::*;

/// Runs one scenario as two tests, `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let (store, _) = heard_store::testing::fresh_store(heard_store::Backend::Sqlite).await;
                super::$name(store).await;
            }
            #[tokio::test]
            async fn postgres() {
                let (store, _) = heard_store::testing::fresh_store(heard_store::Backend::Postgres).await;
                super::$name(store).await;
            }
        }
    )*};
}

on_both_databases!(
    consultation_keeps_everything_its_page_shows,
    refuses_bad_consultations_and_writes_nothing,
    discussion_keeps_questions_and_hosts_in_order,
    comments_page_newest_first_with_replies_under_their_parent,
    refuses_empty_comments_and_replies_across_discussions,
    a_discussion_closing_after_its_consultation_closes_with_it,
);

fn day(iso: &str) -> Date {
    Date::parse_iso(iso).unwrap()
}

fn police_plan(slug: &str) -> NewConsultation {
    NewConsultation {
        slug: slug.into(),
        title: "Police and Crime Plan".into(),
        summary: "Tell us what you think of the draft plan.".into(),
        organisation: "Office for Policing".into(),
        respondent_noun: "Londoners".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        recorded_responses: Some(1622),
        results_expected: Some("March 2025".into()),
        accessible_formats: "Ask us for large print.".into(),
        objectives: vec![
            NewObjective {
                title: "Reducing violence".into(),
                summary: String::new(),
                commitments: vec!["Prevent violence early".into(), "Protect people from exploitation".into()],
            },
            NewObjective {
                title: "Increasing trust".into(),
                summary: "s".into(),
                commitments: vec!["Be open".into()],
            },
        ],
        timeline: vec![
            TimelineEntry {
                on_date: day("2025-03-20"),
                title: "Final plan published".into(),
                detail: String::new(),
            },
            TimelineEntry {
                on_date: day("2024-12-18"),
                title: "Draft plan published".into(),
                detail: "d".into(),
            },
        ],
        documents: vec![
            Document {
                title: "Draft plan".into(),
                url: "/d.pdf".into(),
                format: "PDF".into(),
                easy_read: false,
            },
            Document {
                title: "Easy read plan".into(),
                url: "/e.pdf".into(),
                format: "PDF".into(),
                easy_read: true,
            },
        ],
        channels: vec![
            Channel {
                kind: ChannelKind::Email,
                title: "By email".into(),
                detail: "Write to us".into(),
                address: "plan@example.org".into(),
            },
            Channel {
                kind: ChannelKind::Post,
                title: "By post".into(),
                detail: "No stamp".into(),
                address: "Freepost PLAN".into(),
            },
        ],
    }
}

async fn consultation_keeps_everything_its_page_shows(store: Store) {
    let id = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let got = store.consultation_by_slug("police-plan").await.unwrap().expect("stored");
    assert_eq!(got.summary.id, id);
    assert_eq!(got.summary.recorded_responses, Some(1622));
    assert_eq!(got.summary.respondent_noun, "Londoners");
    assert_eq!((got.summary.opens_on, got.summary.closes_on), (day("2024-12-18"), day("2025-02-12")));
    assert_eq!(got.objectives, police_plan("x").objectives);
    // The timeline reads in date order, whatever order it was entered in.
    let titles: Vec<_> = got.timeline.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Draft plan published", "Final plan published"]);
    assert_eq!(got.documents, police_plan("x").documents);
    assert_eq!(got.channels, police_plan("x").channels);
    assert_eq!(got.summary.status(day("2025-01-01")), Status::Open);
    assert_eq!(got.summary.status(day("2025-02-13")), Status::Closed);
    assert_eq!(got.summary.status(day("2024-12-17")), Status::Upcoming);
    assert!(store.consultation_by_slug("nope").await.unwrap().is_none());
    let listed = store.list_consultations().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0], got.summary);
}

async fn refuses_bad_consultations_and_writes_nothing(store: Store) {
    store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let again = store.create_consultation(&police_plan("police-plan")).await.unwrap_err();
    assert!(again.to_string().contains("exists already"), "{again}");
    let mut backwards = police_plan("backwards");
    backwards.closes_on = day("2024-01-01");
    let err = store.create_consultation(&backwards).await.unwrap_err();
    assert!(err.to_string().contains("closes (2024-01-01) before it opens (2024-12-18)"), "{err}");
    let err = store.create_consultation(&police_plan("Police Plan!")).await.unwrap_err();
    assert!(err.to_string().contains("cannot be used in a web address"), "{err}");
    assert_eq!(store.list_consultations().await.unwrap().len(), 1);
}

async fn discussion_keeps_questions_and_hosts_in_order(store: Store) {
    let consultation = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let mut hosts = Vec::new();
    for name in ["Alex", "Chervonne", "Dionne"] {
        hosts.push(store.create_user(name, Role::Host, false).await.unwrap());
    }
    let new = NewDiscussion {
        slug: "safety".into(),
        title: "Safety in public spaces".into(),
        intro: "Agencies work together.".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        questions: vec!["What makes you feel safe?".into(), "What makes you feel unsafe?".into()],
        hosts,
        host_organisation: "MOPAC".into(),
    };
    store.create_discussion(consultation, &new).await.unwrap();
    let got = store.discussion("police-plan", "safety").await.unwrap().expect("stored");
    assert_eq!(got.questions, new.questions);
    let names: Vec<_> = got.hosts.iter().map(|h| h.display_name.as_str()).collect();
    assert_eq!(names, ["Alex", "Chervonne", "Dionne"]);
    assert!(got.hosts.iter().all(|h| h.role == Role::Host));
    assert_eq!(got.host_organisation, "MOPAC");
    assert_eq!(got.consultation.slug, "police-plan");
    assert_eq!(got.summary.comment_count, 0);
    assert!(store.discussion("police-plan", "other").await.unwrap().is_none());
    assert!(store.discussion("other", "safety").await.unwrap().is_none());
    let page = store.consultation_by_slug("police-plan").await.unwrap().unwrap();
    assert_eq!(page.discussions.len(), 1);
    assert_eq!(page.discussions[0].title, "Safety in public spaces");
}

async fn a_discussion_closing_after_its_consultation_closes_with_it(store: Store) {
    // Regression: a discussion given a later closing date than its consultation's kept taking
    // comments after the consultation had closed.
    let consultation = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let mut new = NewDiscussion {
        slug: "late".into(),
        title: "Late".into(),
        intro: "i".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-03-31"),
        questions: Vec::new(),
        hosts: Vec::new(),
        host_organisation: String::new(),
    };
    store.create_discussion(consultation, &new).await.unwrap();
    new.slug = "early".into();
    new.closes_on = day("2025-01-31");
    store.create_discussion(consultation, &new).await.unwrap();
    let the_day_after = day("2025-02-13");
    let late = store.discussion_ref("police-plan", "late").await.unwrap().unwrap();
    assert_eq!(late.closes_on, day("2025-02-12"), "closes with the consultation");
    assert_eq!(late.status(the_day_after), Status::Closed);
    assert_eq!(late.status(day("2025-02-12")), Status::Open);
    let page = store.discussion("police-plan", "late").await.unwrap().unwrap();
    assert_eq!(page.summary.status(the_day_after), Status::Closed, "the page shows it closed");
    let by_id = store.discussion_ref_by_id(late.id).await.unwrap().unwrap();
    assert_eq!(by_id.closes_on, day("2025-02-12"));
    let early = store.discussion_ref("police-plan", "early").await.unwrap().unwrap();
    assert_eq!(early.closes_on, day("2025-01-31"), "one closing earlier keeps its own date");
    let listed = store.consultation_by_slug("police-plan").await.unwrap().unwrap();
    let closes: Vec<Date> = listed.discussions.iter().map(|d| d.closes_on).collect();
    assert_eq!(closes, [day("2025-02-12"), day("2025-01-31")]);
    // Staff's own date is kept for the edit form.
    let stored = store.discussions_for_editing(consultation).await.unwrap();
    assert_eq!(stored[0].closes_on, day("2025-03-31"));
}

pub(crate) async fn discussion_with_comments(store: &Store, comments: usize) -> (i64, i64, Vec<i64>) {
    let consultation = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let new = NewDiscussion {
        slug: "safety".into(),
        title: "Safety".into(),
        intro: "i".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        questions: vec![],
        hosts: vec![],
        host_organisation: String::new(),
    };
    let discussion = store.create_discussion(consultation, &new).await.unwrap();
    let author = store.create_user("Resident One", Role::Resident, false).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..comments {
        let comment = NewComment {
            discussion_id: discussion,
            parent_id: None,
            author_id: author,
            body: format!("comment {n}"),
            // Two comments share each second, so ordering must fall back to the id.
            posted_at: Timestamp(1_735_000_000 + (n as i64 / 2) * 60),
            source: CommentSource::Web,
            flags: vec![],
        };
        ids.push(store.add_comment(&comment).await.unwrap());
    }
    (discussion, author, ids)
}

async fn comments_page_newest_first_with_replies_under_their_parent(store: Store) {
    let (discussion, author, ids) = discussion_with_comments(&store, 25).await;
    let host = store.create_user("Alex", Role::Host, false).await.unwrap();
    for (parent, n) in [(ids[24], 1), (ids[24], 2), (ids[10], 3), (ids[2], 4)] {
        let reply = NewComment {
            discussion_id: discussion,
            parent_id: Some(parent),
            author_id: if n == 1 { host } else { author },
            body: format!("reply {n}"),
            posted_at: Timestamp(1_736_000_000 + n),
            source: CommentSource::Web,
            flags: vec![],
        };
        store.add_comment(&reply).await.unwrap();
    }
    let first = store.comment_page(discussion, 1, 10, CommentSort::Newest).await.unwrap();
    assert_eq!(first.total_threads, 25);
    assert_eq!(first.page_count(), 3);
    let bodies: Vec<_> = first.threads.iter().map(|t| t.comment.body.as_str()).collect();
    assert_eq!(bodies[..3], ["comment 24", "comment 23", "comment 22"]);
    assert_eq!(first.threads.len(), 10);
    let replies: Vec<_> = first.threads[0].replies.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(replies, ["reply 1", "reply 2"]);
    assert_eq!(first.threads[0].replies[0].author.role, Role::Host);
    // Page 2 holds comments 14 to 5: comment 10's reply travels with it, and the reply to
    // comment 2 waits for page 3.
    let second = store.comment_page(discussion, 2, 10, CommentSort::Newest).await.unwrap();
    let with_replies: Vec<_> = second
        .threads
        .iter()
        .filter(|t| !t.replies.is_empty())
        .map(|t| (t.comment.body.as_str(), t.replies[0].body.as_str()))
        .collect();
    assert_eq!(with_replies, [("comment 10", "reply 3")]);
    let third = store.comment_page(discussion, 3, 10, CommentSort::Newest).await.unwrap();
    assert_eq!(third.threads.len(), 5);
    assert_eq!(third.threads[2].comment.body, "comment 2");
    assert_eq!(third.threads[2].replies[0].body, "reply 4");
    let beyond = store.comment_page(discussion, 9, 10, CommentSort::Newest).await.unwrap();
    assert!(beyond.threads.is_empty());
    let summary = store.discussion("police-plan", "safety").await.unwrap().unwrap().summary;
    assert_eq!(summary.comment_count, 29, "comment count includes replies");
}

async fn refuses_empty_comments_and_replies_across_discussions(store: Store) {
    let (discussion, author, ids) = discussion_with_comments(&store, 1).await;
    let consultation = store.list_consultations().await.unwrap()[0].id;
    let other = NewDiscussion {
        slug: "other".into(),
        title: "Other".into(),
        intro: "i".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        questions: vec![],
        hosts: vec![],
        host_organisation: String::new(),
    };
    let other = store.create_discussion(consultation, &other).await.unwrap();
    let mut reply = NewComment {
        discussion_id: other,
        parent_id: Some(ids[0]),
        author_id: author,
        body: "a reply".into(),
        posted_at: Timestamp::now(),
        source: CommentSource::Web,
        flags: vec![],
    };
    let err = store.add_comment(&reply).await.unwrap_err();
    assert!(err.to_string().contains("not in this discussion"), "{err}");
    reply.discussion_id = discussion;
    reply.body = "  \n ".into();
    let err = store.add_comment(&reply).await.unwrap_err();
    assert!(err.to_string().contains("cannot be empty"), "{err}");
    assert_eq!(store.comment_page(discussion, 1, 10, CommentSort::Newest).await.unwrap().total_threads, 1);
}

#[tokio::test]
async fn sqlite_data_dir_reopens_with_its_data_in_wal_mode() {
    let dir = heard_store::testing::temp_dir("reopen");
    let store = Store::open_data_dir(&dir).await.unwrap();
    store.create_consultation(&police_plan("police-plan")).await.unwrap();
    store.close().await;
    let again = Store::open_data_dir(&dir).await.unwrap();
    assert_eq!(again.list_consultations().await.unwrap().len(), 1);
    again.close().await;
    assert!(dir.join("heard.db").exists());
    assert!(
        dir.join("heard.db-wal").exists() || dir.join("heard.db-shm").exists() || {
            // After a clean close SQLite may fold the WAL back; the header then still says WAL (version 2).
            let header = std::fs::read(dir.join("heard.db")).unwrap();
            header[18] == 2 && header[19] == 2
        }
    );
}

#[tokio::test]
async fn refuses_unknown_database_urls() {
    let err = Store::connect("mysql://localhost/heard").await.err().expect("refused");
    assert!(err.to_string().contains("use sqlite://PATH or postgres://"), "{err}");
    let _ = fresh_store;
}
