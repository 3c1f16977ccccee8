//! `heard redact`: the personal-data and safeguarding checks on one text from standard input.
//!
//! All of standard input is one text. With `--json` it prints
//! `{"findings": [{"kind", "start", "end", "text"}], "flags": [...], "redacted": "..."}` (offsets in
//! bytes); without, a summary for a person: what was found, what the flags mean, the redacted text.

use std::io::{Read, Write};

use anyhow::{Context, Result, anyhow};
use heard_analysis::checks::reading::{Reading, check_reading};
use heard_analysis::checks::{Checks, Finding, Flag};
use serde::Serialize;

pub fn run(json: bool, model_dir: Option<&std::path::Path>) -> Result<()> {
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes).context("could not read standard input")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!("standard input is not valid UTF-8: invalid byte at offset {}", e.utf8_error().valid_up_to())
    })?;
    let reading = model_dir.and_then(|dir| {
        Reading::load(dir).inspect_err(|why| eprintln!("note: the flags are the patterns' alone ({why})")).ok()
    });
    let checks = check_reading(&text, reading.as_ref());
    let redacted = checks.redacted(&text);
    let mut out = std::io::stdout().lock();
    if json {
        let report = Report { findings: &checks.findings, flags: &checks.flags, redacted: &redacted };
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_summary(&mut out, &checks, &redacted)?;
    }
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct Report<'a> {
    findings: &'a [Finding],
    flags: &'a [Flag],
    redacted: &'a str,
}

fn write_summary(out: &mut impl Write, checks: &Checks, redacted: &str) -> Result<()> {
    match checks.findings.len() {
        0 => writeln!(out, "No personal data found.")?,
        1 => writeln!(out, "Personal data found (1):")?,
        n => writeln!(out, "Personal data found ({n}):")?,
    }
    let width = checks.findings.iter().map(|f| f.kind.describe().len()).max().unwrap_or(0);
    for finding in &checks.findings {
        writeln!(
            out,
            "  {:<width$}  {}  (bytes {}..{})",
            finding.kind.describe(),
            finding.text,
            finding.start,
            finding.end
        )?;
    }
    writeln!(out)?;
    if checks.flags.is_empty() {
        writeln!(out, "No flags: nothing suggests a crime report or someone at risk.")?;
    }
    for flag in &checks.flags {
        match flag {
            Flag::Safeguarding => writeln!(
                out,
                "Flag safeguarding: the text suggests someone may be at risk (self-harm, abuse or \
                 danger). The posting form would point the writer to the support page (/support), \
                 and the moderators would be alerted."
            )?,
            Flag::IncidentReport => writeln!(
                out,
                "Flag incident_report: the text reads like a report of a crime or incident. A \
                 consultation cannot pass it to the police: in an emergency call 999; otherwise \
                 call 101 or report it online."
            )?,
        }
    }
    writeln!(out)?;
    writeln!(out, "Redacted text:")?;
    write!(out, "{redacted}")?;
    if !redacted.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
