//! The labelled sentences the flags are held to (`data/safeguarding/labelled.tsv`): each with the
//! flag it should raise (risk, crime, or none) and its half (`dev`, looked at while the patterns were
//! tuned, or `held-out`, only ever counted). [`score`] counts, per half and per kind, how many of a
//! kind raised their flag (recall) and how many of the sentences that should raise nothing raised
//! something (false alarms).

use super::Flag;

/// The file, as committed.
pub const LABELLED_TSV: &str = include_str!("../../data/safeguarding/labelled.tsv");

/// What a sentence should raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Someone may be at risk: `Flag::Safeguarding`.
    Risk,
    /// A crime or incident reported: `Flag::IncidentReport`.
    Crime,
    /// Neither flag.
    None,
}

#[derive(Clone, Debug)]
pub struct Labelled {
    pub sentence: String,
    pub expected: Expected,
    pub held_out: bool,
}

/// The sentences of [`LABELLED_TSV`]. Panics on a malformed line: the file is part of the source.
pub fn sentences() -> Vec<Labelled> {
    LABELLED_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && *l != "sentence\tkind\thalf")
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "labelled.tsv: {line:?} needs sentence, kind and half");
            let expected = match cols[1] {
                "risk" => Expected::Risk,
                "crime" => Expected::Crime,
                "none" => Expected::None,
                other => panic!("labelled.tsv: unknown kind {other:?}"),
            };
            let held_out = match cols[2] {
                "dev" => false,
                "held-out" => true,
                other => panic!("labelled.tsv: unknown half {other:?}"),
            };
            Labelled { sentence: cols[0].to_owned(), expected, held_out }
        })
        .collect()
}

/// How one half of the set came out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Score {
    pub risk: usize,
    pub risk_found: usize,
    pub crime: usize,
    pub crime_found: usize,
    pub none: usize,
    pub false_alarms: usize,
    /// The sentences that came out wrong, for reading (only kept for the dev half).
    pub misses: Vec<String>,
}

impl Score {
    pub fn risk_recall(&self) -> f64 {
        ratio(self.risk_found, self.risk)
    }

    pub fn crime_recall(&self) -> f64 {
        ratio(self.crime_found, self.crime)
    }

    pub fn false_alarm_rate(&self) -> f64 {
        ratio(self.false_alarms, self.none)
    }

    /// "risk recall 0.94 (32/34), crime recall 0.92 (22/24), false alarms 0.05 (2/40)".
    pub fn line(&self) -> String {
        format!(
            "risk recall {:.2} ({}/{}), crime recall {:.2} ({}/{}), false alarms {:.2} ({}/{})",
            self.risk_recall(),
            self.risk_found,
            self.risk,
            self.crime_recall(),
            self.crime_found,
            self.crime,
            self.false_alarm_rate(),
            self.false_alarms,
            self.none
        )
    }
}

/// Scores `flags_of` on the dev half and the held-out half.
pub fn score(flags_of: impl Fn(&str) -> Vec<Flag>) -> (Score, Score) {
    let mut dev = Score::default();
    let mut held_out = Score::default();
    for s in sentences() {
        let flags = flags_of(&s.sentence);
        let half = if s.held_out { &mut held_out } else { &mut dev };
        let right = match s.expected {
            Expected::Risk => {
                half.risk += 1;
                let found = flags.contains(&Flag::Safeguarding);
                half.risk_found += usize::from(found);
                found
            }
            Expected::Crime => {
                half.crime += 1;
                let found = flags.contains(&Flag::IncidentReport);
                half.crime_found += usize::from(found);
                found
            }
            Expected::None => {
                half.none += 1;
                half.false_alarms += usize::from(!flags.is_empty());
                flags.is_empty()
            }
        };
        if !right && !s.held_out {
            half.misses.push(format!("{:?} ({:?}): raised {flags:?}", s.sentence, s.expected));
        }
    }
    (dev, held_out)
}

fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { n as f64 / of as f64 }
}
