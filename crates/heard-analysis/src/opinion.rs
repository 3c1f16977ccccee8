//! Opinion groups from votes on statements, computed as Polis computes them.
//!
//! Participants vote agree (1), disagree (-1) or pass (0) on short statements. The steps, each
//! Polis's own:
//! 1. the participant x statement matrix, a missing vote imputed with the statement's mean vote
//!    among those who voted on it, centred on the same means (`pca`);
//! 2. its first two principal components, by power iteration, and each participant projected onto
//!    them, scaled by `sqrt(statements / votes)` so that sparse voters are not all drawn to the
//!    middle;
//! 3. only participants who voted on at least 7 statements (or on all of them, when there are fewer
//!    than 7) are grouped, topped up to 15 with the most active voters when fewer qualify;
//! 4. k-means into (at most) 100 base clusters, then the base clusters, weighted by their members,
//!    into 2 to 5 groups, k chosen by the silhouette of the base clusters (`kmeans`);
//! 5. per group, the statements that set it apart from the rest (`repness`), and across groups
//!    the statements every group agrees with and those that split them.
//!
//! A statement moderated out is never reported, but it counts as Polis counts it: Polis zeroes its
//! column, so it adds nothing to the components, everyone reads as having passed on it in the
//! projection's scaling, and the votes cast on it count toward the 7.
//!
//! Everything is deterministic: the same votes give the same groups on every run and machine.
//! Where Polis keeps state between updates (its last clusters, a smoothed k), this computes from
//! scratch, starting k-means from several fixed starts and keeping the tightest result.

mod kmeans;
mod pca;
mod repness;

pub use repness::{
    Confidence, Consensus, Divisive, Representative, Stance, Tally, Z_90, Z_95, prop_test, two_prop_test,
};
use serde::Serialize;

use kmeans::{Clustering, Point};

/// Participants who voted on fewer statements than this are not grouped (unless the conversation
/// has fewer statements, when they must have voted on all).
pub const MIN_VOTES: usize = 7;
/// When fewer participants than this qualify, the most active voters are added until it is reached.
const GREEDY_PARTICIPANTS: usize = 15;
/// Base clusters: the participants are first gathered into this many small clusters, which are
/// then grouped.
const BASE_CLUSTERS: usize = 100;
/// Groups at most.
pub const MAX_GROUPS: usize = 5;

/// What a participant said of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    Agree,
    Disagree,
    Pass,
}

impl Choice {
    /// Polis's export codes: 1 agree, -1 disagree, 0 pass.
    pub fn from_code(code: i64) -> Option<Choice> {
        match code {
            1 => Some(Choice::Agree),
            -1 => Some(Choice::Disagree),
            0 => Some(Choice::Pass),
            _ => None,
        }
    }

    fn value(self) -> i8 {
        match self {
            Choice::Agree => 1,
            Choice::Disagree => -1,
            Choice::Pass => 0,
        }
    }
}

/// One vote: participant and statement are indices (`0..participants`, `0..statements`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vote {
    pub participant: u32,
    pub statement: u32,
    pub choice: Choice,
}

/// The groups and what sets them apart.
#[derive(Clone, Debug, Serialize)]
pub struct OpinionGroups {
    /// Largest first.
    pub groups: Vec<Group>,
    /// Statements most of every group agrees with, strongest first (none with fewer than two groups).
    pub consensus: Vec<Consensus>,
    /// Statements one group agrees with and another disagrees with, widest apart first.
    pub divisive: Vec<Divisive>,
    /// Every participant's place on the first two components (Polis's projection), grouped or not;
    /// `[0, 0]` for one who never voted.
    pub positions: Vec<[f64; 2]>,
    /// Each participant's group (an index into `groups`), or none when they were not grouped.
    pub group_of: Vec<Option<usize>>,
    /// The silhouette of each number of groups tried, as `(k, silhouette)`.
    pub silhouettes: Vec<(usize, f64)>,
    /// Statements with at least one vote, not moderated out: the ones that can be reported.
    pub statements_voted: usize,
}

/// One opinion group.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// Participant indices, ascending.
    pub members: Vec<u32>,
    /// Where the group sits on the two components (its members' mean).
    pub centre: [f64; 2],
    /// What sets the group apart, agreements first (empty when there is only one group).
    pub representative: Vec<Representative>,
}

/// Groups `participants` people by their `votes` on `statements` statements, of which those in
/// `moderated_out` were moderated out. A later vote in `votes` by the same participant on the same
/// statement replaces an earlier one.
///
/// # Panics
/// When a vote or `moderated_out` names a participant or statement out of range.
pub fn opinion_groups(
    participants: usize,
    statements: usize,
    mut votes: Vec<Vote>,
    moderated_out: &[u32],
) -> OpinionGroups {
    let rows = VoteRows::new(participants, statements, &mut votes);
    drop(votes);
    let mut kept = vec![true; statements];
    for &s in moderated_out {
        kept[s as usize] = false;
    }
    let (means, counts) = statement_means(&rows, statements);
    // Polis's columns: the statements anyone voted on, moderated out or not.
    let columns = counts.iter().filter(|&&n| n > 0).count();
    let zeroed = (0..statements).filter(|&s| counts[s] > 0 && !kept[s]).count();
    let centred: Vec<f64> = rows
        .value
        .iter()
        .zip(&rows.statement)
        .map(|(&v, &s)| if kept[s as usize] { f64::from(v) - means[s as usize] } else { 0.0 })
        .collect();
    let pcs = pca::components(&rows, &centred, statements);
    let kept_votes = |p: usize| rows.range(p).filter(|&k| kept[rows.statement[k] as usize]).count();
    let votes_seen: Vec<usize> = (0..participants).map(|p| kept_votes(p) + zeroed).collect();
    let positions = pca::project(&rows, &centred, columns, &votes_seen, &pcs);
    drop(centred);

    let grouped = in_conversation(&rows, columns);
    let points: Vec<Point> = grouped.iter().map(|&p| positions[p as usize]).collect();
    let (clustering, silhouettes) = group_clusters(&points);

    let mut groups: Vec<Group> = (0..clustering.centres.len())
        .map(|g| Group { members: Vec::new(), centre: clustering.centres[g], representative: Vec::new() })
        .collect();
    for (&p, &g) in grouped.iter().zip(&clustering.assignment) {
        groups[g].members.push(p);
    }
    // Largest first; equal sizes by their first member, so the order never depends on the run.
    groups.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    let mut group_of = vec![None; participants];
    for (g, group) in groups.iter().enumerate() {
        for &p in &group.members {
            group_of[p as usize] = Some(g);
        }
    }

    let voted: Vec<u32> =
        (0..statements as u32).filter(|&s| counts[s as usize] > 0 && kept[s as usize]).collect();
    let statements_voted = voted.len();
    let (consensus, divisive) = if groups.len() >= 2 {
        let tallies = repness::Tallies::new(
            groups.iter().map(|g| tally(&rows, &g.members, statements)).collect(),
            statements,
        );
        for (group, representative) in groups.iter_mut().zip(repness::representative(&tallies, &voted)) {
            group.representative = representative;
        }
        (repness::consensus(&tallies, &voted), repness::divisive(&tallies, &voted))
    } else {
        (Vec::new(), Vec::new())
    };
    OpinionGroups { groups, consensus, divisive, positions, group_of, silhouettes, statements_voted }
}

/// The votes by participant: `statement[range(p)]` and `value[range(p)]` are participant `p`'s
/// votes, by statement, one per statement.
pub(crate) struct VoteRows {
    offsets: Vec<usize>,
    statement: Vec<u32>,
    value: Vec<i8>,
}

impl VoteRows {
    fn new(participants: usize, statements: usize, votes: &mut [Vote]) -> VoteRows {
        // Stable, so each participant's votes on a statement stay in the order given.
        votes.sort_by_key(|v| (v.participant, v.statement));
        let mut offsets = vec![0usize; participants + 1];
        let mut statement = Vec::with_capacity(votes.len());
        let mut value = Vec::with_capacity(votes.len());
        for (i, v) in votes.iter().enumerate() {
            assert!(
                (v.participant as usize) < participants,
                "vote by participant {} of {participants}",
                v.participant
            );
            assert!((v.statement as usize) < statements, "vote on statement {} of {statements}", v.statement);
            if votes
                .get(i + 1)
                .is_some_and(|next| (next.participant, next.statement) == (v.participant, v.statement))
            {
                continue;
            }
            offsets[v.participant as usize + 1] += 1;
            statement.push(v.statement);
            value.push(v.choice.value());
        }
        for p in 0..participants {
            offsets[p + 1] += offsets[p];
        }
        VoteRows { offsets, statement, value }
    }

    fn participants(&self) -> usize {
        self.offsets.len() - 1
    }

    fn range(&self, participant: usize) -> std::ops::Range<usize> {
        self.offsets[participant]..self.offsets[participant + 1]
    }
}

/// Each statement's mean vote among those who voted on it (passes count as 0), and how many did.
fn statement_means(rows: &VoteRows, statements: usize) -> (Vec<f64>, Vec<u32>) {
    let mut sums = vec![0i64; statements];
    let mut counts = vec![0u32; statements];
    for (&s, &v) in rows.statement.iter().zip(&rows.value) {
        sums[s as usize] += i64::from(v);
        counts[s as usize] += 1;
    }
    let means = sums
        .iter()
        .zip(&counts)
        .map(|(&sum, &n)| if n == 0 { 0.0 } else { sum as f64 / f64::from(n) })
        .collect();
    (means, counts)
}

/// The participants Polis groups ("in the conversation"), ascending: those with at least
/// `min(7, statements)` votes, and when that leaves fewer than 15, the most active of the rest
/// until there are 15 (anyone with a vote; most votes first, then the earliest participant).
fn in_conversation(rows: &VoteRows, statements: usize) -> Vec<u32> {
    let needed = MIN_VOTES.min(statements);
    let votes = |p: usize| rows.range(p).len();
    let mut chosen: Vec<u32> =
        (0..rows.participants()).filter(|&p| votes(p) > 0 && votes(p) >= needed).map(|p| p as u32).collect();
    if chosen.len() < GREEDY_PARTICIPANTS {
        let mut rest: Vec<usize> =
            (0..rows.participants()).filter(|&p| votes(p) > 0 && votes(p) < needed).collect();
        rest.sort_by_key(|&p| (std::cmp::Reverse(votes(p)), p));
        chosen.extend(rest.into_iter().take(GREEDY_PARTICIPANTS - chosen.len()).map(|p| p as u32));
        chosen.sort_unstable();
    }
    chosen
}

/// Groups the participants' points: base clusters, then the groups of base clusters with the best
/// silhouette. Returns each point's group and the silhouettes of the k tried.
fn group_clusters(points: &[Point]) -> (Clustering, Vec<(usize, f64)>) {
    if points.is_empty() {
        return (Clustering { centres: Vec::new(), assignment: Vec::new() }, Vec::new());
    }
    let ones = vec![1.0; points.len()];
    let base = kmeans::kmeans(points, &ones, kmeans::first_distinct(points, BASE_CLUSTERS));
    let mut weights = vec![0.0; base.centres.len()];
    for &b in &base.assignment {
        weights[b] += 1.0;
    }
    let centres = &base.centres;
    // Polis: 2 to 5 groups, and no more than one per 12 base clusters beyond the first two.
    let max_k = MAX_GROUPS.min(2 + centres.len() / 12).min(centres.len());
    let mut best: Option<(Clustering, f64)> = None;
    let mut silhouettes = Vec::new();
    for k in 2..=max_k {
        let clustering = [
            kmeans::first_distinct(centres, k),
            kmeans::farthest_first(centres, &weights, k),
            kmeans::heaviest_spread(centres, &weights, k),
        ]
        .into_iter()
        .filter(|starts| starts.len() == k)
        .map(|starts| kmeans::kmeans(centres, &weights, starts))
        .filter(|c| c.centres.len() == k)
        .min_by(|a, b| a.inertia(centres, &weights).total_cmp(&b.inertia(centres, &weights)));
        let Some(clustering) = clustering else { continue };
        let s = kmeans::silhouette(centres, &clustering);
        silhouettes.push((k, s));
        // The fewest groups among equally good ones.
        if best.as_ref().is_none_or(|(_, b)| s > *b) {
            best = Some((clustering, s));
        }
    }
    let groups = match best {
        Some((clustering, _)) => clustering,
        // Nothing to split (everyone in the same place, or too few places): one group.
        None => {
            let total: f64 = weights.iter().sum();
            let mean =
                |axis: usize| centres.iter().zip(&weights).map(|(c, w)| c[axis] * w).sum::<f64>() / total;
            Clustering { centres: vec![[mean(0), mean(1)]], assignment: vec![0; centres.len()] }
        }
    };
    let assignment = base.assignment.iter().map(|&b| groups.assignment[b]).collect();
    // The groups' centres over their members (the base clusters weighted by size).
    (Clustering { centres: groups.centres, assignment }, silhouettes)
}

/// The votes of `members` on each statement.
fn tally(rows: &VoteRows, members: &[u32], statements: usize) -> Vec<Tally> {
    let mut tallies = vec![Tally::default(); statements];
    for &p in members {
        let range = rows.range(p as usize);
        for (&s, &v) in rows.statement[range.clone()].iter().zip(&rows.value[range]) {
            let t = &mut tallies[s as usize];
            t.seen += 1;
            match v {
                1 => t.agree += 1,
                -1 => t.disagree += 1,
                _ => {}
            }
        }
    }
    tallies
}

/// The adjusted Rand index of two labellings of the same items: 1 when they agree on every pair,
/// about 0 for labellings no closer than chance. Items are `(label_a, label_b)` pairs.
pub fn adjusted_rand_index(pairs: &[(usize, usize)]) -> f64 {
    use std::collections::HashMap;
    let pairs_of = |n: u64| n * n.saturating_sub(1) / 2;
    let mut joint: HashMap<(usize, usize), u64> = HashMap::new();
    let mut a: HashMap<usize, u64> = HashMap::new();
    let mut b: HashMap<usize, u64> = HashMap::new();
    for &(x, y) in pairs {
        *joint.entry((x, y)).or_default() += 1;
        *a.entry(x).or_default() += 1;
        *b.entry(y).or_default() += 1;
    }
    let index = joint.values().map(|&n| pairs_of(n)).sum::<u64>() as f64;
    let sum_a = a.values().map(|&n| pairs_of(n)).sum::<u64>() as f64;
    let sum_b = b.values().map(|&n| pairs_of(n)).sum::<u64>() as f64;
    let total = pairs_of(pairs.len() as u64) as f64;
    if total == 0.0 {
        return 1.0;
    }
    let expected = sum_a * sum_b / total;
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        // Both labellings put everything in one cluster, or each item alone: identical structure.
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two camps of `per_camp` voters on `statements` statements: camp A agrees with the even
    /// statements and disagrees with the odd ones, camp B the reverse, except that everyone agrees
    /// with statement 0; each voter skips the statements `skip(participant, statement)` says.
    fn two_camps(per_camp: u32, statements: u32, skip: impl Fn(u32, u32) -> bool) -> Vec<Vote> {
        let mut votes = Vec::new();
        for p in 0..2 * per_camp {
            let camp_a = p < per_camp;
            for s in 0..statements {
                if skip(p, s) {
                    continue;
                }
                let choice = if s == 0 || (s % 2 == 0) == camp_a { Choice::Agree } else { Choice::Disagree };
                votes.push(Vote { participant: p, statement: s, choice });
            }
        }
        votes
    }

    fn camp_of(result: &OpinionGroups, p: u32) -> usize {
        result.group_of[p as usize].expect("grouped")
    }

    #[test]
    fn opinion_groups_find_two_camps() {
        let result = opinion_groups(40, 12, two_camps(20, 12, |_, _| false), &[]);
        assert_eq!(result.groups.len(), 2, "silhouettes {:?}", result.silhouettes);
        for p in 0..40 {
            assert_eq!(camp_of(&result, p), camp_of(&result, if p < 20 { 0 } else { 20 }));
        }
        assert_ne!(camp_of(&result, 0), camp_of(&result, 20));
    }

    #[test]
    fn opinion_groups_put_sparse_voters_with_their_camp() {
        // Half of each camp votes on only 7 of 30 statements, a different 7 each.
        let skip = |p: u32, s: u32| p % 2 == 1 && s != 0 && (s + p) % 4 != 0;
        let votes = two_camps(30, 30, skip);
        let result = opinion_groups(60, 30, votes, &[]);
        let grouped: Vec<u32> = (0..60).filter(|&p| result.group_of[p as usize].is_some()).collect();
        assert!(grouped.len() >= 50, "only {} grouped", grouped.len());
        let pairs: Vec<(usize, usize)> =
            grouped.iter().map(|&p| (usize::from(p >= 30), camp_of(&result, p))).collect();
        assert!(adjusted_rand_index(&pairs) > 0.95, "ARI {}", adjusted_rand_index(&pairs));
    }

    #[test]
    fn opinion_participants_with_too_few_votes_are_not_grouped() {
        let mut votes = two_camps(10, 10, |_, _| false);
        // Participant 20 votes on 6 of the 10 statements: fewer than 7.
        for s in 0..6 {
            votes.push(Vote { participant: 20, statement: s, choice: Choice::Agree });
        }
        let result = opinion_groups(22, 10, votes, &[]);
        assert_eq!(result.group_of[20], None);
        // Participant 21 never voted.
        assert_eq!(result.group_of[21], None);
        assert_eq!(result.group_of.iter().flatten().count(), 20);
    }

    #[test]
    fn opinion_a_small_conversation_still_groups_its_most_active_voters() {
        // Ten people each voted on 5 of 10 statements (fewer than 7): Polis takes the most active
        // voters until it has 15, so all ten are grouped.
        let votes = two_camps(5, 10, |p, s| (s + p) % 2 == 0);
        let result = opinion_groups(10, 10, votes, &[]);
        assert_eq!(result.group_of.iter().flatten().count(), 10);
    }

    #[test]
    fn opinion_a_later_vote_replaces_an_earlier_one() {
        let mut votes = two_camps(10, 10, |_, _| false);
        // Participant 0 (camp A) changes every vote to camp B's.
        for s in 1..10 {
            let choice = if s % 2 == 0 { Choice::Disagree } else { Choice::Agree };
            votes.push(Vote { participant: 0, statement: s, choice });
        }
        let result = opinion_groups(20, 10, votes, &[]);
        assert_eq!(camp_of(&result, 0), camp_of(&result, 15));
        assert_ne!(camp_of(&result, 0), camp_of(&result, 5));
    }

    #[test]
    fn opinion_representative_statements_are_each_camps_own() {
        let result = opinion_groups(40, 12, two_camps(20, 12, |_, _| false), &[]);
        for group in &result.groups {
            let camp_a = group.members.contains(&0);
            assert!(!group.representative.is_empty());
            for r in &group.representative {
                assert_ne!(r.statement, 0, "everyone agrees with statement 0: it sets no group apart");
                let even = r.statement % 2 == 0;
                let expected = if even == camp_a { Stance::Agree } else { Stance::Disagree };
                assert_eq!(r.stance, expected, "statement {}", r.statement);
                assert_eq!(r.confidence, Confidence::NinetyFive);
            }
            // Agreements come first.
            let first_disagree = group.representative.iter().position(|r| r.stance == Stance::Disagree);
            if let Some(at) = first_disagree {
                assert!(group.representative[at..].iter().all(|r| r.stance == Stance::Disagree));
            }
        }
    }

    #[test]
    fn opinion_consensus_is_what_every_group_agrees_with_and_divisive_what_splits_them() {
        let result = opinion_groups(40, 12, two_camps(20, 12, |_, _| false), &[]);
        let consensus: Vec<u32> = result.consensus.iter().map(|c| c.statement).collect();
        assert_eq!(consensus, [0]);
        let mut divisive: Vec<u32> = result.divisive.iter().map(|d| d.statement).collect();
        divisive.sort_unstable();
        assert_eq!(divisive, (1..12).collect::<Vec<_>>());
    }

    #[test]
    fn opinion_groups_are_the_same_on_every_run_and_in_any_vote_order() {
        let votes = two_camps(25, 15, |p, s| (p * 7 + s * 3) % 5 == 0);
        let first = opinion_groups(50, 15, votes.clone(), &[]);
        let mut reversed = votes;
        reversed.reverse();
        let second = opinion_groups(50, 15, reversed, &[]);
        assert_eq!(first.group_of, second.group_of);
        let ids = |r: &OpinionGroups| -> Vec<Vec<u32>> {
            r.groups.iter().map(|g| g.representative.iter().map(|x| x.statement).collect()).collect()
        };
        assert_eq!(ids(&first), ids(&second));
    }

    #[test]
    fn opinion_odd_input_gives_a_result_not_a_panic() {
        let empty = opinion_groups(0, 0, Vec::new(), &[]);
        assert!(empty.groups.is_empty());
        // Everyone votes the same way: nothing to split, one group.
        let same: Vec<Vote> = (0..20)
            .flat_map(|p| (0..8).map(move |s| Vote { participant: p, statement: s, choice: Choice::Agree }))
            .collect();
        let result = opinion_groups(20, 8, same, &[]);
        assert_eq!(result.groups.len(), 1);
        assert!(result.consensus.is_empty() && result.divisive.is_empty());
        // Statements nobody voted on.
        let result = opinion_groups(40, 50, two_camps(20, 12, |_, _| false), &[]);
        assert_eq!(result.statements_voted, 12);
        assert_eq!(result.groups.len(), 2);
    }

    #[test]
    fn opinion_statements_moderated_out_are_never_reported_but_count_toward_the_votes_needed() {
        let mut votes = two_camps(20, 12, |_, _| false);
        // Participant 40 votes on 6 kept statements and on statement 12, moderated out.
        for s in [1, 2, 3, 4, 5, 6, 12] {
            votes.push(Vote { participant: 40, statement: s, choice: Choice::Agree });
        }
        let result = opinion_groups(41, 13, votes, &[12]);
        assert!(result.group_of[40].is_some(), "7 votes, one on a statement moderated out");
        assert_eq!(result.statements_voted, 12);
        let reported = result.groups.iter().flat_map(|g| g.representative.iter().map(|r| r.statement));
        let reported: Vec<u32> = reported
            .chain(result.consensus.iter().map(|c| c.statement))
            .chain(result.divisive.iter().map(|d| d.statement))
            .collect();
        assert!(!reported.contains(&12));
    }

    #[test]
    fn opinion_adjusted_rand_index_of_known_labellings() {
        let same = [(0, 5), (0, 5), (1, 7), (1, 7)];
        assert!((adjusted_rand_index(&same) - 1.0).abs() < 1e-12);
        // The textbook example: a = [0,0,0,1,1,1], b = [0,0,1,1,2,2] gives 0.2424...
        let pairs = [(0, 0), (0, 0), (0, 1), (1, 1), (1, 2), (1, 2)];
        assert!((adjusted_rand_index(&pairs) - 0.242_424).abs() < 1e-5);
        let crossed = [(0, 0), (0, 1), (1, 0), (1, 1)];
        assert!(adjusted_rand_index(&crossed) < 0.0);
    }
}
