//! The checks run on one piece of text before it is published or analysed: the personal data in it
//! (emails, UK phone numbers, postcodes, street addresses, vehicle registrations, National Insurance
//! and NHS numbers), which can be redacted, and the flags that need a person's attention
//! (`safeguarding` when someone may be at risk, `incident_report` when a crime is being reported).
//!
//! Offsets are **byte** offsets into the text given to [`check`], so `&text[f.start..f.end]` is the
//! finding; they always fall on character boundaries. [`check`] is pattern matching: it knows UK
//! formats and English phrasing, and treats any other text (Welsh, emoji, 40,000 words) as
//! ordinary data that simply yields fewer findings. Where the model is installed,
//! [`reading::check_reading`] adds what the model reads in each sentence to the flags (see
//! `reading.rs`); the personal-data findings are the patterns' alone.

mod at_risk;
mod flags;
mod incidents;
pub mod labelled;
mod personal;
pub mod reading;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of personal data a [`Finding`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Email,
    Phone,
    Postcode,
    Address,
    VehicleRegistration,
    NiNumber,
    NhsNumber,
}

impl FindingKind {
    /// The name used in JSON: `email`, `phone`, ..., `nhs_number`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Email => "email",
            FindingKind::Phone => "phone",
            FindingKind::Postcode => "postcode",
            FindingKind::Address => "address",
            FindingKind::VehicleRegistration => "vehicle_registration",
            FindingKind::NiNumber => "ni_number",
            FindingKind::NhsNumber => "nhs_number",
        }
    }

    /// What a person calls it: "email address", "phone number", ...
    pub fn describe(self) -> &'static str {
        match self {
            FindingKind::Email => "email address",
            FindingKind::Phone => "phone number",
            FindingKind::Postcode => "postcode",
            FindingKind::Address => "street address",
            FindingKind::VehicleRegistration => "vehicle registration",
            FindingKind::NiNumber => "National Insurance number",
            FindingKind::NhsNumber => "NHS number",
        }
    }

    /// The text that replaces a finding of this kind in redacted text.
    pub fn placeholder(self) -> &'static str {
        match self {
            FindingKind::Email => "[email removed]",
            FindingKind::Phone => "[phone number removed]",
            FindingKind::Postcode => "[postcode removed]",
            FindingKind::Address => "[address removed]",
            FindingKind::VehicleRegistration => "[vehicle registration removed]",
            FindingKind::NiNumber => "[National Insurance number removed]",
            FindingKind::NhsNumber => "[NHS number removed]",
        }
    }

    /// Which kind wins when two findings of the same length cover the same text: the more
    /// specific format first (lower is stronger).
    fn rank(self) -> u8 {
        match self {
            FindingKind::Email => 0,
            FindingKind::NiNumber => 1,
            FindingKind::Phone => 2,
            FindingKind::NhsNumber => 3,
            FindingKind::Postcode => 4,
            FindingKind::VehicleRegistration => 5,
            FindingKind::Address => 6,
        }
    }
}

/// One piece of personal data: `text` is `input[start..end]`, with byte offsets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Byte offset of the first byte of the finding in the checked text.
    pub start: usize,
    /// Byte offset just past the finding.
    pub end: usize,
    pub text: String,
}

/// Something in the text a person should act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Someone may be at risk: self-harm or suicide, domestic abuse, immediate danger. The posting
    /// form points the writer to the support page and moderators are alerted.
    Safeguarding,
    /// The text reports a crime or incident. The posting form says to call 999 in an emergency and
    /// 101 (or report online) otherwise: a consultation is not a way to reach the police.
    IncidentReport,
}

impl Flag {
    /// The name used in JSON: `safeguarding`, `incident_report`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Safeguarding => "safeguarding",
            Flag::IncidentReport => "incident_report",
        }
    }
}

/// The result of [`check`]: findings sorted by `start` and never overlapping; flags sorted, each once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checks {
    pub findings: Vec<Finding>,
    pub flags: Vec<Flag>,
}

impl Checks {
    /// `text` with every finding replaced by its placeholder; `text` must be the text checked.
    pub fn redacted(&self, text: &str) -> String {
        redact(text, &self.findings)
    }
}

/// Finds the personal data in `text` and raises the flags it calls for.
pub fn check(text: &str) -> Checks {
    let mut candidates = Vec::new();
    personal::find(text, &mut candidates);
    Checks { findings: without_overlaps(candidates), flags: flags::raise(text) }
}

/// Replaces each finding with a placeholder naming its kind ("[email removed]").
///
/// Findings may come in any order; one that overlaps an earlier one, runs past the end of `text`
/// or does not start and end on character boundaries is skipped rather than trusted.
pub fn redact(text: &str, findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| (f.start, f.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for finding in sorted {
        let valid = finding.start >= at
            && finding.start < finding.end
            && text.is_char_boundary(finding.start)
            && text.is_char_boundary(finding.end)
            && finding.end <= text.len();
        if !valid {
            continue;
        }
        out.push_str(&text[at..finding.start]);
        out.push_str(finding.kind.placeholder());
        at = finding.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Keeps the longest of any overlapping findings (the more specific kind on a tie), then sorts
/// what is left by position.
fn without_overlaps(mut candidates: Vec<Finding>) -> Vec<Finding> {
    candidates.sort_by_key(|f| (std::cmp::Reverse(f.end - f.start), f.kind.rank(), f.start));
    // Kept findings by start. They never overlap, so only the last one starting before a
    // candidate's end can overlap it.
    let mut kept: BTreeMap<usize, Finding> = BTreeMap::new();
    for candidate in candidates {
        let overlaps = kept.range(..candidate.end).next_back().is_some_and(|(_, k)| k.end > candidate.start);
        if !overlaps {
            kept.insert(candidate.start, candidate);
        }
    }
    kept.into_values().collect()
}
