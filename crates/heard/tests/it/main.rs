//! Tests of the `heard` command as a user runs it: the real binary, real files, a real server.

mod analyse;
mod demo;
mod demo_survey;
mod import;
mod redact;
mod responses;
mod retention;
mod users;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

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
        let mut child = heard()
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .env("HEARD_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start heard");
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

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
