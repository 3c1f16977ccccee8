//! Weighted k-means on points in the plane, its deterministic starts, and the silhouette that
//! chooses k.

pub(super) type Point = [f64; 2];

/// Assignment steps at most (Polis's `base-iters` and `group-iters`).
pub(super) const MAX_STEPS: usize = 100;

/// A clustering: each point's cluster, and each cluster's weighted centre. No cluster is empty.
#[derive(Clone, Debug)]
pub(super) struct Clustering {
    pub centres: Vec<Point>,
    pub assignment: Vec<usize>,
}

impl Clustering {
    /// Within-cluster weighted sum of squared distances: what k-means lowers.
    pub fn inertia(&self, points: &[Point], weights: &[f64]) -> f64 {
        points
            .iter()
            .zip(weights)
            .zip(&self.assignment)
            .map(|((p, w), &c)| w * distance2(p, &self.centres[c]))
            .sum()
    }
}

/// Lloyd's k-means from `starts`, weighted: a point of weight 3 pulls its centre as three points
/// would. Stops when no point changes cluster. A centre left with no points is dropped.
pub(super) fn kmeans(points: &[Point], weights: &[f64], starts: Vec<Point>) -> Clustering {
    let mut centres = starts;
    let mut assignment = vec![usize::MAX; points.len()];
    for _ in 0..MAX_STEPS {
        let mut changed = false;
        for (p, a) in points.iter().zip(assignment.iter_mut()) {
            let nearest = nearest(p, &centres);
            if nearest != *a {
                *a = nearest;
                changed = true;
            }
        }
        let (next, renumbered) = recentre(points, weights, &assignment, centres.len());
        if renumbered {
            // A centre emptied: the survivors are numbered again, and every point must look again.
            changed = true;
        }
        for a in assignment.iter_mut() {
            *a = next.renumber[*a];
        }
        centres = next.centres;
        if !changed {
            break;
        }
    }
    Clustering { centres, assignment }
}

/// Polis's start: the first `k` distinct points, in the order given.
pub(super) fn first_distinct(points: &[Point], k: usize) -> Vec<Point> {
    let mut starts: Vec<Point> = Vec::with_capacity(k);
    for p in points {
        if starts.len() == k {
            break;
        }
        if !starts.contains(p) {
            starts.push(*p);
        }
    }
    starts
}

/// Farthest-first: the point farthest from the weighted mean, then each time the point farthest
/// from every start chosen so far.
pub(super) fn farthest_first(points: &[Point], weights: &[f64], k: usize) -> Vec<Point> {
    greedy_starts(points, weights, k, |_, d2| d2)
}

/// Like k-means++ without the dice: each next start is the point with the most weight times squared
/// distance to its nearest start, so a heavy cluster of opinion gets a start of its own.
pub(super) fn heaviest_spread(points: &[Point], weights: &[f64], k: usize) -> Vec<Point> {
    greedy_starts(points, weights, k, |w, d2| w * d2)
}

/// The mean silhouette of `clustering` over `points`, each point counting once: for each point,
/// `(b - a) / max(a, b)` with `a` its mean distance to the rest of its cluster and `b` its mean
/// distance to the nearest other cluster; 0 for a point alone in its cluster, as Polis has it.
pub(super) fn silhouette(points: &[Point], clustering: &Clustering) -> f64 {
    let k = clustering.centres.len();
    if k < 2 || points.is_empty() {
        return 0.0;
    }
    let mut sizes = vec![0usize; k];
    for &c in &clustering.assignment {
        sizes[c] += 1;
    }
    let mut total = 0.0;
    let mut sums = vec![0.0; k];
    for (i, p) in points.iter().enumerate() {
        let own = clustering.assignment[i];
        if sizes[own] == 1 {
            continue;
        }
        sums.fill(0.0);
        for (q, &c) in points.iter().zip(&clustering.assignment) {
            sums[c] += distance2(p, q).sqrt();
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..k).filter(|&c| c != own).map(|c| sums[c] / sizes[c] as f64).fold(f64::INFINITY, f64::min);
        let larger = a.max(b);
        if larger > 0.0 {
            total += (b - a) / larger;
        }
    }
    total / points.len() as f64
}

pub(super) fn distance2(a: &Point, b: &Point) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The nearest centre; on a tie, the first.
fn nearest(p: &Point, centres: &[Point]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (c, centre) in centres.iter().enumerate() {
        let d = distance2(p, centre);
        if d < best.1 {
            best = (c, d);
        }
    }
    best.0
}

struct Recentred {
    centres: Vec<Point>,
    /// Old cluster number -> new one (clusters left empty are gone).
    renumber: Vec<usize>,
}

fn recentre(points: &[Point], weights: &[f64], assignment: &[usize], k: usize) -> (Recentred, bool) {
    let mut sums = vec![[0.0, 0.0, 0.0]; k];
    for ((p, w), &c) in points.iter().zip(weights).zip(assignment) {
        sums[c][0] += w * p[0];
        sums[c][1] += w * p[1];
        sums[c][2] += w;
    }
    let mut centres = Vec::with_capacity(k);
    let mut renumber = vec![usize::MAX; k];
    let mut occupied = vec![false; k];
    for &c in assignment {
        occupied[c] = true;
    }
    for c in 0..k {
        if occupied[c] {
            renumber[c] = centres.len();
            let w = sums[c][2];
            centres.push(if w > 0.0 {
                [sums[c][0] / w, sums[c][1] / w]
            } else {
                // Points of no weight still hold their cluster; its centre is their plain mean.
                let members: Vec<&Point> =
                    points.iter().zip(assignment).filter(|(_, a)| **a == c).map(|(p, _)| p).collect();
                let n = members.len() as f64;
                [members.iter().map(|p| p[0]).sum::<f64>() / n, members.iter().map(|p| p[1]).sum::<f64>() / n]
            });
        }
    }
    let dropped = centres.len() < k;
    (Recentred { centres, renumber }, dropped)
}

fn greedy_starts(points: &[Point], weights: &[f64], k: usize, score: impl Fn(f64, f64) -> f64) -> Vec<Point> {
    let total: f64 = weights.iter().sum();
    if points.is_empty() || k == 0 {
        return Vec::new();
    }
    let mean = if total > 0.0 {
        let x = points.iter().zip(weights).map(|(p, w)| w * p[0]).sum::<f64>() / total;
        let y = points.iter().zip(weights).map(|(p, w)| w * p[1]).sum::<f64>() / total;
        [x, y]
    } else {
        points[0]
    };
    let mut nearest2: Vec<f64> = points.iter().map(|p| distance2(p, &mean)).collect();
    let mut starts: Vec<Point> = Vec::with_capacity(k);
    while starts.len() < k {
        let mut best: Option<(usize, f64)> = None;
        for (i, (d2, w)) in nearest2.iter().zip(weights).enumerate() {
            let s = if starts.is_empty() { *d2 } else { score(*w, *d2) };
            if *d2 > 0.0 && best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        let Some((i, _)) = best else { break };
        let chosen = points[i];
        starts.push(chosen);
        for (d2, p) in nearest2.iter_mut().zip(points) {
            *d2 = d2.min(distance2(p, &chosen));
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_blobs() -> Vec<Point> {
        let mut points = Vec::new();
        for i in 0..10 {
            let d = i as f64 * 0.01;
            points.push([-1.0 - d, 0.5 + d]);
            points.push([1.0 + d, -0.5 - d]);
        }
        points
    }

    #[test]
    fn opinion_kmeans_separates_two_blobs_from_every_start() {
        let points = two_blobs();
        let weights = vec![1.0; points.len()];
        for starts in [
            first_distinct(&points, 2),
            farthest_first(&points, &weights, 2),
            heaviest_spread(&points, &weights, 2),
        ] {
            let c = kmeans(&points, &weights, starts);
            assert_eq!(c.centres.len(), 2);
            for (i, &a) in c.assignment.iter().enumerate() {
                assert_eq!(a, c.assignment[i % 2], "point {i} is with the other blob");
            }
            assert_ne!(c.assignment[0], c.assignment[1]);
        }
    }

    #[test]
    fn opinion_silhouette_prefers_the_true_number_of_clusters() {
        let points = two_blobs();
        let weights = vec![1.0; points.len()];
        let two = kmeans(&points, &weights, farthest_first(&points, &weights, 2));
        let three = kmeans(&points, &weights, farthest_first(&points, &weights, 3));
        assert!(silhouette(&points, &two) > 0.9);
        assert!(silhouette(&points, &two) > silhouette(&points, &three));
    }

    #[test]
    fn opinion_weights_pull_a_centre_toward_the_heavier_point() {
        let points = [[0.0, 0.0], [1.0, 0.0]];
        let c = kmeans(&points, &[3.0, 1.0], vec![[0.5, 0.0]]);
        assert!((c.centres[0][0] - 0.25).abs() < 1e-12);
    }
}
