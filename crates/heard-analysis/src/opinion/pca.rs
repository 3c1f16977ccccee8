//! The vote matrix's first two principal components, by power iteration on the sparse centred
//! matrix, and Polis's projection of each participant onto them.
//!
//! Missing votes are imputed with the statement's mean vote, and the matrix is centred on the same
//! means, so an imputed cell is exactly zero once centred: the centred matrix has a value only where
//! a vote was cast, and `XᵀX v` is one pass over the votes, `Σᵢ (xᵢ·v) xᵢ`. Nothing the size of
//! participants x statements is ever held.

use super::VoteRows;

/// Power iteration stops once a component moves less than this between steps.
const TOLERANCE: f64 = 1e-10;
/// ... or after this many steps (a component this slow to settle is barely separated from the next
/// anyway, and any vector in between projects the participants alike).
const MAX_STEPS: usize = 1000;

/// The first two principal components of the centred votes (`centred[k]` is the k-th vote minus its
/// statement's mean), each a unit vector over the statements, or zero when the votes have no
/// variance left in another direction.
pub(super) fn components(rows: &VoteRows, centred: &[f64], statements: usize) -> [Vec<f64>; 2] {
    let first = power_iteration(rows, centred, statements, &[]);
    let second = power_iteration(rows, centred, statements, std::slice::from_ref(&first));
    [first, second]
}

/// Polis's projection: a participant's centred votes dotted with each component, scaled by
/// `sqrt(statements / votes)`. Without the scaling someone who voted on a few statements sits near
/// the centre only because the statements they skipped count as average; the scaling pushes them
/// out to where their votes point. `votes[p]` is how many statements count as voted on by `p`.
pub(super) fn project(
    rows: &VoteRows,
    centred: &[f64],
    statements: usize,
    votes: &[usize],
    pcs: &[Vec<f64>; 2],
) -> Vec<[f64; 2]> {
    (0..rows.participants())
        .map(|p| {
            let range = rows.range(p);
            let votes = votes[p];
            let (mut x, mut y) = (0.0, 0.0);
            for k in range {
                let s = rows.statement[k] as usize;
                x += centred[k] * pcs[0][s];
                y += centred[k] * pcs[1][s];
            }
            let scale = (statements as f64 / votes.max(1) as f64).sqrt();
            [x * scale, y * scale]
        })
        .collect()
}

/// The unit vector `v` maximising `|Xv|` among those orthogonal to `found`, as Polis finds each
/// component after factoring the earlier ones out of the data.
fn power_iteration(rows: &VoteRows, centred: &[f64], statements: usize, found: &[Vec<f64>]) -> Vec<f64> {
    let mut v = start_vector(statements);
    orthogonalise(&mut v, found);
    if normalise(&mut v) == 0.0 {
        return vec![0.0; statements];
    }
    let mut next = vec![0.0; statements];
    for _ in 0..MAX_STEPS {
        gram_times(rows, centred, &v, &mut next);
        orthogonalise(&mut next, found);
        if normalise(&mut next) == 0.0 {
            // No variance left outside the components already found.
            return vec![0.0; statements];
        }
        let moved = v.iter().zip(&next).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
        std::mem::swap(&mut v, &mut next);
        if moved < TOLERANCE {
            break;
        }
    }
    v
}

/// `out = XᵀX v` over the centred votes.
fn gram_times(rows: &VoteRows, centred: &[f64], v: &[f64], out: &mut [f64]) {
    out.fill(0.0);
    for p in 0..rows.participants() {
        let range = rows.range(p);
        let statements = &rows.statement[range.clone()];
        let values = &centred[range];
        let along: f64 = statements.iter().zip(values).map(|(&s, &x)| x * v[s as usize]).sum();
        if along != 0.0 {
            for (&s, &x) in statements.iter().zip(values) {
                out[s as usize] += along * x;
            }
        }
    }
}

/// A fixed start that is the same on every run and, unlike a vector of ones, is not orthogonal to a
/// component that splits the statements evenly (SplitMix64 of the statement's index).
fn start_vector(statements: usize) -> Vec<f64> {
    (0..statements as u64)
        .map(|i| {
            let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

fn orthogonalise(v: &mut [f64], found: &[Vec<f64>]) {
    for pc in found {
        let along: f64 = v.iter().zip(pc).map(|(a, b)| a * b).sum();
        for (a, b) in v.iter_mut().zip(pc) {
            *a -= along * b;
        }
    }
}

/// Scales `v` to unit length and returns the length it had (0 leaves it as it was).
fn normalise(v: &mut [f64]) -> f64 {
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    if norm > 1e-300 {
        v.iter_mut().for_each(|a| *a /= norm);
        norm
    } else {
        0.0
    }
}
