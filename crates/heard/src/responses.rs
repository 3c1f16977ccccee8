//! `heard responses import|export`, `heard consultations list` and `heard retention`: the register
//! from the command line, safe to run while `heard serve` or `heard demo` uses the same data directory (SQLite in WAL
//! mode lets one process write while others read, and writers wait their turn).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heard_store::response_import::read_import;
use heard_store::{Date, REGISTER_COLUMNS, Store, csv_out};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// Checks the whole file, then imports every row in one transaction, or nothing.
pub async fn import(store: &Store, slug: &str, file: &Path, today: Date) -> Result<()> {
    let consultation = consultation(store, slug).await?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let checked = read_import(&bytes, consultation.opens_on, consultation.closes_on, today, store.areas());
    let problems = match checked {
        Ok(rows) => {
            let count = store.import_responses(consultation.id, &rows, None).await?;
            println!("imported {count} responses into {slug} from {}", file.display());
            return Ok(());
        }
        Err(problems) => problems,
    };
    for problem in &problems {
        eprintln!("{}: {problem}", file.display());
    }
    bail!(
        "nothing was imported: {} {} in {}",
        problems.len(),
        if problems.len() == 1 { "problem" } else { "problems" },
        file.display()
    )
}

/// Writes every response of every channel, oldest first, to `out` (a file written whole, under a
/// temporary name then renamed) or to standard output.
pub async fn export(store: &Store, slug: &str, format: ExportFormat, out: Option<&PathBuf>) -> Result<()> {
    let consultation = consultation(store, slug).await?;
    let entries = store.register_all(consultation.id).await?;
    let mut buffer = Vec::new();
    match format {
        ExportFormat::Csv => {
            // Cells through `csv_out`, so that no respondent's text opens as a formula.
            let mut writer = csv::Writer::from_writer(&mut buffer);
            csv_out::write_row(&mut writer, REGISTER_COLUMNS)?;
            for entry in &entries {
                for line in entry.export_lines() {
                    csv_out::write_row(&mut writer, line.fields())?;
                }
            }
            writer.flush()?;
        }
        ExportFormat::Jsonl => {
            for entry in &entries {
                for line in entry.export_lines() {
                    serde_json::to_writer(&mut buffer, &line)?;
                    buffer.push(b'\n');
                }
            }
        }
    }
    match out {
        Some(path) => {
            let partial = path.with_extension("partial");
            std::fs::write(&partial, &buffer).with_context(|| format!("writing {}", partial.display()))?;
            std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {} responses to {}", entries.len(), path.display());
        }
        None => std::io::stdout().lock().write_all(&buffer)?,
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Listed {
    slug: String,
    title: String,
    status: &'static str,
    responses: i64,
}

/// Every consultation with its stage and its count of distinct respondents.
pub async fn list(store: &Store, json: bool, today: Date) -> Result<()> {
    let mut listed = Vec::new();
    // Staff's view: drafts too.
    for c in store.all_consultations().await? {
        let responses = store.respondent_count(c.id).await?;
        listed.push(Listed { status: c.stage(today).as_str(), slug: c.slug, title: c.title, responses });
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &listed)?;
        writeln!(out)?;
        return Ok(());
    }
    let width = listed.iter().map(|c| c.slug.len()).max().unwrap_or(4).max(4);
    writeln!(out, "{:width$}  {:17}  {:>9}  TITLE", "SLUG", "STATUS", "RESPONSES")?;
    for c in &listed {
        writeln!(out, "{:width$}  {:17}  {:>9}  {}", c.slug, c.status, c.responses, c.title)?;
    }
    Ok(())
}

async fn consultation(store: &Store, slug: &str) -> Result<heard_store::ConsultationSummary> {
    match store.consultation_for_staff(slug).await? {
        Some(c) => Ok(c.summary),
        None => {
            let known: Vec<String> = store.all_consultations().await?.into_iter().map(|c| c.slug).collect();
            bail!("there is no consultation {slug:?}; the consultations are: {}", known.join(", "))
        }
    }
}

/// `heard retention`: lists, and unless `dry_run` removes, the personal data of consultations whose
/// results were published at least `months` months ago.
pub async fn retention(store: &Store, months: u32, dry_run: bool, today: Date) -> Result<()> {
    let items = if dry_run {
        store.retention_due(months, today).await?
    } else {
        store.apply_retention(months, today, heard_store::Timestamp::now()).await?
    };
    let verb = if dry_run { "would remove" } else { "removed" };
    if items.is_empty() {
        println!("no consultation's results were published {months} or more months ago: nothing to remove");
    }
    for item in &items {
        let what = if item.is_empty() {
            "nothing left to remove".to_owned()
        } else {
            format!("{verb} {}", item.summary())
        };
        println!("{} (results published {}): {what}", item.slug, item.results_published_on.long());
    }
    if dry_run {
        println!("dry run: nothing was changed");
    }
    store.close().await;
    Ok(())
}
