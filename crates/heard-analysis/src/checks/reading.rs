//! The model's reading beside the patterns. Patterns catch how people have been seen to write
//! ("I can't cope any more", "her carer takes her pension"); a person in trouble finds other words
//! ("I feel like I'm drowning and there's nobody I can talk to", "his stepdad burns him with
//! cigarettes"), and on sentences written after the patterns were tuned they caught about half of
//! those. So each sentence is also read by the accurate model, and a linear head, trained on the
//! labelled sentences' dev half (`labelled.tsv`), raises the safeguarding flag when the sentence
//! reads like the risks it was shown and unlike the debate about them it was shown beside.
//!
//! Ordinary consultation writing is most of what the checks read, and the labelled sentences hold
//! little of it, so the heads also learn from ArgKP's training arguments (kept in the repository)
//! as text that raises nothing; fitted on the labelled sentences alone, they raised a flag on about
//! one response in fifteen of the gambling and ArgKP dev sets.
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

/// sklearn's C = 3: the strongest penalty among C = 1, 3, 10 and 30 whose cross-validated risk
/// recall on the training sentences reaches 0.9 (1 gave 0.88; 10 and 30 more recall, and more
/// false alarms).
const PENALTY: f64 = 1.0 / 3.0;
/// A threshold keeps at most this share of the labelled negatives (debate about the same subjects)
/// raised, in cross-validation...
const FALSE_ALARMS_ALLOWED: f64 = 0.05;
/// ...and at most this share of the ordinary writing.
const ORDINARY_ALARMS_ALLOWED: f64 = 0.005;
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

/// The heads, for one model's weights: safeguarding only. A head for crimes reported was tried the
/// same way and left out: it raised the flag on ordinary reports of local problems ("the street
/// lights on Elm Road have been out for weeks", "there is a pothole outside number 4"), which a
/// consultation is full of, so incident reports are the patterns' alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Heads {
    pub risk: FlagHead,
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
        if heads.risk.head.model_sha256 != sha {
            return Err(format!(
                "the model in {} is not the one the safeguarding heads were trained on",
                dir.display()
            ));
        }
        Ok(Reading { model, heads })
    }

    /// The flags the model raises on `text`, sentence by sentence.
    ///
    /// A sentence the patterns already read as a crime reported is left to them: the model reads
    /// "someone broke into my car last night" as near the risks it was shown, and a moderator
    /// holding a report of a break-in, and its author shown the Samaritans' number, helps nobody.
    pub fn flags(&self, text: &str) -> Result<Vec<Flag>, EmbedError> {
        let sentences: Vec<String> = flags::sentences(text)
            .filter(|s| s.split(' ').count() >= 3 && !flags::raise(s).contains(&Flag::IncidentReport))
            .take(MAX_SENTENCES)
            .collect();
        if sentences.is_empty() {
            return Ok(vec![]);
        }
        let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
        let vectors = self.model.embed(&refs)?;
        let risk = &self.heads.risk;
        let raised = (0..vectors.rows()).any(|i| risk.head.favour(vectors.row(i)) >= risk.threshold);
        Ok(if raised { vec![Flag::Safeguarding] } else { vec![] })
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

/// Trains the head with `embedder` (the accurate model) on the labelled sentences' dev half and
/// `ordinary` writing that should raise nothing: each head's weights on all of it, its threshold
/// from five-fold cross-validation.
pub fn train(embedder: &dyn Embedder, ordinary: &[&str], ordinary_source: &str) -> Result<Heads, EmbedError> {
    let dev: Vec<labelled::Labelled> = labelled::sentences().into_iter().filter(|s| !s.held_out).collect();
    // Read as the checks read them: lower case, straight apostrophes, no closing stop. A head's
    // threshold sits among close leans, and the unread full stop alone moved some past it.
    let texts: Vec<String> =
        dev.iter().map(|s| s.sentence.as_str()).chain(ordinary.iter().copied()).map(as_read).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut vectors = Matrix::new(embedder.dim());
    for batch in texts.chunks(256) {
        vectors.extend(&embedder.embed(batch)?);
    }
    let sha = embedder.info().sha256.clone().unwrap_or_default();
    let trained_on = format!(
        "heard's labelled safeguarding sentences, dev half ({} sentences), and {} as ordinary writing",
        dev.len(),
        ordinary_source
    );
    let head_for = |kind: Expected| {
        let mut labels: Vec<bool> = dev.iter().map(|s| s.expected == kind).collect();
        let mut debate: Vec<bool> = dev.iter().map(|s| s.expected == Expected::None).collect();
        labels.resize(texts.len(), false);
        debate.resize(texts.len(), false);
        let head = StanceHead::fit(&vectors, &labels, PENALTY, &sha, &trained_on);
        // Both in cross-validation and as fitted, so that the head as committed keeps to it too.
        let fitted: Vec<f32> = (0..labels.len()).map(|i| head.favour(vectors.row(i))).collect();
        let threshold = cross_validated_threshold(&vectors, &labels, &debate, dev.len(), &sha)
            .max(threshold_for(&fitted, &debate, dev.len()));
        FlagHead { head, threshold }
    };
    Ok(Heads { risk: head_for(Expected::Risk) })
}

/// A text as [`Reading::flags`] reads its sentences, joined.
fn as_read(text: &str) -> String {
    flags::sentences(text).collect::<Vec<_>>().join(" ")
}

/// The lowest lean that, over held-back folds, raises at most [`FALSE_ALARMS_ALLOWED`] of the
/// labelled negatives and [`ORDINARY_ALARMS_ALLOWED`] of the ordinary writing (rows from
/// `labelled_rows` on). Folds take every fifth row of each kind, so the choice is the same every
/// run.
fn cross_validated_threshold(
    vectors: &Matrix,
    labels: &[bool],
    debate: &[bool],
    labelled_rows: usize,
    sha: &str,
) -> f32 {
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
    threshold_for(&lean, debate, labelled_rows)
}

/// The lowest lean that raises at most [`FALSE_ALARMS_ALLOWED`] of the labelled negatives and
/// [`ORDINARY_ALARMS_ALLOWED`] of the ordinary writing, given each row's lean.
fn threshold_for(lean: &[f32], debate: &[bool], labelled_rows: usize) -> f32 {
    // Raising k of a kind is allowed: the threshold sits just above its (k+1)th highest lean.
    let above = |rows: Vec<usize>, share: f64| {
        let mut leans: Vec<f32> = rows.into_iter().map(|i| lean[i]).collect();
        leans.sort_by(|a, b| b.total_cmp(a));
        let allowed = (share * leans.len() as f64).floor() as usize;
        leans.get(allowed).map_or(f32::NEG_INFINITY, |&l| l + 1e-4)
    };
    let debate_rows = (0..labelled_rows).filter(|&i| debate[i]).collect();
    let ordinary_rows = (labelled_rows..lean.len()).collect();
    above(debate_rows, FALSE_ALARMS_ALLOWED).max(above(ordinary_rows, ORDINARY_ALARMS_ALLOWED))
}
