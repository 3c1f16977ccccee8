//! Two `heard serve` instances on one PostgreSQL database behind Debian's nginx, as several
//! instances are deployed: residents post through the balancer under load, one instance is killed
//! (`kill -9`), and the clients keep working with every acknowledged post in the database; an
//! analysis run started through one instance is run once and followed from either.
//!
//! Skipped, saying why, when `HEARD_TEST_POSTGRES_URL` is not set (scripts/test sets it).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use heard_store::testing::{POSTGRES_URL_VAR, fresh_store, temp_dir};
use heard_store::*;

use crate::nginx::{Nginx, free_port};
use crate::{Answer, PASSWORD, Server, http, signal, try_http};

const CONSULTATION: &str = "parks";
const DISCUSSION: &str = "/consultations/parks/discussions/what-would-help";
const RESIDENTS: usize = 6;
/// Each client's posts at most, so the test is bounded whatever the machine's speed (the clients
/// post until told to stop, seconds after the kill).
const POSTS_EACH: usize = 5000;

/// A published consultation open today, with one discussion, residents and a host.
async fn seed(store: &Store) {
    let today = store.today(Timestamp::now());
    let consultation = NewConsultation {
        slug: CONSULTATION.into(),
        title: "The parks plan".into(),
        summary: "What we plan for the parks.".into(),
        organisation: "City Hall".into(),
        respondent_noun: "Londoners".into(),
        opens_on: today.add_days(-10),
        closes_on: today.add_days(30),
        recorded_responses: None,
        results_expected: None,
        accessible_formats: String::new(),
        objectives: vec![],
        timeline: vec![],
        documents: vec![],
        channels: vec![],
    };
    let id = store.create_consultation(&consultation).await.unwrap();
    let discussion = NewDiscussion {
        slug: "what-would-help".into(),
        title: "What would help?".into(),
        intro: "Tell us.".into(),
        opens_on: today.add_days(-10),
        closes_on: today.add_days(30),
        questions: vec![],
        hosts: vec![],
        host_organisation: String::new(),
    };
    store.create_discussion(id, &discussion).await.unwrap();
    let hash = heard_web::auth::hash_password(PASSWORD).unwrap();
    let people = (0..RESIDENTS).map(|i| (Role::Resident, format!("resident{i}@example.org")));
    for (role, email) in people.chain([(Role::Host, "host@example.org".to_owned())]) {
        let account = NewAccount {
            display_name: email.split('@').next().unwrap().to_owned(),
            email,
            password_hash: hash.clone(),
            role,
            borough: None,
            demographics: Demographics::default(),
            created_at: Timestamp::now(),
            email_confirmed: true,
            special_category_consent: false,
        };
        store.create_account(&account).await.unwrap();
    }
}

/// Signs `email` in through `base`; the session cookie.
fn sign_in(base: &str, email: &str) -> String {
    let form = http(base, "/login", "", None);
    let cookie = form.cookies().join("; ");
    let csrf = form.input("csrf").expect("the sign-in form has a token");
    let signed_in = http(
        base,
        "/login",
        &cookie,
        Some(&[("csrf", &csrf), ("email", email), ("password", PASSWORD), ("next", "/")]),
    );
    assert_eq!(signed_in.status, 303, "{email} signs in: {}", signed_in.body);
    signed_in.cookies().into_iter().find(|c| c.starts_with("heard_session=")).unwrap()
}

fn post(base: &str, session: &str, csrf: &str, text: &str) -> std::io::Result<Answer> {
    try_http(
        base,
        &format!("{DISCUSSION}/comments"),
        session,
        Some(&[("csrf", csrf), ("body", text), ("return_to", DISCUSSION)]),
    )
}

fn acknowledged_id(answer: &Answer) -> Option<i64> {
    let location = answer.header("location").filter(|_| answer.status == 303)?;
    location.rsplit_once("#comment-").and_then(|(_, id)| id.parse().ok())
}

/// What one client did: the posts acknowledged (id, text, and whether it was sent after the kill)
/// and the answers that were not (status, and whether the answer came after the kill).
#[derive(Default)]
struct Outcomes {
    acknowledged: Vec<(i64, String, bool)>,
    refused: Vec<(u16, bool)>,
}

#[test]
fn two_instances_behind_nginx_keep_serving_when_one_is_killed_and_run_each_job_once() {
    if std::env::var(POSTGRES_URL_VAR).is_err() {
        eprintln!("skipped: {POSTGRES_URL_VAR} is not set (scripts/test starts PostgreSQL and sets it)");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (store, url) = runtime.block_on(fresh_store(Backend::Postgres));
    runtime.block_on(seed(&store));

    let dir = temp_dir("instances");
    let logs = [dir.join("a.log"), dir.join("b.log")];
    let start = |log: &std::path::Path| {
        Server::start_logging(
            &[
                "serve",
                "--database-url",
                &url,
                "--trust-forwarded-for",
                "--page-cache-ms",
                "0",
                "--posts-per-account-per-minute",
                "1000000",
                "--posts-per-address-per-minute",
                "1000000",
            ],
            Some(log),
        )
    };
    let a = start(&logs[0]);
    let mut b = start(&logs[1]);
    let port = free_port();
    // Each instance is marked down after one failed connection for 30 s; a request nginx could not
    // hand to one (refused, reset before it was sent) goes to the other, a POST too.
    let balancer = Nginx::start(
        port,
        &format!(
            "    upstream heard {{\n        server {} max_fails=1 fail_timeout=30s;\n        server {} max_fails=1 fail_timeout=30s;\n    }}\n\
             \x20   server {{\n        listen 127.0.0.1:{port};\n        location / {{\n            proxy_pass http://heard;\n\
             \x20           proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
             \x20           proxy_set_header X-Forwarded-Proto $scheme;\n            proxy_next_upstream error timeout;\n\
             \x20           proxy_connect_timeout 2s;\n        }}\n    }}",
            a.authority(),
            b.authority()
        ),
    );
    let lb = balancer.base.clone();
    assert_eq!(http(&lb, "/readyz", "", None).body, "ready");

    // Residents sign in through the balancer (their sessions are in the database, so either
    // instance knows them) and post as fast as they can.
    let residents: Vec<(String, String)> = (0..RESIDENTS)
        .map(|i| {
            let session = sign_in(&lb, &format!("resident{i}@example.org"));
            let page = http(&lb, DISCUSSION, &session, None);
            (session.clone(), page.input("csrf").expect("the discussion has a comment form"))
        })
        .collect();
    let killed = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = residents
        .into_iter()
        .enumerate()
        .map(|(i, (session, csrf))| {
            let (lb, killed, stop) = (lb.clone(), killed.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut outcomes = Outcomes::default();
                for n in 0..POSTS_EACH {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let text = format!("Resident {i} asks for more benches, request {n}.");
                    let sent_after_kill = killed.load(Ordering::SeqCst);
                    // A connection nginx drops counts as refused (status 0), as a browser shows an error.
                    let answer = post(&lb, &session, &csrf, &text);
                    let answered_after_kill = killed.load(Ordering::SeqCst);
                    match answer.as_ref().ok().and_then(acknowledged_id) {
                        Some(id) => outcomes.acknowledged.push((id, text, sent_after_kill)),
                        None => outcomes.refused.push((answer.map_or(0, |a| a.status), answered_after_kill)),
                    }
                }
                outcomes
            })
        })
        .collect();

    // Under that load, a host starts a run through instance A and follows it on instance B.
    std::thread::sleep(Duration::from_millis(1500));
    let host = sign_in(&a.base, "host@example.org");
    let analysis = format!("/admin/consultations/{CONSULTATION}/analysis");
    let form = http(&a.base, &format!("{analysis}/new"), &host, None);
    let csrf = form.input("csrf").expect("the run form has a token");
    let started = http(
        &a.base,
        &format!("{analysis}/new"),
        &host,
        Some(&[
            ("csrf", &csrf),
            ("scope", "all"),
            ("method", "discover"),
            ("themes", ""),
            ("framework", ""),
            ("mode", "lexical"),
        ]),
    );
    assert_eq!(started.status, 303, "the run starts: {}", started.body);
    let run_page = started.header("location").unwrap().to_owned();
    let run_id: i64 = run_page.rsplit('/').next().unwrap().parse().unwrap();
    let following = Instant::now();
    loop {
        let page = http(&b.base, &run_page, &host, None);
        assert_eq!(page.status, 200, "instance B shows the run");
        if page.body.contains("<dd>Finished") {
            break;
        }
        assert!(!page.body.contains("<dd>Failed"), "the run failed: {}", page.body);
        assert!(following.elapsed() < Duration::from_secs(120), "the run did not finish in 2 minutes");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        http(&a.base, &run_page, &host, None).body.contains("<dd>Finished"),
        "instance A shows it finished"
    );

    // Instance B dies without warning, under load.
    killed.store(true, Ordering::SeqCst);
    signal(b.pid(), "KILL");
    b.wait_for_exit(Duration::from_secs(10)).expect("instance B is gone");
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::SeqCst);
    let outcomes: Vec<Outcomes> = clients.into_iter().map(|c| c.join().unwrap()).collect();

    let acknowledged: Vec<&(i64, String, bool)> = outcomes.iter().flat_map(|o| &o.acknowledged).collect();
    let refused: Vec<&(u16, bool)> = outcomes.iter().flat_map(|o| &o.refused).collect();
    let before = acknowledged.iter().filter(|(_, _, after)| !after).count();
    let after = acknowledged.len() - before;
    assert!(before >= RESIDENTS * 5, "{before} posts acknowledged while both instances served");
    // Only a post in flight on B when it died may fail (nginx answers 502 and does not send a POST
    // twice); every other goes to A, a client's next post too.
    assert!(refused.iter().all(|(status, answered_after)| *answered_after && *status == 502), "{refused:?}");
    for (i, o) in outcomes.iter().enumerate() {
        assert!(o.refused.len() <= 1, "client {i} was refused more than the post in flight: {:?}", o.refused);
        assert!(
            o.acknowledged.len() + o.refused.len() < POSTS_EACH,
            "client {i} was still posting at the end"
        );
        let after_kill = o.acknowledged.iter().filter(|(_, _, after)| *after).count();
        assert!(after_kill >= 5, "client {i} kept posting after the kill ({after_kill} acknowledged)");
    }
    runtime.block_on(async {
        for (id, text, _) in &acknowledged {
            let comment = store.comment(*id).await.unwrap();
            assert_eq!(
                comment.map(|c| c.body).as_deref(),
                Some(text.as_str()),
                "acknowledged post {id} is stored"
            );
        }
        // The run was run once, by one instance.
        let jobs = store.jobs_of_kind("analysis").await.unwrap();
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!((jobs[0].state, jobs[0].attempts), (JobState::Done, 1), "{jobs:?}");
        assert_eq!(store.analysis_run(run_id).await.unwrap().unwrap().status, RunStatus::Finished);
    });
    let started_on: Vec<usize> = logs
        .iter()
        .map(|log| std::fs::read_to_string(log).unwrap().matches("analysis run started").count())
        .collect();
    assert_eq!(
        started_on.iter().sum::<usize>(),
        1,
        "the run started on exactly one instance: {started_on:?}"
    );
    eprintln!(
        "{before} posts acknowledged with both instances, {after} after one was killed, {} refused at the kill",
        refused.len()
    );
    drop(a);
}
