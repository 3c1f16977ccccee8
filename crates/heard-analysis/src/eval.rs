//! Measures against gold outputs: sample-averaged F1 of theme labels, one-to-one matching of
//! discovered themes to gold themes (the Hungarian method), and stance accuracy.

use std::collections::{HashMap, HashSet};

/// Mean over responses of the F1 between predicted and gold label sets. A response with no gold
/// labels and no predicted labels scores 1; with one side empty, 0.
pub fn sample_f1<K: std::hash::Hash + Eq>(
    predicted: &HashMap<K, Vec<String>>,
    gold: &HashMap<K, Vec<String>>,
) -> f32 {
    if gold.is_empty() {
        return 0.0;
    }
    let mut total = 0.0;
    for (id, gold_labels) in gold {
        let g: HashSet<&String> = gold_labels.iter().collect();
        let p: HashSet<&String> = predicted.get(id).map(|ls| ls.iter().collect()).unwrap_or_default();
        total += if g.is_empty() && p.is_empty() {
            1.0
        } else {
            let hits = g.intersection(&p).count() as f32;
            if hits == 0.0 { 0.0 } else { 2.0 * hits / (g.len() + p.len()) as f32 }
        };
    }
    total / gold.len() as f32
}

/// Matches each discovered theme to at most one gold theme, maximising the total overlap (Jaccard
/// of the sets of responses each labels), and returns discovered id -> gold id. Unmatched
/// discovered themes map to nothing.
pub fn match_themes<K: std::hash::Hash + Eq + Clone>(
    predicted: &HashMap<K, Vec<String>>,
    gold: &HashMap<K, Vec<String>>,
) -> HashMap<String, String> {
    let members = |m: &HashMap<K, Vec<String>>| {
        let mut out: HashMap<String, HashSet<K>> = HashMap::new();
        for (id, labels) in m {
            for l in labels {
                out.entry(l.clone()).or_default().insert(id.clone());
            }
        }
        out
    };
    let (p, g) = (members(predicted), members(gold));
    let mut p_ids: Vec<&String> = p.keys().collect();
    let mut g_ids: Vec<&String> = g.keys().collect();
    p_ids.sort();
    g_ids.sort();
    let weight: Vec<Vec<f64>> = p_ids
        .iter()
        .map(|pi| {
            g_ids
                .iter()
                .map(|gi| {
                    let (a, b) = (&p[*pi], &g[*gi]);
                    let inter = a.intersection(b).count() as f64;
                    let union = (a.len() + b.len()) as f64 - inter;
                    if union == 0.0 { 0.0 } else { inter / union }
                })
                .collect()
        })
        .collect();
    let assignment = hungarian_max(&weight);
    assignment
        .into_iter()
        .enumerate()
        .filter_map(|(i, j)| j.filter(|&j| weight[i][j] > 0.0).map(|j| (p_ids[i].clone(), g_ids[j].clone())))
        .collect()
}

/// Maximum-weight assignment of rows to columns (rectangular allowed): for each row, its column
/// or None. The O(n³) Hungarian method on a square cost matrix padded with zeros.
pub fn hungarian_max(weight: &[Vec<f64>]) -> Vec<Option<usize>> {
    let rows = weight.len();
    let cols = weight.first().map_or(0, |r| r.len());
    let n = rows.max(cols);
    if n == 0 {
        return vec![];
    }
    let max = weight.iter().flatten().cloned().fold(0.0, f64::max);
    // cost[i][j] = max - weight, 1-indexed below as in the classic formulation.
    let cost = |i: usize, j: usize| -> f64 { if i < rows && j < cols { max - weight[i][j] } else { max } };
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; rows];
    for j in 1..=n {
        if p[j] >= 1 && p[j] - 1 < rows && j - 1 < cols {
            out[p[j] - 1] = Some(j - 1);
        }
    }
    out
}

/// Share of responses whose predicted position equals the gold one.
pub fn accuracy<K: std::hash::Hash + Eq>(predicted: &HashMap<K, String>, gold: &HashMap<K, String>) -> f32 {
    if gold.is_empty() {
        return 0.0;
    }
    let hits = gold.iter().filter(|(id, g)| predicted.get(*id) == Some(*g)).count();
    hits as f32 / gold.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(u32, &[&str])]) -> HashMap<u32, Vec<String>> {
        pairs.iter().map(|(id, ls)| (*id, ls.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn sample_f1_averages_per_response() {
        let gold = labels(&[(1, &["A", "B"]), (2, &["C"])]);
        let predicted = labels(&[(1, &["A"]), (2, &["D"])]);
        // Response 1: P=1, R=0.5, F1=2/3; response 2: 0.
        assert!((sample_f1(&predicted, &gold) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(sample_f1(&gold, &gold), 1.0);
    }

    #[test]
    fn hungarian_finds_the_best_one_to_one_matching() {
        let w = vec![vec![0.9, 0.8, 0.0], vec![0.85, 0.1, 0.0]];
        // Greedy would give row 0 -> 0; the optimum is 0 -> 1, 1 -> 0.
        assert_eq!(hungarian_max(&w), [Some(1), Some(0)]);
        let tall = vec![vec![0.1], vec![0.7], vec![0.2]];
        assert_eq!(hungarian_max(&tall), [None, Some(0), None]);
    }

    #[test]
    fn discovered_themes_match_gold_by_overlap() {
        let gold = labels(&[(1, &["A"]), (2, &["A"]), (3, &["B"]), (4, &["B"])]);
        let found = labels(&[(1, &["t2"]), (2, &["t2"]), (3, &["t1"]), (4, &["t3"])]);
        let m = match_themes(&found, &gold);
        assert_eq!(m.get("t2").map(String::as_str), Some("A"));
        assert_eq!(m.get("t1").map(String::as_str), Some("B"));
        assert_eq!(m.get("t3"), None);
    }
}
