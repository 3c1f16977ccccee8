//! The job queue: claims, leases, retries, handing back.

use std::collections::BTreeMap;

use heard_store::*;

crate::on_both_databases!(
    two_claimers_never_get_the_same_job,
    a_job_whose_lease_lapsed_is_taken_again,
    a_failed_job_is_retried_then_marked_failed,
    a_job_handed_back_is_taken_again_at_once,
    periodic_work_queued_by_every_instance_runs_once,
);

const T: Timestamp = Timestamp(1_800_000_000);

fn mail(payload: &str) -> NewJob<'_> {
    NewJob { kind: "mail", payload, max_attempts: 3, unique_key: None }
}

async fn two_claimers_never_get_the_same_job(store: Store) {
    let mut queued = Vec::new();
    for i in 0..60 {
        queued.push(store.queue_job(&mail(&format!("message {i}")), T).await.unwrap().unwrap());
    }
    // Eight instances claiming as fast as they can, all at once.
    let mut claimers = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let store = store.clone();
        claimers.spawn(async move {
            let name = format!("instance-{worker}");
            let mut got = Vec::new();
            while let Some(job) = store.claim_job(&name, &["mail"], T, 60).await.unwrap() {
                got.push((job.id, job.payload, name.clone()));
            }
            got
        });
    }
    let mut claimed: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    while let Some(got) = claimers.join_next().await {
        for (id, payload, worker) in got.unwrap() {
            assert!(payload.starts_with("message "), "{payload}");
            claimed.entry(id).or_default().push(worker);
        }
    }
    let twice: Vec<_> = claimed.iter().filter(|(_, by)| by.len() > 1).collect();
    assert!(twice.is_empty(), "jobs claimed by two instances: {twice:?}");
    assert_eq!(claimed.keys().copied().collect::<Vec<_>>(), queued, "every job was claimed");
    // While their leases are live, nobody takes them again.
    assert_eq!(store.claim_job("latecomer", &["mail"], Timestamp(T.0 + 59), 60).await.unwrap(), None);
    assert_eq!(store.job_counts().await.unwrap(), JobCounts { queued: 0, running: 60, failed: 0 });
}

async fn a_job_whose_lease_lapsed_is_taken_again(store: Store) {
    let id = store.queue_job(&mail("hello"), T).await.unwrap().unwrap();
    let first = store.claim_job("a", &["mail"], T, 60).await.unwrap().unwrap();
    assert_eq!((first.id, first.attempt), (id, 1));
    assert_eq!(store.claim_job("b", &["mail", "analysis"], Timestamp(T.0 + 30), 60).await.unwrap(), None);
    // A renews its lease while it works; then it dies, and the renewed lease lapses.
    assert!(store.renew_job_lease(id, "a", Timestamp(T.0 + 90)).await.unwrap());
    assert_eq!(store.claim_job("b", &["mail"], Timestamp(T.0 + 61), 60).await.unwrap(), None, "renewed");
    let again = store.claim_job("b", &["mail"], Timestamp(T.0 + 90), 60).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempt, again.payload.as_str()), (id, 2, "hello"));
    let record = store.job(id).await.unwrap().unwrap();
    assert_eq!((record.state, record.claimed_by.as_deref()), (JobState::Running, Some("b")));
    // A, had it only been slow, can no longer finish, renew or fail it: the job is B's.
    assert!(!store.finish_job(id, "a", Timestamp(T.0 + 95)).await.unwrap());
    assert!(!store.renew_job_lease(id, "a", Timestamp(T.0 + 200)).await.unwrap());
    assert_eq!(store.fail_job(id, "a", "late", Timestamp(T.0 + 95)).await.unwrap(), AfterFailure::NotHeld);
    assert!(store.finish_job(id, "b", Timestamp(T.0 + 96)).await.unwrap());
    assert_eq!(store.job(id).await.unwrap().unwrap().state, JobState::Done);
    assert_eq!(store.claim_job("c", &["mail"], Timestamp(T.0 + 10_000), 60).await.unwrap(), None, "done");

    // A job whose instance died at its last attempt is failed, not taken a fourth time.
    let id = store.queue_job(&mail("unlucky"), T).await.unwrap().unwrap();
    let mut now = T.0;
    for attempt in 1..=3 {
        let job = store.claim_job("dies", &["mail"], Timestamp(now), 60).await.unwrap().unwrap();
        assert_eq!(job.attempt, attempt);
        now += 61;
    }
    assert_eq!(store.claim_job("next", &["mail"], Timestamp(now), 60).await.unwrap(), None);
    let record = store.job(id).await.unwrap().unwrap();
    assert_eq!(record.state, JobState::Failed);
    assert!(record.last_error.contains("stopped before it finished"), "{}", record.last_error);
}

async fn a_failed_job_is_retried_then_marked_failed(store: Store) {
    let id = store.queue_job(&mail("to a server that is down"), T).await.unwrap().unwrap();
    let job = store.claim_job("a", &["mail"], T, 60).await.unwrap().unwrap();
    let after = store.fail_job(job.id, "a", "sending over SMTP: connection refused", T).await.unwrap();
    assert_eq!(after, AfterFailure::RetryAt(Timestamp(T.0 + 30)));
    let record = store.job(id).await.unwrap().unwrap();
    assert_eq!((record.state, record.claimed_by), (JobState::Queued, None));
    assert_eq!(record.last_error, "sending over SMTP: connection refused");
    // Not before its back-off, by any instance.
    assert_eq!(store.claim_job("b", &["mail"], Timestamp(T.0 + 29), 60).await.unwrap(), None);
    let job = store.claim_job("b", &["mail"], Timestamp(T.0 + 30), 60).await.unwrap().unwrap();
    assert_eq!(job.attempt, 2);
    let after = store.fail_job(id, "b", "still refused", Timestamp(T.0 + 31)).await.unwrap();
    assert_eq!(after, AfterFailure::RetryAt(Timestamp(T.0 + 31 + 60)), "the wait doubles");
    assert_eq!(store.claim_job("b", &["mail"], Timestamp(T.0 + 90), 60).await.unwrap(), None);
    let job = store.claim_job("c", &["mail"], Timestamp(T.0 + 91), 60).await.unwrap().unwrap();
    assert_eq!(job.attempt, 3);
    let after = store.fail_job(id, "c", "refused a third time", Timestamp(T.0 + 92)).await.unwrap();
    assert_eq!(after, AfterFailure::Failed);
    let record = store.job(id).await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (JobState::Failed, 3));
    assert_eq!(record.last_error, "refused a third time");
    assert_eq!(store.claim_job("d", &["mail"], Timestamp(T.0 + 100_000), 60).await.unwrap(), None);
    assert_eq!(store.job_counts().await.unwrap(), JobCounts { queued: 0, running: 0, failed: 1 });
    assert_eq!(retry_delay_secs(20), 3600, "at most an hour between tries");
}

async fn a_job_handed_back_is_taken_again_at_once(store: Store) {
    let analysis = NewJob { kind: "analysis", payload: "{\"run_id\":1}", max_attempts: 3, unique_key: None };
    let id = store.queue_job(&analysis, T).await.unwrap().unwrap();
    let other = store.queue_job(&mail("m"), T).await.unwrap().unwrap();
    assert_eq!(
        store.claim_job("a", &["mail"], T, 60).await.unwrap().unwrap().id,
        other,
        "kinds asked for only"
    );
    let job = store.claim_job("a", &["analysis"], T, 600).await.unwrap().unwrap();
    assert_eq!(job.id, id);
    // Shutting down: A hands back what it holds, and B takes it without waiting for the lease.
    assert_eq!(store.release_jobs("a").await.unwrap(), 2);
    let record = store.job(id).await.unwrap().unwrap();
    assert_eq!((record.state, record.claimed_by, record.attempts), (JobState::Queued, None, 0));
    let job = store.claim_job("b", &["analysis"], Timestamp(T.0 + 1), 600).await.unwrap().unwrap();
    assert_eq!((job.id, job.attempt), (id, 1), "a handed-back attempt is not counted");
    assert_eq!(store.release_jobs("a").await.unwrap(), 0, "A holds nothing now");
    // On SQLite at start, whatever the last process held is handed back.
    assert_eq!(store.release_all_jobs().await.unwrap(), 1);
    assert!(store.job_due(&["analysis"], Timestamp(T.0 + 2)).await.unwrap());
}

async fn periodic_work_queued_by_every_instance_runs_once(store: Store) {
    let sweep = |key| NewJob { kind: "stalled-runs", payload: "{}", max_attempts: 1, unique_key: Some(key) };
    let first = store.queue_job(&sweep("stalled-runs:500000"), T).await.unwrap();
    assert!(first.is_some());
    assert_eq!(store.queue_job(&sweep("stalled-runs:500000"), T).await.unwrap(), None);
    let job = store.claim_job("a", &["stalled-runs"], T, 60).await.unwrap().unwrap();
    assert!(store.finish_job(job.id, "a", T).await.unwrap());
    assert_eq!(
        store.queue_job(&sweep("stalled-runs:500000"), Timestamp(T.0 + 5)).await.unwrap(),
        None,
        "done"
    );
    assert!(store.queue_job(&sweep("stalled-runs:500001"), Timestamp(T.0 + 3600)).await.unwrap().is_some());
    assert_eq!(store.prune_jobs(Timestamp(T.0 + 1)).await.unwrap(), 1, "the done job is forgotten");
    assert_eq!(store.job(job.id).await.unwrap(), None);
}
