//! `heard serve` stopped with SIGTERM, as systemd stops it: it takes no new connection, the
//! request in flight finishes, the job it was running goes back to the queue, and it exits 0.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use heard_store::testing::temp_dir;
use heard_store::{JobState, Store};

use crate::{Server, http, signal};

fn wait_for_log(log: &std::path::Path, line: &str) {
    let started = Instant::now();
    while !std::fs::read_to_string(log).unwrap_or_default().contains(line) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the log never said {line:?}:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The registration form's fields and the form cookie, from a fresh visit to /register.
fn registration(server: &Server, email: &str) -> (String, String) {
    let page = http(&server.base, "/register", "", None);
    assert_eq!(page.status, 200);
    let cookie = page.cookies().into_iter().find(|c| c.starts_with("heard_form=")).expect("a form cookie");
    let csrf = page.input("csrf").expect("a form token");
    let body = [
        ("csrf", csrf.as_str()),
        ("display_name", "Sam"),
        ("email", email),
        ("password", crate::PASSWORD),
        ("sixteen", "yes"),
    ]
    .iter()
    .map(|(k, v)| format!("{}={}", crate::encode(k), crate::encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    (body, cookie)
}

#[test]
fn sigterm_finishes_the_request_in_flight_hands_back_its_job_and_exits_0() {
    let dir = temp_dir("shutdown");
    let data = dir.join("data");
    let log = dir.join("heard.log");
    // A mail server that takes connections and never answers, as a stuck relay does: the welcome
    // email's job is still running when the signal comes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let smtp = format!("smtp://{}", silent.local_addr().unwrap());
    let mut server = Server::start_logging(
        &[
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--smtp-url",
            &smtp,
            "--mail-from",
            "heard <no-reply@heard.test>",
        ],
        Some(&log),
    );
    let (body, cookie) = registration(&server, "first@example.org");
    let first = post_raw(&server, &body, &cookie);
    assert!(first.contains("Check your email"), "{first}");
    wait_for_log(&log, "running a job");

    // A second resident registers over a slow connection: half the form, then the signal.
    let (body, cookie) = registration(&server, "second@example.org");
    let mut slow = TcpStream::connect(server.authority()).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let half = body.len() / 2;
    write!(
        slow,
        "POST /register HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        server.authority(),
        body.len(),
        &body[..half]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    signal(server.pid(), "TERM");
    wait_for_log(&log, "shutting down");
    // No new connection is taken.
    let started = Instant::now();
    while TcpStream::connect(server.authority()).is_ok() {
        assert!(started.elapsed() < Duration::from_secs(5), "heard still accepts connections after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The rest of the form: the request in flight is answered in full.
    slow.write_all(body[half..].as_bytes()).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("Check your email"), "{answer}");

    let status = server.wait_for_exit(Duration::from_secs(30)).expect("heard exits after SIGTERM");
    assert!(status.success(), "heard exited with {status}:\n{}", std::fs::read_to_string(&log).unwrap());
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.matches("handed back the jobs still running").count() == 1, "{logged}");

    // Both accounts are there; both welcome emails wait in the queue for the next start, the
    // first handed back with its lease cleared and the attempt not counted.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open_data_dir(&data).await.unwrap();
        for email in ["first@example.org", "second@example.org"] {
            assert!(store.account_by_email(email).await.unwrap().is_some(), "{email} registered");
        }
        let mails = store.jobs_of_kind("mail").await.unwrap();
        assert_eq!(mails.len(), 2, "{mails:?}");
        for job in &mails {
            assert_eq!(
                (job.state, job.claimed_by.as_deref(), job.attempts),
                (JobState::Queued, None, 0),
                "{job:?}"
            );
        }
        store.close().await;
    });
    drop(silent);
}

/// POSTs the registration form on a connection of its own; the whole answer.
fn post_raw(server: &Server, body: &str, cookie: &str) -> String {
    let mut stream = TcpStream::connect(server.authority()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST /register HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.authority(),
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}
