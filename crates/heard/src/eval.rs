//! `heard eval`: runs the engine against gold outputs and prints the measures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heard_analysis::eval::{accuracy, match_themes, sample_f1};
use heard_analysis::framework;
use heard_analysis::input::{self, ResponseId};
use heard_analysis::pipeline::{self, Options};
use serde_json::json;

use crate::analyse::{ModeArg, ModelLocation, load_embedder, redact_personal_data};

#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// A ThemeFinder-style folder: inputs/question_part_N/ and outputs/mapping/DATE/question_part_N/.
    Themefinder {
        dir: PathBuf,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value_t = ModeArg::Accurate)]
        mode: ModeArg,
        /// Discover exactly this many themes instead of choosing the number from the data.
        #[arg(long)]
        themes: Option<usize>,
        #[command(flatten)]
        model: ModelLocation,
    },
}

#[derive(Debug, serde::Serialize)]
struct QuestionScore {
    question: String,
    responses: usize,
    map_f1: f32,
    discover_f1: f32,
    stance_accuracy: f32,
    evidence_accuracy: Option<f32>,
    themes_found: usize,
    themes_gold: usize,
}

pub fn run(command: EvalCommand) -> Result<()> {
    let EvalCommand::Themefinder { dir, json, mode, themes, model } = command;
    let inputs = dir.join("inputs");
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&inputs)
        .with_context(|| {
            format!("reading {} (expected a ThemeFinder folder with inputs/ and outputs/)", inputs.display())
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.join("responses.jsonl").exists())
        .collect();
    parts.sort();
    if parts.is_empty() {
        bail!("{} has no question folders with responses.jsonl", inputs.display());
    }
    let model_dir = crate::model::resolve_model_dir(model.model_dir.clone(), &model.data_dir);
    let mut scores = Vec::new();
    let mut used_mode = None;
    let mut notes = Vec::new();
    for part in &parts {
        let name = part.file_name().unwrap().to_string_lossy().to_string();
        let gold_dir = gold_folder(&dir, &name)?;
        let input = input::read(part).with_context(|| format!("reading {}", part.display()))?;
        let (embedder, fallback) = load_embedder(mode, &model_dir, &input);
        if let Some(note) = fallback {
            notes.push(note);
        }
        used_mode = Some(embedder.info().clone());
        let gold_framework = framework::read(&gold_dir.join("themes.json"))?;
        let gold_labels = read_gold(&gold_dir.join("mapping.jsonl"), "labels")?;
        let gold_positions = read_gold(&gold_dir.join("sentiment.jsonl"), "position")?;
        let gold_evidence = read_gold(&gold_dir.join("detail_detection.jsonl"), "evidence_rich").ok();

        let mapped = pipeline::analyse(
            &input,
            embedder.as_ref(),
            &Options {
                framework: Some(gold_framework.clone()),
                redact: redact_personal_data,
                ..Options::default()
            },
            &(),
        )?;
        let predicted: HashMap<ResponseId, Vec<String>> =
            mapped.mapping.iter().map(|m| (m.response_id.clone(), m.labels.clone())).collect();
        let gold: HashMap<ResponseId, Vec<String>> =
            gold_labels.iter().map(|(id, v)| (id.clone(), strings(v))).collect();
        let map_f1 = sample_f1(&predicted, &gold);
        let positions: HashMap<ResponseId, String> =
            mapped.mapping.iter().map(|m| (m.response_id.clone(), m.position.as_str().to_string())).collect();
        let gold_pos: HashMap<ResponseId, String> =
            gold_positions.iter().map(|(id, v)| (id.clone(), v.as_str().unwrap_or("").to_string())).collect();
        let stance_accuracy = accuracy(&positions, &gold_pos);
        let evidence_accuracy = gold_evidence.map(|g| {
            let gold: HashMap<ResponseId, String> =
                g.iter().map(|(id, v)| (id.clone(), v.as_str().unwrap_or("").to_string())).collect();
            let ours: HashMap<ResponseId, String> = mapped
                .mapping
                .iter()
                .map(|m| (m.response_id.clone(), if m.evidence_rich { "YES" } else { "NO" }.to_string()))
                .collect();
            accuracy(&ours, &gold)
        });

        let discovered = pipeline::analyse(
            &input,
            embedder.as_ref(),
            &Options { themes, redact: redact_personal_data, ..Options::default() },
            &(),
        )?;
        let found: HashMap<ResponseId, Vec<String>> =
            discovered.mapping.iter().map(|m| (m.response_id.clone(), m.labels.clone())).collect();
        let matched = match_themes(&found, &gold);
        let relabelled: HashMap<ResponseId, Vec<String>> = found
            .iter()
            .map(|(id, labels)| (id.clone(), labels.iter().filter_map(|l| matched.get(l).cloned()).collect()))
            .collect();
        let discover_f1 = sample_f1(&relabelled, &gold);
        let themes_found =
            discovered.themes.iter().filter(|t| t.kind == pipeline::ThemeKind::Discovered).count();
        let themes_gold = gold_framework.themes.iter().filter(|t| t.catch_all().is_none()).count();
        scores.push(QuestionScore {
            question: name,
            responses: input.responses.len(),
            map_f1,
            discover_f1,
            stance_accuracy,
            evidence_accuracy,
            themes_found,
            themes_gold,
        });
    }
    let mean = |f: &dyn Fn(&QuestionScore) -> f32| scores.iter().map(f).sum::<f32>() / scores.len() as f32;
    let info = used_mode.expect("at least one question");
    notes.dedup();
    if json {
        println!(
            "{}",
            json!({
                "mode": info.mode,
                "model": info.model,
                "questions": scores,
                "mean": {
                    "map_f1": mean(&|s| s.map_f1),
                    "discover_f1": mean(&|s| s.discover_f1),
                    "stance_accuracy": mean(&|s| s.stance_accuracy),
                },
                "notes": notes,
            })
        );
    } else {
        println!("{} mode, {}", info.mode, info.model.as_deref().unwrap_or("no model"));
        println!(
            "{:<20} {:>9} {:>7} {:>11} {:>7} {:>9} {:>13}",
            "question", "responses", "map F1", "discover F1", "stance", "evidence", "themes (gold)"
        );
        for s in &scores {
            println!(
                "{:<20} {:>9} {:>7.3} {:>11.3} {:>7.3} {:>9} {:>8} ({})",
                s.question,
                s.responses,
                s.map_f1,
                s.discover_f1,
                s.stance_accuracy,
                s.evidence_accuracy.map_or("-".to_string(), |a| format!("{a:.3}")),
                s.themes_found,
                s.themes_gold
            );
        }
        println!(
            "{:<20} {:>9} {:>7.3} {:>11.3} {:>7.3}",
            "mean",
            "",
            mean(&|s| s.map_f1),
            mean(&|s| s.discover_f1),
            mean(&|s| s.stance_accuracy)
        );
        for n in notes {
            println!("note: {n}");
        }
    }
    Ok(())
}

/// outputs/mapping/<latest date>/<question>/
fn gold_folder(dir: &Path, question: &str) -> Result<PathBuf> {
    let mapping = dir.join("outputs").join("mapping");
    let mut runs: Vec<PathBuf> = std::fs::read_dir(&mapping)
        .with_context(|| format!("reading the gold outputs in {}", mapping.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(question).is_dir())
        .collect();
    runs.sort();
    match runs.pop() {
        Some(run) => Ok(run.join(question)),
        None => bail!("no gold outputs for {question} under {}", mapping.display()),
    }
}

fn read_gold(path: &Path, field: &str) -> Result<Vec<(ResponseId, serde_json::Value)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{} line {}", path.display(), i + 1))?;
        let id = match &value["response_id"] {
            serde_json::Value::Number(n) => ResponseId::Number(n.as_i64().unwrap_or_default()),
            serde_json::Value::String(s) => ResponseId::Text(s.clone()),
            _ => bail!("{} line {}: no response_id", path.display(), i + 1),
        };
        out.push((id, value[field].clone()));
    }
    Ok(out)
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}
