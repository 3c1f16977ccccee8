//! Background work, through the store's job queue, so that it happens once whichever instance does
//! it and none is lost when an instance dies: what each kind of job does, how it is queued, and the
//! worker every instance runs.
//!
//! A request queues (`AppState::queue_mail`, `queue_password_reset`; an analysis run is queued with
//! its row, `Store::create_queued_run`) and answers at once; the worker of this instance is woken,
//! and the others find the job within `POLL`. A worker holds a lease on each job it runs and renews
//! it while the job goes on; when it stops it hands back what it holds ([`Worker::stop`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use heard_store::{AfterFailure, ClaimedJob, NewJob, RunStatus, StoreError, Timestamp};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::AppState;

/// How long a claimed job is this instance's before another may take it, unless renewed.
pub const LEASE_SECS: i64 = 60;
/// How often a running job's lease is renewed.
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// How often a worker looks for work queued by other instances.
const POLL: Duration = Duration::from_secs(1);
/// Jobs one instance runs at once, and analysis runs among them (each keeps a core busy).
const AT_ONCE: usize = 4;
const ANALYSES_AT_ONCE: usize = 2;
/// How long a stopping worker lets the jobs it runs finish before handing them back.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Mail: tried for about two hours (the back-off doubles from 30 s) before it is given up.
const MAIL_ATTEMPTS: i64 = 8;
/// An analysis run is tried again only when its instance died running it; a run that fails
/// records why on its page and is not tried again.
pub(crate) const ANALYSIS_ATTEMPTS: i64 = 3;

pub(crate) const MAIL: &str = "mail";
pub(crate) const PASSWORD_RESET: &str = "password-reset";
pub(crate) const ANALYSIS: &str = "analysis";
const STALLED_RUNS: &str = "stalled-runs";
const RETENTION: &str = "retention";
const PRUNE: &str = "prune";
const KINDS: &[&str] = &[MAIL, PASSWORD_RESET, ANALYSIS, STALLED_RUNS, RETENTION, PRUNE];

/// An analysis run silent this long is taken to have stopped with its server, its job given up.
const STALLED_RUN_SECS: i64 = 600;

/// A message to send. `what` names it in the log ("password reset link"), with the account's id,
/// never the address.
#[derive(Debug, Serialize, Deserialize)]
struct Mail {
    to: String,
    subject: String,
    body: String,
    user_id: Option<i64>,
    what: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct PasswordReset {
    email: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Analysis {
    run_id: i64,
}

/// The payload of the job that runs analysis run `run_id`.
pub(crate) fn analysis_payload(run_id: i64) -> String {
    serde_json::to_string(&Analysis { run_id }).expect("a job's payload serialises")
}

/// What the queue's side of `AppState` holds: this instance's name in leases and how to wake its
/// worker.
pub(crate) struct Queue {
    pub worker_id: String,
    wake: Notify,
}

impl Queue {
    pub fn new() -> Queue {
        let token = crate::auth::random_token();
        Queue { worker_id: format!("{}-{}", std::process::id(), &token[..10]), wake: Notify::new() }
    }
}

impl AppState {
    /// Queues a message; whether it was (false when mail is not set up, or the queue could not be
    /// written: logged, without the address).
    pub async fn queue_mail(
        &self,
        to: String,
        subject: &str,
        body: String,
        user_id: Option<i64>,
        what: &str,
    ) -> bool {
        if self.mailer().is_none() {
            return false;
        }
        let mail = Mail { to, subject: subject.to_owned(), body, user_id, what: what.to_owned() };
        match self.queue(MAIL, &mail, MAIL_ATTEMPTS).await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(user.id = user_id, error = %e, "queueing a {what}");
                false
            }
        }
    }

    /// Queues making and mailing a password reset link for whoever has `email`: whether an
    /// account has it is found out by the worker, so the request's timing does not tell.
    pub(crate) async fn queue_password_reset(&self, email: String) -> Result<(), StoreError> {
        self.queue(PASSWORD_RESET, &PasswordReset { email }, MAIL_ATTEMPTS).await
    }

    async fn queue(&self, kind: &str, payload: &impl Serialize, max_attempts: i64) -> Result<(), StoreError> {
        let payload = serde_json::to_string(payload).expect("a job's payload serialises");
        let job = NewJob { kind, payload: &payload, max_attempts, unique_key: None };
        self.store().queue_job(&job, Timestamp::now()).await?;
        self.wake_worker();
        Ok(())
    }

    /// Tells this instance's worker there is work (another instance's finds it by polling).
    pub(crate) fn wake_worker(&self) {
        self.inner.queue.wake.notify_one();
    }
}

/// The worker of one instance: claims due jobs and runs them, at most [`AT_ONCE`] at a time.
pub struct Worker {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    stopping: AtomicBool,
    stop: Notify,
    analyses: AtomicUsize,
}

/// Starts this instance's worker. It runs until [`Worker::stop`] (dropping the handle leaves it
/// running, as the tests do).
pub fn start(state: AppState) -> Worker {
    let shared = Arc::new(Shared {
        stopping: AtomicBool::new(false),
        stop: Notify::new(),
        analyses: AtomicUsize::new(0),
    });
    let task = tokio::spawn(work(state, shared.clone()));
    Worker { shared, task }
}

impl Worker {
    /// Stops claiming at once (the instance is shutting down): what is queued waits for another
    /// instance, or for this one's next start.
    pub fn stop_claiming(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.stop.notify_one();
    }

    /// Stops: lets the jobs it runs finish for a few seconds, then hands back those still running
    /// (queued again at once, their leases cleared) so another instance takes them without waiting
    /// for a lease to lapse.
    pub async fn stop(self) {
        self.stop_claiming();
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "the job worker stopped unexpectedly");
        }
    }
}

async fn work(state: AppState, shared: Arc<Shared>) {
    let worker = state.inner.queue.worker_id.clone();
    let mut running = tokio::task::JoinSet::new();
    loop {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        while running.len() < AT_ONCE {
            let kinds: Vec<&str> = if shared.analyses.load(Ordering::SeqCst) >= ANALYSES_AT_ONCE {
                KINDS.iter().copied().filter(|k| *k != ANALYSIS).collect()
            } else {
                KINDS.to_vec()
            };
            let now = Timestamp::now();
            // A read first: an idle instance asks every second, and a claim is a write.
            match state.store().job_due(&kinds, now).await {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "looking for jobs");
                    break;
                }
            }
            match state.store().claim_job(&worker, &kinds, now, LEASE_SECS).await {
                Ok(Some(job)) => {
                    if job.kind == ANALYSIS {
                        shared.analyses.fetch_add(1, Ordering::SeqCst);
                    }
                    running.spawn(run_job(state.clone(), shared.clone(), worker.clone(), job));
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming a job");
                    break;
                }
            }
        }
        tokio::select! {
            () = shared.stop.notified() => {}
            () = state.inner.queue.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
    let _ = tokio::time::timeout(STOP_GRACE, async { while running.join_next().await.is_some() {} }).await;
    running.abort_all();
    while running.join_next().await.is_some() {}
    match state.store().release_jobs(&worker).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "handed back the jobs still running"),
        Err(e) => {
            tracing::warn!(error = %e, "handing back jobs: they are taken again once their leases lapse")
        }
    }
}

/// Runs one claimed job, renewing its lease while it runs, and records how it ended.
async fn run_job(state: AppState, shared: Arc<Shared>, worker: String, job: ClaimedJob) {
    struct Counted<'a>(&'a Shared, bool);
    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            if self.1 {
                self.0.analyses.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
    let _counted = Counted(&shared, job.kind == ANALYSIS);
    let store = state.store().clone();
    tracing::info!(job.id = job.id, job.kind = %job.kind, job.attempt = job.attempt, "running a job");
    let renewing = async {
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            let until = Timestamp(Timestamp::now().0 + LEASE_SECS);
            match store.renew_job_lease(job.id, &worker, until).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(job.id = job.id, error = %e, "renewing a job's lease"),
            }
        }
    };
    let outcome = tokio::select! {
        outcome = perform(&state, &job) => outcome,
        () = renewing => {
            tracing::warn!(job.id = job.id, job.kind = %job.kind, "lost the job's lease: another instance has it");
            return;
        }
    };
    let now = Timestamp::now();
    match outcome {
        Ok(()) => match store.finish_job(job.id, &worker, now).await {
            Ok(true) => tracing::info!(job.id = job.id, job.kind = %job.kind, "job done"),
            Ok(false) => tracing::warn!(job.id = job.id, "a job was done after its lease lapsed"),
            Err(e) => tracing::warn!(job.id = job.id, error = %e, "recording a job done"),
        },
        Err(error) => match store.fail_job(job.id, &worker, &error, now).await {
            Ok(AfterFailure::RetryAt(at)) => {
                tracing::warn!(job.id = job.id, job.kind = %job.kind, %error, retry_in_secs = at.0 - now.0, "job failed; it will be tried again")
            }
            Ok(AfterFailure::Failed) => {
                tracing::error!(job.id = job.id, job.kind = %job.kind, %error, attempts = job.attempt, "job failed for good")
            }
            Ok(AfterFailure::NotHeld) => {
                tracing::warn!(job.id = job.id, %error, "a job failed after its lease lapsed")
            }
            Err(e) => tracing::warn!(job.id = job.id, error = %e, "recording a job failed"),
        },
    }
}

/// Does the work of `job`. The error is kept with the job for the operator: never an address,
/// a token or anything anyone wrote.
async fn perform(state: &AppState, job: &ClaimedJob) -> Result<(), String> {
    let store = state.store();
    let unreadable = |e: serde_json::Error| format!("the job's payload could not be read: {e}");
    let now = Timestamp::now();
    match job.kind.as_str() {
        MAIL => {
            let mail: Mail = serde_json::from_str(&job.payload).map_err(unreadable)?;
            let mailer = state.mailer().ok_or("mail is not set up on this instance")?;
            mailer.send(&mail.to, &mail.subject, mail.body).await?;
            tracing::info!(user.id = mail.user_id, "{} sent", mail.what);
            Ok(())
        }
        PASSWORD_RESET => {
            let reset: PasswordReset = serde_json::from_str(&job.payload).map_err(unreadable)?;
            let mailer = state.mailer().ok_or("mail is not set up on this instance")?;
            crate::controllers::password_reset::send_reset_link(state, mailer, &reset.email).await
        }
        ANALYSIS => {
            let Analysis { run_id } = serde_json::from_str(&job.payload).map_err(unreadable)?;
            let run = store.analysis_run(run_id).await.map_err(|e| e.to_string())?;
            if !run.is_some_and(|r| matches!(r.status, RunStatus::Queued | RunStatus::Running)) {
                // Finished (its instance died as it saved), failed or removed: nothing to do.
                return Ok(());
            }
            let model_dir = state.settings().model_dir.clone();
            tracing::info!(run.id = run_id, "analysis run started");
            match crate::analyst::execute(store, run_id, model_dir.as_deref()).await {
                Ok(()) => {
                    tracing::info!(run.id = run_id, "analysis run finished");
                    Ok(())
                }
                // The run's page says why; running it again would fail the same way.
                Err(why) => {
                    tracing::warn!(run.id = run_id, error = %why, "analysis run failed");
                    store.fail_run(run_id, &why, now).await.map_err(|e| e.to_string())
                }
            }
        }
        STALLED_RUNS => {
            let n = store.interrupt_stalled_runs(now, STALLED_RUN_SECS).await.map_err(|e| e.to_string())?;
            if n > 0 {
                tracing::info!(runs = n, "marked analysis runs that stopped reporting progress as failed");
            }
            Ok(())
        }
        RETENTION => {
            let Some(months) = state.settings().retention_months else { return Ok(()) };
            let items = store.apply_retention(months, state.today(), now).await.map_err(|e| e.to_string())?;
            for item in items.iter().filter(|i| !i.is_empty()) {
                tracing::info!(consultation.slug = %item.slug, removed = %item.summary(), "personal data removed after the retention period");
            }
            Ok(())
        }
        PRUNE => {
            store.prune_counters(Timestamp(now.0 - 86_400)).await.map_err(|e| e.to_string())?;
            store.prune_jobs(Timestamp(now.0 - 7 * 86_400)).await.map_err(|e| e.to_string())?;
            Ok(())
        }
        other => Err(format!("this heard does not know jobs of kind {other:?}")),
    }
}

/// Queues the periodic work, once an hour (retention once a day), for whichever instance takes it
/// first: every instance does this, and each job's key (its kind and hour) lets one in.
pub async fn schedule(state: AppState) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let now = Timestamp::now();
        let hour = now.0 / 3600;
        let mut periodic =
            vec![(STALLED_RUNS, format!("{STALLED_RUNS}:{hour}")), (PRUNE, format!("{PRUNE}:{hour}"))];
        if state.settings().retention_months.is_some() {
            periodic.push((RETENTION, format!("{RETENTION}:{}", state.today().days_since_epoch())));
        }
        for (kind, key) in &periodic {
            let job = NewJob { kind, payload: "{}", max_attempts: 3, unique_key: Some(key) };
            if let Err(e) = state.store().queue_job(&job, now).await {
                tracing::warn!(error = %e, job.kind = kind, "queueing periodic work");
            }
        }
        state.wake_worker();
    }
}
