//! Writing an analysis to a folder: themes.json (ThemeFinder's fields and more), mapping.jsonl,
//! sentiment.jsonl, evidence.jsonl, campaigns.json, run.json and report.html. Each file is
//! written under a temporary name and renamed, so a folder never holds half a file.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::pipeline::Analysis;
use crate::report;

pub const FILES: &[&str] = &[
    "themes.json",
    "mapping.jsonl",
    "sentiment.jsonl",
    "evidence.jsonl",
    "campaigns.json",
    "run.json",
    "report.html",
];

pub fn write(analysis: &Analysis, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mode = analysis.model.mode.as_str();
    let themes: Vec<serde_json::Value> = analysis
        .themes
        .iter()
        .map(|t| {
            json!({
                "topic_id": t.topic_id,
                "topic_label": t.topic_label,
                "topic_description": t.topic_description,
                "topic": if t.topic_description.is_empty() { t.topic_label.clone() } else { format!("{}: {}", t.topic_label, t.topic_description) },
                "kind": t.kind,
                "count": t.count,
                "share": if analysis.responses == 0 { 0.0 } else { (t.count as f64 / analysis.responses as f64 * 10000.0).round() / 10000.0 },
                "campaign_responses": t.campaign_responses,
                "positions": t.positions,
                "keywords": t.keywords,
                "quotes": t.quotes,
                "mode": mode,
            })
        })
        .collect();
    write_atomic(dir, "themes.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &themes)?;
        writeln!(w)
    })?;
    write_atomic(dir, "mapping.jsonl", |w| {
        for m in &analysis.mapping {
            serde_json::to_writer(
                &mut *w,
                &json!({"response_id": m.response_id, "labels": m.labels, "campaign": m.campaign, "mode": mode}),
            )?;
            writeln!(w)?;
        }
        Ok(())
    })?;
    write_atomic(dir, "sentiment.jsonl", |w| {
        for m in &analysis.mapping {
            serde_json::to_writer(
                &mut *w,
                &json!({"response_id": m.response_id, "position": m.position, "mode": mode}),
            )?;
            writeln!(w)?;
        }
        Ok(())
    })?;
    write_atomic(dir, "evidence.jsonl", |w| {
        for m in &analysis.mapping {
            serde_json::to_writer(
                &mut *w,
                &json!({"response_id": m.response_id, "evidence_rich": if m.evidence_rich { "YES" } else { "NO" }, "evidence": m.evidence}),
            )?;
            writeln!(w)?;
        }
        Ok(())
    })?;
    write_atomic(dir, "campaigns.json", |w| {
        serde_json::to_writer_pretty(
            &mut *w,
            &json!({"mode": mode, "model": analysis.model.model, "campaigns": analysis.campaigns}),
        )?;
        writeln!(w)
    })?;
    write_atomic(dir, "run.json", |w| {
        serde_json::to_writer_pretty(
            &mut *w,
            &json!({
                "mode": mode,
                "model": analysis.model.model,
                "model_sha256": analysis.model.sha256,
                "stance_head": analysis.stance_head,
                "question": analysis.question,
                "framework": analysis.framework,
                "responses": analysis.responses,
                "themes": analysis.themes.len(),
                "campaigns": analysis.campaigns.len(),
                "notes": analysis.notes,
                "diagnostics": analysis.diagnostics,
                "heard_version": env!("CARGO_PKG_VERSION"),
            }),
        )?;
        writeln!(w)
    })?;
    write_atomic(dir, "report.html", |w| w.write_all(report::html(analysis).as_bytes()))?;
    Ok(())
}

fn write_atomic(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let temporary = dir.join(format!(".{name}.partial"));
    let file = std::fs::File::create(&temporary)?;
    let mut writer = std::io::BufWriter::new(file);
    body(&mut writer)?;
    writer.flush()?;
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&temporary, dir.join(name))
}
