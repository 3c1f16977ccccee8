//! Runs the `wrk` load generator and reads its report: requests per second, the latency
//! distribution (`--latency`), and the counts of errors and non-2xx/3xx responses.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::process;

pub const BINARY: &str = "wrk";

/// How hard to load: `wrk -tTHREADS -cCONNECTIONS -dSECONDSs --latency URL`.
#[derive(Clone, Copy)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub seconds: u32,
}

/// What one wrk run reported. Latencies are in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// Responses with a status outside 200-399.
    pub non_2xx_3xx: u64,
    pub socket_errors: SocketErrors,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SocketErrors {
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    /// Requests that took longer than wrk's timeout (2 s); they are missing from the latencies.
    pub timeout: u64,
}

/// Loads `url` and returns wrk's report. Fails when wrk is missing, fails, or overruns.
pub fn run(url: &str, load: Load) -> Result<Report> {
    let mut command = Command::new(BINARY);
    command
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.seconds))
        .arg("--latency")
        .arg(url);
    let limit = Duration::from_secs(u64::from(load.seconds) + 30);
    let output = process::run("wrk", &mut command, limit)?;
    parse(&output.stdout).with_context(|| format!("reading wrk's report:\n{}", output.stdout.trim_end()))
}

/// Reads wrk's text report.
pub fn parse(text: &str) -> Result<Report> {
    let mut requests = None;
    let mut requests_per_sec = None;
    let (mut p50, mut p90, mut p99) = (None, None, None);
    let mut non_2xx_3xx = 0;
    let mut socket_errors = SocketErrors::default();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => p50 = Some(milliseconds(value)?),
            ["90%", value] => p90 = Some(milliseconds(value)?),
            ["99%", value] => p99 = Some(milliseconds(value)?),
            ["Requests/sec:", value] => requests_per_sec = Some(number(value)?),
            [count, "requests", "in", ..] => requests = Some(number(count)? as u64),
            ["Non-2xx", "or", "3xx", "responses:", count] => non_2xx_3xx = number(count)? as u64,
            ["Socket", "errors:", ..] => socket_errors = parse_socket_errors(line)?,
            _ => {}
        }
    }
    Ok(Report {
        requests: requests.context("no \"N requests in\" line")?,
        requests_per_sec: requests_per_sec.context("no Requests/sec line")?,
        p50_ms: p50.context("no 50% latency (was --latency given?)")?,
        p90_ms: p90.context("no 90% latency")?,
        p99_ms: p99.context("no 99% latency")?,
        non_2xx_3xx,
        socket_errors,
    })
}

/// `Socket errors: connect 0, read 1, write 0, timeout 5`
fn parse_socket_errors(line: &str) -> Result<SocketErrors> {
    let mut errors = SocketErrors::default();
    let list = line.split_once(':').map_or("", |(_, rest)| rest);
    for part in list.split(',') {
        let Some((kind, count)) = part.trim().split_once(' ') else {
            continue;
        };
        let count = number(count)? as u64;
        match kind {
            "connect" => errors.connect = count,
            "read" => errors.read = count,
            "write" => errors.write = count,
            "timeout" => errors.timeout = count,
            _ => {}
        }
    }
    Ok(errors)
}

/// A wrk duration (`870.00us`, `1.23ms`, `2.00s`, `1.50m`) in milliseconds.
fn milliseconds(text: &str) -> Result<f64> {
    let split =
        text.find(|c: char| c.is_ascii_alphabetic()).with_context(|| format!("no unit in {text:?}"))?;
    let (value, unit) = text.split_at(split);
    let value = number(value)?;
    let scale = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => bail!("unknown time unit in {text:?}"),
    };
    Ok(value * scale)
}

fn number(text: &str) -> Result<f64> {
    text.trim().parse().with_context(|| format!("{text:?} is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
Running 2s test @ http://127.0.0.1:18181/nope
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    22.99ms   98.19ms 839.26ms   95.45%
    Req/Sec     1.22k   510.27     2.00k    54.84%
  Latency Distribution
     50%  870.00us
     75%    3.68ms
     90%    4.47ms
     99%    1.20s
  3806 requests in 2.10s, 1.89MB read
  Socket errors: connect 0, read 2, write 0, timeout 7
  Non-2xx or 3xx responses: 12
Requests/sec:   1812.13
Transfer/sec:      0.90MB
";

    #[test]
    fn reads_a_full_report_with_every_unit() {
        let report = parse(REPORT).unwrap();
        assert_eq!(report.requests, 3806);
        assert_eq!(report.requests_per_sec, 1812.13);
        assert!((report.p50_ms - 0.87).abs() < 1e-9);
        assert_eq!(report.p90_ms, 4.47);
        assert_eq!(report.p99_ms, 1200.0);
        assert_eq!(report.non_2xx_3xx, 12);
        assert_eq!(report.socket_errors, SocketErrors { connect: 0, read: 2, write: 0, timeout: 7 });
    }

    #[test]
    fn a_clean_report_has_no_errors() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        let report = parse(&clean).unwrap();
        assert_eq!(report.non_2xx_3xx, 0);
        assert_eq!(report.socket_errors, SocketErrors::default());
    }

    #[test]
    fn a_report_without_latency_distribution_is_an_error() {
        let short: String = REPORT
            .lines()
            .filter(|l| !l.trim_start().starts_with(char::is_numeric) || l.contains("requests"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse(&short).is_err());
    }
}
