//! Runs an analysis of a consultation's register and saves what it found (the job an analysis run
//! is queued with, `jobs.rs`, calls [`execute`]).
//!
//! The engine is CPU-bound and synchronous, so it runs on a blocking thread; its progress goes
//! into the run's row (at most twice a second), where any app instance's progress page reads it.
//! The texts read are those of the register at the start: hosts' replies (staff speaking) and
//! comments hidden by moderators are left out, and so are responses with no text (a survey
//! answered with choices only); the run's notes say how many of each.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use heard_analysis::embed::Mode;
use heard_analysis::input::{Input, Response, ResponseId};
use heard_analysis::{Analysis, Options, Position, Progress, ThemeKind, analyse};
use heard_analysis::{checks, framework};
use heard_store::{
    NewRunTheme, Role, RunMethod, RunResults, RunScope, RunText, RunThemeKind, Stance, Store, Timestamp,
};

/// Runs a queued run to its end and saves its results. The error is what staff are shown.
pub async fn execute(store: &Store, run_id: i64, model_dir: Option<&Path>) -> Result<(), String> {
    let internal = |e: heard_store::StoreError| {
        tracing::warn!(run_id, error = %e, "analysis run: store");
        "the database could not be read or written; try again".to_string()
    };
    let run = store.analysis_run(run_id).await.map_err(internal)?.ok_or("the run was not found")?;
    let entries = store.register_all(run.consultation_id).await.map_err(internal)?;
    let mut texts = Vec::new();
    let (mut hosts, mut hidden, mut empty) = (0, 0, 0);
    for entry in &entries {
        for (line, question, text) in entry.lines() {
            if !run.scope.includes(entry, question) {
                continue;
            }
            if entry.author_role != Role::Resident {
                hosts += 1;
            } else if entry.state == "hidden" {
                hidden += 1;
            } else if text.trim().is_empty() {
                empty += 1;
            } else {
                texts.push(RunText {
                    line,
                    response_key: entry.key.clone(),
                    channel: entry.channel,
                    respondent_type: entry.respondent_type,
                    organisation: entry.organisation.clone(),
                    borough: entry.borough.clone(),
                    question: question.to_string(),
                    text: text.to_string(),
                    position: Stance::Unclear,
                    evidence_rich: false,
                    campaign: None,
                });
            }
        }
    }
    let mut notes = Vec::new();
    for (n, what) in [
        (hosts, "replies by hosts and other staff were not read: they are not responses"),
        (hidden, "comments hidden by moderators were not read"),
        (
            empty,
            "responses had no text to read (for example a survey answered with choices only); they are counted in the register, not in themes",
        ),
    ] {
        if n > 0 {
            notes.push(format!("{n} {what}"));
        }
    }
    if texts.is_empty() {
        return Err(format!("there are no responses with text in {}", run.scope.label().to_lowercase()));
    }
    let framework = match run.method {
        RunMethod::Framework => {
            Some(framework::parse(&run.framework, "of the run").map_err(|e| e.to_string())?)
        }
        RunMethod::Discover => None,
    };
    let mode = Mode::parse(&run.mode).ok_or_else(|| format!("there is no {:?} mode", run.mode))?;
    // Stance is read toward a question. A run of one question has it; a run of everything is read
    // toward the plan itself, as a closed question, so "agree" means for the proposal (with no
    // question the engine would take every suggestion as agreeing).
    let question = match &run.scope {
        RunScope::Question(q) => q.clone(),
        _ => {
            let title = store
                .consultation_title(run.consultation_id)
                .await
                .map_err(internal)?
                .map_or_else(|| "the proposal".to_string(), |title| format!("the {title}"));
            format!("Do you support {title}?")
        }
    };
    let question = Some(question);
    let input = Input {
        question: question.clone(),
        responses: texts
            .iter()
            .map(|t| Response {
                id: ResponseId::Text(t.line.clone()),
                text: t.text.clone(),
                channel: Some(t.channel.as_str().to_string()),
                respondent_type: Some(t.respondent_type.as_str().to_string()),
                borough: (!t.borough.is_empty()).then(|| t.borough.clone()),
                question: (!t.question.is_empty()).then(|| t.question.clone()),
            })
            .collect(),
        diagnostics: Vec::new(),
    };
    let progress = StoredProgress {
        store: store.clone(),
        run_id,
        handle: tokio::runtime::Handle::current(),
        last: Mutex::new(Instant::now() - Duration::from_secs(1)),
    };
    let options = Options {
        themes: run.themes_wanted.map(|n| n.clamp(1, 200) as usize),
        framework,
        question,
        redact: |t| checks::check(t).redacted(t),
        ..Options::default()
    };
    let model_dir = model_dir.map(Path::to_path_buf).unwrap_or_default();
    let analysis = tokio::task::spawn_blocking(move || {
        let (embedder, fallback) =
            heard_analysis::embed::load(mode, &model_dir, input.responses.iter().map(|r| r.text.as_str()));
        let analysis = analyse(&input, embedder.as_ref(), &options, &progress);
        analysis.map(|a| (a, fallback))
    })
    .await
    .map_err(|e| format!("the analysis stopped unexpectedly: {e}"))?
    .map_err(|e| e.to_string())?;
    let (analysis, fallback) = analysis;
    notes.extend(fallback);
    let results = results(analysis, texts, notes);
    store.save_run_results(run_id, &results, Timestamp::now()).await.map_err(internal)
}

/// What the engine found, as the store keeps it.
fn results(analysis: Analysis, mut texts: Vec<RunText>, mut notes: Vec<String>) -> RunResults {
    let index: HashMap<String, usize> = texts.iter().enumerate().map(|(i, t)| (t.line.clone(), i)).collect();
    let of = |id: &ResponseId| index.get(&id.to_string()).copied();
    let campaign_index: HashMap<&str, usize> =
        analysis.campaigns.iter().enumerate().map(|(i, c)| (c.campaign_id.as_str(), i)).collect();
    let mut theme_texts: HashMap<&str, Vec<usize>> = HashMap::new();
    for m in &analysis.mapping {
        let Some(i) = of(&m.response_id) else { continue };
        texts[i].position = match m.position {
            Position::Agree => Stance::Agree,
            Position::Disagree => Stance::Disagree,
            Position::Unclear => Stance::Unclear,
        };
        texts[i].evidence_rich = m.evidence_rich;
        texts[i].campaign = m.campaign.as_deref().and_then(|c| campaign_index.get(c).copied());
        for label in &m.labels {
            theme_texts.entry(label.as_str()).or_default().push(i);
        }
    }
    let themes = analysis
        .themes
        .iter()
        .map(|t| NewRunTheme {
            kind: match t.kind {
                ThemeKind::Discovered => RunThemeKind::Discovered,
                ThemeKind::Framework => RunThemeKind::Framework,
                ThemeKind::Other => RunThemeKind::Other,
                ThemeKind::NoReason => RunThemeKind::NoReason,
            },
            label: t.topic_label.clone(),
            description: t.topic_description.clone(),
            keywords: t.keywords.clone(),
            texts: theme_texts.remove(t.topic_id.as_str()).unwrap_or_default(),
            quotes: t.quotes.iter().filter_map(|q| Some((of(&q.response_id)?, q.text.clone()))).collect(),
        })
        .collect();
    let head = analysis.stance_head.as_ref().map(|h| format!(", stance also read by a head trained on {h}"));
    let model = match &analysis.model.model {
        Some(name) => format!("{} mode, {name}{}", analysis.model.mode, head.unwrap_or_default()),
        None => format!("{} mode, no model", analysis.model.mode),
    };
    notes.extend(analysis.notes);
    if !analysis.diagnostics.is_empty() {
        notes.push(format!("{} texts were odd and were read as well as they could be (very long, not in English, or similar)", analysis.diagnostics.len()));
    }
    RunResults {
        model,
        notes,
        texts,
        themes,
        campaigns: analysis.campaigns.iter().map(|c| c.template.clone()).collect(),
    }
}

/// Writes the engine's progress into the run's row, at most twice a second.
struct StoredProgress {
    store: Store,
    run_id: i64,
    handle: tokio::runtime::Handle,
    last: Mutex<Instant>,
}

impl Progress for StoredProgress {
    fn update(&self, stage: &'static str, done: usize, total: usize) {
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed() < Duration::from_millis(500) {
                return;
            }
            *last = Instant::now();
        }
        // The engine's threads are not the runtime's: waiting on it here is allowed.
        if let Err(e) =
            self.handle.block_on(self.store.set_run_progress(self.run_id, stage, done as i64, total as i64))
        {
            tracing::warn!(run_id = self.run_id, error = %e, "could not record the run's progress");
        }
    }
}
