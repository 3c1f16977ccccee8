//! Developer tasks for the heard workspace, run as `cargo xtask <task>` from anywhere inside it.
//!
//! The tasks are benchmarks, each side by side with a reference in one run: `bench web`, the
//! rendered discussion page against nginx serving the same bytes (see `bench_web`); `bench post`,
//! signed-in residents posting comments over HTTP against SQLite, with every acknowledged post
//! counted in the database afterwards (see `bench_post`); and `bench analysis`, the analysis engine
//! end to end on a synthetic corpus with planted themes, against a scikit-learn topic model on the
//! same corpus (see `bench_analysis`); and `bench opinion`, `heard opinion-groups` on a synthetic
//! Polis export of 10,000 participants and 1,000,000 votes, against its time and memory targets
//! (see `bench_opinion`). This file parses the arguments and dispatches; a bad
//! argument prints the usage and exits with status 2.

mod bench_analysis;
mod bench_opinion;
mod bench_post;
mod bench_web;
mod heard;
mod http;
mod process;
mod wrk;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  bench web [--json] [--seconds N] [--rounds N] [--page-cache-ms N]
      Load the 200-comment discussion page with wrk (2 threads, 50 connections), alternating
      with nginx serving the same bytes, and print the figures. --json makes the last line of
      standard output one JSON object. --seconds is the length of each round (default 10),
      --rounds the number of rounds per server (default 2). --page-cache-ms is passed to
      `heard serve` (default: heard's own); 0 renders the page on every request.
  bench post [--json] [--seconds N] [--connections N] [--accounts N] [--sqlite-synchronous full|normal]
      Create --accounts residents (default 100), sign them in over HTTP, and post comments from
      --connections keep-alive connections (default 50) for --seconds (default 10) to an open
      discussion on SQLite; then count the comments in the database and report lost posts.
      heard serves with its posting rate limits raised out of reach (the limits are still
      counted on every post). --json makes the last line of standard output one JSON object.
      --sqlite-synchronous is passed to `heard serve` (default: heard's own, full).
  bench analysis [--json] [--responses N] [--accurate-sample N] [--million]
      Generate N synthetic responses with planted themes and campaigns (default 100000) and run
      `heard analyse` on them in fast and lexical mode, and in accurate mode on the first
      --accurate-sample of them (default 2000), timing each end to end with its peak memory and
      scoring the themes it finds against the planted ones; a scikit-learn TF-IDF + KMeans topic
      model runs on the same corpus as the reference (needs python3 with scikit-learn).
      --million also times fast mode on 1,000,000 responses. --json makes the last line of
      standard output one JSON object.
  bench opinion [--json] [--participants N] [--votes N] [--statements N] [--runs N]
      Write a synthetic Polis export (default 10000 participants, 1000000 votes on 1000
      statements, three planted camps) and time `heard opinion-groups` on it --runs times
      (default 3), each a child process with its peak memory, against the targets (under 10 s
      and 1 GB); on the default export, fails when the groups found miss the planted camps.
      --json makes the last line of standard output one JSON object.
  help
      Print this message.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse(&args) {
        Ok(task) => task,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let outcome = match task {
        Task::Help => {
            print!("{USAGE}");
            Ok(())
        }
        Task::BenchWeb(options) => bench_web::run(&options),
        Task::BenchPost(options) => bench_post::run(&options),
        Task::BenchAnalysis(options) => bench_analysis::run(&options),
        Task::BenchOpinion(options) => bench_opinion::run(&options),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

enum Task {
    Help,
    BenchWeb(bench_web::Options),
    BenchPost(bench_post::Options),
    BenchAnalysis(bench_analysis::Options),
    BenchOpinion(bench_opinion::Options),
}

fn parse(args: &[String]) -> Result<Task, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => Err("no task given".into()),
        ["help" | "--help" | "-h"] => Ok(Task::Help),
        ["bench", "web", rest @ ..] => parse_bench_web(rest).map(Task::BenchWeb),
        ["bench", "post", rest @ ..] => parse_bench_post(rest).map(Task::BenchPost),
        ["bench", "analysis", rest @ ..] => parse_bench_analysis(rest).map(Task::BenchAnalysis),
        ["bench", "opinion", rest @ ..] => parse_bench_opinion(rest).map(Task::BenchOpinion),
        ["bench", other, ..] => {
            Err(format!("unknown benchmark {other:?} (there are: web, post, analysis, opinion)"))
        }
        ["bench"] => Err("which benchmark? (there are: web, post, analysis, opinion)".into()),
        [other, ..] => Err(format!("unknown task {other:?}")),
    }
}

fn parse_bench_web(args: &[&str]) -> Result<bench_web::Options, String> {
    let mut options = bench_web::Options::default();
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        match arg {
            "--json" => options.json = true,
            "--seconds" => options.seconds = positive(arg, args.next())?,
            "--rounds" => options.rounds = positive(arg, args.next())?,
            "--page-cache-ms" => {
                let value = args.next().ok_or("--page-cache-ms needs a number")?;
                let ms = value
                    .parse()
                    .map_err(|_| format!("--page-cache-ms needs a whole number, not {value:?}"))?;
                options.page_cache_ms = Some(ms);
            }
            other => return Err(format!("unknown option {other:?} for `bench web`")),
        }
    }
    Ok(options)
}

fn parse_bench_post(args: &[&str]) -> Result<bench_post::Options, String> {
    let mut options = bench_post::Options::default();
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        match arg {
            "--json" => options.json = true,
            "--seconds" => options.seconds = positive(arg, args.next())?,
            "--connections" => options.connections = positive(arg, args.next())?,
            "--accounts" => options.accounts = positive(arg, args.next())?,
            "--sqlite-synchronous" => match args.next() {
                Some(&value @ ("full" | "normal")) => options.sqlite_synchronous = Some(value.to_owned()),
                _ => return Err("--sqlite-synchronous needs `full` or `normal`".into()),
            },
            other => return Err(format!("unknown option {other:?} for `bench post`")),
        }
    }
    Ok(options)
}

fn parse_bench_analysis(args: &[&str]) -> Result<bench_analysis::Options, String> {
    let mut options = bench_analysis::Options::default();
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        match arg {
            "--json" => options.json = true,
            "--million" => options.million = true,
            "--responses" => options.responses = positive(arg, args.next())? as usize,
            "--accurate-sample" => options.accurate_sample = positive(arg, args.next())? as usize,
            other => return Err(format!("unknown option {other:?} for `bench analysis`")),
        }
    }
    Ok(options)
}

fn parse_bench_opinion(args: &[&str]) -> Result<bench_opinion::Options, String> {
    let mut options = bench_opinion::Options::default();
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        match arg {
            "--json" => options.json = true,
            "--participants" => options.participants = positive(arg, args.next())? as usize,
            "--votes" => options.votes = positive(arg, args.next())? as usize,
            "--statements" => options.statements = positive(arg, args.next())? as usize,
            "--runs" => options.runs = positive(arg, args.next())? as usize,
            other => return Err(format!("unknown option {other:?} for `bench opinion`")),
        }
    }
    Ok(options)
}

/// The whole number after `flag`, which must be at least 1.
fn positive(flag: &str, value: Option<&&str>) -> Result<u32, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a number"))?;
    match value.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{flag} needs a whole number of at least 1, not {value:?}")),
    }
}
