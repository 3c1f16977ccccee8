//! Grouping vectors: average-linkage agglomerative clustering (the dendrogram lets the number of
//! themes be chosen after the fact) and the silhouette used to choose it.

use crate::embed::{Matrix, dot};

/// Every dot product of a row of `a` with a row of `b`, row-major (`a.rows()` x `b.rows()`): one
/// matrix product, on the CPU's widest vector units (candle's matmul).
pub fn dots(a: &Matrix, b: &Matrix) -> Vec<f32> {
    let (m, n, d) = (a.rows(), b.rows(), a.dim);
    if m == 0 || n == 0 || d == 0 || a.dim != b.dim {
        return vec![0.0; m * n];
    }
    let product = || -> candle_core::Result<Vec<f32>> {
        let device = candle_core::Device::Cpu;
        let a = candle_core::Tensor::from_slice(&a.data, (m, d), &device)?;
        let b = candle_core::Tensor::from_slice(&b.data, (n, d), &device)?;
        a.matmul(&b.t()?)?.flatten_all()?.to_vec1::<f32>()
    };
    // The product cannot fail on shapes checked above; should it, the plain loop gives the same.
    product().unwrap_or_else(|_| (0..m).flat_map(|i| (0..n).map(move |j| dot(a.row(i), b.row(j)))).collect())
}

/// All pairwise cosine distances (1 - dot of unit vectors), computed once and shared by the
/// clustering and the silhouettes that choose where to cut it.
pub struct Distances {
    pub n: usize,
    pub values: Vec<f32>,
}

impl Distances {
    pub fn new(vectors: &Matrix) -> Distances {
        let n = vectors.rows();
        let mut values = dots(vectors, vectors);
        for i in 0..n {
            values[i * n + i] = 0.0;
            for j in (i + 1)..n {
                // The upper triangle, mirrored: a matrix product need not be exactly symmetric.
                let d = 1.0 - values[i * n + j];
                values[i * n + j] = d;
                values[j * n + i] = d;
            }
        }
        Distances { n, values }
    }

    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.values[i * self.n + j]
    }
}

/// Merges in order of increasing distance. Leaves are 0..n; merge i creates cluster n + i.
#[derive(Clone, Debug)]
pub struct Dendrogram {
    pub leaves: usize,
    pub merges: Vec<Merge>,
}

#[derive(Clone, Copy, Debug)]
pub struct Merge {
    pub a: usize,
    pub b: usize,
    /// Only the tests read it: cutting undoes the last merges, which is right only because they
    /// come in order of distance, and the tests hold the chain to that.
    #[cfg_attr(not(test), allow(dead_code))]
    pub distance: f32,
}

/// Average linkage on cosine distance (1 - dot of unit vectors), by the nearest-neighbour chain
/// algorithm: O(n²) time and memory, fine for the few thousand units discovery samples.
pub fn average_linkage(distances: &Distances) -> Dendrogram {
    let n = distances.n;
    if n < 2 {
        return Dendrogram { leaves: n, merges: vec![] };
    }
    let mut distance = distances.values.clone();
    let mut size = vec![1usize; n];
    let mut active = vec![true; n];
    // Which dendrogram cluster currently lives in each slot.
    let mut raw_merges: Vec<(usize, usize, f32)> = Vec::with_capacity(n - 1);
    let mut chain: Vec<usize> = Vec::new();
    let mut remaining = n;
    while remaining > 1 {
        if chain.is_empty() {
            chain.push(active.iter().position(|a| *a).expect("an active cluster"));
        }
        let a = *chain.last().unwrap();
        let previous = if chain.len() >= 2 { Some(chain[chain.len() - 2]) } else { None };
        let mut best = usize::MAX;
        let mut best_distance = f32::INFINITY;
        for k in 0..n {
            if k == a || !active[k] {
                continue;
            }
            let d = distance[a * n + k];
            if d < best_distance || (d == best_distance && Some(k) == previous) {
                best = k;
                best_distance = d;
            }
        }
        if Some(best) == previous {
            chain.pop();
            chain.pop();
            let (keep, gone) = (a.min(best), a.max(best));
            raw_merges.push((keep, gone, best_distance));
            let (size_keep, size_gone) = (size[keep] as f32, size[gone] as f32);
            for k in 0..n {
                if !active[k] || k == keep || k == gone {
                    continue;
                }
                let d = (size_keep * distance[keep * n + k] + size_gone * distance[gone * n + k])
                    / (size_keep + size_gone);
                distance[keep * n + k] = d;
                distance[k * n + keep] = d;
            }
            size[keep] += size[gone];
            active[gone] = false;
            remaining -= 1;
        } else {
            chain.push(best);
        }
    }
    // The chain finds merges out of order; replay them sorted, naming clusters as they form.
    raw_merges.sort_by(|x, y| x.2.total_cmp(&y.2));
    let mut slot_cluster: Vec<usize> = (0..n).collect();
    let mut union = UnionFind::new(n);
    let merges = raw_merges
        .into_iter()
        .enumerate()
        .map(|(i, (x, y, d))| {
            let (rx, ry) = (union.find(x), union.find(y));
            let merge = Merge { a: slot_cluster[rx], b: slot_cluster[ry], distance: d };
            let root = union.union(rx, ry);
            slot_cluster[root] = n + i;
            merge
        })
        .collect();
    Dendrogram { leaves: n, merges }
}

impl Dendrogram {
    /// Cluster labels 0..k for each leaf, after applying all but the last k-1 merges. Labels are
    /// numbered by first appearance, so the same input gives the same labels.
    pub fn cut(&self, k: usize) -> Vec<usize> {
        let n = self.leaves;
        let k = k.clamp(1, n.max(1));
        let mut union = UnionFind::new(2 * n);
        for (i, merge) in self.merges.iter().take(n.saturating_sub(k)).enumerate() {
            union.union_into(merge.a, n + i);
            union.union_into(merge.b, n + i);
        }
        let mut names = std::collections::HashMap::new();
        (0..n)
            .map(|leaf| {
                let root = union.find(leaf);
                let next = names.len();
                *names.entry(root).or_insert(next)
            })
            .collect()
    }
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n).collect() }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) -> usize {
        let (ra, rb) = (self.find(a), self.find(b));
        self.parent[rb] = ra;
        ra
    }

    /// Makes `into` the root of `x`'s set.
    fn union_into(&mut self, x: usize, into: usize) {
        let r = self.find(x);
        self.parent[r] = into;
    }
}

/// Mean silhouette of a labelling (cosine distance), leaving out singleton clusters' members and
/// outliers (label `usize::MAX`).
pub fn silhouette(distances: &Distances, labels: &[usize]) -> f32 {
    let n = labels.len();
    let k = labels.iter().filter(|&&l| l != usize::MAX).max().map_or(0, |m| m + 1);
    if k < 2 {
        return 0.0;
    }
    let mut sizes = vec![0usize; k];
    for &l in labels.iter().filter(|&&l| l != usize::MAX) {
        sizes[l] += 1;
    }
    let mut total = 0.0;
    let mut counted = 0;
    let mut sums = vec![0f32; k];
    for i in 0..n {
        if labels[i] == usize::MAX || sizes[labels[i]] < 2 {
            continue;
        }
        sums.iter_mut().for_each(|s| *s = 0.0);
        for j in 0..n {
            if i != j && labels[j] != usize::MAX {
                sums[labels[j]] += distances.get(i, j);
            }
        }
        let own = labels[i];
        let a = sums[own] / (sizes[own] - 1) as f32;
        let b = (0..k)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f32)
            .fold(f32::INFINITY, f32::min);
        if b.is_finite() {
            total += (b - a) / a.max(b).max(1e-6);
            counted += 1;
        }
    }
    if counted == 0 { 0.0 } else { total / counted as f32 }
}

/// The unit-length mean of some rows.
pub fn centroid(vectors: &Matrix, rows: impl IntoIterator<Item = usize>) -> Vec<f32> {
    let mut sum = vec![0f32; vectors.dim];
    for r in rows {
        for (s, x) in sum.iter_mut().zip(vectors.row(r)) {
            *s += x;
        }
    }
    normalise(&mut sum);
    sum
}

pub fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[[f32; 2]]) -> Matrix {
        let mut m = Matrix::new(2);
        for r in rows {
            m.push_normalised(r);
        }
        m
    }

    #[test]
    fn two_clear_groups_are_found_and_labelled_in_order() {
        let m = matrix(&[[1.0, 0.0], [0.0, 1.0], [0.99, 0.05], [0.05, 0.99], [0.98, 0.1]]);
        let distances = Distances::new(&m);
        let d = average_linkage(&distances);
        assert_eq!(d.merges.len(), 4);
        assert!(d.merges.windows(2).all(|w| w[0].distance <= w[1].distance));
        assert_eq!(d.cut(2), [0, 1, 0, 1, 0]);
        assert_eq!(d.cut(1), [0, 0, 0, 0, 0]);
        assert_eq!(d.cut(5), [0, 1, 2, 3, 4]);
        assert!(silhouette(&distances, &d.cut(2)) > 0.8);
        assert!(silhouette(&distances, &d.cut(2)) > silhouette(&distances, &[0, 1, 1, 0, 0]));
    }
}
