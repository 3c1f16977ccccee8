//! Metrics at `/metrics` in Prometheus's text format, for the operator's monitoring: requests by
//! route template and status, their latency, the database connections in use, the job queue and
//! the analysis runs not yet finished.
//!
//! Off unless the operator asks (`Settings::metrics`, `--metrics`), and then answered only to a
//! request made on this machine directly: from a loopback address with no `X-Forwarded-For`, since
//! behind a proxy on the same machine every visitor arrives from loopback too. Routes are their
//! templates (`/consultations/{slug}`), never paths, so no token or address is in a label and the
//! number of series stays fixed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{AppState, WebError};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// What this instance has answered since it started.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, &'static str, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

#[derive(Default)]
struct Histogram {
    /// Answers at or under each of [`BUCKETS`] (not cumulative here; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    /// Counts one answer to a request of `method` for `route` (a template) that took `took`.
    pub fn record(&self, route: &str, method: &axum::http::Method, status: StatusCode, took: Duration) {
        let method = method_label(method);
        let secs = took.as_secs_f64();
        {
            let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            match requests.get_mut(&(route.to_owned(), method, status.as_u16())) {
                Some(n) => *n += 1,
                None => {
                    requests.insert((route.to_owned(), method, status.as_u16()), 1);
                }
            }
        }
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let histogram = match latency.get_mut(route) {
            Some(h) => h,
            None => latency.entry(route.to_owned()).or_default(),
        };
        if let Some(i) = BUCKETS.iter().position(|bound| secs <= *bound) {
            histogram.buckets[i] += 1;
        }
        histogram.count += 1;
        histogram.sum += secs;
    }

    fn write_requests(&self, out: &mut String) {
        out.push_str(
            "# HELP heard_http_requests_total Requests answered, by route template, method and status.\n",
        );
        out.push_str("# TYPE heard_http_requests_total counter\n");
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        for ((route, method, status), n) in requests.iter() {
            let _ = writeln!(
                out,
                "heard_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        drop(requests);
        out.push_str(
            "# HELP heard_http_request_duration_seconds Time to answer a request, by route template.\n",
        );
        out.push_str("# TYPE heard_http_request_duration_seconds histogram\n");
        let latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        for (route, h) in latency.iter() {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "heard_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "heard_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "heard_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ =
                writeln!(out, "heard_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
    }
}

/// `/metrics`: the text, or the not-found page when metrics are off or the request did not come
/// from this machine directly.
pub async fn show(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let direct = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback())
        && !request.headers().contains_key("x-forwarded-for");
    if !state.settings().metrics || !direct {
        return Err(WebError::NotFound);
    }
    let mut out = String::with_capacity(8192);
    state.metrics().write_requests(&mut out);
    out.push_str("# HELP heard_database_connections Connections to the database, by pool and state.\n");
    out.push_str("# TYPE heard_database_connections gauge\n");
    let pools = state.store().pool_stats();
    for pool in &pools {
        for (what, n) in [("in_use", pool.size - pool.idle), ("idle", pool.idle)] {
            let _ =
                writeln!(out, "heard_database_connections{{pool=\"{}\",state=\"{what}\"}} {n}", pool.name);
        }
    }
    out.push_str("# HELP heard_database_connections_max The most connections each pool opens.\n");
    out.push_str("# TYPE heard_database_connections_max gauge\n");
    for pool in &pools {
        let _ = writeln!(out, "heard_database_connections_max{{pool=\"{}\"}} {}", pool.name, pool.max);
    }
    let jobs = state.store().job_counts().await?;
    out.push_str(
        "# HELP heard_jobs Jobs in the queue (every instance's), by state; failed ones are given up.\n",
    );
    out.push_str("# TYPE heard_jobs gauge\n");
    for (what, n) in [("queued", jobs.queued), ("running", jobs.running), ("failed", jobs.failed)] {
        let _ = writeln!(out, "heard_jobs{{state=\"{what}\"}} {n}");
    }
    let (queued, running) = state.store().unfinished_run_counts().await?;
    out.push_str(
        "# HELP heard_analysis_runs Analysis runs not yet finished (every instance's), by status.\n",
    );
    out.push_str("# TYPE heard_analysis_runs gauge\n");
    let _ = writeln!(out, "heard_analysis_runs{{status=\"queued\"}} {queued}");
    let _ = writeln!(out, "heard_analysis_runs{{status=\"running\"}} {running}");
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4"), (header::CACHE_CONTROL, "no-store")], out)
        .into_response())
}

fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "OPTIONS" => "OPTIONS",
        // Anything else, so that odd methods sent by anyone add no series.
        _ => "other",
    }
}

/// A label value as the text format writes it.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
