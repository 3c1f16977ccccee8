//! Tests of the `heard` command as a user runs it: the real binary, real files, a real server.

mod analyse;
mod backup;
mod demo;
mod demo_survey;
mod deploy;
mod import;
mod instances;
mod nginx;
mod opinion_groups;
mod outage;
mod redact;
mod responses;
mod retention;
mod shutdown;
mod users;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// The password of every account the tests make.
pub const PASSWORD: &str = "correct horse battery staple";

pub fn heard() -> Command {
    Command::new(env!("CARGO_BIN_EXE_heard"))
}

pub fn run(args: &[&str]) -> Output {
    heard().args(args).env("HEARD_LOG", "warn").output().expect("run heard")
}

/// This crate's folder as cargo runs the tests: read when they run, not when they were built, since a
/// build cache shared between checkouts can hold a test binary built in another one.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/talk_london").join(name)
}

pub fn seeds_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../../../shared/seeds");
    dir.is_dir().then_some(dir)
}

/// A running `heard` server, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts `heard ARGS --addr 127.0.0.1:0` and waits for it to say where it listens.
    pub fn start(args: &[&str]) -> Server {
        Server::start_logging(args, None)
    }

    /// Starts `heard ARGS --addr 127.0.0.1:0`, its log (at `info`) going to `log` when given.
    pub fn start_logging(args: &[&str], log: Option<&std::path::Path>) -> Server {
        let mut args = args.to_vec();
        args.extend(["--addr", "127.0.0.1:0"]);
        Server::start_exactly(&args, log)
    }

    /// Starts `heard ARGS`, which name the address themselves.
    pub fn start_exactly(args: &[&str], log: Option<&std::path::Path>) -> Server {
        let mut command = heard();
        command.args(args).stdout(Stdio::piped());
        match log {
            Some(path) => {
                command.env("HEARD_LOG", "info,sqlx=warn").stderr(std::fs::File::create(path).unwrap());
            }
            None => {
                command.env("HEARD_LOG", "warn");
            }
        }
        let mut child = command.spawn().expect("start heard");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("heard exited before serving").unwrap();
            if let Some(rest) = line.strip_prefix("heard is serving on ") {
                break rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port`, as a balancer names it.
    pub fn authority(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Waits up to `limit` for the server to exit; its status, or `None` if it is still running.
    pub fn wait_for_exit(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if started.elapsed() > limit {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// GET `path`: the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let authority = self.base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(authority).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }
}

/// An HTTP answer: status, headers (names lower-cased) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The `name=value` part of every `Set-Cookie`.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next().map(str::to_owned))
            .collect()
    }

    /// The value of the first `<input ... name="NAME" value="...">` on the page.
    pub fn input(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\" value=\""))?;
        let rest = &self.body[at + name.len() + 15..];
        Some(rest[..rest.find('"')?].to_owned())
    }
}

impl Server {
    /// One request on a connection of its own: `form` is sent URL-encoded as a POST.
    pub fn request(&self, path: &str, cookie: &str, form: Option<&[(&str, &str)]>) -> Answer {
        http(&self.base, path, cookie, form)
    }
}

/// One request to `base` (`http://HOST:PORT`) on a connection of its own.
pub fn http(base: &str, path: &str, cookie: &str, form: Option<&[(&str, &str)]>) -> Answer {
    try_http(base, path, cookie, form).unwrap()
}

/// [`http`], with the connection's failure as an error.
pub fn try_http(
    base: &str,
    path: &str,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> std::io::Result<Answer> {
    let authority = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    let cookie = if cookie.is_empty() { String::new() } else { format!("Cookie: {cookie}\r\n") };
    match form {
        None => {
            write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\n{cookie}Connection: close\r\n\r\n")
        }
        Some(fields) => {
            let body: String = fields
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            write!(
                stream,
                "POST {path} HTTP/1.1\r\nHost: {authority}\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
    }?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let response = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.get(9..12)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Answer { status, headers, body: body.to_owned() })
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends signal `name` ("TERM", "KILL") to process `pid`, as an operator's `kill` does.
pub fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().expect("run kill");
    assert!(sent.success(), "kill -{name} {pid}");
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
