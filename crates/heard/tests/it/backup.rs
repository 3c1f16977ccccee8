//! `heard backup` and `heard restore` against a real server that is serving and writing.

use std::io::Write;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heard_store::testing::temp_dir;

use crate::{Answer, Server, heard, run};

const DISCUSSION: &str = "/consultations/parks-after-dark/discussions/what-would-help";
const PASSWORD: &str = "a resident's password, not a secret";

/// Signs `email` in over HTTP, as a browser does; the session cookie and the discussion's form token.
fn sign_in(server: &Server, email: &str) -> (String, String) {
    let form = server.request("/login", "", None);
    let cookie = form.cookies().join("; ");
    let csrf = form.input("csrf").expect("the sign-in form has a token");
    let signed_in = server.request(
        "/login",
        &cookie,
        Some(&[("csrf", &csrf), ("email", email), ("password", PASSWORD), ("next", "/")]),
    );
    assert_eq!(signed_in.status, 303, "signs in: {}", signed_in.body);
    let session = signed_in.cookies().into_iter().find(|c| c.starts_with("heard_session=")).unwrap();
    let page = server.request(DISCUSSION, &session, None);
    (session.clone(), page.input("csrf").expect("the discussion has a comment form"))
}

/// Posts a comment; its id once the server acknowledged it.
fn post(server: &Server, session: &str, csrf: &str, text: &str) -> Option<i64> {
    let answer: Answer = server.request(
        &format!("{DISCUSSION}/comments"),
        session,
        Some(&[("csrf", csrf), ("body", text), ("return_to", DISCUSSION)]),
    );
    let location = answer.header("location")?;
    location.rsplit_once("#comment-").and_then(|(_, id)| id.parse().ok())
}

fn demo_with_a_resident(data_dir: &str) {
    let out = run(&["demo", "--data-dir", data_dir, "--no-serve"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut child = heard()
        .args(["users", "create", "--role", "resident", "--email", "res@example.org", "--name", "Res"])
        .args(["--data-dir", data_dir])
        .env("HEARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_backup_taken_while_serving_holds_every_post_acknowledged_before_it_started() {
    let dir = temp_dir("backup");
    let data = dir.join("data");
    let data_dir = data.to_str().unwrap();
    demo_with_a_resident(data_dir);
    let server = Arc::new(Server::start(&[
        "serve",
        "--data-dir",
        data_dir,
        "--posts-per-account-per-minute",
        "1000000",
        "--posts-per-address-per-minute",
        "1000000",
    ]));
    let (session, csrf) = sign_in(&server, "res@example.org");

    // A resident posts without pause, before, during and after the backup.
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (server, acknowledged, stop) = (server.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id =
                    post(&server, &session, &csrf, &format!("Post {n}: the lights by the pond are out."));
                acknowledged.lock().unwrap().push(id.expect("every post is published"));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    let before: Vec<i64> = acknowledged.lock().unwrap().clone();
    let backup = dir.join("backup.db");
    let backup_path = backup.to_str().unwrap();
    let out = run(&["backup", "--data-dir", data_dir, "--out", backup_path]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("it holds personal data"));
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let after = acknowledged.lock().unwrap().len();
    assert!(
        before.len() >= 10 && after > before.len(),
        "the server was writing: {} then {after}",
        before.len()
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a backup is its owner's only");
    }

    // A second backup to the same name is refused, and the first left as it was.
    let again = run(&["backup", "--data-dir", data_dir, "--out", backup_path]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // Restoring is refused while the server uses the directory.
    let refused = run(&["restore", backup_path, "--data-dir", data_dir]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("a heard server or command is using"), "{why}");
    assert!(data.join("heard.db").is_file());

    // Stopped hard (kill -9), the server leaves its write-ahead log behind; restoring over it
    // moves that log aside with the database it belongs to, so it is not replayed into the backup.
    drop(Arc::into_inner(server).expect("the writer has finished"));
    assert!(data.join("heard.db-wal").exists(), "kill -9 leaves the log");
    let restored = run(&["restore", backup_path, "--data-dir", data_dir]);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    assert!(!data.join("heard.db-wal").exists() && !data.join("heard.db-shm").exists());
    let kept: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("heard.db.before-restore-"))
        .collect();
    assert!(kept.iter().any(|n| n.ends_with("-wal")), "the replaced database keeps its log: {kept:?}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = heard_store::Store::open_data_dir(&data).await.unwrap();
        for id in &before {
            assert!(
                store.comment(*id).await.unwrap().is_some(),
                "post {id} was acknowledged before the backup"
            );
        }
        store.close().await;
    });
    // The restored directory serves.
    let server = Server::start(&["serve", "--data-dir", data_dir]);
    assert_eq!(server.get("/readyz"), (200, "ready".to_owned()));
}

#[test]
fn restore_refuses_a_missing_a_foreign_and_a_damaged_file_and_changes_nothing() {
    let dir = temp_dir("restore-bad");
    let data = dir.join("data");
    let data_dir = data.to_str().unwrap();
    let out = run(&["demo", "--data-dir", data_dir, "--no-serve"]);
    assert!(out.status.success());
    let original = std::fs::read(data.join("heard.db")).unwrap();
    let backup = dir.join("good.db");
    assert!(run(&["backup", "--data-dir", data_dir, "--out", backup.to_str().unwrap()]).status.success());

    let missing = dir.join("missing.db");
    let not_sqlite = dir.join("notes.txt");
    std::fs::write(&not_sqlite, "these are not the rows you are looking for").unwrap();
    let damaged = dir.join("damaged.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    bytes.truncate(bytes.len() / 3);
    std::fs::write(&damaged, bytes).unwrap();
    for (file, says) in [
        (&missing, "there is no file"),
        (&not_sqlite, "is not a heard backup: it is not a SQLite database"),
        (&damaged, "is damaged"),
    ] {
        let out = run(&["restore", file.to_str().unwrap(), "--data-dir", data_dir]);
        assert!(!out.status.success(), "{} is refused", file.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{}: {stderr}", file.display());
        assert_eq!(std::fs::read(data.join("heard.db")).unwrap(), original, "nothing changed");
        assert!(!data.join("heard.db.restoring").exists());
    }
    let out = run(&["backup", "--data-dir", dir.join("nowhere").to_str().unwrap(), "--out", "x.db"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no heard database in"));
}
