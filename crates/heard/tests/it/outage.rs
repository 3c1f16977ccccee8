//! A real PostgreSQL server stopped under a running `heard serve` and started again: requests fail
//! fast with the 503 page while it is down, and the server recovers by itself.
//!
//! The test starts a throw-away PostgreSQL of its own on 127.0.0.1 (the one `scripts/test` starts
//! is shared by every other test, so it is not the one to stop).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use heard_store::testing::temp_dir;

use crate::Server;

/// A PostgreSQL server in a temporary directory, stopped and removed when dropped.
struct Postgres {
    bin: PathBuf,
    work: PathBuf,
    port: u16,
    /// PostgreSQL refuses to run as root: then it runs as `postgres`.
    as_postgres: bool,
}

impl Postgres {
    fn start_new() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (scripts/test installs Debian's postgresql)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("pg_ctl").exists())
            .max_by_key(|p| p.to_string_lossy().into_owned())
            .expect("a PostgreSQL server under /usr/lib/postgresql");
        let work = temp_dir("outage-pg");
        let uid = Command::new("id").arg("-u").output().unwrap();
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        if as_postgres {
            assert!(Command::new("chown").args(["postgres:postgres"]).arg(&work).status().unwrap().success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = Postgres { bin, work, port, as_postgres };
        let data = pg.work.join("data");
        let initdb = pg
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "heard", "-A", "trust", "--no-sync"])
            .output();
        assert!(initdb.unwrap().status.success(), "initdb");
        pg.start();
        pg
    }

    fn command(&self, program: &str) -> Command {
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(program));
            c
        } else {
            Command::new(self.bin.join(program))
        };
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        command
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        self.command("pg_ctl")
            .arg("-D")
            .arg(self.work.join("data"))
            .arg("-l")
            .arg(self.work.join("log"))
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start(&self) {
        let options = format!("-h 127.0.0.1 -p {} -k {} -c fsync=off", self.port, self.work.display());
        assert!(self.pg_ctl(&["-w", "-o", &options, "start"]), "PostgreSQL starts");
    }

    fn stop(&self) {
        assert!(self.pg_ctl(&["-w", "-m", "fast", "stop"]), "PostgreSQL stops");
    }

    fn url(&self) -> String {
        format!("postgres://heard@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.pg_ctl(&["-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

#[test]
fn while_postgres_is_down_requests_fail_fast_with_503_and_heard_recovers_by_itself() {
    let pg = Postgres::start_new();
    let url = pg.url();
    let server = Server::start(&[
        "serve",
        "--database-url",
        &url,
        "--database-timeout-secs",
        "2",
        "--page-cache-ms",
        "0",
    ]);
    assert_eq!(server.get("/").0, 200);
    assert_eq!(server.get("/readyz"), (200, "ready".to_owned()));

    pg.stop();
    for path in ["/", "/api/v1/consultations"] {
        let asked = Instant::now();
        let answer = server.request(path, "", None);
        let took = asked.elapsed();
        assert_eq!(answer.status, 503, "{path} while the database is down: {}", answer.body);
        assert!(took < Duration::from_secs(5), "{path} failed fast, in {took:?}");
        assert_eq!(answer.header("retry-after"), Some("5"));
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert!(answer.body.contains("having trouble"), "{}", answer.body);
        assert!(!answer.body.contains("Connection refused") && !answer.body.contains("pool"));
    }
    // The process is up; it is not ready.
    assert_eq!(server.get("/healthz"), (200, "ok".to_owned()));
    let ready = server.request("/readyz", "", None);
    assert_eq!(ready.status, 503);
    assert_eq!(ready.body, "not ready: cannot reach the database");

    pg.start();
    let back = Instant::now();
    loop {
        if server.get("/").0 == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(20), "heard did not recover within 20 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.get("/readyz"), (200, "ready".to_owned()));
}
