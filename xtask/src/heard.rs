//! Driving the heard binary, shared by the benchmarks: build it in release mode, fill a data
//! directory with the demo, and serve it on a loopback port the system picks.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::process::{self, Output, Server};

/// How long `heard serve` may take to say it is serving.
const START_LIMIT: Duration = Duration::from_secs(30);
/// How long `heard demo --no-serve` may take.
const DEMO_LIMIT: Duration = Duration::from_secs(120);

/// Builds the release `heard` and returns the path cargo gives for the binary, which respects
/// `CARGO_TARGET_DIR` and any cargo configuration.
pub fn build() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args(["build", "--release", "--package", "heard", "--message-format=json-render-diagnostics"])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting cargo build")?;
    let mut messages = String::new();
    child.stdout.take().context("cargo's stdout")?.read_to_string(&mut messages)?;
    let status = child.wait()?;
    if !status.success() {
        bail!("cargo build --release -p heard failed ({status})");
    }
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "heard")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo build did not report where the heard binary is")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_owned()
}

/// Fills `data_dir` with the demo (`heard demo --no-serve`), run in the workspace root, where it
/// finds the seed pages (`../shared/seeds`) when there are any.
pub fn demo(heard: &Path, data_dir: &Path) -> Result<Output> {
    process::run(
        "heard demo --no-serve",
        Command::new(heard)
            .arg("demo")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--no-serve")
            .current_dir(workspace_root()),
        DEMO_LIMIT,
    )
}

/// Starts `heard serve --data-dir DATA_DIR` with `args` on a port the system picks, logging to
/// `scratch/heard.log`, and returns it with the address it printed.
pub fn serve(heard: &Path, data_dir: &Path, scratch: &Path, args: &[String]) -> Result<(Server, SocketAddr)> {
    let log = scratch.join("heard.log");
    let mut command = Command::new(heard);
    command.arg("serve").arg("--data-dir").arg(data_dir).args(["--addr", "127.0.0.1:0"]).args(args);
    let mut server = Server::spawn(
        "heard",
        command
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log)?),
    )?;
    let stdout = server.take_stdout().context("heard's stdout")?;
    let (tx, rx) = mpsc::channel();
    // Reads the ready line, then keeps reading so that heard never blocks on a full pipe.
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("heard is serving on http://") {
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_owned());
            }
        }
    });
    let addr = match rx.recv_timeout(START_LIMIT) {
        Ok(addr) => addr.parse().with_context(|| format!("heard said it serves on {addr:?}"))?,
        Err(_) => bail!(
            "heard did not say it was serving within {START_LIMIT:?}; its log ends:\n{}",
            process::log_tail(&log, 20)
        ),
    };
    Ok((server, addr))
}
