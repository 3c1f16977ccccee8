//! `cargo xtask bench post`: how many comments signed-in residents can post a second over HTTP,
//! against SQLite, and whether every post the server acknowledged is in the database afterwards.
//!
//! The steps:
//! 1. build the release `heard`;
//! 2. in a fresh temporary data directory, prepare the demo (`heard demo --no-serve`), whose
//!    "Parks after dark" discussion is open, and create `--accounts` residents with
//!    `heard users create` (the password on standard input);
//! 3. start `heard serve` with the posting rate limits raised out of reach
//!    (`--posts-per-account-per-minute` and `--posts-per-address-per-minute`, see [`RATE_LIMIT`]):
//!    every post still counts against both limits in the database, as it does in production,
//!    but none is refused, since every bench connection comes from 127.0.0.1;
//! 4. sign every resident in over HTTP, as a browser does (the sign-in form, its token, the
//!    session cookie), and read their form token from the discussion page;
//! 5. post one comment and check it is published (a redirect to `#comment-ID`, not a page of
//!    problems), then post from `--connections` keep-alive connections at once, each cycling
//!    through its share of the residents, for a short warm-up and then `--seconds`; a post
//!    counts as posted when the server answers with the redirect to the new comment;
//! 6. stop heard, then read the comment ids from the database with the `sqlite3` command and
//!    compare: a post acknowledged but not stored is lost;
//! 7. print a table, and with `--json` one JSON object as the last line of standard output.
//!
//! Each post runs the whole posting path: session lookup, CSRF check, the discussion, the
//! checks for personal data and flags, both rate-limit counters, and the insert.
//! Everything runs on loopback; the server and the temporary directory are removed when the run
//! ends, also on an error. Progress goes to standard error; standard output holds the results.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::heard;
use crate::http::{self, Connection};
use crate::process::{self, TempDir};

/// What `cargo xtask bench post` was asked to do.
pub struct Options {
    pub json: bool,
    /// The length of the timed load.
    pub seconds: u32,
    /// Keep-alive connections posting at once.
    pub connections: u32,
    /// Resident accounts posting; each connection cycles through its share of them.
    pub accounts: u32,
    /// `heard serve --sqlite-synchronous`: `full` (heard's default) or `normal`, to measure what
    /// syncing every commit costs.
    pub sqlite_synchronous: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self { json: false, seconds: 10, connections: 50, accounts: 100, sqlite_synchronous: None }
    }
}

/// The open discussion of the demo the residents post to.
const DISCUSSION: &str = "/consultations/parks-after-dark/discussions/what-would-help";
const PASSWORD: &str = "bench password, not a secret";
/// The posting limits heard serves with: per minute, far beyond what the bench can post.
const RATE_LIMIT: u64 = 100_000_000;
const WARM_UP: Duration = Duration::from_secs(2);
const ACCOUNT_LIMIT: Duration = Duration::from_secs(60);

/// The targets: printed with the figures, never a reason to fail the run.
const MIN_POSTS_PER_S: f64 = 1000.0;
const MAX_P99_MS: f64 = 50.0;

pub fn run(options: &Options) -> Result<()> {
    let sqlite3 = process::find_program("sqlite3")
        .context("the sqlite3 command is not installed; on Debian or Ubuntu: `apt-get install sqlite3`")?;
    progress("building the release heard (cargo build --release -p heard)");
    let heard_binary = heard::build()?;
    let scratch = TempDir::new("heard-bench-post")?;
    let data_dir = scratch.path().join("data");
    progress(&format!("preparing the demo in {}", data_dir.display()));
    heard::demo(&heard_binary, &data_dir)?;
    let started = Instant::now();
    create_accounts(&heard_binary, &data_dir, options.accounts)?;
    progress(&format!(
        "created {} resident accounts with `heard users create` in {:.1} s",
        options.accounts,
        started.elapsed().as_secs_f64()
    ));

    let mut serve_args: Vec<String> = [
        "--posts-per-account-per-minute".to_owned(),
        RATE_LIMIT.to_string(),
        "--posts-per-address-per-minute".to_owned(),
        RATE_LIMIT.to_string(),
    ]
    .into();
    if let Some(sync) = &options.sqlite_synchronous {
        serve_args.extend(["--sqlite-synchronous".to_owned(), sync.clone()]);
    }
    let (mut server, addr) = heard::serve(&heard_binary, &data_dir, scratch.path(), &serve_args)?;
    progress(&format!("heard is serving on {addr} (pid {})", server.pid()));

    let started = Instant::now();
    let residents = sign_in_all(addr, options.accounts)?;
    progress(&format!(
        "signed {} residents in over HTTP in {:.1} s",
        residents.len(),
        started.elapsed().as_secs_f64()
    ));
    let db = data_dir.join("heard.db");
    let before = max_comment_id(&sqlite3, &db)?;

    let mut probe = Connection::new(addr);
    let first = post(&mut probe, &residents[0], "A first bench comment: the canal path needs lights.")?;
    let Outcome::Posted(first_id) = first else {
        bail!("the first bench post was not published: {first:?}");
    };

    progress(&format!("warming up for {} s", WARM_UP.as_secs()));
    let warm_up = load(addr, &residents, options.connections, WARM_UP, "warm-up");
    progress(&format!("posting from {} connections for {} s", options.connections, options.seconds));
    let timed =
        load(addr, &residents, options.connections, Duration::from_secs(options.seconds.into()), "bench");
    server.ensure_running()?;
    server.stop();

    let stored = comment_ids_after(&sqlite3, &db, before)?;
    let mut acknowledged: BTreeSet<i64> = BTreeSet::from([first_id]);
    acknowledged.extend(warm_up.ids.iter().copied());
    acknowledged.extend(timed.ids.iter().copied());
    let acknowledgements = 1 + warm_up.ids.len() + timed.ids.len();
    if acknowledged.len() != acknowledgements {
        bail!(
            "the server acknowledged {} posts with only {} distinct comment ids",
            acknowledgements,
            acknowledged.len()
        );
    }
    let lost: Vec<i64> = acknowledged.difference(&stored).copied().collect();
    let unacknowledged = stored.difference(&acknowledged).count();
    let results = Results {
        options,
        accounts: residents.len(),
        timed,
        refused_in_warm_up: warm_up.refused,
        posted: acknowledged.len(),
        stored: stored.len(),
        lost: lost.len(),
        unacknowledged,
    };
    if !lost.is_empty() {
        progress(&format!(
            "lost posts (acknowledged, not in the database): {:?}",
            &lost[..lost.len().min(20)]
        ));
    }
    print!("{}", results.table());
    if options.json {
        println!("{}", results.json());
    }
    Ok(())
}

/// A signed-in resident: the session cookie and the form token of their session.
struct Resident {
    cookie: String,
    csrf: String,
}

fn email(i: u32) -> String {
    format!("bench-resident-{i}@example.org")
}

/// Creates the residents with `heard users create`, two at a time (one per core).
fn create_accounts(heard: &Path, data_dir: &Path, accounts: u32) -> Result<()> {
    let create = |i: u32| -> Result<()> {
        let mut child = Command::new(heard)
            .args(["users", "create", "--role", "resident", "--email", &email(i)])
            .arg("--name")
            .arg(format!("Bench resident {i}"))
            .arg("--data-dir")
            .arg(data_dir)
            .env("HEARD_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting heard users create")?;
        child.stdin.take().context("its stdin")?.write_all(format!("{PASSWORD}\n").as_bytes())?;
        let deadline = Instant::now() + ACCOUNT_LIMIT;
        loop {
            if let Some(status) = child.try_wait()? {
                if status.success() {
                    return Ok(());
                }
                let mut stderr = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().context("its stderr")?, &mut stderr)?;
                bail!("heard users create failed for {} ({status}): {}", email(i), stderr.trim_end());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("heard users create did not finish within {ACCOUNT_LIMIT:?}");
            }
            thread::sleep(Duration::from_millis(5));
        }
    };
    thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| scope.spawn(move || (0..accounts).filter(|i| i % 2 == w).try_for_each(create)))
            .collect();
        workers.into_iter().try_for_each(|w| w.join().expect("an account worker panicked"))
    })
}

/// Signs every resident in over HTTP, four at a time (password checks are slow on purpose).
fn sign_in_all(addr: SocketAddr, accounts: u32) -> Result<Vec<Resident>> {
    let workers = 4;
    let mut signed_in: Vec<(u32, Resident)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || -> Result<Vec<(u32, Resident)>> {
                    let mut connection = Connection::new(addr);
                    (0..accounts)
                        .filter(|i| i % workers == w)
                        .map(|i| Ok((i, sign_in(&mut connection, &email(i))?)))
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a sign-in worker panicked")).collect::<Result<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    signed_in.sort_by_key(|(i, _)| *i);
    Ok(signed_in.into_iter().map(|(_, r)| r).collect())
}

/// Signs one resident in as a browser does, and reads their form token from the discussion.
fn sign_in(connection: &mut Connection, email: &str) -> Result<Resident> {
    let form = connection.send("GET", "/login", &[], b"")?;
    let (name, value) = form
        .cookies()
        .into_iter()
        .find(|(name, _)| name == "heard_form")
        .context("the sign-in page set no form cookie")?;
    let form_cookie = format!("{name}={value}");
    let token = csrf_token(&form.body).context("the sign-in page has no form token")?;
    let body = format!(
        "csrf={}&email={}&password={}&next={}",
        http::form_encode(&token),
        http::form_encode(email),
        http::form_encode(PASSWORD),
        http::form_encode(DISCUSSION)
    );
    let headers = [("Cookie", form_cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let signed = connection.send("POST", "/login", &headers, body.as_bytes())?;
    if signed.status != 303 {
        bail!("signing in {email} answered {} instead of a redirect", signed.status);
    }
    let (name, value) = signed
        .cookies()
        .into_iter()
        .find(|(name, _)| name == "heard_session")
        .with_context(|| format!("signing in {email} set no session cookie"))?;
    let cookie = format!("{name}={value}");
    let page = connection.send("GET", DISCUSSION, &[("Cookie", cookie.as_str())], b"")?;
    if page.status != 200 {
        bail!("the discussion answered {} to {email}", page.status);
    }
    let csrf = csrf_token(&page.body).context("the discussion page has no form token for a resident")?;
    Ok(Resident { cookie, csrf })
}

/// The value of the first `name="csrf"` field in a page.
fn csrf_token(html: &[u8]) -> Option<String> {
    let html = String::from_utf8_lossy(html);
    let marker = r#"name="csrf" value=""#;
    let rest = &html[html.find(marker)? + marker.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

#[derive(Debug)]
enum Outcome {
    /// Published: the redirect to the new comment.
    Posted(i64),
    /// Anything else: the status and the start of the body.
    Refused(u16, String),
}

fn post(connection: &mut Connection, resident: &Resident, text: &str) -> Result<Outcome> {
    let body =
        format!("csrf={}&body={}&return_to=", http::form_encode(&resident.csrf), http::form_encode(text));
    let headers =
        [("Cookie", resident.cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let response = connection.send("POST", &format!("{DISCUSSION}/comments"), &headers, body.as_bytes())?;
    let id = response
        .header("location")
        .filter(|_| response.status == 303)
        .and_then(|to| to.strip_prefix(&format!("{DISCUSSION}#comment-")))
        .and_then(|id| id.parse().ok());
    Ok(match id {
        Some(id) => Outcome::Posted(id),
        None => {
            let text = String::from_utf8_lossy(&response.body);
            let start: String = text.chars().take(300).collect();
            Outcome::Refused(response.status, start)
        }
    })
}

/// What the connections did in one phase.
struct Load {
    elapsed: Duration,
    /// Every request's time to the end of its response, in microseconds, sorted.
    latencies_us: Vec<u32>,
    ids: Vec<i64>,
    refused: usize,
    /// Requests that failed at the socket (never answered).
    failed: usize,
    first_problem: Option<String>,
}

impl Load {
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        f64::from(self.latencies_us[rank.clamp(1, self.latencies_us.len()) - 1]) / 1000.0
    }

    fn posts_per_s(&self) -> f64 {
        self.ids.len() as f64 / self.elapsed.as_secs_f64()
    }
}

/// Posts from `connections` connections at once for `length`, each cycling through its residents.
fn load(addr: SocketAddr, residents: &[Resident], connections: u32, length: Duration, label: &str) -> Load {
    let start_together = Barrier::new(connections as usize + 1);
    let (started, per_connection) = thread::scope(|scope| {
        let handles: Vec<_> = (0..connections as usize)
            .map(|c| {
                let start_together = &start_together;
                scope.spawn(move || {
                    let mine: Vec<&Resident> = if residents.len() >= connections as usize {
                        residents.iter().skip(c).step_by(connections as usize).collect()
                    } else {
                        vec![&residents[c % residents.len()]]
                    };
                    let mut connection = Connection::new(addr);
                    let mut out = Load {
                        elapsed: Duration::ZERO,
                        latencies_us: Vec::with_capacity(4096),
                        ids: Vec::with_capacity(4096),
                        refused: 0,
                        failed: 0,
                        first_problem: None,
                    };
                    start_together.wait();
                    let deadline = Instant::now() + length;
                    let mut n = 0usize;
                    while Instant::now() < deadline {
                        let resident = mine[n % mine.len()];
                        let text = format!(
                            "Bench comment {n} from {label} connection {c}: the canal path needs lights after dark, \
                             and the gates should stay open later."
                        );
                        n += 1;
                        let sent = Instant::now();
                        let outcome = post(&mut connection, resident, &text);
                        out.latencies_us.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        match outcome {
                            Ok(Outcome::Posted(id)) => out.ids.push(id),
                            Ok(Outcome::Refused(status, body)) => {
                                out.refused += 1;
                                out.first_problem.get_or_insert_with(|| format!("status {status}: {body}"));
                            }
                            Err(e) => {
                                out.failed += 1;
                                out.first_problem.get_or_insert_with(|| format!("{e:#}"));
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        start_together.wait();
        let started = Instant::now();
        (
            started,
            handles.into_iter().map(|h| h.join().expect("a load connection panicked")).collect::<Vec<_>>(),
        )
    });
    let mut all = Load {
        elapsed: started.elapsed(),
        latencies_us: Vec::new(),
        ids: Vec::new(),
        refused: 0,
        failed: 0,
        first_problem: None,
    };
    for part in per_connection {
        all.latencies_us.extend(part.latencies_us);
        all.ids.extend(part.ids);
        all.refused += part.refused;
        all.failed += part.failed;
        if all.first_problem.is_none() {
            all.first_problem = part.first_problem;
        }
    }
    all.latencies_us.sort_unstable();
    if let Some(problem) = &all.first_problem {
        progress(&format!("{label}: {} refused, {} failed; the first: {problem}", all.refused, all.failed));
    }
    all
}

fn max_comment_id(sqlite3: &Path, db: &Path) -> Result<i64> {
    let out = sql(sqlite3, db, "SELECT COALESCE(MAX(id), 0) FROM comments")?;
    out.trim().parse().with_context(|| format!("sqlite3 printed {out:?} for the largest comment id"))
}

fn comment_ids_after(sqlite3: &Path, db: &Path, after: i64) -> Result<BTreeSet<i64>> {
    let out = sql(sqlite3, db, &format!("SELECT id FROM comments WHERE id > {after}"))?;
    out.lines().map(|l| l.trim().parse().with_context(|| format!("sqlite3 printed {l:?} as an id"))).collect()
}

fn sql(sqlite3: &Path, db: &Path, query: &str) -> Result<String> {
    let out = process::run(
        "sqlite3",
        Command::new(sqlite3).arg("-batch").arg(db).arg(query),
        Duration::from_secs(60),
    )?;
    Ok(out.stdout)
}

struct Results<'a> {
    options: &'a Options,
    accounts: usize,
    timed: Load,
    refused_in_warm_up: usize,
    /// Posts the server acknowledged (first probe, warm-up and timed load).
    posted: usize,
    /// New comments in the database after the run.
    stored: usize,
    /// Acknowledged but not in the database.
    lost: usize,
    /// In the database but never acknowledged (a response lost on the way back).
    unacknowledged: usize,
}

impl Results<'_> {
    fn table(&self) -> String {
        let mut out = String::new();
        let t = &self.timed;
        let _ = writeln!(
            out,
            "heard post benchmark: POST {DISCUSSION}/comments, SQLite (synchronous = {}), release build",
            self.options.sqlite_synchronous.as_deref().unwrap_or("full")
        );
        let _ = writeln!(
            out,
            "load: {} keep-alive connections on loopback for {} s (after a {} s warm-up), {} signed-in residents",
            self.options.connections,
            self.options.seconds,
            WARM_UP.as_secs(),
            self.accounts
        );
        let _ = writeln!(
            out,
            "rate limits: heard serve --posts-per-account-per-minute {RATE_LIMIT} --posts-per-address-per-minute {RATE_LIMIT}\n  \
             (every post is still counted against both limits in the database; none is refused)\n"
        );
        let _ = writeln!(
            out,
            "timed: {} posts in {:.2} s = {:.1} posts/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            t.ids.len(),
            t.elapsed.as_secs_f64(),
            t.posts_per_s(),
            t.percentile_ms(50.0),
            t.percentile_ms(90.0),
            t.percentile_ms(99.0),
            t.percentile_ms(100.0)
        );
        let _ = writeln!(
            out,
            "refused: {} in the timed load, {} in the warm-up; failed at the socket: {}",
            t.refused, self.refused_in_warm_up, t.failed
        );
        let _ = writeln!(
            out,
            "whole run: {} posts acknowledged, {} new comments stored, {} lost, {} stored but never acknowledged\n",
            self.posted, self.stored, self.lost, self.unacknowledged
        );
        let _ = writeln!(out, "{:<30} {:>12}  met", "target", "figure");
        let targets = [
            (
                format!("posts/s >= {MIN_POSTS_PER_S}"),
                format!("{:.1}", t.posts_per_s()),
                t.posts_per_s() >= MIN_POSTS_PER_S,
            ),
            (
                format!("p99 < {MAX_P99_MS} ms"),
                format!("{:.2} ms", t.percentile_ms(99.0)),
                t.percentile_ms(99.0) < MAX_P99_MS,
            ),
            ("no post lost".to_owned(), self.lost.to_string(), self.lost == 0),
        ];
        for (target, figure, met) in targets {
            let _ = writeln!(out, "{target:<30} {figure:>12}  {}", if met { "yes" } else { "NO" });
        }
        out
    }

    /// One line of JSON, its keys in a fixed order.
    fn json(&self) -> String {
        let t = &self.timed;
        let fields = [
            ("posts_per_s", json!(round_to(t.posts_per_s(), 1))),
            ("p99_ms", json!(round_to(t.percentile_ms(99.0), 3))),
            ("posted", json!(self.posted)),
            ("stored", json!(self.stored)),
            ("lost", json!(self.lost)),
            ("refused", json!(t.refused + self.refused_in_warm_up)),
            ("p50_ms", json!(round_to(t.percentile_ms(50.0), 3))),
            ("connections", json!(self.options.connections)),
            ("accounts", json!(self.accounts)),
            ("seconds", json!(self.options.seconds)),
            ("sqlite_synchronous", json!(self.options.sqlite_synchronous.as_deref().unwrap_or("full"))),
        ];
        let body: Vec<String> =
            fields.iter().map(|(key, value)| format!("{}: {value}", json!(key))).collect();
        format!("{{{}}}", body.join(", "))
    }
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn progress(message: &str) {
    eprintln!("bench post: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_form_token() {
        let page = br#"<form><input type="hidden" name="csrf" value="abc-123"><input name="x"></form>"#;
        assert_eq!(csrf_token(page).as_deref(), Some("abc-123"));
        assert_eq!(csrf_token(b"<p>no form</p>"), None);
    }

    #[test]
    fn percentiles_take_the_rank_that_covers_them() {
        let load = Load {
            elapsed: Duration::from_secs(1),
            latencies_us: (1..=100).map(|ms| ms * 1000).collect(),
            ids: vec![1, 2],
            refused: 0,
            failed: 0,
            first_problem: None,
        };
        assert_eq!(load.percentile_ms(99.0), 99.0);
        assert_eq!(load.percentile_ms(50.0), 50.0);
        assert_eq!(load.percentile_ms(100.0), 100.0);
        assert_eq!(load.posts_per_s(), 2.0);
    }
}
