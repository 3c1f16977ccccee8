//! The job queue as instances use it: mail queued by requests on either of two instances sharing
//! one database is sent once, read back from the real SMTP server; mail to a server that is down
//! waits in the queue to be tried again, its error naming no address.

use std::time::{Duration, Instant};

use heard_store::testing::fresh_store;
use heard_store::*;
use heard_web::{AppState, Clock, MailSettings, Settings};

use crate::password_reset::{mail_settings, mail_to};

/// Two instances, each with its own connection to one database and its own worker.
async fn two_instances(backend: Backend, settings: Settings) -> (AppState, AppState, Store) {
    let (store, url) = fresh_store(backend).await;
    let other = Store::connect(&url).await.unwrap().with_areas(Areas::london());
    let a = AppState::build(store.clone(), Clock::System, Duration::ZERO, settings.clone());
    let b = AppState::build(other, Clock::System, Duration::ZERO, settings);
    heard_web::jobs::start(a.clone());
    heard_web::jobs::start(b.clone());
    (a, b, store)
}

async fn mail_queued_on_either_instance_is_sent_once(backend: Backend) {
    let (settings, maildir) = mail_settings();
    let (a, b, store) = two_instances(backend, settings).await;
    let tag = format!("{}-{:?}-{}", std::process::id(), backend, Timestamp::now().0).to_lowercase();
    let addresses: Vec<String> = (0..24).map(|i| format!("once-{tag}-{i}@example.org")).collect();
    for (i, to) in addresses.iter().enumerate() {
        let instance = if i % 2 == 0 { &a } else { &b };
        let body = format!("Message {i} of the test.\n");
        assert!(instance.queue_mail(to.clone(), "A notice", body, None, "test notice").await);
    }
    let started = Instant::now();
    while addresses.iter().any(|to| mail_to(&maildir, to).is_empty()) {
        assert!(started.elapsed() < Duration::from_secs(20), "not every message arrived in 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Both workers look for work every second: give either time to send anything a second time.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for (i, to) in addresses.iter().enumerate() {
        let received = mail_to(&maildir, to);
        assert_eq!(received.len(), 1, "{to} received {} messages", received.len());
        assert!(received[0].contains(&format!("Message {i} of the test.")), "{}", received[0]);
    }
    let jobs = store.jobs_of_kind("mail").await.unwrap();
    assert_eq!(jobs.len(), addresses.len());
    assert!(jobs.iter().all(|j| j.state == JobState::Done && j.attempts == 1), "{jobs:?}");
}

#[tokio::test]
async fn mail_queued_on_either_instance_is_sent_once_on_sqlite() {
    mail_queued_on_either_instance_is_sent_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn mail_queued_on_either_instance_is_sent_once_on_postgres() {
    mail_queued_on_either_instance_is_sent_once(Backend::Postgres).await;
}

#[tokio::test]
async fn mail_to_a_server_that_is_down_waits_to_be_tried_again() {
    // A port nothing listens on: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let settings = Settings {
        mail: Some(
            MailSettings::from_url(&format!("smtp://127.0.0.1:{port}"), "heard <no-reply@heard.test>")
                .unwrap(),
        ),
        ..Settings::default()
    };
    let (a, _b, store) = two_instances(Backend::Sqlite, settings).await;
    let to = "waiting@example.org";
    assert!(a.queue_mail(to.into(), "A notice", "Hello.\n".into(), Some(7), "test notice").await);
    let started = Instant::now();
    let job = loop {
        let jobs = store.jobs_of_kind("mail").await.unwrap();
        if let Some(job) = jobs.into_iter().find(|j| !j.last_error.is_empty()) {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the attempt was not recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((job.state, job.attempts, job.claimed_by.as_deref()), (JobState::Queued, 1, None), "{job:?}");
    assert!(job.last_error.contains("SMTP"), "{}", job.last_error);
    assert!(!job.last_error.contains(to), "the error names no address: {}", job.last_error);
    assert!(job.run_after.0 >= Timestamp::now().0 + 20, "it waits before the next try: {job:?}");
    // Nobody sends it again before then.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(store.job(job.id).await.unwrap().unwrap().attempts, 1);
}
