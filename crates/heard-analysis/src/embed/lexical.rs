//! The lexical mode: no model, only the words. A text becomes a TF-IDF vector of its word stems
//! and stem pairs, hashed into a fixed number of dimensions with a sign bit (so collisions cancel
//! rather than add up), with document frequencies fitted on the corpus being analysed.

use std::collections::HashMap;

use super::{EmbedError, Embedder, Matrix, Mode, ModelInfo};
use crate::text;

const DIM: usize = 2048;

pub struct Lexical {
    info: ModelInfo,
    idf: HashMap<u64, f32>,
    default_idf: f32,
}

impl Lexical {
    /// Learns document frequencies from the texts that will be embedded.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>) -> Lexical {
        let mut df: HashMap<u64, u32> = HashMap::new();
        let mut documents = 0u32;
        for text in texts {
            documents += 1;
            let mut terms = terms(text);
            terms.sort_unstable();
            terms.dedup();
            for term in terms {
                *df.entry(term).or_default() += 1;
            }
        }
        let n = documents.max(1) as f32;
        let idf = df
            .into_iter()
            .map(|(term, count)| (term, ((1.0 + n) / (1.0 + count as f32)).ln() + 1.0))
            .collect();
        Lexical {
            info: ModelInfo { mode: Mode::Lexical, model: None, sha256: None },
            idf,
            default_idf: (1.0 + n).ln() + 1.0,
        }
    }

    pub fn embed_one(&self, text: &str, out: &mut Vec<f32>) {
        out.clear();
        out.resize(DIM, 0.0);
        let terms = terms(text);
        let mut tf: HashMap<u64, f32> = HashMap::new();
        for term in terms {
            *tf.entry(term).or_default() += 1.0;
        }
        for (term, count) in tf {
            let weight = (1.0 + count.ln()) * self.idf.get(&term).copied().unwrap_or(self.default_idf);
            let slot = (term % DIM as u64) as usize;
            let sign = if (term >> 63) == 1 { -1.0 } else { 1.0 };
            out[slot] += sign * weight;
        }
    }
}

/// Hashed terms: each content stem, and each pair of neighbouring content stems.
fn terms(text: &str) -> Vec<u64> {
    let stems = text::content_stems(text);
    let mut out: Vec<u64> = stems.iter().map(|s| hash(s.as_bytes(), 0)).collect();
    for pair in stems.windows(2) {
        out.push(hash(pair[0].as_bytes(), hash(pair[1].as_bytes(), 1)));
    }
    out
}

/// FNV-1a: stable across runs and platforms, so lexical results are reproducible.
fn hash(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf29ce484222325u64 ^ seed.wrapping_mul(0x100000001b3);
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl Embedder for Lexical {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn dim(&self) -> usize {
        DIM
    }

    fn embed(&self, texts: &[&str]) -> Result<Matrix, EmbedError> {
        let mut matrix = Matrix::with_capacity(DIM, texts.len());
        let mut row = Vec::with_capacity(DIM);
        for text in texts {
            self.embed_one(text, &mut row);
            matrix.push_normalised(&row);
        }
        Ok(matrix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::dot;

    #[test]
    fn shared_words_make_texts_close() {
        let texts = ["Ban gambling adverts during football", "Gambling adverts should go", "I like trains"];
        let lexical = Lexical::fit(texts);
        let m = lexical.embed(&texts).unwrap();
        assert!(dot(m.row(0), m.row(1)) > dot(m.row(0), m.row(2)) + 0.2);
        assert!((dot(m.row(0), m.row(0)) - 1.0).abs() < 1e-5);
        let empty = lexical.embed(&[""]).unwrap();
        assert!(empty.row(0).iter().all(|x| *x == 0.0));
    }
}
