//! `heard opinion-groups DIR`: reads a Polis export folder and prints its opinion groups.
//!
//! The folder is laid out as Polis exports a conversation: `votes.csv` (timestamp, datetime,
//! comment-id, voter-id, vote), or when that is missing the vote columns of
//! `participants-votes.csv` (one row per participant, one column per comment); and `comments.csv`,
//! whose `moderated` column marks statements moderated out (-1), which are left out. A voter's later
//! vote on a statement (by timestamp) replaces an earlier one. With `--json` it prints
//! `{"groups": [{"id", "participants", "representative"}], "consensus", "divisive"}`, ids as the
//! export writes them; without, a summary for a person.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heard_analysis::opinion::{self, Choice, Confidence, OpinionGroups, Stance, Vote};
use serde_json::{Value, json};

#[derive(Debug, clap::Args)]
pub struct OpinionGroupsArgs {
    /// A Polis export folder: votes.csv (or participants-votes.csv) and comments.csv.
    dir: PathBuf,
    /// Print one JSON object: {"groups": [{"id", "participants", "representative"}], "consensus",
    /// "divisive"}.
    #[arg(long)]
    json: bool,
}

pub fn run(args: OpinionGroupsArgs) -> Result<()> {
    let mut export = read_export(&args.dir)?;
    let votes = std::mem::take(&mut export.votes);
    let moderated_out: Vec<u32> = export
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.moderated_out)
        .map(|(i, _)| i as u32)
        .collect();
    let groups =
        opinion::opinion_groups(export.participants.len(), export.statements.len(), votes, &moderated_out);
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &to_json(&export, &groups))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_summary(&mut out, &args.dir, &export, &groups)
    };
    match written.and_then(|()| out.flush()) {
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the groups"),
    }
}

/// A conversation as read from an export: participants and statements by their ids in the export,
/// votes by index into them.
pub struct Export {
    pub participants: Vec<String>,
    pub statements: Vec<Statement>,
    pub votes: Vec<Vote>,
    /// How many votes were read, a replaced vote counting each time it was cast.
    pub votes_cast: usize,
    /// Where the votes came from (`votes.csv` or `participants-votes.csv`).
    pub source: &'static str,
    /// How many statements were moderated out.
    pub moderated_out: usize,
}

pub struct Statement {
    pub id: String,
    /// Moderated out: never reported, though it counts in the grouping as it does in Polis.
    pub moderated_out: bool,
    /// The statement's words, when `comments.csv` has them.
    pub text: Option<String>,
}

/// Reads the export in `dir`: every problem names the file and line.
pub fn read_export(dir: &Path) -> Result<Export> {
    if !dir.is_dir() {
        bail!("{} is not a folder: give a Polis export folder (votes.csv, comments.csv)", dir.display());
    }
    let comments = read_comments(&dir.join("comments.csv"))?;
    let votes_csv = dir.join("votes.csv");
    let participants_votes = dir.join("participants-votes.csv");
    let (raw, source) = if votes_csv.is_file() {
        (read_votes(&votes_csv)?, "votes.csv")
    } else if participants_votes.is_file() {
        (read_participants_votes(&participants_votes)?, "participants-votes.csv")
    } else {
        bail!("{} has neither votes.csv nor participants-votes.csv: it is not a Polis export", dir.display());
    };
    let (mut raw, participant_ids, statement_ids) = (raw.votes, raw.participants, raw.statements);
    let texts: HashMap<&str, &str> = comments.iter().map(|c| (c.id.as_str(), c.text.as_str())).collect();
    let moderated: std::collections::HashSet<&str> =
        comments.iter().filter(|c| c.moderated_out).map(|c| c.id.as_str()).collect();

    // Statements: those comments.csv lists and any others voted on.
    let mut statements: Vec<String> = comments.iter().map(|c| c.id.clone()).collect();
    statements.extend(statement_ids.iter().cloned());
    let statements = in_export_order(statements);
    let statement_index: HashMap<&str, u32> =
        statements.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    // Read index -> index in the export's order.
    let statement_of: Vec<u32> = statement_ids.iter().map(|id| statement_index[id.as_str()]).collect();
    let participants = in_export_order(participant_ids.clone());
    let participant_index: HashMap<&str, u32> =
        participants.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let participant_of: Vec<u32> = participant_ids.iter().map(|id| participant_index[id.as_str()]).collect();

    // Stable: votes with the same timestamp keep the file's order, the later row winning.
    raw.sort_by_key(|v| v.timestamp);
    let votes: Vec<Vote> = raw
        .iter()
        .map(|v| Vote {
            participant: participant_of[v.participant as usize],
            statement: statement_of[v.statement as usize],
            choice: v.choice,
        })
        .collect();
    let statements = statements
        .into_iter()
        .map(|id| {
            let text = texts.get(id.as_str()).map(|t| (*t).to_owned());
            let moderated_out = moderated.contains(id.as_str());
            Statement { id, text, moderated_out }
        })
        .collect();
    Ok(Export {
        participants,
        statements,
        votes_cast: votes.len(),
        votes,
        source,
        moderated_out: moderated.len(),
    })
}

struct Comment {
    id: String,
    text: String,
    moderated_out: bool,
}

/// Votes as read, with participants and statements numbered as first seen.
#[derive(Default)]
struct RawVotes {
    votes: Vec<RawVote>,
    participants: Vec<String>,
    statements: Vec<String>,
    participant_number: HashMap<String, u32>,
    statement_number: HashMap<String, u32>,
}

impl RawVotes {
    fn push(&mut self, timestamp: i64, participant: &str, statement: &str, choice: Choice) {
        let participant = number(&mut self.participant_number, &mut self.participants, participant);
        let statement = number(&mut self.statement_number, &mut self.statements, statement);
        self.votes.push(RawVote { timestamp, participant, statement, choice });
    }
}

fn number(numbers: &mut HashMap<String, u32>, ids: &mut Vec<String>, id: &str) -> u32 {
    if let Some(&n) = numbers.get(id) {
        return n;
    }
    let n = ids.len() as u32;
    ids.push(id.to_owned());
    numbers.insert(id.to_owned(), n);
    n
}

struct RawVote {
    timestamp: i64,
    participant: u32,
    statement: u32,
    choice: Choice,
}

/// `comments.csv`: ids, words and moderation. A missing file means nothing is known to be
/// moderated out, which is said on standard error.
fn read_comments(path: &Path) -> Result<Vec<Comment>> {
    if !path.is_file() {
        eprintln!("note: there is no {}: no statement is known to be moderated out", path.display());
        return Ok(Vec::new());
    }
    let mut table = Table::open(path)?;
    let id = table.column("comment-id")?;
    let moderated = table.column("moderated")?;
    let body = table.optional_column("comment-body");
    let mut comments = Vec::new();
    while let Some((line, record)) = table.next_record()? {
        let moderated_out = match record[moderated].trim() {
            "-1" => true,
            "0" | "1" | "" => false,
            other => bail!("{} line {line}: moderated is {other:?}, not 1, 0 or -1", path.display()),
        };
        comments.push(Comment {
            id: table.id(&record, id, line, "comment-id")?.to_owned(),
            text: body.map(|b| record[b].to_owned()).unwrap_or_default(),
            moderated_out,
        });
    }
    Ok(comments)
}

fn read_votes(path: &Path) -> Result<RawVotes> {
    let mut table = Table::open(path)?;
    let timestamp = table.optional_column("timestamp");
    let comment = table.column("comment-id")?;
    let voter = table.column("voter-id")?;
    let vote = table.column("vote")?;
    let mut votes = RawVotes::default();
    while let Some((line, record)) = table.next_record()? {
        let when = match timestamp {
            Some(t) => record[t].trim().parse::<i64>().ok().with_context(|| {
                format!(
                    "{} line {line}: the timestamp {:?} is not a whole number",
                    path.display(),
                    &record[t]
                )
            })?,
            None => 0,
        };
        let participant = table.id(&record, voter, line, "voter-id")?;
        let statement = table.id(&record, comment, line, "comment-id")?;
        votes.push(when, participant, statement, choice(&record[vote], path, line)?);
    }
    Ok(votes)
}

/// The vote columns of `participants-votes.csv`: every column that is not one of Polis's own
/// (participant, xid, group-id, n-...) is a comment id; an empty cell is no vote.
fn read_participants_votes(path: &Path) -> Result<RawVotes> {
    const OWN: [&str; 7] =
        ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"];
    let mut table = Table::open(path)?;
    let participant = table.column("participant")?;
    let comments: Vec<(usize, String)> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !OWN.contains(&h.trim()))
        .map(|(i, h)| (i, h.trim().to_owned()))
        .collect();
    let mut votes = RawVotes::default();
    while let Some((line, record)) = table.next_record()? {
        let who = table.id(&record, participant, line, "participant")?;
        for (column, statement) in &comments {
            let cell = record[*column].trim();
            if !cell.is_empty() {
                votes.push(0, who, statement, choice(cell, path, line)?);
            }
        }
    }
    Ok(votes)
}

fn choice(cell: &str, path: &Path, line: u64) -> Result<Choice> {
    let code = cell.trim().parse::<f64>().ok().filter(|c| c.fract() == 0.0).map(|c| c as i64);
    code.and_then(Choice::from_code).with_context(|| {
        format!(
            "{} line {line}: the vote is {cell:?}, not 1 (agree), -1 (disagree) or 0 (pass)",
            path.display()
        )
    })
}

/// Ids in the export's order: numerically when every id is a whole number (Polis numbers
/// participants and comments as they arrive), otherwise as first seen.
fn in_export_order(ids: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<String> = ids.into_iter().filter(|id| seen.insert(id.clone())).collect();
    if unique.iter().all(|id| id.parse::<i64>().is_ok()) {
        unique.sort_by_key(|id| id.parse::<i64>().unwrap_or_default());
    }
    unique
}

/// A CSV file read row by row, every error naming the file and line.
struct Table {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    headers: Vec<String>,
}

impl Table {
    fn open(path: &Path) -> Result<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .with_context(|| format!("reading {}", path.display()))?;
        let headers = reader
            .headers()
            .map_err(|e| anyhow::anyhow!("{} line 1: {}", path.display(), csv_message(&e)))?
            .iter()
            .map(str::to_owned)
            .collect();
        Ok(Table { path: path.to_owned(), reader, headers })
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.optional_column(name).with_context(|| {
            format!(
                "{} line 1: the header has no {name:?} column (it has {})",
                self.path.display(),
                self.headers.join(", ")
            )
        })
    }

    /// The next row and its line number, or None at the end.
    fn next_record(&mut self) -> Result<Option<(u64, csv::StringRecord)>> {
        let mut record = csv::StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(true) => Ok(Some((record.position().map_or(0, |p| p.line()), record))),
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bail!("{} line {line}: {}", self.path.display(), csv_message(&e))
            }
        }
    }

    fn id<'r>(&self, record: &'r csv::StringRecord, column: usize, line: u64, name: &str) -> Result<&'r str> {
        let id = record[column].trim();
        if id.is_empty() {
            bail!("{} line {line}: {name} is empty", self.path.display());
        }
        Ok(id)
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "this row is not valid UTF-8".to_owned(),
        _ => e.to_string(),
    }
}

/// An id as the export writes it: a number when it is one, so that `7` stays `7`.
fn id_value(id: &str) -> Value {
    match id.parse::<i64>() {
        Ok(n) if n.to_string() == id => json!(n),
        _ => json!(id),
    }
}

fn to_json(export: &Export, result: &OpinionGroups) -> Value {
    let statement = |s: u32| id_value(&export.statements[s as usize].id);
    let groups: Vec<Value> = result
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            json!({
                "id": g,
                "participants": group.members.iter().map(|&p| id_value(&export.participants[p as usize])).collect::<Vec<_>>(),
                "representative": group.representative.iter().map(|r| statement(r.statement)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "groups": groups,
        "consensus": result.consensus.iter().map(|c| statement(c.statement)).collect::<Vec<_>>(),
        "divisive": result.divisive.iter().map(|d| statement(d.statement)).collect::<Vec<_>>(),
    })
}

/// Group A, B, C... as Polis names them.
fn group_name(g: usize) -> String {
    char::from_u32('A' as u32 + g as u32).map_or_else(|| format!("{}", g + 1), String::from)
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A statement's id and the start of its words, on one line.
fn statement_line(export: &Export, s: u32) -> String {
    let statement = &export.statements[s as usize];
    let text = statement.text.as_deref().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = if text.chars().count() > 90 {
        format!("{}...", text.chars().take(87).collect::<String>())
    } else {
        text
    };
    format!("#{:<5} {short}", statement.id)
}

fn write_summary(
    out: &mut impl Write,
    dir: &Path,
    export: &Export,
    result: &OpinionGroups,
) -> std::io::Result<()> {
    let grouped = result.group_of.iter().flatten().count();
    let voters = export.participants.len();
    writeln!(
        out,
        "{}: {voters} participants, {} votes on {} statements (from {}{}).",
        dir.display(),
        export.votes_cast,
        result.statements_voted,
        export.source,
        match export.moderated_out {
            0 => String::new(),
            n => format!("; {n} statements moderated out are not reported"),
        }
    )?;
    writeln!(
        out,
        "{grouped} participants grouped; {} with fewer than {} votes were not.",
        voters - grouped,
        opinion::MIN_VOTES.min(result.statements_voted)
    )?;
    if !result.silhouettes.is_empty() {
        let tried: Vec<String> = result.silhouettes.iter().map(|(k, s)| format!("{k}: {s:.2}")).collect();
        writeln!(out, "Groups chosen by silhouette ({}).", tried.join(", "))?;
    }
    for (g, group) in result.groups.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "Group {} ({} participants)", group_name(g), group.members.len())?;
        for r in &group.representative {
            let verb = match r.stance {
                Stance::Agree => "agree",
                Stance::Disagree => "disagree",
            };
            let rest = match r.stance {
                Stance::Agree => r.rest.agree_estimate(),
                Stance::Disagree => r.rest.disagree_estimate(),
            };
            let confidence = match r.confidence {
                Confidence::NinetyFive => "95%",
                Confidence::Ninety => "90%",
                Confidence::Weak => "not significant",
            };
            writeln!(
                out,
                "  {} {verb} (others {}, {confidence})  {}",
                percent(r.estimate),
                percent(rest),
                statement_line(export, r.statement)
            )?;
        }
    }
    let by_group = |shares: &[f64]| -> String {
        shares
            .iter()
            .enumerate()
            .map(|(g, x)| format!("{} {}", group_name(g), percent(*x)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if result.groups.len() >= 2 {
        writeln!(out)?;
        if result.consensus.is_empty() {
            writeln!(out, "Consensus: no statement that most of every group agrees with.")?;
        } else {
            writeln!(out, "Consensus: most of every group agrees")?;
            for c in &result.consensus {
                writeln!(
                    out,
                    "  agree {}  {}",
                    by_group(&c.agree_by_group),
                    statement_line(export, c.statement)
                )?;
            }
        }
        writeln!(out)?;
        if result.divisive.is_empty() {
            writeln!(out, "Divisive: no statement that one group agrees with and another disagrees with.")?;
        } else {
            writeln!(out, "Divisive: one group agrees, another disagrees")?;
            for d in &result.divisive {
                writeln!(
                    out,
                    "  agree {}  {}",
                    by_group(&d.agree_by_group),
                    statement_line(export, d.statement)
                )?;
            }
        }
    }
    Ok(())
}
