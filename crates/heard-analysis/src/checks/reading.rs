//! The model's reading beside the patterns. Patterns catch how people have been seen to write
//! ("I can't cope any more", "her carer takes her pension"); a person in trouble finds other words
//! ("I feel like I'm drowning and there's nobody I can talk to", "his stepdad burns him with
//! cigarettes"), and on sentences written after the patterns were tuned they caught about half of
//! those. So each sentence is also read by the accurate model, and a linear head per flag, trained
//! on the labelled sentences' dev half (`labelled.tsv`), raises the flag when the sentence reads
//! like the risks and reports it was shown and unlike the debate about them it was shown beside.
//!
//! A head is used only with the weights it was trained on (checked by their sha256), as the stance
//! heads are; `heard model train` makes it again. Without the model (not installed, or other
//! weights) the checks are the patterns alone, and whoever loads the reading says so.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::labelled::{self, Expected};
use super::{Checks, Flag, flags};
use crate::embed::minilm::MiniLm;
use crate::embed::{EmbedError, Embedder, Matrix};
use crate::stance_head::StanceHead;

/// The heads committed with the engine, made by `heard model train`.
const COMMITTED: &str = include_str!("../../heads/safeguarding-accurate.json");

/// sklearn's C = 30: chosen by five-fold cross-validation on the dev half among 0.3 to 30 (the
/// highest recall with at most 5% of the dev half's negatives raised).
const PENALTY: f64 = 1.0 / 30.0;
/// A threshold keeps at most this share of the dev half's negatives raised, in cross-validation.
const FALSE_ALARMS_ALLOWED: f64 = 0.05;
/// The folds the threshold is chosen by.
const FOLDS: usize = 5;
/// At most this many sentences of one text are read: a 40,000-word letter is still checked
/// by the patterns throughout, and the model costs a few milliseconds a sentence.
const MAX_SENTENCES: usize = 64;

/// One flag's head and the lean (a logit) at which a sentence raises it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlagHead {
    pub head: StanceHead,
    pub threshold: f32,
}

/// The heads for both flags, for one model's weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Heads {
    pub risk: FlagHead,
    pub crime: FlagHead,
}

/// The accurate model with its safeguarding heads, loaded once and shared by every check.
pub struct Reading {
    model: MiniLm,
    heads: Heads,
}

impl Reading {
    /// The model in `dir` with the committed heads. An error says why the checks will be the
    /// patterns alone: no model there, or weights the heads were not trained on.
    pub fn load(dir: &Path) -> Result<Reading, String> {
        let model = MiniLm::load(dir).map_err(|e| format!("no model in {}: {e}", dir.display()))?;
        let heads: Heads = serde_json::from_str(COMMITTED).map_err(|e| format!("the committed heads: {e}"))?;
        let sha = model.info().sha256.clone().unwrap_or_default();
        if heads.risk.head.model_sha256 != sha || heads.crime.head.model_sha256 != sha {
            return Err(format!(
                "the model in {} is not the one the safeguarding heads were trained on",
                dir.display()
            ));
        }
        Ok(Reading { model, heads })
    }

    /// The flags the model raises on `text`, sentence by sentence.
    pub fn flags(&self, text: &str) -> Result<Vec<Flag>, EmbedError> {
        let sentences: Vec<String> =
            flags::sentences(text).filter(|s| s.split(' ').count() >= 3).take(MAX_SENTENCES).collect();
        if sentences.is_empty() {
            return Ok(vec![]);
        }
        let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
        let vectors = self.model.embed(&refs)?;
        let raised = |h: &FlagHead| (0..vectors.rows()).any(|i| h.head.favour(vectors.row(i)) >= h.threshold);
        let mut out = vec![];
        if raised(&self.heads.risk) {
            out.push(Flag::Safeguarding);
        }
        if raised(&self.heads.crime) {
            out.push(Flag::IncidentReport);
        }
        Ok(out)
    }
}

/// [`super::check`], with the model's flags added when there is a reading. A text the model cannot
/// read (it failed) keeps the patterns' flags: a check never fails.
pub fn check_reading(text: &str, reading: Option<&Reading>) -> Checks {
    let mut checks = super::check(text);
    if let Some(reading) = reading
        && let Ok(raised) = reading.flags(text)
    {
        for flag in raised {
            if !checks.flags.contains(&flag) {
                checks.flags.push(flag);
            }
        }
        checks.flags.sort();
    }
    checks
}

/// Trains both heads on the labelled sentences' dev half with `embedder` (the accurate model):
/// each head's weights on the whole half, its threshold from five-fold cross-validation.
pub fn train(embedder: &dyn Embedder) -> Result<Heads, EmbedError> {
    let dev: Vec<labelled::Labelled> = labelled::sentences().into_iter().filter(|s| !s.held_out).collect();
    let texts: Vec<&str> = dev.iter().map(|s| s.sentence.as_str()).collect();
    let vectors = embedder.embed(&texts)?;
    let sha = embedder.info().sha256.clone().unwrap_or_default();
    let trained_on = format!("heard's labelled safeguarding sentences, dev half ({} sentences)", dev.len());
    let head_for = |kind: Expected| {
        let labels: Vec<bool> = dev.iter().map(|s| s.expected == kind).collect();
        let negatives: Vec<bool> = dev.iter().map(|s| s.expected == Expected::None).collect();
        let head = StanceHead::fit(&vectors, &labels, PENALTY, &sha, &trained_on);
        FlagHead { head, threshold: cross_validated_threshold(&vectors, &labels, &negatives, &sha) }
    };
    Ok(Heads { risk: head_for(Expected::Risk), crime: head_for(Expected::Crime) })
}

/// The lowest lean that, over held-back folds, raises at most [`FALSE_ALARMS_ALLOWED`] of the
/// negatives. Folds take every fifth sentence of each kind, so the choice is the same every run.
fn cross_validated_threshold(vectors: &Matrix, labels: &[bool], negatives: &[bool], sha: &str) -> f32 {
    let mut lean = vec![0f32; labels.len()];
    let mut seen = [0usize; 2];
    let fold_of: Vec<usize> = labels
        .iter()
        .map(|&l| {
            let k = usize::from(l);
            seen[k] += 1;
            seen[k] % FOLDS
        })
        .collect();
    for fold in 0..FOLDS {
        let mut train = Matrix::new(vectors.dim);
        let mut train_labels = vec![];
        for i in (0..labels.len()).filter(|&i| fold_of[i] != fold) {
            train.data.extend_from_slice(vectors.row(i));
            train_labels.push(labels[i]);
        }
        let head = StanceHead::fit(&train, &train_labels, PENALTY, sha, "");
        for i in (0..labels.len()).filter(|&i| fold_of[i] == fold) {
            lean[i] = head.favour(vectors.row(i));
        }
    }
    let mut negative_leans: Vec<f32> = (0..labels.len()).filter(|&i| negatives[i]).map(|i| lean[i]).collect();
    negative_leans.sort_by(|a, b| b.total_cmp(a));
    // Raising k negatives is allowed: the threshold sits just above the (k+1)th highest.
    let allowed = (FALSE_ALARMS_ALLOWED * negative_leans.len() as f64).floor() as usize;
    negative_leans.get(allowed).map_or(0.0, |&l| l + 1e-4)
}
