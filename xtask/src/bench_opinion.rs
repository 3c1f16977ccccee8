//! `cargo xtask bench opinion`: how fast `heard opinion-groups` groups a large conversation, and
//! how much memory it takes, against the targets (issue 17: 10,000 participants and 1,000,000 votes
//! in under 10 s and 1 GB on the 2-core machine; Polis's math worker needs tens of gigabytes).
//!
//! The steps:
//! 1. build the release `heard`;
//! 2. write a synthetic Polis export (`votes.csv`, `comments.csv`): three planted camps (half, a
//!    third and a sixth of the participants) with their own agree and disagree odds on each
//!    statement; each participant votes on 10 to 190 statements (100 on average, so the votes add up
//!    exactly), drawn with a lean toward the earliest statements as Polis shows them; every 50th
//!    statement is moderated out; all from a fixed seed, so every run reads the same file;
//! 3. run `heard opinion-groups DIR --json` as a child process `--runs` times (default 3): its wall
//!    time and peak resident memory (`ru_maxrss`, from `wait4`) are the figures, so reading the CSV
//!    files counts;
//! 4. score the groups against the planted camps (adjusted Rand index), and print the system's load
//!    average before and after, since the machines are shared.
//!
//! The targets are printed beside the figures and never fail the run (a slow run may be the load);
//! on the default export, groups that no longer find the planted camps do.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use heard_analysis::opinion::adjusted_rand_index;
use serde_json::{Value, json};

use crate::bench_analysis::{Usage, timed};
use crate::process::TempDir;

pub struct Options {
    pub json: bool,
    pub participants: usize,
    pub votes: usize,
    pub statements: usize,
    pub runs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { json: false, participants: 10_000, votes: 1_000_000, statements: 1_000, runs: 3 }
    }
}

const TARGET_SECONDS: f64 = 10.0;
const TARGET_RSS_MB: f64 = 1024.0;
/// The planted camps are far apart; groups that miss them mean the grouping broke.
const MIN_PLANTED_ARI: f64 = 0.9;
const SEED: u64 = 17;

pub fn run(options: &Options) -> Result<()> {
    if options.votes < options.participants * 10
        || options.votes > options.participants * options.statements / 2
    {
        bail!(
            "--votes must be between 10 a participant and half of every statement a participant \
             ({} to {})",
            options.participants * 10,
            options.participants * options.statements / 2
        );
    }
    progress("building the release heard (cargo build --release -p heard)");
    let heard = crate::heard::build()?;
    let scratch = TempDir::new("heard-bench-opinion")?;
    let export = scratch.path().join("export");
    fs::create_dir(&export)?;
    progress(&format!(
        "writing a synthetic Polis export: {} participants, {} votes on {} statements",
        options.participants, options.votes, options.statements
    ));
    let camps = write_export(&export, options)?;

    let load_before = load_average();
    let mut runs = Vec::new();
    for i in 0..options.runs {
        progress(&format!("heard opinion-groups, run {} of {}", i + 1, options.runs));
        let mut command = Command::new(&heard);
        command.arg("opinion-groups").arg(&export).arg("--json");
        runs.push(timed("heard opinion-groups", &mut command, scratch.path())?);
    }
    let load_after = load_average();
    let groups: Value = serde_json::from_str(&runs[0].stdout).context("the command's JSON")?;
    let (ari, grouped) = planted_agreement(&groups, &camps);
    let results = Results { runs, ari, grouped, groups: groups["groups"].as_array().map_or(0, Vec::len) };
    print!("{}", results.table(options, &load_before, &load_after));
    if options.json {
        println!("{}", results.json(options, &load_before, &load_after));
    }
    // The floor holds for the default export; other sizes change how hard the camps are to tell
    // apart (100 votes among 5,000 statements overlap little), so they are only reported.
    let defaults = Options::default();
    let default_export = (options.participants, options.votes, options.statements)
        == (defaults.participants, defaults.votes, defaults.statements);
    if default_export && ari < MIN_PLANTED_ARI {
        bail!(
            "the groups found match the planted camps with an adjusted Rand index of {ari:.3} < {MIN_PLANTED_ARI}"
        );
    }
    Ok(())
}

struct Results {
    runs: Vec<Usage>,
    ari: f64,
    grouped: usize,
    groups: usize,
}

impl Results {
    fn range(&self, f: impl Fn(&Usage) -> f64) -> (f64, f64) {
        let values: Vec<f64> = self.runs.iter().map(f).collect();
        (values.iter().copied().fold(f64::INFINITY, f64::min), values.iter().copied().fold(0.0, f64::max))
    }

    fn table(&self, options: &Options, before: &str, after: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "heard opinion-groups benchmark: {} participants, {} votes on {} statements (synthetic, seed {SEED}, 3 planted camps)",
            options.participants, options.votes, options.statements
        );
        let _ = writeln!(
            out,
            "each figure is one end-to-end run of a child process: reading the CSV files, grouping, printing JSON"
        );
        let _ = writeln!(out, "load average before: {before}; after: {after}\n");
        let _ = writeln!(out, "{:<6} {:>8} {:>8} {:>9}", "run", "wall s", "CPU s", "peak MB");
        for (i, run) in self.runs.iter().enumerate() {
            let _ = writeln!(
                out,
                "{:<6} {:>8.2} {:>8.2} {:>9.0}",
                i + 1,
                run.wall.as_secs_f64(),
                run.cpu.as_secs_f64(),
                run.peak_rss_mb
            );
        }
        let (wall_min, wall_max) = self.range(|r| r.wall.as_secs_f64());
        let (rss_min, rss_max) = self.range(|r| r.peak_rss_mb);
        let _ = writeln!(
            out,
            "\nwall {wall_min:.2}-{wall_max:.2} s (target under {TARGET_SECONDS} s), peak {rss_min:.0}-{rss_max:.0} MB (target under {TARGET_RSS_MB} MB)"
        );
        let _ = writeln!(
            out,
            "{} groups; {} participants grouped; adjusted Rand index against the planted camps {:.3} (floor {MIN_PLANTED_ARI})",
            self.groups, self.grouped, self.ari
        );
        out
    }

    fn json(&self, options: &Options, before: &str, after: &str) -> Value {
        json!({
            "participants": options.participants,
            "votes": options.votes,
            "statements": options.statements,
            "runs": self.runs.iter().map(|r| json!({
                "wall_s": r.wall.as_secs_f64(),
                "cpu_s": r.cpu.as_secs_f64(),
                "peak_rss_mb": r.peak_rss_mb,
            })).collect::<Vec<_>>(),
            "target_wall_s": TARGET_SECONDS,
            "target_peak_rss_mb": TARGET_RSS_MB,
            "groups": self.groups,
            "grouped": self.grouped,
            "planted_ari": self.ari,
            "load_average_before": before,
            "load_average_after": after,
        })
    }
}

/// The first three figures of /proc/loadavg.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// SplitMix64: a small fixed-seed generator, the same on every machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
}

/// Writes the export and returns each participant's planted camp.
fn write_export(dir: &Path, options: &Options) -> Result<Vec<usize>> {
    let mut dice = Dice(SEED);
    let (n, statements) = (options.participants, options.statements);
    let camps: Vec<usize> = (0..n)
        .map(|p| {
            let share = p as f64 / n as f64;
            if share < 0.5 {
                0
            } else if share < 5.0 / 6.0 {
                1
            } else {
                2
            }
        })
        .collect();
    // Each camp's lean on each statement: agree, disagree or split, so the camps differ on some
    // statements and share others.
    let odds: Vec<[(f64, f64); 3]> = (0..statements)
        .map(|_| {
            let mut camp = || match dice.below(3) {
                0 => (0.8, 0.1),
                1 => (0.1, 0.8),
                _ => (0.4, 0.4),
            };
            [camp(), camp(), camp()]
        })
        .collect();

    let mut comments = BufWriter::new(fs::File::create(dir.join("comments.csv"))?);
    writeln!(comments, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body")?;
    for s in 0..statements {
        let moderated = if s % 50 == 49 { -1 } else { 1 };
        writeln!(comments, "{},x,{s},0,0,0,{moderated},Synthetic statement {s}", 1_000_000 + s)?;
    }
    comments.flush()?;

    let mean = options.votes / n;
    let mut extra = options.votes - mean * n;
    let spread = (mean - 10).min(statements / 2 - mean);
    let mut votes = BufWriter::new(fs::File::create(dir.join("votes.csv"))?);
    writeln!(votes, "timestamp,datetime,comment-id,voter-id,vote")?;
    let mut seen = vec![usize::MAX; statements];
    let mut timestamp = 2_000_000u64;
    let mut offset = 0usize;
    for p in 0..n {
        // Pairs of participants vote mean+d and mean-d times, so the total is exact.
        let paired = if p % 2 == 0 {
            offset = dice.below(spread + 1);
            if p + 1 == n { mean } else { mean + offset }
        } else {
            mean - offset
        };
        let count = paired + usize::from(extra > 0);
        extra = extra.saturating_sub(1);
        let mut cast = 0;
        while cast < count {
            // Polis shows early statements to more people: the square leans toward low ids.
            let s = ((dice.unit().powi(2)) * statements as f64) as usize;
            if seen[s] == p {
                continue;
            }
            seen[s] = p;
            let (agree, disagree) = odds[s][camps[p]];
            let roll = dice.unit();
            let vote = if roll < agree {
                1
            } else if roll < agree + disagree {
                -1
            } else {
                0
            };
            timestamp += 1;
            writeln!(votes, "{timestamp},x,{s},{p},{vote}")?;
            cast += 1;
        }
    }
    votes.flush()?;
    Ok(camps)
}

/// The adjusted Rand index of the groups found against the planted camps, and how many were grouped.
fn planted_agreement(groups: &Value, camps: &[usize]) -> (f64, usize) {
    let mut pairs = Vec::new();
    for (g, group) in groups["groups"].as_array().into_iter().flatten().enumerate() {
        for p in group["participants"].as_array().into_iter().flatten() {
            if let Some(camp) = p.as_u64().and_then(|p| camps.get(p as usize)) {
                pairs.push((*camp, g));
            }
        }
    }
    (adjusted_rand_index(&pairs), pairs.len())
}

fn progress(message: &str) {
    eprintln!("bench opinion: {message}");
}
