//! `heard analyse`: runs the engine on a file or question folder and writes its outputs.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use heard_analysis::embed::{Embedder, Mode};
use heard_analysis::input::Input;
use heard_analysis::{Analysis, Options, Progress, ThemeKind, analyse};
use heard_analysis::{checks, framework, input, output};

#[derive(Debug, clap::Args)]
pub struct AnalyseArgs {
    /// A CSV (id, text, and optionally channel, respondent_type, borough, question), a JSONL file,
    /// or a ThemeFinder question folder (question.json + responses.jsonl).
    input: PathBuf,
    /// Map responses to these themes (a ThemeFinder themes.json, or "Label: description" lines)
    /// instead of discovering new ones.
    #[arg(long)]
    framework: Option<PathBuf>,
    /// accurate (all-MiniLM-L6-v2), fast (its distilled static table) or lexical (no model).
    #[arg(long, value_enum, default_value_t = ModeArg::Accurate)]
    mode: ModeArg,
    /// Discover this many themes instead of choosing the number from the data.
    #[arg(long)]
    themes: Option<usize>,
    /// Where to write themes.json, mapping.jsonl, sentiment.jsonl, campaigns.json and report.html.
    #[arg(long)]
    out: PathBuf,
    /// The question the responses answer (default: from question.json or the `question` column).
    #[arg(long)]
    question: Option<String>,
    #[command(flatten)]
    model: ModelLocation,
    /// No progress bar or summary; only errors.
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct ModelLocation {
    /// The data directory whose model/ folder holds the model.
    #[arg(long, default_value = "heard-data")]
    pub data_dir: PathBuf,
    /// The model directory (default: $HEARD_MODEL_DIR, else DATA_DIR/model/all-MiniLM-L6-v2).
    #[arg(long)]
    pub model_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    Accurate,
    Fast,
    Lexical,
}

pub fn run(args: AnalyseArgs) -> Result<()> {
    let started = Instant::now();
    let input = input::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let framework = match &args.framework {
        Some(path) => Some(framework::read(path)?),
        None => None,
    };
    let model_dir = crate::model::resolve_model_dir(args.model.model_dir.clone(), &args.model.data_dir);
    let (embedder, fallback) = load_embedder(args.mode, &model_dir, &input);
    if let Some(note) = &fallback
        && !args.quiet
    {
        eprintln!("note: {note}");
    }
    let options = Options {
        themes: args.themes,
        framework,
        question: args.question.clone(),
        redact: redact_personal_data,
        ..Options::default()
    };
    let bar = ProgressBar::new(!args.quiet && std::io::stderr().is_terminal());
    let mut analysis = analyse(&input, embedder.as_ref(), &options, &bar).context("analysing")?;
    bar.finish();
    if let Some(note) = fallback {
        analysis.notes.push(note);
    }
    output::write(&analysis, &args.out).with_context(|| format!("writing to {}", args.out.display()))?;
    if !args.quiet {
        print!("{}", summary(&analysis, &args.out, started.elapsed()));
    }
    Ok(())
}

pub fn redact_personal_data(text: &str) -> String {
    checks::check(text).redacted(text)
}

/// The embedder for a mode, or the lexical mode with a note saying why and how to fix it.
pub fn load_embedder(mode: ModeArg, model_dir: &Path, input: &Input) -> (Box<dyn Embedder>, Option<String>) {
    heard_analysis::embed::load(mode_of(mode), model_dir, input.responses.iter().map(|r| r.text.as_str()))
}

pub fn mode_of(arg: ModeArg) -> Mode {
    match arg {
        ModeArg::Accurate => Mode::Accurate,
        ModeArg::Fast => Mode::Fast,
        ModeArg::Lexical => Mode::Lexical,
    }
}

fn summary(a: &Analysis, out: &Path, took: Duration) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let model = a.model.model.as_deref().unwrap_or("no model");
    let _ = writeln!(
        s,
        "{} responses analysed in {:.1} s ({} mode, {model})",
        a.responses,
        took.as_secs_f32(),
        a.model.mode
    );
    if let Some(head) = &a.stance_head {
        let _ = writeln!(s, "stance: cue words and a head trained on {head}");
    }
    if let Some(q) = &a.question {
        let _ = writeln!(s, "question: {q}");
    }
    let _ = writeln!(s, "themes:");
    for t in &a.themes {
        let marker = match t.kind {
            ThemeKind::Other | ThemeKind::NoReason => " (catch-all)",
            _ => "",
        };
        let _ = writeln!(
            s,
            "  {:>3} {:<60} {:>6} ({:>4.1}%)  agree {} / disagree {} / unclear {}{marker}",
            t.topic_id,
            heard_analysis::shorten(&t.topic_label, 10),
            t.count,
            t.share * 100.0,
            t.positions.agree,
            t.positions.disagree,
            t.positions.unclear
        );
    }
    let in_campaigns: usize = a.campaigns.iter().map(|c| c.size).sum();
    let _ = writeln!(s, "campaigns: {} groups, {} responses", a.campaigns.len(), in_campaigns);
    let rich = a.mapping.iter().filter(|m| m.evidence_rich).count();
    let _ = writeln!(s, "evidence-rich responses: {rich}");
    if !a.diagnostics.is_empty() {
        let _ = writeln!(s, "input notes: {} (listed in run.json and report.html)", a.diagnostics.len());
        for d in a.diagnostics.iter().take(5) {
            let _ = writeln!(s, "  {d}");
        }
    }
    for note in &a.notes {
        let _ = writeln!(s, "note: {note}");
    }
    let _ = writeln!(s, "wrote {} to {}", output::FILES.join(", "), out.display());
    s
}

/// A one-line progress bar on standard error, redrawn at most ten times a second.
struct ProgressBar {
    enabled: bool,
    last: Mutex<(Instant, &'static str)>,
}

impl ProgressBar {
    fn new(enabled: bool) -> ProgressBar {
        ProgressBar { enabled, last: Mutex::new((Instant::now() - Duration::from_secs(1), "")) }
    }

    fn finish(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Progress for ProgressBar {
    fn update(&self, stage: &'static str, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().unwrap();
        if last.1 == stage && last.0.elapsed() < Duration::from_millis(100) && done < total {
            return;
        }
        *last = (Instant::now(), stage);
        let width = 30;
        let filled = if total == 0 { width } else { (done * width / total).min(width) };
        eprint!("\r\x1b[2K{stage:<20} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(width - filled));
        let _ = std::io::stderr().flush();
    }
}
