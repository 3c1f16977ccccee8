//! `cargo xtask bench web`: how fast heard serves its heaviest public page, measured against
//! nginx serving the very same bytes from a file, side by side in one run.
//!
//! The steps:
//! 1. build the release `heard` (wherever cargo puts it: `CARGO_TARGET_DIR` or `target/`);
//! 2. in a fresh temporary data directory, prepare the demo (`heard demo --no-serve`) and add a
//!    discussion of exactly 200 generated comments (`heard synth discussion`);
//! 3. start `heard serve`, fetch the discussion page with all 200 comments on it, check it
//!    (status 200, 200 `<article class="comment` elements), save its bytes, and start nginx on
//!    them with the same content type and the same extra headers;
//! 4. load the two in turn, nginx then heard, round after round, with
//!    `wrk -t2 -c50 -dNs --latency`, after a short warm-up of each; any non-2xx/3xx response or
//!    socket error fails the run;
//! 5. read heard's peak resident memory (`VmHWM`) once the load is over;
//! 6. print a table, and with `--json` one JSON object as the last line of standard output.
//!
//! Each server's figures are those of its best round (most requests per second; the p99 is that
//! round's). The machine is shared and small, so disturbance from elsewhere only ever slows a
//! round down: the best round is the closest to an undisturbed one, and the same rule applies to
//! both servers. nginx gets `worker_processes 2` because heard's runtime uses every core (two
//! here); wrk runs on the same cores as both.
//!
//! heard runs as deployed, with its page micro-cache on (a rendered page is served again for up
//! to a second), so the figures are mostly those of the cache plus one render each time it
//! expires; `--page-cache-ms 0` measures a render on every request instead.
//!
//! Everything runs on loopback, every step has a time limit (except the build), and the servers
//! and temporary directories are removed when the run ends, also on an error.
//! Progress goes to standard error; standard output holds only the results.

use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::process::{self, Server, TempDir};
use crate::wrk::{self, Load};
use crate::{heard, http};

/// What `cargo xtask bench web` was asked to do.
pub struct Options {
    /// Print the figures as one JSON object on the last line of standard output, too.
    pub json: bool,
    /// The length of each timed round.
    pub seconds: u32,
    /// Timed rounds per server.
    pub rounds: u32,
    /// `heard serve --page-cache-ms`, when not heard's default; 0 renders every request.
    pub page_cache_ms: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self { json: false, seconds: 10, rounds: 2, page_cache_ms: None }
    }
}

pub fn run(options: &Options) -> Result<()> {
    let nginx_binary = find_nginx()?;
    if process::find_program(wrk::BINARY).is_none() {
        bail!("wrk is not installed; on Debian or Ubuntu: `apt-get install wrk`");
    }
    let load = Load { threads: THREADS, connections: CONNECTIONS, seconds: options.seconds };

    progress("building the release heard (cargo build --release -p heard)");
    let heard_binary = heard::build()?;
    let scratch = TempDir::new("heard-bench-web")?;
    let data_dir = scratch.path().join("data");
    prepare_data(&heard_binary, &data_dir)?;

    let (mut heard, heard_addr) =
        start_heard(&heard_binary, &data_dir, scratch.path(), options.page_cache_ms)?;
    let page = fetch_page(heard_addr)?;
    let (mut nginx, nginx_addr) = start_nginx(&nginx_binary, scratch.path(), &page)?;
    let copy = http::get(nginx_addr, PAGE_PATH).context("fetching the page from nginx")?;
    if copy.status != 200 || copy.body != page.body {
        bail!("nginx does not serve the saved page (status {}, {} bytes)", copy.status, copy.body.len());
    }
    // A worker has answered, so the master has forked them all.
    nginx.record_children();
    let rss_before_mb = memory_mb(heard.pid(), "VmRSS")?;

    let urls = [(Contender::Nginx, url(nginx_addr)), (Contender::Heard, url(heard_addr))];
    progress(&format!("warming up each server for {WARM_UP_SECONDS} s"));
    for (contender, url) in &urls {
        let warm_up = Load { seconds: WARM_UP_SECONDS, ..load };
        checked(*contender, wrk::run(url, warm_up)?)?;
    }
    let mut rounds = Vec::new();
    for round in 1..=options.rounds {
        for (contender, url) in &urls {
            progress(&format!(
                "round {round}/{}: {} for {} s",
                options.rounds,
                contender.name(),
                load.seconds
            ));
            let report = checked(*contender, wrk::run(url, load)?)?;
            progress(&format!("  {:.0} requests/s, p99 {:.2} ms", report.requests_per_sec, report.p99_ms));
            rounds.push(Round { contender: *contender, number: round, report });
        }
        heard.ensure_running()?;
        nginx.ensure_running()?;
    }
    let peak_rss_mb = memory_mb(heard.pid(), "VmHWM")?;
    heard.stop();
    nginx.stop();

    let results = Results {
        page_bytes: page.body.len(),
        page_cache_ms: options.page_cache_ms,
        load,
        rounds_per_server: options.rounds,
        heard: best(&rounds, Contender::Heard),
        nginx: best(&rounds, Contender::Nginx),
        rounds,
        rss_before_mb,
        peak_rss_mb,
    };
    print!("{}", results.table());
    if options.json {
        println!("{}", results.json());
    }
    Ok(())
}

/// The discussion the benchmark adds, and its page with every comment on it.
const CONSULTATION: &str = "police-and-crime-plan-2025-29";
const DISCUSSION: &str = "bench";
const COMMENTS: usize = 200;
const PAGE_PATH: &str = "/consultations/police-and-crime-plan-2025-29/discussions/bench?per_page=200";
/// What starts each rendered comment; the page must hold exactly `COMMENTS` of them.
const COMMENT_MARK: &str = "<article class=\"comment";

const THREADS: u32 = 2;
const CONNECTIONS: u32 = 50;
/// Unrecorded load before the rounds, so that neither server's first round pays for cold
/// caches, lazily started workers or a cold SQLite page cache.
const WARM_UP_SECONDS: u32 = 2;

/// The targets: printed with the figures, never a reason to fail the run.
const MIN_RATIO_VS_NGINX: f64 = 0.5;
const MAX_P99_MS: f64 = 25.0;
const MAX_RSS_MB: f64 = 100.0;

const NGINX_PATHS: [&str; 2] = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"];
/// Generous limits for the steps that should take a second or two.
const PREPARE_LIMIT: Duration = Duration::from_secs(120);
const START_LIMIT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, PartialEq)]
enum Contender {
    Heard,
    Nginx,
}

impl Contender {
    fn name(self) -> &'static str {
        match self {
            Contender::Heard => "heard",
            Contender::Nginx => "nginx",
        }
    }
}

struct Round {
    contender: Contender,
    number: u32,
    report: wrk::Report,
}

struct Results {
    page_bytes: usize,
    page_cache_ms: Option<u64>,
    load: Load,
    rounds_per_server: u32,
    rounds: Vec<Round>,
    heard: wrk::Report,
    nginx: wrk::Report,
    rss_before_mb: f64,
    peak_rss_mb: f64,
}

impl Results {
    fn ratio(&self) -> f64 {
        self.heard.requests_per_sec / self.nginx.requests_per_sec
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let Load { threads, connections, seconds } = self.load;
        let _ = writeln!(out, "heard web benchmark: {PAGE_PATH}");
        let _ = writeln!(
            out,
            "page: {COMMENTS} comments, {} bytes; nginx serves the same bytes from a file (worker_processes 2)",
            self.page_bytes
        );
        let cache = match self.page_cache_ms {
            None => "heard's default".to_owned(),
            Some(0) => "off: every request renders".to_owned(),
            Some(ms) => format!("{ms} ms"),
        };
        let _ = writeln!(out, "heard's page cache: {cache}");
        let _ = writeln!(
            out,
            "load: wrk -t{threads} -c{connections} -d{seconds}s --latency, {} round{} per server, alternating; best round counts\n",
            self.rounds_per_server,
            if self.rounds_per_server == 1 { "" } else { "s" }
        );
        let _ = writeln!(
            out,
            "{:<7} {:>5} {:>12} {:>10} {:>10} {:>10}",
            "server", "round", "requests/s", "p50 ms", "p90 ms", "p99 ms"
        );
        for round in &self.rounds {
            let r = &round.report;
            let _ = writeln!(
                out,
                "{:<7} {:>5} {:>12.1} {:>10.2} {:>10.2} {:>10.2}",
                round.contender.name(),
                round.number,
                r.requests_per_sec,
                r.p50_ms,
                r.p90_ms,
                r.p99_ms
            );
        }
        let _ = writeln!(out);
        for (name, r) in [("heard", &self.heard), ("nginx", &self.nginx)] {
            let _ = writeln!(
                out,
                "{name} best: {:.1} requests/s, p99 {:.2} ms, {:.1} MB/s of page",
                r.requests_per_sec,
                r.p99_ms,
                r.requests_per_sec * self.page_bytes as f64 / 1e6
            );
        }
        let _ = writeln!(
            out,
            "heard memory: {:.1} MB resident before the load, {:.1} MB at peak\n",
            self.rss_before_mb, self.peak_rss_mb
        );
        let _ = writeln!(out, "{:<34} {:>10}  met", "target", "figure");
        let targets = [
            (
                format!("heard/nginx requests >= {MIN_RATIO_VS_NGINX}"),
                format!("{:.3}", self.ratio()),
                self.ratio() >= MIN_RATIO_VS_NGINX,
            ),
            (
                format!("p99 < {MAX_P99_MS} ms at {connections} connections"),
                format!("{:.2} ms", self.heard.p99_ms),
                self.heard.p99_ms < MAX_P99_MS,
            ),
            (
                format!("peak RSS < {MAX_RSS_MB} MB"),
                format!("{:.1} MB", self.peak_rss_mb),
                self.peak_rss_mb < MAX_RSS_MB,
            ),
        ];
        for (target, figure, met) in targets {
            let _ = writeln!(out, "{target:<34} {figure:>10}  {}", if met { "yes" } else { "NO" });
        }
        out
    }

    /// One line of JSON, its keys in a fixed order (serde_json's map would sort them).
    fn json(&self) -> String {
        let fields = [
            ("heard_rps", json!(round_to(self.heard.requests_per_sec, 1))),
            ("nginx_rps", json!(round_to(self.nginx.requests_per_sec, 1))),
            ("ratio_vs_nginx", json!(round_to(self.ratio(), 4))),
            ("p99_ms", json!(round_to(self.heard.p99_ms, 3))),
            ("rss_mb", json!(round_to(self.peak_rss_mb, 1))),
            ("page_bytes", json!(self.page_bytes)),
            ("comments", json!(COMMENTS)),
            ("connections", json!(self.load.connections)),
            ("seconds", json!(self.load.seconds)),
        ];
        let body: Vec<String> =
            fields.iter().map(|(key, value)| format!("{}: {value}", json!(key))).collect();
        format!("{{{}}}", body.join(", "))
    }
}

/// The round with the most requests per second.
fn best(rounds: &[Round], contender: Contender) -> wrk::Report {
    rounds
        .iter()
        .filter(|r| r.contender == contender)
        .map(|r| &r.report)
        .max_by(|a, b| a.requests_per_sec.total_cmp(&b.requests_per_sec))
        .cloned()
        .expect("every server runs at least one round")
}

/// Fails on a report that does not measure what it should: error responses or broken sockets.
/// Timeouts only warn: they are a (very) slow server, which the figures should show.
fn checked(contender: Contender, report: wrk::Report) -> Result<wrk::Report> {
    let name = contender.name();
    if report.non_2xx_3xx > 0 {
        bail!(
            "{name} answered {} of {} requests with a status other than 2xx/3xx",
            report.non_2xx_3xx,
            report.requests
        );
    }
    let e = &report.socket_errors;
    if e.connect + e.read + e.write > 0 {
        bail!(
            "wrk saw socket errors against {name}: connect {}, read {}, write {}",
            e.connect,
            e.read,
            e.write
        );
    }
    if e.timeout > 0 {
        progress(&format!(
            "warning: {} requests to {name} took over 2 s and are missing from its latencies",
            e.timeout
        ));
    }
    Ok(report)
}

fn find_nginx() -> Result<PathBuf> {
    NGINX_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| process::find_program("nginx"))
        .context("nginx is not installed; on Debian or Ubuntu: `apt-get install nginx-light` (or nginx)")
}

/// The demo, then the benchmark's discussion.
fn prepare_data(heard: &Path, data_dir: &Path) -> Result<()> {
    progress(&format!("preparing the demo in {}", data_dir.display()));
    let demo = heard::demo(heard, data_dir)?;
    for line in demo.stdout.lines() {
        progress(&format!("  {line}"));
    }
    let synth = process::run(
        "heard synth discussion",
        Command::new(heard)
            .args(["synth", "discussion", "--consultation", CONSULTATION, "--slug", DISCUSSION])
            .arg("--comments")
            .arg(COMMENTS.to_string())
            .arg("--data-dir")
            .arg(data_dir),
        PREPARE_LIMIT,
    )?;
    for line in synth.stdout.lines() {
        progress(&format!("  {line}"));
    }
    Ok(())
}

/// Starts `heard serve` on a port the system picks, with its page cache as asked.
fn start_heard(
    heard: &Path,
    data_dir: &Path,
    scratch: &Path,
    page_cache_ms: Option<u64>,
) -> Result<(Server, SocketAddr)> {
    let mut args = Vec::new();
    if let Some(ms) = page_cache_ms {
        args.extend(["--page-cache-ms".to_owned(), ms.to_string()]);
    }
    let (server, addr) = heard::serve(heard, data_dir, scratch, &args)?;
    progress(&format!("heard is serving on {addr} (pid {})", server.pid()));
    Ok((server, addr))
}

/// Fetches the page under test from heard and checks it holds every comment.
fn fetch_page(addr: SocketAddr) -> Result<http::Response> {
    let page = http::get(addr, PAGE_PATH).context("fetching the page from heard")?;
    if page.status != 200 {
        bail!("heard answered {PAGE_PATH} with status {}, not 200", page.status);
    }
    let text = String::from_utf8_lossy(&page.body);
    let found = text.matches(COMMENT_MARK).count();
    if found != COMMENTS {
        bail!(
            "the page holds {found} comments ({COMMENT_MARK:?}), not {COMMENTS}: is per_page capped or the markup changed?"
        );
    }
    if page.header("content-type").is_none() {
        bail!("heard sent the page without a Content-Type");
    }
    Ok(page)
}

/// Saves the page and starts nginx serving it, at the same path, with the same content type
/// and the same extra headers as heard sent, on another loopback port.
fn start_nginx(nginx: &Path, scratch: &Path, page: &http::Response) -> Result<(Server, SocketAddr)> {
    let dir = scratch.join("nginx");
    fs::create_dir_all(dir.join("www"))?;
    fs::write(dir.join("www/page.html"), &page.body)?;
    let port = process::free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let config = dir.join("nginx.conf");
    fs::write(&config, nginx_config(&dir, addr, page))?;
    let log = dir.join("error.log");
    let mut server = Server::spawn(
        "nginx",
        Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&config)
            .arg("-e")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("stderr.log"))?),
    )?;
    if let Err(e) = server.wait_for_port(addr, START_LIMIT) {
        let tail = process::log_tail(&log, 20) + &process::log_tail(&dir.join("stderr.log"), 20);
        bail!("{e:#}; nginx's log ends:\n{tail}");
    }
    progress(&format!("nginx is serving the saved page on {addr} (pid {})", server.pid()));
    Ok((server, addr))
}

/// A minimal nginx configuration, tuned the way one would for static files: sendfile, an open
/// file cache, no access log, and no cap on requests per keep-alive connection (heard has none
/// either, so neither pays for reconnecting).
fn nginx_config(dir: &Path, addr: SocketAddr, page: &http::Response) -> String {
    let dir = dir.display();
    let content_type = page.header("content-type").unwrap_or("text/html; charset=utf-8");
    let mut extra_headers = String::new();
    for (name, value) in &page.headers {
        let generated = [
            "content-type",
            "content-length",
            "date",
            "connection",
            "keep-alive",
            "transfer-encoding",
            "server",
        ];
        let quotable = !value.contains(['"', '\\', '$', '\r', '\n'])
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !generated.iter().any(|g| name.eq_ignore_ascii_case(g)) && quotable {
            let _ = writeln!(extra_headers, "            add_header {name} \"{value}\";");
        }
    }
    format!(
        r#"# Generated by `cargo xtask bench web`.
worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=16;
    keepalive_timeout 65s;
    keepalive_requests 1000000000;
    server_tokens off;
    etag off;
    server {{
        listen {addr};
        root {dir}/www;
        location / {{
            types {{ }}
            default_type "{content_type}";
{extra_headers}            try_files /page.html =404;
        }}
    }}
}}
"#
    )
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}{PAGE_PATH}")
}

/// A memory figure (`VmRSS`, `VmHWM`, ...) of a process, in MB of 1024 kB.
fn memory_mb(pid: u32, field: &str) -> Result<f64> {
    let path = format!("/proc/{pid}/status");
    let status = fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let kb: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in {path}"))?;
    Ok(kb / 1024.0)
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn progress(message: &str) {
    eprintln!("bench web: {message}");
}
