//! `heard eval`: runs the engine against gold outputs and prints the measures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heard_analysis::eval::{accuracy, match_themes, sample_f1};
use heard_analysis::framework;
use heard_analysis::input::{self, ResponseId};
use heard_analysis::{Options, ThemeKind, analyse};
use serde_json::json;

use crate::analyse::{ModeArg, ModelLocation, load_embedder, redact_personal_data};

#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// A ThemeFinder-style folder: inputs/question_part_N/ and outputs/mapping/DATE/question_part_N/.
    Themefinder {
        dir: PathBuf,
        #[command(flatten)]
        options: EvalOptions,
    },
    /// IBM ArgKP's layout: arguments_SPLIT.csv, key_points_SPLIT.csv and labels_SPLIT.csv, one
    /// set per motion, its key points as the gold themes.
    Argkp {
        dir: PathBuf,
        /// Which split's files to read (train or dev).
        #[arg(long, default_value = "dev")]
        split: String,
        #[command(flatten)]
        options: EvalOptions,
    },
}

/// What every evaluation takes, whatever the layout of its gold set.
#[derive(Debug, clap::Args)]
pub struct EvalOptions {
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
    match command {
        EvalCommand::Themefinder { dir, options } => report(themefinder_sets(&dir)?, &options),
        EvalCommand::Argkp { dir, split, options } => report(argkp_sets(&dir, &split)?, &options),
    }
}

/// One question's responses with what a person said about each: the themes it raises (framework
/// ids), its position, and optionally whether it is evidence-rich.
struct GoldSet {
    name: String,
    input: input::Input,
    framework: framework::Framework,
    labels: HashMap<ResponseId, Vec<String>>,
    positions: HashMap<ResponseId, String>,
    evidence: Option<HashMap<ResponseId, String>>,
}

fn report(sets: Vec<GoldSet>, options: &EvalOptions) -> Result<()> {
    let EvalOptions { json, mode, themes, model } = options;
    let (json, mode, themes) = (*json, *mode, *themes);
    let model_dir = crate::model::resolve_model_dir(model.model_dir.clone(), &model.data_dir);
    let mut scores = Vec::new();
    let mut used_mode = None;
    let mut notes = Vec::new();
    for set in &sets {
        let (embedder, fallback) = load_embedder(mode, &model_dir, &set.input);
        if let Some(note) = fallback {
            notes.push(note);
        }
        used_mode = Some(embedder.info().clone());
        scores.push(score(set, embedder.as_ref(), themes)?);
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
        let w = scores.iter().map(|s| s.question.chars().count()).max().unwrap_or(0).max(20);
        println!(
            "{:<w$} {:>9} {:>7} {:>11} {:>7} {:>9} {:>13}",
            "question", "responses", "map F1", "discover F1", "stance", "evidence", "themes (gold)"
        );
        for s in &scores {
            println!(
                "{:<w$} {:>9} {:>7.3} {:>11.3} {:>7.3} {:>9} {:>8} ({})",
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
            "{:<w$} {:>9} {:>7.3} {:>11.3} {:>7.3}",
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

/// Maps the set's responses to its gold framework (map F1, stance, evidence), then discovers
/// themes afresh and matches them one-to-one to the gold ones (discover F1).
fn score(
    set: &GoldSet,
    embedder: &dyn heard_analysis::embed::Embedder,
    themes: Option<usize>,
) -> Result<QuestionScore> {
    let mapped = analyse(
        &set.input,
        embedder,
        &Options {
            framework: Some(set.framework.clone()),
            redact: redact_personal_data,
            ..Options::default()
        },
        &(),
    )?;
    let predicted: HashMap<ResponseId, Vec<String>> =
        mapped.mapping.iter().map(|m| (m.response_id.clone(), m.labels.clone())).collect();
    let map_f1 = sample_f1(&predicted, &set.labels);
    let positions: HashMap<ResponseId, String> =
        mapped.mapping.iter().map(|m| (m.response_id.clone(), m.position.as_str().to_string())).collect();
    let stance_accuracy = accuracy(&positions, &set.positions);
    let evidence_accuracy = set.evidence.as_ref().map(|gold| {
        let ours: HashMap<ResponseId, String> = mapped
            .mapping
            .iter()
            .map(|m| (m.response_id.clone(), if m.evidence_rich { "YES" } else { "NO" }.to_string()))
            .collect();
        accuracy(&ours, gold)
    });

    let discovered = analyse(
        &set.input,
        embedder,
        &Options { themes, redact: redact_personal_data, ..Options::default() },
        &(),
    )?;
    let found: HashMap<ResponseId, Vec<String>> =
        discovered.mapping.iter().map(|m| (m.response_id.clone(), m.labels.clone())).collect();
    let matched = match_themes(&found, &set.labels);
    let relabelled: HashMap<ResponseId, Vec<String>> = found
        .iter()
        .map(|(id, labels)| (id.clone(), labels.iter().filter_map(|l| matched.get(l).cloned()).collect()))
        .collect();
    let discover_f1 = sample_f1(&relabelled, &set.labels);
    let themes_found = discovered.themes.iter().filter(|t| t.kind == ThemeKind::Discovered).count();
    let themes_gold = set.framework.themes.iter().filter(|t| t.catch_all().is_none()).count();
    Ok(QuestionScore {
        question: set.name.clone(),
        responses: set.input.responses.len(),
        map_f1,
        discover_f1,
        stance_accuracy,
        evidence_accuracy,
        themes_found,
        themes_gold,
    })
}

/// A ThemeFinder folder: one set per question part, with the latest gold outputs.
fn themefinder_sets(dir: &Path) -> Result<Vec<GoldSet>> {
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
    let mut sets = Vec::new();
    for part in &parts {
        let name = part.file_name().unwrap().to_string_lossy().to_string();
        let gold_dir = gold_folder(dir, &name)?;
        let input = input::read(part).with_context(|| format!("reading {}", part.display()))?;
        let framework = framework::read(&gold_dir.join("themes.json"))?;
        let text_map = |rows: Vec<(ResponseId, serde_json::Value)>| -> HashMap<ResponseId, String> {
            rows.into_iter().map(|(id, v)| (id, v.as_str().unwrap_or("").to_string())).collect()
        };
        let labels = read_gold(&gold_dir.join("mapping.jsonl"), "labels")?
            .into_iter()
            .map(|(id, v)| (id, strings(&v)))
            .collect();
        let positions = text_map(read_gold(&gold_dir.join("sentiment.jsonl"), "position")?);
        let evidence =
            read_gold(&gold_dir.join("detail_detection.jsonl"), "evidence_rich").ok().map(text_map);
        sets.push(GoldSet { name, input, framework, labels, positions, evidence });
    }
    Ok(sets)
}

/// IBM's ArgKP layout (`arguments_SPLIT.csv`, `key_points_SPLIT.csv`, `labels_SPLIT.csv`): one set
/// per motion. Its key points, for and against, are the gold themes, with "None of the above" for
/// an argument that matches none (28% of them); an argument's stance toward the motion is its
/// gold position, the motion asked as a yes/no question.
fn argkp_sets(dir: &Path, split: &str) -> Result<Vec<GoldSet>> {
    let read = |name: &str| -> Result<Vec<HashMap<String, String>>> {
        let path = dir.join(format!("{name}_{split}.csv"));
        let mut reader = csv::Reader::from_path(&path)
            .with_context(|| format!("reading {} (expected IBM ArgKP's layout)", path.display()))?;
        let headers = reader.headers()?.clone();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{} row {}", path.display(), i + 2))?;
            rows.push(
                headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect(),
            );
        }
        Ok(rows)
    };
    let field = |row: &HashMap<String, String>, name: &str| -> Result<String> {
        row.get(name).cloned().with_context(|| format!("an ArgKP file has no {name} column"))
    };
    let arguments = read("arguments")?;
    let key_points = read("key_points")?;
    let mut matches: HashMap<String, Vec<String>> = HashMap::new();
    for row in read("labels")? {
        if field(&row, "label")?.trim() == "1" {
            matches.entry(field(&row, "arg_id")?).or_default().push(field(&row, "key_point_id")?);
        }
    }
    let mut motions: Vec<String> = Vec::new();
    for row in &arguments {
        let topic = field(row, "topic")?;
        if !motions.contains(&topic) {
            motions.push(topic);
        }
    }
    if motions.is_empty() {
        bail!("{} has no arguments for the {split} split", dir.display());
    }
    const NONE: &str = "none";
    let mut sets = Vec::new();
    for motion in motions {
        let mut themes: Vec<framework::FrameworkTheme> = Vec::new();
        for row in key_points.iter().filter(|r| r.get("topic") == Some(&motion)) {
            let text = field(row, "key_point")?;
            themes.push(framework::FrameworkTheme {
                id: field(row, "key_point_id")?,
                label: text.clone(),
                description: text,
            });
        }
        themes.push(framework::FrameworkTheme {
            id: NONE.into(),
            label: "None of the above".into(),
            description: "The argument makes none of these points.".into(),
        });
        let mut responses = Vec::new();
        let mut labels = HashMap::new();
        let mut positions = HashMap::new();
        for row in arguments.iter().filter(|r| r.get("topic") == Some(&motion)) {
            let id = ResponseId::Text(field(row, "arg_id")?);
            let gold = matches.get(&field(row, "arg_id")?).cloned().unwrap_or_else(|| vec![NONE.into()]);
            let position = match field(row, "stance")?.trim() {
                "1" => "AGREE",
                "-1" => "DISAGREE",
                other => bail!("an ArgKP argument has stance {other:?} (expected 1 or -1)"),
            };
            labels.insert(id.clone(), gold);
            positions.insert(id.clone(), position.to_string());
            responses.push(input::Response::new(id, field(row, "argument")?));
        }
        // Asked as the stance head was trained to read it.
        let question = heard_analysis::motion_as_question(&motion);
        sets.push(GoldSet {
            name: motion,
            input: input::Input { question: Some(question), responses, diagnostics: vec![] },
            framework: framework::Framework { themes },
            labels,
            positions,
            evidence: None,
        });
    }
    Ok(sets)
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
