//! A trained reading of stance: which way a response leans on the thing a proposal is about.
//!
//! Cue words ([`crate::stance`]) catch "Yes, ban them" and "a ban would kill the shops", but most
//! arguments take a side without naming the proposal: "having a school uniform can reduce
//! bullying" is against abandoning uniforms. What such a sentence does carry is whether it speaks
//! well or ill of its subject, and a sentence model's vector holds that. So the head is a logistic
//! regression on a response's vector that says whether it favours the subject; the question's
//! proposal then gives the sign: to favour the subject of "should X be banned?" is to disagree.
//!
//! It is trained on IBM ArgKP's training motions (`data/argkp/`), whose arguments carry their stance
//! toward a motion: an argument for "We should ban X" is taken as against X. One head per model,
//! since each model's vectors are its own; a head is used only with the weights it was trained on
//! (checked by their sha256), and `heard model train` makes them again.

use crate::embed::{Matrix, ModelInfo, dot};
use crate::stance::Question;

/// A linear head over one model's unit-length response vectors.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StanceHead {
    /// The sha256 of the model weights (or static table) whose vectors it reads.
    pub model_sha256: String,
    /// What it was trained on, as the run's notes name it.
    pub trained_on: String,
    pub examples: usize,
    pub weights: Vec<f32>,
    pub bias: f32,
}

/// The heads committed with the engine, made by `heard model train`.
const COMMITTED: [&str; 2] =
    [include_str!("../heads/stance-accurate.json"), include_str!("../heads/stance-fast.json")];

/// L2 penalty on the weights (sklearn's C = 0.1): ArgKP has 24 training motions, and a looser head
/// learns their subjects instead of how people argue (chosen by leave-one-motion-out on train).
const PENALTY: f64 = 10.0;

impl StanceHead {
    /// The committed head for the model that made these vectors, if there is one.
    pub fn for_model(info: &ModelInfo) -> Option<StanceHead> {
        let sha = info.sha256.as_deref()?;
        COMMITTED
            .iter()
            .filter_map(|raw| serde_json::from_str::<StanceHead>(raw).ok())
            .find(|head| head.model_sha256 == sha)
    }

    /// How strongly a response favours its subject: a logit, above zero for it.
    pub fn favour(&self, vector: &[f32]) -> f32 {
        if vector.len() != self.weights.len() {
            return 0.0;
        }
        dot(&self.weights, vector) + self.bias
    }

    /// Fits the head by Newton's method on the L2-penalised log loss: the same weights every
    /// run for the same vectors (no sampling, one thread, a fixed number of steps).
    pub fn train(vectors: &Matrix, favours: &[bool], model_sha256: &str, trained_on: &str) -> StanceHead {
        StanceHead::fit(vectors, favours, PENALTY, model_sha256, trained_on)
    }

    /// The same fit with another L2 penalty (sklearn's 1 / C), for heads that read other things
    /// than stance (the safeguarding reading, `checks::reading`).
    pub(crate) fn fit(
        vectors: &Matrix,
        favours: &[bool],
        penalty: f64,
        model_sha256: &str,
        trained_on: &str,
    ) -> StanceHead {
        let d = vectors.dim + 1;
        let n = favours.len().min(vectors.rows());
        let row = |i: usize| vectors.row(i).iter().map(|&x| f64::from(x)).chain(std::iter::once(1.0));
        let mut w = vec![0f64; d];
        for _ in 0..25 {
            let mut gradient = vec![0f64; d];
            let mut hessian = vec![0f64; d * d];
            for (i, &favour) in favours.iter().enumerate().take(n) {
                let x: Vec<f64> = row(i).collect();
                let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let y = if favour { 1.0 } else { 0.0 };
                let s = p * (1.0 - p);
                for a in 0..d {
                    gradient[a] += (p - y) * x[a];
                    let sx = s * x[a];
                    for b in a..d {
                        hessian[a * d + b] += sx * x[b];
                    }
                }
            }
            for a in 0..d {
                for b in 0..a {
                    hessian[a * d + b] = hessian[b * d + a];
                }
            }
            // The bias is not penalised.
            for a in 0..d - 1 {
                gradient[a] += penalty * w[a];
                hessian[a * d + a] += penalty;
            }
            hessian[(d - 1) * d + d - 1] += 1e-9;
            let Some(step) = solve_positive_definite(&mut hessian, &gradient, d) else { break };
            let size: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt();
            w.iter_mut().zip(&step).for_each(|(w, s)| *w -= s);
            if size < 1e-7 {
                break;
            }
        }
        StanceHead {
            model_sha256: model_sha256.to_string(),
            trained_on: trained_on.to_string(),
            examples: n,
            bias: w[d - 1] as f32,
            weights: w[..d - 1].iter().map(|&x| x as f32).collect(),
        }
    }
}

/// Which way a proposal points: favouring the subject of a restrictive proposal ("ban X",
/// "abolish X") argues against it; of any other closed question, for it.
pub fn direction(question: &Question) -> f32 {
    if question.restrictive { -1.0 } else { 1.0 }
}

/// ArgKP's arguments as training examples: the text, and whether it favours the motion's
/// subject (its stance toward the motion, turned by the motion's direction). Rows with another
/// stance than 1 or -1 are skipped; a file without ArgKP's columns is an error.
pub fn argkp_examples(csv_text: &str) -> Result<Vec<(String, bool)>, String> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| format!("no {name} column (expected ArgKP's)"))
    };
    let (argument, topic, stance) = (column("argument")?, column("topic")?, column("stance")?);
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", i + 2))?;
        let sign = match record.get(stance).map(str::trim) {
            Some("1") => 1.0,
            Some("-1") => -1.0,
            _ => continue,
        };
        let motion = record.get(topic).unwrap_or_default();
        let question = Question::read(Some(&motion_as_question(motion)));
        out.push((record.get(argument).unwrap_or_default().to_string(), sign * direction(&question) > 0.0));
    }
    Ok(out)
}

/// "We should ban X" asked as "Do you agree that we should ban X?".
pub fn motion_as_question(motion: &str) -> String {
    let motion = motion.trim().trim_end_matches(['.', '?']);
    let mut chars = motion.chars();
    let lowered = match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(motion.chars().skip(1)).collect()
        }
        _ => motion.to_string(),
    };
    format!("Do you agree that {lowered}?")
}

/// Solves `a x = b` for a symmetric positive definite `a` (n by n, overwritten) by Cholesky.
fn solve_positive_definite(a: &mut [f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut diagonal = a[j * n + j];
        for k in 0..j {
            diagonal -= a[j * n + k] * a[j * n + k];
        }
        if diagonal <= 0.0 {
            return None;
        }
        let diagonal = diagonal.sqrt();
        a[j * n + j] = diagonal;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / diagonal;
        }
    }
    let mut y = vec![0f64; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * n + k] * y[k];
        }
        y[i] = s / a[i * n + i];
    }
    let mut x = vec![0f64; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= a[k * n + i] * x[k];
        }
        x[i] = s / a[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restrictive_motion_turns_the_stance_around() {
        let csv = "arg_id,argument,topic,stance\n\
                   a1,uniforms stop bullying,We should abandon the use of school uniform,-1\n\
                   a2,cannabis helps patients,We should legalize cannabis,1\n\
                   a3,odd,We should legalize cannabis,0\n";
        let examples = argkp_examples(csv).unwrap();
        assert_eq!(
            examples,
            vec![("uniforms stop bullying".to_string(), true), ("cannabis helps patients".to_string(), true)]
        );
        assert!(argkp_examples("id,text\n1,hello\n").unwrap_err().contains("argument"));
        assert_eq!(motion_as_question("We should ban X."), "Do you agree that we should ban X?");
    }

    #[test]
    fn training_separates_what_it_was_shown() {
        let mut vectors = Matrix::new(2);
        let mut favours = Vec::new();
        for i in 0..40 {
            let x = (i as f32 / 40.0) - 0.5;
            vectors.data.extend_from_slice(&[x, 1.0]);
            favours.push(x > 0.0);
        }
        let head = StanceHead::train(&vectors, &favours, "sha", "test");
        assert!(head.favour(&[0.4, 1.0]) > 0.0 && head.favour(&[-0.4, 1.0]) < 0.0, "{head:?}");
        assert_eq!(head, StanceHead::train(&vectors, &favours, "sha", "test"), "training is deterministic");
        assert_eq!(head.favour(&[1.0]), 0.0, "a vector of another size reads as no lean");
    }
}
