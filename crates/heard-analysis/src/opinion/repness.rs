//! What sets each group apart (Polis's "repness"), what every group agrees with, and what splits
//! them: vote counts per group and statement, Polis's estimates and its significance tests.

use serde::Serialize;

/// One-sided z at 90% confidence: Polis's bar for a statement to count as representative.
pub const Z_90: f64 = 1.2816;
/// One-sided z at 95% confidence.
pub const Z_95: f64 = 1.6449;
/// Polis shows at most this many representative statements a group.
const MOST_REPRESENTATIVE: usize = 5;

/// How a group's votes on one statement lean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Agree,
    Disagree,
}

/// How sure the two-proportion test is that a group differs from the rest on a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Confidence {
    /// Below 90%: kept only so that every group has at least one statement.
    #[serde(rename = "below 90%")]
    Weak,
    #[serde(rename = "90%")]
    Ninety,
    #[serde(rename = "95%")]
    NinetyFive,
}

impl Confidence {
    pub fn of(z: f64) -> Confidence {
        if z > Z_95 {
            Confidence::NinetyFive
        } else if z > Z_90 {
            Confidence::Ninety
        } else {
            Confidence::Weak
        }
    }
}

/// Votes on one statement by some participants: agrees, disagrees, and every vote seen (passes too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub agree: u32,
    pub disagree: u32,
    pub seen: u32,
}

impl Tally {
    /// Polis's estimate of the share who agree, `(1 + agrees) / (2 + seen)`: a statement few have
    /// seen is taken as undecided rather than as unanimous.
    pub fn agree_estimate(&self) -> f64 {
        (1.0 + f64::from(self.agree)) / (2.0 + f64::from(self.seen))
    }

    pub fn disagree_estimate(&self) -> f64 {
        (1.0 + f64::from(self.disagree)) / (2.0 + f64::from(self.seen))
    }

    fn count(&self, stance: Stance) -> u32 {
        match stance {
            Stance::Agree => self.agree,
            Stance::Disagree => self.disagree,
        }
    }

    fn estimate(&self, stance: Stance) -> f64 {
        match stance {
            Stance::Agree => self.agree_estimate(),
            Stance::Disagree => self.disagree_estimate(),
        }
    }

    fn minus(&self, other: &Tally) -> Tally {
        Tally {
            agree: self.agree - other.agree,
            disagree: self.disagree - other.disagree,
            seen: self.seen - other.seen,
        }
    }
}

/// A statement that sets a group apart from everyone else grouped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Representative {
    pub statement: u32,
    /// Whether the group agrees with it more than the rest do, or disagrees more.
    pub stance: Stance,
    /// The group's votes on it.
    pub group: Tally,
    /// The votes on it of everyone else grouped.
    pub rest: Tally,
    /// The group's estimate for `stance`, `(1 + n) / (2 + seen)`.
    pub estimate: f64,
    /// That estimate over the rest's: 2.0 means twice as likely as the others.
    pub ratio: f64,
    /// The two-proportion z of the group against the rest.
    pub z: f64,
    pub confidence: Confidence,
}

/// A statement most of every group agrees with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Consensus {
    pub statement: u32,
    /// Each group's agree estimate, in the groups' order.
    pub agree_by_group: Vec<f64>,
    /// Polis's group-aware consensus: the product of the groups' agree estimates.
    pub strength: f64,
}

/// A statement most of one group agrees with and most of another disagrees with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Divisive {
    pub statement: u32,
    pub agree_by_group: Vec<f64>,
    pub disagree_by_group: Vec<f64>,
    /// How far apart the groups stand: the largest agree estimate of a group that agrees plus the
    /// largest disagree estimate of another group that disagrees, less one.
    pub spread: f64,
}

/// Polis's one-proportion test of `n` successes in `seen` trials against one half, with the same
/// +1 prior as its estimates.
pub fn prop_test(n: u32, seen: u32) -> f64 {
    let (n, seen) = (f64::from(n) + 1.0, f64::from(seen) + 1.0);
    2.0 * seen.sqrt() * (n / seen - 0.5)
}

/// Polis's two-proportion z-test of `n1` in `seen1` against `n2` in `seen2` (each count +1).
pub fn two_prop_test(n1: u32, seen1: u32, n2: u32, seen2: u32) -> f64 {
    let (n1, n2) = (f64::from(n1) + 1.0, f64::from(n2) + 1.0);
    let (seen1, seen2) = (f64::from(seen1) + 1.0, f64::from(seen2) + 1.0);
    let pooled = (n1 + n2) / (seen1 + seen2);
    let spread = pooled * (1.0 - pooled) * (1.0 / seen1 + 1.0 / seen2);
    if spread <= 0.0 { 0.0 } else { (n1 / seen1 - n2 / seen2) / spread.sqrt() }
}

/// Vote tallies, `tallies[group][statement]`, of each group's members.
pub(super) struct Tallies {
    pub by_group: Vec<Vec<Tally>>,
    pub all: Vec<Tally>,
}

impl Tallies {
    pub fn new(by_group: Vec<Vec<Tally>>, statements: usize) -> Tallies {
        let mut all = vec![Tally::default(); statements];
        for group in &by_group {
            for (a, t) in all.iter_mut().zip(group) {
                a.agree += t.agree;
                a.disagree += t.disagree;
                a.seen += t.seen;
            }
        }
        Tallies { by_group, all }
    }
}

/// The comparison of one group with the rest on one statement, both ways.
struct Comparison {
    statement: u32,
    group: Tally,
    rest: Tally,
    agree_ratio: f64,
    agree_z: f64,
    disagree_ratio: f64,
    disagree_z: f64,
}

impl Comparison {
    fn new(statement: u32, group: Tally, all: Tally) -> Comparison {
        let rest = all.minus(&group);
        let ratio = |stance| group.estimate(stance) / rest.estimate(stance);
        let z = |stance| two_prop_test(group.count(stance), group.seen, rest.count(stance), rest.seen);
        Comparison {
            statement,
            group,
            rest,
            agree_ratio: ratio(Stance::Agree),
            agree_z: z(Stance::Agree),
            disagree_ratio: ratio(Stance::Disagree),
            disagree_z: z(Stance::Disagree),
        }
    }

    fn agree_test(&self) -> f64 {
        prop_test(self.group.agree, self.group.seen)
    }

    fn disagree_test(&self) -> f64 {
        prop_test(self.group.disagree, self.group.seen)
    }

    /// Significant both ways at 90%: more than the rest, and more than half the group.
    fn passes(&self) -> bool {
        (self.agree_z > Z_90 && self.agree_test() > Z_90)
            || (self.disagree_z > Z_90 && self.disagree_test() > Z_90)
    }

    /// The stance in which the group stands further from the rest.
    fn stance(&self) -> Stance {
        if self.agree_z > self.disagree_z { Stance::Agree } else { Stance::Disagree }
    }

    fn representative(&self, stance: Stance) -> Representative {
        let (ratio, z) = match stance {
            Stance::Agree => (self.agree_ratio, self.agree_z),
            Stance::Disagree => (self.disagree_ratio, self.disagree_z),
        };
        Representative {
            statement: self.statement,
            stance,
            group: self.group,
            rest: self.rest,
            estimate: self.group.estimate(stance),
            ratio,
            z,
            confidence: Confidence::of(z),
        }
    }

    /// Polis's ordering of representative statements: ratio x its test x estimate x its test.
    fn metric(&self, stance: Stance) -> f64 {
        match stance {
            Stance::Agree => {
                self.agree_ratio * self.agree_z * self.group.agree_estimate() * self.agree_test()
            }
            Stance::Disagree => {
                self.disagree_ratio * self.disagree_z * self.group.disagree_estimate() * self.disagree_test()
            }
        }
    }

    /// Polis keeps, besides the significant statements, the one that best shows what the group
    /// agrees with, so a group is never described only by what it rejects.
    fn beats_as_agreement(&self, best: Option<&Comparison>) -> bool {
        if self.group.agree == 0 && self.group.disagree == 0 {
            return false;
        }
        let agree_metric =
            |c: &Comparison| c.agree_ratio * c.agree_z * c.group.agree_estimate() * c.agree_test();
        match best {
            Some(best) if best.agree_ratio > 1.0 => agree_metric(self) > agree_metric(best),
            Some(best) => {
                let (mine, theirs) = (
                    self.group.agree_estimate() * self.agree_test(),
                    best.group.agree_estimate() * best.agree_test(),
                );
                // On a tie, the statement that sets the group apart rather than one everyone shares.
                mine > theirs || (mine == theirs && self.agree_ratio > best.agree_ratio)
            }
            None => self.agree_test() > Z_90 || (self.agree_ratio > 1.0 && self.group.agree_estimate() > 0.5),
        }
    }
}

/// Each group's representative statements, as Polis selects them: the statements where the group
/// differs from the rest at 90% confidence, ranked by Polis's metric, the group's best agreement
/// first, at most five, agreements before disagreements; when none is significant, the best there is.
pub(super) fn representative(tallies: &Tallies, statements: &[u32]) -> Vec<Vec<Representative>> {
    tallies
        .by_group
        .iter()
        .map(|group| {
            let mut sufficient: Vec<Comparison> = Vec::new();
            let mut best_by_test: Option<Comparison> = None;
            let mut best_agree: Option<Comparison> = None;
            for &s in statements {
                let comparison = Comparison::new(s, group[s as usize], tallies.all[s as usize]);
                if comparison.beats_as_agreement(best_agree.as_ref()) {
                    best_agree = Some(Comparison::new(s, group[s as usize], tallies.all[s as usize]));
                }
                if comparison.passes() {
                    sufficient.push(comparison);
                } else if sufficient.is_empty()
                    && best_by_test.as_ref().is_none_or(|b| {
                        comparison.agree_z.max(comparison.disagree_z) > b.agree_z.max(b.disagree_z)
                    })
                {
                    best_by_test = Some(comparison);
                }
            }
            let best_agree = best_agree.map(|c| c.representative(Stance::Agree));
            if sufficient.is_empty() {
                return match (best_agree, best_by_test) {
                    (Some(agree), _) => vec![agree],
                    (None, Some(best)) => vec![best.representative(best.stance())],
                    (None, None) => Vec::new(),
                };
            }
            sufficient.sort_by(|a, b| b.metric(b.stance()).total_cmp(&a.metric(a.stance())));
            let mut chosen: Vec<Representative> = best_agree.iter().cloned().collect();
            chosen.extend(
                sufficient
                    .iter()
                    .filter(|c| best_agree.as_ref().is_none_or(|b| b.statement != c.statement))
                    .map(|c| c.representative(c.stance())),
            );
            chosen.truncate(MOST_REPRESENTATIVE);
            // Stable: within each stance the order stays the metric's.
            chosen.sort_by_key(|r| r.stance != Stance::Agree);
            chosen
        })
        .collect()
}

/// Statements that most of every group agrees with: in each group the agree estimate is over one
/// half and significantly so (90%), strongest (Polis's group-aware consensus) first.
pub(super) fn consensus(tallies: &Tallies, statements: &[u32]) -> Vec<Consensus> {
    let mut found: Vec<Consensus> = statements
        .iter()
        .filter_map(|&s| {
            let groups: Vec<&Tally> = tallies.by_group.iter().map(|g| &g[s as usize]).collect();
            let agreed = |t: &&Tally| t.agree_estimate() > 0.5 && prop_test(t.agree, t.seen) > Z_90;
            if groups.is_empty() || !groups.iter().all(agreed) {
                return None;
            }
            let agree_by_group: Vec<f64> = groups.iter().map(|t| t.agree_estimate()).collect();
            Some(Consensus { statement: s, strength: agree_by_group.iter().product(), agree_by_group })
        })
        .collect();
    found.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.statement.cmp(&b.statement)));
    found
}

/// Statements on which groups stand on opposite sides: most of one group agrees and most of another
/// disagrees, each over one half and significantly so (90%); widest spread first.
pub(super) fn divisive(tallies: &Tallies, statements: &[u32]) -> Vec<Divisive> {
    let mut found: Vec<Divisive> = statements
        .iter()
        .filter_map(|&s| {
            let groups: Vec<&Tally> = tallies.by_group.iter().map(|g| &g[s as usize]).collect();
            let agreeing = groups
                .iter()
                .enumerate()
                .filter(|(_, t)| t.agree_estimate() > 0.5 && prop_test(t.agree, t.seen) > Z_90);
            let disagreeing: Vec<(usize, &&Tally)> = groups
                .iter()
                .enumerate()
                .filter(|(_, t)| t.disagree_estimate() > 0.5 && prop_test(t.disagree, t.seen) > Z_90)
                .collect();
            let mut spread: Option<f64> = None;
            for (g, a) in agreeing {
                for (h, d) in &disagreeing {
                    if g != *h {
                        let s = a.agree_estimate() + d.disagree_estimate() - 1.0;
                        spread = Some(spread.map_or(s, |b: f64| b.max(s)));
                    }
                }
            }
            Some(Divisive {
                statement: s,
                agree_by_group: groups.iter().map(|t| t.agree_estimate()).collect(),
                disagree_by_group: groups.iter().map(|t| t.disagree_estimate()).collect(),
                spread: spread?,
            })
        })
        .collect();
    found.sort_by(|a, b| b.spread.total_cmp(&a.spread).then(a.statement.cmp(&b.statement)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opinion_estimates_shrink_toward_a_half_when_few_have_voted() {
        let one = Tally { agree: 1, disagree: 0, seen: 1 };
        assert!((one.agree_estimate() - 2.0 / 3.0).abs() < 1e-12);
        let many = Tally { agree: 100, disagree: 0, seen: 100 };
        assert!(many.agree_estimate() > 0.99);
    }

    #[test]
    fn opinion_two_proportion_test_is_significant_only_for_a_real_difference() {
        assert!(two_prop_test(45, 50, 10, 50) > Z_95);
        assert!(two_prop_test(26, 50, 24, 50) < Z_90);
        assert!(two_prop_test(10, 50, 45, 50) < 0.0);
        // Everyone agreeing on both sides leaves nothing to test.
        assert_eq!(two_prop_test(50, 50, 50, 50), 0.0);
    }
}
