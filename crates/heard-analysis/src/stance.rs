//! Stance toward the question: AGREE, DISAGREE or UNCLEAR.
//!
//! No model here reads negation well, so stance starts from cues a person would point to: an
//! answer that opens with "Yes" or "No"; the question's own proposal ("ban", "restrict", "build")
//! asked for or argued against; arguments about harm or about cost; compromise language. The
//! engine then smooths weak cues with the stance of each response's nearest neighbours
//! ([`smooth`]), since responses making the same argument tend to take the same side. Where a
//! head trained for the running model exists (`stance_head`), its reading of which way a response
//! leans joins the cues, capped so that it decides only where the cues are weak.

use crate::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Position {
    Agree,
    Disagree,
    Unclear,
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Agree => "AGREE",
            Position::Disagree => "DISAGREE",
            Position::Unclear => "UNCLEAR",
        }
    }
}

/// What the question asks, as far as stance is concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// A yes/no question about a proposal ("Should X be banned?", "Do you agree ..."), as
    /// opposed to an open one ("What could be done ...?"), where taking part is agreeing.
    pub closed: bool,
    /// Stems of the proposal's action words ("ban"), when the question has one.
    pub actions: Vec<String>,
    /// The proposal restricts or removes something, so describing harm argues for it.
    pub restrictive: bool,
}

const RESTRICTIVE: &[&str] = &[
    "ban",
    "restrict",
    "limit",
    "prohibit",
    "stop",
    "scrap",
    "remove",
    "cut",
    "reduce",
    "close",
    "charge",
    "tax",
    "outlaw",
    "forbid",
    "curb",
    "cap",
    "end",
    "abolish",
    "regulate",
    "control",
    "block",
    "withdraw",
    "abandon",
    "abolition",
    "criminalise",
    "criminal",
    "fight",
];
const CONSTRUCTIVE: &[&str] = &[
    "introduce",
    "build",
    "increase",
    "expand",
    "extend",
    "allow",
    "fund",
    "invest",
    "create",
    "open",
    "raise",
    "add",
    "support",
    "adopt",
    "approve",
    "keep",
    "require",
    "provide",
    "make",
    "change",
    "replace",
    "improve",
    "pedestrianise",
    "install",
    "lower",
    "legalise",
    "subsidise",
];

impl Question {
    pub fn read(question: Option<&str>) -> Question {
        let Some(q) = question else {
            return Question { closed: false, actions: vec![], restrictive: false };
        };
        let words = text::words(q);
        let first = words.first().map(String::as_str).unwrap_or("");
        let closed = matches!(
            first,
            "should"
                | "do"
                | "does"
                | "is"
                | "are"
                | "would"
                | "will"
                | "can"
                | "could"
                | "must"
                | "has"
                | "have"
                | "shall"
        ) || q.to_lowercase().contains("do you agree")
            || q.to_lowercase().contains("do you support")
            || q.to_lowercase().contains("to what extent");
        let stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
        let mut actions: Vec<String> = Vec::new();
        let mut restrictive = false;
        for s in &stems {
            if RESTRICTIVE.contains(&s.as_str()) {
                restrictive = true;
                actions.push(s.clone());
            } else if CONSTRUCTIVE.contains(&s.as_str())
                && !matches!(s.as_str(), "make" | "support" | "change")
            {
                actions.push(s.clone());
            }
        }
        // Restriction words in a "what could be done if X were restricted" question set the scene
        // rather than ask; an open question is about suggestions.
        Question { closed, actions, restrictive: restrictive && closed }
    }
}

/// A signed cue score: above zero argues for the proposal, below against, near zero neither.
/// `mixed` is how much the text hedges or proposes a middle way.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cues {
    pub score: f32,
    pub mixed: f32,
}

const OPEN_AGREE: &[&str] =
    &["yes", "absolutely", "definitely", "agree", "certainly", "totally", "of course"];
const OPEN_DISAGREE: &[&str] = &["no", "nope", "disagree", "never", "not at all"];
const AGREE_PHRASES: &[&str] = &[
    "i agree",
    "i support",
    "fully support",
    "strongly support",
    "strongly agree",
    "good idea",
    "great idea",
    "long overdue",
    "about time",
    "high time",
    "has to stop",
    "needs to stop",
    "must stop",
    "enough is enough",
    "should be illegal",
    "needs to change",
    "must change",
    "in favour",
    "all for it",
    "can't come soon",
    "manage fine without",
    "survived fine",
    "will adapt",
    "they'll adapt",
    "would adapt",
];
const DISAGREE_PHRASES: &[&str] = &[
    "i disagree",
    "i oppose",
    "strongly oppose",
    "strongly disagree",
    "against the",
    "nanny state",
    "overreach",
    "over the top",
    "excessive",
    "too far",
    "heavy-handed",
    "heavy handed",
    "unnecessary",
    "not the answer",
    "won't work",
    "wouldn't work",
    "will not work",
    "won't stop",
    "wouldn't stop",
    "pointless",
    "waste of money",
    "waste of time",
    "don't see the problem",
    "not a problem",
    "no problem",
    "personal responsibility",
    "own choices",
    "own decisions",
    "freedom of choice",
    "free country",
    "don't punish",
    "punish",
    "unfair",
    "not the problem",
    "aren't the problem",
    "isn't the problem",
    "where does it end",
    "why single out",
    "make their own",
    "bad idea",
    "terrible idea",
    "not needed",
    "no need",
    "leave it",
    "leave them",
    "part of the culture",
    "i enjoy",
    "legitimate business",
];
const MIXED_PHRASES: &[&str] = &[
    "rather than",
    "instead of",
    "compromise",
    "middle ground",
    "balance",
    "maybe",
    "perhaps",
    "not just",
    "on the other hand",
    "both sides",
    "partial",
    "it depends",
    "depends on",
    "better than an outright",
    "mixed",
    "not sure",
    "unsure",
    "hypocrisy",
    "hypocritical",
    "at minimum",
    "at least",
];
const HARM_WORDS: &[&str] = &[
    "addict",
    "addiction",
    "harm",
    "harmful",
    "dangerous",
    "danger",
    "predatory",
    "prey",
    "manipulat",
    "toxic",
    "ruin",
    "destroy",
    "exploit",
    "vulnerable",
    "victim",
    "suffer",
    "damage",
    "debt",
    "insidious",
    "target",
    "normalis",
    "normaliz",
    "groom",
    "trap",
    "hook",
    "torture",
    "trigger",
    "lost",
    "glamor",
    "glamour",
    "wrong",
    "disgust",
    "shame",
    "terrible",
    "awful",
    "worst",
    "scary",
    "afraid",
    "unsafe",
    "crime",
    "abuse",
    "misery",
    "sick",
    "fed up",
    "kids",
    "children",
    "teenage",
];
/// General words of disapproval: aimed at the status quo a restrictive proposal would change,
/// they argue for it.
const DISAPPROVAL: &[&str] = &[
    "grotesque",
    "infected",
    "infest",
    "complicit",
    "corrupt",
    "warp",
    "worse",
    "paradox",
    "hypocri",
    "token gesture",
    "not right",
    "wrong",
    "obscene",
    "shameful",
    "irresponsible",
    "unacceptable",
    "outrageous",
    "disgrace",
    "ridiculous",
    "absurd",
    "cynical",
    "scandal",
    "crisis",
    "epidemic",
    "plague",
    "poison",
    "insidious",
    "sinister",
    "relentless",
    "constant",
    "bombard",
    "saturat",
    "everywhere",
    "every aspect",
    "out of control",
    "too much",
    "too many",
    "should override",
    "override",
    "ethical",
    "survived",
    "thrived",
    "it can be done",
    "can be done",
    "overstated",
];
/// Words that defend the status quo: aimed at what a restrictive proposal would remove, they
/// argue against it.
const APPROVAL: &[&str] = &[
    "harmless",
    "annoying but",
    "the market",
    "market decide",
    "free market",
    "choose not",
    "lifeline",
    "already face",
    "already heavily",
    "heavy regulation",
    "offshore",
    "symptom, not the cause",
    "not the cause",
    "long before",
    "would disappear",
];
const BENEFIT_OF_STATUS_QUO: &[&str] = &[
    "fund",
    "revenue",
    "job",
    "employ",
    "economy",
    "economic",
    "enjoy",
    "tradition",
    "culture",
    "afford",
    "survive",
    "rely",
    "viable",
    "freedom",
    "choice",
    "business",
    "income",
    "responsible",
    "adult",
];
const HARM_OF_PROPOSAL: &[&str] = &[
    "hurt",
    "harm",
    "kill",
    "devastate",
    "destroy",
    "damage",
    "reduce",
    "lose",
    "cost",
    "punish",
    "suffer",
    "disappear",
    "collapse",
    "end",
    "ruin",
    "hit",
    "cripple",
    "drive",
];

/// The phrase lists `cues` looks for, matched in one pass; the constants index its counts.
static PHRASES: std::sync::LazyLock<text::PhraseSets> = std::sync::LazyLock::new(|| {
    text::PhraseSets::new(&[
        AGREE_PHRASES,
        DISAGREE_PHRASES,
        MIXED_PHRASES,
        HARM_WORDS,
        DISAPPROVAL,
        BENEFIT_OF_STATUS_QUO,
        APPROVAL,
        &["overstated", "override", "short-term", "not worth", "no excuse"],
    ])
});
const AGREE: usize = 0;
const DISAGREE: usize = 1;
const MIXED: usize = 2;
const HARM: usize = 3;
const DISAPPROVING: usize = 4;
const BENEFIT: usize = 5;
const APPROVING: usize = 6;
const DISMISSED: usize = 7;

/// Reads the cues in one response.
pub fn cues(question: &Question, response: &str) -> Cues {
    let lower = response.to_lowercase();
    let words = text::words(response);
    if words.is_empty() {
        return Cues::default();
    }
    let mut score = 0.0f32;
    let mut mixed = 0.0f32;
    let opening = words[0].as_str();
    if question.closed {
        if OPEN_AGREE.contains(&opening) {
            score += 2.0;
        } else if OPEN_DISAGREE.contains(&opening)
            && words.get(1).is_none_or(|w| !matches!(w.as_str(), "doubt" | "one" | "more" | "longer"))
        {
            score -= 2.0;
        }
    }
    let found = PHRASES.count(&lower);
    score += 1.0 * found[AGREE] as f32 - 1.2 * found[DISAGREE] as f32;
    mixed += found[MIXED] as f32;
    let stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
    // The proposal itself: asked for, refused, or said to do harm.
    for (i, s) in stems.iter().enumerate() {
        if !question.actions.contains(s) {
            continue;
        }
        let before: Vec<&str> = words[i.saturating_sub(4)..i].iter().map(String::as_str).collect();
        let after: Vec<&str> = stems[i + 1..(i + 5).min(stems.len())].iter().map(String::as_str).collect();
        let negated = before.iter().any(|w| {
            matches!(
                *w,
                "not"
                    | "no"
                    | "don't"
                    | "shouldn't"
                    | "won't"
                    | "wouldn't"
                    | "never"
                    | "against"
                    | "oppose"
                    | "without"
                    | "can't"
                    | "cannot"
            )
        });
        let would_harm = after
            .first()
            .is_some_and(|w| matches!(*w, "would" | "will" | "could" | "won't" | "wouldn't"))
            && after.iter().skip(1).any(|w| HARM_OF_PROPOSAL.iter().any(|h| w.starts_with(h)) || *w == "not");
        let asked = before.iter().any(|w| {
            matches!(*w, "should" | "must" | "need" | "needs" | "please" | "support" | "want" | "legal" | "a")
        }) || i == 0
            || after
                .first()
                .is_some_and(|w| matches!(*w, "them" | "it" | "all" | "immediately" | "completely"));
        if negated || would_harm {
            score -= 1.5;
        } else if asked {
            score += 1.5;
        } else {
            score += 0.5;
        }
    }
    if question.restrictive {
        let harm = found[HARM] as f32;
        let disapproval = found[DISAPPROVING] as f32;
        // A benefit named only to be dismissed ("the economic argument is overstated",
        // "should override any economic arguments") does not count for the status quo.
        let benefit = if found[DISMISSED] > 0 { 0.0 } else { found[BENEFIT] as f32 };
        let approval = found[APPROVING] as f32;
        score += 0.5 * (harm + disapproval).min(3.0) - 0.6 * benefit.min(3.0) - 0.8 * approval.min(2.0);
    }
    Cues { score, mixed }
}

/// How much a unit of the trained head's lean counts against a cue word, and the most it can
/// count: a clear cue ("a ban would kill the shops", 1.5) is never outweighed by the head alone,
/// which reads how a sentence speaks of its subject and is fooled by "clubs would fold without
/// betting sponsorship". The weight was chosen on ArgKP's training motions (see `stance_head`).
const READING_WEIGHT: f32 = 2.0;
const READING_MOST: f32 = 1.0;

/// The final position from a response's own cues, its neighbours' (already-weighted) mean, and
/// the trained head's reading toward the proposal (`stance_head`; 0 without one).
pub fn decide(question: &Question, own: Cues, neighbours: f32, reading: f32, empty: bool) -> Position {
    if empty {
        return Position::Unclear;
    }
    if !question.closed {
        // An open question asks for ideas; giving one takes part in the premise.
        return if own.score <= -2.0 { Position::Disagree } else { Position::Agree };
    }
    let combined =
        own.score + 0.6 * neighbours + (READING_WEIGHT * reading).clamp(-READING_MOST, READING_MOST);
    if own.mixed >= 1.0 && own.score.abs() < 2.5 {
        return Position::Unclear;
    }
    if combined >= 0.3 {
        Position::Agree
    } else if combined <= -0.3 {
        Position::Disagree
    } else {
        Position::Unclear
    }
}

/// For each response, the similarity-weighted mean cue score of its `k` nearest neighbours.
pub fn smooth(scores: &[f32], neighbours: &[Vec<(usize, f32)>]) -> Vec<f32> {
    neighbours
        .iter()
        .map(|list| {
            let (mut sum, mut weight) = (0.0, 0.0);
            for &(j, sim) in list {
                let w = sim.max(0.0);
                sum += w * scores[j].clamp(-3.0, 3.0);
                weight += w;
            }
            if weight > 0.0 { sum / weight } else { 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_closed_and_open_questions() {
        let q = Question::read(Some("Should the council ban cars from the high street on Saturdays?"));
        assert!(q.closed && q.restrictive && q.actions == ["ban"]);
        let q = Question::read(Some("What could be done to make parks feel safer after dark?"));
        assert!(!q.closed);
    }

    #[test]
    fn cues_follow_the_proposal() {
        let q = Question::read(Some("Should the council ban cars from the high street on Saturdays?"));
        let position = |text: &str| decide(&q, cues(&q, text), 0.0, 0.0, text.is_empty());
        assert_eq!(position("Yes, ban them. The fumes are dangerous for children."), Position::Agree);
        assert_eq!(position("A ban would kill the shops that rely on passing trade."), Position::Disagree);
        assert_eq!(position("No. This is heavy-handed and unnecessary."), Position::Disagree);
        assert_eq!(position("Maybe close it in the afternoon rather than all day."), Position::Unclear);
        assert_eq!(position(""), Position::Unclear);
        let open = Question::read(Some("What would help you feel safer?"));
        assert_eq!(
            decide(&open, cues(&open, "Better lighting on the paths."), 0.0, 0.0, false),
            Position::Agree
        );
    }
}
