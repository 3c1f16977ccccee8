//! Child processes and the scratch space they use: commands run with a deadline, servers that
//! are stopped when their guard is dropped (also on an error), temporary directories that are
//! removed the same way, and free loopback ports.
//!
//! Linux only, like the benchmarks that use it (they read `/proc`).

use std::fs;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

/// A directory under the system's temporary directory, removed with everything in it on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> Result<Self> {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos:09}", std::process::id()));
        fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A long-running child, stopped (SIGTERM, then SIGKILL after a grace period) on drop, with
/// any processes it started that were recorded by [`Server::record_children`].
pub struct Server {
    name: &'static str,
    child: Child,
    /// Processes the server forked (nginx's workers), as (pid, start time), so that they can be
    /// ended by their id should the server die without ending them itself.
    children: Vec<(u32, u64)>,
}

impl Server {
    pub fn spawn(name: &'static str, command: &mut Command) -> Result<Self> {
        let child = command.spawn().with_context(|| format!("starting {name} ({command:?})"))?;
        Ok(Self { name, child, children: Vec::new() })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's stdout, to read once (it must be `Stdio::piped()`).
    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    /// An error when the server has exited.
    pub fn ensure_running(&mut self) -> Result<()> {
        match self.child.try_wait().with_context(|| format!("checking on {}", self.name))? {
            None => Ok(()),
            Some(status) => bail!("{} exited ({status})", self.name),
        }
    }

    /// Waits until something accepts connections on `addr`, or fails when the server exits or
    /// `timeout` passes.
    pub fn wait_for_port(&mut self, addr: SocketAddr, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            self.ensure_running()?;
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{} did not listen on {addr} within {timeout:?}", self.name);
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Notes the processes the server has forked so far (from `/proc`), to end them on drop
    /// should the server itself be killed before it ends them (nginx's workers outlive a master
    /// killed with SIGKILL).
    pub fn record_children(&mut self) {
        let pid = self.pid();
        self.children =
            processes().into_iter().filter(|p| p.parent == pid).map(|p| (p.pid, p.start)).collect();
    }

    /// Asks the server to stop, waits up to five seconds, then kills it; then kills whatever is
    /// left of the children it forked.
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(self.child.id(), SIGTERM);
            if wait_with_deadline(&mut self.child, Duration::from_secs(5)).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
        let alive = processes();
        for (pid, start) in self.children.drain(..) {
            // The start time tells a recorded child from a new process that reused its pid.
            if alive.iter().any(|p| p.pid == pid && p.start == start) {
                terminate(pid, SIGKILL);
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a finished command wrote.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to the end with its output captured; fails when it exits unsuccessfully (the
/// error carries its stderr) or outlives `timeout` (it is then killed).
pub fn run(what: &str, command: &mut Command, timeout: Duration) -> Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {what} ({command:?})"))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_with_deadline(&mut child, timeout);
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let output =
        Output { stdout: stdout.join().unwrap_or_default(), stderr: stderr.join().unwrap_or_default() };
    match status {
        None => bail!("{what} did not finish within {timeout:?}"),
        Some(status) if !status.success() => {
            bail!("{what} failed ({status}):\n{}", output.stderr.trim_end())
        }
        Some(_) => Ok(output),
    }
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("looking for a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Where `name` is on the `PATH`, if it is.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// The last `lines` lines of a log file, for error messages.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            _ => return None,
        }
    }
}

/// A process as `/proc/PID/stat` describes it.
struct Process {
    pid: u32,
    parent: u32,
    /// Clock ticks after boot when it started.
    start: u64,
}

/// Every process visible in `/proc` (none where there is no `/proc`).
fn processes() -> Vec<Process> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // After "pid (command)": state, ppid, then 17 more fields up to the start time.
            let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
            Some(Process { pid, parent: fields.get(1)?.parse().ok()?, start: fields.get(19)?.parse().ok()? })
        })
        .collect()
}

const SIGTERM: i32 = 15;
const SIGKILL: i32 = 9;

/// Sends `signal` to `pid`. SIGTERM lets nginx's master stop its workers and heard shut down
/// cleanly.
#[cfg(unix)]
fn terminate(pid: u32, signal: i32) {
    unsafe extern "C" {
        fn kill(pid: i32, signal: i32) -> i32;
    }
    let Ok(pid) = i32::try_from(pid) else { return };
    if pid <= 0 {
        return;
    }
    // SAFETY: kill(2) takes two integers and touches no memory of ours. Callers pass a child
    // not yet reaped, or a recorded child whose start time they have just checked, so the pid
    // is the process they mean.
    unsafe {
        kill(pid, signal);
    }
}

#[cfg(not(unix))]
fn terminate(_pid: u32, _signal: i32) {}
